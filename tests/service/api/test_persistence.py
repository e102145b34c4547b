"""Data outlives the app; the migrations build exactly the tables the code defines."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import SQLModel

from service.app import create_app
from service.db import init_db, make_engine
from service.settings import Settings
from tests.service.api.helpers import LICENSE_TYPES, new_tenant, scan, upload

OWN_TABLES = {"tenant", "api_key", "document", "profile", "scan", "clause", "finding"}


def test_data_survives_a_restart_on_the_same_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'kept.db'}")
    first = create_app(settings)
    with TestClient(first) as client:
        tenant = new_tenant(first, "keeper")
        document_id = upload(client, tenant).json()["id"]
        scan_id = scan(client, tenant, document_id).json()["id"]
    second = create_app(settings)
    with second.state.db_engine.connect() as connection:
        mode = connection.execute(text("PRAGMA journal_mode")).scalar_one()
    assert mode == "wal"
    with TestClient(second) as client:
        document = client.get(f"/v1/documents/{document_id}", headers=tenant.headers)
        assert document.status_code == 200
        stored = client.get(f"/v1/scans/{scan_id}", headers=tenant.headers).json()
        assert {c["type"] for c in stored["result"]["clauses"]} == LICENSE_TYPES


def test_migrations_match_the_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        init_db(engine)
        init_db(engine)  # idempotent
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    ours = [d for d in diff if OWN_TABLES & _tables(d)]
    assert ours == []


def _tables(diff: object) -> set[str]:
    """Return the table names a diff entry mentions (entries nest for columns)."""
    found: set[str] = set()
    items = diff if isinstance(diff, list | tuple) else [diff]
    for item in items:
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, list | tuple):
            found |= _tables(item)
        else:  # a Table, Column, Index or constraint: its name and its table's
            for owner in (item, getattr(item, "table", None)):
                name = getattr(owner, "name", None)
                if isinstance(name, str):
                    found.add(name)
    return found
