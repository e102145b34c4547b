"""Organisation profiles: what verdicts are computed against."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import select

from extractors.risk import profile_from_mapping
from service.deps import PageDep, SessionDep, TenantDep
from service.problems import ProblemError, problem_responses
from service.profiles import queries
from service.profiles.schemas import ProfileCreate, ProfilePublic, ProfilesPublic
from service.profiles.tables import ProfileRecord
from service.request_bodies import JsonBodyRoute

router = APIRouter(
    prefix="/profiles",
    tags=["profiles"],
    responses=problem_responses(401, 422, 429),
    route_class=JsonBodyRoute,
)


@router.post(
    "",
    status_code=201,
    response_model=ProfilePublic,
    responses=problem_responses(409, 413, 422),
)
def create_profile(
    body: ProfileCreate, response: Response, session: SessionDep, caller: TenantDep
) -> ProfilePublic:
    """Validate and store a profile; its name must be new for the tenant."""
    data = {"name": body.name, **body.profile}
    profile_from_mapping(data, source=f"profile '{body.name}'")
    taken = session.exec(
        select(ProfileRecord)
        .where(ProfileRecord.tenant_id == caller.tenant_id)
        .where(ProfileRecord.name == body.name)
    ).first()
    if taken is not None:
        raise ProblemError(
            409, f"a profile named '{body.name}' already exists", slug="name-taken"
        )
    record = ProfileRecord(tenant_id=caller.tenant_id, name=body.name, profile=data)
    session.add(record)
    session.commit()
    session.refresh(record)
    response.headers["Location"] = f"/v1/profiles/{record.id}"
    return ProfilePublic.from_record(record)


@router.get("", response_model=ProfilesPublic)
def list_profiles(
    session: SessionDep, caller: TenantDep, page: PageDep
) -> ProfilesPublic:
    """List the tenant's profiles by name."""
    rows, count = queries.list_profiles(session, tenant_id=caller.tenant_id, page=page)
    return ProfilesPublic(
        data=[ProfilePublic.from_record(r) for r in rows], count=count
    )


@router.get(
    "/{profile_id}", response_model=ProfilePublic, responses=problem_responses(404)
)
def get_profile(
    profile_id: str, session: SessionDep, caller: TenantDep
) -> ProfilePublic:
    """Return one profile."""
    record = queries.get_profile(
        session, tenant_id=caller.tenant_id, profile_id=profile_id
    )
    return ProfilePublic.from_record(record)
