"""`clausewise keys list` and `clausewise keys revoke`: prefixes only, 401 after."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.cli import EXIT_INPUT, EXIT_OK, main
from service.settings import Settings


def _create(url: str, tenant: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["keys", "create", "--tenant", tenant, "--database-url", url]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("cw_")
    return key


def test_list_shows_prefixes_and_tenants_never_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    first = _create(url, "acme", capsys)
    second = _create(url, "globex", capsys)
    assert main(["keys", "list", "--database-url", url]) == EXIT_OK
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["PREFIX", "TENANT", "CREATED", "REVOKED"]
    assert [line.split()[:2] for line in lines[1:]] == [
        [first[:11], "acme"],
        [second[:11], "globex"],
    ]
    assert first not in out and second not in out
    assert all(line.split()[3] == "-" for line in lines[1:])
    assert main(["keys", "list", "--tenant", "globex", "--database-url", url]) == 0
    only = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[1] for line in only] == ["globex"]
    assert main(["keys", "list", "--tenant", "nobody", "--database-url", url]) == 1
    assert "no tenant named 'nobody'" in capsys.readouterr().err


def test_revoked_key_gets_401(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    key = _create(url, "acme", capsys)
    other = _create(url, "acme", capsys)
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/v1/documents", headers=headers).status_code == 200
        # as `keys create` reports it, with the dots
        assert main(["keys", "revoke", key[:11] + "...", "--database-url", url]) == 0
        assert "revoked key" in capsys.readouterr().err
        refused = client.get("/v1/documents", headers=headers)
        assert refused.status_code == 401
        assert "revoked" in refused.json()["detail"]
        still = {"Authorization": f"Bearer {other}"}
        assert client.get("/v1/documents", headers=still).status_code == 200
    assert main(["keys", "revoke", key[:11], "--database-url", url]) == EXIT_OK
    assert "already revoked" in capsys.readouterr().err
    assert main(["keys", "list", "--database-url", url]) == EXIT_OK
    rows = {
        line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()
    }
    assert rows[key[:11]][3] != "-" and rows[other[:11]][3] == "-"


def test_revoking_an_unknown_prefix_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    _create(url, "acme", capsys)
    assert main(["keys", "revoke", "cw_nosuchk", "--database-url", url]) == EXIT_INPUT
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().splitlines() == [
        "clausewise: error: no API key with prefix 'cw_nosuchk'"
    ]


def test_a_key_created_with_a_reviewer_signs_review_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    args = ["keys", "create", "--tenant", "acme", "--reviewer", " Ann Lee "]
    assert main([*args, "--database-url", url]) == EXIT_OK
    captured = capsys.readouterr()
    assert "reviewer 'Ann Lee'" in captured.err
    key = captured.out.strip()
    assert (
        main(
            [
                "keys",
                "create",
                "--tenant",
                "acme",
                "--reviewer",
                " ",
                "--database-url",
                url,
            ]
        )
        != EXIT_OK
    )
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {key}"}
        document = client.post(
            "/v1/documents/text", json={"text": "Nothing to see."}, headers=headers
        ).json()["id"]
        response = client.post(
            f"/v1/documents/{document}/review/events",
            json={"action": "mark_reviewed"},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        assert response.json()["event"]["reviewer"] == "Ann Lee"
