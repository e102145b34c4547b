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
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from extractors.errors import ConfigError
from extractors.pattern_data import PatternSet

_CJK_PUNCT = r"[。；，、：！？（）「」『』《》【】“”]"
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


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _is_cjk_pattern(pattern: list[dict[str, Any]]) -> bool:
    """Return True when every token of a pattern is a regex for CJK text."""
    return all(
        isinstance(spec.get("TEXT"), dict)
        and bool(_CJK.search(str(spec["TEXT"].get("REGEX", ""))))
        for spec in pattern
    )


def make_nlp() -> Language:
    """Return a blank English pipeline that also splits at CJK punctuation.

    Chinese text has no spaces; without these rules a whole paragraph would be
    one token, and a term could never be placed inside one sentence.
    """
    nlp = spacy.blank("en")
    defaults = nlp.Defaults
    tokenizer: Any = nlp.tokenizer
    tokenizer.infix_finditer = compile_infix_regex(
        [*defaults.infixes, _CJK_PUNCT]  # type: ignore[misc]
    ).finditer
    tokenizer.prefix_search = compile_prefix_regex(
        [*defaults.prefixes, _CJK_PUNCT]  # type: ignore[misc]
    ).search
    tokenizer.suffix_search = compile_suffix_regex(
        [*defaults.suffixes, _CJK_PUNCT]  # type: ignore[misc]
    ).search
    return nlp


class TermMatcher:
    """Compiled matchers for every term of a `PatternSet`; reusable across documents."""

    def __init__(self, patterns: PatternSet, nlp: Language | None = None) -> None:
        self.nlp = nlp or make_nlp()
        self._masks = {term.label: term.masks for term in patterns.terms if term.masks}
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._tokens = Matcher(self.nlp.vocab, validate=True)
        self._cjk_tokens = Matcher(self.nlp.vocab, validate=True)
        for term in patterns.terms:
            if term.phrases:
                docs = [self.nlp.make_doc(phrase) for phrase in term.phrases]
                self._phrases.add(term.label, docs)
            latin = [p for p in term.tokens if not _is_cjk_pattern(p)]
            cjk = [p for p in term.tokens if _is_cjk_pattern(p)]
            for matcher, token_patterns in (
                (self._tokens, latin),
                (self._cjk_tokens, cjk),
            ):
                if not token_patterns:
                    continue
                try:
                    matcher.add(term.label, token_patterns)
                except (ValueError, KeyError) as exc:
                    raise ConfigError(
                        f"{term.source}: term {term.label}: {exc}"
                    ) from exc

    def find(self, text: str) -> list[TermHit]:
        """Return every term occurrence in `text`, sorted by start offset."""
        folded, offsets = fold(text)
        doc = self.nlp.make_doc(folded)
        strings = self.nlp.vocab.strings
        hits: set[TermHit] = set()
        matchers: list[Any] = [m for m in (self._phrases, self._tokens) if len(m)]
        if _CJK.search(folded):
            # CJK patterns are regexes run on every token: skip them when
            # there is no CJK text for them to find.
            matchers.extend(m for m in (self._cjk_tokens,) if len(m))
        for matches in (matcher(doc) for matcher in matchers):
            for match_id, start, end in matches:
                span = doc[start:end]
                hits.add(
                    TermHit(
                        label=strings[match_id],
                        start=offsets.to_original(span.start_char),
                        end=offsets.to_original(span.end_char - 1) + 1,
                    )
                )
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
