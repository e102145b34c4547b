"""The one database fixture stack: every test that needs a database uses it.

`database_url` is a fresh database per test, once on a SQLite file and once
on PostgreSQL: when `CLAUSEWISE_TEST_PG` (default: the local trust-auth
server) answers, one database is created for the test session and dropped at
its end, and every test gets its own schema in it. When the server is not
reachable the PostgreSQL variants are skipped with the reason. On top of it:
`engine` (a migrated SQLAlchemy engine, for code below the API) and `app`,
`client`, `tenant_a`, `tenant_b` (a started app and two tenants' keys).

It also declares `--regen-cases` (tests/extractors/test_cases.py): an option
must be declared in a conftest pytest reads before collecting.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import Engine

from service.app import create_app
from service.db import init_db, make_engine
from service.settings import Settings
from tests.service.api.helpers import Tenant, new_tenant

# Apps under test analyse in the request thread, so a test can swap or break
# the engine; the tests of the worker processes ask for them explicitly.
os.environ.setdefault("CLAUSEWISE_SCAN_PROCESSES", "1")

PG_ADMIN = os.environ.get(
    "CLAUSEWISE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-cases",
        action="store_true",
        help="rewrite tests/cases/*/NAME.yml from what the engine tags now;"
        " review the git diff",
    )


@dataclass(frozen=True)
class PgServer:
    """The session's PostgreSQL database, or why there is none."""

    database: str | None
    reason: str


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """Create one uniquely named database for this session; drop it at the end."""
    name = f"clausewise_api_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        yield PgServer(None, f"PostgreSQL unreachable at {PG_ADMIN}: {exc}")
        return
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield PgServer(name, "")
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


def _pg_conninfo(database: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0]
    return f"{base}/{database}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_server: PgServer
) -> Iterator[str]:
    """Return a URL to an empty database (a schema of its own on PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clausewise.db'}"
        return
    if pg_server.database is None:
        pytest.skip(pg_server.reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = _pg_conninfo(pg_server.database)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    host = conninfo.split("://", 1)[1]
    yield f"postgresql+psycopg://{host}?options=-csearch_path%3D{schema}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    """Return a factory of settings on this test's database, with overrides."""

    def make(**overrides: Any) -> Settings:
        return Settings(database_url=database_url, **overrides)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client on a started app (lifespan run: migrated, engine loaded)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def tenant_a(client: TestClient, app: FastAPI) -> Tenant:
    return new_tenant(app, "tenant-a")


@pytest.fixture
def tenant_b(client: TestClient, app: FastAPI) -> Tenant:
    return new_tenant(app, "tenant-b")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database engine on this test's database."""
    db = make_engine(database_url)
    init_db(db)
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def _torch_not_left_out() -> Iterator[None]:
    """Undo `service.cli.keep_torch_out` after a test that ran the CLI in-process.

    It marks torch absent for the rest of the process (right for a
    patterns-only command), which would make a later test that fits a head
    with scikit-learn fail or pass depending on the order tests run in.
    """
    yield
    if "torch" in sys.modules and sys.modules["torch"] is None:
        del sys.modules["torch"]
