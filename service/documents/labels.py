"""Family and version labels: a version label names one document of its family.

Diffs pick their sides by label (`from=1&to=2`), so two documents of a tenant
with the same family and version would make a diff compare whichever came
last, silently. Filing into a taken (family, version) is therefore a 409 that
names the document holding it, and the database enforces the same rule (the
unique index `uq_document_tenant_id_family_version`, revision 0003) so that
two concurrent uploads cannot both win. A document without a family, or
without a version, takes no label: any number of them may exist.

Identical bytes are stored once per tenant, so uploading them again with
other labels cannot file a second copy; it is a 409 naming the stored
document instead of a 200 that quietly ignores the labels. `relabel` (the
`PATCH /v1/documents/{id}` route) is how a stored text moves to another
family or version.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from service.documents.tables import DocumentRecord
from service.problems import ProblemError


@dataclass(frozen=True, slots=True)
class Labels:
    """What a document is filed under: family, version and tags."""

    family: str | None
    version: str | None
    tags: tuple[str, ...]


def version_holder(
    session: Session,
    tenant_id: uuid.UUID,
    family: str | None,
    version: str | None,
    *,
    other_than: uuid.UUID | None = None,
) -> DocumentRecord | None:
    """Return the tenant's document filed as (family, version), if any.

    None for a missing family or version: such documents hold no label.
    """
    if family is None or version is None:
        return None
    query = (
        select(DocumentRecord)
        .where(DocumentRecord.tenant_id == tenant_id)
        .where(DocumentRecord.family == family)
        .where(DocumentRecord.version == version)
    )
    if other_than is not None:
        query = query.where(DocumentRecord.id != other_than)
    return session.exec(query).first()


def check_version_free(
    session: Session,
    tenant_id: uuid.UUID,
    family: str | None,
    version: str | None,
    *,
    other_than: uuid.UUID | None = None,
) -> None:
    """Raise the 409 `version-taken` when another document holds the label."""
    holder = version_holder(session, tenant_id, family, version, other_than=other_than)
    if holder is not None:
        raise version_taken(holder)


def version_taken(holder: DocumentRecord) -> ProblemError:
    """Return the 409 naming the document that already holds its label."""
    return ProblemError(
        409,
        f"family '{holder.family}' already has a version '{holder.version}':"
        f" document {holder.id}; choose another version label, or relabel that"
        f" document first (PATCH /v1/documents/{holder.id})",
        slug="version-taken",
        title="Version already taken",
        extra=_naming(holder),
    )


def check_same_labels(
    stored: DocumentRecord, *, family: str | None, version: str | None
) -> None:
    """Refuse a re-upload of stored bytes that asks for other family/version labels.

    Only the labels the upload states are compared: the same bytes sent with
    no family or version (or the ones stored) are simply the stored document.
    """
    wanted = {"family": family, "version": version}
    differs = [
        f"{field} '{value}'"
        for field, value in wanted.items()
        if value is not None and value != getattr(stored, field)
    ]
    if not differs:
        return
    raise ProblemError(
        409,
        f"these bytes are already stored as document {stored.id}"
        f" ({_describe(stored)}), not as {' and '.join(differs)}; to file that"
        f" document elsewhere, PATCH /v1/documents/{stored.id} with the new"
        " family and version",
        slug="already-stored",
        title="Document already stored with other labels",
        extra=_naming(stored),
    )


def relabel(session: Session, record: DocumentRecord, labels: Labels) -> DocumentRecord:
    """File a stored document under new labels; 409 if another holds the version."""
    check_version_free(
        session, record.tenant_id, labels.family, labels.version, other_than=record.id
    )
    record.family = labels.family
    record.version = labels.version
    record.tags = list(dict.fromkeys(labels.tags))
    session.add(record)
    commit_labelled(
        session,
        record.tenant_id,
        labels.family,
        labels.version,
        other_than=record.id,
    )
    session.refresh(record)
    return record


def commit_labelled(
    session: Session,
    tenant_id: uuid.UUID,
    family: str | None,
    version: str | None,
    *,
    other_than: uuid.UUID | None = None,
) -> None:
    """Commit; a concurrent writer that took the label meanwhile makes it a 409.

    Any other integrity error is re-raised as it is, after the rollback.
    """
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        check_version_free(session, tenant_id, family, version, other_than=other_than)
        raise


def _naming(document: DocumentRecord) -> dict[str, str]:
    """Return the problem members that point at a document."""
    return {
        "existing_document_id": str(document.id),
        "existing_document_url": f"/v1/documents/{document.id}",
    }


def _describe(document: DocumentRecord) -> str:
    parts: Sequence[str] = [
        f"family '{document.family}'" if document.family is not None else "no family",
        f"version '{document.version}'"
        if document.version is not None
        else "no version",
    ]
    return ", ".join(parts)
