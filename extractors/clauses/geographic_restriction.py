"""geographic_restriction: places where the grant does not reach, or only reaches.

"The rights ... are not granted to any person domiciled in the European
Union": the params are the regions (ISO 3166 codes, plus EU and EEA) and
whether they are `excluded` or the `only` ones (ANNOTATION.md). A clause
that says "the Territory" takes the regions of its definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, TypedDict

from extractors.clauses.common import fold, named_in
from extractors.clauses.spec import ClauseSpec, DocumentContext, Params, TypeFloors
from extractors.labels import ClauseType
from extractors.pattern_data import load_regions

Mode = Literal["excluded", "only"]
REGION_CODE = r"^([A-Z]{2}|EU|EEA)$"
"""A region as `regions` holds it: an ISO 3166 alpha-2 code, or EU or EEA."""


class GeographicRestrictionParams(TypedDict):
    """The params of a geographic_restriction clause."""

    regions: list[str]
    mode: Mode


@cache
def _region_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    pairs = [
        (name, code)
        for code, names in load_regions().items()
        if "-" not in code
        for name in names
    ]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple((re.compile(_bounded(name), re.I), code) for name, code in pairs)


def _bounded(name: str) -> str:
    r"""Return a regex for `name` as a whole word; CJK text has no word breaks.

    `\\w` covers CJK ideographs, so word boundaries would never let 中国 match
    in 在中国境内: only an end that is a Latin letter or digit gets one.
    """
    head = r"(?<![\w.])" if re.match(r"[A-Za-z0-9]", name) else ""
    tail = r"(?![\w])" if re.search(r"[A-Za-z0-9.]$", name) else ""
    return head + re.escape(name) + tail


def regions_in(text: str) -> list[str]:
    """Return ISO codes (plus EU, EEA) of the places named in `text`, in order."""
    folded = fold(text)
    taken: list[tuple[int, int, str]] = []
    for pattern, code in _region_patterns():
        for match in pattern.finditer(folded):
            if any(s < match.end() and match.start() < e for s, e, _ in taken):
                continue
            taken.append((match.start(), match.end(), code))
    codes: list[str] = []
    for _, _, code in sorted(taken):
        if code not in codes:
            codes.append(code)
    return codes


_LAW_ORIGIN = re.compile(
    # "U.S. or local export restrictions", "EU sanctions": whose law, not a place barred
    r"\b(?:U\.S\.|US|USA|United States|EU|European Union|UK|United Kingdom)"
    r"(?:\s+(?:or|and)\s+(?:local|other|non-U\.S\.|applicable|foreign))?\s+"
    r"(?:export|import|sanctions?|trade|economic|government|governmental|laws?|"
    r"regulations?|"
    r"Treasury|Department|Commerce|embargo(?:ed|es)?|Bureau|Office)\b",
    re.I,
)
_EXCLUDED_MODE = re.compile(
    r"exclud|except|not apply|not (?:being )?granted|outside|not available|"
    r"not licensed|domiciled|principal place|not resident|not located|"
    r"not (?:a )?national|"
    r"not organi[sz]ed|embargo|sanction|export|not permitted|prohibited|"
    r"不适用|不適用|除外|不得|禁止",
    re.I,
)
_ONLY_MODE = re.compile(
    r"\b(?:only|exclusively|solely)(?:\s+[\w-]+){0,2}?\s+(?:in|within|inside|to|"
    r"from)\b|"
    r"\b(?:in|within|for)\s+the\s+territory\s+only\b|\blimited to\b|"
    r"仅限|僅限|只能在|仅在|僅在|仅可在|僅可在|僅得於|仅得于|只可在",
    re.I,
)
_CONFINED = re.compile(
    # the grant confined to the places named, whatever it says of the rest:
    # "Canada only.", "and nowhere else", "for no other country", "use
    # anywhere else is unlicensed", "must take place within the EEA"
    r"\bonly\s*(?:[.;:,)]|$)|\bonly (?:for|with)\b|nowhere else|no other countr|"
    r"no farther than|"
    r"nothing beyond|limited territorially|(?:anywhere|everywhere) else|elsewhere|"
    r"(?:must|shall|will|may) (?:only )?(?:take place|occur|be carried out)"
    r" (?:only )?(?:within|inside|in)\b|"
    r"\b(?:within|inside) [^.;]{1,40}? exclusively\b|licensed territory|"
    r"(?:地域|区域|區域)以外",
    re.I,
)
_SUPPORTED_PLACES = re.compile(
    r"(?:supported|available|approved|authori[sz]ed|permitted|eligible|designated|"
    r"enabled)\s+"
    r"(?:regions?|geograph(?:y|ies)|countr(?:y|ies)|territor(?:y|ies)|locations?|"
    r"jurisdictions?|markets?)|"
    r"(?:regions?|geograph(?:y|ies)|countr(?:y|ies)|territor(?:y|ies)|locations?|"
    r"jurisdictions?|markets?)"
    r"\s+(?:currently\s+)?(?:supported|served|listed|approved|designated)\s+by|"
    r"unsupported\s+(?:regions?|geograph|countr|territor|locations?|jurisdictions?|"
    r"markets?)|"
    r"支持的(?:国家|國家|地区|地區)",
    re.I,
)


def parse(text: str) -> GeographicRestrictionParams:
    """Return the regions named and whether they are excluded or the only ones.

    A place that only says whose law applies (`U.S. export restrictions`) is
    not a region of the clause. Use limited to where the licensor's service is
    supported names no region and is `only`.
    """
    folded = fold(text)
    regions = regions_in(_LAW_ORIGIN.sub(" ", folded))
    if not regions and _SUPPORTED_PLACES.search(folded):
        return {"regions": [], "mode": "only"}
    excluded = _EXCLUDED_MODE.search(folded)
    only = _ONLY_MODE.search(folded)
    confined = _CONFINED.search(folded)
    mode: Mode = "only" if confined or (only and not excluded) else "excluded"
    return {"regions": regions, "mode": mode}


def ground(
    text: str, proposal: Mapping[str, Any], params: Params
) -> tuple[Params | None, str]:
    """Keep a model's regions only when each is named in the clause."""
    codes = proposal.get("regions")
    if not isinstance(codes, list) or not codes:
        return None, "no regions proposed"
    if not all(isinstance(c, str) and named_in(c, text) for c in codes):
        return None, f"regions {codes!r} are not all named in the clause"
    return {**params, "regions": list(codes)}, f"regions {', '.join(codes)}"


_TERRITORY_DEFINITION = re.compile(
    r"[“\"]Territor(?:y|ies)[”\"]\s+(?:shall\s+)?(?:means?|refers? to)", re.I
)
_TERRITORY_REF = re.compile(r"\bTerritor(?:y|ies)\b|\bTERRITORY\b")


def resolve(params: Params, quote: str, context: DocumentContext) -> Params:
    """Give a clause about "the Territory" the regions of its definition."""
    territory = context.once(_territory)
    if territory and not params.get("regions") and _TERRITORY_REF.search(quote):
        params.update(territory)
    return params


def _territory(context: DocumentContext) -> dict[str, Any] | None:
    """Return the regions and mode of the document's defined Territory."""
    text = context.text
    for tag in context.tags:
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


SPEC = ClauseSpec(
    ClauseType.GEOGRAPHIC_RESTRICTION,
    label="Geographic restriction",
    abbr="GR",
    parse=parse,
    param_names=("regions", "mode"),
    key_field="regions",
    ground=ground,
    question=(
        'Give {"regions": [ISO 3166 codes, or "EU" or "EEA", of the places the'
        " clause restricts]}."
    ),
    resolve=resolve,
    model_bar=0.5,
    floors=TypeFloors(f1=0.93, doc_recall=0.8),
)
