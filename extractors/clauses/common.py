"""Helpers that more than one clause module needs: folding text, naming places.

`fold` is how every parser reads a clause (markdown emphasis dropped, white
space collapsed); `no_params` is the parser of a type without params;
`named_in` is how a model-proposed region or jurisdiction
is grounded (`extractors.param_fallback`): the place must be named in the
clause's own words.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TypedDict

from extractors.pattern_data import load_regions


def fold(text: str) -> str:
    """Return `text` without `*` emphasis, its white space collapsed to spaces."""
    return " ".join(text.replace("*", "").split())


class NoParams(TypedDict):
    """The params of a clause type that ANNOTATION.md gives none."""


def no_params(text: str) -> NoParams:  # noqa: ARG001
    """Return the empty parameters of a clause type that defines none."""
    return {}


def named_in(code: str, text: str) -> bool:
    """Return True when a name of region `code` appears in `text` as a phrase.

    A US state also counts by its bare name ("Washington" for `US-WA`).
    """
    names = _names().get(code)
    if not names:
        return False
    folded = " ".join(text.lower().split())
    return any(
        re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", folded) for name in names
    )


@cache
def _names() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for code, names in load_regions().items():
        bare = {
            name.removeprefix("state of ").removesuffix(" state")
            for name in names
            if code.startswith("US-")
        }
        found[code] = tuple({*names, *bare})
    return found
