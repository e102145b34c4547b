"""YAML front matter of Markdown model cards (`license:`, `base_model:`, ...).

Model cards on model hubs carry their license name, link and gating prompt in a
YAML block between `---` lines at the very top. The block is read into
`Document.metadata` but stays in the text: offsets index the whole file.
A broken block must not cost the user the whole document, so a YAML error is
recorded in the metadata as a reason instead of failing the parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import yaml

FRONT_MATTER_ERROR: Final = "front_matter_error"
"""Metadata key holding why the front matter could not be read."""

_OPENING: Final = re.compile(r"\A---[ \t]*\r?\n")
_CLOSING: Final = re.compile(r"^---[ \t]*(?:\r?\n|\r?\Z)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Where the front matter lies in the text: the YAML and the whole block."""

    yaml_start: int
    yaml_end: int
    end: int
    """Offset just after the closing `---` line (the block starts at 0)."""

    def yaml_text(self, text: str) -> str:
        """Return the YAML between the delimiter lines of `text`."""
        return text[self.yaml_start : self.yaml_end]


def find_front_matter(text: str) -> FrontMatter | None:
    """Locate a `---` delimited block at the very start (LF or CRLF lines)."""
    opening = _OPENING.match(text)
    if opening is None:
        return None
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        return None
    return FrontMatter(
        yaml_start=opening.end(), yaml_end=closing.start(), end=closing.end()
    )


def read_front_matter(text: str) -> dict[str, Any]:
    """Parse the front matter into metadata; problems become a recorded reason.

    Returns `{}` without front matter, the mapping as written (keys kept as
    they are) when it is valid, and `{"front_matter_error": reason}` when it
    is not valid YAML or not a mapping.
    """
    block = find_front_matter(text)
    if block is None:
        return {}
    try:
        loaded = yaml.safe_load(block.yaml_text(text))
    except yaml.YAMLError as exc:
        return {FRONT_MATTER_ERROR: _describe_yaml_error(exc)}
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        kind = type(loaded).__name__
        return {FRONT_MATTER_ERROR: f"front matter is a YAML {kind}, not a mapping"}
    return {str(key): value for key, value in loaded.items()}


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    """Say what is wrong and on which line of the file (the YAML starts on line 2)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem_mark is not None:
            line = exc.problem_mark.line + 2
            return f"front matter is not valid YAML: {problem} (line {line})"
        return f"front matter is not valid YAML: {problem}"
    return f"front matter is not valid YAML: {exc}"
