"""One `Settings` in sections: nested and flat names reach the same field."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import BaseModel

from extractors.errors import ConfigError
from models.cache import default_cache_path
from models.runtime import thread_count
from models.settings import ModelSettings
from models.stage import head_path
from service.settings import (
    FLAT_NAMES,
    Settings,
    env_names,
    read_model_settings,
    read_settings,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CLAUSEWISE_* variable of the machine leaks into these tests."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("CLAUSEWISE_"):
            monkeypatch.delenv(name)


def _leaf_paths() -> set[tuple[str, ...]]:
    """Every settable field of `Settings`, as (section, field) or (field,)."""
    paths: set[tuple[str, ...]] = set()
    for name, info in Settings.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            paths |= {(name, field) for field in kind.model_fields}
        elif isinstance(kind, type) and dataclasses.is_dataclass(kind):
            paths |= {(name, f.name) for f in dataclasses.fields(kind)}
        else:
            paths.add((name,))
    return paths


@pytest.mark.parametrize(
    ("flat", "nested", "value", "read"),
    [
        ("JOB_THREADS", "JOBS__THREADS", "5", lambda s: s.jobs.threads == 5),
        ("MAX_PDF_PAGES", "PDF__MAX_PAGES", "7", lambda s: s.pdf.max_pages == 7),
        (
            "DATABASE_URL",
            "DATABASE__URL",
            "postgresql://u@h/db",
            lambda s: s.database.url == "postgresql+psycopg://u@h/db",
        ),
        (
            "BATCH_CHUNK_SIZE",
            "BATCHES__CHUNK_SIZE",
            "9",
            lambda s: s.batches.chunk_size == 9,
        ),
        (
            "COOKIE_SECURE",
            "WEB__COOKIE_SECURE",
            "false",
            lambda s: not s.web.cookie_secure,
        ),
        ("MODEL", "MODELS__STAGE", "encoder", lambda s: s.models.stage == "encoder"),
        ("LLM", "MODELS__LLM", "/opt/m", lambda s: s.models.llm == Path("/opt/m")),
        ("JOB_PROCESSES", "SCAN_PROCESSES", "37", lambda s: s.scan_processes == 37),
    ],
)
def test_a_flat_name_and_the_nested_name_set_the_same_field(
    monkeypatch: pytest.MonkeyPatch,
    flat: str,
    nested: str,
    value: str,
    read: Callable[[Settings], bool],
) -> None:
    assert not read(Settings())  # the default is something else
    monkeypatch.setenv(f"CLAUSEWISE_{flat}", value)
    assert read(Settings())
    monkeypatch.delenv(f"CLAUSEWISE_{flat}")
    monkeypatch.setenv(f"CLAUSEWISE_{nested}", value)
    assert read(Settings())


def test_the_nested_name_wins_and_arguments_win_over_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLAUSEWISE_JOB_THREADS", "3")
    monkeypatch.setenv("CLAUSEWISE_JOBS__THREADS", "4")
    monkeypatch.setenv("CLAUSEWISE_JOB_POLL_SECONDS", "0.25")
    assert Settings().jobs.threads == 4
    # a flat argument beats a nested variable; other fields keep the environment's
    settings = Settings(job_threads=6)
    assert (settings.jobs.threads, settings.jobs.poll_seconds) == (6, 0.25)
    assert Settings(jobs={"threads": 7}).jobs.threads == 7
    monkeypatch.setenv("CLAUSEWISE_JOB_THREADS", "")  # empty: unset
    monkeypatch.delenv("CLAUSEWISE_JOBS__THREADS")
    assert Settings().jobs.threads == 2


def test_flat_names_are_read_by_model_validate_and_updated() -> None:
    settings = Settings.model_validate({"job_mode": "celery", "max_pdf_pages": 12})
    assert (settings.jobs.mode, settings.pdf.max_pages) == ("celery", 12)
    changed = settings.updated(job_threads=3, pdf={"max_chars": 10})
    assert (changed.jobs.mode, changed.jobs.threads) == ("celery", 3)
    assert (changed.pdf.max_pages, changed.pdf.max_chars) == (12, 10)
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        settings.updated(job_threads=0)


def test_every_flat_name_sets_a_field_and_every_field_is_reachable() -> None:
    leaves = _leaf_paths()
    assert set(FLAT_NAMES.values()) <= leaves
    flat_targets = set(FLAT_NAMES.values())
    top_level = {path for path in leaves if len(path) == 1}
    assert leaves - flat_targets <= top_level, leaves - flat_targets - top_level


def test_a_bad_value_names_both_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUSEWISE_JOB_THREADS", "0")
    with pytest.raises(ConfigError) as caught:
        read_settings()
    message = str(caught.value)
    assert (
        "CLAUSEWISE_JOBS__THREADS or CLAUSEWISE_JOB_THREADS (jobs.threads)" in message
    )
    assert "greater than or equal to 1" in message
    assert env_names(("scan_processes",)) == [
        "CLAUSEWISE_SCAN_PROCESSES",
        "CLAUSEWISE_JOB_PROCESSES",
    ]


def test_the_model_section_alone_ignores_other_sections(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLAUSEWISE_COOKIE_SECURE", "maybe")  # bad, but not ours
    monkeypatch.setenv("CLAUSEWISE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("CLAUSEWISE_MODELS__THREADS", "1")
    monkeypatch.setenv("CLAUSEWISE_LLM_HEAD", str(tmp_path / "h.json"))
    models = read_model_settings()
    assert models == ModelSettings(
        cache_dir=tmp_path, threads=1, llm_head=tmp_path / "h.json"
    )
    with pytest.raises(ConfigError, match="CLAUSEWISE_COOKIE_SECURE"):
        read_settings()
    monkeypatch.setenv("CLAUSEWISE_MODEL", "gpt-9")
    with pytest.raises(ConfigError, match="CLAUSEWISE_MODEL"):
        read_model_settings()


def test_the_models_read_their_section_not_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLAUSEWISE_CACHE_DIR", str(tmp_path / "ignored"))
    defaults = ModelSettings()
    assert default_cache_path(defaults).parent == Path.home() / ".cache" / "clausewise"
    models = ModelSettings(
        cache_dir=tmp_path, threads=5, encoder_head=tmp_path / "e.json"
    )
    assert default_cache_path(models) == tmp_path / "model-cache.sqlite3"
    assert thread_count(models) == 5
    assert thread_count(ModelSettings(threads=0)) == 1
    assert head_path("encoder", models) == tmp_path / "e.json"
    assert head_path("llm", models) == head_path("llm", defaults)


def test_the_readme_table_lists_every_setting_once() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Settings\n", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `([\w.]+)` \| `CLAUSEWISE_(\w+)` \|", table, re.M)
    paths = [tuple(setting.split(".")) for setting, _ in rows]
    assert len(paths) == len(set(paths))
    assert set(paths) == _leaf_paths()
    for path, variable in zip(paths, (v for _, v in rows), strict=True):
        flat = variable.lower()
        assert FLAT_NAMES.get(flat, (flat,)) == path, (variable, path)
