from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.errors import ConfigError
from extractors.identify.fingerprint import text_sha256
from extractors.identify.index import (
    index_to_dict,
    load_default_index,
    load_index,
    parse_index,
    save_index,
)
from extractors.labels import ClauseType

from . import NORTHWIND, make_index


def test_entries_carry_names_hash_shingles_and_clause_records() -> None:
    index = make_index()
    north = index.entries[0]
    assert (north.family, north.version, north.kind) == ("northwind", "1", "license")
    assert north.sha256 == text_sha256(NORTHWIND)
    assert north.shingles == index.fingerprint(NORTHWIND)
    assert all(h % index.sample_mod == 0 for h in north.shingles)
    types = [record.clause_type for record in north.clauses]
    assert types == [
        ClauseType.USAGE_THRESHOLD,
        ClauseType.ATTRIBUTION,
        ClauseType.AUP_INCORPORATION,
        ClauseType.LITIGATION_TERMINATION,
        ClauseType.GOVERNING_LAW,
    ]
    assert north.clauses[0].params["thresholds"][0]["value"] == 500_000_000
    assert index.with_sha256(north.sha256) == (north,)
    assert index.with_sha256("0" * 64) == ()


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = make_index()
    path = tmp_path / "data" / "index.json"
    save_index(index, path)
    assert load_index(path) == index


def test_saved_index_holds_no_license_wording(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    save_index(make_index(), path)
    raw = path.read_text(encoding="utf-8")
    for phrase in ("monthly active users", "Powered by Northwind", "Use Rules"):
        assert phrase not in raw
    attribution = json.loads(raw)["entries"][0]["clauses"][1]["params"]
    assert attribution["kind"] == "display_notice"
    assert attribution["text"].startswith("h:")


def test_index_json_is_stable() -> None:
    assert json.dumps(index_to_dict(make_index())) == json.dumps(
        index_to_dict(make_index())
    )


def test_invalid_index_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is invalid"):
        parse_index('{"format": 1}', "test.json")
    data = index_to_dict(make_index())
    with pytest.raises(ConfigError, match="rebuild it"):
        parse_index(json.dumps(data | {"format": 99}), "test.json")
    with pytest.raises(ConfigError, match="shingle settings"):
        parse_index(json.dumps(data | {"sample_mod": 0}), "test.json")
    bad_type = json.loads(json.dumps(data))
    bad_type["entries"][0]["clauses"][0]["type"] = "no_such_clause"
    with pytest.raises(ConfigError, match="is invalid"):
        parse_index(json.dumps(bad_type), "test.json")
    with pytest.raises(ConfigError, match="cannot read"):
        load_index(tmp_path / "missing.json")


def test_default_index_is_shipped_and_cached() -> None:
    index = load_default_index()
    assert index is load_default_index()
    assert len(index.entries) > 10
    assert {"license", "aup"} >= {entry.kind for entry in index.entries}
    assert all(len(entry.sha256) == 64 for entry in index.entries)
