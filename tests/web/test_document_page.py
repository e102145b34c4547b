"""The document page: viewing writes nothing, keyboard access, labels, speed."""

from __future__ import annotations

import random
import re
import time
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from service.documents.tables import DocumentRecord
from service.profiles.tables import ProfileRecord
from service.scans.scanning import evaluate_document
from service.scans.tables import ScanRecord
from service.web.highlight import Span, render_text, split
from service.web.verdicts import judged_findings
from tests.web.conftest import upload
from tests.web.helpers import LICENSE_V1, TYPES, csrf_of
from tests.web.html_checks import assert_accessible_page

UNSCANNED = LICENSE_V1.replace("Larkspur", "Wrenfield")


def _api_upload(client: TestClient, key: str, text: str, **form: str) -> Any:
    return client.post(
        "/v1/documents",
        files={"file": ("wren.txt", text.encode(), "text/plain")},
        data=form,
        headers={"Authorization": f"Bearer {key}"},
    )


def _scans(app: FastAPI, document_id: str) -> int:
    with Session(app.state.db_engine) as session:
        count = session.exec(
            select(func.count())
            .select_from(ScanRecord)
            .where(col(ScanRecord.document_id) == uuid.UUID(document_id))
        ).one()
    return int(count)


def test_viewing_an_unscanned_document_writes_nothing_and_offers_a_scan(
    started: FastAPI, signed_in: TestClient, key_a: str
) -> None:
    stored = _api_upload(signed_in, key_a, UNSCANNED)
    assert stored.status_code == 201, stored.text
    document_id = stored.json()["id"]
    page = signed_in.get(f"/documents/{document_id}")
    assert page.status_code == 200
    assert _scans(started, document_id) == 0  # the GET did not scan
    html = page.text
    assert_accessible_page(html)
    assert "not been scanned yet" in html and "<mark" not in html
    assert f'action="/documents/{document_id}/scans"' in html
    assert "Wrenfield Community Model License" in html  # the text is shown
    export = signed_in.get(f"/documents/{document_id}/export?format=json")
    assert export.status_code == 409 and "no successful scan" in export.text
    assert _scans(started, document_id) == 0
    forged = signed_in.post(f"/documents/{document_id}/scans", data={})
    assert forged.status_code == 403 and _scans(started, document_id) == 0
    token = csrf_of(html)
    scanned = signed_in.post(
        f"/documents/{document_id}/scans",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert scanned.status_code == 303
    assert scanned.headers["location"] == f"/documents/{document_id}"
    again = signed_in.post(
        f"/documents/{document_id}/scans", data={"csrf_token": token}
    )
    assert again.status_code == 200 and _scans(started, document_id) == 1
    for clause_type in TYPES:
        assert f'data-types="{clause_type}"' in again.text
    assert "not been scanned yet" not in again.text
    signed_in.get(f"/documents/{document_id}")
    assert _scans(started, document_id) == 1


def test_clause_marks_are_not_tab_stops_and_the_findings_are_one_skip_away(
    signed_in: TestClient, document_id: str
) -> None:
    html = signed_in.get(f"/documents/{document_id}").text
    marks = re.findall(r"<mark class=\"clause[^>]* data-start=[^>]*>", html)
    assert len(marks) >= len(TYPES)
    assert all('tabindex="-1"' in mark for mark in marks)
    assert 'tabindex="0"' not in html
    links = re.findall(r'<a class="skip-link" href="([^"]+)"', html)
    assert links == ["#main", "#findings", "#review-panel"]
    assert re.search(r'<aside id="findings"[^>]*tabindex="-1"', html)
    assert re.search(r'<section id="review-panel"[^>]*tabindex="-1"', html)
    assert 'aria-keyshortcuts="j k"' in html
    assert "Press <kbd>j</kbd> for the next clause" in html


def test_a_taken_version_is_a_readable_409_on_the_upload_page(
    signed_in: TestClient, document_id: str
) -> None:
    other = LICENSE_V1.replace("version 1", "version 1, revised")
    scripted = upload(signed_in, other, "lark-r.txt", family="lark", version="1")
    assert scripted.status_code == 409
    assert scripted.headers["content-type"].startswith("application/problem+json")
    assert scripted.json()["existing_document_id"] == document_id
    token = csrf_of(signed_in.get("/upload").text)
    form = signed_in.post(
        "/upload",
        files={"file": ("lark-r.txt", other.encode(), "text/plain")},
        data={"csrf_token": token, "family": "lark", "version": "1"},
    )
    assert form.status_code == 409
    assert "text/html" in form.headers["content-type"]
    assert "already has a version &#39;1&#39;" in form.text
    assert f'<a href="/documents/{document_id}">Open the existing document</a>' in (
        form.text
    )
    moved = upload(signed_in, LICENSE_V1, "lark.txt", family="lark", version="9")
    assert moved.status_code == 409
    assert moved.json()["type"].endswith("/already-stored")


def test_profile_verdicts_judge_the_stored_clauses_like_the_api(
    started: FastAPI, signed_in: TestClient, document_id: str, key_a: str
) -> None:
    """The page re-applies the rules to the scan's clauses instead of analysing
    the text again; its findings are the same as the API's evaluation."""
    created = signed_in.post(
        "/v1/profiles",
        json={
            "name": f"eu-{uuid.uuid4().hex[:6]}",
            "profile": {"monthly_active_users": 9e8, "regions": ["DE", "US"]},
        },
        headers={"Authorization": f"Bearer {key_a}"},
    )
    assert created.status_code == 201, created.text
    profile_id = created.json()["id"]
    with Session(started.state.db_engine) as session:
        scan = session.exec(
            select(ScanRecord).where(
                col(ScanRecord.document_id) == uuid.UUID(document_id)
            )
        ).first()
        assert scan is not None
        profile = session.get(ProfileRecord, uuid.UUID(profile_id))
        assert profile is not None
        record = session.get(DocumentRecord, uuid.UUID(document_id))
        assert record is not None
        engine = started.state.clause_engine
        page = judged_findings(engine, record, scan, profile)
        api = evaluate_document(engine, record, profile)
    assert page == api
    assert any(f["verdict"] for f in page)


def _naive_split(
    length: int, spans: list[Span], cited: list[tuple[int, int]]
) -> list[tuple[int, int, tuple[Span, ...], bool, bool]]:
    """The definition of the pieces: every span and citation tested on each."""
    cuts = {0, length} | {b for s in spans for b in (s.start, s.end)}
    cuts |= {b for c in cited for b in c}
    bounds = sorted(b for b in cuts if 0 <= b <= length)
    out = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        covering = tuple(s for s in spans if s.start <= start and end <= s.end)
        cites = any(a <= start and end <= b for a, b in cited)
        opens = any(s.start == start for s in covering)
        out.append((start, end, covering, cites, opens))
    return out


def test_the_sweep_cuts_the_same_pieces_as_the_definition() -> None:
    rng = random.Random(7)
    for _ in range(200):
        length = rng.randint(1, 60)
        spans = sorted(
            (
                Span(rng.choice(TYPES), a, rng.randint(a + 1, length), 0.5)
                for a in (rng.randint(0, length - 1) for _ in range(rng.randint(0, 6)))
            ),
            key=lambda s: (s.start, s.end, s.clause_type),
        )
        cited = [
            (a, rng.randint(a, length + 3))
            for a in (rng.randint(-2, length) for _ in range(rng.randint(0, 4)))
        ]
        got = [
            (p.start, p.end, p.spans, p.cited, p.opens)
            for p in split(length, spans, cited)
        ]
        assert got == _naive_split(length, spans, cited)


def test_a_license_with_thousands_of_clauses_renders_in_linear_time() -> None:
    """6,000 clauses and 6,000 citations over 600 KB: testing each against each
    piece took about a minute; the sweep takes well under a second."""
    clause = 60
    text = ("x" * 99 + "\n") * 6000
    spans = [Span(TYPES[i % 4], i * 100, i * 100 + clause, 0.9) for i in range(6000)]
    cited = [(i * 100 + 10, i * 100 + 70) for i in range(6000)]
    began = time.perf_counter()
    html = str(render_text(text, spans, cited))
    elapsed = time.perf_counter() - began
    assert html.count("<mark ") == 12000 and html.count('class="cited"') == 6000
    assert elapsed < 3.0, f"{elapsed:.1f} s"


def test_a_document_over_a_million_characters_uploads_scans_and_renders(
    signed_in: TestClient,
) -> None:
    # spaCy's 1,000,000-character limit once made the upload page, the scan
    # and this page answer 500 for such a text
    filler = "The parties met on a sunny day and talked about the harvest.\n\n"
    law = "This Agreement is governed by the laws of the State of New York."
    text = filler * (1_050_000 // len(filler)) + law + "\n"
    stored = upload(signed_in, text, "long-terms.txt")
    assert stored.status_code in (200, 201), stored.text
    page = signed_in.get(stored.json()["url"])  # the upload page scans it
    assert page.status_code == 200
    assert 'data-types="governing_law"' in page.text
    assert "harvest" in page.text
