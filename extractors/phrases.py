"""Phrase matching on lower-cased tokens, in pure Python: no spaCy on the default path.

The pattern phrases used to go through spaCy's PhraseMatcher (attr `LOWER`)
over a blank English pipeline with a tokenizer that splits at every
punctuation mark. Importing spaCy and building that pipeline cost about half a
second of every fresh process, and spaCy's `Doc` allocation a large share of
each scan, for what amounts to a dictionary lookup per token. This module
reproduces exactly what that configuration did:

* `tokenize` gives spaCy's tokens for a tokenizer with no special cases, no
  URL rule, and prefix, suffix and infix patterns that each match one
  character that is neither a word character nor whitespace. Within a
  non-blank stretch a token is therefore a run of word characters or a single
  punctuation character; a whitespace run is a token of its own, except for
  one leading space after a word, which spaCy records as that word's trailing
  whitespace instead.
* `PhraseTrie.find` walks the same trie spaCy builds, from every token, and
  reports every phrase found (overlapping and nested ones too), comparing
  tokens by `str.lower()` as spaCy's `LOWER` attribute does.

`tests/extractors/test_phrases.py` checks both against spaCy itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_TOKEN = re.compile(
    r"\w+|[^\w\s]"  # a word, a punctuation mark
    r"|^\s+"  # whitespace opening the text: one token
    r"|(?<=\S)[^\S ]\s*"  # whitespace after a token, not opened by a space
    r"|(?<=\S )\s+"  # after a token and a space: the rest of the run
)
"""spaCy's tokens (see the module doc): one space after a token is no token."""
_END = ""
"""The trie key that marks the end of a phrase (no token is empty)."""


def tokenize(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of spaCy's tokens of `text` (see module doc)."""
    return [match.span() for match in _TOKEN.finditer(text)]


def phrase_key(phrase: str) -> tuple[str, ...]:
    """Return the lower-cased tokens of `phrase`, as the trie stores them.

    spaCy lower-cases each token on its own. For ASCII that is the same as
    lower-casing the whole phrase first, which is faster (13,000 phrases ship);
    elsewhere it is not always (a final sigma depends on what follows it).
    """
    if phrase.isascii():
        return tuple(_TOKEN.findall(phrase.lower()))
    return tuple(phrase[start:end].lower() for start, end in tokenize(phrase))


class PhraseTrie:
    """Every phrase of every label, as a trie of lower-cased tokens."""

    def __init__(self, phrases: Iterable[tuple[str, Iterable[str]]] = ()) -> None:
        self._root: dict[str, Any] = {}
        self._labels: list[str] = []
        for label, texts in phrases:
            self.add(label, texts)

    def __len__(self) -> int:
        """Return the number of labels with at least one phrase added."""
        return len(self._labels)

    def add(self, label: str, phrases: Iterable[str]) -> None:
        """Add `phrases` under `label`; an empty phrase matches nothing, as in spaCy."""
        if label not in self._labels:
            self._labels.append(label)
        for phrase in phrases:
            key = phrase_key(phrase)
            if not key:
                continue
            node = self._root
            for token in key:
                child = node.get(token)
                if child is None:
                    child = node[token] = {}
                node = child
            ends = node.get(_END, ())
            if label not in ends:
                node[_END] = (*ends, label)

    def find(self, text: str) -> set[tuple[str, int, int]]:
        """Return (label, start, end) of every phrase occurrence in `text`."""
        tokens = list(_TOKEN.finditer(text))
        lows = [token.group().lower() for token in tokens]
        root = self._root
        found: set[tuple[str, int, int]] = set()
        count = len(lows)
        for first, low in enumerate(lows):
            node = root.get(low)
            if node is None:
                continue
            after = first + 1
            while True:
                labels = node.get(_END)
                if labels is not None:
                    start, end = tokens[first].start(), tokens[after - 1].end()
                    found.update((label, start, end) for label in labels)
                if after == count:
                    break
                node = node.get(lows[after])
                if node is None:
                    break
                after += 1
        return found
