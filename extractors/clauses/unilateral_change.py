"""unilateral_change: the licensor may change the terms after acceptance.

"The licensor may revise this policy at any time": the param is what may
change, the agreement itself or a policy it incorporates (ANNOTATION.md).
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict, get_args

from extractors.clauses.spec import ClauseSpec
from extractors.labels import ClauseType

Target = Literal["agreement", "policy"]
"""What the licensor may change: the agreement itself, or a policy it binds."""
TARGETS: tuple[Target, ...] = get_args(Target)


class UnilateralChangeParams(TypedDict):
    """The params of a unilateral_change clause."""

    target: Target


def parse(text: str) -> UnilateralChangeParams:
    """Return whether the licensor may change the agreement or a policy."""
    policy = re.search(
        r"polic|aup|guidelines?\b|code of conduct|usage rules|use rules|"
        # the use document by other names: a standard, the list of barred uses
        r"conduct (?:standard|rules|code)|(?:prohibited|restricted|"
        r"forbidden)[- ]uses?\b|"
        r"use restrictions|use specification|use conditions|usage specification|"
        r"list of (?:prohibited|restricted|forbidden)|restricted-use list|"
        r"(?:content|safety|deployment|community) (?:rules|standards?|norms)|"
        r"catalogue of forbidden|"
        r"政策|规范|規範|准则|準則",
        text,
        re.I,
    )
    return {"target": "policy" if policy else "agreement"}


SPEC = ClauseSpec(
    ClauseType.UNILATERAL_CHANGE,
    label="Unilateral change",
    abbr="UC",
    parse=parse,
    param_names=("target",),
    key_field="target",
    model_bar=0.5,
)
