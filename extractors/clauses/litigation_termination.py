"""litigation_termination: the license ends if the licensee sues the licensor.

"Should you sue the licensor claiming that Kestrel infringes your patents,
your license ends on the day the claim is filed": ANNOTATION.md defines no
params for it.
"""

from __future__ import annotations

from extractors.clauses.common import no_params
from extractors.clauses.spec import ClauseSpec
from extractors.labels import ClauseType

SPEC = ClauseSpec(
    ClauseType.LITIGATION_TERMINATION,
    label="Litigation termination",
    abbr="LT",
    parse=no_params,
    model_bar=0.5,
)
