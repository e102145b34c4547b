"""`clausewise worker`: start a Celery worker that runs clausewise jobs.

Scale out by starting more of these, on any machine that reaches the Redis
broker (`CLAUSEWISE_REDIS_URL`) and the database (`CLAUSEWISE_DATABASE_URL`,
PostgreSQL for more than one machine). `--concurrency 1` (the default) runs
jobs in the worker process itself (`solo` pool); more uses a `prefork` pool of
that many processes, which is what scales past one CPU core.

    python -m service.worker --concurrency 2

This module is the generic part; `service.worker` is the entry point that
names the job handlers (the app's wiring), so this package never imports
the features that use it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from service.engine import service_engine
from service.jobs.celery_app import RegistryFactory, make_celery, use_registry
from service.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """Return the worker's argument parser."""
    parser = argparse.ArgumentParser(
        prog="clausewise worker", description="run clausewise jobs from Celery"
    )
    parser.add_argument(
        "--concurrency",
        "-c",
        type=int,
        default=1,
        metavar="N",
        help="jobs run at once: worker processes (default 1)",
    )
    parser.add_argument(
        "--pool",
        choices=("solo", "prefork", "threads"),
        help="default: solo for one process, prefork for more",
    )
    parser.add_argument("--queue", "-Q", help="queue to consume (default: setting)")
    parser.add_argument("--loglevel", "-l", default="INFO")
    parser.add_argument("--hostname", "-n", help="worker node name")
    return parser


def celery_argv(args: argparse.Namespace, queue: str) -> list[str]:
    """Translate the options into Celery's own `worker` arguments."""
    if args.concurrency < 1:
        raise SystemExit("clausewise worker: --concurrency must be at least 1")
    pool = args.pool or ("solo" if args.concurrency == 1 else "prefork")
    argv = [
        "worker",
        f"--concurrency={args.concurrency}",
        f"--pool={pool}",
        f"--queues={args.queue or queue}",
        f"--loglevel={args.loglevel}",
        "--without-gossip",
        "--without-mingle",
    ]
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    return argv


def main(
    argv: Sequence[str] | None, registry: RegistryFactory, settings: Settings
) -> int:
    """Run a worker for `registry`'s job kinds until stopped; return its status."""
    args = build_parser().parse_args(argv)
    use_registry(registry, settings)
    # Build the clause engine (seconds) before the pool forks: children share it
    # copy-on-write and their first job does not pay for it. The database engine
    # is built after the fork, in each child (connections must not be shared).
    service_engine(settings.models)
    app = make_celery(settings)
    try:
        app.worker_main(celery_argv(args, settings.jobs.celery_queue))
    except SystemExit as exc:  # Celery ends its command line with sys.exit
        return exc.code if isinstance(exc.code, int) else 0
    return 0
