"""Find concept terms in a document: phrases, token patterns and regexes.

Matching runs once per document on a *folded* copy of the text: whitespace
runs (hard line breaks, indentation, CRLF) become one space, Markdown
emphasis (`*`) and link brackets (`[text](url)`) are dropped, so a wrapped
`monthly / active users` and `**托管使用**` match like their plain forms.
An `OffsetMap` maps every folded offset back to the original text, so each
hit still indexes `Document.text` exactly.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractors.errors import ConfigError
from extractors.pattern_data import PatternSet, TermSpec
from extractors.phrases import PhraseTrie

if TYPE_CHECKING:  # spaCy is imported only for pattern data with token patterns
    from spacy.language import Language
    from spacy.matcher import Matcher

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
"""CJK ideographs, kana, CJK punctuation and full-width forms."""
_REGEX_SYNTAX = re.compile(r"\\.|[\s()\[\]{}?*+|^$.:!=<>,\-0-9]")
_PUNCT = re.compile(r"[^\w\s]")
_PUNCT_PREFIX = re.compile(r"^[^\w\s]")
_PUNCT_SUFFIX = re.compile(r"[^\w\s]$")
_FOLD = re.compile(r"[\s*]{2,}|[\t\r\n\f\v\u00a0\u2028\u2029*]|\[|\]\(")
CHUNK_CHARS = 20_000
"""Most characters of whole segments matched together in one pass.

A document up to the 20 MiB upload limit is matched in pieces made of whole
segments, which loses nothing: a term counts only inside one segment. Pieces
about the size of one license keep the cost per character flat: the CJK
regexes run only over a piece holding CJK text, so one Chinese paragraph in
a long English document no longer makes them read all of it (with 200,000
the cost per KB of 5 MB documents was 1.4 times that of 10 KB ones).
"""
WINDOW_CHARS = 200_000
"""Most characters matched in one pass of a single over-long segment.

spaCy (token patterns) refuses a text longer than `nlp.max_length` (1,000,000
characters), and every pass holds its tokens in memory, so a "sentence" longer
than this is cut into overlapping windows.
"""
OVERLAP_CHARS = 2_000
"""Overlap of the windows a single over-long segment is cut into (> any term)."""


@dataclass(frozen=True, slots=True)
class TermHit:
    """One occurrence of a concept label, in original-text offsets."""

    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Map offsets of the folded text back to the original text."""

    points: tuple[int, ...]
    shifts: tuple[int, ...]

    def to_original(self, offset: int) -> int:
        """Return the original offset of folded `offset`."""
        index = bisect.bisect_right(self.points, offset) - 1
        return offset + self.shifts[index]


def fold(text: str) -> tuple[str, OffsetMap]:
    """Fold whitespace runs to one space and drop `*`; keep a way back."""
    pieces: list[str] = []
    points = [0]
    shifts = [0]
    last = 0
    shift = 0
    for match in _FOLD.finditer(text):
        pieces.append(text[last : match.start()])
        run = match.group(0)
        replacement = " " if run.strip("*[") and not run.startswith("[") else ""
        lead = len(run) - len(run.lstrip("*"))
        if replacement and lead:
            # the space stands for the first blank of the run, not a dropped `*`
            points.append(match.start() - shift)
            shifts.append(shift + lead)
        pieces.append(replacement)
        shift += len(run) - len(replacement)
        last = match.end()
        points.append(match.end() - shift)
        shifts.append(shift)
    pieces.append(text[last:])
    return "".join(pieces), OffsetMap(tuple(points), tuple(shifts))


def make_nlp() -> Language:
    """Return a blank English pipeline whose tokenizer splits at every punctuation mark.

    Only token patterns (`tokens:` in the pattern data; none ship) need spaCy:
    its Matcher runs over this pipeline's tokens, which are those of
    `extractors.phrases.tokenize`. Splitting at each punctuation character
    (CJK included) with no exception tables or URL rules is about four times
    faster than spaCy's English defaults.
    """
    import spacy
    from spacy.tokenizer import Tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        rules={},
        prefix_search=_PUNCT_PREFIX.search,
        suffix_search=_PUNCT_SUFFIX.search,
        infix_finditer=_PUNCT.finditer,
    )
    return nlp


def needs_cjk(regex: str) -> bool:
    """Return True when every literal character of `regex` is CJK.

    Only such a regex can be skipped on a piece without CJK text. One that
    mixes scripts (`✅|可以`: an allowed-mark in an English list, or the
    same word in Chinese) must run everywhere; deciding by "holds a CJK
    character" skipped its non-CJK alternatives on English pieces.
    """
    literals = _REGEX_SYNTAX.sub("", regex)
    return bool(literals) and all(_CJK.match(ch) for ch in literals)


class TermMatcher:
    """Compiled matchers for every term of a `PatternSet`; reusable across documents.

    Phrases go to one `PhraseTrie` (lower-cased tokens, as spaCy's
    PhraseMatcher with `attr="LOWER"` matched them), token patterns to one
    spaCy Matcher (built, and spaCy imported, only when some term has them),
    and each regex is compiled on its own and run over the folded text.
    """

    def __init__(self, patterns: PatternSet) -> None:
        self._masks = {term.label: term.masks for term in patterns.terms if term.masks}
        self._phrases = PhraseTrie(
            (term.label, term.phrases) for term in patterns.terms if term.phrases
        )
        with_tokens = [term for term in patterns.terms if term.tokens]
        self._tokens = _token_matcher(with_tokens) if with_tokens else None
        self._regexes: list[tuple[str, re.Pattern[str]]] = []
        self._cjk_regexes: list[tuple[str, re.Pattern[str]]] = []
        for term in patterns.terms:
            # one compiled pattern per regex: a pattern that starts with a
            # literal or a character class is scanned fast; a union is not
            for regex in term.regexes:
                bucket = self._cjk_regexes if needs_cjk(regex) else self._regexes
                bucket.append((term.label, re.compile(regex)))

    def find(
        self, text: str, within: Sequence[tuple[int, int]] | None = None
    ) -> list[TermHit]:
        """Return every term occurrence in `text`, sorted by start offset.

        `within`, sorted and disjoint ranges such as the segments, says where
        hits are wanted: only a hit inside one range is ever used, so the text
        is matched in pieces of whole ranges (see `CHUNK_CHARS`) and what lies
        between them is skipped.
        """
        ranges = [(0, len(text))] if within is None else within
        starts = [start for start, _ in ranges]
        found: set[TermHit] = set()
        for start, end in pieces(ranges, CHUNK_CHARS, longest=WINDOW_CHARS):
            first = max(0, bisect.bisect_right(starts, start) - 1)
            last = bisect.bisect_left(starts, end)
            inside = [
                (max(s, start), min(e, end))
                for s, e in ranges[first:last]
                if s < end and e > start
            ]
            found.update(self._find_in(text, start, end, inside))
        return _apply_masks(
            sorted(found, key=lambda h: (h.start, h.end, h.label)), self._masks
        )

    def _find_in(
        self, text: str, begin: int, stop: int, ranges: Sequence[tuple[int, int]]
    ) -> set[TermHit]:
        """Return the hits of `text[begin:stop]`, in offsets of `text`.

        `ranges` are the wanted ranges (segments) inside the piece. Patterns
        made only of CJK characters run on the ranges that hold CJK text
        alone: a bilingual card's few Chinese lines no longer make some
        hundred CJK patterns read all of its English.
        """
        folded, offsets = fold(text[begin:stop])
        spans = self._phrases.find(folded)
        if self._tokens is not None:
            spans.update(self._tokens.find(folded))
        for label, pattern in self._regexes:
            spans.update(
                (label, m.start(), m.end())
                for m in pattern.finditer(folded)
                if m.end() > m.start()
            )
        hits = {
            TermHit(
                label=label,
                start=begin + offsets.to_original(start),
                end=begin + offsets.to_original(end - 1) + 1,
            )
            for label, start, end in spans
        }
        if self._cjk_regexes and _CJK.search(folded):
            for start, end in _cjk_runs(text, ranges):
                hits.update(self._find_cjk(text, start, end))
        return hits

    def _find_cjk(self, text: str, begin: int, stop: int) -> set[TermHit]:
        """Return the hits of the CJK-only patterns in `text[begin:stop]`."""
        folded, offsets = fold(text[begin:stop])
        return {
            TermHit(
                label=label,
                start=begin + offsets.to_original(m.start()),
                end=begin + offsets.to_original(m.end() - 1) + 1,
            )
            for label, pattern in self._cjk_regexes
            for m in pattern.finditer(folded)
            if m.end() > m.start()
        }


def _cjk_runs(
    text: str, ranges: Sequence[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """Yield spans covering each run of consecutive ranges that hold CJK text.

    CJK patterns cannot match text without CJK characters; a run is read in
    one pass, so a wholly Chinese license costs what it did before.
    """
    run: tuple[int, int] | None = None
    for start, end in ranges:
        if _CJK.search(text, start, end):
            run = (run[0] if run else start, end)
        elif run is not None:
            yield run
            run = None
    if run is not None:
        yield run


class _TokenPatterns:
    """spaCy's Matcher over the same tokens as the phrases, for `tokens:` terms."""

    def __init__(self, nlp: Language, matcher: Matcher) -> None:
        self.nlp = nlp
        self.matcher = matcher

    def find(self, folded: str) -> set[tuple[str, int, int]]:
        """Return (label, start, end) of every token-pattern match in `folded`."""
        doc = self.nlp.make_doc(folded)
        strings = self.nlp.vocab.strings
        found: set[tuple[str, int, int]] = set()
        for match_id, start, end in self.matcher(doc):
            span = doc[start:end]
            found.add((strings[match_id], span.start_char, span.end_char))
        return found


def _token_matcher(terms: Sequence[TermSpec]) -> _TokenPatterns:
    """Compile the token patterns of `terms`; a bad pattern is a ConfigError."""
    from spacy.matcher import Matcher

    nlp = make_nlp()
    matcher = Matcher(nlp.vocab, validate=True)
    for term in terms:
        try:
            matcher.add(term.label, list(term.tokens))
        except (ValueError, KeyError) as exc:
            raise ConfigError(f"{term.source}: term {term.label}: {exc}") from exc
    return _TokenPatterns(nlp, matcher)


def pieces(
    ranges: Sequence[tuple[int, int]],
    limit: int,
    overlap: int = OVERLAP_CHARS,
    longest: int | None = None,
) -> Iterator[tuple[int, int]]:
    """Group sorted disjoint `ranges` into pieces of at most `limit` characters.

    Consecutive ranges share a piece while it stays within `limit`; a range
    longer than that is a piece of its own, and one longer than `longest`
    (default: `limit`; a "sentence" of a whole book) is cut into windows of
    `longest` characters that overlap by `overlap`, so a term near a cut is
    still seen whole in one of them (the same hit found twice is one hit).
    """
    longest = limit if longest is None else longest
    if not 0 <= overlap < min(limit, longest):
        raise ValueError(f"overlap {overlap} must be below the limit {limit}")
    first: int | None = None
    last = 0
    for start, end in ranges:
        if first is not None and end - first > limit:
            yield first, last
            first = None
        if end - start > longest:
            yield from _windows(start, end, longest, overlap)
            continue
        if first is None:
            first = start
        last = end
    if first is not None:
        yield first, last


def _windows(
    start: int, end: int, limit: int, overlap: int
) -> Iterator[tuple[int, int]]:
    step = limit - overlap
    for begin in range(start, end, step):
        yield begin, min(begin + limit, end)
        if begin + limit >= end:
            return


def _apply_masks(
    hits: list[TermHit], masks: dict[str, tuple[str, ...]]
) -> list[TermHit]:
    """Drop hits covered by a longer term that masks them.

    `commercial` inside `non-commercial` is not a mention of commercial use;
    the NON_COMMERCIAL term declares `masks: [COMMERCIAL]` to say so. Per
    masked label, the covering hits sorted by start with a running maximum
    of their ends answer "does a cover start at or before this hit and end
    at or after it?" by one bisection, so the cost grows as n log n with
    the number of hits, not n squared (a long document has many of both).
    """
    if not masks:
        return hits
    covers: dict[str, list[TermHit]] = defaultdict(list)
    for hit in hits:  # sorted by start, so each list is too
        for masked in masks.get(hit.label, ()):
            covers[masked].append(hit)
    reach = {
        label: (
            [cover.start for cover in found],
            list(itertools.accumulate((c.end for c in found), max)),
        )
        for label, found in covers.items()
    }
    return [hit for hit in hits if not _covered(hit, reach.get(hit.label))]


def _covered(hit: TermHit, reach: tuple[list[int], list[int]] | None) -> bool:
    """Return True when a masking cover starting at or before `hit` spans it."""
    if reach is None:
        return False
    starts, max_ends = reach
    index = bisect.bisect_right(starts, hit.start) - 1
    return index >= 0 and max_ends[index] >= hit.end
