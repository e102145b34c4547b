"""Reviewer pages through a test client: document, profile, exports, diff, batch."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.web.conftest import upload
from tests.web.helpers import CARDS, LICENSE_V1, LICENSE_V2, TYPES, csrf_of
from tests.web.html_checks import assert_accessible_page


def test_document_page_highlights_every_clause_and_cites(
    signed_in: TestClient, document_id: str
) -> None:
    response = signed_in.get(f"/documents/{document_id}")
    assert response.status_code == 200
    html = response.text
    assert_accessible_page(html)
    for clause_type in TYPES:
        assert f'data-types="{clause_type}"' in html
    assert 'class="cite" data-start="' in html
    assert html.index("High") < html.index("Medium") < html.index("Low")
    assert 'title="Usage threshold (score 0.90)"' in html
    assert "page " not in html.split('class="cite"')[1][:200]  # not a PDF


def _two_page_pdf() -> bytes:
    """Build a PDF whose second page holds an EU exclusion (the test fixture tool)."""
    path = Path(__file__).resolve().parents[1] / "fixtures" / "parse" / "make_pdfs.py"
    spec = importlib.util.spec_from_file_location("make_pdfs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pages = (
        ("Larkspur Terms", "You may use the model at home."),
        ("Territory", "No rights are granted in the European Union."),
    )
    pdf: bytes = module.build_pdf(pages)
    return pdf


def test_pdf_citations_name_their_page(signed_in: TestClient) -> None:
    token = csrf_of(signed_in.get("/upload").text)
    response = signed_in.post(
        "/upload",
        files={"file": ("terms.pdf", _two_page_pdf(), "application/pdf")},
        data={"csrf_token": token},
    )
    assert response.status_code == 200  # followed the redirect to the document
    assert str(response.url).startswith("https://testserver/documents/")
    html = response.text
    assert 'data-types="geographic_restriction"' in html
    assert "Line 2, page 2:" in html
    assert '<span class="page-break" role="separator">page 2</span>' in html


def test_profile_re_evaluates_the_findings(
    signed_in: TestClient, document_id: str, key_a: str
) -> None:
    created = signed_in.post(
        "/v1/profiles",
        json={"name": "big-eu", "profile": {"monthly_active_users": 9e8}},
        headers={"Authorization": f"Bearer {key_a}"},
    )
    assert created.status_code == 201, created.text
    profile_id = created.json()["id"]
    plain = signed_in.get(f"/documents/{document_id}").text
    judged = signed_in.get(f"/documents/{document_id}?profile={profile_id}").text
    assert "Verdict:" not in plain
    assert "Verdict:" in judged and "900,000,000" in judged
    assert f'<option value="{profile_id}" selected>' in judged


def test_exports_download_every_format(signed_in: TestClient, document_id: str) -> None:
    for fmt, marker in (
        ("json", '"clauses"'),
        ("markdown", "## Findings"),
        ("sarif", '"2.1.0"'),
        ("cyclonedx", '"CycloneDX"'),
    ):
        response = signed_in.get(f"/documents/{document_id}/export?format={fmt}")
        assert response.status_code == 200, fmt
        assert response.headers["content-disposition"].startswith("attachment;")
        assert marker in response.text, fmt
    assert signed_in.get(f"/documents/{document_id}/export?format=pdf").status_code == (
        422
    )


def test_diff_page_shows_the_threshold_change(signed_in: TestClient) -> None:
    upload(signed_in, LICENSE_V1, "lark.txt", family="lark", version="1")
    second = upload(signed_in, LICENSE_V2, "lark-2.txt", family="lark", version="2")
    assert second.status_code in (200, 201)
    history = signed_in.get("/families/lark").text
    assert_accessible_page(history)
    assert "lark-2.txt" in history
    diff = signed_in.get("/families/lark/diff?from=1&to=2")
    assert diff.status_code == 200
    assert_accessible_page(diff.text)
    assert "thresholds[0].value" in diff.text
    assert '<span class="old-value">700,000,000</span>' in diff.text
    assert '<span class="new-value">1,000,000,000</span>' in diff.text
    assert "<del>700 million</del>" in diff.text
    assert "<ins>1 billion</ins>" in diff.text
    unknown = signed_in.get("/families/lark/diff?from=1&to=9")
    assert unknown.status_code == 422 and "has no version" in unknown.text


def test_batch_pages_submit_progress_filter_and_card(signed_in: TestClient) -> None:
    token = csrf_of(signed_in.get("/batches").text)
    response = signed_in.post(
        "/batches",
        files={"file": ("cards.jsonl", CARDS.encode(), "application/x-ndjson")},
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page_url = response.headers["location"]
    deadline = time.monotonic() + 20
    progress: dict[str, Any] = {}
    while time.monotonic() < deadline:
        progress = signed_in.get(page_url + "/progress").json()
        if progress["status"] == "done":
            break
        time.sleep(0.2)
    assert progress["status"] == "done" and progress["progress"]["done"] == 3
    page = signed_in.get(page_url)
    assert_accessible_page(page.text)
    assert page.text.count("/items/") == 3
    filtered = signed_in.get(page_url + "?clause_type=attribution&severity=")
    assert filtered.status_code == 200
    assert "acme/alpha" in filtered.text and "acme/beta" not in filtered.text
    assert signed_in.get(page_url + "?severity=nope").status_code == 422
    card = signed_in.get(page_url + "/items/0")
    assert card.status_code == 200 and "Card acme/alpha" in card.text
    bad = signed_in.post(
        "/batches",
        files={"file": ("bad.jsonl", b'{"id": 1}\n', "application/x-ndjson")},
        data={"csrf_token": token},
    )
    assert bad.status_code == 422 and "line 1" in bad.text


def test_a_refused_upload_is_a_problem_for_scripts_and_a_page_for_forms(
    signed_in: TestClient,
) -> None:
    token = csrf_of(signed_in.get("/upload").text)
    files = {"file": ("junk.bin", bytes(range(256)) * 4, "application/octet-stream")}
    scripted = signed_in.post(
        "/upload",
        files=files,
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert scripted.status_code == 415
    assert scripted.headers["content-type"].startswith("application/problem+json")
    assert scripted.json()["detail"]
    form = signed_in.post("/upload", files=files, data={"csrf_token": token})
    assert form.status_code == 415
    assert (
        "Document refused" in form.text and "text/html" in form.headers["content-type"]
    )
