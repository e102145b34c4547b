"""License families: version history, diffs against the previous version, compare."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from service.auth.tables import TenantRecord
from service.db import alembic_config, make_engine
from service.documents import labels as document_labels
from service.documents.tables import DocumentRecord
from service.families.versions import natural_key
from service.scans.tables import ScanRecord
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
    for i, version in enumerate(("10", "3.1", "3.2", "3", "3.01")):
        _file(client, tenant_a, f"{V1}\nRevision {i}.\n", family="x", version=version)
    draft = upload(client, tenant_a, f"{V1}\nDraft.\n", name="draft.txt", family="x")
    assert draft.status_code == 201, draft.text  # unversioned: holds no label
    _file(client, tenant_a, V1, family="other", version="1")
    body = _get(client, tenant_a, "/v1/families").json()
    assert body == {
        "data": [{"name": "other", "versions": 1}, {"name": "x", "versions": 6}],
        "count": 2,
    }
    history = _get(client, tenant_a, "/v1/families/x/versions").json()
    assert history["family"] == "x" and history["count"] == 6
    labels = [v["version"] for v in history["data"]]
    assert labels == [None, "3", "3.1", "3.01", "3.2", "10"]
    # Labels equal by natural sort ("3.1", "3.01") keep upload order, and each
    # still names its own document.
    first, second = history["data"][2:4]
    assert first["uploaded"] <= second["uploaded"]
    diff = _get(client, tenant_a, "/v1/families/x/diff", **{"from": "3.1", "to": "3.2"})
    assert diff.json()["old_document"]["document_id"] == first["document_id"]
    assert all(v["latest_scan_id"] is None for v in history["data"])
    assert [v["name"] for v in history["data"]][1] == "bw-3.txt"


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


def _documents(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    body: dict[str, Any] = _get(client, tenant, "/v1/documents").json()
    return list(body["data"])


def _names(body: dict[str, Any], document_id: str) -> None:
    """The problem names the document in the way: its id and a link to it."""
    assert body["existing_document_id"] == document_id
    assert body["existing_document_url"] == f"/v1/documents/{document_id}"
    assert document_id in body["detail"]


def test_a_taken_version_label_is_a_409_naming_its_document(
    client: TestClient, tenant_a: Tenant, versions: tuple[str, str]
) -> None:
    old_id, _ = versions
    before = _documents(client, tenant_a)
    other = f"{V2}\nA third text.\n"
    by_file = upload(client, tenant_a, other, family=FAMILY, version="1")
    _names(assert_problem(by_file, 409, slug="version-taken"), old_id)
    by_json = client.post(
        "/v1/documents/text",
        json={"text": other, "family": FAMILY, "version": "1"},
        headers=tenant_a.headers,
    )
    _names(assert_problem(by_json, 409, slug="version-taken"), old_id)
    assert _documents(client, tenant_a) == before  # nothing stored
    diff = _get(client, tenant_a, f"/v1/families/{FAMILY}/diff", **{"from": "1"})
    assert diff.json()["old_document"]["document_id"] == old_id
    # The same label in another family, or with no family, is free.
    assert (
        upload(client, tenant_a, other, family="else", version="1").status_code == 201
    )


def test_same_bytes_with_other_labels_is_a_409_and_same_labels_a_200(
    client: TestClient, tenant_a: Tenant, versions: tuple[str, str]
) -> None:
    old_id, _ = versions
    for form in ({"family": FAMILY, "version": "3"}, {"family": "else"}):
        again = upload(client, tenant_a, V1, **form)
        body = assert_problem(again, 409, slug="already-stored")
        _names(body, old_id)
        assert f"PATCH /v1/documents/{old_id}" in body["detail"]
    for form in ({}, {"family": FAMILY}, {"family": FAMILY, "version": "1"}):
        same = upload(client, tenant_a, V1, **form)
        assert same.status_code == 200, (form, same.text)
        assert (same.json()["id"], same.json()["version"]) == (old_id, "1")
    loose = upload(client, tenant_a, "Loose terms.\nNothing else.\n")
    assert loose.status_code == 201
    labelled = upload(client, tenant_a, "Loose terms.\nNothing else.\n", version="2")
    _names(assert_problem(labelled, 409, slug="already-stored"), loose.json()["id"])


def test_patch_files_a_stored_document_under_other_labels(
    client: TestClient, tenant_a: Tenant, tenant_b: Tenant, versions: tuple[str, str]
) -> None:
    old_id, new_id = versions
    scan_id = client.post(
        f"/v1/documents/{old_id}/scans", headers=tenant_a.headers
    ).json()["id"]

    def patch(document_id: str, body: dict[str, Any], tenant: Tenant = tenant_a) -> Any:
        return client.patch(
            f"/v1/documents/{document_id}", json=body, headers=tenant.headers
        )

    taken = patch(old_id, {"version": "2"})
    _names(assert_problem(taken, 409, slug="version-taken"), new_id)
    moved = patch(old_id, {"version": "0.9", "tags": ["draft", "draft", "eu"]})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["family"], moved.json()["version"]) == (FAMILY, "0.9")
    assert moved.json()["tags"] == ["draft", "eu"]
    history = _get(client, tenant_a, f"/v1/families/{FAMILY}/versions").json()
    assert [v["version"] for v in history["data"]] == ["0.9", "2"]
    assert history["data"][0]["latest_scan_id"] == scan_id  # scans are kept
    # The freed label can be taken again; its own label is no conflict.
    assert patch(new_id, {"version": "1"}).status_code == 200
    assert patch(new_id, {"family": FAMILY, "version": "1"}).status_code == 200
    # Re-uploading the bytes with their new labels is the stored document.
    assert upload(client, tenant_a, V1, family=FAMILY, version="0.9").status_code == 200
    cleared = patch(old_id, {"family": None, "version": None})
    assert cleared.json()["family"] is None and cleared.json()["tags"] == [
        "draft",
        "eu",
    ]
    assert_problem(patch(old_id, {"colour": "red"}), 422, slug="invalid-request")
    assert_problem(patch(old_id, {"version": ""}), 422, slug="invalid-request")
    assert_problem(patch(old_id, {"version": "7"}, tenant_b), 404, slug="not-found")


def test_a_label_taken_by_a_concurrent_request_is_a_409_from_the_database(
    client: TestClient,
    tenant_a: Tenant,
    versions: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check before the insert misses the label (another request's commit
    lands in between): the unique index refuses the row, and that is a 409."""
    old_id, new_id = versions
    real = document_labels.version_holder
    misses: list[int] = []

    def late(*args: Any, **kwargs: Any) -> Any:
        if not misses:
            misses.append(1)
            return None
        return real(*args, **kwargs)

    monkeypatch.setattr(document_labels, "version_holder", late)
    other = f"{V2}\nA third text.\n"
    raced = upload(client, tenant_a, other, family=FAMILY, version="1")
    _names(assert_problem(raced, 409, slug="version-taken"), old_id)
    assert len(_documents(client, tenant_a)) == 2
    misses.clear()
    moved = client.patch(
        f"/v1/documents/{new_id}", json={"version": "1"}, headers=tenant_a.headers
    )
    _names(assert_problem(moved, 409, slug="version-taken"), old_id)
    assert misses == [1]
    kept = _get(client, tenant_a, f"/v1/documents/{new_id}").json()
    assert kept["version"] == "2"


def _migrate(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_migration_relabels_older_duplicates_and_keeps_their_scans(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    try:
        _migrate(engine, "0002_jobs_batches")
        with Session(engine) as session:
            tenant, other = TenantRecord(name="dupes"), TenantRecord(name="other")
            session.add_all([tenant, other])
            session.flush()

            def document(n: int, version: str, tenant_id: uuid.UUID) -> uuid.UUID:
                record = DocumentRecord(
                    tenant_id=tenant_id,
                    sha256=f"{n:064x}",
                    media_type="text/plain",
                    size=1,
                    text=f"text {n}",
                    family="acme",
                    version=version,
                    created_at=start + dt.timedelta(days=n),
                )
                session.add(record)
                session.flush()
                return record.id

            oldest, middle, newest = (document(n, "1", tenant.id) for n in (1, 2, 3))
            squatter = document(4, "1 (duplicate 1)", tenant.id)
            elsewhere = document(5, "1", other.id)
            session.add(
                ScanRecord(
                    tenant_id=tenant.id,
                    document_id=oldest,
                    status="succeeded",
                    engine_version="x",
                    patterns_sha256="p",
                    rules_sha256="r",
                )
            )
            session.commit()
            tenant_id = tenant.id
        _migrate(engine, "head")
        with Session(engine) as session:
            labels = {
                d.id: d.version for d in session.exec(select(DocumentRecord)).all()
            }
            scans = session.exec(select(ScanRecord)).all()
            assert labels == {
                oldest: "1 (duplicate 2)",
                middle: "1 (duplicate 3)",
                newest: "1",
                squatter: "1 (duplicate 1)",
                elsewhere: "1",
            }
            assert [s.document_id for s in scans] == [oldest]
            session.add(
                DocumentRecord(
                    tenant_id=tenant_id,
                    sha256="f" * 64,
                    media_type="text/plain",
                    size=1,
                    text="late copy",
                    family="acme",
                    version="1",
                )
            )
            with pytest.raises(IntegrityError):
                session.commit()
    finally:
        engine.dispose()


def test_patch_refuses_labels_no_database_can_store(
    client: TestClient, tenant_a: Tenant, versions: tuple[str, str]
) -> None:
    for body in ({"version": "1\x00"}, {"tags": ["ok", "\x00"]}):
        response = client.patch(
            f"/v1/documents/{versions[0]}", json=body, headers=tenant_a.headers
        )
        assert_problem(response, 422, slug="invalid-request")
    kept = _get(client, tenant_a, f"/v1/documents/{versions[0]}").json()
    assert (kept["version"], kept["tags"]) == ("1", [])
