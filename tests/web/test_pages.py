"""Reviewer pages through a test client: sign-in, sessions, CSRF, tenants."""

from __future__ import annotations

from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session, select

from service.app import create_app
from service.auth.tables import ApiKeyRecord
from service.columns import utcnow
from service.settings import Settings
from tests.web.conftest import new_key
from tests.web.helpers import LICENSE_V1, csrf_of, sign_in
from tests.web.html_checks import assert_accessible_page

PAGES = ("/", "/documents", "/upload", "/families", "/batches")


@pytest.mark.parametrize("path", [*PAGES, "/documents/x", "/families/lark/diff"])
def test_pages_need_a_session(browser_client: TestClient, path: str) -> None:
    response = browser_client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_login_page_is_accessible_and_sets_no_session(
    browser_client: TestClient,
) -> None:
    response = browser_client.get("/login")
    assert response.status_code == 200
    assert_accessible_page(response.text)
    assert 'type="password"' in response.text
    assert "cw_session" not in response.headers.get("set-cookie", "")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_sign_in_sets_a_safe_cookie_without_the_key(
    browser_client: TestClient, key_a: str
) -> None:
    page = browser_client.get("/login?next=/families")
    response = browser_client.post(
        "/login",
        data={"api_key": key_a, "csrf_token": csrf_of(page.text), "next": "/families"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/families"
    header = next(
        h
        for h in response.headers.get_list("set-cookie")
        if h.startswith("cw_session=")
    )
    flags = {part.strip().lower() for part in header.split(";")}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags
    value = SimpleCookie(header)["cw_session"].value
    assert key_a not in value and key_a[3:20] not in value
    assert browser_client.get("/families").status_code == 200


def test_unknown_key_is_refused_on_the_form(browser_client: TestClient) -> None:
    page = browser_client.get("/login")
    response = browser_client.post(
        "/login", data={"api_key": "cw_nope", "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 401
    assert "unknown or revoked" in response.text
    assert browser_client.get("/documents", follow_redirects=False).status_code == 303


def test_sign_in_without_csrf_token_is_forbidden(
    browser_client: TestClient, key_a: str
) -> None:
    browser_client.get("/login")
    response = browser_client.post("/login", data={"api_key": key_a})
    assert response.status_code == 403
    assert "cw_session" not in response.headers.get("set-cookie", "")


def test_an_open_redirect_after_sign_in_goes_home(
    browser_client: TestClient, key_a: str
) -> None:
    page = browser_client.get("/login")
    response = browser_client.post(
        "/login",
        data={"api_key": key_a, "csrf_token": csrf_of(page.text), "next": "//evil"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/documents"


@pytest.mark.parametrize("path", PAGES[1:])
def test_signed_in_pages_have_landmarks_and_labels(
    signed_in: TestClient, path: str
) -> None:
    response = signed_in.get(path)
    assert response.status_code == 200
    assert_accessible_page(response.text)
    assert '<nav aria-label="Main">' in response.text
    assert "pages-a" in response.text


def test_upload_without_or_with_a_wrong_csrf_token_is_forbidden(
    signed_in: TestClient,
) -> None:
    files = {"file": ("x.txt", LICENSE_V1.encode(), "text/plain")}
    missing = signed_in.post("/upload", files=files)
    wrong = signed_in.post(
        "/upload", files=files, headers={"X-CSRF-Token": "forged"}, data={}
    )
    assert missing.status_code == wrong.status_code == 403
    assert ">x.txt<" not in signed_in.get("/documents").text


def test_another_tenants_pages_are_404(
    started: FastAPI, signed_in: TestClient, document_id: str
) -> None:
    other = TestClient(started, base_url="https://testserver")
    sign_in(other, new_key(started, "pages-b"))
    for path in (
        f"/documents/{document_id}",
        f"/documents/{document_id}/export?format=json",
        "/families/lark",
        "/families/lark/diff",
    ):
        response = other.get(path)
        assert response.status_code == 404, path
        assert "text/html" in response.headers["content-type"]
    assert "lark.txt" not in other.get("/documents").text


def test_revoking_the_key_ends_the_session(started: FastAPI) -> None:
    client = TestClient(started, base_url="https://testserver")
    key = new_key(started, "pages-revoked")
    sign_in(client, key)
    assert client.get("/documents").status_code == 200
    with Session(started.state.db_engine) as session:
        record = session.exec(
            select(ApiKeyRecord).where(ApiKeyRecord.prefix == key[:11])
        ).one()
        record.revoked_at = utcnow()
        session.add(record)
        session.commit()
    assert client.get("/documents", follow_redirects=False).status_code == 303


def test_a_tampered_cookie_is_no_session(signed_in: TestClient) -> None:
    value = signed_in.cookies["cw_session"]
    signed_in.cookies.clear()
    signed_in.cookies.set("cw_session", value[:-2] + "xx", domain="testserver")
    assert signed_in.get("/documents", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_token_and_clears_the_cookie(signed_in: TestClient) -> None:
    assert signed_in.post("/logout", data={}).status_code == 403
    token = csrf_of(signed_in.get("/documents").text)
    response = signed_in.post(
        "/logout", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert signed_in.get("/documents", follow_redirects=False).status_code == 303


def test_cookie_secure_is_a_setting(tmp_path: Path) -> None:
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'plain.db'}",
            cookie_secure=False,
            session_secret=SecretStr("s" * 32),
        )
    )
    with TestClient(app) as client:  # plain http://testserver
        sign_in(client, new_key(app, "plain-http"))
        refused = client.post("/logout", data={"csrf_token": "x"})
        assert refused.status_code == 403  # signed in: the token was checked
        assert client.get("/documents").status_code == 200
        cookie = next(c for c in client.cookies.jar if c.name == "cw_session")
        assert not cookie.secure
