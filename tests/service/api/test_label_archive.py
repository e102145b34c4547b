"""Gold labels out and in: the corpus archive, accuracy, queue and agreement."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.cli import main
from service.documents.tables import DocumentRecord
from service.reviews.tables import ReviewEventRecord
from tests.licenses import four_clause_license
from tests.service.api.helpers import (
    LICENSE,
    Tenant,
    assert_problem,
    new_tenant,
    scan,
    upload,
)


def _review(
    client: TestClient, tenant: Tenant, content: str, name: str, **form: Any
) -> str:
    """Upload, scan, reject the first clause, mark reviewed; return the id."""
    document_id = upload(client, tenant, content, name=name, **form).json()["id"]
    assert scan(client, tenant, document_id).status_code == 201
    url = f"/v1/documents/{document_id}/review"
    first = client.get(url, headers=tenant.headers).json()["clauses"][0]["key"]
    for body in ({"action": "reject", "clause": first}, {"action": "mark_reviewed"}):
        response = client.post(f"{url}/events", json=body, headers=tenant.headers)
        assert response.status_code == 201, response.text
    return document_id


def _export(client: TestClient, tenant: Tenant) -> bytes:
    response = client.get("/v1/labels/export", headers=tenant.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/gzip"
    return response.content


def _members(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar
            if m.isfile()
        }


def _tar(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return out.getvalue()


def _import(client: TestClient, tenant: Tenant, archive: bytes) -> Any:
    return client.post(
        "/v1/labels/import",
        files={"file": ("labels.tar.gz", archive, "application/gzip")},
        headers=tenant.headers,
    )


def _counts(app: FastAPI) -> tuple[int, int]:
    with Session(app.state.db_engine) as session:
        return (
            len(session.exec(select(DocumentRecord)).all()),
            len(session.exec(select(ReviewEventRecord)).all()),
        )


def test_export_is_a_corpus_that_eval_scores_as_the_accuracy_page_does(
    client: TestClient, app: FastAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ann = new_tenant(app, "acme", reviewer="Ann")
    first = _review(client, ann, LICENSE, "quill.txt", family="quill", version="1")
    second = _review(
        client, ann, four_clause_license("Stonebridge"), "stone.md", family="stone"
    )
    members = _members(_export(client, ann))
    assert set(members) == {
        "docs/quill.txt",
        "docs/stone.txt",
        "labels/quill.txt.json",
        "labels/stone.txt.json",
        "manifest.json",
    }
    assert members["docs/quill.txt"].decode("utf-8") == LICENSE
    gold = json.loads(members["labels/quill.txt.json"])
    api_gold = client.get(f"/v1/documents/{first}/labels", headers=ann.headers).json()
    assert gold == api_gold
    manifest = {e["file"]: e for e in json.loads(members["manifest.json"])}
    assert manifest["quill.txt"]["family"] == "quill"
    assert manifest["stone.txt"]["reviewer"] == "Ann"
    assert manifest["stone.txt"]["document_id"] == second

    archive = tmp_path / "labels.tar.gz"
    archive.write_bytes(_export(client, ann))
    out = tmp_path / "eval"
    assert main(["eval", "--corpus", str(archive), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    micro = printed.split("\n")
    assert any(line.startswith("micro") for line in micro), printed
    saved = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    accuracy = client.get("/v1/reviews/accuracy", headers=ann.headers).json()
    assert accuracy["reviewed_documents"] == 2
    [version] = accuracy["versions"]
    assert version["figures"]["micro"] == saved["micro"]
    assert version["figures"]["per_type"] == saved["per_type"]
    assert version["figures"]["params"]["overall"] == saved["params"]["overall"]
    # one clause rejected per document: two false clauses, no misses
    assert version["figures"]["micro"]["fp"] == 2
    assert version["figures"]["micro"]["fn"] == 0
    assert {s["document_id"] for s in version["false_clauses"]} == {first, second}


def test_import_brings_labels_in_as_the_importers_review(
    client: TestClient, app: FastAPI
) -> None:
    ann = new_tenant(app, "acme", reviewer="Ann")
    _review(client, ann, LICENSE, "quill.txt", family="quill", version="1")
    archive = _export(client, ann)
    ben = new_tenant(app, "globex", reviewer="Ben")
    response = _import(client, ben, archive)
    assert response.status_code == 201, response.text
    [imported] = response.json()["documents"]
    assert imported["created"] is True and imported["file"] == "quill.txt"
    document_id = imported["document_id"]
    labels = client.get(f"/v1/documents/{document_id}/labels", headers=ben.headers)
    assert labels.headers["x-reviewer"] == "Ben"
    assert labels.json() == json.loads(_members(archive)["labels/quill.txt.json"])
    stored = client.get(f"/v1/documents/{document_id}", headers=ben.headers).json()
    assert (stored["family"], stored["version"]) == ("quill", "1")
    # the same archive again: Ben has reviewed it already, nothing is stored
    before = _counts(app)
    assert_problem(_import(client, ben, archive), 409, slug="already-reviewed")
    assert _counts(app) == before


def _valid_members() -> dict[str, bytes]:
    start = LICENSE.index("Should the services")
    end = LICENSE.index(".", start) + 1
    span = {
        "type": "usage_threshold",
        "quote": LICENSE[start:end],
        "start": start,
        "end": end,
        "params": {
            "thresholds": [
                {
                    "metric": "monthly_active_users",
                    "value": 700000000,
                    "consequence": "license_required",
                }
            ]
        },
    }
    return {
        "docs/a.txt": LICENSE.encode("utf-8"),
        "labels/a.txt.json": json.dumps({"doc": "a.txt", "spans": [span]}).encode(),
    }


def _with_span(**change: Any) -> dict[str, bytes]:
    members = _valid_members()
    labels = json.loads(members["labels/a.txt.json"])
    labels["spans"][0].update(change)
    members["labels/a.txt.json"] = json.dumps(labels).encode()
    return members


def test_bad_archives_are_refused_and_store_nothing(
    client: TestClient, app: FastAPI
) -> None:
    ann = new_tenant(app, "acme", reviewer="Ann")
    bad = {
        "path traversal": _tar({"../evil.txt": b"x", **_valid_members()}),
        "absolute path": _tar({"/etc/evil": b"x", **_valid_members()}),
        "symlink": _tar(_valid_members(), links={"docs/b.txt": "/etc/passwd"}),
        "offsets": _tar(_with_span(start=3)),
        "outside": _tar(_with_span(end=10**7)),
        "unknown type": _tar(_with_span(type="no_such_type")),
        "bad params": _tar(_with_span(params={"thresholds": [{"metric": "x"}]})),
        "missing doc": _tar(
            {"labels/a.txt.json": _valid_members()["labels/a.txt.json"]}
        ),
        "not an archive": b"just some bytes",
    }
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("../../escape.txt", b"x")
    bad["zip traversal"] = zipped.getvalue()
    for why, archive_bytes in bad.items():
        response = _import(client, ann, archive_bytes)
        assert response.status_code == 422, (why, response.text)
        assert_problem(response, 422, slug="invalid-archive")
    assert _counts(app) == (0, 0)
    assert _import(client, ann, _tar(_valid_members())).status_code == 201
    assert _counts(app) == (1, 2)


def test_queue_puts_new_versions_of_reviewed_families_first(
    client: TestClient, app: FastAPI
) -> None:
    ann = new_tenant(app, "acme", reviewer="Ann")
    _review(client, ann, LICENSE, "quill-1.txt", family="quill", version="1")
    other = upload(client, ann, four_clause_license("Marlow"), name="m.txt").json()
    newer = upload(
        client,
        ann,
        LICENSE + "\nVersion two.\n",
        name="quill-2.txt",
        family="quill",
        version="2",
    ).json()
    queue = client.get("/v1/reviews/queue", headers=ann.headers).json()
    assert [q["document_id"] for q in queue] == [newer["id"], other["id"]]
    assert any("new version of quill" in r for r in queue[0]["reasons"])
    assert any("not scanned yet" in r for r in queue[1]["reasons"])


def test_agreement_lists_what_two_reviewers_kept_differently(
    client: TestClient, app: FastAPI
) -> None:
    ann = new_tenant(app, "acme", reviewer="Ann")
    ben = new_tenant(app, "acme", reviewer="Ben")
    document_id = _review(client, ann, LICENSE, "quill.txt")
    url = f"/v1/documents/{document_id}/review"
    response = client.post(
        f"{url}/events", json={"action": "mark_reviewed"}, headers=ben.headers
    )
    assert response.status_code == 201, response.text
    [pair] = client.get(f"{url}/agreement", headers=ann.headers).json()
    assert (pair["first"], pair["second"]) == ("Ann", "Ben")
    [disagreement] = pair["disagreements"]
    assert disagreement["kind"] == "only_second" and disagreement["first"] is None
    kept = len(client.get(url, headers=ann.headers).json()["clauses"])
    assert pair["overall"] == pytest.approx(2 * (kept - 1) / (2 * kept - 1))
