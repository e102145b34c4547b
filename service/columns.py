"""What every table shares: constraint names, column types, the UTC clock.

Each resource package defines its own tables (`service/<resource>/tables.py`)
on the one `SQLModel.metadata` that Alembic migrates; every tables module
imports this one first, so the naming convention is set before any table is
defined. Timestamps are timezone-aware UTC; SQLite hands them back naive,
which `as_utc` mends on the way out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel

# Named constraints keep later migrations (batch mode on SQLite) able to drop them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSON_TYPE: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
"""JSON everywhere, JSONB on PostgreSQL so later queries can index into it."""


TIMESTAMP = DateTime(timezone=True)


def utcnow() -> dt.datetime:
    """Return the current time in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Return `moment` as aware UTC (SQLite hands back naive UTC datetimes)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
