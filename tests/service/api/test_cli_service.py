"""`clausewise keys create` and `clausewise serve`."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlmodel import Session, select

from service.auth.tables import ApiKeyRecord, TenantRecord
from service.cli import EXIT_CONFIG, EXIT_OK, main
from service.db import make_engine

ROOT = Path(__file__).resolve().parents[3]


def test_keys_create_prints_the_key_once_and_stores_only_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_file = tmp_path / "keys.db"
    url = f"sqlite:///{db_file}"
    assert main(["keys", "create", "--tenant", "acme", "--database-url", url]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    assert key.startswith("cw_") and len(key) > 40
    assert "SHA-256" in err and key not in err
    engine = make_engine(url)
    with Session(engine) as session:
        record = session.exec(select(ApiKeyRecord)).one()
        tenant = session.exec(select(TenantRecord)).one()
    engine.dispose()
    assert record.key_sha256 == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(record.prefix) and len(record.prefix) < len(key) // 2
    assert (tenant.name, tenant.id) == ("acme", record.tenant_id)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert key.encode() not in stored


def test_keys_create_refuses_a_blank_tenant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    status = main(["keys", "create", "--tenant", "  ", "--database-url", url])
    assert status == EXIT_CONFIG
    assert "must not be blank" in capsys.readouterr().err


def test_serve_builds_a_ready_app_without_torch(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        import uvicorn
        from fastapi.testclient import TestClient

        captured = {}
        uvicorn.run = lambda app, **options: captured.update(app=app, **options)
        from service.cli import main

        assert main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
        assert (captured["host"], captured["port"]) == ("0.0.0.0", 8123)
        with TestClient(captured["app"]) as client:
            assert client.get("/readyz").status_code == 200
        assert sys.modules.get("torch") is None, "torch was imported"
        """
    )
    env = {**os.environ, "CLAUSEWISE_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CLAUSEWISE_RATE_LIMIT_PER_MINUTE", "0"),
        ("CLAUSEWISE_JOB_THREADS", "0"),
        ("CLAUSEWISE_BATCH_CHUNK_SIZE", "0"),
        ("CLAUSEWISE_COOKIE_SECURE", "maybe"),
    ],
)
def test_serve_refuses_a_bad_setting_before_starting(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    import uvicorn

    import service.cli

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server started")

    monkeypatch.setattr(service.cli, "keep_torch_out", lambda: None)
    monkeypatch.setattr(uvicorn, "run", never)
    monkeypatch.setenv(variable, value)
    assert main(["serve"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "invalid CLAUSEWISE_* setting" in err
    assert variable in err
