"""commercial_restriction: commercial use barred, limited or on permission.

"For non-commercial research use only", "you may not host the model as a
service", "contact us for a commercial license": the param is the scope(s)
of the restriction (ANNOTATION.md); one scope is a string, several a list.
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict, get_args

from extractors.clauses.common import fold
from extractors.clauses.spec import ClauseSpec
from extractors.labels import ClauseType

Scope = Literal[
    "non_commercial", "research_only", "permission_required", "hosting_prohibited"
]
"""The scopes of a commercial restriction (ANNOTATION.md), the vocabulary of `scope`."""
SCOPES: tuple[Scope, ...] = get_args(Scope)


class CommercialRestrictionParams(TypedDict):
    """The params of a commercial_restriction clause."""

    scope: Scope | list[Scope]


_HOSTING = re.compile(
    r"\bhost(?:s|ed|ing)?\b|as a service|managed service|remote access|"
    r"via (?:your|an) apis?|"
    r"cloud service|software service|generation services?|services? that generates?|"
    r"websites?/apps?|websites? or apps?|endpoint|online services?|"
    r"software[- ]as[- ]a[- ]service|\bSaaS\b|(?:hosted|managed) basis|over a network|"
    r"white-label|platform for outside|for third parties to query|"
    r"disposal of third parties|"
    r"托管|託管|云服务|雲服務|生成服务|生成服務|生成サービス|クラウドサービス|"
    r"API ?服[务務]|作[为為]服[务務]|[对對]外提供服[务務]", re.I
)  # fmt: skip
_RESEARCH_ONLY = re.compile(
    r"research (?:purposes |use )?only|"
    r"solely for (?:your )?(?:non-?commercial )?research|"
    r"non-?commercial research|academic research purposes only|restricted for academic|"
    r"research or evaluation purposes only|for research purposes|research uses?\b|"
    r"only for (?:academic |scientific )?research|research[- ]only|"
    r"\bscholarly|\bteaching and research|academic (?:work|publication)|"
    r"scientific (?:investigation|experiments?)|benchmarking and|"
    r"experimentation and study|"
    r"study and experimentation|internal research|non-?profit research|"
    r"(?:research|evaluation) and (?:research|evaluation)(?: purposes)? only|"
    r"非商业研究|学术研究|研究目的|研究用途|研究のみ", re.I
)  # fmt: skip
_NON_COMMERCIAL = re.compile(
    r"non-?commercial|non-?production|not for commercial|商业|商業|商用|commercial|"
    r"\bsell|\bresell|\bmonetis|\bmonetiz|for[- ]profit|販売|出售|售卖|"
    r"\bpaid\b|\bprofit|\bincome\b|\bgainful|for money|\brevenue|\bbusiness|"
    r"\bcompany\b|"
    r"for sale|\bsold\b|\bcharge for|advertising|financial (?:benefit|gain)|"
    r"in exchange for payment", re.I
)  # fmt: skip
_PERMISSION = re.compile(
    r"request a licen[cs]e|register|registration|fill out|apply|application|contact|"
    r"authori[sz]ation|permission|consent|approv|in writing|written (?:agreement|"
    r"licen[cs]e)|"
    r"登记|登記|申请|申請|授权|問卷|问卷", re.I
)  # fmt: skip
_PROHIBITS = re.compile(
    r"\bnot\b|\bno\b|n't\b|never|prohibit|only|solely|exclud|\bnothing\b|outside|"
    r"barred|"
    r"off limits|forbid|不得|仅|僅|禁|勿|不可|"
    r"[🚫❌⛔✖✗✘]", re.I
)  # fmt: skip


_SELLING = re.compile(r"\bsell|\bresell|\bmonetis|\bmonetiz|販売|出售|售卖", re.I)
"""Selling named as the restricted act: a ban on it, even when the ban's mark
or verb stands elsewhere (a translated line under a 🚫), bars commercial use
rather than asking for permission (no permission word is named)."""

_ASK = re.compile(
    r"request a licen[cs]e|register|registration|fill out|fill in|apply|application|"
    r"contact|reach out|get in touch|sign up|subscription|"
    r"登记|登記|申请|申請|问卷|問卷|联系|聯繫|聯絡|联络|填写|填寫|"
    r"授权后|授權後|许可后", re.I
)  # fmt: skip
_NON_COMMERCIAL_SCOPE = re.compile(
    r"non-?commercial|non-?production|other than (?:for )?(?:commercial|production)|"
    r"personal (?:use|purposes?)|without any purpose of profit|"
    r"非商业|非商業|非商用|非営利|"
    r"个人(?:使用|用途)|個人(?:使用|用途|利用)", re.I
)  # fmt: skip
_COMMERCIAL_WORD = re.compile(
    r"(?<!non-)(?<!non)(?<!non )commercial|(?<!non-)(?<!non)production|"
    r"商业|商用|商業", re.I
)  # fmt: skip


def parse(text: str) -> CommercialRestrictionParams:
    """Return the scope(s) of the commercial restriction."""
    scopes: list[Scope] = []
    text = fold(text)
    commercial = _COMMERCIAL_WORD.search(text)
    if _HOSTING.search(text):
        if commercial and _PERMISSION.search(text):
            scopes.append("permission_required")
        scopes.append("hosting_prohibited")
    elif commercial and _ASK.search(text):
        scopes.append("permission_required")
    elif _RESEARCH_ONLY.search(text):
        scopes.append("research_only")
    elif _NON_COMMERCIAL_SCOPE.search(text) or (
        (_PROHIBITS.search(text) or _SELLING.search(text))
        and _NON_COMMERCIAL.search(text)
        and not _PERMISSION.search(text)
    ):
        scopes.append("non_commercial")
    else:
        scopes.append("permission_required")
    return {"scope": scopes[0] if len(scopes) == 1 else scopes}


SPEC = ClauseSpec(
    ClauseType.COMMERCIAL_RESTRICTION,
    label="Commercial restriction",
    abbr="CR",
    parse=parse,
    param_names=("scope",),
    key_field="scope",
    # use policies' own prohibition lists are what the models mistake for it
    model_bar=0.7,
)
