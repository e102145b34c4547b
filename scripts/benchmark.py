"""Benchmark: scan speed, CLI start-up and peak memory, printed as figures.

Speed targets are checked here, never in timed tests. Each figure is printed
with a ratio against a baseline measured in the same process (spaCy's bare
tokenizer over the same texts), so a slow machine shows up in both numbers.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from extractors.engine import build_engine
    from extractors.matching import make_nlp
    from extractors.parse import parse_path

    paths = sorted(
        p for p in (args.corpus / "docs").iterdir() if not p.name.endswith(".pdf.txt")
    )
    t0 = time.perf_counter()
    documents = [parse_path(p) for p in paths]
    parse_s = time.perf_counter() - t0
    engine = build_engine()
    nlp = make_nlp()

    def rate(fn: object, rounds: int) -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            for document in documents:
                fn(document)  # type: ignore[operator]
        return rounds * len(documents) / (time.perf_counter() - start)

    baseline = rate(lambda d: nlp.make_doc(d.text), args.rounds)
    tagging = rate(engine.tag, args.rounds)
    full = rate(engine.analyze, args.rounds)
    out = sys.stdout
    out.write(
        f"documents: {len(documents)} ({sum(len(d.text) for d in documents)} chars)\n"
    )
    out.write(
        f"parse (incl. {sum(p.suffix == '.pdf' for p in paths)} PDFs): "
        f"{len(documents) / parse_s:.1f} docs/s\n"
    )
    out.write(f"baseline (spaCy tokenizer only): {baseline:.1f} docs/s\n")
    out.write(
        f"tag (patterns only): {tagging:.1f} docs/s "
        f"(ratio to baseline {tagging / baseline:.2f})\n"
    )
    out.write(
        f"analyze (tag + rules + identify): {full:.1f} docs/s "
        f"(ratio to baseline {full / baseline:.2f})\n"
    )
    out.write(
        f"end to end incl. parse: "
        f"{len(documents) / (parse_s + len(documents) / full):.1f} docs/s\n"
    )
    out.write(f"peak RSS of this process: {_peak_rss_mb():.0f} MB\n")
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.txt"
        sample.write_text("You must retain all copyright notices.\n", encoding="utf-8")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "service.cli", "scan", str(sample)],
            check=True, capture_output=True,
        )  # fmt: skip
        out.write(
            f"CLI start-up (scan of a one-line file): "
            f"{time.perf_counter() - start:.2f} s\n"
        )
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out.write(f"peak RSS of the CLI process: {child:.0f} MB\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
