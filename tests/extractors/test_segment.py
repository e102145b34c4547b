"""Segmentation into the sentences and list items clause spans are made of."""

from __future__ import annotations

import pytest

from extractors.segment import segment
from extractors.types import Segment, SegmentKind

S = SegmentKind.SENTENCE
I = SegmentKind.ITEM  # noqa: E741
H = SegmentKind.HEADING
R = SegmentKind.TABLE_ROW


def _check_invariants(text: str, segments: tuple[Segment, ...]) -> None:
    """Every span lies in the text, is trimmed, and segments come in order."""
    previous_end = 0
    for seg in segments:
        assert 0 <= seg.span.start < seg.span.end <= len(text)
        quote = text[seg.span.start : seg.span.end]
        assert quote == quote.strip(), quote
        assert not quote.startswith("*") and not quote.endswith("*"), quote
        assert seg.span.start >= previous_end
        previous_end = seg.span.end
        if seg.lead_in is not None:
            assert seg.kind is I
            assert seg.lead_in.end <= seg.span.start


def _parts(text: str) -> list[tuple[SegmentKind, str]]:
    segments = segment(text)
    _check_invariants(text, segments)
    return [(s.kind, text[s.span.start : s.span.end]) for s in segments]


CASES: list[tuple[str, str, list[tuple[SegmentKind, str]]]] = [
    (
        "legal-numbering",
        "1.b.iv. You must keep this notice.\n\n(a) You may copy the Model.\n"
        "iv. You may not sell it.\niv) You may not rent it.\n",
        [
            (I, "You must keep this notice."),
            (I, "You may copy the Model."),
            (I, "You may not sell it."),
            (I, "You may not rent it."),
        ],
    ),
    (
        "hard-wrap",
        "This sentence is hard wrapped\nover two lines by the author. Another"
        " sentence\nfollows it.\n",
        [
            (S, "This sentence is hard wrapped\nover two lines by the author."),
            (S, "Another sentence\nfollows it."),
        ],
    ),
    (
        "markdown-bullets-and-bold-numbers",
        "- You shall not misuse it.\n* You must credit us.\n"
        "**3.1.** You must follow the policy.\n+ **You must keep notices.**\n",
        [
            (I, "You shall not misuse it."),
            (I, "You must credit us."),
            (I, "You must follow the policy."),
            (I, "You must keep notices."),
        ],
    ),
    (
        "markdown-heading",
        "# Zephyr Terms\n\n## Use Restrictions\n\nYou must behave.\n",
        [(H, "Zephyr Terms"), (H, "Use Restrictions"), (S, "You must behave.")],
    ),
    (
        "title-line-above-text",
        "Attachment A\nYou agree not to use the Model for harm.\n",
        [(H, "Attachment A"), (S, "You agree not to use the Model for harm.")],
    ),
    (
        "standalone-title",
        "Use Restrictions\n\nYou must behave.\n",
        [(H, "Use Restrictions"), (S, "You must behave.")],
    ),
    (
        "semicolon-and",
        "You agree not to:\n(i) harm people; and\n(ii) break laws; or\n"
        "(iii) do other bad things.\n",
        [
            (S, "You agree not to:"),
            (I, "harm people;"),
            (I, "break laws;"),
            (I, "do other bad things."),
        ],
    ),
    (
        "quoted-notice",
        'You must show "Zephyr is licensed to you. All rights reserved." in the'
        " app. Then you may ship it.\n",
        [
            (
                S,
                'You must show "Zephyr is licensed to you. All rights reserved." in'
                " the app.",
            ),
            (S, "Then you may ship it."),
        ],
    ),
    (
        "abbreviations",
        "It was made in the U.S. by Zephyr Inc. and used e.g. by schools. A new"
        " sentence starts here.\n",
        [
            (S, "It was made in the U.S. by Zephyr Inc. and used e.g. by schools."),
            (S, "A new sentence starts here."),
        ],
    ),
    (
        "cjk",
        "第一条 你必须遵守本协议。你不得滥用本模型。\n",
        [(S, "你必须遵守本协议。"), (S, "你不得滥用本模型。")],
    ),
    (
        "code-fence",
        "Run it like this.\n\n```\nmodel.run(). Do not tag this.\n```\n\nDone now.\n",
        [(S, "Run it like this."), (S, "Done now.")],
    ),
    (
        "table-rows",
        "| term | value |\n|---|---|\n| You must pay. | yes |\n",
        [(R, "term | value"), (R, "You must pay. | yes")],
    ),
    (
        "crlf",
        "This sentence is hard wrapped\r\nover two lines. Another one.\r\n\r\n"
        "- Item one; and\r\n- Item two.\r\n",
        [
            (S, "This sentence is hard wrapped\r\nover two lines."),
            (S, "Another one."),
            (I, "Item one;"),
            (I, "Item two."),
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_segments(text: str, expected: list[tuple[SegmentKind, str]]) -> None:
    assert _parts(text) == expected


def test_list_items_carry_their_lead_in() -> None:
    text = "You agree not to:\n(a) harm people;\n(b) break laws.\n\nThe end.\n"
    segments = segment(text)
    _check_invariants(text, segments)
    lead, first, second, after = segments
    assert text[lead.span.start : lead.span.end] == "You agree not to:"
    assert first.lead_in == lead.span
    assert second.lead_in == lead.span
    assert after.lead_in is None
    assert first.block != second.block  # one block per item


def test_lead_in_does_not_leak_past_a_paragraph() -> None:
    text = "You agree not to:\n(a) harm people.\n\nA paragraph.\n\n(b) A later item.\n"
    segments = segment(text)
    assert segments[-1].kind is I
    assert segments[-1].lead_in is None


def test_sentences_of_one_paragraph_share_a_block() -> None:
    segments = segment("One sentence here. Two sentences here.\n\nNew paragraph.\n")
    assert [s.block for s in segments] == [0, 0, 1]


def test_front_matter_keys_are_their_own_blocks() -> None:
    text = "---\nlicense: other\nlicense_name: zephyr\n---\n\nYou must behave.\n"
    parts = _parts(text)
    assert parts[-1] == (S, "You must behave.")
    assert all("\n" not in quote for _, quote in parts)


@pytest.mark.parametrize("text", ["", "\n\n", "   \r\n", "---\n", "***\n", "```\n"])
def test_no_segments_without_words(text: str) -> None:
    assert segment(text) == ()


@pytest.mark.parametrize(
    "text", ["1.1 You must keep it.\n", "1.b.iv You must keep it.\n"]
)
def test_section_number_without_final_dot_is_stripped(text: str) -> None:
    assert _parts(text) == [(I, "You must keep it.")]


@pytest.mark.parametrize(
    "heading", ["## 2. Use Restrictions", "### Section 4. Governing Law"]
)
def test_numbered_markdown_heading_is_one_heading(heading: str) -> None:
    parts = _parts(f"{heading}\n\nYou must behave.\n")
    assert [kind for kind, _ in parts] == [H, S]


def test_invariants_on_a_mixed_document() -> None:
    text = (
        "# **Zephyr** Terms\r\n\r\n"
        "**1. Grant.** You may use the Model.  \r\n"
        "   * nested bullet with trailing spaces   \r\n"
        "> quoted line of text.\r\n"
        "__Underlined heading__\r\n"
        "(c)\r\n"
        "Ends without punctuation\r\n"
    )
    _check_invariants(text, segment(text))


def test_a_wrapped_line_starting_with_a_number_continues_its_sentence() -> None:
    text = (
        "Should your services reach more than\n"
        "700 million monthly users, you need a license.\n"
        "1 Definitions\n"
    )
    quotes = [text[s.span.start : s.span.end] for s in segment(text)]
    assert quotes == [
        "Should your services reach more than\n"
        "700 million monthly users, you need a license.",
        "1 Definitions",
    ]


def test_html_block_tags_cut_paragraphs_and_items() -> None:
    # a model card's terms written in HTML, CRLF, no blank line between tags
    text = (
        "<p>To keep the community open, you are required to:\r\n"
        '  </p>\r\n  <ul class="terms">\r\n'
        "    <li>Share the details of any derived model.</li>\r\n"
        "    <li>Do <strong>not</strong> sell the weights.</li>\r\n"
        "  </ul><p>Thanks for reading.<br>Have fun.</p>\r\n"
    )
    segments = segment(text)
    _check_invariants(text, segments)
    got = [(seg.kind, text[seg.span.start : seg.span.end]) for seg in segments]
    assert got == [
        (S, "To keep the community open, you are required to:"),
        (I, "Share the details of any derived model."),
        (I, "Do <strong>not</strong> sell the weights."),
        (S, "Thanks for reading."),
        (S, "Have fun."),
    ]
    lead = segments[0].span
    assert segments[1].lead_in == lead and segments[2].lead_in == lead


def test_a_marked_line_carries_its_mark_past_a_line_break() -> None:
    # a permission list in two languages: the mark opens the line, the
    # translation follows a <br>; it is the same item, led by the marked part
    text = (
        "🚫 本モデルを販売する行為<br>\n　 The act of selling this model\n\n"
        "Plain text.<br>\nMore plain text.\n"
    )
    segments = segment(text)
    _check_invariants(text, segments)
    got = [(seg.kind, text[seg.span.start : seg.span.end]) for seg in segments]
    assert got == [
        (S, "🚫 本モデルを販売する行為"),
        (I, "The act of selling this model"),
        (S, "Plain text."),
        (S, "More plain text."),
    ]
    assert segments[1].lead_in == segments[0].span


@pytest.mark.parametrize(
    ("first", "heading"),
    [
        ("Use of the Model and Its Outputs", True),
        ("Terms for Research Use", True),
        ("You may not use the Model or any", False),
        ("Licensee will not use the Outputs", False),
    ],
)
def test_a_title_case_line_over_text_is_a_heading_only_in_title_case(
    first: str, heading: bool
) -> None:
    # minor words (of, the, and, for) may stay lower case in a title; "may",
    # "not", "use" mean the line opens a hard-wrapped sentence
    text = f"{first}\nDerivatives for any commercial purpose.\n"
    kinds = [s.kind for s in segment(text)]
    expected = (
        [SegmentKind.HEADING, SegmentKind.SENTENCE]
        if heading
        else [SegmentKind.SENTENCE]
    )
    assert kinds == expected


def test_front_matter_entries_are_their_values_or_sentence_keys() -> None:
    text = (
        "---\n"
        "license: other\n"
        "extra_gated_prompt: >-\n"
        "  You agree to the terms.\n"
        "  Note: the terms may change.\n"
        "extra_gated_fields:\n"
        "  Country: country\n"
        "  I accept the licence terms above: checkbox\n"
        'extra_gated_button_content: "Request access"\n'
        "---\n"
        "Body text here.\n"
    )
    parts = [text[s.span.start : s.span.end] for s in segment(text)]
    assert parts == [
        "other",
        "You agree to the terms.",
        "Note: the terms may change.",
        "country",
        "I accept the licence terms above",
        "Request access",
        "Body text here.",
    ]
    assert all(s.kind is SegmentKind.SENTENCE for s in segment(text))
