"""The pdfminer guards return pdfminer's own results, byte for byte, within budget.

The hooks replace pdfminer functions only in the reader process; here they
are called directly and compared with the untouched pdfminer functions of
this process.
"""

from __future__ import annotations

import random
import zlib

import pytest
from pdfminer import lzw, pdftypes, runlength

from extractors.errors import PdfTooLargeError, TooLargeError
from extractors.pdf_guards import (
    CHUNK,
    bounded_decompress,
    decompress_corrupted,
    lzw_decode,
    rl_decode,
    run_length_size,
)
from extractors.pdf_limits import Budget, PdfLimits

TEXT = b"BT /F1 12 Tf 72 720 Td (Licensee may use the Model.) Tj ET\n"


def _budget(max_inflated: int = 10**9) -> Budget:
    return Budget(PdfLimits(max_inflated_bytes=max_inflated), "'t.pdf'")


def _outcome(function: object, data: bytes) -> tuple[str, bytes | str]:
    """Return ("ok", output) or ("error", zlib's message)."""
    assert callable(function)
    try:
        return "ok", function(data)
    except zlib.error as exc:
        return "error", str(exc)


def _damaged_streams() -> list[bytes]:
    """Compressed streams, intact and damaged in the ways PDFs are."""
    rng = random.Random(20260107)
    streams = []
    for size in (40, 5_000, CHUNK + 1_000, 2 * CHUNK + 3_000):
        raw = bytes(rng.choice(b"abcdefgh ()Tj\n") for _ in range(size))
        packed = zlib.compress(raw, 6)
        flipped = bytearray(packed)
        flipped[len(packed) // 2] ^= 0x10
        streams += [
            packed,
            packed[: len(packed) // 2],  # truncated: no end of stream
            packed[:-2],  # damaged checksum: salvaged
            packed[:-4] + b"\x00\x00\x00\x01",  # wrong checksum: salvaged
            bytes(flipped),  # corrupt in the middle: an error
            packed + b"\r\nendstream",  # trailing bytes after the end
            zlib.compress(rng.randbytes(size)),  # incompressible
        ]
    garbage = _garbage_in_second_chunk()
    error_at = _error_offset(garbage)
    # pdfminer forgives an error in the last 3 bytes (a damaged checksum) only
    return [*streams, garbage, garbage[: error_at + 4], garbage[: error_at + 3]]


def _garbage_in_second_chunk() -> bytes:
    """A stream that zlib rejects in its second chunk: replayed, then re-raised."""
    rng = random.Random(20260107)
    raw = bytes(rng.choice(b"abcdefgh ()Tj\n") for _ in range(200_000))
    return zlib.compress(raw, 6)[:100_000] + bytes(range(255, -1, -1))


def _error_offset(data: bytes) -> int:
    """Index of the byte at which zlib, fed one byte at a time, fails."""
    inflater = zlib.decompressobj()
    for index in range(len(data)):
        try:
            inflater.decompress(data[index : index + 1])
        except zlib.error:
            return index
    raise AssertionError("the data decompresses without error")


def test_garbage_in_second_chunk_is_an_error_for_pdfminer() -> None:
    data = _garbage_in_second_chunk()
    assert _outcome(pdftypes.decompress_corrupted, data)[0] == "error"
    assert CHUNK < 100_000 < len(data) - 3


@pytest.mark.parametrize("data", _damaged_streams())
def test_salvage_matches_pdfminer(data: bytes) -> None:
    expected = _outcome(pdftypes.decompress_corrupted, data)
    guarded = _outcome(lambda d: decompress_corrupted(d, budget=_budget()), data)
    assert guarded == expected


@pytest.mark.parametrize("data", _damaged_streams())
def test_bounded_decompress_matches_zlib(data: bytes) -> None:
    expected = _outcome(zlib.decompress, data)
    guarded = _outcome(lambda d: bounded_decompress(d, _budget()), data)
    assert guarded[0] == expected[0]
    if expected[0] == "ok":
        assert guarded == expected


def test_inflate_budget_counts_across_streams() -> None:
    budget = _budget(max_inflated=2 * len(TEXT))
    stream = zlib.compress(TEXT)
    assert bounded_decompress(stream, budget) == TEXT
    assert decompress_corrupted(stream[:-2], budget=budget) == TEXT
    assert budget.inflated == 2 * len(TEXT)
    with pytest.raises(PdfTooLargeError, match="'t.pdf' inflates to more than 118"):
        bounded_decompress(stream, budget)
    assert isinstance(budget.breach, TooLargeError)


@pytest.mark.parametrize("salvage", [False, True])
def test_bomb_stops_at_the_budget_not_at_its_end(salvage: bool) -> None:
    packer = zlib.compressobj(9)
    bomb = packer.compress(b"\0" * (64 * 1024 * 1024)) + packer.flush()
    budget = _budget(max_inflated=1024 * 1024)
    with pytest.raises(PdfTooLargeError):
        if salvage:
            decompress_corrupted(bomb, budget=budget)
        else:
            bounded_decompress(bomb, budget)
    assert budget.inflated == 1024 * 1024 + 1  # one byte past the limit, no more


def _lzw_flood(codes: int) -> bytes:
    """An LZW stream whose n-th code repeats 'A' n+1 times (quadratic output).

    Code widths follow pdfminer's decoder: 9 bits, growing as its table
    reaches 511, 1023 and 2047 entries.
    """
    sequence = [256, 65, *range(258, 258 + codes)]
    bits = ""
    table = 258
    width = 9
    for index, code in enumerate(sequence):
        bits += format(code, f"0{width}b")
        if index >= 2:
            table += 1
            width = {511: 10, 1023: 11, 2047: 12}.get(table, width)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def test_lzw_matches_pdfminer_and_is_charged() -> None:
    data = _lzw_flood(2000)
    expected = lzw.lzwdecode(data)
    assert expected == b"A" * len(expected) and len(expected) > 2_000_000
    budget = _budget()
    assert lzw_decode(data, budget=budget) == expected
    assert budget.inflated == len(expected)
    with pytest.raises(PdfTooLargeError):
        lzw_decode(data, budget=_budget(max_inflated=100_000))


@pytest.mark.parametrize(
    "data",
    [
        b"\x02abc\xfdx\x80",  # literal run, repeat run, end of data
        b"\x00a\x81b",  # no end marker: the data simply ends
        b"\x80\xff\xff",  # end marker first
        b"",
    ],
)
def test_run_length_size_is_the_decoded_size(data: bytes) -> None:
    assert run_length_size(data) == len(runlength.rldecode(data))
    assert rl_decode(data, budget=_budget()) == runlength.rldecode(data)


def test_run_length_bomb_is_refused_before_decoding() -> None:
    bomb = b"\x81x" * 100_000  # 128 bytes per 2: 12.8 MB
    with pytest.raises(PdfTooLargeError):
        rl_decode(bomb, budget=_budget(max_inflated=1_000_000))
