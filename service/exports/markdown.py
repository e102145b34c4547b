"""Render a scan result as the Markdown report of `--format markdown`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from extractors.output import result_to_markdown


def to_markdown(result: Mapping[str, Any]) -> str:
    """Return the Markdown report; one renderer, so CLI and API never drift apart."""
    return result_to_markdown(result)
