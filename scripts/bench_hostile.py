"""Hostile inputs against a real server: its peak memory, and what another tenant waits.

Starts `clausewise serve` in a subprocess (as `bench_api.py` does: fresh
SQLite file, free loopback port), makes two tenants, and has tenant B upload
one small license. Then, for each hostile request sent by tenant A, a thread
of tenant B sends light requests (`GET /v1/documents/{id}`) back to back
while it runs. Printed per input: the status tenant A got and how long it
took, the peak resident memory of the server's process tree while it ran
(the server and its children, such as the PDF reader), and tenant B's
latency p50 / p95 / max. A first row with no hostile request is the baseline.

    .venv/bin/python scripts/bench_hostile.py [--only NAME ...]

Timing is never asserted: the tests check each refusal; this prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import free_port, server  # noqa: E402
from sqlmodel import Session  # noqa: E402

from service.auth.keys import create_key
from service.db import init_db, make_engine  # noqa: E402

MIB = 1024 * 1024
LIGHT_LICENSE = (
    "Wren Model Terms\n\n"
    "1. If your products exceed 500 million monthly active users, you must "
    "request a separate license from Wren Labs.\n"
    "2. This Agreement is governed by the laws of the State of Delaware.\n"
)


@dataclass(frozen=True)
class Outcome:
    """What tenant A got back."""

    status: str
    seconds: float


Attack = Callable[[str, dict[str, str]], Outcome]


def _timed(send: Callable[[], str]) -> Outcome:
    started = time.perf_counter()
    try:
        status = send()
    except httpx.HTTPError as exc:
        status = f"connection ended ({type(exc).__name__})"
    return Outcome(status, time.perf_counter() - started)


def _post(
    base: str, headers: dict[str, str], path: str, timeout: float = 900, **kw: object
) -> str:
    response = httpx.post(base + path, headers=headers, timeout=timeout, **kw)  # type: ignore[arg-type]
    return str(response.status_code)


def _stream(prefix: bytes, chunk: bytes, total: int, suffix: bytes) -> Iterator[bytes]:
    """A chunked body of about `total` bytes, made as it is sent (never held)."""
    yield prefix
    sent = len(prefix)
    while sent < total:
        yield chunk
        sent += len(chunk)
    yield suffix


# --- hostile PDFs (built here, small on the wire) ---------------------------------


def pdf_with_content(content: bytes) -> bytes:
    """Return a one-page PDF whose page content stream is `content`, deflated."""
    stream = zlib.compress(content, 9)
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d/Filter/FlateDecode>>stream\n" % len(stream)
        + stream
        + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def inflate_bomb() -> bytes:
    """About 120 KB on the wire, 60 MB of page content once inflated."""
    noise = bytes(range(256)) * 4
    return pdf_with_content(
        b"BT /F1 12 Tf 72 720 Td (" + b"A" * 60 * MIB + noise + b") Tj ET"
    )


def glyph_storm() -> bytes:
    """A few KB on the wire; draws a million glyphs."""
    return pdf_with_content(b"BT /F1 1 Tf 72 720 Td " + b"(x) Tj " * 1_000_000 + b"ET")


# --- the inputs --------------------------------------------------------------------


def baseline(base: str, headers: dict[str, str]) -> Outcome:
    """Send nothing hostile for 3 s: what tenant B sees on a quiet server."""
    del base, headers
    time.sleep(3)
    return Outcome("-", 3.0)


def pdf_bomb(base: str, headers: dict[str, str]) -> Outcome:
    """Upload `inflate_bomb()` as a document."""
    data = inflate_bomb()
    files = {"file": ("bomb.pdf", data, "application/pdf")}
    return _timed(lambda: _post(base, headers, "/v1/documents", files=files))


def pdf_glyphs(base: str, headers: dict[str, str]) -> Outcome:
    """Upload `glyph_storm()` as a document."""
    files = {"file": ("glyphs.pdf", glyph_storm(), "application/pdf")}
    return _timed(lambda: _post(base, headers, "/v1/documents", files=files))


def text_1gib_chunked(base: str, headers: dict[str, str]) -> Outcome:
    """Stream a 1 GiB JSON text upload with no Content-Length."""
    body = _stream(b'{"text": "', b"a" * MIB, 1024 * MIB, b'"}')
    h = headers | {"Content-Type": "application/json"}
    return _timed(lambda: _post(base, h, "/v1/documents/text", content=body))


def ndjson_600mb_chunked(base: str, headers: dict[str, str]) -> Outcome:
    """Stream a 600 MB JSON Lines batch with no Content-Length."""
    line = json.dumps({"id": "x", "text": "a" * (MIB - 30)}).encode() + b"\n"
    body = _stream(b"", line, 600 * MIB, b"")
    h = headers | {"Content-Type": "application/x-ndjson"}
    return _timed(lambda: _post(base, h, "/v1/batches", content=body))


def multipart_300mb_chunked(base: str, headers: dict[str, str]) -> Outcome:
    """Stream a multipart batch of one 300 MB file, no Content-Length."""
    boundary = "clausewisebench"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files";'
        f' filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n'
    ).encode()
    body = _stream(
        head, b"terms " * (MIB // 6), 300 * MIB, f"\r\n--{boundary}--\r\n".encode()
    )
    h = headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return _timed(lambda: _post(base, h, "/v1/batches", content=body))


def declared_1gib(base: str, headers: dict[str, str]) -> Outcome:
    """Declare a 1 GiB upload, send 64 KB of it, and wait for the answer."""
    host, port = base.removeprefix("http://").split(":")
    auth = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (
        f"POST /v1/documents HTTP/1.1\r\nHost: {host}\r\n{auth}"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {1024 * MIB}\r\n\r\n"
    ).encode() + b"x" * 65536
    started = time.perf_counter()
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        try:
            sock.sendall(request)
            answer = sock.recv(200).decode("latin-1")
        except OSError as exc:
            return Outcome(f"connection ended ({exc})", time.perf_counter() - started)
    status = answer.split(" ")[1] if answer.startswith("HTTP/") else "no answer"
    return Outcome(status, time.perf_counter() - started)


def multipart_10000_files(base: str, headers: dict[str, str]) -> Outcome:
    """Send a multipart batch of 10,000 tiny cards (under the byte limit)."""
    files = [
        (
            "files",
            (f"card-{i}.md", b"# Card\n\nNon-commercial use only.\n", "text/markdown"),
        )
        for i in range(10_000)
    ]
    return _timed(lambda: _post(base, headers, "/v1/batches", files=files))


def json_1m_keys(base: str, headers: dict[str, str]) -> Outcome:
    """Send a JSON document upload with a million extra keys (about 14 MB)."""
    keys = ",".join(f'"k{i}": 0' for i in range(1_000_000))
    body = ('{"text": "Terms.", ' + keys + "}").encode()
    h = headers | {"Content-Type": "application/json"}
    return _timed(lambda: _post(base, h, "/v1/documents/text", content=body))


def text_1_2mb_scan(base: str, headers: dict[str, str]) -> Outcome:
    """Upload a 1.2 MB text (over spaCy's 1M characters) and scan it."""
    filler = "The parties met on a sunny day and talked about the harvest.\n\n"
    text = (
        filler * (1_200_000 // len(filler))
        + "This Agreement is governed by the laws of New York.\n"
    )

    def send() -> str:
        made = httpx.post(
            base + "/v1/documents/text",
            headers=headers,
            json={"text": text, "name": "long.txt"},
            timeout=900,
        )
        if made.status_code not in (200, 201):
            return f"upload {made.status_code}"
        scanned = httpx.post(
            base + f"/v1/documents/{made.json()['id']}/scans",
            headers=headers,
            timeout=900,
        )
        return f"upload {made.status_code}, scan {scanned.status_code}"

    return _timed(send)


def small_500s(base: str, headers: dict[str, str]) -> Outcome:
    """Inputs that were 500s: a lone surrogate, deep nesting, a NUL byte."""
    h = headers | {"Content-Type": "application/json"}

    def send() -> str:
        codes = [
            _post(base, h, "/v1/documents/text", content=b'{"text": "a \\ud800 b"}'),
            _post(
                base,
                headers | {"Content-Type": "application/x-ndjson"},
                "/v1/batches",
                content=b'{"id": "x", "text": "t", "d": '
                + b"[" * 100_000
                + b"]" * 100_000
                + b"}\n",
            ),
            _post(
                base,
                h,
                "/v1/documents/text",
                content=b'{"text": "Terms.", "family": "a\\u0000b"}',
            ),
        ]
        return "/".join(codes)

    return _timed(send)


INPUTS: dict[str, Attack] = {
    "baseline (nothing hostile)": baseline,
    "PDF, 120 KB inflating to 60 MB": pdf_bomb,
    "PDF, a million glyphs": pdf_glyphs,
    "text upload, 1 GiB chunked": text_1gib_chunked,
    "NDJSON batch, 600 MB chunked": ndjson_600mb_chunked,
    "multipart batch, one 300 MB file, chunked": multipart_300mb_chunked,
    "upload declaring Content-Length 1 GiB": declared_1gib,
    "multipart batch, 10,000 files": multipart_10000_files,
    "JSON body, 1,000,000 keys": json_1m_keys,
    "1.2 MB text, upload and scan": text_1_2mb_scan,
    "surrogate, nesting, NUL (were 500s)": small_500s,
}


# --- measuring -----------------------------------------------------------------------


def tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and all its descendants, in MiB (Linux /proc)."""
    total_kib = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total_kib += int(
                next(
                    ln.split()[1]
                    for ln in status.splitlines()
                    if ln.startswith("VmRSS:")
                )
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total_kib / 1024


class Watch:
    """Tenant B's light requests and the server's memory, while one input runs."""

    def __init__(
        self, base: str, headers: dict[str, str], document: str, pid: int
    ) -> None:
        self.base, self.headers, self.document, self.pid = base, headers, document, pid
        self.latencies: list[float] = []
        self.peak = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> Watch:
        self._threads = [
            threading.Thread(target=self._light),
            threading.Thread(target=self._memory),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _light(self) -> None:
        with httpx.Client(
            base_url=self.base, headers=self.headers, timeout=120
        ) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                client.get(f"/v1/documents/{self.document}").raise_for_status()
                self.latencies.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)

    def _memory(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(self.pid))
            time.sleep(0.02)


def row(name: str, outcome: Outcome, watch: Watch) -> str:
    """Return the table row of one input."""
    lat = watch.latencies or [float("nan")]
    p95 = (
        statistics.quantiles(lat, n=20, method="inclusive")[18]
        if len(lat) > 1
        else lat[0]
    )
    return (
        f"| {name} | {outcome.status} | {outcome.seconds:.1f} | {watch.peak:.0f} |"
        f" {statistics.median(lat):.1f} | {p95:.1f} | {max(lat):.1f} | {len(lat)} |"
    )


def main() -> None:
    """Run every chosen input against one server and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="*", help="run only inputs whose name contains one of these"
    )
    args = parser.parse_args()
    chosen = {
        n: f
        for n, f in INPUTS.items()
        if not args.only or any(o.lower() in n.lower() for o in args.only)
    }
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'hostile.db'}"
        key_a, key_b = tenant_key(url, "tenant-a"), tenant_key(url, "tenant-b")
        port = free_port()
        with server(url, port, "none", str(Path(tmp) / "cache")) as base:
            pid = _server_pid(port)
            a = {"Authorization": f"Bearer {key_a}"}
            b = {"Authorization": f"Bearer {key_b}"}
            made = httpx.post(
                base + "/v1/documents/text",
                headers=b,
                json={"text": LIGHT_LICENSE, "name": "wren.txt"},
                timeout=60,
            )
            made.raise_for_status()
            document = made.json()["id"]
            say(f"server pid {pid}, tree RSS at rest {tree_rss_mib(pid):.0f} MiB")
            say(HEADER)
            say("|---|---|---|---|---|---|---|---|")
            for name, attack in chosen.items():
                with Watch(base, b, document, pid) as watch:
                    outcome = attack(base, a)
                    time.sleep(0.3)
                say(row(name, outcome, watch))


HEADER = (
    "| input (tenant A) | status | seconds | peak RSS MiB"
    " | B p50 ms | B p95 ms | B max ms | B requests |"
)


def say(line: str) -> None:
    """Print one line at once (the run is long; rows appear as they finish)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def tenant_key(database_url: str, tenant: str) -> str:
    """Migrate the database and return a new API key of `tenant`."""
    engine = make_engine(database_url)
    try:
        init_db(engine)
        with Session(engine) as session:
            key, _ = create_key(session, tenant)
    finally:
        engine.dispose()
    return key


def _server_pid(port: int) -> int:
    """Return the pid of the process listening on `port` (this script's child)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
            inode = fields[9]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == f"socket:[{inode}]":
                    return int(proc.name)
        except OSError:
            continue
    raise SystemExit(f"bench_hostile: no process listens on port {port}")


if __name__ == "__main__":
    main()
