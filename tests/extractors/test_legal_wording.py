"""Attribution, law, place, change, litigation and threshold clauses in many wordings.

Each class of error seen on unseen documents has its own block: Creative
Commons-style and plain-English attribution duties, Chinese and Japanese
wording, arbitration bodies versus arbitration procedure, sanctions and
supported-region limits, litigation termination stated beside breach
termination, and policy or agreement change statements. Every sentence here
is written for this test (a paraphrase a new document could use), never taken
from the corpus. Each sits in a small document between a heading and an
unrelated sentence, so the tests also check that the tag cites exactly the
sentence.
"""

from __future__ import annotations

from typing import Any

import pytest

from extractors.labels import ClauseType
from extractors.params import (
    attribution,
    geographic_restriction,
    governing_law,
    unilateral_change,
    usage_threshold,
)
from extractors.types import ClauseTag, Document
from tests.extractors.framing import framed_tags

T = ClauseType
MINE = frozenset(
    {
        T.ATTRIBUTION,
        T.GOVERNING_LAW,
        T.GEOGRAPHIC_RESTRICTION,
        T.UNILATERAL_CHANGE,
        T.LITIGATION_TERMINATION,
        T.USAGE_THRESHOLD,
    }
)
HEAD = "Heron Model Terms\n\n"
TAIL = "\n\nHeron was trained on licensed text.\n"


def _tags(text: str) -> tuple[Document, tuple[ClauseTag, ...]]:
    return framed_tags(text, head=HEAD, tail=TAIL, name="terms.md")


def _mine(text: str) -> list[ClauseTag]:
    return [tag for tag in _tags(text)[1] if tag.clause_type in MINE]


def _assert_tagged(text: str, expected: ClauseType) -> ClauseTag:
    document, tags = _tags(text)
    found = [tag for tag in tags if tag.clause_type in MINE]
    assert [tag.clause_type for tag in found] == [expected], text
    [tag] = found
    assert document.text[tag.span.start : tag.span.end] == text
    return tag


# --- class 1: attribution, Creative Commons style and plain English --------

ATTRIBUTION: list[tuple[str, str, Any]] = [
    (
        "cc-deed",
        "You must give appropriate credit, provide a link to the license, and"
        " indicate if changes were made.",
        ["license_copy", "display_notice", "modification_notice"],
    ),
    (
        "cc-creator-identification",
        "identification of the author(s) of the Work and of anyone else designated"
        " to receive attribution, in any reasonable way the Licensor asks for;",
        "retain_notices",
    ),
    (
        "cc-indicate-modified",
        "indicate if You changed the Work and retain an indication of any previous"
        " modifications;",
        "modification_notice",
    ),
    (
        "cc-indicate-license",
        "indicate that the Work is licensed under this Public License, and include"
        " the text of, or the URI or hyperlink to, this Public License.",
        "license_copy",
    ),
    (
        "name-and-link",
        "Please state the full model name (Heron Tiny 2) and include a link to the"
        " model page when you host it.",
        "display_notice",
    ),
    (
        "mandates-acknowledgment",
        "Every deployment of the Heron checkpoints mandates explicit acknowledgment"
        " of the original developers.",
        "display_notice",
    ),
    (
        "credit-must-be-given",
        "Credit must be given to Heron Labs in any product built on the model.",
        "display_notice",
    ),
    (
        "say-so-if-changed",
        "If you altered the checkpoint, say so in your release notes.",
        "modification_notice",
    ),
    (
        "without-credit-prohibited",
        "Publishing merged checkpoints without crediting the original model is not"
        " allowed.",
        "display_notice",
    ),
    (
        "cannot-alter-notices",
        "You cannot alter any copyright, trademark or other notice shipped with the"
        " checkpoints.",
        "retain_notices",
    ),
    (
        "copy-of-named-license",
        "You must give every recipient a copy of the Heron OpenRAIL-M license with"
        " the weights.",
        "license_copy",
    ),
    (
        "name-anywhere",
        'Any fine-tuned variant you publish must include "Heron" in its name.',
        "naming_prefix",
    ),
    (
        "zh-source-and-author",
        "转发或改编本模型时须注明出处，并保留原作者信息。",
        ["display_notice", "retain_notices"],
    ),
    (
        "zh-source-and-link",
        "二次发布时须附上本模型的来源及本许可协议链接。",
        ["display_notice", "license_copy"],
    ),
    ("zh-keep-copyright", "您不得删除或篡改模型文件中的版权声明。", "retain_notices"),
    (
        "zh-keep-author",
        "再次分发时请保留原作者信息。",
        "retain_notices",
    ),
    (
        "ja-keep-notice",
        "再配布する場合は、著作権表示を保持してください。",
        "retain_notices",
    ),
    (
        "disclose-derived",
        "Anyone publishing a variant must clearly state that the variant is derived"
        " from Heron.",
        "display_notice",
    ),
    (
        "ja-credit",
        "本モデルを公開する際は、クレジットを表記してください。",
        "display_notice",
    ),
    (
        "ja-no-credit",
        "クレジット表記をせずに本モデルを再配布することは禁止します。",
        "display_notice",
    ),
]


@pytest.mark.parametrize(
    ("text", "kind"),
    [(text, kind) for _, text, kind in ATTRIBUTION],
    ids=[name for name, _, _ in ATTRIBUTION],
)
def test_attribution_wording_is_tagged(text: str, kind: Any) -> None:
    tag = _assert_tagged(text, T.ATTRIBUTION)
    got = tag.params["kind"]
    if isinstance(kind, list):
        assert sorted(got) == sorted(kind)
    else:
        assert got == kind


def test_attribution_text_taken_from_the_name_in_parentheses() -> None:
    params = attribution(
        "Please state the full model name (Heron Tiny 2) and link to the model card."
    )
    assert params == {"kind": "display_notice", "text": "Heron Tiny 2"}


def test_attribution_text_in_straight_then_curly_quotes() -> None:
    params = attribution(
        'You must keep the following notice in a "NOTICE" text file: "Heron is'
        " licensed under the Heron Community License, Copyright Heron Labs.”"
    )
    assert params["text"] == (
        "Heron is licensed under the Heron Community License, Copyright Heron Labs."
    )


def test_keeping_and_marking_notices_gives_both_kinds() -> None:
    params = attribution(
        "You may not change or remove copyright notices in the Model, and you must"
        " cause any modified files to carry prominent notices stating that you"
        " changed the files."
    )
    assert sorted(params["kind"]) == ["modification_notice", "retain_notices"]


NOT_ATTRIBUTION = [
    "If our checkpoints help your research, please cite our paper.",
    "We kindly ask, but do not require, that you cite the report below.",
    "You may redistribute the weights without attribution.",
    "Credit to the authors is appreciated but not required.",
    "Neither the name of Heron Labs nor the names of its contributors may be used"
    " to endorse products derived from this model.",
    "The assistant adds citations that show the source of each answer.",
    "We changed the tokenizer and describe the changes in the release notes.",
    "To apply this license to your own model, attach the following boilerplate notice.",
    "Generating content without attribution to the model is considered misuse.",
    "You will comply with applicable law, which may require attribution to your users.",
    "本模型的作者保留所有权利。",
    "We thank the original authors of the base model for their work.",
]


@pytest.mark.parametrize("text", NOT_ATTRIBUTION)
def test_citation_requests_and_permissions_are_not_attribution(text: str) -> None:
    assert [t.clause_type for t in _mine(text)] == []


# --- class 2 and 3: governing law, courts, arbitration bodies -------------

GOVERNING: list[tuple[str, str, str | None]] = [
    (
        "zh-interpretation",
        "本协议的订立、解释及争议解决，均应依照中华人民共和国法律。",
        "CN",
    ),
    ("zh-court", "与本协议有关的争议，由许可方所在地人民法院管辖。", "CN"),
    ("ja-law", "本規約は日本法に準拠し、同法に従って解釈されます。", "JP"),
    (
        "arbitration-body",
        "Either party may start binding arbitration through the Northwind Dispute"
        " Centre.",
        None,
    ),
    (
        "arbitration-administered",
        "All disputes will be finally resolved by arbitration administered by the"
        " Singapore International Arbitration Centre.",
        "SG",
    ),
    (
        "arbitration-act",
        "The Federal Arbitration Act governs the interpretation of this section.",
        "US",
    ),
    (
        "courts-exclusively",
        "All claims relating to these Terms will be brought exclusively in the state"
        " or federal courts of King County, Washington.",
        "US-WA",
    ),
    (
        "licensee-law-with-act",
        "The laws of your state of residence govern these Terms, except that the"
        " Federal Arbitration Act governs this arbitration agreement.",
        "US",
    ),
]


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [(text, code) for _, text, code in GOVERNING],
    ids=[name for name, _, _ in GOVERNING],
)
def test_governing_law_wording_is_tagged(text: str, jurisdiction: str | None) -> None:
    tag = _assert_tagged(text, T.GOVERNING_LAW)
    assert tag.params.get("jurisdiction") == jurisdiction


def test_law_of_the_licensees_place_has_no_jurisdiction() -> None:
    assert governing_law("The laws of the country where you reside apply.") == {
        "jurisdiction": None
    }


def test_place_of_organisation_is_not_the_governing_law() -> None:
    text = (
        "Heron Labs, a company organised under the laws of Ireland, grants this"
        " License, which is governed by the laws of the State of New York."
    )
    assert governing_law(text) == {"jurisdiction": "US-NY"}


NOT_GOVERNING = [
    "The seat of arbitration is Geneva and the language of the arbitration is French.",
    "The hearing may take place by videoconference or by telephone.",
    "The tribunal will consist of a sole arbitrator.",
    "Each party bears its own costs of arbitration.",
    "This arbitration clause does not require arbitration of claims brought in"
    " small claims court.",
    "If 50 or more similar claims are filed, they will be arbitrated in batches.",
    "If a court of competent jurisdiction finds any term unenforceable, the rest"
    " remains in effect.",
    "You must comply with all export control laws of the United States.",
    "Heron Labs is a corporation organized under the laws of the State of Delaware.",
    "使用者应遵守中华人民共和国法律法规，不得将模型用于违法用途。",
    "本协议的最终解释权归发布者所有。",
]


@pytest.mark.parametrize("text", NOT_GOVERNING)
def test_arbitration_procedure_and_compliance_are_not_governing_law(text: str) -> None:
    assert [t.clause_type for t in _mine(text)] == []


# --- class 3 and 5: sanctions, residency and supported regions -------------

GEOGRAPHIC: list[tuple[str, str, list[str], str]] = [
    (
        "residency",
        "You represent that you are not resident in, or organised under the laws"
        " of, Cuba, Iran, North Korea or Syria.",
        ["CU", "IR", "KP", "SY"],
        "excluded",
    ),
    (
        "export-named",
        "You will not export the Model to any country subject to U.S. export"
        " restrictions, including Belarus, Russia and the Crimea region.",
        ["BY", "RU", "UA"],
        "excluded",
    ),
    (
        "supported-geographies",
        "You may use the Services only in geographies currently supported by Heron.",
        [],
        "only",
    ),
    (
        "available-region",
        "You may only call the API from within an available region.",
        [],
        "only",
    ),
    (
        "unsupported-regions",
        "Access to the Services from unsupported countries is prohibited.",
        [],
        "only",
    ),
    (
        "does-not-apply-in",
        "This License does not apply to users located in the European Union.",
        ["EU"],
        "excluded",
    ),
]


@pytest.mark.parametrize(
    ("text", "regions", "mode"),
    [(text, regions, mode) for _, text, regions, mode in GEOGRAPHIC],
    ids=[name for name, _, _, _ in GEOGRAPHIC],
)
def test_geographic_wording_is_tagged(text: str, regions: list[str], mode: str) -> None:
    tag = _assert_tagged(text, T.GEOGRAPHIC_RESTRICTION)
    assert tag.params == {"regions": regions, "mode": mode}


def test_only_that_qualifies_a_service_is_not_an_only_region() -> None:
    params = geographic_restriction(
        "You may use only paid plans when serving users in the European Economic"
        " Area or Switzerland."
    )
    assert params == {"regions": ["EEA", "CH"], "mode": "excluded"}


NOT_GEOGRAPHIC = [
    "You will not export or re-export the Model in violation of U.S. export laws.",
    "You must comply with all applicable sanctions and embargo regulations.",
    "You may not use the Model if you are located in a comprehensively sanctioned"
    " jurisdiction.",
    "The Service runs in many regions around the world.",
    "The model understands English, Russian and Korean.",
]


@pytest.mark.parametrize("text", NOT_GEOGRAPHIC)
def test_generic_trade_compliance_is_not_geographic(text: str) -> None:
    assert [t.clause_type for t in _mine(text)] == []


# --- class 4: litigation termination beside breach termination -------------

LITIGATION = [
    "This License ends automatically if you breach it or if you commence or"
    " participate in any legal proceeding against Heron Labs concerning the Model.",
    "If you assert a patent claim against any contributor over the Model, your"
    " rights under this License terminate on the date you file it.",
    "如您对许可方提起任何知识产权诉讼，本协议授予您的权利自动终止。",
]


@pytest.mark.parametrize("text", LITIGATION)
def test_litigation_termination_is_tagged(text: str) -> None:
    _assert_tagged(text, T.LITIGATION_TERMINATION)


NOT_LITIGATION = [
    "This License terminates automatically if you fail to comply with any of its"
    " terms.",
    "We may suspend or terminate your account and take action against you if you"
    " break these rules.",
    "Upon termination you must delete every copy of the Model.",
    "You will indemnify Heron Labs against any claim, lawsuit or proceeding arising"
    " from your use, including after termination.",
]


@pytest.mark.parametrize("text", NOT_LITIGATION)
def test_termination_for_breach_alone_is_not_litigation(text: str) -> None:
    assert T.LITIGATION_TERMINATION not in [t.clause_type for t in _mine(text)]


# --- class 2 and 6: changes to the agreement or a policy --------------------

CHANGES: list[tuple[str, str]] = [
    ("Our usage guidelines will evolve over time as the product grows.", "policy"),
    (
        "Heron Labs may publish revised versions of this agreement at any time.",
        "agreement",
    ),
    ("These Terms are subject to change without notice.", "agreement"),
    (
        '"Use Policy" means the latest version of the Heron use policy posted on our'
        " site.",
        "policy",
    ),
    ("本协议存在不定期发布修订版的可能。", "agreement"),
    ("发布者有权随时更新本协议。", "agreement"),
    ("本协议的更新版本将发布在官方网站上。", "agreement"),
    ("本規約は予告なく変更される場合があります。", "agreement"),
]


@pytest.mark.parametrize(("text", "target"), CHANGES)
def test_change_statement_is_tagged(text: str, target: str) -> None:
    tag = _assert_tagged(text, T.UNILATERAL_CHANGE)
    assert tag.params == {"target": target}


NOT_CHANGES = [
    "如果您违反本协议，许可方有权终止本协议并要求您删除模型。",
    "使用者有权通过调整参数的方式修改模型，以得到派生模型。",
    "We may update the model weights from time to time.",
    "Heron Labs may change its prices from time to time.",
    "You may not modify the terms of this License.",
    "This model card will be updated over time.",
]


@pytest.mark.parametrize("text", NOT_CHANGES)
def test_model_changes_and_termination_are_not_agreement_changes(text: str) -> None:
    assert T.UNILATERAL_CHANGE not in [t.clause_type for t in _mine(text)]


def test_change_target_of_a_policy() -> None:
    assert unilateral_change("Our policies may change.") == {"target": "policy"}


# --- usage thresholds counted in people --------------------------------------


def test_small_team_threshold_is_tagged_with_its_value() -> None:
    tag = _assert_tagged(
        "You may use the outputs commercially in teams of 25 or fewer.",
        T.USAGE_THRESHOLD,
    )
    assert tag.params == {
        "thresholds": [
            {"metric": "other", "value": 25, "consequence": "rights_terminate"}
        ]
    }


def test_employee_threshold_needs_a_license() -> None:
    params = usage_threshold(
        "Organisations with more than 100 employees must obtain a commercial license."
    )
    assert params["thresholds"] == [
        {"metric": "other", "value": 100, "consequence": "license_required"}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The model was built by a team of 12 researchers.",
        "Users must be at least 18 years old.",
        "See Section 10 for the terms that apply to teams.",
    ],
)
def test_small_numbers_that_count_no_business_are_not_thresholds(text: str) -> None:
    assert T.USAGE_THRESHOLD not in [t.clause_type for t in _mine(text)]
