"""Render a scan result as a plain-text report for a terminal.

The first thing a new user sees is `clausewise scan` in a terminal: JSON is the
contract for programs, Markdown tables run off an 80-column screen, so this
report wraps to a width, puts findings (what is at risk) before clauses (what
was found), and cites each as `PATH:LINE` so an editor or terminal can jump
there.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping
from typing import Any, Final

from extractors.result_json import ClauseJSON, FindingJSON, LicenseJSON, ResultJSON

WIDTH: Final = 100
QUOTE_LIMIT: Final = 240
_INDENT: Final = " " * 11


def to_text(result: ResultJSON, *, name: str, width: int = WIDTH) -> str:
    """Return the report; `name` is the path citations are prefixed with."""
    return "\n".join(_lines(result, name, width)) + "\n"


def _lines(result: ResultJSON, name: str, width: int) -> Iterator[str]:
    document = result["document"]
    yield name
    yield (
        f"  {document['media_type']}, {document['chars']:,} characters,"
        f" {document['lines']:,} lines"
    )
    yield from _license(result.get("license"), width)
    findings = result["findings"]
    yield ""
    yield _count(len(findings), "finding")
    for finding in findings:
        yield from _finding(finding, name, width)
    clauses = result["clauses"]
    yield ""
    yield _count(len(clauses), "clause")
    for clause in clauses:
        yield from _clause(clause, name, width)


def _license(info: LicenseJSON | None, width: int) -> Iterator[str]:
    if not info:
        return
    status = info.get("status", "unknown")
    title = info.get("title") or "not a known license"
    yield f"  license: {status}, {title} (similarity {info.get('similarity', 0):.2f})"
    for note in info.get("model_card_notes") or ():
        evidence = note.get("evidence")
        where = f" (line {evidence['line']})" if isinstance(evidence, Mapping) else ""
        yield from _wrap(f"card: {note['message']}{where}", width, "  ", "    ")


def _finding(finding: FindingJSON, name: str, width: int) -> Iterator[str]:
    severity = str(finding["severity"]).upper()
    yield ""
    yield f"  {severity:<8} {finding['title']}"
    yield from _wrap(finding["rationale"], width, _INDENT, _INDENT)
    if finding.get("verdict"):
        yield from _wrap(f"verdict: {finding['verdict']}", width, _INDENT, _INDENT)
    for citation in finding["citations"]:
        where = f"{name}:{citation['line']}"
        yield from _wrap(
            f"{where}  {_quote(citation['quote'])}", width, _INDENT, _INDENT + "  "
        )


def _clause(clause: ClauseJSON, name: str, width: int) -> Iterator[str]:
    yield ""
    yield f"  {clause['type']}  {name}:{clause['line']}"
    yield from _wrap(_quote(clause["quote"]), width, "    ", "    ")
    params = ", ".join(f"{k}={_value(v)}" for k, v in clause["params"].items())
    if params:
        yield from _wrap(params, width, "    ", "      ")


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


def _quote(quote: str) -> str:
    flat = " ".join(quote.split())
    if len(flat) > QUOTE_LIMIT:
        flat = flat[: QUOTE_LIMIT - 1] + "…"
    return f"“{flat}”"


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
