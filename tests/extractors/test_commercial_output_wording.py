"""Commercial, output, flow-down and use-policy clauses as new documents word them.

Model cards state terms in plain words, Chinese and Japanese documents in
their own, terms-of-use documents in their own lists, and licenses by
reference to another section. Every sentence here is written for this test
(a paraphrase a new document could use), never taken from the corpus. Each
sits in a small document between a heading and an unrelated sentence, so
the tests also check that the tag cites exactly the sentence.
"""

from __future__ import annotations

from typing import Any

import pytest

from extractors.labels import ClauseType
from extractors.params import aup_incorporation, commercial_restriction
from extractors.types import ClauseTag, Document
from tests.extractors.framing import framed_tags

T = ClauseType
MINE = frozenset(
    {
        T.COMMERCIAL_RESTRICTION,
        T.OUTPUT_RESTRICTION,
        T.RESTRICTION_FLOWDOWN,
        T.AUP_INCORPORATION,
    }
)
HEAD = "Kestrel Model Card\n\n"
TAIL = "\n\nKestrel was trained on licensed text and images.\n"


def _tags(text: str) -> tuple[Document, tuple[ClauseTag, ...]]:
    return framed_tags(text, head=HEAD, tail=TAIL, name="card.md")


def _of_type(text: str, clause_type: ClauseType) -> list[ClauseTag]:
    return [tag for tag in _tags(text)[1] if tag.clause_type is clause_type]


# --- class 1: a model card states its terms in plain words -----------------

CARD_TERMS: list[tuple[str, str, Any]] = [
    (
        "available-non-commercial",
        "The Kestrel weights are available for non-commercial use.",
        "non_commercial",
    ),
    (
        "free-non-commercial",
        "Kestrel is free to use for non-commercial purposes.",
        "non_commercial",
    ),
    (
        "not-available-without-license",
        "Kestrel is not available for commercial use without a separate license.",
        "non_commercial",
    ),
    (
        "research-and-no-commercial",
        "The checkpoint is only for research exploration and is prohibited for"
        " commercial usage.",
        "research_only",
    ),
    (
        "gated-checkbox",
        "I understand that I can only use Kestrel and its outputs for non-commercial"
        " purposes.",
        "non_commercial",
    ),
    (
        "gated-agree-only",
        "I agree to use these weights for noncommercial purposes ONLY.",
        "non_commercial",
    ),
    (
        "register-product",
        "Only if you register your product with us before you launch.",
        "permission_required",
    ),
    (
        "commercially-contact",
        "If you would like to use Kestrel commercially, please get in touch with our"
        " team.",
        "permission_required",
    ),
    (
        "host-earn-revenue",
        "You cannot host the model on websites or apps that bring you revenue or"
        " donations.",
        "hosting_prohibited",
    ),
    (
        "sell-merges",
        "You may not sell Kestrel or any model merged with it.",
        "non_commercial",
    ),
    (
        "monetizing",
        "You are prohibited from monetizing closed fine-tunes of Kestrel.",
        "non_commercial",
    ),
    (
        "non-production",
        "The weights may be used for non-production purposes such as testing and"
        " evaluation.",
        "non_commercial",
    ),
    (
        "other-than-commercial",
        "We grant you a licence to copy and modify the Model for purposes other than"
        " commercial use.",
        "non_commercial",
    ),
    (
        "production-subscription",
        "Production use of Kestrel is permitted only with a paid Kestrel Cloud"
        " subscription.",
        "permission_required",
    ),
    (
        "non-commercial-and-research",
        "Kestrel Labs grants you a licence to use the Model solely for non-commercial"
        " and academic purposes.",
        "non_commercial",
    ),
]


@pytest.mark.parametrize(
    ("text", "scope"),
    [case[1:] for case in CARD_TERMS],
    ids=[case[0] for case in CARD_TERMS],
)
def test_card_term_is_commercial_restriction(text: str, scope: Any) -> None:
    document, tags = _tags(text)
    found = [t for t in tags if t.clause_type is T.COMMERCIAL_RESTRICTION]
    assert len(found) == 1
    assert document.text[found[0].span.start : found[0].span.end] == text
    assert found[0].params == {"scope": scope}


ICON_LIST = """\
Permissions for Kestrel merges

- ✅ Share merges of this model
- ❌ Sell this model or merges of it
- ❌ Run it on image generation services that charge money
- ❌ Sell images you generate with it
- ❌ Have different permissions when sharing merges
- ✅ Use it without crediting the author
"""


def test_permission_list_with_icons() -> None:
    document, tags = _tags(ICON_LIST)
    found = {
        (t.clause_type, document.text[t.span.start : t.span.end].split(" ", 1)[1])
        for t in tags
        if t.clause_type in MINE
    }
    assert found == {
        (T.COMMERCIAL_RESTRICTION, "Sell this model or merges of it"),
        (
            T.COMMERCIAL_RESTRICTION,
            "Run it on image generation services that charge money",
        ),
        (T.COMMERCIAL_RESTRICTION, "Sell images you generate with it"),
        (T.OUTPUT_RESTRICTION, "Sell images you generate with it"),
        (T.RESTRICTION_FLOWDOWN, "Have different permissions when sharing merges"),
    }
    scopes = {
        document.text[t.span.start : t.span.end]: t.params["scope"]
        for t in tags
        if t.clause_type is T.COMMERCIAL_RESTRICTION
    }
    assert scopes["❌ Run it on image generation services that charge money"] == (
        "hosting_prohibited"
    )


# --- class 2: Chinese and Japanese wording -------------------------------------

CJK_TERMS: list[tuple[str, str, ClauseType, Any]] = [
    (
        "zh-no-api-service",
        "未经许可，不得将本模型作为API服务对外提供。",
        T.COMMERCIAL_RESTRICTION,
        "hosting_prohibited",
    ),
    (
        "zh-contact",
        "若需商用，请与我们联系。",
        T.COMMERCIAL_RESTRICTION,
        "permission_required",
    ),
    (
        "zh-apply-then-free",
        "开发者在线填写申请后，即可免费商用本模型。",
        T.COMMERCIAL_RESTRICTION,
        "permission_required",
    ),
    (
        "zh-non-commercial-only",
        "本模型权重仅可用于非商业用途。",
        T.COMMERCIAL_RESTRICTION,
        "non_commercial",
    ),
    (
        "zh-strictly-no-commercial",
        "本仓库的模型仅供学术研究，严禁用于商业目的。",
        T.COMMERCIAL_RESTRICTION,
        "research_only",
    ),
    (
        "ja-no-commercial",
        "本モデルの商用利用は禁止します。",
        T.COMMERCIAL_RESTRICTION,
        "non_commercial",
    ),
    (
        "zh-output-not-to-train",
        "您不得使用本模型的输出来训练其他模型。",
        T.OUTPUT_RESTRICTION,
        None,
    ),
    (
        "zh-flowdown",
        "您应确保衍生模型的使用者同样受本协议中使用限制的约束。",
        T.RESTRICTION_FLOWDOWN,
        None,
    ),
    (
        "zh-policy",
        "您对本模型的使用必须遵守《鸢尾可接受使用政策》。",
        T.AUP_INCORPORATION,
        None,
    ),
]


@pytest.mark.parametrize(
    ("text", "clause_type", "scope"),
    [case[1:] for case in CJK_TERMS],
    ids=[case[0] for case in CJK_TERMS],
)
def test_cjk_clause(text: str, clause_type: ClauseType, scope: Any) -> None:
    document, tags = _tags(text)
    found = [t for t in tags if t.clause_type is clause_type]
    assert len(found) == 1
    assert document.text[found[0].span.start : found[0].span.end] == text
    if scope is not None:
        assert found[0].params == {"scope": scope}


def test_japanese_icon_item_is_commercial_and_output() -> None:
    text = "- 🚫 このモデルで生成した画像を商用利用する行為"
    types = {t.clause_type for t in _tags(text)[1]}
    assert types == {T.COMMERCIAL_RESTRICTION, T.OUTPUT_RESTRICTION}


# --- classes 4 and 5: restrictions by reference, terms-of-use lists -----------

OUTPUT_TERMS: list[tuple[str, str]] = [
    (
        "outputs-subject-to-section",
        "Any Outputs shall be subject to the restrictions set out in Section 4.",
    ),
    (
        "only-research-outputs",
        "You shall only use the Model, its Derivatives and any Outputs for Research"
        " Purposes.",
    ),
    (
        "results-compete",
        "You will not use results from the Service to build competing models.",
    ),
    (
        "cache-resell-results",
        "You will not cache, copy or resell Search Results returned by the API.",
    ),
    (
        "develop-competing",
        "You may not use the API to develop models that compete with Kestrel.",
    ),
    (
        "display-only",
        "You will only display generated responses to the end user who sent the"
        " request.",
    ),
    (
        "own-but-provisions",
        "We claim no rights in the images you generate; you are accountable for them,"
        " and their use must not go against the provisions of the license.",
    ),
    (
        "competing-product",
        "You will not use the Services to create or improve a similar or competing"
        " product.",
    ),
    (
        "share-harmful-outputs",
        "You can't use Kestrel to knowingly produce or share unlawful outputs.",
    ),
]


@pytest.mark.parametrize(
    "text", [case[1] for case in OUTPUT_TERMS], ids=[case[0] for case in OUTPUT_TERMS]
)
def test_output_restriction(text: str) -> None:
    document, tags = _tags(text)
    found = [t for t in tags if t.clause_type is T.OUTPUT_RESTRICTION]
    assert len(found) == 1
    assert document.text[found[0].span.start : found[0].span.end] == text


def test_commercial_use_of_data_produced_in_a_mixed_list_item() -> None:
    text = (
        "You will not:\n\n"
        "- use the Model or any data produced by the Model for (i) any commercial or"
        " production purposes, (ii) surveillance, or (iii) any use that violates any"
        " applicable law;\n"
    )
    types = {t.clause_type for t in _tags(text)[1]}
    assert {T.COMMERCIAL_RESTRICTION, T.OUTPUT_RESTRICTION} <= types


FLOWDOWN_TERMS: list[tuple[str, str]] = [
    (
        "same-use-restrictions",
        "If you pass on the weights, you have to include the same use restrictions as"
        " the original license.",
    ),
    (
        "license-that-includes",
        "Derivatives of the Model must be released under a licence that includes the"
        " use restrictions in Schedule B.",
    ),
    (
        "only-under-terms-and-copy",
        "If you share the Model with others, you may only do so under the terms of"
        " this Agreement and must give them a copy of it.",
    ),
    (
        "users-comply-with-section",
        "You shall require all of your end users to comply with the terms of Section"
        " 5.",
    ),
    (
        "no-other-terms",
        "You cannot sublicense or distribute the Model or its derivatives under any"
        " other terms.",
    ),
]


@pytest.mark.parametrize(
    "text",
    [case[1] for case in FLOWDOWN_TERMS],
    ids=[case[0] for case in FLOWDOWN_TERMS],
)
def test_restriction_flowdown(text: str) -> None:
    assert len(_of_type(text, T.RESTRICTION_FLOWDOWN)) == 1


POLICY_TERMS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "guidelines-apply",
        "The Kestrel Display Guidelines apply to your use of the search feature.",
        {"policy": "Kestrel Display Guidelines", "updatable": False},
    ),
    (
        "terms-include",
        "These Terms include our Service Terms and our Content Policies.",
        {"policy": "Content Policies", "updatable": False},
    ),
    (
        "consistent-with-named-policy",
        "Use of the Model will be consistent with Kestrel's Responsible Research"
        " Policy.",
        {"policy": "Responsible Research Policy", "updatable": False},
    ),
]


@pytest.mark.parametrize(
    ("text", "params"),
    [case[1:] for case in POLICY_TERMS],
    ids=[case[0] for case in POLICY_TERMS],
)
def test_aup_incorporation(text: str, params: dict[str, Any]) -> None:
    found = _of_type(text, T.AUP_INCORPORATION)
    assert len(found) == 1
    assert found[0].params == params


def test_policy_name_without_a_known_core() -> None:
    assert aup_incorporation(
        "Use will be consistent with Kestrel’s Human Dignity Policy."
    ) == {"policy": "Human Dignity Policy", "updatable": False}
    assert aup_incorporation(
        "The Partner Display Guidelines apply to your use of the feature."
    ) == {"policy": "Partner Display Guidelines", "updatable": False}
    # a use policy named among others is preferred to the generic name
    assert aup_incorporation(
        "The Terms include our Sharing Policy, Usage Policies and other guidance."
    ) == {"policy": "Usage Policies", "updatable": False}


# --- class 3: permissions, disclaimers, advice, questions: no tag -------------

NEGATIVES: list[tuple[str, str]] = [
    ("question-heading", "Can I use Kestrel commercially?"),
    (
        "question-permission",
        "Do I need permission to use Kestrel in a commercial product?",
    ),
    ("question-outputs", "May I sell the images I generate with Kestrel?"),
    (
        "any-purpose",
        "You may use Output for any purpose, including commercial purposes.",
    ),
    ("no-other-rights", "No other rights are granted to you under this license."),
    (
        "sole-source-of-truth",
        "You should not rely on Output as the sole source of truth or factual"
        " information.",
    ),
    ("own-risk", "Your use of the Output is at your sole risk."),
    (
        "may-not-be-unique",
        "Output may not be unique, and other users may receive similar output.",
    ),
    (
        "should-not-be-relied",
        "Kestrel can produce wrong output and should not be relied on for medical"
        " advice.",
    ),
    ("intended-use", "Kestrel is intended for non-commercial research."),
    (
        "no-need-to-apply",
        "You may use Kestrel for commercial purposes without the need to apply for a"
        " license.",
    ),
    ("zh-no-application", "本模型支持商用，不需要申请授权。"),
    ("zh-welcome-form", "如需商用，遵循协议即可，欢迎您填写问卷告诉我们您的用途。"),
    ("zh-registered-users", "经过登记的用户可以免费使用本模型进行商业活动。"),
    (
        "zh-harmful-advice",
        "请谨慎使用模型生成的内容，请勿传播其中的有害信息。",
    ),
    (
        "sell-transfer-keys",
        "You may not buy, sell, or transfer API keys without our consent.",
    ),
    ("sell-rent-dataset", "You may not sell, rent, sublicense or lend the Dataset."),
    (
        "sell-to-persons",
        "If you are a reseller, do not sell to anyone you believe will misuse the"
        " products.",
    ),
    (
        "ownership-of-outputs",
        "Outputs created with the Kestrel Tools are and will remain the exclusive"
        " property of Kestrel Labs.",
    ),
    (
        "policy-described",
        "The Service includes filters that block content that violates our Content"
        " Policy.",
    ),
    (
        "termination-for-breach",
        "We may terminate these Terms if you materially breach Section 2 (Usage"
        " Requirements).",
    ),
    (
        "trade-name",
        "Nothing here grants you the right to use our trade names commercially.",
    ),
    (
        "link-bar",
        "[商业授权](#license) | [HuggingFace](https://huggingface.co/kestrel) |"
        " [技术报告](https://example.org/report) |",
    ),
    (
        "duty-after-license",
        "若您获得商用许可并将本模型用于商业用途，您应遵守商用许可协议中的限制。",
    ),
    ("allowed-list-item", "- ✅ Commercial use of generated images"),
    (
        "permission-granted",
        "Permission to use the Model for commercial purposes is hereby granted.",
    ),
    (
        "commercial-inquiries",
        "For commercial inquiries, please write to sales@kestrel.ai.",
    ),
    ("apply-the-model", "Users may apply the model to commercial tasks."),
    (
        "revenue-threshold",
        "Companies with annual revenue above $10 million must obtain a commercial"
        " license.",
    ),
    (
        "production-without-subscription",
        "For production use on your own workstation without a Kestrel Cloud"
        " subscription, you may install the Model.",
    ),
    (
        "license-copy-only",
        "If you give the Model to a third party, you must include a copy of this"
        " Agreement.",
    ),
    (
        "names-commercial-license",
        "Use of Kestrel is governed by the Kestrel License (a custom, commercial"
        " license agreement).",
    ),
]


@pytest.mark.parametrize(
    "text", [case[1] for case in NEGATIVES], ids=[case[0] for case in NEGATIVES]
)
def test_not_a_restriction(text: str) -> None:
    _, tags = _tags(text)
    assert [
        (t.clause_type, t.explanation.pattern_id) for t in tags if t.clause_type in MINE
    ] == []


# --- parameters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("You can't host the Model on websites or apps.", "hosting_prohibited"),
        ("❌ Sell this model", "non_commercial"),
        ("You may not monetize the Model.", "non_commercial"),
        ("For non-production use only.", "non_commercial"),
        ("This is only for research and not for commercial use.", "research_only"),
        ("如需商用，请联系我们。", "permission_required"),
        ("Production use requires a subscription.", "permission_required"),
    ],
)
def test_commercial_scope(text: str, scope: str) -> None:
    assert commercial_restriction(text) == {"scope": scope}
