"""The engine's public API: every exported name exists, and the list is sorted."""

import extractors


def test_all_names_exist_and_are_sorted() -> None:
    assert extractors.__all__ == sorted(extractors.__all__)
    for name in extractors.__all__:
        assert getattr(extractors, name) is not None


def test_public_api_scans_a_document() -> None:
    document = extractors.parse_bytes(
        b"This Agreement is governed by the laws of the State of New York.",
        name="terms.txt",
    )
    result = extractors.build_engine(identify=False).analyze(document)
    data = extractors.result_to_dict(result, name="terms.txt")
    assert [c["type"] for c in data["clauses"]] == ["governing_law"]
    assert data["clauses"][0]["params"] == {"jurisdiction": "US-NY"}
