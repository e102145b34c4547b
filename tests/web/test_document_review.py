"""The review part of the document page through a test client.

A key without a reviewer name reads the review and cannot change it; a
reviewer's decisions go through the session (CSRF header) to the same
checks as the API, a refused one answers its problem and stores nothing,
and the page then shows the state, each clause's status, the reviewers and
the history.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from service.auth.keys import create_key
from service.reviews.tables import ReviewEventRecord
from tests.web.conftest import new_key
from tests.web.helpers import LICENSE_V1, csrf_of, sign_in
from tests.web.html_checks import assert_accessible_page

REVIEWER = "Rosa Quill"


def _events(app: FastAPI) -> int:
    with Session(app.state.db_engine) as session:
        return int(session.exec(select(func.count(ReviewEventRecord.id))).one())


def _review_data(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="review-data">(.*?)</script>', html, re.S
    )
    assert found is not None, "no review data on the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _decide(client: TestClient, document_id: str, token: str, **body: Any) -> Any:
    return client.post(
        f"/documents/{document_id}/review",
        json=body,
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )


@pytest.fixture
def reviewer(
    browser_client: TestClient, started: FastAPI, document_id: str
) -> TestClient:
    """The page client signed in, once the document is stored, with a key of
    the same tenant that carries a reviewer name."""
    del document_id  # uploaded (with the plain key) before this sign-in
    with Session(started.state.db_engine) as session:
        key, _ = create_key(session, "pages-a", REVIEWER)
    browser_client.cookies.clear()
    sign_in(browser_client, key)
    return browser_client


def test_a_key_without_a_reviewer_reads_the_review_and_cannot_change_it(
    started: FastAPI, signed_in: TestClient, document_id: str
) -> None:
    page = signed_in.get(f"/documents/{document_id}")
    assert page.status_code == 200
    html = page.text
    assert_accessible_page(html)
    assert "Read-only." in html and "carries no reviewer name" in html
    assert 'id="editor"' not in html and "Mark reviewed" not in html
    data = _review_data(html)
    assert data["read_only"] is True and data["reviewer"] is None
    assert [c["status"] for c in data["clauses"]] == ["pending"] * len(data["clauses"])
    before = _events(started)
    refused = _decide(
        signed_in, document_id, csrf_of(html), action="accept", clause="x0"
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "carries no reviewer name" in refused.json()["detail"]
    assert _events(started) == before


def test_a_decision_needs_the_csrf_header_and_stays_in_the_tenant(
    started: FastAPI, reviewer: TestClient, document_id: str
) -> None:
    before = _events(started)
    forged = reviewer.post(
        f"/documents/{document_id}/review",
        json={"action": "accept", "clause": "x0"},
        headers={"Accept": "application/json"},
    )
    assert forged.status_code == 403 and forged.json()["type"].endswith("/csrf")
    token = csrf_of(reviewer.get(f"/documents/{document_id}").text)
    elsewhere = new_key(started, "pages-b")
    other = TestClient(started, base_url="https://testserver")
    sign_in(other, elsewhere)
    foreign = other.get(f"/documents/{document_id}")
    assert foreign.status_code == 404
    missing = _decide(
        reviewer,
        "00000000-0000-0000-0000-000000000000",
        token,
        action="accept",
        clause="x0",
    )
    assert missing.status_code == 404
    assert _events(started) == before


def test_a_refused_edit_answers_its_detail_and_a_good_one_shows_on_the_page(
    started: FastAPI, reviewer: TestClient, document_id: str
) -> None:
    html = reviewer.get(f"/documents/{document_id}").text
    assert_accessible_page(html)
    assert 'id="editor"' in html and "Mark reviewed" in html
    assert "Read-only." not in html
    data = _review_data(html)
    assert data["reviewer"] == REVIEWER and data["read_only"] is False
    assert set(data["schemas"]) == {t["value"] for t in data["types"]}
    threshold = next(c for c in data["clauses"] if c["type"] == "usage_threshold")
    token = csrf_of(html)
    before = _events(started)

    bad = {"thresholds": [{"metric": "monthly_active_users", "value": 0}]}
    refused = _decide(
        reviewer,
        document_id,
        token,
        scan_id=data["scan_id"],
        action="params",
        clause=threshold["key"],
        params=bad,
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail.startswith("invalid parameters for usage_threshold: ")
    assert "thresholds.0.value: Input should be greater than 0" in detail
    assert "thresholds.0.consequence: Field required" in detail
    outside = _decide(
        reviewer,
        document_id,
        token,
        action="add",
        type="output_restriction",
        start=0,
        end=len(data["text"]) + 5,
    )
    assert outside.status_code == 422 and "outside the text" in outside.json()["detail"]
    assert _events(started) == before

    good = dict(bad["thresholds"][0], value=5e8, consequence="fee_required")
    saved = _decide(
        reviewer,
        document_id,
        token,
        scan_id=data["scan_id"],
        action="params",
        clause=threshold["key"],
        params={"thresholds": [good]},
    )
    assert saved.status_code == 201, saved.text
    answer = saved.json()
    assert answer["event"]["reviewer"] == REVIEWER
    assert answer["review"]["state"] == "in_progress"
    assert _events(started) == before + 1

    page = reviewer.get(f"/documents/{document_id}").text
    assert re.search(r'id="review-state"[^>]*data-state="in_progress"', page)
    assert f"<strong>{REVIEWER}</strong>: " in page
    assert "1 accepted (0 added), 0 rejected" in page
    row = re.search(
        rf'<li data-key="{threshold["key"]}" class="clause-row row-(\w+)">', page
    )
    assert row is not None and row.group(1) == "accepted"
    history = page[page.index('id="history"') :]
    assert "params" in history and REVIEWER in history
    assert "&#34;value&#34;: 500000000" in history or '"value": 500000000' in history
    after = _review_data(page)
    assert next(c for c in after["clauses"] if c["key"] == threshold["key"])[
        "params"
    ] == {"thresholds": [dict(good, value=500_000_000)]}


def test_the_agreement_of_two_reviewers_is_shown_with_what_to_adjudicate(
    started: FastAPI,
) -> None:
    with Session(started.state.db_engine) as session:
        ada, _ = create_key(session, "pages-agree", "Ada")
        bo, _ = create_key(session, "pages-agree", "Bo")
    api = TestClient(started)
    headers = {
        name: {"Authorization": f"Bearer {key}"}
        for name, key in (("Ada", ada), ("Bo", bo))
    }
    document_id = api.post(
        "/v1/documents/text",
        json={"text": LICENSE_V1 + "\nTwo reviewers read this one.\n"},
        headers=headers["Ada"],
    ).json()["id"]
    assert (
        api.post(
            f"/v1/documents/{document_id}/scans", headers=headers["Ada"]
        ).status_code
        == 201
    )
    url = f"/v1/documents/{document_id}/review/events"
    for name, bodies in (
        ("Ada", [{"action": "reject", "clause": "x0"}, {"action": "mark_reviewed"}]),
        ("Bo", [{"action": "mark_reviewed"}]),
    ):
        for body in bodies:
            assert api.post(url, json=body, headers=headers[name]).status_code == 201
    page = TestClient(started, base_url="https://testserver")
    sign_in(page, ada)
    html = page.get(f"/documents/{document_id}").text
    assert_accessible_page(html)
    assert "Agreement between reviewers" in html
    assert "<strong>Ada</strong> and <strong>Bo</strong>" in html
    assert "kept by Bo only" in html
