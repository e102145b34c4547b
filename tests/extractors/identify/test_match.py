from __future__ import annotations

import json

import pytest

from extractors.identify.match import EMBEDDED_MIN, identify
from extractors.labels import ClauseType

from . import (
    CLAIMS,
    CREDIT,
    LUMEN,
    NORTHWIND,
    THRESHOLD,
    document,
    lumen_tags,
    make_index,
    northwind_tags,
    sentence,
    tag,
    threshold,
)

GEO = "You may not use the weights anywhere in the European Union."

CARD_INTRO = "\n".join(
    f"Northwind-7B result {i}: benchmark suite {i} scored {i * 3} points "
    f"on held-out split number {i}."
    for i in range(40)
)
CARD_OUTRO = "\n".join(
    f"Training run {i} used batch size {i * 8} and finished on day {i}."
    for i in range(30)
)
CARD_CLAUSE = "Commercial use of Northwind-7B needs written permission from us."


def _card(license_text: str) -> str:
    return (
        f"# Northwind-7B\n\n{CARD_INTRO}\n\n{CARD_CLAUSE}\n\n"
        f"## License\n\n{license_text}\n## Training\n\n{CARD_OUTRO}\n"
    )


def _modified() -> str:
    """Northwind with a raised threshold, a new clause and no claims clause."""
    claims = sentence(NORTHWIND, CLAIMS)
    text = NORTHWIND[: claims.start] + NORTHWIND[claims.end :]
    text = text.replace("500 million", "900 million")
    return text.replace("6. Law.", f"6. Territory. {GEO}\n\n7. Law.")


@pytest.mark.parametrize(
    "variant",
    [
        NORTHWIND.replace("\n", "\r\n"),
        " ".join(NORTHWIND.split()),
        NORTHWIND.replace('"Powered by Northwind"', "“Powered by Northwind”"),
        NORTHWIND.upper(),
        NORTHWIND.replace("NORTHWIND MODEL", "# NORTHWIND MODEL")
        .replace("1. Grant.", "- **Grant.**")
        .replace("2. Scale", "(b) Scale"),
    ],
    ids=["crlf", "rewrapped", "curly-quotes", "upper-case", "markdown"],
)
def test_reformatted_copy_is_exact(variant: str) -> None:
    result = identify(document(variant), [], make_index())
    assert result.status == "exact"
    assert (result.family, result.version) == ("northwind", "1")
    assert result.title == "Northwind Model License"
    assert result.similarity == 1.0
    assert result.differences == ()
    assert result.candidates[0].entry.file == "northwind.txt"


def test_modified_copy_lists_changed_added_and_removed_clauses() -> None:
    text = _modified()
    clauses = [*northwind_tags(text, value=900_000_000)]
    clauses.append(
        tag(
            text,
            GEO,
            ClauseType.GEOGRAPHIC_RESTRICTION,
            regions=["EU"],
            mode="excluded",
        )
    )
    result = identify(document(text), clauses, make_index())
    assert result.status == "modified"
    assert result.family == "northwind"
    assert 0.6 <= result.similarity < 1.0
    found = {(d.kind, d.clause_type) for d in result.differences}
    assert found == {
        ("changed", ClauseType.USAGE_THRESHOLD),
        ("added", ClauseType.GEOGRAPHIC_RESTRICTION),
        ("removed", ClauseType.LITIGATION_TERMINATION),
    }
    changed = next(d for d in result.differences if d.kind == "changed")
    assert "700000000" not in changed.detail
    assert "thresholds[0].value: 500000000 -> 900000000" in changed.detail
    assert changed.reference_params is not None
    assert changed.citation is not None
    changed.citation.verify(document(text))
    assert "900 million" in changed.citation.quote
    added = next(d for d in result.differences if d.kind == "added")
    assert added.citation is not None and added.citation.quote == GEO
    assert added.params == {"regions": ["EU"], "mode": "excluded"}
    removed = next(d for d in result.differences if d.kind == "removed")
    assert removed.params is None and removed.citation is None


def test_unchanged_clauses_of_a_modified_copy_are_not_reported() -> None:
    text = NORTHWIND.replace("royalty-free", "royalty-free and perpetual")
    result = identify(document(text), northwind_tags(text), make_index())
    assert result.status == "modified"
    assert result.differences == ()


def test_changed_quoted_text_is_reported_without_the_reference_wording() -> None:
    text = NORTHWIND.replace("Powered by Northwind", "Runs on Northwind")
    clauses = [
        t
        if t.clause_type != ClauseType.ATTRIBUTION
        else tag(
            text,
            "Anyone who ships",
            ClauseType.ATTRIBUTION,
            kind="display_notice",
            text="Runs on Northwind",
        )
        for t in northwind_tags(text)
    ]
    result = identify(document(text), clauses, make_index())
    assert [d.kind for d in result.differences] == ["changed"]
    assert result.differences[0].detail == (
        'attribution: text: "(reference wording)" -> "Runs on Northwind"'
    )


def test_a_reworded_clause_with_equal_params_is_reported() -> None:
    old = "The laws of the State of Oregon govern this license."
    new = "Any quarrel about these terms is settled under Oregon statutes."
    text = NORTHWIND.replace(old, new)
    clauses = [t for t in northwind_tags(NORTHWIND) if t.clause_type != "governing_law"]
    clauses = [
        *(
            tag(text, text[t.span.start : t.span.start + 30], t.clause_type, **t.params)
            for t in clauses
        ),
        tag(text, "Any quarrel", ClauseType.GOVERNING_LAW, jurisdiction="US-OR"),
    ]
    result = identify(document(text), clauses, make_index())
    assert [(d.kind, d.clause_type) for d in result.differences] == [
        ("changed", ClauseType.GOVERNING_LAW)
    ]
    assert "wording differs" in result.differences[0].detail


def test_unrelated_text_is_unknown() -> None:
    text = (
        "Preheat the oven to two hundred degrees. Mix the flour, butter and sugar "
        "until the dough is smooth, then rest it in the fridge for an hour before "
        "rolling it out thinly and cutting it into rounds for the tart tins."
    )
    result = identify(document(text), [], make_index())
    assert result.status == "unknown"
    assert result.family is None and result.title is None
    assert result.differences == ()
    assert result.similarity < 0.3


def test_empty_index_gives_unknown() -> None:
    from extractors.identify.index import LicenseIndex

    result = identify(document(NORTHWIND), [], LicenseIndex(()))
    assert result.status == "unknown"
    assert result.candidates == ()


def test_license_inside_a_model_card_is_embedded() -> None:
    text = _card(NORTHWIND)
    doc = document(text, media="text/markdown")
    outside = tag(
        text,
        CARD_CLAUSE,
        ClauseType.COMMERCIAL_RESTRICTION,
        scope="permission_required",
    )
    result = identify(doc, [outside, *northwind_tags(text)], make_index())
    assert result.status == "embedded"
    assert result.family == "northwind"
    assert result.similarity >= EMBEDDED_MIN
    assert result.region is not None
    # The region may open at the card's own "## License" heading just above
    # the copied title, never in the card text before it.
    start = text.index("NORTHWIND MODEL LICENSE")
    assert text.index("## License") <= result.region.start <= start
    assert result.region.end <= text.index("## Training")
    # The card's own clause lies outside the license: not an "added" clause.
    assert result.differences == ()


def test_part_of_a_license_inside_a_model_card_is_embedded() -> None:
    half = NORTHWIND[: NORTHWIND.index("4. Policy.")]
    text = _card(half)
    clauses = [
        tag(text, THRESHOLD, ClauseType.USAGE_THRESHOLD, **threshold(500_000_000)),
        tag(
            text,
            CREDIT,
            ClauseType.ATTRIBUTION,
            kind="display_notice",
            text="Powered by Northwind",
        ),
    ]
    result = identify(document(text), clauses, make_index())
    assert result.status == "embedded"
    assert 0.3 <= result.similarity < EMBEDDED_MIN
    removed = {d.clause_type for d in result.differences if d.kind == "removed"}
    assert removed == {
        ClauseType.AUP_INCORPORATION,
        ClauseType.LITIGATION_TERMINATION,
        ClauseType.GOVERNING_LAW,
    }


def test_candidates_rank_the_closer_license_first() -> None:
    result = identify(document(LUMEN), lumen_tags(LUMEN), make_index())
    assert result.status == "exact"
    assert [c.entry.file for c in result.candidates] == ["lumen.txt", "northwind.txt"]
    assert result.candidates[1].score < 0.3


def test_to_dict_is_json() -> None:
    text = _modified()
    result = identify(document(text), northwind_tags(text, 900_000_000), make_index())
    data = json.loads(json.dumps(result.to_dict()))
    assert data["status"] == "modified"
    assert data["family"] == "northwind" and data["version"] == "1"
    assert len(data["candidates"]) == 2
    assert set(data["candidates"][0]) >= {"family", "version", "title", "score"}
    kinds = {d["kind"] for d in data["differences"]}
    assert kinds == {"changed", "removed"}
    diff = data["differences"][0]
    assert set(diff) >= {"kind", "clause_type", "reference_params", "params", "detail"}
    assert data["region"][0] < data["region"][1]
