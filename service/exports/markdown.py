"""Render a scan result as the Markdown report of `--format markdown`."""

from __future__ import annotations

from extractors.output import result_to_markdown
from extractors.result_json import ResultJSON


def to_markdown(result: ResultJSON) -> str:
    """Return the Markdown report; one renderer, so CLI and API never drift apart."""
    return result_to_markdown(result)
