"""Benchmark the batch pipeline: cards per second, by runner, workers and cache.

Generates N model cards (front matter with a license field, a description, a
license section built from paraphrased license paragraphs written for this
script; with `--corpus DIR`, paragraphs of DIR/docs/*.md are mixed in at run
time), stores them as one batch in a fresh database, and times the batch from
dispatch to `done` with in-process threads and/or Celery workers, 1 and 2 of
them, with the content-hash cache on and off. `--dup` is the share of cards
that repeat an earlier card's text (what the cache can save).

    .venv/bin/python scripts/bench_batch.py                 # N=2000
    .venv/bin/python scripts/bench_batch.py --n 10000 --mode both
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from extractors.engine import default_engine
from service.analysis_pool import AnalysisPool
from service.auth.tables import TenantRecord
from service.batches.jsonl import CardInput
from service.batches.service import create_batch, register_handlers
from service.batches.tables import BatchRecord
from service.db import init_db, make_engine
from service.jobs.celery_app import CeleryDispatcher, make_celery
from service.jobs.handlers import HandlerRegistry
from service.jobs.inprocess import InProcessRunner
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
LICENSES = ("apache-2.0", "mit", "other", "openrail", "llama-style", "cc-by-nc-4.0")
PARAGRAPHS = (
    "Should the services you run on this model reach more than {n} million monthly"
    " active users, you must first obtain a separate license from {org}, which {org}"
    " may grant or refuse at its discretion.",
    'Anyone who redistributes the model must show the words "Powered by {name}" in'
    " the product's documentation or user interface.",
    "Your use of the model is subject to the {org} Acceptable Use Policy, which is"
    " incorporated into these terms by reference and may be updated from time to time.",
    "The model may be used only for research and other non-commercial purposes.",
    "You may not use outputs of the model to train or improve any other large"
    " language model.",
    "{org} may change these terms at any time; continued use means acceptance of"
    " the changed terms.",
    "These terms are governed by the laws of {place}, without regard to its conflict"
    " of laws rules.",
    "If you bring a patent or copyright claim against {org} over the model, your"
    " license ends on the date the claim is filed.",
    "Any derivative you distribute must carry use restrictions at least as strict as"
    " those in this section.",
    "The rights in this license are not granted to persons domiciled in the {region}.",
)
PLACES = ("the State of California", "England and Wales", "Singapore", "Switzerland")
REGIONS = ("European Union", "United Kingdom")


def card_text(rng: random.Random, index: int, snippets: Sequence[str]) -> str:
    """Return one synthetic model card (front matter, description, license section)."""
    animal = rng.choice(("Heron", "Marten", "Osprey", "Vole"))
    name = f"{animal}-{index}-{rng.randint(1, 70)}B"
    org = rng.choice(("Northwind AI", "Blue Finch Labs", "Quarry Research"))
    values = {
        "n": rng.choice((100, 500, 700, 1000)),
        "org": org,
        "name": name,
        "place": rng.choice(PLACES),
        "region": rng.choice(REGIONS),
    }
    chosen = rng.sample(PARAGRAPHS, rng.randint(2, 6))
    section = [p.format(**values) for p in chosen]
    if snippets:
        section.append(rng.choice(snippets))
    return (
        f"---\nlicense: {rng.choice(LICENSES)}\nlibrary_name: transformers\n"
        f"tags:\n- text-generation\n---\n# {name}\n\n"
        f"{name} is a decoder-only language model trained by {org} on public web"
        f" text and code. It is meant for chat, summarisation and drafting.\n\n"
        "## License\n\n" + "\n\n".join(section) + "\n"
    )


def make_cards(n: int, dup: float, corpus: Path | None, seed: int) -> list[CardInput]:
    """Return N cards; a `dup` share repeats earlier texts (with their own ids)."""
    rng = random.Random(seed)
    snippets = _snippets(corpus) if corpus else []
    texts: list[str] = []
    for index in range(n):
        if texts and rng.random() < dup:
            texts.append(rng.choice(texts))
        else:
            texts.append(card_text(rng, index, snippets))
    return [CardInput(f"card-{i}", t.encode(), "markdown") for i, t in enumerate(texts)]


def _snippets(corpus: Path) -> list[str]:
    """Read paragraphs of the corpus's Markdown documents (run time only)."""
    out: list[str] = []
    for path in sorted((corpus / "docs").glob("*.md")):
        paragraphs = path.read_text(errors="replace").split("\n\n")
        out.extend(p.strip() for p in paragraphs if 80 < len(p.strip()) < 1200)
    return out


@dataclass(frozen=True)
class Run:
    """One measured configuration."""

    mode: str
    workers: int
    cache: bool
    insert_s: float
    scan_s: float
    n: int
    failed: int

    def row(self) -> str:
        """Return the run as a Markdown table row."""
        rate = self.n / self.scan_s
        cache = "on" if self.cache else "off"
        return (
            f"| {self.mode} | {self.workers} | {cache} | {self.n} | {self.insert_s:.2f}"
            f" | {self.scan_s:.1f} | {rate:.0f} | {self.failed} |"
        )


def _fresh_db(url: str | None, tmp: Path) -> tuple[Engine, str, uuid.UUID]:
    db_url = url or f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    engine = make_engine(db_url)
    init_db(engine)
    with Session(engine) as session:
        tenant = TenantRecord(name=f"bench-{uuid.uuid4().hex[:8]}")
        session.add(tenant)
        session.commit()
        return engine, db_url, tenant.id


def _store(
    engine: Engine, tenant: uuid.UUID, cards: Sequence[CardInput], cache: bool
) -> tuple[uuid.UUID, list[uuid.UUID], float]:
    start = time.perf_counter()
    with Session(engine) as session:
        created = create_batch(
            session,
            tenant_id=tenant,
            cards=cards,
            idempotency_key=None,
            use_cache=cache,
            chunk_size=200,
        )
    return created.batch_id, list(created.job_ids), time.perf_counter() - start


def _wait(engine: Engine, batch_id: uuid.UUID, timeout: float) -> BatchRecord:
    deadline = time.monotonic() + timeout
    while True:
        with Session(engine) as session:
            batch = session.get(BatchRecord, batch_id)
            assert batch is not None
            if batch.status == "done" or time.monotonic() > deadline:
                return batch
        time.sleep(0.1)


def run_inprocess(
    cards: Sequence[CardInput], workers: int, cache: bool, url: str | None, tmp: Path
) -> Run:
    """Time a batch in process: `workers` job threads and as many card processes.

    With more than one worker, cards are analysed by an `AnalysisPool` of that
    many processes (`CLAUSEWISE_SCAN_PROCESSES`), started and warmed before
    the clock starts (an API process starts it once, at start-up).
    """
    engine, _, tenant = _fresh_db(url, tmp)
    registry = HandlerRegistry()
    pool = AnalysisPool(workers) if workers > 1 else None
    if pool is not None:
        pool.analyze_cards([(b"warm-up", "w1"), (b"warm-up", "w2")] * workers)
    register_handlers(registry, default_engine(), pool)
    batch_id, _, insert_s = _store(engine, tenant, cards, cache)
    runner = InProcessRunner(engine, registry, threads=workers, poll_seconds=0.05)
    start = time.perf_counter()
    runner.start()
    try:
        batch = _wait(engine, batch_id, 3600)
    finally:
        runner.stop()
        if pool is not None:
            pool.close()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return Run("inprocess", workers, cache, insert_s, elapsed, len(cards), batch.failed)


def run_celery(
    cards: Sequence[CardInput],
    workers: int,
    cache: bool,
    url: str | None,
    tmp: Path,
    redis: str,
) -> Run:
    """Time a batch on `workers` Celery worker processes (prefork pool)."""
    engine, db_url, tenant = _fresh_db(url, tmp)
    queue = f"clausewise-bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "CLAUSEWISE_DATABASE_URL": db_url,
        "CLAUSEWISE_REDIS_URL": redis,
        "CLAUSEWISE_CELERY_QUEUE": queue,
    }
    log = tmp / f"{queue}.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service.worker",
                "--concurrency",
                str(workers),
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    settings = Settings(
        database_url=db_url, redis_url=redis, job_mode="celery", celery_queue=queue
    )
    app = make_celery(settings)
    try:
        time.sleep(8)  # the worker builds the clause engine before it consumes
        batch_id, job_ids, insert_s = _store(engine, tenant, cards, cache)
        start = time.perf_counter()
        CeleryDispatcher(app).dispatch(job_ids)
        batch = _wait(engine, batch_id, 3600)
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(30)
        app.close()
        engine.dispose()
    return Run("celery", workers, cache, insert_s, elapsed, len(cards), batch.failed)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the configurations and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument(
        "--dup", type=float, default=0.3, help="share of repeated texts"
    )
    parser.add_argument(
        "--mode", choices=("inprocess", "celery", "both"), default="inprocess"
    )
    parser.add_argument("--workers", default="1,2", help="worker counts to try")
    parser.add_argument("--cache", default="on,off", help="cache settings to try")
    parser.add_argument(
        "--corpus", type=Path, help="mix in paragraphs of DIR/docs/*.md"
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file per run")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    cards = make_cards(args.n, args.dup, args.corpus, args.seed)
    unique = len({c.content for c in cards})
    default_engine()
    modes = ("inprocess", "celery") if args.mode == "both" else (args.mode,)
    counts = [int(w) for w in args.workers.split(",")]
    caches = [c.strip() == "on" for c in args.cache.split(",")]
    sys.stdout.write(
        f"{len(cards)} cards, {unique} distinct texts, {os.cpu_count()} CPUs\n\n"
        "| runner | workers | cache | cards | insert s | scan s | cards/s | failed |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for mode in modes:
            for workers in counts:
                for cache in caches:
                    if mode == "inprocess":
                        run = run_inprocess(
                            cards, workers, cache, args.database_url, tmp
                        )
                    else:
                        run = run_celery(
                            cards,
                            workers,
                            cache,
                            args.database_url,
                            tmp,
                            args.redis_url,
                        )
                    sys.stdout.write(run.row() + "\n")
                    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
