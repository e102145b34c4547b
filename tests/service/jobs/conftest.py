"""A tenant and fake engines for the job tests (databases: the root conftest)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from extractors.engine import AnalysisResult, ClauseEngine, Provenance, default_engine
from extractors.types import Document
from service.auth.tables import TenantRecord

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
