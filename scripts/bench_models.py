"""Benchmark: seconds per typical license with each model stage, and memory.

Targets (issue: model stage): a 10-15 KB license in <= 1 s with the encoder
and <= 10 s with the LLM stage on two cores; a repeated text served from the
cache in milliseconds; peak RSS with the 0.5B LLM under 3 GB. Each
configuration runs in its own process (so its peak RSS is its own) over the
same licenses: first with an empty feature cache ("cold"), then again served
from it ("cached"). Patterns-only runs in the same invocation as the
baseline each ratio is taken against.

    python scripts/bench_models.py --corpus ../shared/corpus
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIGS = ("none", "encoder", "llm", "encoder+llm")
MIN_BYTES, MAX_BYTES = 10_000, 15_000


def licenses(corpus: Path, count: int) -> list[Path]:
    """Return up to `count` text licenses of 10-15 KB from the corpus."""
    docs = sorted((corpus / "docs").glob("*.txt"))
    sized = [p for p in docs if MIN_BYTES <= p.stat().st_size <= MAX_BYTES]
    return sized[:count]


def measure(config: str, paths: list[Path]) -> dict[str, float]:
    """Time one configuration in this process (called in a child process)."""
    from extractors.engine import build_engine
    from extractors.parse import parse_path

    documents = [parse_path(p) for p in paths]
    start = time.perf_counter()
    stage = None
    if config != "none":
        from models.stage import load_model_stage, use_fresh_caches
        from service.settings import read_model_settings

        settings = read_model_settings()  # where the weights are (CLAUSEWISE_LLM)
        stage = load_model_stage(config, settings)  # type: ignore[arg-type]
        use_fresh_caches(stage, Path(tempfile.mkdtemp(prefix="clausewise-bench-")))
    engine = build_engine(identify=False, model_stage=stage)
    load_s = time.perf_counter() - start
    timings = {}
    for label in ("cold", "cached"):
        start = time.perf_counter()
        for document in documents:
            engine.tag(document)
        timings[label] = (time.perf_counter() - start) / len(documents)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": load_s, **timings, "rss_mb": rss}


def run_child(config: str, paths: list[Path]) -> dict[str, float]:
    """Run `measure` in a fresh process (its peak RSS is its own)."""
    command = [sys.executable, __file__, "--child", config, *map(str, paths)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    """Print one row per configuration."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(measure(args.child, args.paths)) + "\n")
        return 0
    paths = licenses(args.corpus, args.count)
    sizes = [p.stat().st_size for p in paths]
    sys.stdout.write(
        f"{len(paths)} licenses of {min(sizes)}-{max(sizes)} bytes;"
        " seconds per license\n\n"
        "| model stage | load s | cold s/license | cached s/license"
        " | ratio to patterns (cold) | peak RSS MB |\n|---|---|---|---|---|---|\n"
    )
    base = None
    for config in args.configs:
        row = run_child(config, paths)
        base = base or row["cold"]
        sys.stdout.write(
            f"| {config} | {row['load_s']:.1f} | {row['cold']:.3f}"
            f" | {row['cached']:.3f} | {row['cold'] / base:.1f}"
            f" | {row['rss_mb']:.0f} |\n"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
