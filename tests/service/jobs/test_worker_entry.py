"""`clausewise worker` builds each process's handlers with the engine loaded."""

from __future__ import annotations

from service.batches.scan import ChunkScanner
from service.batches.service import CHUNK_JOB
from service.engine import service_engine
from service.scans.jobs import SCAN_JOB, ScanJob
from service.worker import warm_registry


def test_a_worker_process_loads_the_engine_with_its_handlers() -> None:
    # a prefork child builds the registry at worker_process_init: its first
    # job must not pay for building the engine
    registry = warm_registry()
    scan_job = registry.get(SCAN_JOB)
    chunk = registry.get(CHUNK_JOB)
    assert isinstance(scan_job, ScanJob)
    assert isinstance(chunk, ChunkScanner)
    assert scan_job._engine is service_engine()
    assert chunk._analyzer is service_engine()
