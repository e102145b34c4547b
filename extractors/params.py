"""Parameter extraction: read a tagged clause's values from its own text.

Each clause type has one function taking the clause text and returning the
parameters ANNOTATION.md defines for it (a threshold's metric and value, an
attribution's kind and quoted text, a policy's name and URL, regions, scope,
jurisdiction). Values that live elsewhere in the document (what a defined
"Territory" covers, a policy URL given in its definition, the law a bare
"courts" sentence refers to) are resolved later by `extractors.resolve`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from extractors.clauses import REGISTRY
from extractors.clauses.common import fold as _fold
from extractors.clauses.usage_threshold import parse as usage_threshold
from extractors.labels import ClauseType
from extractors.pattern_data import load_regions

Params = dict[str, Any]
__all__ = ["EXTRACTORS", "Params", "extract_params", "usage_threshold"]

# -- attribution -----------------------------------------------------------

_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "license_copy",
        re.compile(
            r"cop(?:y|ies) of (?:this|the) (?:agreement|licen[cs]e|terms)|"
            r"(?:协议|協議|许可证|許可證)的副本|"
            # "a copy of the modified CreativeML OpenRAIL-M", "a link to the license"
            r"cop(?:y|ies) of (?:the |this |that |such |its )?(?:[\w.-]+ ){0,5}?"
            r"(?:licen[cs]e|openrail|rail|eula)\b|"
            r"(?:links?|uri|url|hyperlinks?)(?: back)? to,? (?:a copy of )?"
            r"(?:the|this|these|that|its) (?:[\w-]+ ){0,3}?"
            r"(?:licen[cs]e|agreement|terms)\b|"
            r"(?:full )?text of,? "
            r"(?:or the uri|this (?:public )?licen[cs]e|these terms)|"
            r"(?:许可|許可|协议|協議)[^。；！？\s]{0,4}?(?:链接|鏈接|連結|网址|網址)",
            re.I,
        ),
    ),  # fmt: skip
    (
        "notice_file",
        re.compile(
            r"notice\W*\s+text\s+file|notice file|notices? file|"
            r"following (?:attribution )?notice|"
            r"attribution notice,|NOTICE文本|NOTICE文件",
            re.I,
        ),
    ),  # fmt: skip
    (
        "naming_prefix",
        re.compile(
            r"beginning of|prefix|开头|開頭|"
            # a word required anywhere in the name: "must include "X" in its name"
            r"\bin (?:its|the|their|such|your|any|each|every)(?: [\w-]+){0,2}? "
            r"(?:names?|titles?)\b|"
            r"(?:名称|名稱)中(?:包含|含有|加入)|(?:名称|名稱)(?:中|之中)",
            re.I,
        ),
    ),
    (
        "display_notice",
        re.compile(
            r"display|built (?:with|on|using)|powered by|acknowledg|"
            r"attribute the source|label|public statement|"
            r"显示|來源|来源|聲明|"
            # crediting the creator or the model, by name or by link
            r"\bcredit(?:ing|ed)?\b(?!s)|attribution to|"
            r"give attribution|provide attribution|"
            r"attribute (?:the|it|this|them|your|its)\b|"
            r"model name|name of the (?:original )?(?:model|author|creator)|"
            r"links? (?:back )?to (?:the|this) "
            r"(?:original|model card|model page|repository|source|project)|"
            r"references? to (?:the original|this model)|"
            r"(?:disclose|state|indicate|mention|clarify)s? "
            r"(?:clearly |explicitly )?that "
            r"(?:[\w-]+ ){0,4}?(?:is|was|are|were) (?:a |an )?"
            r"(?:fine-tuned|finetuned|derived|based|built|derivative|adapted)\b|"
            r"注明|标明|標明|出处|出處|署名|クレジット|出典|著作者",
            re.I,
        ),
    ),  # fmt: skip
    (
        "modification_notice",
        re.compile(
            r"modified files|changed the files|"
            r"indicate (?:the )?(?:nature|substantial)|"
            r"changes made|修改的文件|更改了文件|修改的内容|"
            r"說明您更改|"
            r"indicat\w* (?:if|whether|that) (?:you\b|changes|modifications)|"
            r"indication of (?:any )?(?:previous |prior )?modifications|\bsay so\b|"
            r"statement that (?:you|the) (?:\w+ ){0,3}?(?:modified|changed|altered)\b|"
            r"(?:state|mention|disclose|declare|specify) "
            r"(?:that |what |which |if |whether )"
            r"(?:\w+ ){0,2}?(?:changes|modifications|modified|changed)\b|"
            r"(?:注明|说明|說明|标明|標明|声明|聲明)[^。；！？\s]{0,10}?(?:修改|改动|改動|变更|變更)|"
            r"(?:変更|改変)[^。；！？\s]{0,15}?(?:明記|記載|表示)",
            re.I,
        ),
    ),  # fmt: skip
    (
        "retain_notices",
        re.compile(
            r"retain(?! an indication)|keep intact|alter or remove|"
            r"included in all copies|保留|应包含在|應包含在|保持|維持|残す|残して|"
            # "you may not change or remove copyright or other proprietary notices"
            r"(?:not|never|cannot|can't)\s+(?:\w+\s+){0,2}?"
            r"(?:alter|remove|change|delete|obscure|erase|strip|modify)\w*\b"
            r"(?:\s+\S+){0,6}?\s+(?:copyright|notices?|legends?|attributions?)\b|"
            r"identification of the (?:creator|author|licensor)|"
            r"designated to receive attribution|"
            r"(?:删除|刪除|移除|去除|篡改|更改|修改|削除|改変)[^。；！？\s]{0,10}?"
            r"(?:版权|版權|著作権|著作權|署名)|"
            r"(?:版权|版權|著作権|著作權)\w{0,3}?[^。；！？\s]{0,8}?(?:删除|刪除|移除|削除|改変)|"
            r"\bkeep\b(?:\s+\S+){0,8}?\s+intact\b",
            re.I,
        ),
    ),  # fmt: skip
)
_NAME_IN_PARENTHESES = re.compile(
    r"(?:model|full|original|project)['’]?s? name\s*\(([^()]{2,60})\)", re.I
)
_TEXT_KINDS = frozenset({"display_notice", "naming_prefix", "notice_file"})
_DEFINED_WORD = re.compile(r"(?:Notice|NOTICE|Mark|Marks|Materials)")


def attribution(text: str) -> Params:
    """Return the kind(s) of attribution duty and any quoted text to show."""
    folded = _fold(text)
    kinds = [kind for kind, pattern in _KIND_PATTERNS if pattern.search(folded)]
    if "notice_file" in kinds:
        kinds = [k for k in kinds if k not in ("retain_notices", "display_notice")]
    if "naming_prefix" in kinds and "display_notice" in kinds:
        kinds.remove("display_notice")
    if not kinds:
        kinds = ["display_notice"]  # a duty to credit in words no pattern names
    params: Params = {"kind": kinds[0] if len(kinds) == 1 else kinds}
    if _TEXT_KINDS & set(kinds):
        quotes = [q for q in quoted_strings(text) if not _DEFINED_WORD.fullmatch(q)]
        if "naming_prefix" not in kinds:
            quotes = [q for q in quotes if len(q.split()) >= 2]
        if not quotes and "display_notice" in kinds:
            # "state the full model name (Dreamlike Diffusion 1.0)": the name to show
            quotes = [_fold(m) for m in _NAME_IN_PARENTHESES.findall(text)]
        if quotes:
            params["text"] = quotes[0] if len(quotes) == 1 else quotes
    return params


def quoted_strings(text: str) -> list[str]:
    """Return quoted passages, outermost first; curly quotes may nest."""
    found: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in "“「":
            if depth == 0:
                start = index + 1
            depth += 1
        elif char in "”」" and depth:
            depth -= 1
            if depth == 0:
                found.append(_fold(text[start:index]))
    found.extend(_fold(m) for m in re.findall(r'"([^"]+)"', text))
    # a straight quote closed by a curly one: `"... All Rights Reserved.”`
    found.extend(_fold(m) for m in re.findall(r'"([^"“”]+)”', text))
    return [q for q in found if q]


# -- aup_incorporation -----------------------------------------------------

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


def aup_incorporation(text: str) -> Params:
    """Return the incorporated policy's name, URL and whether it may change."""
    folded = _fold(text)
    params: Params = {"updatable": bool(_UPDATABLE.search(folded))}
    match = (
        _CJK_POLICY.search(folded)
        or _POLICY.search(folded)
        or _GENERIC_POLICY.search(folded)
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
        params["policy"] = (name + (match.group("suffix") or "").rstrip()).strip()
        # the policy's own link follows its name; an earlier link is another document's
        url = find_url(folded[match.end() :])
    else:
        url = find_url(folded)
    if url:
        params["url"] = url
    return params


# -- geographic_restriction ------------------------------------------------


@cache
def _region_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    pairs = [
        (name, code)
        for code, names in load_regions().items()
        if "-" not in code
        for name in names
    ]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple(
        (re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])", re.I), code)
        for name, code in pairs
    )


def regions_in(text: str) -> list[str]:
    """Return ISO codes (plus EU, EEA) of the places named in `text`, in order."""
    folded = _fold(text)
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
    r"(?:export|import|sanctions?|trade|economic|government|governmental|laws?|regulations?|"
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
    r"\b(?:only|exclusively|solely)(?:\s+[\w-]+){0,2}?\s+(?:in|within|inside|to|from)\b|"
    r"\b(?:in|within|for)\s+the\s+territory\s+only\b|\blimited to\b|"
    r"仅限|僅限|只能在|仅在|僅在",
    re.I,
)
_SUPPORTED_PLACES = re.compile(
    r"(?:supported|available|approved|authori[sz]ed|permitted|eligible|designated|enabled)\s+"
    r"(?:regions?|geograph(?:y|ies)|countr(?:y|ies)|territor(?:y|ies)|locations?|jurisdictions?|markets?)|"
    r"(?:regions?|geograph(?:y|ies)|countr(?:y|ies)|territor(?:y|ies)|locations?|jurisdictions?|markets?)"
    r"\s+(?:currently\s+)?(?:supported|served|listed|approved|designated)\s+by|"
    r"unsupported\s+(?:regions?|geograph|countr|territor|locations?|jurisdictions?|markets?)|"
    r"支持的(?:国家|國家|地区|地區)",
    re.I,
)


def geographic_restriction(text: str) -> Params:
    """Return the regions named and whether they are excluded or the only ones.

    A place that only says whose law applies (`U.S. export restrictions`) is
    not a region of the clause. Use limited to where the licensor's service is
    supported names no region and is `only`.
    """
    folded = _fold(text)
    regions = regions_in(_LAW_ORIGIN.sub(" ", folded))
    if not regions and _SUPPORTED_PLACES.search(folded):
        return {"regions": [], "mode": "only"}
    excluded = _EXCLUDED_MODE.search(folded)
    only = _ONLY_MODE.search(folded)
    mode = "only" if only and not excluded else "excluded"
    return {"regions": regions, "mode": mode}


# -- commercial_restriction ------------------------------------------------

_HOSTING = re.compile(
    r"\bhost(?:s|ed|ing)?\b|as a service|managed service|remote access|"
    r"via (?:your|an) apis?|"
    r"cloud service|software service|generation services?|services? that generates?|"
    r"websites?/apps?|websites? or apps?|"
    r"托管|託管|云服务|雲服務|生成服务|生成服務|生成サービス|クラウドサービス|"
    r"API ?服[务務]|作[为為]服[务務]|[对對]外提供服[务務]", re.I
)  # fmt: skip
_RESEARCH_ONLY = re.compile(
    r"research (?:purposes |use )?only|"
    r"solely for (?:your )?(?:non-?commercial )?research|"
    r"non-?commercial research|academic research purposes only|restricted for academic|"
    r"research or evaluation purposes only|for research purposes|research uses?\b|"
    r"only for (?:academic |scientific )?research|research[- ]only|"
    r"非商业研究|学术研究|研究目的|研究用途|研究のみ", re.I
)  # fmt: skip
_NON_COMMERCIAL = re.compile(
    r"non-?commercial|non-?production|not for commercial|商业|商業|商用|commercial|"
    r"\bsell|\bresell|\bmonetis|\bmonetiz|for[- ]profit|販売|出售|售卖", re.I
)  # fmt: skip
_PERMISSION = re.compile(
    r"request a licen[cs]e|register|registration|fill out|apply|application|contact|"
    r"authori[sz]ation|permission|consent|登记|登記|申请|申請|授权|問卷|问卷", re.I
)  # fmt: skip
_PROHIBITS = re.compile(
    r"\bnot\b|\bno\b|n't\b|never|prohibit|only|solely|不得|仅|僅|禁|勿|不可|"
    r"[🚫❌⛔✖✗✘]", re.I
)  # fmt: skip


_ASK = re.compile(
    r"request a licen[cs]e|register|registration|fill out|fill in|apply|application|"
    r"contact|reach out|get in touch|sign up|subscription|"
    r"登记|登記|申请|申請|问卷|問卷|联系|聯繫|聯絡|联络|填写|填寫|"
    r"授权后|授權後|许可后", re.I
)  # fmt: skip
_NON_COMMERCIAL_SCOPE = re.compile(
    r"non-?commercial|non-?production|other than (?:for )?(?:commercial|production)|"
    r"personal (?:use|purposes?)|非商业|非商業|非商用|非営利|"
    r"个人(?:使用|用途)|個人(?:使用|用途|利用)", re.I
)  # fmt: skip
_COMMERCIAL_WORD = re.compile(
    r"(?<!non-)(?<!non)(?<!non )commercial|(?<!non-)(?<!non)production|"
    r"商业|商用|商業", re.I
)  # fmt: skip


def commercial_restriction(text: str) -> Params:
    """Return the scope(s) of the commercial restriction."""
    scopes: list[str] = []
    text = _fold(text)
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
        _NON_COMMERCIAL.search(text)
        and _PROHIBITS.search(text)
        and not _PERMISSION.search(text)
    ):
        scopes.append("non_commercial")
    else:
        scopes.append("permission_required")
    return {"scope": scopes[0] if len(scopes) == 1 else scopes}


# -- unilateral_change -----------------------------------------------------


def unilateral_change(text: str) -> Params:
    """Return whether the licensor may change the agreement or a policy."""
    policy = re.search(
        r"polic|aup|guidelines?\b|code of conduct|usage rules|use rules|"
        r"政策|规范|規範|准则|準則",
        text,
        re.I,
    )
    return {"target": "policy" if policy else "agreement"}


# -- governing_law ---------------------------------------------------------

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
        r"shenzhen|haidian|中华人民共和国|中華人民共和國|中国|中國|北京|杭州|人民法院",
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


def governing_law(text: str) -> Params:
    """Return the jurisdiction named, subdivision first (`US-CA` before `US`).

    Places in a carve-out (`the PRC, excluding Hong Kong`) and where a party
    is organised (`a company organised under the laws of Delaware`) are not
    the law. A law that depends on where the licensee is has no fixed
    jurisdiction (None), unless a fixed law such as a federal arbitration
    act is named beside it (ANNOTATION.md).
    """
    folded = _ORGANISED_UNDER.sub(" ", _CARVE_OUT.sub(" ", _fold(text)))
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


def no_params(text: str) -> Params:  # noqa: ARG001
    """Return the empty parameters of a clause type that defines none."""
    return {}


EXTRACTORS: dict[ClauseType, Callable[[str], Params]] = {
    **{t: spec.parse for t, spec in REGISTRY.items()},
    ClauseType.ATTRIBUTION: attribution,
    ClauseType.AUP_INCORPORATION: aup_incorporation,
    ClauseType.GEOGRAPHIC_RESTRICTION: geographic_restriction,
    ClauseType.COMMERCIAL_RESTRICTION: commercial_restriction,
    ClauseType.OUTPUT_RESTRICTION: no_params,
    ClauseType.RESTRICTION_FLOWDOWN: no_params,
    ClauseType.UNILATERAL_CHANGE: unilateral_change,
    ClauseType.LITIGATION_TERMINATION: no_params,
    ClauseType.GOVERNING_LAW: governing_law,
}


def extract_params(clause_type: ClauseType, text: str) -> Params:
    """Return the parameters of a clause of `clause_type` stated by `text`."""
    return EXTRACTORS[clause_type](text)
