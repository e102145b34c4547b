"""Real scan results of a short, hand-written license, shared by the export tests."""

from __future__ import annotations

from typing import Any

import pytest

from extractors.engine import ClauseEngine, build_engine
from extractors.output import result_to_dict
from extractors.parse import parse_bytes
from extractors.risk import profile_from_mapping
from tests.licenses import four_clause_license

# Hard-wrapped on purpose: several cited clauses run over two or more lines.
LICENSE = four_clause_license("Orbit", wrap=78)
NAME = "orbit-license.txt"
PROFILE = {
    "name": "Test Org",
    "monthly_active_users": 2_000_000,
    "regions": ["DE", "US"],
    "intended_uses": ["commercial", "redistribution"],
}


@pytest.fixture(scope="session")
def engine() -> ClauseEngine:
    return build_engine(identify=True)


def scan(engine: ClauseEngine, text: str, *, profiled: bool = False) -> dict[str, Any]:
    """Parse and analyse `text` exactly as the CLI does; return the result dict."""
    document = parse_bytes(text.encode("utf-8"), name=NAME)
    profile = profile_from_mapping(PROFILE, source="test") if profiled else None
    return result_to_dict(engine.analyze(document, profile=profile), name=NAME)


@pytest.fixture(scope="session")
def result(engine: ClauseEngine) -> dict[str, Any]:
    return scan(engine, LICENSE)


@pytest.fixture(scope="session")
def profiled(engine: ClauseEngine) -> dict[str, Any]:
    return scan(engine, LICENSE, profiled=True)
