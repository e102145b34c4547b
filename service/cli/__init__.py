"""The `clausewise` command line: one module per command, each a thin layer.

`parser.py` holds every command's arguments (light: `--help` imports nothing
heavy); `scan.py`, `diff.py`, `evaluate.py`, `train.py`, `ablation.py`,
`serve.py`, `keys.py` and `worker.py` each hold one command's code over a
library function. `main` imports only the module of the command it runs.

Every error a user can cause (a missing file, an empty or binary document, an
encrypted PDF, a bad profile) ends as one line on stderr and a non-zero exit,
never a traceback; documents already written to `--out` stay there.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence

from extractors.errors import ClausewiseError, ConfigError
from models.choices import MODEL_CHOICES
from service.cli.common import (
    EXIT_CONFIG,
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    error,
)
from service.cli.parser import SCAN_FORMATS, build_parser

__all__ = [
    "COMMANDS",
    "EXIT_CONFIG",
    "EXIT_FINDINGS",
    "EXIT_INPUT",
    "EXIT_OK",
    "MODEL_CHOICES",
    "SCAN_FORMATS",
    "build_parser",
    "keep_torch_out",
    "main",
]

COMMANDS = {
    "scan": "service.cli.scan",
    "diff": "service.cli.diff",
    "eval": "service.cli.evaluate",
    "train": "service.cli.train",
    "ablation": "service.cli.ablation",
    "serve": "service.cli.serve",
    "keys": "service.cli.keys",
    "worker": "service.cli.worker",
}
"""Each command's module, named explicitly; imported only when it runs, so a
command never pays for another's imports (the engine, uvicorn, torch)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    logging.basicConfig(level=logging.WARNING, format="clausewise: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["worker"]:  # the worker parses its own options
            status: int = importlib.import_module(COMMANDS["worker"]).run(argv[1:])
            return status
        args = build_parser().parse_args(argv)
        if _without_models(args.command, args):
            keep_torch_out()
        status = importlib.import_module(COMMANDS[args.command]).run(args)
        return status
    except ConfigError as exc:
        error(str(exc))
        return EXIT_CONFIG
    except ClausewiseError as exc:
        error(str(exc))
        return EXIT_INPUT


def _without_models(command: str, args: object) -> bool:
    """Return True when this run loads no model in this process."""
    if command == "serve":
        from service.cli.settings import model_settings  # pydantic-settings

        return model_settings().stage == "none"
    if command == "diff":
        return True
    if command in ("scan", "eval"):
        return getattr(args, "model", "none") == "none" and not getattr(
            args, "llm_params", False
        )
    return False


def keep_torch_out() -> None:
    """Keep torch out of a patterns-only run.

    spaCy's thinc imports torch whenever it is installed (about 1.5 s and
    180 MB on these machines) although the pattern engine never uses it.
    Marking torch absent before spaCy loads makes thinc skip it; this is done
    only for commands that will not load a model in this process.
    """
    if "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]
