"""A real uvicorn server of the service, in a subprocess, for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from service.auth.keys import create_key
from service.db import init_db, make_engine

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Server:
    """Where the server listens and two API keys of its one tenant.

    `key` carries no reviewer name (it reads reviews only); `reviewer_key`
    signs review decisions as "Rita".
    """

    url: str
    key: str
    log: Path
    reviewer_key: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(database_url: str) -> tuple[str, str]:
    """Migrate the database and make a tenant with a plain and a reviewer key."""
    engine = make_engine(database_url)
    try:
        init_db(engine)
        with Session(engine) as session:
            key, _ = create_key(session, "browser-tenant")
            reviewer_key, _ = create_key(session, "browser-tenant", "Rita")
    finally:
        engine.dispose()
    return key, reviewer_key


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError(f"server not ready in 60 s: {log.read_text()[-2000:]}")


@contextmanager
def running_server(tmp: Path) -> Iterator[Server]:
    """Start `uvicorn --factory service.app:create_app`; stop it afterwards."""
    database_url = f"sqlite:///{tmp / 'clausewise.db'}"
    key, reviewer_key = _prepare(database_url)
    port = free_port()
    env = {
        **os.environ,
        "CLAUSEWISE_DATABASE_URL": database_url,
        "CLAUSEWISE_JOB_POLL_SECONDS": "0.2",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "service.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield Server(url, key, log, reviewer_key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
