"""Profile request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
)

from service.columns import as_utc
from service.input_rules import StoredText, storable_tree
from service.profiles.tables import ProfileRecord


class ProfileCreate(BaseModel):
    """An organisation profile (fields as in `examples/profile.example.yml`)."""

    name: StoredText = Field(min_length=1, max_length=200)
    profile: Annotated[dict[str, Any], BeforeValidator(storable_tree)] = Field(
        description="monthly_active_users, daily_active_users, annual_revenue,"
        " regions, intended_uses; `name` defaults to the profile's name",
    )


class ProfilePublic(BaseModel):
    """A stored profile, as validated on the way in."""

    id: str
    name: str
    profile: dict[str, Any]
    created_at: dt.datetime

    @classmethod
    def from_record(cls, record: ProfileRecord) -> ProfilePublic:
        """Build the public view of a stored profile."""
        return cls(
            id=str(record.id),
            name=record.name,
            profile=dict(record.profile),
            created_at=as_utc(record.created_at),
        )


class ProfilesPublic(BaseModel):
    """One page of profiles and the total."""

    data: list[ProfilePublic]
    count: int
