"""Shared fixtures for the identify tests: two made-up licenses and helpers.

The texts are written for these tests (never taken from the corpus).
"""

from __future__ import annotations

from typing import Any

from extractors.identify.index import (
    LicenseIndex,
    ReferenceMeta,
    build_index,
    make_entry,
)
from extractors.labels import ClauseType
from extractors.types import CharSpan, ClauseTag, Document, Explanation, MediaType

NORTHWIND = """NORTHWIND MODEL LICENSE, VERSION 1

1. Grant. Northwind grants you a worldwide, royalty-free license to use,
copy, modify and share the Northwind weights and any derivative of them,
subject to the conditions below.

2. Scale limit. If the services you offer with the weights reach more than
500 million monthly active users, you must ask Northwind for a separate
license before using them further.

3. Credit. Anyone who ships the weights or a derivative must show the phrase
"Powered by Northwind" on the product's about page.

4. Policy. Your use of the weights must follow the Northwind Use Rules, which
form part of this license.

5. Claims. If you start a lawsuit claiming that the weights infringe your
patents, every right this license gives you ends on the day you file it.

6. Law. The laws of the State of Oregon govern this license.

7. No warranty. The weights come as they are, with no promise that they work
for any purpose, and Northwind is not liable for anything you do with them.
"""

LUMEN = """Lumen Research Terms

These terms let you study the Lumen checkpoints for non-commercial research
only. You may not sell access to the checkpoints, host them as a paid service,
or place them inside a commercial product without written consent from Lumen
Labs. Outputs produced by the checkpoints may not be used to train a competing
model. When you share a checkpoint you must hand the recipient a copy of these
terms and bind them to the same limits. Lumen Labs may revise these terms at
any time by posting a new edition on its site. These terms are governed by
English law and disputes go to the courts of London. Nothing here grants any
trademark right, and the checkpoints are offered without any warranty.
"""

THRESHOLD = "If the services you offer with the weights reach more than"
CREDIT = "Anyone who ships the weights or a derivative must show the phrase"
POLICY = "Your use of the weights must follow the Northwind Use Rules"
CLAIMS = "If you start a lawsuit claiming that the weights infringe your"
LAW = "The laws of the State of Oregon govern this license."


def sentence(text: str, start: str) -> CharSpan:
    """Return the span of the sentence of `text` that begins with `start`."""
    begin = text.index(start)
    return CharSpan(begin, text.index(".", begin + len(start) - 1) + 1)


def tag(body: str, start: str, clause_type: ClauseType, **params: Any) -> ClauseTag:
    """Tag the sentence of `body` beginning with `start`, as a tagger would."""
    why = Explanation(extractor="test", method="rule", score=1.0)
    return ClauseTag(clause_type, sentence(body, start), 1.0, why, params=params)


def threshold(value: int) -> dict[str, Any]:
    """Return usage_threshold params for a monthly-active-user limit."""
    item = {
        "metric": "monthly_active_users",
        "value": value,
        "consequence": "license_required",
    }
    return {"thresholds": [item]}


def northwind_tags(text: str, value: int = 500_000_000) -> list[ClauseTag]:
    """Tag the clauses of a (possibly edited) Northwind text."""
    found = [
        tag(text, THRESHOLD, ClauseType.USAGE_THRESHOLD, **threshold(value)),
        tag(
            text,
            CREDIT,
            ClauseType.ATTRIBUTION,
            kind="display_notice",
            text="Powered by Northwind",
        ),
        tag(text, POLICY, ClauseType.AUP_INCORPORATION, policy="Northwind Use Rules"),
        tag(text, LAW, ClauseType.GOVERNING_LAW, jurisdiction="US-OR"),
    ]
    if CLAIMS in text:
        found.append(tag(text, CLAIMS, ClauseType.LITIGATION_TERMINATION))
    return found


def lumen_tags(text: str) -> list[ClauseTag]:
    """Tag the clauses of the Lumen text."""
    return [
        tag(
            text,
            "These terms let you",
            ClauseType.COMMERCIAL_RESTRICTION,
            scope="research_only",
        ),
        tag(
            text,
            "These terms are governed",
            ClauseType.GOVERNING_LAW,
            jurisdiction="GB-ENG",
        ),
    ]


def document(
    text: str, metadata: dict[str, Any] | None = None, media: MediaType = "text/plain"
) -> Document:
    """Build a Document with real line starts, as the parser would."""
    starts = (0, *(i + 1 for i, c in enumerate(text) if c == "\n"))
    return Document(
        id="test",
        text=text,
        media_type=media,
        source="test",
        metadata=metadata or {},
        line_starts=starts,
    )


def make_index(
    *, family: str = "northwind", version: str = "1", spdx: str | None = None
) -> LicenseIndex:
    """Index the two made-up licenses (Northwind under `family`/`version`)."""
    north = ReferenceMeta(
        "northwind.txt", family, version, "Northwind Model License", "license", spdx
    )
    lumen = ReferenceMeta("lumen.txt", "lumen", "1", "Lumen Research Terms", "license")
    return build_index(
        [
            make_entry(north, document(NORTHWIND), northwind_tags(NORTHWIND)),
            make_entry(lumen, document(LUMEN), lumen_tags(LUMEN)),
        ]
    )
