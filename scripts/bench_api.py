"""Benchmark synchronous scans through the HTTP API against the bare engine.

Starts `clausewise serve` (uvicorn, patterns only) in a subprocess on a free
loopback port with a fresh SQLite file, creates an API key, uploads the
corpus license closest to 10 KB (read at run time from `--corpus`; no corpus
text is stored here), then times N `POST /v1/documents/{id}/scans` with httpx
and, in this process, N `engine.analyze` runs of the same document. The
ratio API / engine is the cost of HTTP, auth, validation and persistence.
First, the concurrency rows: N scans by 1 and by 8 concurrent clients,
against a server analysing in the request thread (`CLAUSEWISE_SCAN_PROCESSES=1`)
and in 2 worker processes, with scans/s, p50/p95 latency and the 8:1 ratio.

    .venv/bin/python scripts/bench_api.py [--corpus ../shared/corpus] [-n 100]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlmodel import Session

from service.cli import keep_torch_out

TARGET_BYTES = 10 * 1024
WARMUP = 5


def pick_document(corpus: Path) -> Path:
    """Return the plain-text corpus document whose size is closest to 10 KB."""
    docs = sorted((corpus / "docs").glob("*.txt"))
    if not docs:
        raise SystemExit(f"bench_api: no .txt documents under {corpus / 'docs'}")
    return min(docs, key=lambda p: (abs(p.stat().st_size - TARGET_BYTES), p.name))


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def create_key(database_url: str) -> str:
    """Migrate the database and return a new API key for a bench tenant."""
    from service.auth.keys import create_key as new_key
    from service.db import init_db, make_engine

    engine = make_engine(database_url)
    try:
        init_db(engine)
        with Session(engine) as session:
            key, _ = new_key(session, "bench")
    finally:
        engine.dispose()
    return key


@contextmanager
def server(
    database_url: str, port: int, model: str, cache: str, processes: int = 1
) -> Iterator[str]:
    """Run `clausewise serve` until the block ends; yield its base URL."""
    env = {
        **os.environ,
        "CLAUSEWISE_DATABASE_URL": database_url,
        "CLAUSEWISE_RATE_LIMIT_PER_MINUTE": "1000000",
        "CLAUSEWISE_MODEL": model,
        "CLAUSEWISE_CACHE_DIR": cache,
        "CLAUSEWISE_SCAN_PROCESSES": str(processes),
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    """Poll /readyz until the app has loaded its engine (or give up after 180 s)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench_api: server exited with {proc.returncode}")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.2)
    raise SystemExit("bench_api: server not ready after 180 s")


def timings_ms(run: Callable[[], object], n: int) -> list[float]:
    """Return the wall time of `n` calls of `run`, after a warm-up, in ms."""
    for _ in range(WARMUP):
        run()
    found = []
    for _ in range(n):
        started = time.perf_counter()
        run()
        found.append((time.perf_counter() - started) * 1000)
    return found


def summary(label: str, values: Sequence[float]) -> str:
    """Return one line of p50/p95/p99/mean for a list of timings."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"{label}: p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms,"
        f" p99 {cuts[98]:.1f} ms, mean {statistics.fmean(values):.1f} ms"
        f" (n={len(values)})"
    )


def bench_api(base: str, key: str, path: Path, n: int) -> tuple[float, list[float]]:
    """Upload the document; time its first scan, then `n` more of it.

    With a model stage the first scan computes the features (cold); the
    others are served from the feature cache, as a repeated text is.
    """
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        files = {"file": (path.name, path.read_bytes(), "text/plain")}
        uploaded = client.post("/v1/documents", files=files)
        uploaded.raise_for_status()
        url = f"/v1/documents/{uploaded.json()['id']}/scans"

        def scan() -> None:
            client.post(url).raise_for_status()

        started = time.perf_counter()
        scan()
        first = (time.perf_counter() - started) * 1000
        return first, timings_ms(scan, n)


def bench_clients(
    base: str, key: str, path: Path, clients: int, n: int
) -> tuple[float, list[float]]:
    """Time `n` scans of the document by `clients` concurrent clients.

    Returns scans per second over the whole run and each request's latency.
    """
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        files = {"file": (path.name, path.read_bytes(), "text/plain")}
        uploaded = client.post("/v1/documents", files=files)
        uploaded.raise_for_status()
        url = f"/v1/documents/{uploaded.json()['id']}/scans"
        for _ in range(WARMUP * clients):  # every worker process warm
            client.post(url).raise_for_status()

    def one_client(count: int) -> list[float]:
        found = []
        with httpx.Client(base_url=base, headers=headers, timeout=60) as own:
            for _ in range(count):
                began = time.perf_counter()
                own.post(url).raise_for_status()
                found.append((time.perf_counter() - began) * 1000)
        return found

    shares = [n // clients + (i < n % clients) for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as executor:
        latencies = [ms for part in executor.map(one_client, shares) for ms in part]
    return n / (time.perf_counter() - started), latencies


def concurrency_rows(
    corpus_path: Path, n: int, processes: Sequence[int], clients: Sequence[int]
) -> list[str]:
    """Scans/s and latency for each (scan_processes, clients), patterns only."""
    rows = []
    for count in processes:
        rates = {}
        with tempfile.TemporaryDirectory(prefix="clausewise-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            key = create_key(url)
            with server(url, free_port(), "none", tmp, count) as base:
                for many in clients:
                    rate, latencies = bench_clients(base, key, corpus_path, many, n)
                    rates[many] = rate
                    rows.append(
                        summary(
                            f"scan_processes={count}, {many} client(s):"
                            f" {rate:.1f} scans/s; latency",
                            latencies,
                        )
                    )
        if len(clients) > 1:
            low, high = min(clients), max(clients)
            rows.append(
                f"scan_processes={count}: {high} clients get"
                f" {rates[high] / rates[low]:.2f}x the scans/s of {low}"
            )
    return rows


def bench_engine(path: Path, n: int) -> list[float]:
    """Time `n` in-process analyses of the same document (patterns only)."""
    from extractors.engine import default_engine
    from extractors.parse import parse_bytes

    engine = default_engine()
    document = parse_bytes(path.read_bytes(), name=path.name)
    return timings_ms(lambda: engine.analyze(document), n)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("-n", type=int, default=100, help="timed scans (default 100)")
    parser.add_argument(
        "--models",
        nargs="+",
        default=["none"],
        help="CLAUSEWISE_MODEL values to run, e.g. none encoder llm",
    )
    parser.add_argument(
        "--processes",
        type=int,
        nargs="+",
        default=[1, 2],
        help="CLAUSEWISE_SCAN_PROCESSES values for the concurrency rows",
    )
    parser.add_argument(
        "--clients",
        type=int,
        nargs="+",
        default=[1, 8],
        help="concurrent clients for the concurrency rows (default 1 8)",
    )
    args = parser.parse_args(argv)
    keep_torch_out()
    path = pick_document(args.corpus)
    _say(f"document: {path.name} ({path.stat().st_size} bytes)")
    for row in concurrency_rows(path, args.n, args.processes, args.clients):
        _say(row)
    runs = {}
    for model in args.models:
        with tempfile.TemporaryDirectory(prefix="clausewise-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            key = create_key(url)
            with server(url, free_port(), model, tmp) as base:
                runs[model] = bench_api(base, key, path, args.n)
    engine = bench_engine(path, args.n)
    for model, (first, api) in runs.items():
        label = "patterns only" if model == "none" else f"patterns + {model}"
        _say(f"API sync scan, {label}: first scan (cold) {first:.1f} ms")
        _say(summary(f"API sync scan, {label}, repeated (cached)", api))
    _say(summary("engine.analyze in-process, patterns only", engine))
    if "none" in runs:
        ratio = statistics.median(runs["none"][1]) / statistics.median(engine)
        _say(f"ratio API / engine, patterns only (p50): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
