"""Reviewers correct a scan's clauses: events, the fold, labels, refusals."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.reviews.tables import ReviewEventRecord
from tests.service.api.helpers import (
    LICENSE,
    Tenant,
    assert_problem,
    new_tenant,
    scan,
    upload,
)


def _scanned(client: TestClient, tenant: Tenant) -> tuple[str, dict[str, Any]]:
    document_id = upload(client, tenant).json()["id"]
    response = scan(client, tenant, document_id)
    assert response.status_code == 201, response.text
    return document_id, response.json()


def _decide(client: TestClient, tenant: Tenant, document_id: str, **body: Any) -> Any:
    return client.post(
        f"/v1/documents/{document_id}/review/events", json=body, headers=tenant.headers
    )


def _events(app: FastAPI) -> int:
    with Session(app.state.db_engine) as session:
        return len(session.exec(select(ReviewEventRecord)).all())


def _key_of(review: dict[str, Any], ctype: str) -> str:
    return next(c["key"] for c in review["clauses"] if c["type"] == ctype)


def test_a_review_starts_from_the_scan_and_folds_each_decision(
    client: TestClient, app: FastAPI
) -> None:
    alice = new_tenant(app, "acme", reviewer="Alice")
    document_id, scanned = _scanned(client, alice)
    review = client.get(f"/v1/documents/{document_id}/review", headers=alice.headers)
    assert review.status_code == 200, review.text
    body = review.json()
    assert body["state"] == "unreviewed" and body["scan_id"] == scanned["id"]
    assert len(body["clauses"]) == len(scanned["result"]["clauses"])
    assert {c["status"] for c in body["clauses"]} == {"pending"}

    geo = _key_of(body, "geographic_restriction")
    aup = _key_of(body, "aup_incorporation")
    law_start = LICENSE.index("Should the services")
    law_end = LICENSE.index(".", law_start) + 1
    steps = [
        {"action": "reject", "clause": geo},
        {
            "action": "retype",
            "clause": aup,
            "type": "unilateral_change",
            "params": {"target": "policy"},
        },
        {
            "action": "add",
            "type": "output_restriction",
            "start": law_start,
            "end": law_end,
            "quote": LICENSE[law_start:law_end],
        },
        {"action": "mark_reviewed"},
    ]
    for step in steps:
        response = _decide(client, alice, document_id, scan_id=scanned["id"], **step)
        assert response.status_code == 201, response.text
    assert response.json()["clause"] is None
    assert response.json()["review"]["state"] == "reviewed"
    final = client.get(
        f"/v1/documents/{document_id}/review", headers=alice.headers
    ).json()
    assert final["state"] == "reviewed" and final["events"] == 4
    by_key = {c["key"]: c for c in final["clauses"]}
    assert by_key[geo]["status"] == "rejected"
    assert by_key[aup]["type"] == "unilateral_change"
    assert by_key[aup]["params"] == {"target": "policy"}
    added = [c for c in final["clauses"] if c["origin"] == "added"]
    assert [(c["start"], c["end"]) for c in added] == [(law_start, law_end)]

    history = client.get(
        f"/v1/documents/{document_id}/review/events", headers=alice.headers
    ).json()
    assert [e["action"] for e in history["data"]] == [s["action"] for s in steps]
    assert history["data"][0]["before"]["status"] == "pending"
    assert history["data"][0]["after"]["status"] == "rejected"
    assert all(e["reviewer"] == "Alice" for e in history["data"])

    labels = client.get(f"/v1/documents/{document_id}/labels", headers=alice.headers)
    assert labels.status_code == 200 and labels.headers["x-reviewer"] == "Alice"
    gold = labels.json()
    assert gold["doc"] == "quill.txt"
    types = sorted(s["type"] for s in gold["spans"])
    expected = sorted(
        [
            c["type"]
            for c in scanned["result"]["clauses"]
            if c["type"] not in {"geographic_restriction", "aup_incorporation"}
        ]
        + ["unilateral_change", "output_restriction"]
    )
    assert types == expected
    for span in gold["spans"]:
        assert LICENSE[span["start"] : span["end"]] == span["quote"]


def test_moving_a_boundary_and_editing_parameters(
    client: TestClient, app: FastAPI
) -> None:
    bob = new_tenant(app, "acme", reviewer="Bob")
    document_id, _ = _scanned(client, bob)
    review = client.get(f"/v1/documents/{document_id}/review", headers=bob.headers)
    clause = next(c for c in review.json()["clauses"] if c["type"] == "usage_threshold")
    start, end = clause["start"], clause["end"] - 1
    moved = _decide(
        client,
        bob,
        document_id,
        action="move",
        clause=clause["key"],
        start=start,
        end=end,
    )
    assert moved.status_code == 201, moved.text
    after = moved.json()["event"]["after"]
    assert after["quote"] == LICENSE[start:end] and after["status"] == "accepted"
    assert moved.json()["clause"] == after
    params = {
        "thresholds": [
            {
                "metric": "monthly_active_users",
                "value": 5e8,
                "consequence": "fee_required",
            }
        ]
    }
    edited = _decide(
        client, bob, document_id, action="params", clause=clause["key"], params=params
    )
    assert edited.status_code == 201, edited.text
    saved = edited.json()["event"]["after"]["params"]["thresholds"][0]
    assert saved["value"] == 500_000_000 and isinstance(saved["value"], int)


def test_bad_decisions_are_refused_and_store_nothing(
    client: TestClient, app: FastAPI
) -> None:
    carol = new_tenant(app, "acme", reviewer="Carol")
    document_id, _ = _scanned(client, carol)
    review = client.get(f"/v1/documents/{document_id}/review", headers=carol.headers)
    key = review.json()["clauses"][0]["key"]
    bad = [
        (
            {
                "action": "add",
                "type": "attribution",
                "start": 5,
                "end": 10**6,
                "params": {"kind": "notice_file"},
            },
            422,
        ),
        (
            {
                "action": "add",
                "type": "output_restriction",
                "start": 0,
                "end": 5,
                "quote": "not what is there",
            },
            422,
        ),
        ({"action": "add", "type": "no_such_type", "start": 0, "end": 5}, 422),
        (
            {
                "action": "params",
                "clause": key,
                "params": {"thresholds": [{"metric": "bananas", "value": -1}]},
            },
            422,
        ),
        (
            {
                "action": "retype",
                "clause": key,
                "type": "governing_law",
                "params": {"jurisdiction": "Narnia"},
            },
            422,
        ),
        ({"action": "reject", "clause": "x999"}, 422),
        ({"action": "move", "clause": key, "start": 10, "end": 3}, 422),
        ({"action": "reopen"}, 409),
    ]
    for body, status in bad:
        response = _decide(client, carol, document_id, **body)
        assert_problem(response, status)
    assert _events(app) == 0
    stale = _decide(
        client,
        carol,
        document_id,
        action="accept",
        clause=key,
        scan_id="00000000-0000-0000-0000-000000000000",
    )
    assert_problem(stale, 404)
    assert _events(app) == 0
    assert_problem(
        client.get(f"/v1/documents/{document_id}/labels", headers=carol.headers), 409
    )


def test_reviews_are_isolated_by_tenant_and_need_a_reviewer(
    client: TestClient, app: FastAPI, tenant_a: Tenant
) -> None:
    owner = new_tenant(app, "acme", reviewer="Dana")
    intruder = new_tenant(app, "globex", reviewer="Eve")
    document_id, _ = _scanned(client, owner)
    for response in (
        client.get(f"/v1/documents/{document_id}/review", headers=intruder.headers),
        _decide(client, intruder, document_id, action="mark_reviewed"),
        client.get(f"/v1/documents/{document_id}/labels", headers=intruder.headers),
        client.get(
            f"/v1/documents/{document_id}/review/events", headers=intruder.headers
        ),
    ):
        assert_problem(response, 404)
    own_document = upload(client, tenant_a).json()["id"]
    assert_problem(
        _decide(client, tenant_a, own_document, action="mark_reviewed"),
        403,
        slug="no-reviewer",
    )
    assert _events(app) == 0


def test_two_reviewers_at_once_lose_no_events(client: TestClient, app: FastAPI) -> None:
    reviewers = [new_tenant(app, "acme", reviewer=n) for n in ("Fay", "Gus")]
    document_id, _ = _scanned(client, reviewers[0])
    review = client.get(
        f"/v1/documents/{document_id}/review", headers=reviewers[0].headers
    ).json()
    keys = [c["key"] for c in review["clauses"]]
    failures: list[str] = []

    def work(tenant: Tenant) -> None:
        for key in keys:
            for action in ("reject", "accept"):
                response = _decide(
                    client, tenant, document_id, action=action, clause=key
                )
                if response.status_code != 201:
                    failures.append(response.text)

    threads = [threading.Thread(target=work, args=(t,)) for t in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _events(app) == 2 * 2 * len(keys)
    for tenant in reviewers:
        mine = client.get(
            f"/v1/documents/{document_id}/review", headers=tenant.headers
        ).json()
        assert mine["events"] == 2 * len(keys)
        assert {c["status"] for c in mine["clauses"]} == {"accepted"}
        assert len(mine["reviewers"]) == 2


def test_clause_types_publish_their_parameter_schemas(client: TestClient) -> None:
    schemas = client.get("/v1/clause-types").json()
    assert set(schemas["geographic_restriction"]["params"]["properties"]) == {
        "regions",
        "mode",
    }
    assert schemas["output_restriction"]["params"].get("properties", {}) == {}
