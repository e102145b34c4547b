"""Durable background jobs: state in the database, run in-process or on Celery.

A job is a row (`JobRecord`) that a runner claims with a lease, hands to the
handler registered for its `kind`, and marks done or failed. The same handler
runs under both runners, so the embedded default (worker threads in the API
process) and the Celery workers behave alike; only who picks the job differs.
"""

from service.jobs.handlers import Handler, HandlerRegistry, SessionFactory
from service.jobs.store import ClaimedJob, JobStore
from service.jobs.tables import JobRecord, JobStatus

__all__ = [
    "ClaimedJob",
    "Handler",
    "HandlerRegistry",
    "JobRecord",
    "JobStatus",
    "JobStore",
    "SessionFactory",
]
