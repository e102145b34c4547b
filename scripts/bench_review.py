"""Benchmark review actions on a big document: p50/p95 per decision.

Stores one ~500 KB license (the team's own test sentences, repeated with
numbered sections), scans it, then times `--n` review decisions (accept and
reject in turn, over the scan's clauses) through the API on a fresh SQLite
database, as a reviewer's clicks would arrive. The baseline, run in the same
process, is `GET /v1/documents/{id}`: the cost of an authenticated request
that reads the same row, so the ratio is what reviewing adds.

    .venv/bin/python scripts/bench_review.py            # 500 KB, 200 decisions
    .venv/bin/python scripts/bench_review.py --kb 100 --n 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.app import create_app
from service.auth.keys import create_key
from service.settings import Settings


def _section(vendor: str) -> str:
    """Return four clauses in this script's own words."""
    return (
        f"Should the services you offer reach more than 700 million monthly active"
        f" users, you must obtain a separate license from {vendor}.\n"
        f'You must show the words "Built with {vendor}" in your product.\n'
        f"Your use must follow the {vendor} Acceptable Use Policy, incorporated"
        f" by reference into this license.\n"
        f"The rights granted here do not apply to anyone domiciled in the"
        f" European Union.\n"
    )


def _document(kb: int) -> str:
    parts: list[str] = []
    size = 0
    section = 0
    while size < kb * 1024:
        section += 1
        part = f"\n\n{section}. Terms, part {section}\n\n" + _section(
            f"Vendor{section}"
        )
        parts.append(part)
        size += len(part.encode("utf-8"))
    return "".join(parts)


def _times(n: int, call: Callable[[int], int]) -> list[float]:
    out = []
    for i in range(n):
        started = time.perf_counter()
        status = call(i)
        out.append((time.perf_counter() - started) * 1000)
        if status >= 400:
            raise SystemExit(f"request {i} failed with {status}")
    return out


def _summary(name: str, ms: list[float]) -> tuple[float, float]:
    p50 = statistics.median(ms)
    p95 = statistics.quantiles(ms, n=20)[18]
    sys.stdout.write(
        f"{name:<34} n={len(ms):>4}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms\n"
    )
    return p50, p95


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=500)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            sync_scan_max_bytes=64 * 1024 * 1024,
            rate_limit_per_minute=10**9,
        )
        app = create_app(settings)
        with TestClient(app) as client:
            with Session(app.state.db_engine) as session:
                key, _ = create_key(session, "bench", reviewer="Bench")
            headers = {"Authorization": f"Bearer {key}"}
            text = _document(args.kb)
            doc = client.post(
                "/v1/documents/text", json={"text": text}, headers=headers
            ).json()["id"]
            started = time.perf_counter()
            scanned = client.post(f"/v1/documents/{doc}/scans", headers=headers)
            scan_s = time.perf_counter() - started
            clauses = scanned.json()["result"]["clauses"]
            sys.stdout.write(
                f"document {len(text.encode()) / 1024:.0f} KB, {len(clauses)} clauses,"
                f" scanned in {scan_s:.1f} s\n"
            )
            url = f"/v1/documents/{doc}"

            def read(_: int) -> int:
                return client.get(url, headers=headers).status_code

            def decide(i: int) -> int:
                body = {
                    "action": "reject" if i % 2 else "accept",
                    "clause": f"x{(i // 2) % len(clauses)}",
                }
                return client.post(
                    f"{url}/review/events", json=body, headers=headers
                ).status_code

            _times(10, read)  # warm-up
            _, base95 = _summary(
                "baseline GET /v1/documents/{id}", _times(args.n, read)
            )
            _, p95 = _summary(
                "review decision (POST .../events)", _times(args.n, decide)
            )
            sys.stdout.write(f"p95 ratio decision/baseline: {p95 / base95:.1f}x\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
