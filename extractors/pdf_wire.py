"""What the PDF sandbox and its reader processes say to each other, and how.

Messages are length-prefixed frames on a Unix socket. The reader's reply is
JSON, never a pickle: the reader has just run a parser over hostile input,
so the caller only ever decodes plain data from it.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import time
from typing import Any, Final

from extractors.errors import (
    InputError,
    PdfError,
    PdfLimitError,
    PdfResourceError,
    PdfTooLargeError,
    TooLargeError,
)
from extractors.pdf_limits import PdfLimits
from extractors.pdf_text import PdfText

LENGTH: Final = 8
"""Bytes of the big-endian length before each frame."""
MIN_WAIT_S: Final = 0.001
"""A socket timeout of 0 would mean non-blocking; past a deadline, wait this."""
REFUSALS: Final[dict[str, type[InputError]]] = {
    cls.__name__: cls
    for cls in (
        PdfError,
        PdfLimitError,
        PdfTooLargeError,
        PdfResourceError,
        TooLargeError,
        InputError,
    )
}
"""The errors a reader may report, by name; anything else is a bug."""


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """A reader's answer: the text, or a refusal or a bug, with its traceback."""

    text: PdfText | None = None
    error: InputError | None = None
    trace: str = ""


def send_frame(conn: socket.socket, payload: bytes) -> None:
    """Send one frame (within the socket's timeout, if it has one)."""
    conn.sendall(len(payload).to_bytes(LENGTH, "big") + payload)


def recv_frame(conn: socket.socket, deadline: float | None = None) -> bytes:
    """Receive one frame; EOFError when the peer closed before it was whole.

    With a `deadline` (a `time.monotonic()` value), TimeoutError once it passes.
    """
    size = int.from_bytes(recv_exactly(conn, LENGTH, deadline), "big")
    return recv_exactly(conn, size, deadline)


def recv_exactly(
    conn: socket.socket, size: int, deadline: float | None = None
) -> bytes:
    """Receive `size` bytes; EOFError when the peer closes first."""
    parts: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            conn.settimeout(max(deadline - time.monotonic(), MIN_WAIT_S))
        part = conn.recv(min(remaining, 1 << 20))
        if not part:
            raise EOFError(f"connection closed {remaining} bytes short")
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def encode_request(source: str, limits: PdfLimits) -> bytes:
    """The header a reader gets before the PDF's bytes."""
    return json.dumps({"source": source, "limits": dataclasses.asdict(limits)}).encode()


def decode_request(header: bytes) -> tuple[str, PdfLimits]:
    """Return the source name and limits of a request header."""
    fields = json.loads(header)
    return str(fields["source"]), PdfLimits(**fields["limits"])


def encode_reply(reply: Reply) -> bytes:
    """Serialise a reply as JSON (lone surrogates in the text survive)."""
    body: dict[str, Any] = {"trace": reply.trace}
    if reply.text is not None:
        body["text"] = reply.text.text
        body["page_starts"] = list(reply.text.page_starts)
    if reply.error is not None:
        body["error"] = type(reply.error).__name__
        body["message"] = str(reply.error)
    return json.dumps(body).encode()


def decode_reply(payload: bytes) -> Reply:
    """Rebuild a reply; an error class not in REFUSALS becomes a bug's reply."""
    body = json.loads(payload)
    trace = str(body.get("trace", ""))
    if "text" in body:
        text = PdfText(text=body["text"], page_starts=tuple(body["page_starts"]))
        return Reply(text=text, trace=trace)
    refusal = REFUSALS.get(str(body.get("error")))
    if refusal is None:
        return Reply(trace=trace)
    return Reply(error=refusal(str(body["message"])), trace=trace)
