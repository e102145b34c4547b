"""The shipped pattern data loads, and broken pattern data fails loudly at load time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extractors.engine import build_engine
from extractors.errors import ConfigError
from extractors.labels import ClauseType
from extractors.matching import TermMatcher
from extractors.parse import parse_bytes
from extractors.pattern_data import default_pattern_dir, load_patterns, load_regions
from extractors.types import DiscardReason

GOOD = """\
type: governing_law
terms:
  GOVERNED:
    phrases: ["governed by"]
  PLACE:
    tokens:
      - [{LOWER: delaware}]
rules:
  - id: law.test
    score: 0.9
    all: [GOVERNED, PLACE]
"""


def _write(directory: Path, **files: str) -> Path:
    for name, content in files.items():
        (directory / f"{name}.yml").write_text(content, encoding="utf-8")
    return directory


def test_shipped_patterns_load() -> None:
    patterns = load_patterns()
    assert patterns.rules
    assert patterns.terms
    assert len(patterns.sha256) == 64


def test_one_pattern_file_per_clause_type() -> None:
    names = {p.stem for p in default_pattern_dir().glob("*.yml")}
    assert names == {t.value for t in ClauseType} | {"common"}


def test_every_clause_type_has_a_rule() -> None:
    types = {rule.clause_type for rule in load_patterns().rules}
    assert types == set(ClauseType)


def test_rule_ids_are_unique() -> None:
    ids = Counter(rule.id for rule in load_patterns().rules)
    assert [rule_id for rule_id, n in ids.items() if n > 1] == []


def test_rules_are_well_formed() -> None:
    patterns = load_patterns()
    labels = {term.label for term in patterns.terms}
    for rule in patterns.rules:
        assert isinstance(rule.clause_type, ClauseType)
        assert 0.0 < rule.score <= 1.0
        assert rule.all or rule.any
        named = {*rule.all, *rule.none, *(x for group in rule.any for x in group)}
        assert named <= labels, rule.id


def test_term_masks_name_known_terms() -> None:
    patterns = load_patterns()
    labels = {term.label for term in patterns.terms}
    for term in patterns.terms:
        assert set(term.masks) <= labels, term.label


def test_shipped_token_patterns_compile() -> None:
    TermMatcher(load_patterns())


def test_region_gazetteer_codes() -> None:
    regions = load_regions()
    for code in ("EU", "EEA", "GB", "US", "CN", "HK", "KR"):
        assert regions[code]
    assert all(names == tuple(n.lower() for n in names) for names in regions.values())


def test_sha256_changes_with_the_data(tmp_path: Path) -> None:
    first = load_patterns(_write(tmp_path, law=GOOD)).sha256
    second = load_patterns(_write(tmp_path, law=GOOD.replace("0.9", "0.8"))).sha256
    assert first != second


def test_a_minimal_directory_builds_an_engine(tmp_path: Path) -> None:
    engine = build_engine(pattern_dir=_write(tmp_path, law=GOOD))
    assert [r.id for r in engine.tagger.patterns.rules] == ["law.test"]


BAD_FILES: list[tuple[str, dict[str, str], str]] = [
    (
        "unknown-label-in-rule",
        {"law": GOOD.replace("all: [GOVERNED, PLACE]", "all: [GOVERNED, PLACES]")},
        "PLACES",
    ),
    (
        "unknown-label-in-none",
        {"law": GOOD + "    none: [NEGATION]\n"},
        "NEGATION",
    ),
    (
        "duplicate-term",
        {
            "law": GOOD,
            "other": "terms:\n  GOVERNED:\n    phrases: [governs]\n",
        },
        "GOVERNED",
    ),
    (
        "duplicate-rule-id",
        {
            "law": GOOD,
            "more": "type: governing_law\nrules:\n"
            "  - {id: law.test, score: 0.5, all: [GOVERNED]}\n",
        },
        "law.test",
    ),
    (
        "unknown-clause-type",
        {"law": GOOD.replace("type: governing_law", "type: choice_of_law")},
        "choice_of_law",
    ),
    ("rules-without-type", {"law": GOOD.replace("type: governing_law\n", "")}, "type"),
    (
        "unknown-key",
        {"law": GOOD.replace("    score: 0.9", "    score: 0.9\n    weight: 2")},
        "weight",
    ),
    ("score-above-one", {"law": GOOD.replace("0.9", "1.5")}, "score"),
    (
        "rule-requires-nothing",
        {"law": GOOD.replace("    all: [GOVERNED, PLACE]", "    none: [PLACE]")},
        "requires no term",
    ),
    (
        "empty-term",
        {"law": GOOD.replace('    phrases: ["governed by"]', "    phrases: []")},
        "GOVERNED",
    ),
    (
        "unknown-gazetteer",
        {"law": GOOD.replace('phrases: ["governed by"]', "gazetteer: planets")},
        "planets",
    ),
    ("not-yaml", {"law": "terms: [unclosed\n"}, "law.yml"),
]


@pytest.mark.parametrize(
    ("files", "needle"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_pattern_file_is_config_error(
    tmp_path: Path, files: dict[str, str], needle: str
) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_patterns(_write(tmp_path, **files))


def test_empty_directory_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no pattern files"):
        load_patterns(tmp_path)


@pytest.mark.parametrize(
    "pattern",
    [
        "[{LOWER: delaware, COLOUR: red}]",  # unknown token attribute
        "[{LOWER: {REGEX: 5}}]",  # wrong value type
        "[{OP: '~'}]",  # bad operator
    ],
)
def test_bad_token_pattern_is_config_error(tmp_path: Path, pattern: str) -> None:
    directory = _write(tmp_path, law=GOOD.replace("[{LOWER: delaware}]", pattern))
    with pytest.raises(ConfigError, match="law.yml: term PLACE"):
        build_engine(pattern_dir=directory)


def test_unknown_mask_label_is_config_error(tmp_path: Path) -> None:
    bad = GOOD.replace(
        '    phrases: ["governed by"]',
        '    phrases: ["governed by"]\n    masks: [NOPE]',
    )
    with pytest.raises(ConfigError, match="NOPE"):
        load_patterns(_write(tmp_path, law=bad))


def test_duplicate_key_is_config_error(tmp_path: Path) -> None:
    # YAML would silently keep the last `phrases`; the loader must refuse it.
    bad = GOOD.replace(
        '    phrases: ["governed by"]',
        '    phrases: ["governed by"]\n    phrases: ["construed under"]',
    )
    with pytest.raises(ConfigError, match="duplicate key 'phrases'"):
        load_patterns(_write(tmp_path, law=bad))


def test_phrase_alternatives_expand(tmp_path: Path) -> None:
    text = GOOD.replace('["governed by"]', '["{governed|construed} {by|under}"]')
    patterns = load_patterns(_write(tmp_path, law=text))
    governed = next(t for t in patterns.terms if t.label == "GOVERNED")
    assert sorted(governed.phrases) == [
        "construed by",
        "construed under",
        "governed by",
        "governed under",
    ]


def test_bad_regex_is_config_error(tmp_path: Path) -> None:
    bad = GOOD.replace('    phrases: ["governed by"]', '    regex: ["(unclosed"]')
    with pytest.raises(ConfigError, match="bad regex"):
        load_patterns(_write(tmp_path, law=bad))


def test_items_inherit_only_the_terms_marked_lead_in(tmp_path: Path) -> None:
    # the data, not the tagger, says which terms a list item takes from its lead-in
    law = GOOD.replace("  GOVERNED:\n", "  GOVERNED:\n    lead_in: true\n")
    text = "Terms\n\nThis agreement is governed by the laws of:\n- Delaware.\n"
    found = []
    for content in (GOOD, law):
        engine = build_engine(pattern_dir=_write(tmp_path, law=content))
        document = parse_bytes(text.encode(), name="t.txt")
        clauses, _ = engine.tag(document)
        found.append([document.text[c.span.start : c.span.end] for c in clauses])
    assert "Delaware." not in found[0]
    assert "Delaware." in found[1]
    assert load_patterns(_write(tmp_path, law=law)).lead_in_labels == {"GOVERNED"}


def test_a_veto_reason_comes_from_the_vetoing_term(tmp_path: Path) -> None:
    # the reason a vetoed candidate is dropped is declared on the term, not
    # guessed from its label: the same label, two declared reasons
    text = "Terms\n\nThis blog post is governed by the laws of Delaware.\n"
    reasons = []
    for declared in ("", "    veto: look-alike\n"):
        law = GOOD.replace(
            "  PLACE:\n", f"  BLOG:\n    phrases: [blog]\n{declared}  PLACE:\n"
        ).replace("all: [GOVERNED, PLACE]", "all: [GOVERNED, PLACE]\n    none: [BLOG]")
        engine = build_engine(pattern_dir=_write(tmp_path, law=law), identify=False)
        result = engine.analyze(parse_bytes(text.encode(), name="t.txt"), explain=True)
        assert result.clauses == ()
        reasons.append([item.reason for item in result.discarded])
    assert reasons == [[DiscardReason.NEGATED], [DiscardReason.LOOK_ALIKE]]


def test_a_veto_reason_on_a_term_no_rule_vetoes_with_is_config_error(
    tmp_path: Path,
) -> None:
    law = GOOD.replace("  PLACE:\n", "  PLACE:\n    veto: look-alike\n")
    with pytest.raises(ConfigError, match="PLACE declares veto: look-alike"):
        load_patterns(_write(tmp_path, law=law))
