"""attribution: the credit a user must give, and how.

"Built with Kestrel" shown in a product, a NOTICE file kept with every copy,
a derived model's name that starts with "Kestrel": the params are the
duty's kind(s) and any text it prescribes (ANNOTATION.md). One kind or text
is a string, several a list.
"""

from __future__ import annotations

import re
from typing import Literal, NotRequired, TypedDict, get_args

from extractors.clauses.common import fold
from extractors.clauses.spec import ClauseSpec, TypeFloors
from extractors.labels import ClauseType

Kind = Literal[
    "display_notice",
    "naming_prefix",
    "notice_file",
    "license_copy",
    "retain_notices",
    "modification_notice",
]
"""The kinds of attribution duty (ANNOTATION.md), the vocabulary of `kind`."""
KINDS: tuple[Kind, ...] = get_args(Kind)


class AttributionParams(TypedDict):
    """The params of an attribution clause."""

    kind: Kind | list[Kind]
    text: NotRequired[str | list[str]]


_KIND_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        "license_copy",
        re.compile(
            r"cop(?:y|ies) of (?:this|the) (?:agreement|licen[cs]e|terms)|"
            r"(?:协议|協議|许可证|許可證)的(?:完整)?副本|随附本(?:协议|許可)|隨附本(?:協議|許可)|"
            # "a copy of the modified CreativeML OpenRAIL-M", "a link to the license"
            r"cop(?:y|ies) of (?:the |this |that |such |its )?(?:[\w.-]+ ){0,5}?"
            r"(?:licen[cs]e|openrail|rail|eula)\b|"
            r"(?:links?|uri|url|hyperlinks?)(?: back)? to,? (?:a copy of )?"
            r"(?:the|this|these|that|its) (?:[\w-]+ ){0,3}?"
            r"(?:licen[cs]e|agreement|terms)\b|"
            r"(?:full )?text of,? "
            r"(?:or the uri|this (?:public )?licen[cs]e|these terms)|"
            r"(?:许可|許可|协议|協議)[^。；！？\s]{0,4}?(?:链接|鏈接|連結|网址|網址)|"
            # "hand them these terms", "bundle the complete licence text"
            r"\b(?:hand|give|furnish|provide|bundle|attach|ship|supply|place|"
            r"lay down)\b"
            r"[^.;]{0,40}?\b(?:these (?:licen[cs]e )?terms(?: of use)?|this licen[cs]e|"
            r"the (?:complete |full )?licen[cs]e(?: text| file| document)?\b|"
            r"licen[cs]e (?:text|file|document))|"
            r"(?:travel|accompan\w*|ship\w*) with the licen[cs]e (?:file|text|"
            r"document)|"
            # "indicate that it is made available under this Public License"
            r"(?:made available|licensed|released) under this (?:public )?licen[cs]e|"
            r"its text or a link|licen[cs]e text or its url|which licen[cs]e",
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
            r"beginning of|prefix|开头|開頭|first word|"
            r"\b(?:begins?|starts?|opens?|leads?|beginning|starting|opening) with\b|"
            r"start of (?:its|their|the) names?|"
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
            r"(?:注明|说明|說明|标明|標明|声明|聲明|标示|標示|载明|載明|註明)"
            r"[^。；！？\s]{0,10}?(?:修改|改动|改動|变更|變更)|"
            r"(?:変更|改変)[^。；！？\s]{0,15}?(?:明記|記載|表示)|"
            # "mark it clearly so readers can tell it was edited by you"
            r"\b(?:say|state|note|mark|describ\w*|indicat\w*|comment|changelog|notice|"
            r"write)\b"
            r"[^.;]{0,80}?\b(?:changed|modified|altered|edited|differs?|changes|"
            r"alterations)\b|"
            r"(?:changed|edited|altered|modified) by you|who (?:changed|altered|"
            r"edited)",
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
            r"(?:\s+\S+){0,6}?\s+(?:copyright|notices?|legends?|attributions?|headers?|"
            r"credits?)\b|"
            # "keep all proprietary legends", "the copyright lines stay where they are"
            r"\b(?:keep|preserve|leave (?:unmodified|intact)|"
            r"carry along)\b(?:\s+\S+){0,6}?\s+"
            r"(?:copyright|notices?|legends?|attributions?|headers?|lines?|statements?|"
            r"indications?|"
            r"markings?|credits?|acknowledge?ments?)\b|"
            r"stays? where (?:they are|it is)|remains? in every|travel unchanged|"
            r"(?:headers?|copyright lines?|acknowledge?ments?|"
            r"credits section)\b[^.;]{0,60}?"
            r"(?:unchanged|without alteration|as (?:originally )?(?:supplied|"
            r"published))|"
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
_SINGLE_QUOTED = re.compile(r"(?<![\w])['‘]([A-Z][^'’\n]{1,60})['’](?![\w])")
_TEXT_KINDS = frozenset({"display_notice", "naming_prefix", "notice_file"})
_DEFINED_WORD = re.compile(r"(?:Notice|NOTICE|Mark|Marks|Materials)")


def parse(text: str) -> AttributionParams:
    """Return the kind(s) of attribution duty and any quoted text to show."""
    folded = fold(text)
    kinds = [kind for kind, pattern in _KIND_PATTERNS if pattern.search(folded)]
    if "notice_file" in kinds:
        kinds = [k for k in kinds if k not in ("retain_notices", "display_notice")]
    if "naming_prefix" in kinds and "display_notice" in kinds:
        kinds.remove("display_notice")
    if not kinds:
        kinds = ["display_notice"]  # a duty to credit in words no pattern names
    params: AttributionParams = {"kind": kinds[0] if len(kinds) == 1 else kinds}
    if _TEXT_KINDS & set(kinds):
        quotes = [q for q in quoted_strings(text) if not _DEFINED_WORD.fullmatch(q)]
        if "naming_prefix" not in kinds:
            quotes = [q for q in quotes if len(q.split()) >= 2]
        if not quotes and "display_notice" in kinds:
            # "state the full model name (Dreamlike Diffusion 1.0)": the name to show
            quotes = [fold(m) for m in _NAME_IN_PARENTHESES.findall(text)]
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
                found.append(fold(text[start:index]))
    found.extend(fold(m) for m in re.findall(r'"([^"]+)"', text))
    # a straight quote closed by a curly one: `"... All Rights Reserved.”`
    found.extend(fold(m) for m in re.findall(r'"([^"“”]+)”', text))
    if not found:
        # single quotes, when no double ones: 'Made with X' (an apostrophe is none)
        found.extend(fold(m) for m in _SINGLE_QUOTED.findall(text))
    return [q for q in found if q]


SPEC = ClauseSpec(
    ClauseType.ATTRIBUTION,
    label="Attribution",
    abbr="AT",
    parse=parse,
    param_names=("kind", "text"),
    key_field="kind",
    model_bar=0.5,
    floors=TypeFloors(f1=0.93),
)
