"""Turn a reviewer's request into the clause it leaves behind, or refuse it.

Everything is checked against the document's stored text before anything
is written: a span outside the text, a quote that is not at its offsets, an
unknown clause or type, parameters the type's schema refuses. A refusal is
a `ProblemError` (422, or 409 for a decision on a scan the review did not
start from), so nothing half-valid reaches the log.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from extractors.labels import ClauseType
from service.problems import ProblemError
from service.reviews.params import ParamsError, validate_params
from service.reviews.state import (
    DOCUMENT_ACTIONS,
    Action,
    ClauseStatus,
    Origin,
    ReviewClause,
)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the reviewer asked for; which members count depends on `action`."""

    action: Action
    scan_id: uuid.UUID | None = None
    clause: str | None = None
    type: ClauseType | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    params: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A clause before and after one decision (`before` None: added)."""

    key: str | None
    before: ReviewClause | None
    after: ReviewClause | None


def invalid(detail: str) -> ProblemError:
    """Return the 422 problem every refused decision raises."""
    return ProblemError(422, detail, slug="invalid-review", title="Invalid review")


Find = Callable[[str], ReviewClause | None]
"""Returns the reviewer's current state of the clause with a key, if any."""


def change_for(find: Find, decision: Decision, text: str) -> Change:
    """Return the change `decision` makes; raise 422 if it cannot be made."""
    if decision.action in DOCUMENT_ACTIONS:
        return Change(None, None, None)
    if decision.action is Action.ADD:
        return Change(None, None, _added(decision, text))
    clause = _target(find, decision)
    return Change(clause.key, clause, _edited(clause, decision, text))


def _target(find: Find, decision: Decision) -> ReviewClause:
    if not decision.clause:
        raise invalid(f"'{decision.action.value}' needs the key of a clause")
    clause = find(decision.clause)
    if clause is None:
        raise invalid(f"this review has no clause '{decision.clause}'")
    return clause


def _edited(clause: ReviewClause, decision: Decision, text: str) -> ReviewClause:
    accepted = replace(clause, status=ClauseStatus.ACCEPTED)
    match decision.action:
        case Action.ACCEPT:
            return accepted
        case Action.REJECT:
            return replace(clause, status=ClauseStatus.REJECTED)
        case Action.RETYPE:
            ctype = _required_type(decision)
            if ctype is clause.type:
                raise invalid(f"the clause already is {ctype.value}")
            params = decision.params if decision.params is not None else {}
            return replace(accepted, type=ctype, params=_params(ctype, params))
        case Action.MOVE:
            start, end, quote = _span(decision, text)
            return replace(accepted, start=start, end=end, quote=quote)
        case Action.PARAMS:
            if decision.params is None:
                raise invalid("'params' needs the new parameters")
            return replace(accepted, params=_params(clause.type, decision.params))
    raise invalid(f"'{decision.action.value}' is not a clause action")


def _added(decision: Decision, text: str) -> ReviewClause:
    ctype = _required_type(decision)
    start, end, quote = _span(decision, text)
    params = decision.params if decision.params is not None else {}
    return ReviewClause(
        key=f"a{secrets.token_hex(6)}",
        type=ctype,
        start=start,
        end=end,
        quote=quote,
        params=_params(ctype, params),
        status=ClauseStatus.ACCEPTED,
        origin=Origin.ADDED,
    )


def _required_type(decision: Decision) -> ClauseType:
    if decision.type is None:
        raise invalid(f"'{decision.action.value}' needs a clause type")
    return decision.type


def _params(ctype: ClauseType, params: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return validate_params(ctype, params)
    except ParamsError as exc:
        raise invalid(str(exc)) from exc


def _span(decision: Decision, text: str) -> tuple[int, int, str]:
    """Check the offsets against the stored text; the quote, if sent, too."""
    start, end = decision.start, decision.end
    if start is None or end is None:
        raise invalid(f"'{decision.action.value}' needs start and end offsets")
    if not 0 <= start < end <= len(text):
        raise invalid(
            f"the span [{start}, {end}) is outside the text (0 to {len(text)})"
        )
    quote = text[start:end]
    if not quote.strip():
        raise invalid(f"the span [{start}, {end}) holds only white space")
    if decision.quote is not None and decision.quote != quote:
        raise invalid(
            f"the quote does not match the text at [{start}, {end}):"
            f" the text there is {quote[:80]!r}"
        )
    return start, end, quote
