"""The Dockerfile and docker-compose.yml, checked statically (no Docker here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from models import registry
from models.registry import ModelSpec
from service.settings import FLAT_NAMES, Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
PREFIX = "CLAUSEWISE_"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    )
    return data


def _instructions(name: str) -> list[str]:
    """Return the arguments of every `NAME` instruction (continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [
        line.split(None, 1)[1]
        for line in joined.splitlines()
        if line.split(None, 1)[:1] == [name]
    ]


def test_compose_has_the_four_services_each_with_a_healthcheck(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {"api", "worker", "postgres", "redis"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name, service in services.items():
        assert service["healthcheck"]["test"], name
    assert services["api"]["command"][:1] == ["serve"]
    assert "0.0.0.0" in services["api"]["command"]
    assert services["worker"]["command"][:1] == ["worker"]
    assert services["worker"]["depends_on"]["api"]["condition"] == "service_healthy"


def test_postgres_keeps_its_data_in_a_named_volume(compose: dict[str, Any]) -> None:
    (mount,) = compose["services"]["postgres"]["volumes"]
    volume, target = mount.split(":", 1)
    assert target == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]


@pytest.mark.parametrize("service", ["api", "worker"])
def test_service_env_names_are_settings_fields(
    compose: dict[str, Any], service: str
) -> None:
    env: dict[str, str] = compose["services"][service]["environment"]
    known = set(Settings.model_fields) | set(FLAT_NAMES)
    names = {key.removeprefix(PREFIX).lower() for key in env}
    assert all(key.startswith(PREFIX) for key in env)
    assert names <= known, names - known
    assert {"database_url", "redis_url", "job_mode"} <= names
    settings = Settings.model_validate(
        {k.removeprefix(PREFIX).lower(): v for k, v in env.items()}
    )
    assert settings.jobs.mode == "celery"
    assert settings.database.url.startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in settings.database.url
    assert settings.jobs.redis_url.startswith("redis://redis:6379")


def test_dockerfile_is_multi_stage_and_runs_as_non_root() -> None:
    assert len(_instructions("FROM")) >= 2
    users = _instructions("USER")
    assert users and users[-1].strip() not in {"root", "0"}
    final_stage = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    assert "USER " in final_stage and "HEALTHCHECK " in final_stage


def test_dockerfile_healthcheck_and_command() -> None:
    (check,) = _instructions("HEALTHCHECK")
    assert "/healthz" in check and "CMD" in check
    (cmd,) = _instructions("CMD")
    assert cmd.strip() == '["serve", "--host", "0.0.0.0", "--port", "8000"]'
    assert _instructions("ENTRYPOINT") == ['["clausewise"]']


def test_dockerfile_installs_and_verifies_every_pinned_weight() -> None:
    runs = " ".join(_instructions("RUN"))
    assert "download.pytorch.org/whl/cpu torch==2.13.0" in runs
    assert '".[model]"' in runs
    assert "--require-hashes --no-deps -r requirements-weights.txt" in runs
    assert "verified_paths" in runs
    imported = re.search(r"from models\.registry import ([\w, ]+);", runs)
    assert imported is not None
    specs = [getattr(registry, name.strip()) for name in imported[1].split(",")]
    assert all(isinstance(spec, ModelSpec) for spec in specs)
    verified = {part.distribution for spec in specs for part in spec.parts}
    pinned = {
        line.split("==")[0]
        for line in (ROOT / "requirements-weights.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert verified == pinned
