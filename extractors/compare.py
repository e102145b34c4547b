"""Compare two analyses clause by clause: what a new version added, removed, changed.

A legal team wants the threshold that moved from 700M to 1B and the new EU
exclusion cited in *both* versions. It works on result dicts (`result_to_dict`)
so stored scans diff without re-running the engine; the texts only serve to
check that every citation still quotes its document.

Pairing follows `identify.match.diff_clauses`: same clause type only, greedy
and one-to-one, first by wording similarity (>= `PAIR_MIN`), then by equal
non-empty params, then a lone clause of a type left on each side is the same
clause reworded. Wording is compared on `fingerprint.words` (case, width,
white space, punctuation, markup and list numbering folded away), so
re-wrapping or re-numbering a clause never shows up as a change.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeVar

from extractors.errors import CitationError
from extractors.identify.fingerprint import canonical, words
from extractors.result_json import CitationJSON, ClauseJSON, FindingJSON, ResultJSON
from extractors.types import Citation

T = TypeVar("T")
ChangeKind = Literal["added", "removed", "changed"]
KINDS: tuple[ChangeKind, ...] = ("changed", "added", "removed")

PAIR_MIN = 0.5
"""Word similarity (difflib ratio) at which two clauses of a type are one clause."""
UNCHANGED_MIN = 1.0
"""Similarity below which a paired clause's wording has changed materially.

1.0: any word inserted, deleted or replaced counts, since one word (`not`,
`may` -> `must`) can reverse a term; white space, case, punctuation, markup
and numbering are folded away first, so they never count. Callers may lower it.
"""


@dataclass(frozen=True, slots=True)
class ParamChange:
    """One parameter that differs, e.g. `thresholds[0].value` 700000000 -> 1e9."""

    path: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ClauseSide:
    """One side of a change: a clause and the verified span it cites."""

    clause_type: str
    start: int
    end: int
    line: int
    page: int
    quote: str
    params: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ClauseChange:
    """A clause added, removed, or changed between the old and the new version."""

    kind: ChangeKind
    clause_type: str
    old: ClauseSide | None
    new: ClauseSide | None
    param_changes: tuple[ParamChange, ...] = ()
    wording_changed: bool = False
    similarity: float = 0.0
    """Word similarity of the two quotes; 0.0 when one side is missing."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "kind": self.kind,
            "clause_type": self.clause_type,
            "param_changes": [p.to_dict() for p in self.param_changes],
            "wording_changed": self.wording_changed,
            "similarity": round(self.similarity, 4),
            "old": None if self.old is None else self.old.to_dict(),
            "new": None if self.new is None else self.new.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class FindingSide:
    """A risk finding that only one version raises, with its citations."""

    rule_id: str
    category: str
    severity: str
    title: str
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        names = ("rule_id", "category", "severity", "title")
        cites = [c.to_dict() for c in self.citations]
        return {n: getattr(self, n) for n in names} | {"citations": cites}


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """Everything that differs between two analyses, each side cited."""

    old_name: str
    new_name: str
    changes: tuple[ClauseChange, ...]
    unchanged: int
    """Clauses paired across versions with equal params and wording."""
    findings_added: tuple[FindingSide, ...] = ()
    findings_removed: tuple[FindingSide, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """Return the number of changes of each kind, and of unchanged clauses."""
        counts = {kind: sum(c.kind == kind for c in self.changes) for kind in KINDS}
        return counts | {"unchanged": self.unchanged}

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "old": self.old_name,
            "new": self.new_name,
            "counts": self.counts,
            "changes": [c.to_dict() for c in self.changes],
            "findings_added": [f.to_dict() for f in self.findings_added],
            "findings_removed": [f.to_dict() for f in self.findings_removed],
        }


@dataclass(frozen=True, slots=True)
class _Item:
    """Something to pair: its group (clause type, rule id), words and params key."""

    group: str
    words: tuple[str, ...]
    key: Any
    """Canonical params, or None when equal params would prove nothing."""


def compare_results(
    old: ResultJSON,
    new: ResultJSON,
    *,
    old_text: str,
    new_text: str,
    unchanged_min: float = UNCHANGED_MIN,
) -> VersionDiff:
    """Diff two result dicts; raise `CitationError` if a quote is not in its text.

    Changes come changed first (in old-document order), then added (in new
    order), then removed (in old order).
    """
    olds = sorted((_side(c, old_text, "old") for c in old["clauses"]), key=_at)
    news = sorted((_side(c, new_text, "new") for c in new["clauses"]), key=_at)
    pairs = pair_items([_clause_item(s) for s in olds], [_clause_item(s) for s in news])
    found = (_changed(olds[i], news[j], sim, unchanged_min) for i, j, sim in pairs)
    changes = [change for change in found if change is not None]
    gone, came = _unpaired(olds, news, pairs)
    changes += [ClauseChange("added", s.clause_type, None, s) for s in came]
    changes += [ClauseChange("removed", s.clause_type, s, None) for s in gone]
    added, removed = _finding_changes(old, new, old_text, new_text)
    return VersionDiff(
        old_name=_name(old, "old"),
        new_name=_name(new, "new"),
        changes=tuple(changes),
        unchanged=len(pairs) - sum(c.kind == "changed" for c in changes),
        findings_added=added,
        findings_removed=removed,
    )


def _changed(
    old: ClauseSide, new: ClauseSide, sim: float, unchanged_min: float
) -> ClauseChange | None:
    """Return how a paired clause changed, or None when it did not."""
    params = diff_params(old.params, new.params)
    reworded = sim < unchanged_min
    if not params and not reworded:
        return None
    return ClauseChange("changed", old.clause_type, old, new, params, reworded, sim)


def pair_items(
    old: Sequence[_Item], new: Sequence[_Item], min_similarity: float = PAIR_MIN
) -> list[tuple[int, int, float]]:
    """Pair items of one group one-to-one; return (old index, new index, similarity).

    Greedy in a fixed order (best similarity first, ties by position) so the
    same inputs always give the same pairs: wording first, then equal keys,
    then a lone item of a group left on each side.
    """
    same = [
        (i, j)
        for i, a in enumerate(old)
        for j, b in enumerate(new)
        if a.group == b.group
    ]
    sim = {(i, j): similarity(old[i].words, new[j].words) for i, j in same}
    ranked = sorted(same, key=lambda p: (-sim[p], p))
    pairs: list[tuple[int, int]] = []
    _take(pairs, [p for p in ranked if sim[p] >= min_similarity])
    keyed = [p for p in ranked if old[p[0]].key is not None]
    _take(pairs, [p for p in keyed if old[p[0]].key == new[p[1]].key])
    used_old, used_new = {i for i, _ in pairs}, {j for _, j in pairs}
    rest = [p for p in same if p[0] not in used_old and p[1] not in used_new]
    lone = [p for p in rest if sum(p[0] == q[0] or p[1] == q[1] for q in rest) == 1]
    _take(pairs, lone)
    return sorted((i, j, sim[(i, j)]) for i, j in pairs)


def _unpaired(
    old: Sequence[T], new: Sequence[T], pairs: Sequence[tuple[int, int, float]]
) -> tuple[list[T], list[T]]:
    """Return the old items and the new items that `pairs` leaves out."""
    left, right = {p[0] for p in pairs}, {p[1] for p in pairs}
    gone = [item for i, item in enumerate(old) if i not in left]
    return gone, [item for j, item in enumerate(new) if j not in right]


def _take(pairs: list[tuple[int, int]], options: Sequence[tuple[int, int]]) -> None:
    """Add options greedily, in order, keeping the pairing one-to-one."""
    used_old, used_new = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, j in options:
        if i not in used_old and j not in used_new:
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Return difflib's ratio of two word sequences (1.0 for two empty ones).

    `autojunk` is off: in a long clause "the" is frequent, not junk, and
    the heuristic would make the ratio depend on clause length.
    """
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def diff_params(old: Any, new: Any, path: str = "") -> tuple[ParamChange, ...]:
    """List the parameters that differ, descending into mappings and record lists.

    Values compare by `fingerprint.canonical`: `"x"` equals `["x"]`, and
    regions listed in another order or case are the same regions.
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found: list[ParamChange] = []
        for key in sorted({*map(str, old), *map(str, new)}):
            sub = f"{path}.{key}" if path else key
            found += diff_params(old.get(key), new.get(key), sub)
        return tuple(found)
    if canonical(old) == canonical(new):
        return ()
    if _records(old) and _records(new):
        found = []
        for i in range(max(len(old), len(new))):
            found += diff_params(_index(old, i), _index(new, i), f"{path}[{i}]")
        return tuple(found)
    return (ParamChange(path or "params", old, new),)


def _records(value: Any) -> bool:
    return isinstance(value, list | tuple) and any(
        isinstance(v, Mapping) for v in value
    )


def _index(values: Sequence[Any], i: int) -> Any:
    return values[i] if i < len(values) else None


def _side(clause: ClauseJSON, text: str, label: str) -> ClauseSide:
    """Read one clause of a result dict, checking its quote against `text`."""
    kind = str(clause["type"])
    c = _citation(clause, text, f"{label} {kind} clause")
    params = dict(clause.get("params") or {})
    return ClauseSide(kind, c.start, c.end, c.line, c.page, c.quote, params)


def _citation(data: CitationJSON, text: str, what: str) -> Citation:
    start, end, quote = int(data["start"]), int(data["end"]), str(data["quote"])
    if text[start:end] != quote:
        raise CitationError(f"{what} at [{start}, {end}) does not quote its text")
    return Citation(start, end, quote, int(data["line"]), int(data["page"]))


def _at(side: ClauseSide) -> tuple[int, int, str]:
    return side.start, side.end, side.clause_type


def _clause_item(side: ClauseSide) -> _Item:
    key = canonical(side.params) if side.params else None
    return _Item(side.clause_type, _words(side.quote), key)


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.text for word in words(text))


def _finding_changes(
    old: ResultJSON, new: ResultJSON, old_text: str, new_text: str
) -> tuple[tuple[FindingSide, ...], tuple[FindingSide, ...]]:
    """Pair findings by rule id (closest citations first); the rest came or went."""
    olds = [_finding(f, old_text, "old") for f in old.get("findings", [])]
    news = [_finding(f, new_text, "new") for f in new.get("findings", [])]
    items = [_finding_item(f) for f in olds], [_finding_item(f) for f in news]
    removed, added = _unpaired(olds, news, pair_items(*items, 0.0))
    return tuple(added), tuple(removed)


def _finding(data: FindingJSON, text: str, label: str) -> FindingSide:
    rule = str(data["rule_id"])
    what = f"{label} finding {rule} citation"
    cites = tuple(_citation(c, text, what) for c in data.get("citations", []))
    category, severity = str(data["category"]), str(data["severity"])
    return FindingSide(rule, category, severity, str(data["title"]), cites)


def _finding_item(finding: FindingSide) -> _Item:
    quotes = " ".join(c.quote for c in finding.citations)
    return _Item(finding.rule_id, _words(quotes), None)


def _name(data: ResultJSON, default: str) -> str:
    document = data.get("document")
    return str((document or {}).get("name") or default)
