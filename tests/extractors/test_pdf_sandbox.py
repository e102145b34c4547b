"""Hostile PDFs are refused by the sandboxed reader, quickly and in the child.

Each test times the refusal and traces the memory this process allocates
meanwhile: the bomb must go off in the reader process, not here.
"""

from __future__ import annotations

import os
import signal
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import billiard  # type: ignore[import-untyped]
import pdfminer.pdfinterp
import pdfminer.pdftypes
import pytest

from extractors.errors import (
    ExtractionError,
    PdfError,
    PdfResourceError,
    PdfTooLargeError,
    TooLargeError,
)
from extractors.parse import parse_bytes
from extractors.pdf import extract_pdf
from extractors.pdf_limits import DEFAULT_PDF_LIMITS, MIB, PdfLimits
from extractors.pdf_sandbox import _SERVER, ReaderTracebackError, _unpack, read_pdf
from extractors.pdf_text import PdfText
from extractors.pdf_wire import Reply, decode_reply, encode_reply
from service.cli import EXIT_INPUT, main
from tests.extractors.hostile_pdfs import (
    MB,
    deflate,
    glyph_flood,
    inflate_bomb,
    long_string,
    one_page_pdf,
    text_pdf,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parse"
SMALL = PdfLimits(
    timeout_s=20,
    cpu_s=20,
    max_memory_bytes=512 * MIB,
    max_inflated_bytes=8 * MIB,
    max_content_tokens=50_000,
    max_chars=20_000,
)
"""Low counted limits, so that each bomb is refused within a second or so."""
HERE_BUDGET = 4 * MB
"""Most this process may allocate while a bomb is read: the child takes it."""


@dataclass
class Cost:
    """What reading cost this process: wall time and peak traced allocation."""

    seconds: float = 0.0
    peak_bytes: int = 0


@contextmanager
def measured() -> Iterator[Cost]:
    cost = Cost()
    tracemalloc.start()
    start = time.monotonic()
    try:
        yield cost
    finally:
        cost.seconds = time.monotonic() - start
        cost.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 200 KB that inflate to 200 MB."""
    return inflate_bomb(200 * MB)


# --- normal PDFs are unchanged -------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [(FIXTURES / "two_pages.pdf").read_bytes(), text_pdf("Licensee may use it.")],
    ids=["two_pages", "flate"],
)
def test_normal_pdf_reads_exactly_as_in_process(data: bytes) -> None:
    sandboxed = read_pdf(data, source="'t.pdf'", limits=SMALL)
    assert sandboxed == extract_pdf(data, source="'t.pdf'")
    assert sandboxed.text.strip()


def test_guards_stay_in_the_reader_process() -> None:
    read_pdf(text_pdf("Terms"), source="x", limits=SMALL)
    assert vars(pdfminer.pdftypes)["zlib"] is zlib
    assert pdfminer.pdfinterp.PDFContentParser.__module__ == "pdfminer.pdfinterp"


def test_concurrent_reads_from_threads() -> None:
    pdfs = [text_pdf(f"Clause number {n}") for n in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        texts = list(pool.map(lambda d: read_pdf(d, source="x", limits=SMALL), pdfs))
    assert [t.text for t in texts] == [f"Clause number {n}" for n in range(6)]


def test_reader_errors_keep_their_class_message_and_trace() -> None:
    encrypted = (FIXTURES / "encrypted.pdf").read_bytes()
    with pytest.raises(PdfError, match="encrypted.*password") as info:
        read_pdf(encrypted, source="'locked.pdf'", limits=SMALL)
    assert isinstance(info.value.__cause__, ReaderTracebackError)
    assert "PDFPasswordIncorrect" in str(info.value.__cause__)


def test_page_limit_is_checked_in_the_reader() -> None:
    two_pages = (FIXTURES / "two_pages.pdf").read_bytes()
    one_page = PdfLimits(max_pages=1)
    with pytest.raises(PdfTooLargeError, match="has 2 pages, over the limit of 1"):
        read_pdf(two_pages, source="'t.pdf'", limits=one_page)
    assert (
        len(read_pdf(two_pages, source="x", limits=PdfLimits(max_pages=2)).page_starts)
        == 2
    )


# --- counted limits stop bombs early, inside the reader -----------------------


def _refuse(data: bytes, limits: PdfLimits, error: type[Exception], match: str) -> Cost:
    with measured() as cost, pytest.raises(error, match=match):
        read_pdf(data, source="'bomb.pdf'", limits=limits)
    assert cost.peak_bytes < HERE_BUDGET
    return cost


def test_inflate_bomb_is_refused_at_the_inflate_limit(bomb: bytes) -> None:
    assert len(bomb) < 300_000
    cost = _refuse(
        bomb, SMALL, PdfTooLargeError, "inflates to more than 8,388,608 bytes"
    )
    assert cost.seconds < 10


def test_inflate_bomb_is_refused_by_the_default_limits(bomb: bytes) -> None:
    with measured() as cost, pytest.raises(PdfTooLargeError, match="inflates"):
        parse_bytes(bomb, name="bomb.pdf")
    assert cost.peak_bytes < HERE_BUDGET
    assert cost.seconds < 20


def test_truncated_inflate_bomb_is_salvaged_in_linear_time() -> None:
    """pdfminer salvages a stream without its end byte by byte, quadratically."""
    stream = deflate(b" ", 100 * MB)
    cut = one_page_pdf(stream[: len(stream) // 2])
    cost = _refuse(cut, SMALL, PdfTooLargeError, "inflates to more than")
    assert cost.seconds < 5  # pdfminer's own salvage needs about 8 s for 8 MB


def test_glyph_flood_is_refused_at_the_token_limit() -> None:
    flood = glyph_flood(1_000_000)
    assert len(flood) < 20_000
    tokens_only = replace(SMALL, max_chars=10**9)
    cost = _refuse(flood, tokens_only, PdfTooLargeError, "more than 50,000 operators")
    assert cost.seconds < 10


def test_one_long_string_is_refused_at_the_character_limit() -> None:
    data = long_string(1_000_000)
    assert len(data) < 5_000
    cost = _refuse(data, SMALL, PdfTooLargeError, "draws more than 20,000 characters")
    assert cost.seconds < 10


def test_limits_reach_the_reader_through_parse_bytes(bomb: bytes) -> None:
    with pytest.raises(TooLargeError, match="8,388,608"):
        parse_bytes(bomb, name="bomb.pdf", pdf_limits=SMALL)


# --- time and memory: the reader is killed, the caller answers -----------------


UNCOUNTED = PdfLimits(
    timeout_s=20,
    cpu_s=20,
    max_memory_bytes=1024 * MIB,
    max_inflated_bytes=1024 * MIB,
    max_content_tokens=10**9,
    max_chars=10**9,
)


def test_wall_time_limit_kills_the_reader() -> None:
    cost = _refuse(
        glyph_flood(1_000_000),
        replace(UNCOUNTED, timeout_s=1.0),
        PdfResourceError,
        "took more than 1 s to read",
    )
    assert cost.seconds < 6


def test_cpu_limit_kills_the_reader() -> None:
    cost = _refuse(
        glyph_flood(1_000_000),
        replace(UNCOUNTED, cpu_s=1),
        PdfResourceError,
        "more than 1 s of CPU time",
    )
    assert cost.seconds < 15


def test_memory_limit_stops_the_reader(bomb: bytes) -> None:
    cost = _refuse(
        bomb,
        replace(UNCOUNTED, max_memory_bytes=160 * MIB),
        PdfResourceError,
        "needs more than 160 MiB of memory",
    )
    assert cost.seconds < 10


def test_reader_still_works_after_killed_readers() -> None:
    with pytest.raises(PdfResourceError):
        read_pdf(
            glyph_flood(1_000_000), source="x", limits=replace(UNCOUNTED, timeout_s=0.5)
        )
    assert read_pdf(text_pdf("Still here"), source="x", limits=SMALL).text == (
        "Still here"
    )


def _readers() -> list[int]:
    """Pids of the readers the fork server is running now."""
    server = _SERVER._process
    assert server is not None
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if not children.exists():
        pytest.skip("this kernel does not list child processes in /proc")
    return [int(pid) for pid in children.read_text().split()]


def test_reader_killed_from_outside_gives_an_error() -> None:
    """As when the kernel's OOM killer picks the reader: no reply, no hang."""
    read_pdf(text_pdf("Start the server"), source="x", limits=SMALL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(
            read_pdf, glyph_flood(1_000_000), source="'flood.pdf'", limits=UNCOUNTED
        )
        deadline = time.monotonic() + 10
        while not (readers := _readers()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(readers) == 1
        os.kill(readers[0], signal.SIGKILL)
        with pytest.raises(PdfResourceError, match="stopped without an answer"):
            pending.result(timeout=10)


def test_a_dead_fork_server_is_replaced() -> None:
    read_pdf(text_pdf("Start the server"), source="x", limits=SMALL)
    server = _SERVER._process
    assert server is not None
    server.kill()
    server.wait()
    assert read_pdf(text_pdf("Back again"), source="x", limits=SMALL).text == (
        "Back again"
    )
    assert _SERVER._process is not server


def test_fork_server_imports_what_the_caller_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder named `extractors` where the caller stands is not imported."""
    decoy = tmp_path / "extractors"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('the decoy was imported')\n")
    monkeypatch.chdir(tmp_path)
    _SERVER.stop()
    try:
        assert read_pdf(text_pdf("Real one"), source="x", limits=SMALL).text == (
            "Real one"
        )
    finally:
        _SERVER.stop()


def _read_in_worker(queue: Any) -> None:
    try:
        queue.put(read_pdf(text_pdf("From a worker"), source="x", limits=SMALL).text)
    except BaseException as exc:  # reported to the test, which fails on it
        queue.put(repr(exc))


def test_a_daemonic_celery_prefork_child_can_read_pdfs() -> None:
    """Celery's billiard forks daemonic workers, which multiprocessing refuses."""
    read_pdf(text_pdf("The parent's server"), source="x", limits=SMALL)
    queue = billiard.Queue()
    worker = billiard.Process(target=_read_in_worker, args=(queue,), daemon=True)
    worker.start()
    try:
        assert queue.get(timeout=30) == "From a worker"
    finally:
        worker.join(10)
    assert worker.exitcode == 0


def test_reply_keeps_the_text_exactly() -> None:
    text = PdfText(text="a\r\nb\fc \ud800 \u00e9\x00", page_starts=(0, 5))
    assert decode_reply(encode_reply(Reply(text=text))).text == text


def test_reply_naming_an_unexpected_error_is_a_bug() -> None:
    payload = b'{"error": "SystemExit", "message": "bye", "trace": "T"}'
    assert decode_reply(payload) == Reply(trace="T")


def test_reader_bug_is_raised_with_its_traceback() -> None:
    trace = "Traceback (most recent call last):\n  File \"x.py\"\nKeyError: 'Font'\n"
    with pytest.raises(ExtractionError, match="KeyError: 'Font'") as info:
        _unpack(Reply(trace=trace), "'t.pdf'")
    assert isinstance(info.value.__cause__, ReaderTracebackError)


# --- the command line ------------------------------------------------------------


def test_cli_refuses_a_bomb_in_one_line(
    bomb: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb)
    status = main(["scan", str(path)])
    err = capsys.readouterr().err
    assert status == EXIT_INPUT
    assert err.count("\n") == 1
    assert err.startswith("clausewise: error: ")
    assert err.count("bomb.pdf") == 1  # the path, named once
    limit = DEFAULT_PDF_LIMITS.max_inflated_bytes
    assert f"inflates to more than {limit:,} bytes" in err
