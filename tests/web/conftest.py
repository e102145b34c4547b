"""One app for the page tests of a module, on a temporary SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.app import create_app
from service.auth.keys import create_key
from service.settings import Settings
from tests.web.helpers import LICENSE_V1, csrf_of, sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    db = tmp_path_factory.mktemp("web") / "clausewise.db"
    return create_app(Settings(database_url=f"sqlite:///{db}"))


@pytest.fixture(scope="module")
def started(app: FastAPI) -> Iterator[FastAPI]:
    """The app with its lifespan run (migrated, engine loaded, job threads)."""
    with TestClient(app):
        yield app


def new_key(app: FastAPI, tenant: str) -> str:
    with Session(app.state.db_engine) as session:
        key, _ = create_key(session, tenant)
    return key


@pytest.fixture
def browser_client(started: FastAPI) -> TestClient:
    """A cookie-keeping client on https (the session cookie is Secure).

    Not entered as a context manager: `started` already ran the lifespan once.
    """
    return TestClient(started, base_url="https://testserver")


def upload(client: TestClient, text: str, name: str, **form: str) -> Any:
    """Upload through the page endpoint as the upload script does."""
    token = csrf_of(client.get("/upload").text)
    return client.post(
        "/upload",
        files={"file": (name, text.encode(), "text/plain")},
        data=form,
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )


@pytest.fixture(scope="module")
def key_a(started: FastAPI) -> str:
    return new_key(started, "pages-a")


@pytest.fixture
def signed_in(browser_client: TestClient, key_a: str) -> TestClient:
    sign_in(browser_client, key_a)
    return browser_client


@pytest.fixture
def document_id(signed_in: TestClient) -> str:
    response = upload(signed_in, LICENSE_V1, "lark.txt", family="lark", version="1")
    assert response.status_code in (200, 201), response.text
    return str(response.json()["id"])
