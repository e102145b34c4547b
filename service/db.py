"""Database engine, sessions and schema migrations.

The schema is owned by Alembic (`service/migrations/`), never by
`SQLModel.metadata.create_all`: `init_db` runs `upgrade head` in-process at
start-up, so a new revision reaches every deployment the same way, on SQLite
(one file, WAL) and PostgreSQL (`postgresql+psycopg://`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"


def make_engine(database_url: str) -> Engine:
    """Create the SQLAlchemy engine; SQLite gets WAL, foreign keys and threads."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(database_url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL (readers never wait for the writer) and foreign keys."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def alembic_config() -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def init_db(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is there)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head_revision() -> str | None:
    """Return the newest revision the packaged migrations define."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at (None before any migration)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ping(engine: Engine) -> None:
    """Run a trivial query; raises when the database cannot be reached."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def get_db_engine(request: Request) -> Engine:
    """Return the app's database engine (a dependency, overridable in tests)."""
    engine: Engine = request.app.state.db_engine
    return engine


def get_session(
    engine: Annotated[Engine, Depends(get_db_engine)],
) -> Iterator[Session]:
    """Yield a session for one request; it is closed when the response is sent."""
    with Session(engine) as session:
        yield session
