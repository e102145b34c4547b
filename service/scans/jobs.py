"""The `scan` job: run one queued scan, at most once to success.

A big document's scan is queued by the route as a `pending` row plus a job
of kind `SCAN_JOB`; both job runners (in-process and Celery) call `ScanJob`,
which takes the row to `running` under a guarding UPDATE, runs
`service.scans.scanning.run_scan`, and records a failure with its reason.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy.exc import SQLAlchemyError

from extractors.errors import ClausewiseError
from service.analysis_pool import Analyzer
from service.documents.tables import DocumentRecord
from service.engine import service_engine
from service.jobs.handlers import HandlerRegistry, SessionFactory
from service.metrics import Metrics
from service.profiles.tables import ProfileRecord
from service.scans.scanning import claim_scan, mark_failed, run_scan
from service.scans.tables import ScanRecord, ScanStatus

logger = logging.getLogger(__name__)

SCAN_JOB: Final = "scan"
"""The job kind of a queued scan; its payload is `{"scan_id": <hex>}`."""


class ScanJob:
    """The `scan` job handler: run one queued scan, at most once to success.

    The engine is the app's for the in-process runner; a Celery worker builds
    the default one on first use (seconds), as the batch chunk handler does.
    """

    def __init__(
        self, engine: Analyzer | None = None, metrics: Metrics | None = None
    ) -> None:
        self._engine = engine
        self.metrics = metrics

    @property
    def engine(self) -> Analyzer:
        """Return the clause engine, building the service's on first use."""
        if self._engine is None:
            self._engine = service_engine()
        return self._engine

    def __call__(self, sessions: SessionFactory, payload: Mapping[str, Any]) -> None:
        """Run the scan named by the payload unless it already ended.

        A scan already `succeeded` or `failed` is skipped, so a retried or
        redelivered job does nothing twice. The engine's failure on this
        document is the scan's outcome (recorded, job done): running it again
        would fail the same way. A database error is raised instead, so the
        runner retries the job and `give_up` records it after the last try.
        """
        scan_id = uuid.UUID(str(payload["scan_id"]))
        with sessions() as session:
            if not claim_scan(session, scan_id, ScanStatus.RUNNING):
                session.rollback()
                logger.info("scan %s is finished or gone; job skipped", scan_id)
                return
            session.commit()
            scan = session.get(ScanRecord, scan_id)
            if scan is None:
                return  # deleted with its tenant or document meanwhile
            document = session.get(DocumentRecord, scan.document_id)
            if document is None:
                return
            profile = (
                session.get(ProfileRecord, scan.profile_id) if scan.profile_id else None
            )
            try:
                run_scan(
                    session,
                    self.engine,
                    scan,
                    document=document,
                    profile=profile,
                    metrics=self.metrics,
                )
            except SQLAlchemyError:
                raise
            except Exception as exc:
                session.rollback()
                if not isinstance(exc, ClausewiseError):
                    logger.exception("scan %s failed", scan_id)
                mark_failed(session, scan, _reason(exc), self.metrics)

    def give_up(
        self, sessions: SessionFactory, payload: Mapping[str, Any], error: str
    ) -> None:
        """Fail the scan with the job's error once no attempt is left.

        Otherwise a client polling it would see `running` forever.
        """
        scan_id = uuid.UUID(str(payload["scan_id"]))
        with sessions() as session:
            scan = session.get(ScanRecord, scan_id)
            if scan is not None:
                reason = f"the scan job failed for good: {error}"
                mark_failed(session, scan, reason, self.metrics)


def register_scan_handler(
    registry: HandlerRegistry,
    engine: Analyzer | None = None,
    metrics: Metrics | None = None,
) -> ScanJob:
    """Register the `scan` job handler (the default engine unless one is given)."""
    job = ScanJob(engine, metrics)
    registry.register(SCAN_JOB, job, on_give_up=job.give_up)
    return job


def _reason(exc: Exception) -> str:
    """Say why a scan failed: the engine's own message, or the error's type too."""
    if isinstance(exc, ClausewiseError):
        return str(exc) or type(exc).__name__
    return f"internal error ({type(exc).__name__}): {exc}"
