"""The PDF reader's side of the sandbox: a fork server and its readers.

`main([_, FD])` runs in a process that `extractors.pdf_sandbox` starts by
exec (never by a fork of a threaded server). It imports pdfplumber once,
then waits on its control socket `FD`: every message there carries one
connected socket, and for each the server forks a reader, a single-threaded
process that lives for one PDF:

1. the server sends the reader's pid (so the caller can kill it),
2. the reader receives the request (a header and the PDF's bytes),
3. lowers its own limits (address space, CPU time, no core dumps), installs
   the pdfminer guards, extracts, replies once and exits.

The server exits when its caller closes the control socket.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import traceback
from types import FrameType
from typing import Final

from extractors.errors import InputError, PdfResourceError
from extractors.pdf import extract_pdf
from extractors.pdf_guards import install_guards
from extractors.pdf_limits import MIB, Budget, PdfLimits
from extractors.pdf_wire import (
    LENGTH,
    Reply,
    decode_request,
    encode_reply,
    recv_frame,
    send_frame,
)

MAX_FDS: Final = 1
"""Sockets per control message: one per request."""


class CpuTimeUpError(BaseException):
    """Raised by SIGXCPU in a reader: past its CPU limit, it reports and stops.

    A BaseException, so that pdfminer's and pdfplumber's `except Exception`
    cannot mistake it for a broken PDF.
    """


def main(argv: list[str]) -> int:
    """Serve fork requests on the control socket until the caller closes it."""
    control = socket.socket(fileno=int(argv[1]))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps readers
    while True:
        message, fds, _, _ = socket.recv_fds(control, 16, MAX_FDS)
        if not message:
            return 0
        for fd in fds:
            _fork_reader(control, socket.socket(fileno=fd))


def _fork_reader(control: socket.socket, conn: socket.socket) -> None:
    """Fork a reader for this connection and tell the caller its pid."""
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory: this request fails, not all
        traceback.print_exc()
        conn.close()
        return
    if pid == 0:  # the reader: it must never return into the server's loop
        status = 1
        try:
            control.close()
            status = serve(conn)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(status)
    try:
        conn.sendall(pid.to_bytes(LENGTH, "big"))
    except (BrokenPipeError, ConnectionResetError):
        # The caller gave up on this request already; the reader finds no
        # request and exits. The server must go on serving the others.
        pass
    finally:
        conn.close()


def serve(conn: socket.socket) -> int:
    """Be a reader: read one request, extract within limits, reply, return 0."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        source, limits = decode_request(recv_frame(conn))
        data = recv_frame(conn)
    except (EOFError, ConnectionError):
        return 0  # the caller went away before sending its request
    limit_process(limits)
    signal.signal(signal.SIGXCPU, _cpu_time_up)
    send_frame(conn, encode_reply(extract(data, source, limits)))
    return 0


def _cpu_time_up(_signum: int, _frame: FrameType | None) -> None:
    raise CpuTimeUpError


def extract(data: bytes, source: str, limits: PdfLimits) -> Reply:
    """Guard pdfminer, extract, and turn every outcome into a reply.

    pdfminer catches and logs some errors and carries on, so a limit passed
    inside it may surface as a different error or none at all: the budget's
    `breach` is the authority. Any other exception (guards that no longer
    fit pdfminer included) is a bug, sent back with its trace.
    """
    budget = Budget(limits, source)
    try:
        install_guards(budget)
        text = extract_pdf(data, source=source, max_pages=limits.max_pages)
    except CpuTimeUpError as exc:
        return Reply(error=_cpu_error(source, limits), trace=_trace(exc))
    except MemoryError as exc:
        return Reply(
            error=budget.breach or _memory_error(source, limits), trace=_trace(exc)
        )
    except Exception as exc:  # sent to the caller, which raises it
        refusal = exc if isinstance(exc, InputError) else None
        return Reply(error=budget.breach or refusal, trace=_trace(exc))
    if budget.breach is not None:
        return Reply(error=budget.breach, trace=_trace(budget.breach))
    return Reply(text=text)


def _cpu_error(source: str, limits: PdfLimits) -> PdfResourceError:
    return PdfResourceError(
        f"{source} took more than {limits.cpu_s} s of CPU time to read; "
        "the PDF reader was stopped"
    )


def _memory_error(source: str, limits: PdfLimits) -> PdfResourceError:
    return PdfResourceError(
        f"{source} needs more than {limits.max_memory_bytes // MIB} MiB of memory "
        "to read; the PDF reader was stopped"
    )


def _trace(exc: BaseException) -> str:
    """Format the exception with its chain; out of memory, at least its message."""
    try:
        return "".join(traceback.format_exception(exc))
    except MemoryError:
        return f"{type(exc).__name__}: {exc} (traceback lost: out of memory)"


def limit_process(limits: PdfLimits) -> None:
    """Set this process's kernel limits: memory, CPU time, and no core dumps.

    The CPU soft limit raises SIGXCPU (reported as an error); the hard limit,
    a second later, kills a reader that did not stop.
    """
    _lower(resource.RLIMIT_CORE, 0, 0)
    _lower(resource.RLIMIT_CPU, limits.cpu_s, limits.cpu_s + 1)
    _lower(resource.RLIMIT_AS, limits.max_memory_bytes, limits.max_memory_bytes)


def _lower(kind: int, soft: int, hard: int) -> None:
    """Lower a limit, never above the hard limit this process already has."""
    _, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))
