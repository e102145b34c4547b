"""Hooks that make pdfminer charge its work to a `Budget` as it goes.

A decompression bomb or a million-glyph page is only dangerous once pdfminer
has expanded it; these hooks count the bytes each decompression produces,
each token of page content and each character drawn, so the budget stops
the parse at its limit instead of after gigabytes. Each hook returns what
pdfminer's own function returns, byte for byte: the extracted text, which
citations index, must not change.

`install_guards` rewrites pdfminer's module globals for the whole process, so
it runs only in the sandbox's single-use reader process, never in a server.
"""

from __future__ import annotations

import functools
import io
import logging
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from pdfminer import converter, lzw, pdfinterp, pdftypes, runlength

from extractors.pdf_limits import Budget

if TYPE_CHECKING:
    from zlib import _Decompress

logger = logging.getLogger("pdfminer.pdftypes")
CHUNK: Final = 64 * 1024
"""Input fed to zlib at a time when salvaging a corrupt stream."""


GUARDED: Final = "_clausewise_guarded"
"""Marks pdfminer as guarded, so hooks are never stacked on hooks."""
HOOKED: Final[tuple[tuple[object, str], ...]] = (
    (pdftypes, "zlib"),
    (pdftypes, "decompress_corrupted"),
    (pdftypes, "lzwdecode"),
    (pdftypes, "rldecode"),
    (pdfinterp, "PDFContentParser"),
    (converter.PDFLayoutAnalyzer, "render_char"),
)
"""What `install_guards` replaces, in this order."""


def install_guards(budget: Budget) -> None:
    """Route pdfminer's decoders, content parser and glyph drawing through `budget`.

    Raises RuntimeError when called twice or when pdfminer no longer has the
    names hooked here (an upgrade moved them): a guard that silently does not
    apply would let the next bomb through.
    """
    if getattr(pdftypes, GUARDED, False):
        raise RuntimeError("PDF guards are already installed in this process")
    for owner, name in HOOKED:
        if not hasattr(owner, name):
            raise RuntimeError(f"pdfminer has no {owner!r}.{name} to guard")
    hooks = (
        BoundedZlib(budget),
        functools.partial(decompress_corrupted, budget=budget),
        functools.partial(lzw_decode, budget=budget),
        functools.partial(rl_decode, budget=budget),
        functools.partial(CountingContentParser, budget=budget),
        _counting(converter.PDFLayoutAnalyzer.render_char, budget),
    )
    for (owner, name), hook in zip(HOOKED, hooks, strict=True):
        setattr(owner, name, hook)
    setattr(pdftypes, GUARDED, True)


class BoundedZlib:
    """The part of the `zlib` module pdfminer uses, with output charged."""

    error = zlib.error

    def __init__(self, budget: Budget) -> None:
        self._budget = budget

    def decompress(self, data: bytes) -> bytes:
        """Do `zlib.decompress(data)`, but stop at the budget, not at the end."""
        return bounded_decompress(data, self._budget)

    def decompressobj(self) -> CountingDecompressor:
        """Return a decompressor whose output is charged to the budget."""
        return CountingDecompressor(self._budget)


class CountingDecompressor:
    """A `zlib.decompressobj()` that charges what it produces."""

    def __init__(self, budget: Budget) -> None:
        self._budget = budget
        self._inflater = zlib.decompressobj()

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        """Decompress like zlib, never past the budget's room."""
        room = self._budget.inflate_room() + 1
        limit = room if max_length == 0 else min(max_length, room)
        out = self._inflater.decompress(data, limit)
        self._budget.charge_inflated(len(out))
        return out

    def flush(self) -> bytes:
        """Return what is left; it is charged too."""
        out = self._inflater.flush()
        self._budget.charge_inflated(len(out))
        return out


def bounded_decompress(data: bytes, budget: Budget) -> bytes:
    """Return `zlib.decompress(data)`, raising once the output passes the budget.

    zlib.decompress would first build the whole output; asking for one byte
    more than the room left stops a bomb after that many bytes. A stream
    without its end raises zlib.error, as zlib.decompress does, so pdfminer
    goes on to salvage it exactly as before.
    """
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, budget.inflate_room() + 1)
    budget.charge_inflated(len(out))
    if not inflater.eof:
        raise zlib.error(
            "Error -5 while decompressing data: incomplete or truncated stream"
        )
    return out


def decompress_corrupted(data: bytes, *, budget: Budget) -> bytes:
    """Return what pdfminer's `decompress_corrupted` returns, in linear time.

    pdfminer feeds the stream to zlib one byte at a time and appends each
    output to a bytes object, quadratic in the output: a corrupt 100 KB bomb
    runs for minutes before any limit could see it. Here zlib gets chunks,
    and only a chunk that fails is replayed byte by byte from a copy of the
    decompressor, so the result and the error point are pdfminer's.
    """
    inflater = zlib.decompressobj()
    parts: list[bytes] = []
    for start in range(0, len(data), CHUNK):
        chunk = data[start : start + CHUNK]
        saved = inflater.copy()
        try:
            out = inflater.decompress(chunk, budget.inflate_room() + 1)
        except zlib.error:
            inflater = saved
            if _salvage(inflater, chunk, start, len(data), parts, budget):
                return b"".join(parts)
            continue
        budget.charge_inflated(len(out))  # one byte past the room when cut short
        parts.append(out)
    return b"".join(parts)


def _salvage(
    inflater: _Decompress,
    chunk: bytes,
    start: int,
    total: int,
    parts: list[bytes],
    budget: Budget,
) -> bool:
    """Replay a failing chunk byte by byte; True when the data ended in the CRC.

    Re-raises the zlib error when it comes before the last four bytes, as
    pdfminer does (they may be a damaged checksum; anything earlier is not).
    """
    for offset in range(len(chunk)):
        try:
            out = inflater.decompress(chunk[offset : offset + 1])
        except zlib.error:
            if start + offset < total - 3:
                raise
            logger.warning("Data-loss while decompressing corrupted data")
            return True
        budget.charge_inflated(len(out))
        parts.append(out)
    return False


def lzw_decode(data: bytes, *, budget: Budget) -> bytes:
    """Return `lzwdecode(data)`, charging each decoded string as it comes."""
    parts: list[bytes] = []
    for part in lzw.LZWDecoder(io.BytesIO(data)).run():
        budget.charge_inflated(len(part))
        parts.append(part)
    return b"".join(parts)


def rl_decode(data: bytes, *, budget: Budget) -> bytes:
    """Return `rldecode(data)`, refused first if its runs expand past the budget."""
    budget.charge_inflated(run_length_size(data))
    return runlength.rldecode(data)


def run_length_size(data: bytes) -> int:
    """Count the bytes RunLengthDecode would produce, reading only run headers."""
    size = 0
    index = 0
    while index < len(data):
        length = data[index]
        if length == 128:
            break
        if length < 128:
            size += length + 1
            index += length + 2
        else:
            size += 257 - length
            index += 2
    return size


class CountingContentParser(pdfinterp.PDFContentParser):
    """pdfminer's page content parser, charging every token it reads."""

    def __init__(self, streams: Any, *, budget: Budget) -> None:
        super().__init__(streams)
        self._budget = budget

    def nexttoken(self) -> Any:
        """Read the next token; past the budget, refuse instead."""
        self._budget.charge_token()
        return super().nexttoken()


def _counting(draw: Callable[..., float], budget: Budget) -> Callable[..., float]:
    """Wrap `render_char` so that every glyph drawn is charged."""

    @functools.wraps(draw)
    def render_char(self: Any, *args: Any, **kwargs: Any) -> float:
        budget.charge_char()
        return draw(self, *args, **kwargs)

    return render_char
