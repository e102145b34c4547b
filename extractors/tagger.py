"""The pattern tagger: clause rules over the concept terms found in each segment.

A rule fires on a segment when all its `all` labels, one label of each `any`
group, and none of its `none` labels occur inside the segment. A rule whose
positive part holds but which is vetoed by a `none` label (a negation, a
look-alike such as `700 million parameters`) becomes a `Discarded` with the
veto as its reason, so `--explain` can show what was not tagged and why.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from extractors.matching import TermHit, TermMatcher
from extractors.pattern_data import ClauseRule, PatternSet
from extractors.types import (
    CharSpan,
    ClauseTag,
    Discarded,
    DiscardReason,
    Document,
    Explanation,
    Segment,
    SegmentKind,
)

_QUOTED = re.compile(r"[“\"]([^“”\"\n]*(?:\n[^“”\"\n]*){0,3})[”\"]")
_CONTINUATION = re.compile(
    r"(?:Therefore|Thus|Accordingly|Consequently|Hence|Any such|Such)\b"
    # "This labeling includes ..." points back; "This Agreement ..." does not;
    # nor does "This" as the subject of a verb ("This is only for research",
    # "This means you may ..."): such a sentence states its term on its own
    r"|(?:This|These) (?!(?:is|are|was|were|means|mean|will|may|can|does|do)\b)[a-z]"
)
# An exception after a clause ("This restriction does not apply to ...") is
# not part of the clause's span (ANNOTATION.md), so it never continues one.
_EXCEPTION = re.compile(r"\b(?:not|except|exclud\w*|unless)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TaggerOutput:
    """Candidate tags, what was vetoed, and the term hits of each segment."""

    tags: tuple[ClauseTag, ...]
    discarded: tuple[Discarded, ...]
    hits: dict[Segment, tuple[TermHit, ...]]


class PatternTagger:
    """Tag segments with clause types using the pattern data."""

    name = "patterns"

    def __init__(
        self, patterns: PatternSet, matcher: TermMatcher | None = None
    ) -> None:
        self.patterns = patterns
        self._from_lead_in = patterns.lead_in_labels
        self._veto_reasons = patterns.veto_reasons
        self.matcher = matcher or TermMatcher(patterns)
        self._by_key = _rules_by_key(patterns.rules)

    def tag(self, document: Document, segments: Sequence[Segment]) -> TaggerOutput:
        """Return candidate tags for `segments` of `document`."""
        within = [(segment.span.start, segment.span.end) for segment in segments]
        by_segment = _assign(self.matcher.find(document.text, within), segments)
        by_span = {segment.span: hits for segment, hits in by_segment.items()}
        tags: list[ClauseTag] = []
        discarded: list[Discarded] = []
        previous: tuple[Segment, set[str], list[ClauseTag]] | None = None
        for segment in segments:
            if segment.kind is SegmentKind.HEADING:
                previous = None
                continue
            hits = _outside_quotes(
                document.text, segment.span, by_segment.get(segment, ())
            )
            labels = {hit.label for hit in hits}
            if segment.lead_in is not None:
                inherited = by_span.get(segment.lead_in, ())
                labels |= {h.label for h in inherited} & self._from_lead_in
            own = self._fire(segment, labels, hits, discarded)
            if previous is not None and _continues(document.text, segment, previous[0]):
                own = self._merge(previous, segment, labels, hits, own, tags)
            tags.extend(own)
            previous = (segment, labels, own)
        tags.sort(key=lambda t: (t.span.start, t.clause_type))
        return TaggerOutput(tuple(tags), tuple(discarded), by_segment)

    def _fire(
        self,
        segment: Segment,
        labels: set[str],
        hits: Sequence[TermHit],
        discarded: list[Discarded],
    ) -> list[ClauseTag]:
        """Apply every rule to one segment; keep the best tag per clause type."""
        fired: dict[str, ClauseTag] = {}
        for rule in self._candidates(labels):
            if not rule.fires_on(labels):
                continue
            tag = _make_tag(rule, segment, hits)
            vetoes = sorted(labels.intersection(rule.none))
            if vetoes:
                discarded.append(_vetoed(tag, vetoes, hits, self._veto_reasons))
                continue
            best = fired.get(rule.clause_type)
            if best is None or tag.score > best.score:
                fired[rule.clause_type] = tag
        return list(fired.values())

    def _candidates(self, labels: set[str]) -> list[ClauseRule]:
        """Return, in data order, the rules that one of `labels` can start.

        A rule fires only when its key label (see `_rules_by_key`) is found,
        so most of the several hundred rules are never tried on a segment.
        """
        found: set[int] = set()
        for label in labels:
            found.update(self._by_key.get(label, ()))
        rules = self.patterns.rules
        return [rules[index] for index in sorted(found)]

    def _merge(
        self,
        previous: tuple[Segment, set[str], list[ClauseTag]],
        segment: Segment,
        labels: set[str],
        hits: Sequence[TermHit],
        own: list[ClauseTag],
        tags: list[ClauseTag],
    ) -> list[ClauseTag]:
        """Join a `Therefore ...`/`Any such ...` sentence to the one it continues.

        ANNOTATION.md joins sentences when one cannot be understood without the
        other; such a sentence states its clause only together with the last one.
        """
        prev_segment, prev_labels, prev_tags = previous
        joined = Segment(
            span=CharSpan(prev_segment.span.start, segment.span.end),
            kind=prev_segment.kind,
            block=prev_segment.block,
            lead_in=prev_segment.lead_in,
        )
        merged = self._fire(joined, prev_labels | labels, hits, [])
        merged_types = {tag.clause_type for tag in merged}
        for tag in prev_tags:
            if tag.clause_type in merged_types and tag in tags:
                tags.remove(tag)
        return [*merged, *(tag for tag in own if tag.clause_type not in merged_types)]


def _rules_by_key(rules: Sequence[ClauseRule]) -> dict[str, tuple[int, ...]]:
    """Index rules by a label each needs: its first `all` label, else its first group.

    A rule with `all` labels fires only if the first is present; one without
    fires only if a label of its first `any` group is, so it is listed under
    each of them (the loader refuses a rule with neither).
    """
    index: dict[str, list[int]] = defaultdict(list)
    for position, rule in enumerate(rules):
        keys = rule.all[:1] or (rule.any[0] if rule.any else ())
        for key in keys:
            index[key].append(position)
    return {label: tuple(found) for label, found in index.items()}


def _continues(text: str, segment: Segment, previous: Segment) -> bool:
    """Return True when `segment` opens with a word that points back."""
    if segment.block != previous.block:
        return False
    if _CONTINUATION.match(text, segment.span.start, segment.span.end) is None:
        return False
    return _EXCEPTION.search(text, segment.span.start, segment.span.end) is None


def _assign(
    hits: Sequence[TermHit], segments: Sequence[Segment]
) -> dict[Segment, tuple[TermHit, ...]]:
    """Group hits by the segment that wholly contains them."""
    starts = [segment.span.start for segment in segments]
    grouped: dict[Segment, list[TermHit]] = defaultdict(list)
    for hit in hits:
        index = bisect.bisect_right(starts, hit.start) - 1
        if index < 0:
            continue
        segment = segments[index]
        if hit.end <= segment.span.end:
            grouped[segment].append(hit)
    return {segment: tuple(found) for segment, found in grouped.items()}


def _outside_quotes(
    text: str, span: CharSpan, hits: Sequence[TermHit]
) -> tuple[TermHit, ...]:
    """Drop hits inside quoted passages of four words or more.

    A notice the licensee must display (`"X is licensed under the Y
    Non-Commercial License"`) names terms; it does not state them.
    """
    quoted = [
        (m.start(), m.end())
        for m in _QUOTED.finditer(text, span.start, span.end)
        if len(m.group(1).split()) >= 4
    ]
    if not quoted:
        return tuple(hits)
    return tuple(
        hit
        for hit in hits
        if hit.label.startswith("QUOTE")
        or not any(s <= hit.start and hit.end <= e for s, e in quoted)
    )


def _make_tag(rule: ClauseRule, segment: Segment, hits: Sequence[TermHit]) -> ClauseTag:
    wanted = set(rule.all) or {label for group in rule.any for label in group}
    trigger_hits = [hit for hit in hits if hit.label in wanted]
    trigger = (
        CharSpan(trigger_hits[0].start, trigger_hits[0].end) if trigger_hits else None
    )
    matched = sorted({hit.label for hit in hits if hit.label in _rule_labels(rule)})
    return ClauseTag(
        clause_type=rule.clause_type,
        span=segment.span,
        score=rule.score,
        explanation=Explanation(
            extractor="patterns",
            method="pattern",
            score=rule.score,
            pattern_id=rule.id,
            note="terms: " + ", ".join(matched),
        ),
        trigger=trigger,
    )


def _rule_labels(rule: ClauseRule) -> set[str]:
    return {*rule.all, *rule.none, *(label for group in rule.any for label in group)}


def _vetoed(
    tag: ClauseTag,
    vetoes: Sequence[str],
    hits: Sequence[TermHit],
    reasons: Mapping[str, DiscardReason],
) -> Discarded:
    """Record a vetoed candidate; a look-alike veto outranks a negation."""
    look_alike = any(reasons[v] is DiscardReason.LOOK_ALIKE for v in vetoes)
    reason = DiscardReason.LOOK_ALIKE if look_alike else DiscardReason.NEGATED
    found = [hit for hit in hits if hit.label in vetoes]
    detail = f"rule {tag.explanation.pattern_id} vetoed by {', '.join(vetoes)}"
    if found:
        detail += f" at [{found[0].start}, {found[0].end})"
    return Discarded(tag=tag, reason=reason, detail=detail)
