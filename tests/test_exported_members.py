"""The engine's public API: every exported name exists, and the list is sorted."""

import extractors


def test_every_exported_name_resolves() -> None:
    for name in extractors.__all__:
        assert getattr(extractors, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        extractors.nope  # noqa: B018


def test_public_api_scans_a_document() -> None:
    document = extractors.parse_bytes(
        b"This Agreement is governed by the laws of the State of New York.",
        name="terms.txt",
    )
    result = extractors.build_engine(identify=False).analyze(document)
    data = extractors.result_to_dict(result, name="terms.txt")
    assert [c["type"] for c in data["clauses"]] == ["governing_law"]
    assert data["clauses"][0]["params"] == {"jurisdiction": "US-NY"}
