"""Render a `VersionDiff` as the Markdown report a reviewer reads.

Each change leads with what moved, in the reader's terms
(`usage_threshold changed: thresholds[0].value 700,000,000 → 1,000,000,000`),
then quotes both sides with their lines and pages so that every claim can be
checked in the two documents. Reworded clauses also list the word edits, shown
in the documents' own spelling.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from extractors.compare import ClauseChange, ClauseSide, FindingSide, VersionDiff
from extractors.identify.fingerprint import Word, words
from extractors.types import Citation

MAX_EDITS = 8
"""Word edits listed per reworded clause; beyond this the quotes say it all."""
_HEADINGS = {
    "changed": "Changed clauses",
    "added": "Added clauses",
    "removed": "Removed clauses",
}


def diff_to_markdown(diff: VersionDiff) -> str:
    """Return the Markdown report of `diff`."""
    counts = diff.counts
    summary = ", ".join(f"{counts[k]} {k}" for k in counts)
    lines = [f"# Changes from {diff.old_name} to {diff.new_name}", "", summary, ""]
    if not diff.changes:
        lines += ["No clause was added, removed or changed.", ""]
    for kind, heading in _HEADINGS.items():
        items = [c for c in diff.changes if c.kind == kind]
        if items:
            lines += [f"## {heading}", ""]
            lines += [line for change in items for line in _change(change)]
            lines.append("")
    lines += ["## Findings", ""]
    if not diff.findings_added and not diff.findings_removed:
        lines.append("No risk finding was added or removed.")
    lines += [line for f in diff.findings_added for line in _finding("new", f)]
    lines += [line for f in diff.findings_removed for line in _finding("old", f)]
    return "\n".join(lines) + "\n"


def _change(change: ClauseChange) -> list[str]:
    head = f"- {change.clause_type} {change.kind}"
    if change.kind == "changed":
        parts = [
            f"{p.path} {show(p.old)} → {show(p.new)}" for p in change.param_changes
        ]
        if change.wording_changed:
            parts.append(f"wording changed (similarity {change.similarity:.2f})")
        head += ": " + "; ".join(parts)
    else:
        side = change.new or change.old
        if side is not None and side.params:
            head += ": " + show(dict(side.params))
    lines = [head]
    lines += [] if change.old is None else [_quote("old", change.old)]
    lines += [] if change.new is None else [_quote("new", change.new)]
    if change.wording_changed and change.old and change.new:
        lines += [
            f"  - {edit}" for edit in word_edits(change.old.quote, change.new.quote)
        ]
    return lines


def _quote(label: str, side: ClauseSide | Citation) -> str:
    return f"  - {label}, line {side.line}, page {side.page}: “{_flat(side.quote)}”"


def _finding(label: str, finding: FindingSide) -> list[str]:
    verb = "added" if label == "new" else "removed"
    head = (
        f"- {verb}: **{finding.rule_id}** ({finding.severity}, {finding.category}):"
        f" {finding.title}"
    )
    return [head] + [_quote(label, c) for c in finding.citations]


def word_edits(old: str, new: str) -> list[str]:
    """Describe the word-level edits from `old` to `new`, in their own spelling."""
    a, b = words(old), words(new)
    matcher = difflib.SequenceMatcher(
        None, [w.text for w in a], [w.text for w in b], autojunk=False
    )
    edits = [
        _edit(tag, _span(old, a[i1:i2]), _span(new, b[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
    if len(edits) > MAX_EDITS:
        edits = edits[:MAX_EDITS] + [f"… and {len(edits) - MAX_EDITS} more edits"]
    return edits


def _edit(tag: str, old: str, new: str) -> str:
    if tag == "delete":
        return f"deleted “{old}”"
    if tag == "insert":
        return f"inserted “{new}”"
    return f"“{old}” → “{new}”"


def _span(text: str, seq: tuple[Word, ...]) -> str:
    return _flat(text[seq[0].start : seq[-1].end]) if seq else ""


def show(value: Any) -> str:
    """Return a parameter value for a reader: 700,000,000, `EU, GB`, `(none)`."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Mapping):
        return "(" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + ")"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def _flat(quote: str) -> str:
    return " ".join(quote.split())
