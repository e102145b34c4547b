"""usage_threshold: rights that change once use passes a number.

"Once your products pass 700 million monthly active users, you must ask the
licensor for a separate license": the params are every such threshold with its metric,
value, currency (revenue only) and consequence (ANNOTATION.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict, get_args

from extractors.clauses.common import fold
from extractors.clauses.spec import ClauseSpec, Params, TypeFloors
from extractors.labels import ClauseType

Metric = Literal[
    "monthly_active_users",
    "daily_active_users",
    "annual_revenue",
    "monthly_revenue",
    "other",
]
Consequence = Literal[
    "license_required",
    "attribution_required",
    "rights_terminate",
    "fee_required",
    "other",
]
THRESHOLD_METRICS: tuple[Metric, ...] = get_args(Metric)
THRESHOLD_CONSEQUENCES: tuple[Consequence, ...] = get_args(Consequence)
"""ANNOTATION.md's values of a threshold's `metric` and `consequence`."""
CURRENCIES = frozenset({"USD", "EUR", "GBP", "CNY", "JPY", "INR", "KRW", "CHF", "SGD"})
"""Currencies a model's proposal may name (ISO 4217; others are dropped)."""


class Threshold(TypedDict):
    """One threshold; `currency` only for a revenue metric."""

    metric: Metric
    value: int
    currency: NotRequired[str]
    consequence: Consequence


class UsageThresholdParams(TypedDict):
    """The params of a usage_threshold clause."""

    thresholds: list[Threshold]


_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "half a": 0.5, "a": 1,
}  # fmt: skip
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mm": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12,
    "万": 1e4, "百万": 1e6, "千万": 1e7, "亿": 1e8,
    "crore": 1e7, "lakh": 1e5, "mio": 1e6,
}  # fmt: skip
_CURRENCIES = {
    "usd": "USD", "us$": "USD", "$": "USD", "dollars": "USD", "eur": "EUR", "€": "EUR",
    "euros": "EUR", "gbp": "GBP", "£": "GBP", "rmb": "CNY", "cny": "CNY", "¥": "CNY",
    "yuan": "CNY", "元": "CNY", "chf": "CHF", "francs": "CHF", "inr": "INR", "₹": "INR",
    "rupees": "INR", "jpy": "JPY", "yen": "JPY", "krw": "KRW", "won": "KRW",
    "sgd": "SGD", "aud": "AUD", "sek": "SEK", "hkd": "HKD", "euro": "EUR",
}  # fmt: skip
_AMOUNT = re.compile(
    r"(?:(?P<cur>(?:USD|EUR|GBP|RMB|CNY|CHF|INR|JPY|KRW|SGD|AUD|SEK|HKD)(?:\s?\$)?|"
    r"US\$|\$|€|£|¥|₹)\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?![\d,])|"
    r"\d+(?:\.\d+)?|\b(?:" + "|".join(_WORD_NUMBERS) + r")\b)(?:-|\s*)"
    r"(?P<scale>thousand|millions?|billions?|trillion|bn|mm|crore|lakh|mio\b\.?|"
    r"[kmb](?![a-z])|万|百万|千万|亿)?"
    r"(?:\s*(?P<cur2>USD|EUR|GBP|RMB|CNY|CHF|INR|dollars|euros?|yuan|francs|rupees|"
    r"yen|won|元)\b)?",
    re.IGNORECASE,
)
_NOT_USERS_AFTER = re.compile(
    r"\s*(?:parameters?|params|tokens?|images?|samples|examples|words|hours|steps|pairs|"
    r"documents|pages|gpus?|flops|languages)\b",
    re.IGNORECASE,
)


_METRICS: tuple[tuple[re.Pattern[str], Metric], ...] = (
    (re.compile(r"daily (?:active|users)|\bdau\b|日活", re.I), "daily_active_users"),
    (
        re.compile(r"monthly (?:active|users)|\bmau\b|月活", re.I),
        "monthly_active_users",
    ),
    (re.compile(r"monthly revenue|月营收|月營收|月收入", re.I), "monthly_revenue"),
    (
        re.compile(
            r"revenue|turnover|收入|营收|營收|\bincome\b|gross receipts|\bsales\b", re.I
        ),
        "annual_revenue",
    ),
    (re.compile(r"\busers?\b|devices|employees|customers|subscribers", re.I), "other"),
)
_BEFORE_PENALTY = 15
_GENERIC_PENALTY = 40


def _metric(text: str, start: int, end: int) -> Metric:
    """Return the metric named nearest to the number at [start, end).

    `100 million monthly active users or revenue above USD 50 million` names
    two metrics; each number takes the one closest to it, preferring words
    after it (`700 million monthly active users`) to words before it.
    """
    best: tuple[int, Metric] | None = None
    for pattern, metric in _METRICS:
        for match in pattern.finditer(text):
            if match.start() >= end:
                distance = match.start() - end
            else:
                distance = max(0, start - match.end()) + _BEFORE_PENALTY
            if metric == "other":
                distance += _GENERIC_PENALTY  # `users` in `active users` is not generic
            if best is None or distance < best[0]:
                best = (distance, metric)
    return best[1] if best else "other"


def _consequence(text: str) -> Consequence:
    lowered = text.lower()
    if re.search(r"request a licen[cs]e|obtain a licen[cs]e|separate licen[cs]e|"
                 r"commercial licen[cs]e|licen[cs]e from|paid licen[cs]e|"
                 r"(?:need|require|purchase|buy) an? (?:\w+ )?licen[cs]e|"
                 r"enterprise licen[cs]e", lowered):  # fmt: skip
        return "license_required"
    if re.search(r"(?:commercial|separate|written|enterprise|scale|volume|site|"
                 r"business|individual|multi-tenant|bulk-access|paid) (?:licen[cs]e|"
                 r"agreement|arrangement|contract)|licen[cs]e key|negotiate|"
                 r"agree terms|agree an? (?:\w+ )?licen[cs]e|licen[cs]e with|"
                 r"(?:ask|approach) us|must (?:ask|approach)|sign a contract|"
                 r"enter into a (?:written )?licen[cs]e", lowered):  # fmt: skip
        return "license_required"
    if re.search(
        r"(?:申请|申請|取得|获得|獲得|签署|簽署|签订|簽訂|购买|購買|另行)"
        r"[^。；]{0,10}?(?:许可|授权|許可|授權)|授权协议|授權協議",
        text,
    ):
        return "license_required"
    if re.search(r"费用|費用|支付|付费|付費", text):
        return "fee_required"
    if re.search(r"\bfees?\b|\bpay\b|royalt|billed|charged|payable|per-unit|"
                 r"per-seat|revenue share|list price|paid (?:plan|key|subscription|"
                 r"tier)|enterprise (?:plan|rates)", lowered):  # fmt: skip
        return "fee_required"
    if re.search(r"attribution|built with|display", lowered):
        return "attribution_required"
    return "rights_terminate"


_HEAD_COUNT_BEFORE = re.compile(
    r"(?:teams?|compan(?:y|ies)|organi[sz]ations?|business(?:es)?|entit(?:y|ies)|groups?|"
    r"studios?|startups?)\s+(?:of|with|having)\s+"
    r"(?:(?:up to|fewer than|less than|no more than|not more than|at most|"
    r"more than|over|under|below|above|a maximum of)\s+)?$|"
    r"(?:员工|員工|团队|團隊|人员|人員)\D{0,6}$",
    re.I,
)
_HEAD_COUNT_AFTER = re.compile(
    r"\s*(?:or (?:less|fewer|more)\s+)?(?:full[- ]time\s+)?"
    r"(?:employees?|developers|staff|engineers|seats|people|persons|members|workers|"
    r"devices|installs|installations|terminals|beds|clients|(?:API )?calls|requests|"
    r"sessions|handsets|accounts|subscribers|users|customers|downloads|times)\b|"
    r"\s*(?:or (?:less|fewer))\b|\s*(?:名|人)",
    re.I,
)


_FUNDING = re.compile(
    r"funding|capital raised|raised (?:more|over|in excess)|valuation", re.I
)


def _head_count(text: str, match: re.Match[str]) -> bool:
    """Return True when a small number counts people: `teams of 10 or less`."""
    before = text[max(0, match.start() - 60) : match.start()]
    return bool(
        _HEAD_COUNT_BEFORE.search(before) or _HEAD_COUNT_AFTER.match(text, match.end())
    )


def parse(text: str) -> UsageThresholdParams:
    """Return every numeric threshold in the clause with metric and consequence.

    Amounts below 1,000 are thresholds only when they count people (a team
    or head count); otherwise they are section numbers, ages or days.
    """
    thresholds: list[Threshold] = []
    text = fold(text)
    for match in _AMOUNT.finditer(text):
        value = _amount_value(match)
        if value is None or _NOT_USERS_AFTER.match(text, match.end()):
            continue
        if value < 1000 and not (
            value > 0 and not match.group("cur") and _head_count(text, match)
        ):
            continue
        if re.fullmatch(r"(19|20)\d\d", match.group("num")) and not match.group(
            "scale"
        ):
            continue
        raw_currency = (match.group("cur") or match.group("cur2") or "").lower()
        raw_currency = raw_currency.replace(" ", "").removesuffix("$") or raw_currency
        currency = _CURRENCIES.get(raw_currency)
        metric = _metric(text, match.start(), match.end())
        if currency and not metric.endswith("revenue"):
            # an amount of money is never a user count; funding is not revenue
            metric = "other" if _FUNDING.search(text) else "annual_revenue"
        item = _threshold(metric, value, currency, _consequence(text))
        if item not in thresholds:
            thresholds.append(item)
    for item in _cjk_thresholds(text):
        if item not in thresholds:
            thresholds.append(item)
    return {"thresholds": thresholds}


_CJK_DIGITS = {
    "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}
_CJK_AMOUNT = re.compile(
    r"(?P<cur0>人民币|人民幣|新臺幣|新台币|美元)?"
    r"(?P<num>[零一二两兩三四五六七八九十百千]+)"
    r"(?P<scale>万|萬|亿|億)?(?P<cur>美元|人民币|人民幣|元|新臺幣|新台币)?"
    r"(?P<unit>人|名|台|家)?"
)
_CJK_CURRENCIES = {
    "美元": "USD", "人民币": "CNY", "人民幣": "CNY", "元": "CNY",
    "新臺幣": "TWD", "新台币": "TWD",
}  # fmt: skip


def _cjk_metric(text: str, start: int) -> Metric | None:
    """Return the metric named just before a Chinese amount (月活跃用户数超过一亿).

    Chinese names the metric before the number, English after it.
    """
    before = text[max(0, start - 20) : start]
    best: tuple[int, Metric] | None = None
    for pattern, metric in _METRICS:
        for match in pattern.finditer(before):
            if best is None or match.end() > best[0]:
                best = (match.end(), metric)
    return best[1] if best else None


def cjk_number(numeral: str) -> int:
    """Return the value of a Chinese numeral below ten thousand ("三千" is 3000)."""
    total = digit = 0
    for char in numeral:
        if char in _CJK_DIGITS:
            digit = _CJK_DIGITS[char]
        else:
            total += (digit or 1) * _CJK_UNITS[char]
            digit = 0
    return total + digit


def _cjk_thresholds(text: str) -> list[Threshold]:
    """Return thresholds written in Chinese numerals: 超过一百万, 五千万元, 五百人.

    Amounts in digits (100 万) are read by `_AMOUNT`; a small number counts
    only people or devices (五百人, 一万台 is large anyway).
    """
    found: list[Threshold] = []
    for match in _CJK_AMOUNT.finditer(text):
        scale = {"万": 10_000, "萬": 10_000, "亿": 10**8, "億": 10**8}.get(
            match.group("scale") or "", 1
        )
        value = cjk_number(match.group("num")) * scale
        if value < 1000 and not match.group("unit"):
            continue
        code = _CJK_CURRENCIES.get(match.group("cur0") or match.group("cur") or "")
        metric = _cjk_metric(text, match.start()) or _metric(
            text, match.start(), match.end()
        )
        if code and not metric.endswith("revenue"):
            metric = "annual_revenue"
        found.append(_threshold(metric, value, code, _consequence(text)))
    return found


def all_amounts(text: str) -> list[int]:
    """Return every amount written in `text` ("50", "2.5M", "ten million")."""
    values = (_amount_value(match) for match in _AMOUNT.finditer(text))
    return [value for value in values if value is not None]


def _amount_value(match: re.Match[str]) -> int | None:
    raw = match.group("num").lower().replace(",", "")
    if raw in _WORD_NUMBERS:
        number = float(_WORD_NUMBERS[raw])
    else:  # "5 000 000": thousands grouped by spaces
        number = float(raw.replace(" ", ""))
    scale = (match.group("scale") or "").lower().rstrip(".")
    if scale == "b" and not (match.group("cur") or match.group("cur2")):
        return None  # "7B" is a model size, not a count of users
    return int(number * _SCALES.get(scale, 1.0))


def ground(
    text: str, proposal: Mapping[str, Any], params: Params
) -> tuple[Params | None, str]:
    """Keep a model's thresholds only when each value is an amount of the text.

    A metric or consequence outside ANNOTATION.md's values refuses the
    proposal (metric) or reads as `other` (consequence).
    """
    proposed = proposal.get("thresholds")
    if not isinstance(proposed, list) or not proposed:
        return None, "no thresholds proposed"
    amounts = set(all_amounts(text))
    kept: list[dict[str, Any]] = []
    for item in proposed:
        if not isinstance(item, Mapping):
            return None, "a threshold is not an object"
        value = item.get("value")
        if not isinstance(value, int | float) or int(value) not in amounts:
            return None, f"value {value!r} is not an amount written in the clause"
        metric = item.get("metric")
        if metric not in THRESHOLD_METRICS:
            return None, f"metric {metric!r} is not one ANNOTATION.md defines"
        found: dict[str, Any] = {"metric": metric, "value": int(value)}
        currency = item.get("currency")
        if str(metric).endswith("revenue") and currency in CURRENCIES:
            found["currency"] = currency
        consequence = item.get("consequence")
        known = consequence in THRESHOLD_CONSEQUENCES
        found["consequence"] = consequence if known else "other"
        kept.append(found)
    values = ", ".join(f"{t['metric']} {t['value']:,}" for t in kept)
    return {**params, "thresholds": kept}, f"thresholds {values}"


SPEC = ClauseSpec(
    ClauseType.USAGE_THRESHOLD,
    label="Usage threshold",
    abbr="UT",
    parse=parse,
    param_names=("thresholds",),
    key_field="thresholds",
    ground=ground,
    question=(
        'Give {"thresholds": [{"metric": one of '
        + ", ".join(f'"{m}"' for m in THRESHOLD_METRICS)
        + '; "value": the number in digits with no units; "currency": ISO 4217'
        ' code for revenue; "consequence": one of '
        + ", ".join(f'"{c}"' for c in THRESHOLD_CONSEQUENCES)
        + "}]}."
    ),
    model_bar=0.5,
    floors=TypeFloors(f1=0.95, doc_recall=0.94),
)


def _threshold(
    metric: Metric, value: int, currency: str | None, consequence: Consequence
) -> Threshold:
    """One threshold; a currency only on a revenue metric (ANNOTATION.md)."""
    if currency and metric.endswith("revenue"):
        return {
            "metric": metric,
            "value": value,
            "currency": currency,
            "consequence": consequence,
        }
    return {"metric": metric, "value": value, "consequence": consequence}
