from __future__ import annotations

import hashlib
import random
import re

import pytest

from extractors.identify.fingerprint import (
    _TOKENS,
    Shingle,
    ShingleIndex,
    canonical,
    containment,
    densest_run,
    hash32,
    jaccard,
    normalized_text,
    param_changes,
    redact_params,
    shingle_set,
    shingles,
    text_sha256,
    words,
)
from extractors.types import CharSpan
from extractors.words import WORD

from . import NORTHWIND


def test_words_keep_offsets_into_the_original_text() -> None:
    text = "**Grant.** You MAY use it."
    found = words(text)
    assert [w.text for w in found] == ["grant", "you", "may", "use", "it"]
    assert all(text[w.start : w.end].casefold() == w.text for w in found)


def test_markup_quotes_case_and_list_numbers_are_ignored() -> None:
    plain = "1. Grant. You may share the \"Model\".\n2. Credit. Say 'thanks'."
    fancy = (
        "## (a) **Grant.** You may SHARE the “Model”.\r\n- (b) _Credit_. Say ‘thanks’."
    )
    assert normalized_text(plain) == normalized_text(fancy)
    assert normalized_text(plain) == "grant you may share the model credit say thanks"


def test_html_tags_and_entities_are_ignored() -> None:
    assert normalized_text("Use&nbsp;it <b>well</b><br/>") == "use it well"


def test_inline_numbers_and_versions_are_kept() -> None:
    assert normalized_text("Version 3.1 allows 700 million users") == (
        "version 3 1 allows 700 million users"
    )


def test_each_cjk_character_is_one_word() -> None:
    assert [w.text for w in words("本许可 License协议")] == [
        "本",
        "许",
        "可",
        "license",
        "协",
        "议",
    ]


def test_fullwidth_forms_fold_to_ascii() -> None:
    assert normalized_text("ＬＩＣＥＮＳＥ") == "license"


def test_sha256_survives_rewrapping_crlf_and_quote_style() -> None:
    rewrapped = " ".join(NORTHWIND.split()).replace('"', "“", 1).replace('"', "”", 1)
    assert text_sha256(NORTHWIND.replace("\n", "\r\n")) == text_sha256(NORTHWIND)
    assert text_sha256(rewrapped) == text_sha256(NORTHWIND)
    assert text_sha256(NORTHWIND.replace("500", "900")) != text_sha256(NORTHWIND)


def test_hash32_is_stable_across_runs() -> None:
    # blake2b with a 4-byte digest: a fixed value, unlike Python's hash().
    digest = hashlib.blake2b(b"the weights", digest_size=4).digest()
    assert hash32("the weights") == int.from_bytes(digest, "big")


def test_shingles_are_sampled_by_value_and_cover_their_words() -> None:
    text = " ".join(f"word{i}" for i in range(60))
    every = shingles(words(text), size=5, sample_mod=1)
    sampled = shingles(words(text), size=5, sample_mod=4)
    assert len(every) == 56
    assert {s.value for s in sampled} == {s.value for s in every if s.value % 4 == 0}
    first = every[0]
    assert text[first.start : first.end] == "word0 word1 word2 word3 word4"


def test_a_text_shorter_than_a_shingle_is_one_shingle() -> None:
    assert len(shingles(words("two words"), size=5, sample_mod=1)) == 1
    assert shingles(words(""), size=5, sample_mod=1) == ()


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="positive"):
        shingles(words("a b c"), size=0)


def test_containment_and_jaccard() -> None:
    a, b = frozenset({1, 2, 3, 4}), frozenset({3, 4, 5})
    assert containment(a, b) == 0.5
    assert containment(frozenset(), b) == 0.0
    assert jaccard(a, b) == pytest.approx(2 / 5)
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_containment_tracks_edits() -> None:
    whole = shingle_set(NORTHWIND)
    edited = shingle_set(NORTHWIND.replace("500 million", "900 million"))
    assert 0.8 < containment(whole, edited) < 1.0


def test_densest_run_ignores_a_stray_far_match() -> None:
    found = [Shingle(1, 0, 10), Shingle(2, 2000, 2010), Shingle(3, 2020, 2030)]
    found += [Shingle(9, 2040, 2050), Shingle(4, 2060, 2070)]
    run = densest_run(found, frozenset({1, 2, 3, 4}), gap=600)
    assert run is not None
    assert run.span == CharSpan(2000, 2070)
    assert run.hits == 3
    assert run.density == pytest.approx(3 / 4)
    assert densest_run(found, frozenset({42}), gap=600) is None


@pytest.mark.parametrize("seed", range(20))
def test_densest_run_through_an_index_is_the_same_run(seed: int) -> None:
    rng = random.Random(seed)
    found, start = [], 0
    for _ in range(300):
        start += rng.choice([5, 40, 700])  # some gaps break runs
        found.append(Shingle(rng.randrange(40), start, start + 30))
    index = ShingleIndex(found)
    for _ in range(10):
        reference = frozenset(rng.sample(range(60), rng.randint(0, 30)))
        expected = densest_run(found, reference, gap=600)
        assert densest_run(found, reference, 600, index) == expected
        assert index.hits(reference) == [s for s in found if s.value in reference]


def test_redaction_keeps_codes_and_numbers_but_not_wording() -> None:
    params = {
        "regions": ["EU", "US-CA"],
        "value": 700000000,
        "updatable": True,
        "text": "Powered by Northwind",
        "nested": [{"policy": "Northwind Use Rules", "metric": "monthly_active_users"}],
    }
    redacted = redact_params(params)
    assert redacted["regions"] == ["EU", "US-CA"]
    assert redacted["value"] == 700000000
    assert redacted["updatable"] is True
    assert redacted["nested"][0]["metric"] == "monthly_active_users"
    assert "Northwind" not in repr(redacted)
    assert redacted["text"].startswith("h:")
    # The digest is of the normalised words: markup and case do not matter.
    assert redact_params({"text": "**POWERED** by  Northwind"}) == {
        "text": redacted["text"]
    }


def test_canonical_ignores_list_order_and_singleton_lists() -> None:
    assert canonical({"regions": ["US", "EU"]}) == canonical({"regions": ["EU", "US"]})
    assert canonical({"kind": ["notice_file"]}) == canonical({"kind": "notice_file"})
    assert canonical({"a": None, "b": 1}) == canonical({"b": 1})


def test_param_changes_name_the_path_and_both_values() -> None:
    ref = redact_params(
        {"thresholds": [{"metric": "monthly_active_users", "value": 5}]}
    )
    ours = {"thresholds": [{"metric": "monthly_active_users", "value": 9}]}
    assert param_changes(ref, ours) == ["thresholds[0].value: 5 -> 9"]
    assert param_changes(ref, ref) == []


def test_param_changes_hide_reference_wording() -> None:
    ref = redact_params({"text": "Powered by Northwind"})
    assert param_changes(ref, {"text": "Powered by Northwind"}) == []
    assert param_changes(ref, {"text": "Built on Northwind"}) == [
        'text: "(reference wording)" -> "Built on Northwind"'
    ]
    assert param_changes({}, {"regions": ["EU"]}) == ['regions: (none) -> ["EU"]']
    listed = redact_params({"text": ["Powered by Northwind", "Northwind inside"]})
    assert param_changes(listed, {"text": "Northwind"}) == [
        'text: ["(reference wording)", "(reference wording)"] -> "Northwind"'
    ]


def test_no_word_character_changes_class_with_its_case() -> None:
    # `_TOKENS` ignores case only for markup and list markers; words are the
    # same either way only if no character's case variants fall on the
    # other side of WORD's classes
    sensitive = re.compile(rf"(?:{WORD.pattern})")
    insensitive = re.compile(rf"(?:{WORD.pattern})", re.IGNORECASE)
    differ = [
        char
        for char in map(chr, range(0x110000))
        if (sensitive.fullmatch(char) is None) != (insensitive.fullmatch(char) is None)
    ]
    assert differ == []


@pytest.mark.parametrize("seed", range(10))
def test_words_are_those_of_a_wholly_case_insensitive_scan(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["IV.", "(b)", "iv)", "<B>", "&AMP;", "&#39;", " ", "\n", "Word", "ÉTÉ"]
    pieces += ["straße", "中文", "ΣΟΦΙΑ", "K", "ǅ", "2.3.", "x", "_", "İ"]
    text = "".join(rng.choice(pieces) for _ in range(200))
    everywhere = re.compile(_TOKENS.pattern.replace("(?i:", "(?:"), re.IGNORECASE)
    assert _words_of(_TOKENS, text) == _words_of(everywhere, text)


def _words_of(pattern: re.Pattern[str], text: str) -> list[tuple[str, int, int]]:
    return [
        (m.group("word"), m.start(), m.end())
        for m in pattern.finditer(text)
        if m.group("word")
    ]
