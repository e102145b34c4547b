"""Analysis in worker processes, so a service process uses every core it is given.

Analysing a document is CPU-bound Python: request threads and job threads
share one interpreter, so two of them analyse no faster than one. An
`AnalysisPool` hands documents (a scan in the request, a scan job) and batch
cards to worker processes instead; each builds the service's engine once
(`service.engine.service_engine`, the configuration the app's own engine was
built from) and keeps it warm. The processes start from a fork server, not by
forking the API process, which runs threads (uvicorn's, the job runner's)
that a fork would copy mid-lock. The database work stays in the calling thread.

`PooledEngine` is what routes and job handlers see: the app engine's
provenance and risk rules, with `analyze` sent to the pool. With one process
configured there is no pool, and the engine itself is used.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import NamedTuple, Protocol

from extractors.engine import AnalysisResult, ClauseEngine, Provenance
from extractors.errors import InputError
from extractors.output import result_to_dict
from extractors.parse import parse_bytes
from extractors.result_json import ResultJSON
from extractors.risk import OrgProfile, RiskRule
from extractors.types import Document
from models.settings import ModelSettings
from service.engine import service_engine

logger = logging.getLogger(__name__)


class Analyzer(Protocol):
    """What scanning code needs of an engine: the app's, or one backed by a pool."""

    @property
    def provenance(self) -> Provenance:  # pragma: no cover - a protocol
        """Return the engine version and data digests a scan is stamped with."""
        ...

    @property
    def rules(self) -> tuple[RiskRule, ...]:  # pragma: no cover - a protocol
        """Return the risk rules (verdicts are re-judged from stored clauses)."""
        ...

    def analyze(
        self,
        document: Document,
        *,
        profile: OrgProfile | None = None,
        explain: bool = False,
    ) -> AnalysisResult:  # pragma: no cover - a protocol
        """Run the whole pipeline on one document."""
        ...


class CardAnalyzer(Protocol):
    """What analysing a batch card needs: any engine (tests pass fakes)."""

    def analyze(self, document: Document) -> AnalysisResult:  # pragma: no cover
        """Analyse one parsed document."""
        ...


class CardResult(NamedTuple):
    """One card's analysis, or why there is none (the item's recorded error)."""

    data: ResultJSON | None
    error: str | None


def analyze_card(analyzer: CardAnalyzer, content: bytes, name: str) -> CardResult:
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


_models = ModelSettings()
"""The model section of this worker's engine, set by `_warm` when it starts."""


def _warm(models: ModelSettings) -> None:
    global _models
    _models = models
    service_engine(models)  # built once per worker process, before its first task


def _card_in_worker(card: tuple[bytes, str]) -> CardResult:
    return analyze_card(service_engine(_models), *card)


def _document_in_worker(
    document: Document, profile: OrgProfile | None
) -> AnalysisResult:
    return service_engine(_models).analyze(document, profile=profile)


class AnalysisPool:
    """`processes` workers, each with an engine for `models`; closed by `close`."""

    def __init__(self, processes: int, models: ModelSettings | None = None) -> None:
        self.processes = processes
        self.models = models or ModelSettings()
        self._executor: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the workers and have each build its engine now, not on first use."""
        executor = self._started()
        for _ in range(self.processes):
            executor.submit(int)  # a no-op task makes the executor spawn a worker

    def analyze(
        self, document: Document, profile: OrgProfile | None = None
    ) -> AnalysisResult:
        """Return the analysis of `document`, made in a worker process."""
        future: Future[AnalysisResult] = self._started().submit(
            _document_in_worker, document, profile
        )
        return future.result()

    def analyze_cards(self, cards: Sequence[tuple[bytes, str]]) -> list[CardResult]:
        """Return each (content, name)'s result, in order."""
        return list(self._started().map(_card_in_worker, cards))

    def close(self) -> None:
        """Stop the workers (they finish what they hold)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    @property
    def started(self) -> bool:
        """Whether worker processes have been started."""
        return self._executor is not None

    def _started(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_warm,
                initargs=(self.models,),
            )
        return self._executor


class PooledEngine:
    """The app's engine, with `analyze` run in the pool's worker processes.

    The workers build their engine from the same configuration, so a result
    carries the same provenance; a worker whose engine differs (its
    environment changed under it) is an error, never a silently different
    scan. `explain=True` (discarded candidates) runs here: the web pages ask
    for it, and results crossing a process boundary carry no discards.
    """

    def __init__(self, engine: ClauseEngine, pool: AnalysisPool) -> None:
        self.engine = engine
        self.pool = pool

    @property
    def provenance(self) -> Provenance:
        """The provenance of the app's engine (and so of its workers')."""
        return self.engine.provenance

    @property
    def rules(self) -> tuple[RiskRule, ...]:
        """The risk rules of the app's engine."""
        return self.engine.rules

    def analyze(
        self,
        document: Document,
        *,
        profile: OrgProfile | None = None,
        explain: bool = False,
    ) -> AnalysisResult:
        """Analyse `document` in a worker process (here when `explain`)."""
        if explain:
            return self.engine.analyze(document, profile=profile, explain=True)
        result = self.pool.analyze(document, profile)
        if result.provenance != self.engine.provenance:
            raise RuntimeError(
                f"a scan worker's engine ({result.provenance}) is not the app's"
                f" ({self.engine.provenance}): restart the service"
            )
        return result
