"""output_restriction: limits on what may be done with the model's outputs.

"You may not use the outputs of Kestrel to train a competing model":
ANNOTATION.md defines no params for it.
"""

from __future__ import annotations

from extractors.clauses.common import no_params
from extractors.clauses.spec import ClauseSpec
from extractors.labels import ClauseType

SPEC = ClauseSpec(
    ClauseType.OUTPUT_RESTRICTION,
    label="Output restriction",
    abbr="OR",
    parse=no_params,
    model_bar=0.6,
)
