"""Say which known license a document is, and how its clauses differ from it.

A license passed off as a known one that changes a threshold, adds an excluded
territory or drops the patent-retaliation clause is exactly what a reviewer
must not miss, so identification does not stop at a name: it aligns the
document's clauses with the reference's records and reports each difference.

Statuses, decided on sampled shingle containment (see `fingerprint`):

- `exact`: the normalised text hashes equal to a reference's;
- `modified`: most of the reference is in the document and most of the
  document is the reference (both containments >= `MODIFIED_MIN`);
- `embedded`: most of the reference is in the document, but the document is
  mostly something else (a model card quoting the license), or a sizeable
  part of the reference (>= `PARTIAL_MIN`) is copied verbatim in one place;
- `unknown`: no reference comes close.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from extractors.identify.fingerprint import (
    ShingleIndex,
    Word,
    canonical,
    containment,
    densest_run,
    jaccard,
    param_changes,
    redact_params,
    shingles,
    whole_lines,
    words,
    words_sha256,
)
from extractors.identify.index import ClauseRecord, IndexEntry, LicenseIndex
from extractors.labels import ClauseType
from extractors.result_json import CandidateJSON, DifferenceJSON, LicenseJSON
from extractors.types import CharSpan, Citation, ClauseTag, Document

Status = Literal["exact", "modified", "embedded", "unknown"]
DifferenceKind = Literal["changed", "added", "removed"]

MODIFIED_MIN = 0.6
EMBEDDED_MIN = 0.6
PARTIAL_MIN = 0.3
"""A part of a reference this large, copied verbatim, is a partial embedding."""
PARTIAL_DENSITY = 0.8
PARTIAL_HITS = 8
CLAUSE_OVERLAP_MIN = 0.3
"""Shingle overlap at which two clauses of one type count as the same clause."""
WORDING_MIN = 0.5
"""Below this overlap an aligned clause is reported as reworded."""
CLUSTER_GAP = 600
"""Characters between matched shingles that still belong to one embedded copy."""
TOP_CANDIDATES = 3
_STATUS: dict[int, Status] = {3: "exact", 2: "modified", 1: "embedded"}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A reference and how much of it, and of the document, the other holds."""

    entry: IndexEntry
    score: float
    """Both containments' harmonic mean if modified, else the reference's."""
    reference_containment: float
    document_containment: float
    tier: int = 0
    """3 exact, 2 modified, 1 embedded, 0 no match: candidates rank by it."""
    region: CharSpan | None = None

    def to_dict(self) -> CandidateJSON:
        """Return the JSON form."""
        entry = self.entry
        return {
            "family": entry.family,
            "version": entry.version,
            "title": entry.title,
            "file": entry.file,
            "score": round(self.score, 4),
            "reference_containment": round(self.reference_containment, 4),
            "document_containment": round(self.document_containment, 4),
        }


@dataclass(frozen=True, slots=True)
class ClauseDifference:
    """One clause that the document states differently from the reference."""

    kind: DifferenceKind
    clause_type: ClauseType
    reference_params: Mapping[str, Any] | None
    params: Mapping[str, Any] | None
    detail: str
    citation: Citation | None = None

    def to_dict(self) -> DifferenceJSON:
        """Return the JSON form (reference free text is only a digest)."""
        cite = self.citation
        return {
            "kind": self.kind,
            "clause_type": self.clause_type.value,
            "reference_params": _plain(self.reference_params),
            "params": _plain(self.params),
            "detail": self.detail,
            "citation": None if cite is None else cite.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Identification:
    """Which known license a document is, how sure, and what differs."""

    status: Status
    family: str | None
    version: str | None
    title: str | None
    file: str | None
    spdx: str | None
    similarity: float
    candidates: tuple[Candidate, ...]
    differences: tuple[ClauseDifference, ...] = ()
    region: CharSpan | None = None
    """Where the reference was found in the document (modified or embedded)."""

    def to_dict(self) -> LicenseJSON:
        """Return the JSON form."""
        region = self.region
        return {
            "status": self.status,
            "family": self.family,
            "version": self.version,
            "title": self.title,
            "file": self.file,
            "spdx": self.spdx,
            "similarity": round(self.similarity, 4),
            "candidates": [c.to_dict() for c in self.candidates],
            "differences": [d.to_dict() for d in self.differences],
            "region": None if region is None else [region.start, region.end],
        }


def identify(
    document: Document, clauses: Sequence[ClauseTag], index: LicenseIndex
) -> Identification:
    """Identify `document` against `index`; `clauses` are its tagged clauses."""
    seq = words(document.text)
    found = shingles(seq, index.shingle_size, index.sample_mod)
    doc_set = frozenset(s.value for s in found)
    exact = {id(e) for e in index.with_sha256(words_sha256(seq))}
    located = ShingleIndex(found)
    ranked = sorted(
        (_candidate(e, located, doc_set, id(e) in exact) for e in index.entries),
        key=lambda c: (c.tier, c.score),
        reverse=True,
    )
    top = tuple(ranked[:TOP_CANDIDATES])
    if not top or top[0].tier == 0:
        score = top[0].score if top else 0.0
        return Identification("unknown", None, None, None, None, None, score, top)
    best = top[0]
    entry = best.entry
    status = _STATUS[best.tier]
    region = best.region and whole_lines(
        document.text,
        widen(document.text, best.region, seq, WIDEN_PER_SAMPLE * index.sample_mod),
    )
    differences: tuple[ClauseDifference, ...] = ()
    if status != "exact":
        inside = clauses
        if status == "embedded" and region is not None:
            inside = [tag for tag in clauses if tag.span.overlaps(region)]
        differences = diff_clauses(document, inside, entry.clauses, index)
    names = (entry.family, entry.version, entry.title, entry.file, entry.spdx)
    return Identification(status, *names, best.score, top, differences, region)


WIDEN_PER_SAMPLE = 4


def widen(text: str, span: CharSpan, seq: Sequence[Word], count: int) -> CharSpan:
    """Widen `span` by up to `count` words each side, then snap to paragraphs.

    The first and last *sampled* shingles of a copied license lie a few
    words inside it (1 in `sample_mod` shingles is kept), so the matched
    run would cut off a heading or a final sentence; `count` words of slack
    make a miss unlikely ((1 - 1/sample_mod) ** count). The slack stops at
    the first paragraph break it crosses, so text around the copy stays out.
    """
    starts = [word.start for word in seq]
    first = bisect.bisect_left(starts, span.start)
    last = bisect.bisect_left(starts, span.end) - 1
    if not seq or last < first:
        return span
    start = seq[max(0, first - count)].start
    end = seq[min(len(seq) - 1, last + count)].end
    breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(text, start, span.start)]
    if breaks:
        start = breaks[0]
    # A license opens with a title paragraph, so the start may take in whole
    # paragraphs of slack; its end is the end of the paragraph the match ends in.
    tail = _PARAGRAPH_BREAK.search(text, span.end, end)
    if tail:
        end = tail.start()
    return CharSpan(min(start, span.start), max(end, span.end))


_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n")


def _candidate(
    entry: IndexEntry, found: ShingleIndex, doc_set: frozenset[int], exact: bool
) -> Candidate:
    if exact:
        return Candidate(entry, 1.0, 1.0, 1.0, 3)
    ref = containment(entry.shingles, doc_set)
    doc = containment(doc_set, entry.shingles)
    run = (
        densest_run(found.found, entry.shingles, CLUSTER_GAP, found)
        if ref >= PARTIAL_MIN
        else None
    )
    region = None if run is None else run.span
    if ref >= MODIFIED_MIN and doc >= MODIFIED_MIN:
        return Candidate(entry, 2 * ref * doc / (ref + doc), ref, doc, 2, region)
    verbatim = (
        run is not None and run.hits >= PARTIAL_HITS and run.density >= PARTIAL_DENSITY
    )
    if ref >= EMBEDDED_MIN or verbatim:
        return Candidate(entry, ref, ref, doc, 1, region)
    return Candidate(entry, ref, ref, doc)


@dataclass(frozen=True, slots=True)
class _DocClause:
    tag: ClauseTag
    key: Any
    """The canonical form of the tag's redacted params."""
    shingles: frozenset[int]


def diff_clauses(
    document: Document,
    clauses: Sequence[ClauseTag],
    reference: Sequence[ClauseRecord],
    index: LicenseIndex,
) -> tuple[ClauseDifference, ...]:
    """Align the document's clauses with the reference's and list differences.

    Clauses pair up by type: first by shared shingles, then by equal
    parameters, then a lone clause of a type left on each side. What is left
    over was added to, or removed from, the reference.
    """
    ours = [
        _DocClause(
            tag,
            canonical(redact_params(tag.params)),
            index.clause_fingerprint(document.text[tag.span.start : tag.span.end]),
        )
        for tag in sorted(clauses, key=lambda t: (t.span.start, t.span.end))
    ]
    pairs = _pair(ours, reference)
    found = [
        (ours[i].tag.span.start, diff)
        for i, j in pairs
        if (diff := _changed(document, ours[i], reference[j])) is not None
    ]
    paired = {i for i, _ in pairs}
    found += [
        (clause.tag.span.start, _added(document, clause))
        for i, clause in enumerate(ours)
        if i not in paired
    ]
    result = [diff for _, diff in sorted(found, key=lambda item: item[0])]
    kept = {j for _, j in pairs}
    result += [_removed(ref) for j, ref in enumerate(reference) if j not in kept]
    return tuple(result)


def _pair(
    ours: Sequence[_DocClause], refs: Sequence[ClauseRecord]
) -> list[tuple[int, int]]:
    same = [
        (i, j)
        for i, a in enumerate(ours)
        for j, b in enumerate(refs)
        if a.tag.clause_type == b.clause_type
    ]
    by_overlap = sorted(
        ((jaccard(ours[i].shingles, refs[j].shingles), i, j) for i, j in same),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    pairs: list[tuple[int, int]] = []
    _take(pairs, [(i, j) for o, i, j in by_overlap if o >= CLAUSE_OVERLAP_MIN])
    _take(pairs, [(i, j) for i, j in same if ours[i].key == canonical(refs[j].params)])
    rest = [p for p in same if all(p[0] != a and p[1] != b for a, b in pairs)]
    # A lone clause of a type left on each side is the same clause, reworded:
    # its row and its column of `rest` hold only it (counted, not compared
    # pair by pair: a long document has thousands of clauses).
    rows = Counter(i for i, _ in rest)
    cols = Counter(j for _, j in rest)
    lone = [(i, j) for i, j in rest if rows[i] == 1 and cols[j] == 1]
    _take(pairs, lone)
    return pairs


def _take(pairs: list[tuple[int, int]], options: Sequence[tuple[int, int]]) -> None:
    """Add options greedily, in order, keeping the pairing one-to-one."""
    for i, j in options:
        if all(i != a and j != b for a, b in pairs):
            pairs.append((i, j))


def _changed(
    document: Document, ours: _DocClause, ref: ClauseRecord
) -> ClauseDifference | None:
    changes = param_changes(ref.params, ours.tag.params)
    overlap = jaccard(ours.shingles, ref.shingles)
    if not changes and ours.shingles and ref.shingles and overlap < WORDING_MIN:
        changes = [f"wording differs from the reference (overlap {overlap:.2f})"]
    if not changes:
        return None
    detail = f"{ref.clause_type.value}: " + "; ".join(changes)
    cite = Citation.from_span(document, ours.tag.span)
    return ClauseDifference(
        "changed", ref.clause_type, ref.params, ours.tag.params, detail, cite
    )


def _added(document: Document, clause: _DocClause) -> ClauseDifference:
    tag = clause.tag
    detail = f"{tag.clause_type.value} clause not in the reference"
    if tag.params:
        detail += " (" + json.dumps(_plain(tag.params), default=str) + ")"
    cite = Citation.from_span(document, tag.span)
    return ClauseDifference("added", tag.clause_type, None, tag.params, detail, cite)


def _removed(ref: ClauseRecord) -> ClauseDifference:
    detail = f"the reference's {ref.clause_type.value} clause is not here"
    return ClauseDifference("removed", ref.clause_type, ref.params, None, detail)


def _plain(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if params is None else {str(k): v for k, v in params.items()}
