"""Normalised words, text hashes and sampled shingle hashes of a text.

Two copies of one license differ in ways that do not change a single term:
line wrapping, CRLF, Markdown markup, curly or straight quotes, case, list
numbering. Identification must look through all of them, so a text is reduced
to its words (punctuation, markup and list markers dropped) before it is
hashed. Every word keeps its character offsets so that a match can be traced
back to the place in the document it came from.

Shingles are hashed with blake2b (stable across runs and machines, unlike
`hash`) and sampled by value (`h % sample_mod == 0`): the same shingle is kept
or dropped in every text, so containment between samples estimates containment
between the full shingle sets while the index stays small and holds no text.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from extractors.types import CharSpan
from extractors.words import WORD

SHINGLE_SIZE = 5
SAMPLE_MOD = 4

# List markers and section numbers standing alone between blanks: `1.`,
# `2.3.`, `(b)`, `iv)`. Matched anywhere (not only at a line start) so that
# re-wrapping a paragraph cannot change which words are kept.
_ENUMERATOR = re.compile(
    r"(?<!\S)(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-z]|[ivxlc]{1,6})[.)]"
    r"|\((?:\d{1,3}|[a-z]|[ivxlc]{1,6})\))(?!\S)",
    re.IGNORECASE,
)
_HTML = re.compile(r"<[A-Za-z/!][^<>\n]{0,200}>|&(?:[A-Za-z]{2,8}|#\d{1,6});")
_TOKENS = re.compile(
    rf"(?P<html>(?i:{_HTML.pattern}))|(?P<enum>(?i:{_ENUMERATOR.pattern}))"
    rf"|(?P<word>{WORD.pattern})"
)
"""Case is ignored where it matters (markup, list markers), not for words: no
character a word is made of changes class with its case, and compiling the
word classes (whole Unicode ranges) case-insensitively cost a tenth of a second
of every process's start-up."""
# A parameter string shorter than this and made of these characters is a code
# or an enum value (`EU`, `US-CA`, `monthly_active_users`), kept as is; any
# other string could be a quote and is replaced by a digest.
_CODE = re.compile(r"[A-Za-z0-9_.:+-]{1,32}")


class Word(NamedTuple):
    """A normalised word and where it stands in the original text.

    A NamedTuple, not a frozen dataclass: a document has thousands of words,
    and a frozen dataclass's `__init__` costs several times a tuple's.
    """

    text: str
    start: int
    end: int


class Shingle(NamedTuple):
    """The hash of `size` consecutive words and the text range they cover."""

    value: int
    start: int
    end: int


def words(text: str) -> tuple[Word, ...]:
    """Split `text` into normalised words, skipping markup and list markers.

    One scan: markup and enumerators are alternatives tried before a word at
    each position, so whatever they cover never becomes a word.
    """
    return tuple(
        [
            Word(_fold(word), match.start(), match.end())
            for match in _TOKENS.finditer(text)
            if (word := match.group("word"))
        ]
    )


@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """Fold width, compatibility forms and case so equal words compare equal."""
    return unicodedata.normalize("NFKC", word).casefold()


def normalized_text(text: str) -> str:
    """Return the words of `text` joined by single spaces."""
    return " ".join(word.text for word in words(text))


def text_sha256(text: str) -> str:
    """Return the SHA-256 of the normalised text: equal for equal wording."""
    return words_sha256(words(text))


def words_sha256(seq: Sequence[Word]) -> str:
    """Return `text_sha256` of a text already split by `words`."""
    joined = " ".join(word.text for word in seq)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def hash32(value: str) -> int:
    """Return a stable 32-bit hash of `value`."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def shingles(
    seq: Sequence[Word], size: int = SHINGLE_SIZE, sample_mod: int = SAMPLE_MOD
) -> tuple[Shingle, ...]:
    """Return the sampled shingles of `seq`, in text order.

    A text shorter than `size` words is one shingle, so that even a short
    clause has a chance to be fingerprinted.
    """
    if size < 1 or sample_mod < 1:
        raise ValueError("shingle size and sample modulus must be positive")
    if not seq:
        return ()
    count = max(1, len(seq) - size + 1)
    ids = [_word_hash(word.text) for word in seq]
    result: list[Shingle] = []
    for i in range(count):
        value = 0
        for word_id in ids[i : i + size]:
            value = ((value ^ word_id) * _FNV_PRIME) & 0xFFFFFFFF
        if value % sample_mod == 0:
            result.append(
                Shingle(value, seq[i].start, seq[min(i + size, len(seq)) - 1].end)
            )
    return tuple(result)


_FNV_PRIME = 0x01000193


@lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    """Hash a word once; a shingle combines the hashes of its words (FNV style).

    Hashing each 5-word window as a string cost more than the rest of
    identification; word hashes repeat, so they are cached.
    """
    return hash32(word)


def shingle_set(
    text: str, size: int = SHINGLE_SIZE, sample_mod: int = SAMPLE_MOD
) -> frozenset[int]:
    """Return the set of sampled shingle hashes of `text`."""
    return frozenset(s.value for s in shingles(words(text), size, sample_mod))


def containment(part: frozenset[int], whole: frozenset[int]) -> float:
    """Return the share of `part` found in `whole` (0.0 when `part` is empty)."""
    if not part:
        return 0.0
    return len(part & whole) / len(part)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """Return |a & b| / |a | b| (0.0 when both are empty)."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


@dataclass(frozen=True, slots=True)
class Run:
    """Where a reference's shingles cluster in a text, and how densely."""

    span: CharSpan
    hits: int
    density: float
    """Share of the text's sampled shingles inside `span` that matched."""


class ShingleIndex:
    """Where each shingle value occurs among a text's shingles.

    A document is compared with every reference of the index; finding each
    reference's shingles by scanning the document's cost references x
    document, and a long document (holding many licenses) passes the
    `densest_run` bar for most references. Looking them up costs only what
    the two share.
    """

    def __init__(self, found: Sequence[Shingle]) -> None:
        self.found = found
        at: dict[int, list[int]] = {}
        for position, shingle in enumerate(found):
            at.setdefault(shingle.value, []).append(position)
        self._at = at

    def hits(self, reference: frozenset[int]) -> list[Shingle]:
        """Return the text's shingles whose value is in `reference`, in text order."""
        at = self._at
        shared = reference.intersection(at)
        positions = sorted(p for value in shared for p in at[value])
        return [self.found[p] for p in positions]


def densest_run(
    found: Sequence[Shingle],
    reference: frozenset[int],
    gap: int,
    index: ShingleIndex | None = None,
) -> Run | None:
    """Return the longest run of `reference` shingles in a text.

    Runs break where matches are more than `gap` characters apart: stray
    five-word phrases a model card shares with a license ("the terms of this
    agreement") must not stretch the run over unrelated text. A verbatim copy
    is dense; a license merely derived from the reference is not. `index`,
    the `ShingleIndex` of `found`, saves a scan of `found` per reference.
    """
    if index is None:
        hits = [s for s in found if s.value in reference]
    else:
        hits = index.hits(reference)
    if not hits:
        return None
    runs: list[list[Shingle]] = [[hits[0]]]
    for hit in hits[1:]:
        if hit.start - runs[-1][-1].end > gap:
            runs.append([])
        runs[-1].append(hit)
    run = max(runs, key=len)
    span = CharSpan(run[0].start, max(s.end for s in run))
    # `found` is in text order (starts and ends both ascend): count by bisection
    first = bisect.bisect_left(found, span.start, key=lambda s: s.start)
    stop = bisect.bisect_right(found, span.end, key=lambda s: s.end)
    inside = max(stop - first, 1)
    return Run(span, len(run), len(run) / inside)


def whole_lines(text: str, span: CharSpan) -> CharSpan:
    """Widen `span` to the lines it touches.

    A sampled match starts and ends a few words inside the copied text, so
    the region is rounded out to whole lines.
    """
    start = text.rfind("\n", 0, span.start) + 1
    end = text.find("\n", span.end)
    end = len(text) if end < 0 else end
    end -= 1 if text[end - 1 : end] == "\r" and end - 1 > start else 0
    return CharSpan(start, max(end, start + 1))


def redact_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return `params` with every free-text string replaced by a digest.

    The index may hold codes and numbers (`EU`, 700000000) but no wording of
    the licenses, so a quoted notice or a policy name is kept only as a
    digest of its normalised words: enough to tell that it changed.
    """
    return {str(key): redact_value(value) for key, value in params.items()}


def redact_value(value: Any) -> Any:
    """Redact one parameter value the way `redact_params` does."""
    if isinstance(value, Mapping):
        return redact_params(value)
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    if isinstance(value, str) and not _CODE.fullmatch(value):
        return f"h:{hash32(normalized_text(value)):08x}"
    return value


def canonical(value: Any) -> Any:
    """Return a hashable form of a parameter value for order-free comparison.

    Two taggers may write one kind as `"x"` or `["x"]`, or list regions in
    another order; neither changes what the clause says.
    """
    if isinstance(value, Mapping):
        items = ((str(k), canonical(v)) for k, v in value.items() if v is not None)
        return tuple(sorted(items))
    if isinstance(value, list | tuple):
        parts = [canonical(item) for item in value]
        if len(parts) == 1:
            return parts[0]
        if all(not isinstance(part, tuple) for part in parts):
            return tuple(sorted(parts, key=repr))
        return tuple(parts)
    if isinstance(value, str):
        return value.casefold()
    return value


def param_changes(reference: Any, params: Any, path: str = "") -> list[str]:
    """Describe how `params` differ from redacted `reference` params.

    `reference` comes from the index (free text already a digest); `params`
    are a document's own, shown as they are.
    """
    if isinstance(reference, Mapping) and isinstance(params, Mapping):
        changes: list[str] = []
        for key in sorted({*map(str, reference), *map(str, params)}):
            sub = f"{path}.{key}" if path else key
            changes += param_changes(reference.get(key), params.get(key), sub)
        return changes
    if (
        isinstance(reference, list | tuple)
        and isinstance(params, list | tuple)
        and len(reference) == len(params)
        and any(isinstance(item, Mapping) for item in reference)
    ):
        changes = []
        for i, (ref_item, item) in enumerate(zip(reference, params, strict=True)):
            changes += param_changes(ref_item, item, f"{path}[{i}]")
        return changes
    if canonical(reference) == canonical(redact_value(params)):
        return []
    return [f"{path or 'params'}: {_show(reference)} -> {_show(params)}"]


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(_unhash(value), ensure_ascii=False, default=str)


def _unhash(value: Any) -> Any:
    """Replace digests of reference wording with a readable placeholder."""
    if isinstance(value, Mapping):
        return {key: _unhash(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_unhash(item) for item in value]
    if isinstance(value, str) and re.fullmatch(r"h:[0-9a-f]{8}", value):
        return "(reference wording)"
    return value
