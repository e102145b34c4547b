"""Batch cards analysed in worker processes, so in-process batches use every core.

Job threads share one interpreter: analysing cards is CPU-bound Python, so
two threads scan no faster than one. A `CardPool` hands the cards of a slice
to worker processes instead; each builds the service's engine once
(`service.engine.service_engine`, the same configuration as the app's) and
keeps it. The processes start from a fork server, not by forking the API
process, which runs threads (uvicorn's, the job runner's) that a fork would
copy mid-lock. The database work stays in the job thread.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, NamedTuple

from extractors.errors import InputError
from extractors.output import result_to_dict
from extractors.parse import parse_bytes
from service.engine import service_engine

logger = logging.getLogger(__name__)


class CardResult(NamedTuple):
    """One card's analysis, or why there is none (the item's recorded error)."""

    data: dict[str, Any] | None
    error: str | None


def analyze_card(analyzer: Any, content: bytes, name: str) -> CardResult:
    """Parse and analyse one card; its failure becomes the item's recorded error.

    An `InputError` (empty, binary, undecodable) is the card's fault and is
    recorded as the parser said it. Anything else is a bug: it is logged
    with its traceback and recorded, so one card cannot stall 10,000.
    """
    try:
        document = parse_bytes(content, name=name)
        data = result_to_dict(analyzer.analyze(document))
    except InputError as exc:
        return CardResult(None, str(exc))
    except Exception as exc:
        logger.exception("scanning batch card %s failed", name)
        return CardResult(None, f"internal error ({type(exc).__name__}): {exc}")
    return CardResult(data, None)


def _analyze_in_worker(card: tuple[bytes, str]) -> CardResult:
    return analyze_card(service_engine(), *card)


def _warm() -> None:
    service_engine()  # built once per worker process, before its first card


class CardPool:
    """`processes` workers analysing cards; started on first use, closed by `close`."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None

    def analyze(self, cards: Sequence[tuple[bytes, str]]) -> list[CardResult]:
        """Return each (content, name)'s result, in order."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_warm,
            )
        return list(self._executor.map(_analyze_in_worker, cards))

    def close(self) -> None:
        """Stop the workers (they finish what they hold)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
