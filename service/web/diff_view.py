"""Rows of the side-by-side diff: each change with both sides and its params.

Parameter values are shown as people read them: big integers with thousands
separators (700,000,000 -> 1,000,000,000), lists joined by commas, and an
absent value as an em dash.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from extractors.compare import ClauseChange, ClauseSide, VersionDiff


@dataclass(frozen=True, slots=True)
class ParamRow:
    """One changed parameter, formatted."""

    path: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One change: its kind, type, both sides' quotes (words marked), params."""

    kind: str
    clause_type: str
    old: ClauseSide | None
    new: ClauseSide | None
    old_html: Markup
    new_html: Markup
    params: tuple[ParamRow, ...]
    wording_changed: bool


def fmt_value(value: Any) -> str:
    """Return a parameter value as text a reviewer reads."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt_value(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    return str(value)


def diff_rows(diff: VersionDiff) -> list[DiffRow]:
    """Return the rows of the diff table, in the diff's order."""
    return [_row(change) for change in diff.changes]


def _row(change: ClauseChange) -> DiffRow:
    old_quote = change.old.quote if change.old else ""
    new_quote = change.new.quote if change.new else ""
    if change.old and change.new:
        old_html, new_html = mark_words(old_quote, new_quote)
    else:
        old_html, new_html = escape(old_quote), escape(new_quote)
    params = tuple(
        ParamRow(p.path, fmt_value(p.old), fmt_value(p.new))
        for p in change.param_changes
    )
    return DiffRow(
        change.kind,
        change.clause_type,
        change.old,
        change.new,
        Markup(old_html),
        Markup(new_html),
        params,
        change.wording_changed,
    )


def mark_words(old: str, new: str) -> tuple[Markup, Markup]:
    """Return both quotes with removed words in `<del>`, added ones in `<ins>`."""
    a, b = old.split(" "), new.split(" ")
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        gone, came = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if tag == "equal":
            left.append(str(escape(gone)))
            right.append(str(escape(came)))
            continue
        if gone:
            left.append(f"<del>{escape(gone)}</del>")
        if came:
            right.append(f"<ins>{escape(came)}</ins>")
    return Markup(" ".join(left)), Markup(" ".join(right))
