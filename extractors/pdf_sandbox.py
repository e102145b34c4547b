"""Read an untrusted PDF in a single-use child process with hard limits.

pdfminer is pure Python and will follow a PDF wherever it leads: a 123 KB
file that inflates to 60 MB of content ran for minutes and took gigabytes,
and while it held the GIL every other request of the server waited. Here
each PDF is read by a process of its own, so the calling thread only waits
on a socket, and that process is bounded three ways:

* counted limits (inflated bytes, content tokens, characters, pages) are
  enforced inside pdfminer by `extractors.pdf_guards`, stopping a bomb early;
* RLIMIT_AS and RLIMIT_CPU make the kernel stop a reader that still runs away;
* the caller kills the reader once `timeout_s` of wall time has passed.

At most `parallel_readers()` readers run at once in a process (by default
half the cores): each one may burn a core for its whole time limit, and a
burst of costly PDFs must not take every core from the other requests. A
PDF waits for a slot within its own time limit, then is refused as busy.

Readers are forked by `extractors.pdf_reader`, a fork server this module
starts by exec (never a fork of a threaded server) on first use, one per
process, with pdfplumber imported already: a reader costs milliseconds, not
the half second a fresh interpreter would. multiprocessing's own fork server
is not used: it re-runs the caller's `__main__` in every child, and a Celery
prefork worker may not start its children at all. POSIX only.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Final

from extractors.errors import ExtractionError, PdfBusyError, PdfResourceError
from extractors.pdf_limits import MIB, PdfLimits
from extractors.pdf_text import PdfText
from extractors.pdf_wire import (
    LENGTH,
    MIN_WAIT_S,
    Reply,
    decode_reply,
    encode_request,
    recv_exactly,
    recv_frame,
    send_frame,
)


class ReaderTracebackError(Exception):
    """The reader process's traceback, chained as the cause of what it reported.

    Exceptions lose their chain and traceback on the way between processes;
    this carries them as text, the way `concurrent.futures` does.
    """


def read_pdf(data: bytes, *, source: str, limits: PdfLimits) -> PdfText:
    """Extract a PDF's text in a limited child process; see the module doc.

    Returns exactly what `extract_pdf` returns. Raises what it raises, plus
    PdfTooLargeError past a counted limit and PdfResourceError when the
    reader ran out of time or memory or died; ExtractionError when the
    reader hit a bug. What the reader raised is chained as a
    `ReaderTracebackError` holding its traceback.
    """
    deadline = time.monotonic() + limits.timeout_s
    if not _SLOTS.acquire(timeout=limits.timeout_s):
        raise PdfBusyError(
            f"{source} waited {limits.timeout_s:g} s for a PDF reader, all "
            f"{_SLOTS.size} of which were busy; send it again later"
        )
    try:
        return _read(data, source, limits, deadline)
    finally:
        _SLOTS.release()


def _read(data: bytes, source: str, limits: PdfLimits, deadline: float) -> PdfText:
    """Fork a reader, hand it the PDF, and wait for its answer until `deadline`."""
    pid: int | None = None
    with _SERVER.connect() as conn:
        try:
            pid = int.from_bytes(recv_exactly(conn, LENGTH, deadline), "big")
            conn.settimeout(max(deadline - time.monotonic(), MIN_WAIT_S))
            send_frame(conn, encode_request(source, limits))
            send_frame(conn, data)
            payload = recv_frame(conn, deadline)
        except TimeoutError:
            _kill(pid)
            raise PdfResourceError(
                f"{source} took more than {limits.timeout_s:g} s to read; "
                "the PDF reader was stopped"
            ) from None
        except (EOFError, ConnectionError) as exc:
            if pid is None:  # no reader was forked: the server is at fault
                raise _no_reader(source) from exc
            raise _died(source, limits) from exc
        except BaseException:
            _kill(pid)  # interrupted: leave no reader running for nobody
            raise
    return _unpack(decode_reply(payload), source)


def _kill(pid: int | None) -> None:
    """Kill a reader that overran; it may have ended in the meantime."""
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it finished just now: nothing left to stop


def _died(source: str, limits: PdfLimits) -> PdfResourceError:
    """Explain a reader that ended without a reply: the kernel killed it, likely."""
    return PdfResourceError(
        f"the PDF reader stopped without an answer while reading {source}; it "
        f"may need more than the {limits.max_memory_bytes // MIB} MiB of memory "
        f"or {limits.cpu_s} s of CPU time allowed"
    )


def _no_reader(source: str) -> ExtractionError:
    """Explain a fork server that closed the connection instead of forking."""
    status = _SERVER.exit_status()
    state = "is running" if status is None else f"ended with status {status}"
    return ExtractionError(
        f"the fork server ({state}) forked no reader; see its error output",
        extractor="the PDF reader",
        document=source,
    )


def _unpack(reply: Reply, source: str) -> PdfText:
    """Return the text, or raise what the reader reported, chained to its trace."""
    if reply.text is not None:
        return reply.text
    cause = ReaderTracebackError(reply.trace)
    if reply.error is not None:
        raise reply.error from cause
    last = reply.trace.strip().rsplit("\n", 1)[-1] or "no detail given"
    raise ExtractionError(last, extractor="the PDF reader", document=source) from cause


class _Slots:
    """A resizable count of readers allowed at once in this process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)

    def resize(self, size: int) -> None:
        """Allow `size` readers at once; call before reading (start-up)."""
        if size < 1:
            raise ValueError(f"at least one PDF reader must be allowed, not {size}")
        self.size = size
        self._free = threading.BoundedSemaphore(size)

    def acquire(self, timeout: float) -> bool:
        """Take a slot within `timeout` seconds; False when none came free."""
        return self._free.acquire(timeout=timeout)

    def release(self) -> None:
        """Give a slot back."""
        self._free.release()


def parallel_readers() -> int:
    """Return how many PDF readers may run at once in this process."""
    return _SLOTS.size


def set_parallel_readers(size: int) -> None:
    """Set how many PDF readers may run at once (the service's setting)."""
    _SLOTS.resize(size)


DEFAULT_PARALLEL_READERS: Final = max(1, (os.cpu_count() or 2) // 2)
_SLOTS: Final = _Slots(DEFAULT_PARALLEL_READERS)


class _ForkServer:
    """The `extractors.pdf_reader` server of this process, started on first use.

    A forked copy of this process (a Celery prefork child, say) does not
    share its parent's server: it notices the pid change and starts its own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._control: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def connect(self) -> socket.socket:
        """Return a socket connected to a newly forked reader."""
        with self._lock:
            if not self._running():
                self._start()
            try:
                return self._fork_reader()
            except ConnectionError:
                self._start()  # the server died since the check: start afresh
                return self._fork_reader()

    def stop(self) -> None:
        """Stop this process's server: it exits when its control socket closes."""
        with self._lock:
            if self._control is not None:
                self._control.close()
                self._control = None
            if self._process is not None and self._owner == os.getpid():
                try:
                    self._process.wait(SERVER_EXIT_S)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None

    def exit_status(self) -> int | None:
        """Return the server's exit status once it has ended, else None."""
        with self._lock:
            if self._process is None or self._owner != os.getpid():
                return None
            return self._process.poll()

    def after_fork(self) -> None:
        """In a forked child, forget a lock that another thread may have held."""
        self._lock = threading.Lock()

    def _fork_reader(self) -> socket.socket:
        assert self._control is not None
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(self._control, [b"r"], [theirs.fileno()])
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        return ours

    def _running(self) -> bool:
        if self._owner != os.getpid() or self._process is None:
            return False
        return self._process.poll() is None

    def _start(self) -> None:
        """Start the server by exec, importing exactly what this process imports.

        Isolated mode (-I) keeps the current directory and PYTHONPATH out of
        the server's import path, which is set to this process's instead:
        otherwise an `extractors` folder where the caller happens to stand
        could be imported in place of the caller's own.
        """
        if self._control is not None:
            self._control.close()  # a dead server's, or a copy a fork inherited
            self._control = None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        path = [entry or os.getcwd() for entry in sys.path]
        command = [sys.executable, "-I", "-c", SERVER_CODE, str(theirs.fileno())]
        try:
            self._process = subprocess.Popen(
                [*command, *path],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C meant for the caller spares it
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._control = ours
        self._owner = os.getpid()


SERVER_CODE: Final = (
    "import sys; sys.path[:] = sys.argv[2:]; del sys.argv[2:]; "
    "from extractors.pdf_reader import main; sys.exit(main(sys.argv))"
)
"""The server's program: argv is [-c, control fd, *import path]."""
SERVER_EXIT_S: Final = 2.0
"""How long the fork server may take to exit at shutdown before it is killed."""
_SERVER: Final = _ForkServer()
os.register_at_fork(after_in_child=_SERVER.after_fork)
atexit.register(_SERVER.stop)
