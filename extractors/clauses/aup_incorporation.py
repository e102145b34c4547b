"""aup_incorporation: a use policy made part of the terms by reference.

"You agree to the Acceptable Use Policy (https://...), which may be updated
from time to time": the params are the policy's name, its URL and whether the
licensor may change it (ANNOTATION.md). A short name (`the AUP`) takes the
full name and URL from its definition elsewhere in the document.
"""

from __future__ import annotations

import re
from typing import Any, NotRequired, TypedDict

from extractors.clauses.common import fold
from extractors.clauses.spec import ClauseSpec, DocumentContext, Params, TypeFloors
from extractors.labels import ClauseType


class AupIncorporationParams(TypedDict):
    """The params of an aup_incorporation clause."""

    updatable: bool
    policy: NotRequired[str]
    url: NotRequired[str]


_POLICY = re.compile(
    r"(?P<prefix>(?:(?:[A-Z][\w.-]*|of|and|for)\s+){0,5}?)"
    r"(?P<core>Acceptable Use Policy|Prohibited Uses? Policy|Responsible Use Policy|"
    r"Usage Polic(?:y|ies)|Use Policy|Attachment [A-Z]|Trustworthy AI\s+terms|"
    r"acceptable use policy|AUP|可接受使用政策)"
    r"(?P<suffix>\s+for\s+the\s+(?:[A-Z][\w-]*\s?){1,4})?"
)
_GENERIC_POLICY = re.compile(
    r"(?P<prefix>(?:(?:[A-Z][\w.&-]*|of|and|for|&)\s+){0,4}?)"
    r"(?P<core>(?:[A-Z][\w-]*\s+){1,3}(?:Policy|Policies|Guidelines|Code of Conduct))\b"
    r"(?P<suffix>)"
)
_DOC_HEADS = (
    r"Standards?|Rules|Norms|Code|Principles|Charter|Framework|Addendum|Commitments|"
    r"Guardrails|Register|Specification|Schedule|Conditions|Restrictions|Prohibitions|"
    r"Terms|Statement|List|Limitations|Guide|Appendix|Annex"
)
_NAMED_DOCUMENT = re.compile(
    # a use document named otherwise: "the Saffron Safe Use Addendum", "the
    # Halloway Rules of Conduct", "the Charter of Ethical Use", "Attachment B",
    # a quoted title; tried only when no policy-like name is found
    r"(?P<prefix>)(?P<core>[\"“'‘](?:[A-Z][\w&'’-]*(?: |\b)){1,6}[\"”'’]|"
    r"(?:(?!(?:The|These|This|Our|Any|Its|Your|All|Each)\b)[A-Z][\w&'’-]* ){1,5}"
    r"(?:" + _DOC_HEADS + r")\b(?: (?:of|for|on) (?:[A-Z][\w&'’-]*(?: |\b)){1,4})?|"
    r"\b(?:" + _DOC_HEADS + r"|Polic(?:y|ies)|Guidelines) (?:of|for|on) "
    r"(?:[A-Z][\w&'’-]*(?: |\b)){1,4}|"
    r"\b(?:Attachment|Exhibit|Annex|Appendix|Schedule) (?:[A-Z]|\d+)\b)(?P<suffix>)"
)
_CJK_POLICY = re.compile(
    r"《(?P<core>[^》]{0,30}(?:政策|规范|規範|准则|準則|守则|守則|规则|規則|服务协议|服務協議|"
    r"用户协议|用戶協議|服务条款|服務條款))》(?P<prefix>)(?P<suffix>)"
)
_URL = re.compile(
    r"https?://[^\s)\]>\"”’,]+|\b(?:[A-Za-z0-9-]+\.)+(?:com|ai|dev|org|net|io|ae|cn)"
    r"(?:/[^\s)\]>\"”’,;]*)?"
)
_UPDATABLE = re.compile(
    r"(?:as )?(?:may be |is )?(?:updated|amended|modified|revised) from time to time|"
    r"\b(?:may|can|will|shall|reserves? the right to) (?:\w+ )?"
    r"(?:update|amend|modify|revise|change)s?\b(?:[^.;]*?)"
    r"(?:from time to time|at any time|periodically|without notice)|"
    r"latest version|不時|不时",
    re.I,
)


def find_url(text: str) -> str | None:
    """Return the first URL or bare domain path in `text`, trailing dots cut."""
    match = _URL.search(text)
    return match.group(0).rstrip(".").replace("\\_", "_") if match else None


def parse(text: str) -> AupIncorporationParams:
    """Return the incorporated policy's name, URL and whether it may change."""
    folded = fold(text)
    params: AupIncorporationParams = {"updatable": bool(_UPDATABLE.search(folded))}
    match = (
        _CJK_POLICY.search(folded)
        or _POLICY.search(folded)
        or _GENERIC_POLICY.search(folded)
        or _NAMED_DOCUMENT.search(folded)
    )
    if match:
        prefix = " ".join(
            w for w in match.group("prefix").split() if not w.endswith(("'s", "’s"))
        )
        name = f"{prefix} {match.group('core')}".strip()
        name = re.sub(
            r"^(?:(?:the|your|our|its|their|of|and|or|for)\s+)+",
            "",
            name,
            flags=re.IGNORECASE,
        )
        name = (name + (match.group("suffix") or "").rstrip()).strip()
        params["policy"] = name.strip("\"“”'‘’ ")
        # the policy's own link follows its name; an earlier link is another document's
        url = find_url(folded[match.end() :])
    else:
        url = find_url(folded)
    if url:
        params["url"] = url
    return params


def resolve(params: Params, quote: str, context: DocumentContext) -> Params:
    """Complete the policy from its definition; updatable if the document says so."""
    del quote  # the policy is named in params; its definition is found by name
    return _resolve_policy(
        context.once(_definitions), params, context.once(_policy_may_change)
    )


def _policy_may_change(context: DocumentContext) -> bool:
    """Return True when the document lets the licensor change a policy."""
    return any(
        t.clause_type is ClauseType.UNILATERAL_CHANGE
        and t.params.get("target") == "policy"
        for t in context.tags
    )


def _definitions(context: DocumentContext) -> _Definitions:
    return _Definitions(context.text)


def _resolve_policy(
    definitions: _Definitions, params: dict[str, Any], updatable: bool
) -> dict[str, Any]:
    """Take a policy's full name and URL from its definition when it has one."""
    name = str(params.get("policy", ""))
    definition = definitions.policy(name) if name else None
    if definition:
        defined = parse(definition)
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


SPEC = ClauseSpec(
    ClauseType.AUP_INCORPORATION,
    label="Use policy by reference",
    abbr="UP",
    parse=parse,
    param_names=("policy", "url", "updatable"),
    key_field="policy",
    resolve=resolve,
    # use policies' own prohibition lists are what the models mistake for it
    model_bar=0.8,
    floors=TypeFloors(f1=0.91),
)
