"""What every `clausewise` command shares: exit codes, error lines, settings.

Errors a user can cause are raised as `ClausewiseError`s; `service.cli.main`
turns them into one line on stderr (`error_line`) and the exit status here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from extractors.errors import InputError

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_CONFIG = 2
EXIT_FINDINGS = 3
"""`scan --fail-on`: a finding at or above the given severity (for CI gates)."""


def error(message: str) -> None:
    """Write one line: parser messages with caret diagrams are folded into it."""
    sys.stderr.write(error_line(message) + "\n")


def error_line(message: str) -> str:
    """Return `message` as the one `clausewise: error: ...` line."""
    lines = [ln.strip() for ln in message.splitlines()]
    flat = " ".join(ln for ln in lines if ln and not set(ln) <= set("^ "))
    return f"clausewise: error: {flat}"


def about_path(path: Path, exc: Exception) -> str:
    """Name the path once in a parse error (the parser names a file by its name)."""
    message = str(exc)
    quoted = f"'{path.name}'"
    if message.startswith(quoted):
        return str(path) + message[len(quoted) :]
    if str(path) in message:
        return message
    return f"{path}: {message}"


def read_json(path: Path, what: str) -> Any:
    """Read a JSON file the user named; a bad one is an InputError."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {what} {path}: {exc}") from exc


def engine_with_models(choice: str, llm_params: bool = False) -> Any:
    """Build the engine with model parts.

    The model modules are imported here, not at the top, so that a
    patterns-only command does not pay for importing them (every command
    imports this module); they load torch only when a model is loaded.
    """
    from extractors.engine import build_engine
    from models.llm_params import load_param_filler
    from models.stage import load_model_stage
    from service.cli.settings import model_settings

    settings = model_settings()  # where the weights are: CLAUSEWISE_LLM etc.
    return build_engine(
        model_stage=load_model_stage(choice, settings),  # type: ignore[arg-type]
        param_filler=load_param_filler(settings) if llm_params else None,
    )
