"""Alembic environment: migrate `SQLModel.metadata` (every resource's tables).

`service.db.init_db` passes an open connection in `config.attributes`; the
`alembic` command line gets its URL from `sqlalchemy.url` in its config or,
failing that, from `CLAUSEWISE_DATABASE_URL` through `Settings`. Batch mode is
on so that later ALTERs also work on SQLite. For `revision --autogenerate`,
every module that defines tables must be imported below (one per resource
package, and the jobs framework's), or Alembic will propose dropping its
tables.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlmodel import SQLModel

import service.auth.tables  # noqa: F401  (each registers its tables on the metadata)
import service.batches.tables  # noqa: F401
import service.documents.tables  # noqa: F401
import service.jobs.tables  # noqa: F401
import service.profiles.tables  # noqa: F401
import service.reviews.tables  # noqa: F401
import service.scans.tables  # noqa: F401
from service.settings import Settings

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    """Run the migrations on an open connection, in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    """Return the URL named in the Alembic config, else the settings' one."""
    return context.config.get_main_option("sqlalchemy.url") or Settings().database.url


def run_offline() -> None:
    """Emit SQL for the configured URL without connecting (`alembic --sql`)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through the caller's connection, or one opened here."""
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.connect() as opened:
            _run(opened)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
