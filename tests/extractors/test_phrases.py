"""The pure-Python phrase matcher gives exactly what spaCy's PhraseMatcher gave.

`extractors.phrases` replaced spaCy on the default path; these tests hold it
to spaCy's own tokenizer and PhraseMatcher (attr LOWER) on random texts drawn
from the characters where the two could part: whitespace of every kind,
punctuation, CJK, and letters whose lower case depends on context or changes
length.
"""

from __future__ import annotations

import random
from functools import cache

import pytest
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from extractors.matching import make_nlp
from extractors.phrases import PhraseTrie, phrase_key, tokenize

ALPHABET = [
    "a", "B", "x", "é", "İ", "Σ", "ς", "ß", "1", "_", " ", "  ", "\n", "\t",
    "\u2003", "\u3000", "\u00a0", "\u200b", "\x1c", "\x85", "\u2028", "-", ".",
    ",", "(", ")", "'", "\"", "’", "*", "中", "文", "。", "€",
]  # fmt: skip
WORDS = ["use", "Use", "USE", "non", "-", "commercial", "中文", "ΟΔΟΣ", "İstanbul"]


@cache
def _nlp() -> Language:
    return make_nlp()


def _text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, length)))


def _spacy_tokens(text: str) -> list[tuple[int, int]]:
    return [(t.idx, t.idx + len(t.text)) for t in _nlp().tokenizer(text)]


@pytest.mark.parametrize("seed", range(40))
def test_tokens_are_spacys(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        text = _text(rng, 14)
        assert tokenize(text) == _spacy_tokens(text), repr(text)


@pytest.mark.parametrize(
    ("phrase", "key"),
    [
        ("Non-Commercial use", ("non", "-", "commercial", "use")),
        ("ΟΔΟΣ Σ", ("οδος", "σ")),  # a final sigma within its own token
        ("  lead", ("  ", "lead")),  # leading whitespace is a token, as in spaCy
        ("", ()),
    ],
)
def test_phrase_key(phrase: str, key: tuple[str, ...]) -> None:
    assert phrase_key(phrase) == key


def _spacy_matches(
    phrases: dict[str, list[str]], text: str
) -> set[tuple[str, int, int]]:
    nlp = _nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for label, texts in phrases.items():
        matcher.add(label, list(nlp.tokenizer.pipe(texts)))
    doc = nlp.make_doc(text)
    return {
        (nlp.vocab.strings[key], doc[s:e].start_char, doc[s:e].end_char)
        for key, s, e in matcher(doc)
    }


@pytest.mark.parametrize("seed", range(30))
def test_matches_are_spacys(seed: int) -> None:
    rng = random.Random(seed)

    def words(n: int) -> str:
        glue = [" ", "", "  ", "\u2003"]
        parts = [rng.choice(WORDS) for _ in range(n)]
        return "".join(p + rng.choice(glue) for p in parts).strip(" ")

    phrases = {
        label: [words(rng.randint(1, 3)) for _ in range(4)] for label in ("A", "B")
    }
    text = " ".join(words(rng.randint(1, 6)) for _ in range(30))
    trie = PhraseTrie(phrases.items())
    expected = _spacy_matches(phrases, text)
    assert trie.find(text) == expected
    assert len(trie) == 2


def test_nested_and_overlapping_phrases_are_all_found() -> None:
    trie = PhraseTrie([("SHORT", ["active users"]), ("LONG", ["monthly active users"])])
    trie.add("LONG", ["monthly active"])
    text = "Monthly Active Users"
    assert trie.find(text) == {
        ("LONG", 0, 20),
        ("LONG", 0, 14),
        ("SHORT", 8, 20),
    }


def test_a_phrase_does_not_match_inside_a_word() -> None:
    trie = PhraseTrie([("USE", ["use"])])
    assert trie.find("misuse, reuse; USE.") == {("USE", 15, 18)}
