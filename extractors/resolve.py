"""Document-level resolution: fill parameters that a clause states by reference.

A clause often points elsewhere in the same document: `exclusively in the
Territory` means whatever the definition of "Territory" excludes; `the AUP`
is named in full, with its URL, where it is defined; `the courts where the
Licensor is located` follow the governing-law sentence; a policy is
`updatable` when the document lets the licensor change it. This stage reads
the tagged clauses of one document and returns them with those values set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from extractors.labels import ClauseType
from extractors.params import aup_incorporation, find_url, regions_in
from extractors.types import ClauseTag, Document

_TERRITORY_DEFINITION = re.compile(
    r"[“\"]Territor(?:y|ies)[”\"]\s+(?:shall\s+)?(?:means?|refers? to)", re.I
)
_TERRITORY_REF = re.compile(r"\bTerritor(?:y|ies)\b|\bTERRITORY\b")


def resolve(document: Document, tags: Sequence[ClauseTag]) -> list[ClauseTag]:
    """Return `tags` with parameters resolved against the whole document."""
    text = document.text
    territory = _territory(text, tags)
    policy_updatable = any(
        t.clause_type is ClauseType.UNILATERAL_CHANGE
        and t.params.get("target") == "policy"
        for t in tags
    )
    law = next(
        (
            t.params["jurisdiction"]
            for t in tags
            if t.clause_type is ClauseType.GOVERNING_LAW and "jurisdiction" in t.params
        ),
        None,
    )
    definitions = _Definitions(text)
    resolved: list[ClauseTag] = []
    for tag in tags:
        params = dict(tag.params)
        quote = text[tag.span.start : tag.span.end]
        if tag.clause_type is ClauseType.GEOGRAPHIC_RESTRICTION and territory:
            if not params.get("regions") and _TERRITORY_REF.search(quote):
                params.update(territory)
        elif tag.clause_type is ClauseType.AUP_INCORPORATION:
            params = _resolve_policy(definitions, params, policy_updatable)
        elif tag.clause_type is ClauseType.GOVERNING_LAW and law and not params:
            params["jurisdiction"] = law
        resolved.append(replace(tag, params=params))
    return resolved


def _territory(text: str, tags: Sequence[ClauseTag]) -> dict[str, Any] | None:
    """Return the regions and mode of the document's defined Territory."""
    for tag in tags:
        quote = text[tag.span.start : tag.span.end]
        if tag.clause_type is ClauseType.GEOGRAPHIC_RESTRICTION and (
            _TERRITORY_DEFINITION.search(quote) and tag.params.get("regions")
        ):
            return {"regions": list(tag.params["regions"]), "mode": tag.params["mode"]}
    match = _TERRITORY_DEFINITION.search(text)
    if match:
        sentence_end = text.find(".", match.end())
        regions = regions_in(
            text[match.end() : sentence_end if sentence_end > 0 else None]
        )
        if regions:
            return {"regions": regions, "mode": "excluded"}
    return None


def _resolve_policy(
    definitions: _Definitions, params: dict[str, Any], updatable: bool
) -> dict[str, Any]:
    """Take a policy's full name and URL from its definition when it has one."""
    name = str(params.get("policy", ""))
    definition = definitions.policy(name) if name else None
    if definition:
        defined = aup_incorporation(definition)
        if re.fullmatch(r"[A-Z]{2,5}", name) and "policy" in defined:
            params["policy"] = defined["policy"]
        if "url" not in params and "url" in defined:
            params["url"] = defined["url"]
        updatable = updatable or bool(defined.get("updatable"))
    params["updatable"] = bool(params.get("updatable")) or updatable
    return params


_DEFINITION = re.compile(
    r"[“\"]([^“”\"\n]+)[”\"]\s+(?=(?:shall\s+)?(?:means?|refers? to)([^\n]*))", re.I
)
"""`"AUP" means ...`: the defined name, and the rest of its line (not consumed,
so a second definition on the same line is found too)."""


class _Definitions:
    """The document's `"X" means ...` sentences, found in one pass when first needed.

    Looking each policy name up with its own search of the whole text cost
    clauses x characters, which a long document (many clauses) made quadratic.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: dict[str, str] | None = None

    def policy(self, name: str) -> str | None:
        """Return the text defining policy `name`, if it names a URL or a policy."""
        if self._found is None:
            self._found = {}
            for match in _DEFINITION.finditer(self._text):
                self._found.setdefault(match.group(1).lower(), match.group(2))
        sentence = self._found.get(name.lower())
        if sentence is None:
            return None
        url = find_url(sentence)
        return sentence if url or "polic" in sentence.lower() else None
