"""Tenant-scoped reads shared by every resource: ids, pages, ownership.

Every lookup takes the caller's tenant id. A row of another tenant is
indistinguishable from a missing one: both raise the same 404 problem, so
ids never reveal what other tenants store. Each resource's `queries` module
builds its getters and listings on these.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, func, select
from sqlmodel.sql.expression import SelectOfScalar

from service.problems import not_found

RecordT = TypeVar("RecordT", bound=SQLModel)


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a listing to return (`limit`/`offset` query parameters)."""

    limit: int
    offset: int


def parse_id(ident: str, kind: str) -> uuid.UUID:
    """Return the UUID in `ident`; a malformed id is just an unknown one (404)."""
    try:
        return uuid.UUID(ident)
    except ValueError:
        raise not_found(kind, ident) from None


def get_owned(
    session: Session,
    model: type[RecordT],
    *,
    tenant_id: uuid.UUID,
    ident: str,
    kind: str,
) -> RecordT:
    """Return the row of `model` with this id if the tenant owns it, else 404."""
    record = session.get(model, parse_id(ident, kind))
    if record is None or getattr(record, "tenant_id", None) != tenant_id:
        raise not_found(kind, ident)
    return record


def paged(
    session: Session, query: SelectOfScalar[RecordT], page: Page, *order_by: Any
) -> tuple[Sequence[RecordT], int]:
    """Return one page of `query` in the given order, and the total count."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(*order_by).limit(page.limit).offset(page.offset)
    ).all()
    return rows, total
