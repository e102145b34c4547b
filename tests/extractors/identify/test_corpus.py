"""The shipped index against the labelled corpus it was built from."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from extractors.identify.build import REFERENCE_KINDS, reference_document
from extractors.identify.index import load_default_index
from extractors.identify.match import identify

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
INDEX_FILE = resources.files("extractors").joinpath("data/known_licenses.json")

pytestmark = pytest.mark.corpus


def _manifest() -> list[dict[str, str]]:
    if not (CORPUS / "manifest.json").exists():
        pytest.skip("the labelled corpus is not available")
    items: list[dict[str, str]] = json.loads(
        (CORPUS / "manifest.json").read_text(encoding="utf-8")
    )
    return [item for item in items if item["kind"] in REFERENCE_KINDS]


def test_index_file_is_small() -> None:
    assert len(INDEX_FILE.read_bytes()) < 1_500_000


def test_index_holds_codes_and_digests_only() -> None:
    data = json.loads(INDEX_FILE.read_text(encoding="utf-8"))
    strings: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            strings.append(value)

    for entry in data["entries"]:
        for clause in entry["clauses"]:
            walk(clause["params"])
    assert strings
    assert all(
        re.fullmatch(r"h:[0-9a-f]{8}|[A-Za-z0-9_.:+-]{1,32}", s) for s in strings
    )


def test_every_indexed_license_is_identified_exactly() -> None:
    items = _manifest()
    index = load_default_index()
    by_file = {entry.file: entry for entry in index.entries}
    assert sorted(by_file) == sorted(item["file"] for item in items)
    for item in items:
        result = identify(reference_document(CORPUS, item["file"]), [], index)
        assert result.status == "exact", item["file"]
        # Some texts are published twice word for word (one Apache 2.0 text
        # under two model names): any entry with the same text is right.
        twins = index.with_sha256(by_file[item["file"]].sha256)
        names = {(entry.family, entry.version) for entry in twins}
        assert (result.family, result.version) in names, item["file"]
        assert (item["family"], item["version"]) in names
        listed = {(c.entry.family, c.entry.version) for c in result.candidates}
        assert (item["family"], item["version"]) in listed


def test_shipped_index_matches_the_corpus_texts() -> None:
    items = {item["file"]: item for item in _manifest()}
    for entry in load_default_index().entries:
        item = items[entry.file]
        assert (entry.family, entry.version, entry.title) == (
            item["family"],
            item["version"],
            item["title"],
        )
