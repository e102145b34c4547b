"""JSON Lines submissions: accepted shapes, and refusals that name the line."""

from __future__ import annotations

import pytest

from service.batches.jsonl import BatchInputError, check_unique, parse_jsonl


def test_text_and_markdown_cards_with_blank_lines() -> None:
    body = (
        b'{"id": "a", "text": "Some terms."}\n'
        b"\n"
        b'{"id": 7, "markdown": "---\\nlicense: mit\\n---\\n# M\\n"}\r\n'
    )
    cards = parse_jsonl(body, max_items=10)
    assert [(c.item_id, c.kind, c.line) for c in cards] == [
        ("a", "text", 1),
        ("7", "markdown", 3),
    ]
    assert cards[1].content == b"---\nlicense: mit\n---\n# M\n"
    assert cards[1].name == "7.md"


def test_empty_text_is_accepted_here_and_failed_later() -> None:
    [card] = parse_jsonl(b'{"id": "e", "text": ""}', max_items=1)
    assert card.content == b""


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (b'{"id": "a", "text": "x"}\n{"id": "b", "text": \n', 2, "not valid JSON"),
        (b'{"id": "a", "text": "x"}\n\n["a"]\n', 3, "expected a JSON object, got list"),
        (b'{"text": "x"}\n', 1, "missing 'id'"),
        (b'{"id": "", "text": "x"}\n', 1, "'id' is empty"),
        (b'{"id": "a"}\n', 1, "exactly one of 'text' or 'markdown'"),
        (b'{"id": "a", "text": "x", "markdown": "y"}', 1, "both given"),
        (b'{"id": "a", "text": 5}', 1, "'text' must be a string"),
        (
            b'{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n'
            b'{"id": "a", "text": "z"}',
            3,
            "duplicate id 'a' (first on line 1)",
        ),
        (
            b'{"id": "a", "text": "x"}\n{"id": "b", "text": "\xff"}',
            2,
            "not valid UTF-8",
        ),
        (b'{"id": "a", "text": "\\ud800"}', 1, "'text' contains a lone surrogate"),
        (b'{"id": "a\\u0000", "text": "x"}', 1, "'id' contains a NUL character"),
        (b'{"id": "a", "text": "x", "n": ' + b"[" * 40 + b"]" * 40 + b"}", 1, "deeper"),
        (b'{"id": "a", "text": "x", "n": ' + b"9" * 5000 + b"}", 1, "too long"),
        (b'{"id": "' + b"a" * 301 + b'", "text": "x"}', 1, "over 300 characters"),
    ],
)
def test_refusals_name_the_line(body: bytes, line: int, message: str) -> None:
    with pytest.raises(BatchInputError) as caught:
        parse_jsonl(body, max_items=10)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")


def test_too_many_cards_and_no_cards() -> None:
    body = b"".join(b'{"id": "%d", "text": "x"}\n' % n for n in range(4))
    with pytest.raises(BatchInputError, match="line 4: more than 3 cards"):
        parse_jsonl(body, max_items=3)
    with pytest.raises(BatchInputError, match="no cards"):
        parse_jsonl(b"\n \n", max_items=3)


def test_multipart_names_must_be_unique() -> None:
    cards = parse_jsonl(b'{"id": "a", "text": "x"}', max_items=1) * 2
    with pytest.raises(BatchInputError, match="duplicate file name 'a'"):
        check_unique(cards, max_items=5)
