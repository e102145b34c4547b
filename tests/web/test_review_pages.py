"""The accuracy page and the review queue, as a signed-in reviewer sees them."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.auth.keys import create_key
from tests.web.helpers import LICENSE_V1, sign_in
from tests.web.html_checks import assert_accessible_page


def _reviewer_key(app: FastAPI) -> str:
    with Session(app.state.db_engine) as session:
        key, _ = create_key(session, "pages-review", reviewer="Rita")
    return key


def test_accuracy_and_queue_pages(started: FastAPI) -> None:
    key = _reviewer_key(started)
    api = TestClient(started)
    headers = {"Authorization": f"Bearer {key}"}
    reviewed = api.post(
        "/v1/documents/text",
        json={"text": LICENSE_V1, "name": "wren.txt", "family": "wren", "version": "1"},
        headers=headers,
    ).json()["id"]
    assert (
        api.post(f"/v1/documents/{reviewed}/scans", headers=headers).status_code == 201
    )
    url = f"/v1/documents/{reviewed}/review"
    first = api.get(url, headers=headers).json()["clauses"][0]
    for body in (
        {"action": "reject", "clause": first["key"]},
        {"action": "mark_reviewed"},
    ):
        assert api.post(f"{url}/events", json=body, headers=headers).status_code == 201
    waiting = api.post(
        "/v1/documents/text",
        json={
            "text": LICENSE_V1 + "\nAnd more.\n",
            "name": "wren-2.txt",
            "family": "wren",
            "version": "2",
        },
        headers=headers,
    ).json()["id"]

    browser = TestClient(started, base_url="https://testserver")
    sign_in(browser, key)
    page = browser.get("/accuracy")
    assert page.status_code == 200
    assert_accessible_page(page.text)
    assert (
        "<svg" in page.text
        and "script" not in page.text.split("<svg", 1)[1].split("</svg>")[0]
    )
    assert f'href="/documents/{reviewed}#at-{first["start"]}"' in page.text
    micro = re.search(r'<tr class="micro">(.*?)</tr>', page.text, re.S)
    assert micro is not None
    cells = re.findall(
        r"<td>(.*?)</td>", micro.group(1)
    )  # engine, P, R, F1, TP, FP, FN
    assert cells[5:] == ["1", "0"]  # the one rejected clause is false, nothing missed

    archive = browser.get("/accuracy/labels.tar.gz")
    assert archive.status_code == 200
    assert archive.headers["content-type"] == "application/gzip"
    assert archive.content[:2] == b"\x1f\x8b"

    queue = browser.get("/review-queue")
    assert queue.status_code == 200
    assert_accessible_page(queue.text)
    assert f'href="/documents/{waiting}"' in queue.text
    assert f'href="/documents/{reviewed}"' not in queue.text
    assert "new version of wren" in queue.text
