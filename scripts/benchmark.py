"""Benchmark: scan speed, CLI start-up and peak memory, printed as figures.

Speed targets are checked here, never in timed tests. Each rate is the best
of `--rounds` passes (the pass least disturbed by other work on a shared
machine) and is printed with its ratio to a baseline measured the same way
in the same process: spaCy's stock English tokenizer over the same texts.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from extractors.types import Document


def _peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def best_rate(
    fn: Callable[[Document], Any], documents: Sequence[Document], rounds: int
) -> float:
    """Return documents per second in the fastest of `rounds` passes."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for document in documents:
            fn(document)
        best = min(best, time.perf_counter() - start)
    return len(documents) / best


def _cli_startup() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.txt"
        sample.write_text("You must retain all copyright notices.\n", encoding="utf-8")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "service.cli", "scan", str(sample)],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def regex_floor(script: Path) -> Callable[[Document], Any]:
    """Return the floor's own pass (its one compiled regex) as a function.

    `../shared/bench/regex-floor.py` is the cheapest pass over the same bytes;
    its regex is compiled from the script itself (run with no files, output
    discarded) so that the floor is timed in this process, like our code.
    """
    namespace: dict[str, Any] = {"__name__": "regex_floor"}
    saved = sys.argv
    sys.argv = [str(script)]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(script.read_text(), str(script), "exec"), namespace)  # noqa: S102
    finally:
        sys.argv = saved
    rx = namespace["rx"]
    return lambda d: sum(1 for _ in rx.finditer(d.text))


def varied_cards(corpus: Path, n: int) -> list[bytes]:
    """Return `n` distinct model cards built from the corpus's real ones.

    Each is a real card with its own first line, so no two texts are equal
    and no cache (content-hash or feature) can serve one from another.
    """
    cards = sorted((corpus / "docs").glob("modelcard*.md"))
    texts = [c.read_text(encoding="utf-8", errors="replace") for c in cards]
    return [f"<!-- card {i} -->\n{texts[i % len(texts)]}".encode() for i in range(n)]


def cold_license_seconds(path: Path) -> float:
    """Return the wall time of a fresh CLI process scanning one license."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "service.cli", "scan", str(path), "--format", "json"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--floor",
        type=Path,
        default=None,
        help="regex-floor.py (default: CORPUS/../bench/regex-floor.py)",
    )
    parser.add_argument("--cards", type=int, default=1000)
    args = parser.parse_args()
    from service.cli import keep_torch_out

    keep_torch_out()  # measure the engine as the patterns-only CLI runs it

    import spacy

    from extractors.engine import build_engine
    from extractors.parse import parse_bytes, parse_path

    paths = sorted(
        p for p in (args.corpus / "docs").iterdir() if not p.name.endswith(".pdf.txt")
    )
    parse_seconds = {"text": 0.0, "pdf": 0.0}
    documents: list[Document] = []
    for path in paths:
        start = time.perf_counter()
        documents.append(parse_path(path))
        parse_seconds["pdf" if path.suffix == ".pdf" else "text"] += (
            time.perf_counter() - start
        )
    pdfs = sum(p.suffix == ".pdf" for p in paths)
    texts = len(paths) - pdfs

    engine = build_engine()
    engine.analyze(documents[0])  # warm caches before timing
    stock = spacy.blank("en")  # a fixed reference, independent of our code
    baseline = best_rate(lambda d: stock.make_doc(d.text), documents, args.rounds)
    floor_script = args.floor or args.corpus.parent / "bench" / "regex-floor.py"
    floor = best_rate(regex_floor(floor_script), documents, args.rounds)
    tagging = best_rate(engine.tag, documents, args.rounds)
    full = best_rate(engine.analyze, documents, args.rounds)
    analyze_each = 1 / full
    whole = sum(parse_seconds.values()) + len(documents) * analyze_each

    cards = varied_cards(args.corpus, args.cards)
    start = time.perf_counter()
    for i, card in enumerate(cards):
        engine.analyze(parse_bytes(card, name=f"card-{i}.md"))
    card_rate = len(cards) / (time.perf_counter() - start)
    license_12k = min(
        (p for p in paths if p.suffix == ".txt"),
        key=lambda p: abs(p.stat().st_size - 12_000),
    )

    rows = [
        f"documents: {len(documents)} ({sum(len(d.text) for d in documents)} chars),"
        f" {pdfs} PDFs; rates are the best of {args.rounds} passes on one core",
        f"parse text/Markdown: {texts / parse_seconds['text']:.1f} docs/s",
        f"parse PDF (pdfplumber): {pdfs / parse_seconds['pdf']:.2f} docs/s",
        f"baseline (stock spaCy English tokenizer): {baseline:.1f} docs/s",
        f"tag (patterns only): {tagging:.1f} docs/s"
        f" (ratio to baseline {tagging / baseline:.2f})",
        f"analyze (tag + rules + identify): {full:.1f} docs/s"
        f" (ratio to baseline {full / baseline:.2f})",
        f"regex floor (../shared/bench/regex-floor.py's regex): {floor:.1f} docs/s;"
        f" analyze is {floor / full:.0f}x slower (ratio {full / floor:.4f})",
        f"model cards, {len(cards)} distinct (parse + analyze, one pass, one core):"
        f" {card_rate:.1f} docs/s",
        f"cold license, fresh CLI process ({license_12k.stat().st_size} bytes):"
        f" {cold_license_seconds(license_12k):.2f} s",
        "end to end, text/Markdown: "
        f"{texts / (parse_seconds['text'] + texts * analyze_each):.1f} docs/s",
        f"end to end, whole corpus incl. PDFs: {len(documents) / whole:.1f} docs/s",
        f"peak RSS of this process: {_peak_rss_mb(resource.RUSAGE_SELF):.0f} MB",
        f"CLI start-up (scan of a one-line file): {_cli_startup():.2f} s",
        f"peak RSS of the CLI process: {_peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB",
    ]
    sys.stdout.write("\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
