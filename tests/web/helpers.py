"""Test data of the reviewer pages: two versions of a short license, cards."""

from __future__ import annotations

import json
import re
from typing import Final

from fastapi.testclient import TestClient

from tests.licenses import (
    credit,
    eu_exclusion,
    grant,
    license_text,
    threshold,
    use_policy,
)

DEFINITIONS: Final = "".join(
    f'1.{i} "Term {i}" has the meaning given in Schedule {i} of this document.\n'
    for i in range(1, 41)
)
"""Clause-free filler, so the last clauses start below the browser's fold."""
SECTIONS: Final = license_text(
    "Definitions",
    [
        ("Grant", grant("Larkspur")),
        ("Scale", threshold("Larkspur")),
        ("Credit", credit("Larkspur")),
        ("Policy", use_policy("Larkspur")),
        ("Territory", eu_exclusion("Larkspur")),
    ],
).removeprefix("Definitions\n\n")
LICENSE_V1: Final = (
    "Larkspur Community Model License, version 1\n"
    "\n"
    "Definitions.\n" + DEFINITIONS + "\n" + SECTIONS
)
LICENSE_V2: Final = LICENSE_V1.replace("version 1", "version 2").replace(
    "700 million", "1 billion"
)
TYPES: Final = (
    "usage_threshold",
    "attribution",
    "aup_incorporation",
    "geographic_restriction",
)
CARDS: Final = "\n".join(
    json.dumps(card)
    for card in (
        {"id": "acme/alpha", "text": LICENSE_V1},
        {"id": "acme/beta", "markdown": "# Beta\n\nLicensed under the MIT license.\n"},
        {"id": "acme/gamma", "text": "Use is limited to research purposes only.\n"},
    )
)


def csrf_of(html: str) -> str:
    """Return the CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> None:
    """Sign in through the form, as a browser does."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"api_key": key, "csrf_token": csrf_of(page.text), "next": "/documents"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
