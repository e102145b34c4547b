"""governing_law: whose law governs the terms, and whose courts hear disputes.

"This Agreement will be governed by the laws of the State of California":
the param is the jurisdiction, an ISO 3166 code, subdivision first
(ANNOTATION.md). A forum sentence that names no law takes the document's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypedDict

from extractors.clauses.common import fold, named_in
from extractors.clauses.spec import ClauseSpec, DocumentContext, Params
from extractors.labels import ClauseType

JURISDICTION_CODE = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"
"""A jurisdiction as ANNOTATION.md writes it: ISO 3166-1, or 3166-2 (US-CA)."""


class GoverningLawParams(TypedDict, total=False):
    """The params of a governing_law clause; None: the licensee's own law."""

    jurisdiction: str | None


_US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR",
    "connecticut": "CT", "state of georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY",
    "louisiana": "LA", "maine": "ME", "maryland": "MD", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new mexico": "NM",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "utah": "UT", "vermont": "VT",
    "west virginia": "WV", "virginia": "VA", "wisconsin": "WI", "wyoming": "WY",
}  # fmt: skip
_MORE_JURISDICTIONS: tuple[tuple[str, str], ...] = (
    (r"\bscots\b|edinburgh|glasgow", "GB-SCT"),
    *((rf"\b{name}\b", f"US-{code}") for name, code in _US_STATES.items()),
    (r"\balberta\b|calgary|edmonton", "CA-AB"),
    (r"\bvictoria\b|melbourne", "AU-VIC"),
    (r"queensland|brisbane", "AU-QLD"),
    (r"israel|tel aviv|jerusalem", "IL"),
    (r"sweden|swedish|stockholm|\bscc\b", "SE"),
    (r"austria|vienna|wien", "AT"),
    (r"finland|finnish|helsinki", "FI"),
    (r"belgi(?:um|an)|brussels", "BE"),
    (r"norw(?:ay|egian)|\boslo\b", "NO"),
    (r"denmark|danish|copenhagen", "DK"),
    (r"ital(?:y|ian)|\bmilan\b|\brome\b", "IT"),
    (r"poland|polish|warsaw", "PL"),
    (r"spain|spanish|madrid|barcelona", "ES"),
    (r"portug(?:al|uese)|lisbon", "PT"),
    (r"brazil|s[aã]o paulo|rio de janeiro", "BR"),
    (r"mexic(?:o|an)", "MX"),
    (r"taiwan|taipei|台湾|台灣|臺灣|台北|臺北|中華民國|中华民国", "TW"),
    (r"dubai|abu dhabi|united arab emirates|\buae\b", "AE"),
    (r"luxembourg", "LU"),
    (r"new zealand|auckland|wellington", "NZ"),
    (r"american arbitration association|\bjams\b", "US"),
    (r"\bsiac\b", "SG"),
    (r"\bhkiac\b", "HK"),
    (r"\blcia\b", "GB"),
    (r"\bcietac\b", "CN"),
)
_JURISDICTIONS: tuple[tuple[str, str], ...] = (
    (r"hong kong|香港", "HK"),
    (r"macau|macao|澳门|澳門", "MO"),
    (r"california|santa clara|san mateo|san francisco", "US-CA"),
    (r"delaware", "US-DE"),
    (r"new york", "US-NY"),
    (r"washington state|state of washington|king county|seattle|redmond", "US-WA"),
    (r"illinois|chicago", "US-IL"),
    (r"colorado|denver", "US-CO"),
    (r"florida|miami", "US-FL"),
    (r"new jersey", "US-NJ"),
    (r"pennsylvania|philadelphia|pittsburgh", "US-PA"),
    (r"district of columbia", "US-DC"),
    (r"texas", "US-TX"),
    (r"massachusetts", "US-MA"),
    (r"ontario|toronto", "CA-ON"),
    (r"quebec|québec|montreal|montréal", "CA-QC"),
    (r"british columbia|vancouver", "CA-BC"),
    (r"new south wales|sydney", "AU-NSW"),
    (r"scotland|scottish", "GB-SCT"),
    (r"england and wales|english law|laws of england", "GB-ENG"),
    (r"singapore|新加坡", "SG"),
    (
        r"china|\bprc\b|people['’]s republic|people['’]s courts?|"
        r"beijing|hangzhou|shanghai|"
        r"shenzhen|haidian|中华人民共和国|中華人民共和國|中国|中國|北京|杭州|人民法院|"
        r"上海|深圳|广东|廣東",
        "CN",
    ),  # fmt: skip
    (r"switzerland|swiss|zurich|zürich|geneva", "CH"),
    (r"germany|german|munich|berlin|frankfurt", "DE"),
    (r"france|french|paris", "FR"),
    (r"japan|tokyo|日本|東京|东京", "JP"),
    (r"korea|seoul|대한민국|한국|서울|韩国|韓國", "KR"),
    (r"ireland|irish|dublin", "IE"),
    (r"netherlands|dutch|amsterdam", "NL"),
    (r"india|indian", "IN"),
    (r"canada|canadian", "CA"),
    (r"australia", "AU"),
    (r"united kingdom|london", "GB"),
    (r"united states|\bu\.s\.|\busa\b", "US"),
    # places first read after the ones above (a text naming none of them)
    *_MORE_JURISDICTIONS,
)


_CARVE_OUT = re.compile(
    r"(?:excluding|not including|other than|不包括|不含)[^.;)）]*", re.I
)


_ORGANISED_UNDER = re.compile(
    r"(?:organi[sz]ed|incorporated|existing|formed|registered|established)"
    r"(?: and existing)? under the laws? of[^,;.]*",
    re.I,
)
_LICENSEE_LAW = re.compile(
    r"laws? of (?:your|the licensee['’]s|licensee['’]s|the user['’]s)"
    r"(?: \w+){0,3}? (?:state|country|jurisdiction|province|residence|domicile)|"
    r"where (?:you|the licensee) (?:reside|resides|live|lives|are located|is located)|"
    r"您所在(?:的)?(?:国家|國家|地区|地區)",
    re.I,
)
_ARBITRATION_LAWS: tuple[tuple[str, str], ...] = (
    (r"federal arbitration act|\bFAA\b", "US"),
    (r"arbitration act 1996|english arbitration act", "GB-ENG"),
    (r"arbitration ordinance", "HK"),
)


def parse(text: str) -> GoverningLawParams:
    """Return the jurisdiction named, subdivision first (`US-CA` before `US`).

    Places in a carve-out (`the PRC, excluding Hong Kong`) and where a party
    is organised (`a company organised under the laws of Delaware`) are not
    the law. A law that depends on where the licensee is has no fixed
    jurisdiction (None), unless a fixed law such as a federal arbitration
    act is named beside it (ANNOTATION.md).
    """
    folded = _ORGANISED_UNDER.sub(" ", _CARVE_OUT.sub(" ", fold(text)))
    fixed_act = next(
        (
            code
            for pattern, code in _ARBITRATION_LAWS
            if re.search(pattern, folded, re.I)
        ),
        None,
    )
    if _LICENSEE_LAW.search(folded):
        return {"jurisdiction": fixed_act}
    for pattern, code in _JURISDICTIONS:
        if re.search(pattern, folded, re.I):
            return {"jurisdiction": code}
    if fixed_act:
        return {"jurisdiction": fixed_act}
    return {}


def ground(
    text: str, proposal: Mapping[str, Any], params: Params
) -> tuple[Params | None, str]:
    """Keep a model's jurisdiction only when it is named in the clause."""
    code = proposal.get("jurisdiction")
    if not isinstance(code, str) or not named_in(code, text):
        return None, f"jurisdiction {code!r} is not named in the clause"
    return {**params, "jurisdiction": code}, f"jurisdiction {code}"


def resolve(params: Params, quote: str, context: DocumentContext) -> Params:
    """Give a clause that names no law (`the courts ...`) the document's law."""
    del quote  # a forum sentence is resolved by what it lacks, not by its words
    law = context.once(_stated_law)
    if law and not params:
        params["jurisdiction"] = law
    return params


def _stated_law(context: DocumentContext) -> Any:
    """Return the jurisdiction of the document's first clause that reads one."""
    return next(
        (
            t.params["jurisdiction"]
            for t in context.tags
            if t.clause_type is ClauseType.GOVERNING_LAW and "jurisdiction" in t.params
        ),
        None,
    )


SPEC = ClauseSpec(
    ClauseType.GOVERNING_LAW,
    label="Governing law",
    abbr="GL",
    parse=parse,
    param_names=("jurisdiction",),
    key_field="jurisdiction",
    ground=ground,
    question=(
        'Give {"jurisdiction": the place whose law governs, as an ISO 3166 code'
        ' such as "US-CA", "GB", "SG", "CN"}.'
    ),
    resolve=resolve,
    model_bar=0.5,
)
