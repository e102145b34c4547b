"""Term matching on folded text, with offsets mapped back to the original exactly."""

from __future__ import annotations

import random
import re
from functools import cache

import pytest

from extractors.matching import (
    TermHit,
    TermMatcher,
    _apply_masks,
    _cjk_runs,
    fold,
    needs_cjk,
    pieces,
)
from extractors.pattern_data import PatternSet, TermSpec

TERMS = {
    "MAU": ("monthly active users",),
    "BUILT": ("built with zephyr",),
    "LAW": ("laws of the state of delaware",),
    "COMMERCIAL": ("commercial",),
    "NON_COMMERCIAL": ("non-commercial",),
}


@cache
def _plain_matcher() -> TermMatcher:
    return _matcher()


def _matcher(**masks: tuple[str, ...]) -> TermMatcher:
    terms = tuple(
        TermSpec(label, phrases, (), "test.yml", masks.get(label, ()))
        for label, phrases in TERMS.items()
    )
    # a token pattern too: spaCy warns (W036) when its Matcher has none
    year = TermSpec("YEAR", (), ([{"TEXT": {"REGEX": "^20[0-9][0-9]$"}}],), "t.yml")
    return TermMatcher(PatternSet(terms=(*terms, year), rules=(), sha256="test"))


def _squash(text: str) -> str:
    return re.sub(r"[\s*]+", "", text).lower()


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("a  b", "a b"),
        ("a\r\nb", "a b"),
        ("a\n\n   b", "a b"),
        ("**bold** text", "bold text"),
        ("a\tb\fc", "a b c"),
        ("[link](https://x.example)", "link https://x.example)"),
        ("plain text", "plain text"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text)[0] == folded


@pytest.mark.parametrize("seed", range(25))
def test_fold_maps_every_kept_character_back(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = ["ab", "Cd", " ", "  ", "\n", "\r\n", "*", "**", "\t", "x.", "[", "]("]
    text = "".join(rng.choice(alphabet) for _ in range(60))
    folded, offsets = fold(text)
    for index, char in enumerate(folded):
        original = offsets.to_original(index)
        if char == " ":
            assert text[original].isspace() or text[original] == "]"
        else:
            assert text[original] == char
    assert all(
        offsets.to_original(i) < offsets.to_original(i + 1)
        for i in range(len(folded) - 1)
    )


def _noisy(rng: random.Random, phrase: str) -> str:
    """Write `phrase` with random line breaks, runs of spaces and emphasis."""
    gaps = [" ", "  ", "\n", "\r\n", " \n   ", "** **", "**\n", "\n**"]
    words = phrase.split(" ")
    out = words[0]
    for word in words[1:]:
        out += rng.choice(gaps) + word
    return rng.choice(["", "**", "*"]) + out


@pytest.mark.parametrize("seed", range(40))
def test_hits_cite_the_original_text(seed: int) -> None:
    rng = random.Random(seed)
    filler = ["You", "must", "not", "exceed", "the", "limit,", "and", "\n", "  ", "**"]
    pieces: list[str] = []
    planted: list[str] = []
    for _ in range(6):
        pieces.extend(rng.choice(filler) for _ in range(rng.randint(1, 5)))
        label = rng.choice(["MAU", "BUILT", "LAW"])
        planted.append(label)
        pieces.append(_noisy(rng, TERMS[label][0]))
    text = " ".join(pieces) + ".\n"
    hits = _plain_matcher().find(text)
    assert sorted(hit.label for hit in hits) == sorted(planted)
    for hit in hits:
        quote = text[hit.start : hit.end]
        assert _squash(quote) == _squash(TERMS[hit.label][0])
        assert quote == quote.strip(" \r\n*"), quote


def test_hits_are_sorted_and_case_insensitive() -> None:
    text = "BUILT WITH ZEPHYR for 5 Monthly Active\r\n   Users."
    hits = _plain_matcher().find(text)
    assert [h.label for h in hits] == ["BUILT", "MAU"]
    assert text[hits[1].start : hits[1].end] == "Monthly Active\r\n   Users"


def test_masked_term_is_dropped_inside_its_mask() -> None:
    text = "Non-commercial use only. Commercial use needs a license."
    masked = _matcher(NON_COMMERCIAL=("COMMERCIAL",)).find(text)
    assert [(h.label, text[h.start : h.end]) for h in masked] == [
        ("NON_COMMERCIAL", "Non-commercial"),
        ("COMMERCIAL", "Commercial"),
    ]
    unmasked = _matcher().find(text)
    assert TermHit("COMMERCIAL", 4, 14) in unmasked


def test_cjk_terms_match_inside_unspaced_text() -> None:
    terms = (
        TermSpec("HOST", (), ([{"TEXT": {"REGEX": "托管"}}],), "test.yml"),
        TermSpec("MODEL", ("model",), (), "test.yml"),
        TermSpec("YEAR", (), ([{"TEXT": {"REGEX": "^20[0-9][0-9]$"}}],), "t.yml"),
    )
    matcher = TermMatcher(PatternSet(terms=terms, rules=(), sha256="t"))
    text = "第一条。您不得将本模型用于**托管**服务。其他条款。"
    [hit] = matcher.find(text)
    assert hit.label == "HOST"
    quote = text[hit.start : hit.end]
    assert "托管" in quote
    assert "。" not in quote  # CJK punctuation splits tokens


def test_token_patterns_find_hits() -> None:
    text = "Released in 2024 and updated in\n2025."
    years = [h for h in _matcher().find(text) if h.label == "YEAR"]
    assert [text[h.start : h.end] for h in years] == ["2024", "2025"]


def test_phrase_only_patterns_do_not_warn() -> None:
    terms = (TermSpec("MAU", ("monthly active users",), (), "test.yml"),)
    matcher = TermMatcher(PatternSet(terms=terms, rules=(), sha256="t"))
    assert [h.label for h in matcher.find("10 monthly active users")] == ["MAU"]


@pytest.mark.parametrize("gap", [" **\n", "\n* ", " ** "])
def test_whitespace_around_emphasis_folds_to_one_space(gap: str) -> None:
    text = f"monthly{gap}active users"
    assert fold(text)[0] == "monthly active users"
    assert [h.label for h in _matcher().find(text)] == ["MAU"]


# --- long documents --------------------------------------------------------------


def _masks_by_brute_force(
    hits: list[TermHit], masks: dict[str, tuple[str, ...]]
) -> list[TermHit]:
    """The definition: a hit goes when any masking hit covers it."""
    return [
        hit
        for hit in hits
        if not any(
            hit.label in masks.get(cover.label, ())
            and cover.start <= hit.start
            and hit.end <= cover.end
            for cover in hits
        )
    ]


@pytest.mark.parametrize("seed", range(40))
def test_masks_drop_exactly_the_covered_hits(seed: int) -> None:
    rng = random.Random(seed)
    masks = {"NON_COMMERCIAL": ("COMMERCIAL", "USE"), "WIDE": ("USE",)}
    labels = ["COMMERCIAL", "USE", "NON_COMMERCIAL", "WIDE", "OTHER"]
    hits = set()
    for _ in range(rng.randrange(1, 60)):
        start = rng.randrange(0, 200)
        hits.add(TermHit(rng.choice(labels), start, start + rng.randrange(1, 40)))
    ordered = sorted(hits, key=lambda h: (h.start, h.end, h.label))
    assert _apply_masks(ordered, masks) == _masks_by_brute_force(ordered, masks)


def test_pieces_group_whole_ranges_and_cut_an_overlong_one_with_overlap() -> None:
    ranges = [(0, 40), (42, 90), (95, 130), (140, 600), (601, 620)]
    got = list(pieces(ranges, 100, overlap=20))
    assert got[:2] == [(0, 90), (95, 130)]
    windows = got[2:-1]
    assert windows[0][0] == 140 and windows[-1][1] == 600
    assert all(end - start <= 100 for start, end in windows)
    # consecutive windows overlap, so a short term near a cut is seen whole
    assert all(b[0] < a[1] for a, b in zip(windows, windows[1:], strict=False))
    assert got[-1] == (601, 620)


def test_a_range_longer_than_a_piece_but_not_than_a_window_stays_whole() -> None:
    ranges = [(0, 40), (42, 90), (95, 300), (301, 320), (330, 700)]
    got = list(pieces(ranges, 100, overlap=20, longest=300))
    assert got[:3] == [(0, 90), (95, 300), (301, 320)]
    assert got[3][0] == 330 and got[-1][1] == 700
    assert all(end - start <= 300 for start, end in got[3:])
    assert len(got) == 5  # 370 characters: two overlapping windows of 300


def test_a_text_longer_than_spacys_limit_is_matched_in_pieces() -> None:
    # spaCy refuses texts over nlp.max_length (1,000,000 characters): E088
    filler = "Nothing to see in this line of the document.\n\n"
    text = filler * (1_050_000 // len(filler)) + "It has monthly active users."
    segments = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    hits = _plain_matcher().find(text, segments)
    assert [(h.label, text[h.start : h.end]) for h in hits] == [
        ("MAU", "monthly active users")
    ]


def test_only_all_cjk_regexes_are_skipped_on_text_without_cjk() -> None:
    assert needs_cjk("(?:未|不)(?:注明|标明)") and needs_cjk(r"\d+万")
    assert needs_cjk("クレジット(?:を)?(?:せず|しない)")
    # a mixed alternation runs everywhere: its ✅ or Latin half matches English
    assert not needs_cjk("✅|可以|无需")
    assert not needs_cjk("non-commercial|非商业")
    assert not needs_cjk(r"\bcredit\b")


def _cjk_matcher() -> TermMatcher:
    terms = (
        TermSpec("LAW", (), (), "test.yml", regexes=("法律",)),
        TermSpec("MODEL", ("model",), (), "test.yml"),
    )
    return TermMatcher(PatternSet(terms=terms, rules=(), sha256="t"))


def test_cjk_regexes_run_only_on_the_ranges_holding_cjk() -> None:
    english = "The model is governed by law. "
    chinese = "本协议适用中国法律。"
    text = english + chinese + " " + english
    first = (0, len(english) - 1)
    second = (len(english), len(english) + len(chinese))
    third = (second[1] + 1, len(text))
    hits = _cjk_matcher().find(text, [first, second, third])
    laws = [h for h in hits if h.label == "LAW"]
    assert [text[h.start : h.end] for h in laws] == ["法律"]
    assert second[0] <= laws[0].start < laws[0].end <= second[1]
    assert sum(h.label == "MODEL" for h in hits) == 2


def test_cjk_runs_join_consecutive_cjk_ranges() -> None:
    text = "abc 中文 中文 def 中文"
    ranges = [(0, 3), (4, 6), (7, 9), (10, 13), (14, 16)]
    assert list(_cjk_runs(text, ranges)) == [(4, 9), (14, 16)]
    assert list(_cjk_runs("abc def", [(0, 3), (4, 7)])) == []
