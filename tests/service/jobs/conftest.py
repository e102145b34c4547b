"""Databases (a SQLite file and, when reachable, PostgreSQL), a tenant, fake engines."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from extractors.engine import AnalysisResult, ClauseEngine, Provenance, default_engine
from extractors.types import Document
from service.db import init_db, make_engine
from service.tables import TenantRecord
from tests.service.api.conftest import (  # noqa: F401 - core's app fixtures, by name
    client,
    database_url,
    make_settings,
    pg_server,
    settings,
    tenant_a,
    tenant_b,
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1/test"

CARD = (
    "---\n"
    "license: other\n"
    "license_name: kestrel-community\n"
    "---\n"
    "# Kestrel-3B\n"
    "\n"
    "Kestrel-3B is a small instruction model.\n"
    "\n"
    "## License\n"
    "\n"
    "If the products you offer exceed 500 million monthly active users, you must\n"
    "request a separate license from Kestrel Labs. This agreement is governed by\n"
    "the laws of the State of Delaware.\n"
)
PLAIN = "The model may be used solely for non-commercial research purposes.\n"


def _pg_available() -> bool:
    try:
        engine = make_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means: skip the PG variant
        return False
    return True


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        db = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
        init_db(db)
        yield db
        db.dispose()
        return
    if not _pg_available():
        pytest.skip("PostgreSQL at 127.0.0.1:5432 (database test) is not reachable")
    schema = f"jobs_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    init_db(db)
    yield db
    db.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def make_tenant(engine: Engine, name: str = "acme") -> uuid.UUID:
    with Session(engine) as session:
        tenant = TenantRecord(name=name)
        session.add(tenant)
        session.commit()
        return tenant.id


@pytest.fixture
def tenant_id(engine: Engine) -> uuid.UUID:
    return make_tenant(engine)


@pytest.fixture(scope="session")
def real_engine() -> ClauseEngine:
    return default_engine()


class Killed(BaseException):
    """Raised by a fake engine to stop a chunk the way a killed process would."""


@dataclass
class CountingAnalyzer:
    """The real engine, counting calls per text; optionally dies after N calls."""

    inner: ClauseEngine
    die_after: int | None = None

    def __post_init__(self) -> None:
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def provenance(self) -> Provenance:
        return self.inner.provenance

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def analyze(self, document: Document) -> AnalysisResult:
        with self._lock:
            if self.die_after is not None and self.total >= self.die_after:
                raise Killed("worker killed")
            self.calls[document.text] = self.calls.get(document.text, 0) + 1
        return self.inner.analyze(document)
