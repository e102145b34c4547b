"""Benchmark: scan speed, cost per KB, CLI start-up and peak memory, as figures.

Speed targets are checked here, never in timed tests. Each rate is the best
of `--rounds` passes (the pass least disturbed by other work on a shared
machine) and is printed with its ratio to a baseline measured the same way
in the same process: spaCy's stock English tokenizer over the same texts.
Start-up is the median of `--startups` fresh processes of each kind, run
interleaved so that they share the machine's load, with its ratio to a bare
interpreter and to the regex floor script. Cost per KB is CPU time per KB of
`engine.analyze` on documents from 10 KB to 20 MB, with its ratio to the
10 KB figure (flat cost is 1.0).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
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


def _run_seconds(command: Sequence[str]) -> tuple[float, float]:
    """Return the wall and CPU seconds (user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _clausewise() -> list[str]:
    """Return the command a user runs: the console script beside this Python."""
    script = Path(sys.executable).with_name("clausewise")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "service.cli"]


def startup_rows(floor_script: Path, runs: int) -> list[str]:
    """Time fresh processes: bare Python, the regex floor, a patterns-only scan.

    Each kind runs `runs` times, interleaved, on the same one-line file; the
    median is printed with its ratio to the bare interpreter and the floor.
    """
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.txt"
        sample.write_text("You must retain all copyright notices.\n", encoding="utf-8")
        kinds = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "regex floor (one file)": [sys.executable, str(floor_script), str(sample)],
            "clausewise scan (patterns only)": [*_clausewise(), "scan", str(sample)],
        }
        times: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
        for _ in range(runs):
            for kind, command in kinds.items():
                times[kind].append(_run_seconds(command))
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    bare, floor = "python -c pass", "regex floor (one file)"
    rows = [f"start-up, median of {runs} fresh processes each (interleaved):"]
    for kind in kinds:
        rows.append(
            f"  {kind}: {wall[kind]:.3f} s wall, {cpu[kind]:.3f} s CPU"
            f" (ratio to python -c pass {wall[kind] / wall[bare]:.1f},"
            f" to the floor {wall[kind] / wall[floor]:.1f})"
        )
    return rows


def corpus_stream(corpus: Path) -> str:
    """Return every text/Markdown corpus document, in name order, joined."""
    paths = sorted(
        p for p in (corpus / "docs").iterdir() if p.suffix in (".txt", ".md")
    )
    return "\n\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)


def window(stream: str, size: int, offset: int) -> bytes:
    """Return about `size` bytes of `stream` from `offset`, ending at a line end.

    The stream is repeated as often as `size` needs (a 20 MB document holds
    the corpus about thirteen times).
    """
    repeats = (offset + size) // len(stream) + 2
    text = (stream * repeats)[offset : offset + size]
    data = text.encode("utf-8")[:size]
    return data[: data.rfind(b"\n") + 1]


KB_SIZES = (10_000, 100_000, 1_000_000, 5_000_000, 20_000_000)
"""Decimal sizes: 20 MB stays under the 20 MiB upload limit."""


def cost_per_kb_rows(engine: Any, stream: str, sizes: Sequence[int]) -> Iterator[str]:
    """Return ms of CPU per KB of `engine.analyze`, per document size.

    Each size is measured on windows of the corpus stream spread over all of
    it (as many as cover it about once, at least one), so that every size sees
    the same mix of licenses, policies, cards and languages; the figure is the
    total CPU time over the total size (CPU, not wall: other processes on a
    shared machine move it less).
    """
    from extractors.parse import parse_bytes

    yield (
        "cost per KB (engine.analyze, CPU ms per KB, windows of the corpus"
        " concatenated and repeated; ratio to the 10 KB figure):"
    )
    base: float | None = None
    for size in sizes:
        count = max(1, min(30, len(stream.encode("utf-8")) // size))
        seconds = 0.0
        kilobytes = 0.0
        for k in range(count):
            data = window(stream, size, k * len(stream) // count)
            document = parse_bytes(data, name=f"window-{size}.txt")
            start = time.process_time()
            engine.analyze(document)
            seconds += time.process_time() - start
            kilobytes += len(data) / 1000
        per_kb = seconds * 1000 / kilobytes
        base = base or per_kb
        yield (
            f"  {size / 1000:>8,.0f} KB x {count:>2}: {per_kb:.3f} ms/KB"
            f" (ratio {per_kb / base:.2f})"
        )


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
    parser.add_argument("--startups", type=int, default=7)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=list(KB_SIZES),
        help="document sizes (bytes) for the cost per KB (default: 10 KB to 20 MB)",
    )
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
    ]
    _emit(rows)
    _emit(startup_rows(floor_script, args.startups))
    _emit(
        [
            "peak RSS of any child process (the PDF reader, the fresh CLI runs):"
            f" {_peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB"
        ]
    )
    _emit(cost_per_kb_rows(engine, corpus_stream(args.corpus), args.sizes))
    _emit(
        [
            f"peak RSS of this process: {_peak_rss_mb(resource.RUSAGE_SELF):.0f} MB"
            f" (after documents of up to {max(args.sizes, default=0) / 1e6:g} MB)"
        ]
    )
    return 0


def _emit(rows: Iterable[str]) -> None:
    """Print rows as they are measured (the whole benchmark takes minutes)."""
    for row in rows:
        sys.stdout.write(row + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
