"""Real scan results of a short, hand-written license, shared by the export tests."""

from __future__ import annotations

from typing import Any

import pytest

from extractors.engine import ClauseEngine, build_engine
from extractors.output import result_to_dict
from extractors.parse import parse_bytes
from extractors.risk import profile_from_mapping

# Hard-wrapped on purpose: several cited clauses run over two or more lines.
LICENSE = (
    "ORBIT OPEN WEIGHTS LICENSE\n"
    "Version 2.0\n"
    "\n"
    "1. Grant. You are granted a non-exclusive, worldwide, royalty-free license\n"
    "to use, reproduce and distribute the Orbit Materials.\n"
    "\n"
    "2. Additional Commercial Terms. If, on the release date, the monthly active\n"
    "users of the products or services made available by or for Licensee is\n"
    "greater than 700 million monthly active users in the preceding calendar\n"
    "month, you must request a license from Orbit, which Orbit may grant to you\n"
    "in its sole discretion.\n"
    "\n"
    "3. Attribution. If you distribute or make available the Orbit Materials, or\n"
    'a product that uses them, you shall prominently display "Built with Orbit"\n'
    "on a related website, user interface or product documentation.\n"
    "\n"
    "4. Acceptable Use. Your use of the Orbit Materials must comply with\n"
    "applicable laws and adhere to the Acceptable Use Policy for the Orbit\n"
    "Materials (available at https://orbit.example/use-policy), which is hereby\n"
    "incorporated by reference into this Agreement.\n"
    "\n"
    "5. Territory. With respect to any multimodal models included in the Orbit\n"
    "Materials, the rights granted under Section 1 are not being granted to you\n"
    "if you are an individual domiciled in, or a company with a principal place\n"
    "of business in, the European Union.\n"
)
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
