"""Find concept terms in a document with spaCy's PhraseMatcher and Matcher.

Matching runs once per document on a *folded* copy of the text: whitespace
runs (hard line breaks, indentation, CRLF) become one space, Markdown
emphasis (`*`) and link brackets (`[text](url)`) are dropped, so a wrapped
`monthly / active users` and `**托管使用**` match like their plain forms.
An `OffsetMap` maps every folded offset back to the original text, so each
hit still indexes `Document.text` exactly.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer

from extractors.errors import ConfigError
from extractors.pattern_data import PatternSet

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_PUNCT = re.compile(r"[^\w\s]")
_PUNCT_PREFIX = re.compile(r"^[^\w\s]")
_PUNCT_SUFFIX = re.compile(r"[^\w\s]$")
_FOLD = re.compile(r"[\s*]{2,}|[\t\r\n\f\v\u00a0\u2028\u2029*]|\[|\]\(")


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

    Terms are matched as phrases, and phrases are tokenized by the same
    tokenizer, so all that matters is that both split alike; splitting at
    each punctuation character (CJK included) with no exception tables or
    URL rules is about four times faster than spaCy's English defaults.
    """
    nlp = spacy.blank("en")
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        rules={},
        prefix_search=_PUNCT_PREFIX.search,
        suffix_search=_PUNCT_SUFFIX.search,
        infix_finditer=_PUNCT.finditer,
    )
    return nlp


class TermMatcher:
    """Compiled matchers for every term of a `PatternSet`; reusable across documents.

    Phrases go to one PhraseMatcher, token patterns to one Matcher, and the
    regexes of each label to one compiled alternation run over the folded text.
    """

    def __init__(self, patterns: PatternSet, nlp: Language | None = None) -> None:
        self.nlp = nlp or make_nlp()
        self._masks = {term.label: term.masks for term in patterns.terms if term.masks}
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._tokens = Matcher(self.nlp.vocab, validate=True)
        self._regexes: list[tuple[str, re.Pattern[str]]] = []
        self._cjk_regexes: list[tuple[str, re.Pattern[str]]] = []
        for term in patterns.terms:
            if term.phrases:
                tokenizer: Any = self.nlp.tokenizer
                docs = list(tokenizer.pipe(term.phrases))
                self._phrases.add(term.label, docs)
            if term.tokens:
                try:
                    self._tokens.add(term.label, list(term.tokens))
                except (ValueError, KeyError) as exc:
                    raise ConfigError(
                        f"{term.source}: term {term.label}: {exc}"
                    ) from exc
            # one compiled pattern per regex: a pattern that starts with a
            # literal or a character class is scanned fast; a union is not
            for regex in term.regexes:
                bucket = self._cjk_regexes if _CJK.search(regex) else self._regexes
                bucket.append((term.label, re.compile(regex)))

    def find(self, text: str) -> list[TermHit]:
        """Return every term occurrence in `text`, sorted by start offset."""
        folded, offsets = fold(text)
        doc = self.nlp.make_doc(folded)
        strings = self.nlp.vocab.strings
        spans: set[tuple[str, int, int]] = set()
        for matcher in (self._phrases, self._tokens):
            if len(matcher):
                for match_id, start, end in matcher(doc):
                    span = doc[start:end]
                    spans.add((strings[match_id], span.start_char, span.end_char))
        regexes = self._regexes
        if _CJK.search(folded):
            # CJK patterns cannot match text without CJK characters: skip them
            regexes = [*regexes, *self._cjk_regexes]
        for label, pattern in regexes:
            spans.update(
                (label, m.start(), m.end())
                for m in pattern.finditer(folded)
                if m.end() > m.start()
            )
        hits = {
            TermHit(
                label=label,
                start=offsets.to_original(start),
                end=offsets.to_original(end - 1) + 1,
            )
            for label, start, end in spans
        }
        return _apply_masks(
            sorted(hits, key=lambda h: (h.start, h.end, h.label)), self._masks
        )


def _apply_masks(
    hits: list[TermHit], masks: dict[str, tuple[str, ...]]
) -> list[TermHit]:
    """Drop hits covered by a longer term that masks them.

    `commercial` inside `non-commercial` is not a mention of commercial use;
    the NON_COMMERCIAL term declares `masks: [COMMERCIAL]` to say so.
    """
    if not masks:
        return hits
    covering = [hit for hit in hits if hit.label in masks]
    return [
        hit
        for hit in hits
        if not any(
            hit.label in masks[cover.label]
            and cover.start <= hit.start
            and hit.end <= cover.end
            for cover in covering
        )
    ]
