"""Short license texts in the team's own words, shared by the tests.

Each sentence states one clause type the engine must find. None is taken
from a real license: the corpus stays in ../shared/corpus.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence


def grant(vendor: str) -> str:
    """Return a plain grant: no clause."""
    return (
        f"{vendor} lets you use, copy, change and share the {vendor} Materials"
        " at no charge, anywhere in the world."
    )


def threshold(vendor: str, users: str = "700 million") -> str:
    """Return a monthly-active-user threshold (usage_threshold)."""
    return (
        f"Should the services you offer reach more than {users} monthly active"
        f" users in any calendar month, you must obtain a separate license from"
        f" {vendor} before you go on using the {vendor} Materials."
    )


def credit(vendor: str, notice: str = "Built with") -> str:
    """Return a display duty (attribution, display_notice)."""
    return (
        f"Anyone who passes on the {vendor} Materials, or a product built on"
        f' them, must show the words "{notice} {vendor}" clearly on the'
        " product's website or in its user interface."
    )


def use_policy(vendor: str) -> str:
    """Return a policy bound by reference (aup_incorporation)."""
    return (
        f"Your use of the {vendor} Materials must follow the {vendor} Acceptable"
        f" Use Policy (https://{vendor.lower()}.example/use-policy), which is"
        " incorporated by reference into this license."
    )


def eu_exclusion(vendor: str) -> str:
    """Return an EU exclusion (geographic_restriction)."""
    return (
        f"The license to the {vendor} Materials does not extend to people"
        " resident in, or companies established in, the European Union."
    )


def license_text(
    title: str,
    sections: Sequence[tuple[str, str]],
    *,
    wrap: int | None = None,
) -> str:
    """Return a titled license of numbered `(heading, sentence)` sections.

    With `wrap`, each section is hard-wrapped at that width (and sections are
    separated by a blank line), so that cited clauses run over several lines.
    """
    numbered = [
        f"{number}. {heading}. {sentence}"
        for number, (heading, sentence) in enumerate(sections, start=1)
    ]
    if wrap:
        return (
            f"{title}\n\n"
            + "\n\n".join(textwrap.fill(s, wrap) for s in numbered)
            + "\n"
        )
    return f"{title}\n\n" + "\n".join(numbered) + "\n"


def four_clause_license(
    vendor: str, *, users: str = "700 million", wrap: int | None = None
) -> str:
    """Return a license with the four core clause types, after a grant."""
    return license_text(
        f"{vendor} Open Weights License",
        [
            ("Grant", grant(vendor)),
            ("Large Deployments", threshold(vendor, users)),
            ("Credit", credit(vendor)),
            ("Use Rules", use_policy(vendor)),
            ("Territory", eu_exclusion(vendor)),
        ],
        wrap=wrap,
    )
