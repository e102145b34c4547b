"""Each resource's tables stand alone: importing one module registers what its
foreign keys point at, as a Celery worker that imports only its job handlers
needs (there, a scan job once failed: "could not find table 'tenant'")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLE_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "service").glob("*/tables.py")
)
PROBE = """
import importlib, sys
from sqlmodel import SQLModel
importlib.import_module(sys.argv[1])
tables = SQLModel.metadata.sorted_tables  # resolves every foreign key
print(len(tables), sorted(str(fk.column) for t in tables for fk in t.foreign_keys))
"""


def test_every_resource_package_has_its_tables_module() -> None:
    packages = {name.split(".")[1] for name in TABLE_MODULES}
    assert {"auth", "batches", "documents", "jobs", "profiles", "reviews", "scans"} == (
        packages
    )


@pytest.mark.parametrize("module", TABLE_MODULES)
def test_a_tables_module_alone_resolves_its_foreign_keys(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[0]) >= 1


def test_the_migration_environment_imports_every_tables_module() -> None:
    env = (ROOT / "service" / "migrations" / "env.py").read_text(encoding="utf-8")
    for module in TABLE_MODULES:
        assert f"import {module}  " in env, module
