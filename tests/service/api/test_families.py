"""License families: version history, diffs against the previous version, compare."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.families import natural_key
from tests.licenses import credit, eu_exclusion, grant, license_text, threshold
from tests.service.api.helpers import Tenant, assert_problem, upload

V1_SECTIONS = [
    ("Grant", grant("Brightwater")),
    ("Scale", threshold("Brightwater")),
    ("Attribution", credit("Brightwater", notice="Powered by")),
]
V1 = license_text("Brightwater Community Model License, version 1", V1_SECTIONS)
V2 = license_text(
    "Brightwater Community Model License, version 2",
    [
        *V1_SECTIONS[:1],
        ("Scale", threshold("Brightwater", users="1 billion")),
        *V1_SECTIONS[2:],
        ("Region", eu_exclusion("Brightwater")),
    ],
)
FAMILY = "brightwater"


def _file(client: TestClient, tenant: Tenant, text: str, **form: str) -> str:
    response = upload(
        client, tenant, text, name=f"bw-{form.get('version')}.txt", **form
    )
    assert response.status_code == 201, response.text
    document_id: str = response.json()["id"]
    return document_id


@pytest.fixture
def versions(client: TestClient, tenant_a: Tenant) -> tuple[str, str]:
    """Upload version 1 and version 2 of the Brightwater license for tenant A."""
    return (
        _file(client, tenant_a, V1, family=FAMILY, version="1"),
        _file(client, tenant_a, V2, family=FAMILY, version="2"),
    )


def _get(client: TestClient, tenant: Tenant, path: str, **params: str) -> Any:
    return client.get(path, params=params, headers=tenant.headers)


def _text(client: TestClient, tenant: Tenant, document_id: str) -> str:
    response = _get(client, tenant, f"/v1/documents/{document_id}/text")
    assert response.status_code == 200
    text: str = response.text
    return text


def _cited(side: dict[str, Any], text: str) -> dict[str, Any]:
    assert text[side["start"] : side["end"]] == side["quote"]
    assert text.count("\n", 0, side["start"]) + 1 == side["line"]
    return side


def _only(body: dict[str, Any], kind: str, clause_type: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        c
        for c in body["changes"]
        if (c["kind"], c["clause_type"]) == (kind, clause_type)
    ]
    assert len(found) == 1, body["changes"]
    return found[0]


def test_natural_sort_of_version_labels() -> None:
    labels = ["10", "3.2", "v2", "3", "3.1-rc1", "3.1", None, "V10"]
    ordered = sorted(labels, key=natural_key)
    assert ordered == [None, "3", "3.1", "3.1-rc1", "3.2", "10", "v2", "V10"]


def test_families_and_version_history_in_natural_order(
    client: TestClient, tenant_a: Tenant
) -> None:
    for i, version in enumerate(("10", "3.1", "3.2", "3", "3.1")):
        _file(
            client,
            tenant_a,
            f"{V1}\nRevision {i}.\n",
            family="x",
            version=version,
        )
    _file(client, tenant_a, V1, family="other", version="1")
    body = _get(client, tenant_a, "/v1/families").json()
    assert body == {
        "data": [{"name": "other", "versions": 1}, {"name": "x", "versions": 5}],
        "count": 2,
    }
    history = _get(client, tenant_a, "/v1/families/x/versions").json()
    assert history["family"] == "x" and history["count"] == 5
    labels = [v["version"] for v in history["data"]]
    assert labels == ["3", "3.1", "3.1", "3.2", "10"]
    # Equal labels keep upload order; the label names the latest of them.
    first, second = history["data"][1:3]
    assert first["uploaded"] <= second["uploaded"]
    diff = _get(client, tenant_a, "/v1/families/x/diff", **{"from": "3.1", "to": "3.2"})
    assert diff.json()["old_document"]["document_id"] == second["document_id"]
    assert all(v["latest_scan_id"] is None for v in history["data"])
    assert [v["name"] for v in history["data"]][0] == "bw-3.txt"


def test_diff_previous_cites_the_threshold_change_and_the_new_eu_exclusion(
    client: TestClient, tenant_a: Tenant, versions: tuple[str, str]
) -> None:
    old_id, new_id = versions
    response = _get(client, tenant_a, f"/v1/documents/{new_id}/diff-previous")
    assert response.status_code == 200, response.text
    body = response.json()
    old_text, new_text = (_text(client, tenant_a, i) for i in versions)
    assert body["old_document"]["document_id"] == old_id
    assert body["new_document"]["document_id"] == new_id
    assert (body["old_document"]["version"], body["new_document"]["version"]) == (
        "1",
        "2",
    )
    threshold = _only(body, "changed", "usage_threshold")
    assert threshold["param_changes"] == [
        {"path": "thresholds[0].value", "old": 700_000_000, "new": 1_000_000_000}
    ]
    assert "700 million" in _cited(threshold["old"], old_text)["quote"]
    assert "1 billion" in _cited(threshold["new"], new_text)["quote"]
    added = _only(body, "added", "geographic_restriction")
    assert added["old"] is None
    assert added["new"]["params"] == {"regions": ["EU"], "mode": "excluded"}
    assert "European Union" in _cited(added["new"], new_text)["quote"]
    assert body["counts"] == {"changed": 1, "added": 1, "removed": 0, "unchanged": 1}
    # Neither version had a scan: both were scanned on demand, and kept.
    history = _get(client, tenant_a, f"/v1/families/{FAMILY}/versions").json()
    scan_ids = [v["latest_scan_id"] for v in history["data"]]
    assert scan_ids == [
        body["old_document"]["scan_id"],
        body["new_document"]["scan_id"],
    ]


def test_family_diff_defaults_to_previous_and_latest(
    client: TestClient, tenant_a: Tenant, versions: tuple[str, str]
) -> None:
    default = _get(client, tenant_a, f"/v1/families/{FAMILY}/diff").json()
    explicit = _get(
        client, tenant_a, f"/v1/families/{FAMILY}/diff", **{"from": "1", "to": "2"}
    ).json()
    assert default == explicit
    assert default["new_document"]["document_id"] == versions[1]
    backwards = _get(
        client, tenant_a, f"/v1/families/{FAMILY}/diff", **{"from": "2", "to": "1"}
    ).json()
    removed = _only(backwards, "removed", "geographic_restriction")
    assert removed["new"] is None and removed["old"]["params"]["mode"] == "excluded"


def test_compare_any_two_documents_as_markdown(
    client: TestClient, tenant_a: Tenant, versions: tuple[str, str]
) -> None:
    old_id, new_id = versions
    response = _get(
        client, tenant_a, "/v1/compare", old=old_id, new=new_id, format="markdown"
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    report = response.text
    assert report.startswith("# Changes from bw-1.txt (brightwater 1) to bw-2.txt")
    assert "thresholds[0].value 700,000,000 → 1,000,000,000" in report
    assert "## Added clauses" in report and "geographic_restriction added" in report
    as_json = _get(client, tenant_a, "/v1/compare", old=old_id, new=new_id).json()
    assert as_json["counts"]["changed"] == 1


def test_another_tenants_family_and_documents_are_404(
    client: TestClient, tenant_a: Tenant, tenant_b: Tenant, versions: tuple[str, str]
) -> None:
    old_id, new_id = versions
    assert _get(client, tenant_b, "/v1/families").json() == {"data": [], "count": 0}
    for path in (f"/v1/families/{FAMILY}/versions", f"/v1/families/{FAMILY}/diff"):
        assert_problem(_get(client, tenant_b, path), 404, slug="not-found")
    diff_prev = _get(client, tenant_b, f"/v1/documents/{new_id}/diff-previous")
    assert_problem(diff_prev, 404, slug="not-found")
    mine = _file(client, tenant_b, V2)
    for old, new in ((old_id, mine), (mine, new_id)):
        response = _get(client, tenant_b, "/v1/compare", old=old, new=new)
        body = assert_problem(response, 404, slug="not-found")
        assert mine not in body["detail"]


def test_unknown_family_missing_versions_and_bad_labels(
    client: TestClient, tenant_a: Tenant, versions: tuple[str, str]
) -> None:
    body = assert_problem(
        _get(client, tenant_a, "/v1/families/nope/versions"), 404, slug="not-found"
    )
    assert body["detail"] == "no family named 'nope'"
    bad = _get(client, tenant_a, f"/v1/families/{FAMILY}/diff", **{"from": "7"})
    body = assert_problem(bad, 422, slug="unknown-version")
    assert "has no version '7'; its versions: 1, 2" in body["detail"]
    first = _get(client, tenant_a, f"/v1/documents/{versions[0]}/diff-previous")
    assert_problem(first, 404, slug="no-previous-version")
    only_first = _get(client, tenant_a, f"/v1/families/{FAMILY}/diff", to="1")
    assert_problem(only_first, 404, slug="no-previous-version")
    loose = _file(client, tenant_a, "Some terms.\nNothing else.\n")
    body = assert_problem(
        _get(client, tenant_a, f"/v1/documents/{loose}/diff-previous"), 404
    )
    assert "belongs to no family" in body["detail"]
    fmt = _get(client, tenant_a, f"/v1/families/{FAMILY}/diff", format="pdf")
    assert_problem(fmt, 422, slug="invalid-request")
