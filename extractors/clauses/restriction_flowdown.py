"""restriction_flowdown: use restrictions a licensee must pass on downstream.

"Anyone you give the model to must be bound by the same use restrictions":
ANNOTATION.md defines no params for it.
"""

from __future__ import annotations

from extractors.clauses.common import no_params
from extractors.clauses.spec import ClauseSpec
from extractors.labels import ClauseType

SPEC = ClauseSpec(
    ClauseType.RESTRICTION_FLOWDOWN,
    label="Restriction flow-down",
    abbr="RF",
    parse=no_params,
    model_bar=0.5,
)
