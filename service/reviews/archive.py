"""A tenant's reviewed documents as a corpus archive, out and in.

Out: `docs/NAME` (the stored text, which every offset indexes),
`labels/NAME.json` (the signed-off review in the gold format) and
`manifest.json`, as a gzip tar that `clausewise eval --corpus` and
`clausewise train --corpus` read like `../shared/corpus`.

In: the same layout (from clausewise or written by hand) is checked whole
before anything is stored: safe members (`eval.archive`), every label
naming its document, every quote at its offsets in the parsed text, known
types, valid parameters. Then, in one transaction, each document is stored
(or found, by its bytes) and the importing reviewer's review of it is
written as `add` events and a `mark_reviewed`: imported labels are reviews
like any other, with who and when.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any, Final

from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from eval.archive import ArchiveError, ArchiveLimits, read_archive
from eval.corpus import LabelFile, LabelSpan
from extractors.errors import InputError
from extractors.parse import parse_bytes
from extractors.types import Document
from service.documents.labels import check_version_free
from service.documents.schemas import document_meta
from service.documents.store import (
    check_quota,
    document_record,
    find_by_sha256,
    pdf_limits,
)
from service.documents.tables import DocumentRecord
from service.problems import ProblemError
from service.reviews.labels import document_file_name, gold_labels
from service.reviews.params import ParamsError, validate_params
from service.reviews.state import Action, ClauseStatus, Origin, Review, ReviewClause
from service.reviews.store import reviews_of, signed_off
from service.reviews.tables import ReviewEventRecord
from service.settings import Settings

MAX_PROBLEMS: Final = 20


# ---- export -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A document and the review its labels come from."""

    document: DocumentRecord
    review: Review


def reviewed_documents(session: Session, tenant_id: uuid.UUID) -> list[Reviewed]:
    """Return the tenant's signed-off documents, oldest upload first."""
    ids = session.exec(
        select(ReviewEventRecord.document_id)
        .where(ReviewEventRecord.tenant_id == tenant_id)
        .where(ReviewEventRecord.action == Action.MARK_REVIEWED.value)
        .distinct()
    ).all()
    out: list[Reviewed] = []
    documents = session.exec(
        select(DocumentRecord)
        .where(DocumentRecord.tenant_id == tenant_id)
        .where(col(DocumentRecord.id).in_(ids))
        .order_by(col(DocumentRecord.created_at), col(DocumentRecord.id))
    ).all()
    for document in documents:
        review = signed_off(reviews_of(session, document))
        if review is not None:
            out.append(Reviewed(document, review))
    return out


def archive_names(items: Sequence[Reviewed]) -> list[str]:
    """Return one file name per document, unique within the archive."""
    names: list[str] = []
    taken: set[str] = set()
    for item in items:
        name = document_file_name(item.document)
        if name in taken:
            stem, dot, suffix = name.rpartition(".")
            name = f"{stem}-{item.document.id.hex[:8]}{dot}{suffix}"
        taken.add(name)
        names.append(name)
    return names


def write_archive(items: Sequence[Reviewed], out: io.BufferedIOBase) -> int:
    """Write the corpus archive of `items` to `out`; return the document count."""
    manifest: list[dict[str, Any]] = []
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for item, name in zip(items, archive_names(items), strict=True):
            text = item.document.text.encode("utf-8")
            labels = json.dumps(
                gold_labels(item.review, name), ensure_ascii=False, indent=1
            ).encode("utf-8")
            _add(archive, f"docs/{name}", text)
            _add(archive, f"labels/{name}.json", labels)
            manifest.append(_manifest_entry(item, name, text))
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        _add(archive, "manifest.json", body)
    return len(items)


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


def _manifest_entry(item: Reviewed, name: str, text: bytes) -> dict[str, Any]:
    document, review = item.document, item.review
    reviewed = review.reviewed_at or document.created_at
    return {
        "file": name,
        "title": document.name,
        "family": document.family,
        "version": document.version,
        "kind": None,
        "added": reviewed.date().isoformat(),
        "sha256": hashlib.sha256(text).hexdigest(),
        "bytes": len(text),
        "source_url": document.source_url,
        "document_id": str(document.id),
        "media_type": document.media_type,
        "reviewer": review.reviewer,
        "reviewed_at": reviewed.isoformat(),
    }


SPOOL_BYTES: Final = 8 * 1024 * 1024
"""An export is built in memory up to this size, then on disk."""
CHUNK_BYTES: Final = 64 * 1024


def archive_response(items: Sequence[Reviewed]) -> StreamingResponse:
    """Return the corpus archive of `items`, streamed (built in a spooled file).

    Shared by `GET /v1/labels/export` and the Accuracy page's download.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    count = write_archive(items, spool)  # type: ignore[arg-type]
    spool.seek(0)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        _chunks(spool),
        media_type="application/gzip",
        headers={
            "Content-Disposition": f'attachment; filename="labels-{stamp}.tar.gz"',
            "X-Documents": str(count),
        },
    )


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


# ---- import -----------------------------------------------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    file: str
    family: str | None = None
    version: str | None = None
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One checked document of an archive, ready to store."""

    name: str
    data: bytes
    document: Document
    clauses: tuple[ReviewClause, ...]
    family: str | None
    version: str | None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did, per document: stored anew or found by its bytes."""

    documents: tuple[tuple[str, uuid.UUID, bool, int], ...]


def import_archive(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    reviewer: str,
    data: bytes,
    settings: Settings,
) -> ImportSummary:
    """Check the whole archive, then store documents and reviews in one commit."""
    limits = ArchiveLimits(max_unpacked_bytes=settings.limits.max_import_bytes * 4)
    try:
        members = read_archive(data, limits)
    except ArchiveError as exc:
        raise _refused([str(exc)]) from exc
    incoming = check_archive(members, settings)
    return _store(session, tenant_id, reviewer, incoming, settings)


def check_archive(members: Mapping[str, bytes], settings: Settings) -> list[Incoming]:
    """Return every labelled document, or raise 422 listing what is wrong."""
    docs = {n[5:]: d for n, d in members.items() if n.startswith("docs/")}
    labels = {
        n[7:-5]: d
        for n, d in members.items()
        if n.startswith("labels/") and n.endswith(".json")
    }
    problems: list[str] = [f"docs/{n}: not a plain file name" for n in docs if "/" in n]
    manifest = _manifest(members.get("manifest.json"), problems)
    if not labels:
        problems.append("the archive has no labels/*.json")
    incoming: list[Incoming] = []
    for name in sorted(labels):
        item = _incoming(
            name, labels[name], docs.get(name), manifest, settings, problems
        )
        if item is not None:
            incoming.append(item)
    if problems:
        raise _refused(problems)
    return incoming


def _manifest(raw: bytes | None, problems: list[str]) -> dict[str, _Entry]:
    if raw is None:
        return {}
    try:
        entries = [_Entry.model_validate(e) for e in json.loads(raw)]
    except (ValueError, TypeError, ValidationError) as exc:
        problems.append(f"manifest.json: not a list of entries ({exc})"[:300])
        return {}
    return {e.file: e for e in entries}


def _incoming(
    name: str,
    raw_labels: bytes,
    data: bytes | None,
    manifest: Mapping[str, _Entry],
    settings: Settings,
    problems: list[str],
) -> Incoming | None:
    try:
        labels = LabelFile.model_validate_json(raw_labels)
    except ValidationError as exc:
        problems.append(f"labels/{name}.json: {_first_error(exc)}")
        return None
    if labels.doc != name:
        problems.append(f"labels/{name}.json names doc {labels.doc!r}, not {name!r}")
    if data is None:
        problems.append(f"labels/{name}.json: no document docs/{name}")
        return None
    try:
        document = parse_bytes(
            data,
            name=name,
            max_bytes=settings.limits.max_upload_bytes,
            pdf_limits=pdf_limits(settings),
        )
    except InputError as exc:
        problems.append(f"docs/{name}: {exc}")
        return None
    clauses = _clauses(name, document.text, labels.spans, problems)
    entry = manifest.get(name)
    return Incoming(
        name=name,
        data=data,
        document=document,
        clauses=clauses,
        family=entry.family if entry else None,
        version=entry.version if entry else None,
    )


def _clauses(
    name: str, text: str, spans: Iterable[LabelSpan], problems: list[str]
) -> tuple[ReviewClause, ...]:
    out: list[ReviewClause] = []
    for i, span in enumerate(spans):
        where = f"labels/{name}.json span {i} ({span.type.value})"
        if not 0 <= span.start < span.end <= len(text):
            problems.append(
                f"{where}: [{span.start}, {span.end}) is outside the text"
                f" (0 to {len(text)})"
            )
            continue
        if text[span.start : span.end] != span.quote:
            problems.append(
                f"{where}: the quote is not the text at [{span.start}, {span.end})"
            )
            continue
        try:
            params = validate_params(span.type, span.params)
        except ParamsError as exc:
            problems.append(f"{where}: {exc}")
            continue
        out.append(
            ReviewClause(
                key=f"i{i}",
                type=span.type,
                start=span.start,
                end=span.end,
                quote=span.quote,
                params=params,
                status=ClauseStatus.ACCEPTED,
                origin=Origin.ADDED,
            )
        )
    return tuple(out)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


def _refused(problems: Sequence[str]) -> ProblemError:
    shown = list(problems[:MAX_PROBLEMS])
    more = len(problems) - len(shown)
    detail = f"the archive was not imported ({len(problems)} problems): " + "; ".join(
        shown
    )
    if more:
        detail += f"; and {more} more"
    return ProblemError(
        422,
        detail,
        slug="invalid-archive",
        title="Invalid label archive",
        extra={"problems": shown},
    )


def _store(
    session: Session,
    tenant_id: uuid.UUID,
    reviewer: str,
    incoming: Sequence[Incoming],
    settings: Settings,
) -> ImportSummary:
    """Store documents and review events; one commit, or nothing at all."""
    stored: list[tuple[str, uuid.UUID, bool, int]] = []
    now = dt.datetime.now(dt.UTC)
    for item in incoming:
        sha = hashlib.sha256(item.data).hexdigest()
        record = find_by_sha256(session, tenant_id=tenant_id, sha256=sha)
        created = record is None
        if record is None:
            check_version_free(session, tenant_id, item.family, item.version)
            check_quota(session, tenant_id, settings.limits.max_documents_per_tenant)
            meta = document_meta(
                name=item.name, family=item.family, version=item.version
            )
            record = document_record(tenant_id, item.data, item.document, meta)
            session.add(record)
            session.flush()
        elif any(r.reviewer == reviewer for r in reviews_of(session, record)):
            session.rollback()
            raise ProblemError(
                409,
                f"docs/{item.name} is already stored as document {record.id}, and"
                f" {reviewer} has reviewed it; nothing was imported",
                slug="already-reviewed",
                extra={"document_id": str(record.id)},
            )
        _review_events(session, record, reviewer, item.clauses, now)
        stored.append((item.name, record.id, created, len(item.clauses)))
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ProblemError(
            409,
            "another upload took one of these documents' family and version"
            " labels at the same time; nothing was imported",
            slug="label-taken",
        ) from exc
    return ImportSummary(tuple(stored))


def _review_events(
    session: Session,
    record: DocumentRecord,
    reviewer: str,
    clauses: Sequence[ReviewClause],
    now: dt.datetime,
) -> None:
    for clause in clauses:
        key = f"a{uuid.uuid4().hex[:12]}"
        after = replace(clause, key=key).to_dict()
        session.add(_event(record, reviewer, Action.ADD, key, after, now))
    session.add(_event(record, reviewer, Action.MARK_REVIEWED, None, None, now))


def _event(
    record: DocumentRecord,
    reviewer: str,
    action: Action,
    key: str | None,
    after: dict[str, Any] | None,
    now: dt.datetime,
) -> ReviewEventRecord:
    return ReviewEventRecord(
        tenant_id=record.tenant_id,
        document_id=record.id,
        reviewer=reviewer,
        action=action.value,
        clause_key=key,
        after=after,
        created_at=now,
    )
