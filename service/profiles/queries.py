"""The tenant's organisation profiles: one by id, or a page of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from service.profiles.tables import ProfileRecord
from service.queries import Page, get_owned, paged


def get_profile(
    session: Session, *, tenant_id: uuid.UUID, profile_id: str
) -> ProfileRecord:
    """Return one of the tenant's profiles, or raise 404."""
    return get_owned(
        session, ProfileRecord, tenant_id=tenant_id, ident=profile_id, kind="profile"
    )


def list_profiles(
    session: Session, *, tenant_id: uuid.UUID, page: Page
) -> tuple[Sequence[ProfileRecord], int]:
    """Return the tenant's profiles by name."""
    query = select(ProfileRecord).where(ProfileRecord.tenant_id == tenant_id)
    return paged(session, query, page, col(ProfileRecord.name), col(ProfileRecord.id))
