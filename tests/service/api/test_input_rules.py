"""The input rules: storable text, and JSON decoded within bounds."""

from __future__ import annotations

import json

import pytest

from service.input_rules import (
    JsonLimitError,
    loads_bounded,
    storable_tree,
    unencodable,
    unstorable,
)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\n"], "b": {"c": {}}}',
        "[]",
        '"just a string"',
        "12",
        '{"a": 1, "a": 2}',
        "[[[[[1]]]]]",
    ],
)
def test_decodes_as_the_stdlib_does(text: str) -> None:
    assert loads_bounded(text) == json.loads(text)
    assert loads_bounded(text.encode()) == json.loads(text)


@pytest.mark.parametrize("text", ['{"a":', "[1,]", '{"a" 1}', "[1] x", ""])
def test_malformed_json_is_a_decode_error(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_bounded(text)


def test_bounds_stop_the_scan_before_the_end() -> None:
    """Garbage after the bound is never reached: the bound is met first."""
    wide = "[" + "0, " * 50 + "oops"
    with pytest.raises(JsonLimitError, match="more than 40 members"):
        loads_bounded(wide, max_members=40)
    keys = "{" + ", ".join(f'"k{n}": {n}' for n in range(50)) + ", oops"
    with pytest.raises(JsonLimitError, match="more than 40 members"):
        loads_bounded(keys, max_members=40)
    with pytest.raises(JsonLimitError, match="deeper than 8 levels"):
        loads_bounded("[" * 9 + "oops", max_depth=8)
    assert loads_bounded("[" * 8 + "]" * 8, max_depth=8) == json.loads(
        "[" * 8 + "]" * 8
    )


def test_numbers_too_long_to_convert_are_a_limit() -> None:
    with pytest.raises(JsonLimitError, match="number too long"):
        loads_bounded('{"n": ' + "9" * 5000 + "}")


def test_bytes_must_be_utf8() -> None:
    with pytest.raises(UnicodeDecodeError):
        loads_bounded(b'{"a": "\xff"}')


def test_unstorable_names_nul_and_surrogates_with_their_position() -> None:
    assert unstorable("fine, caf\u00e9 \U0001f600") is None
    assert unstorable("ab\x00c") == "contains a NUL character (U+0000) at character 2"
    reason = unstorable("a\ud83d")
    assert reason is not None and "lone surrogate (U+D83D) at character 1" in reason
    assert unencodable("NUL \x00 is encodable") is None


def test_storable_tree_checks_keys_and_nested_strings() -> None:
    assert storable_tree({"a": [1, "b", {"c": None}]}) == {"a": [1, "b", {"c": None}]}
    with pytest.raises(ValueError, match="NUL"):
        storable_tree({"a": [{"b": ["c\x00"]}]})
    with pytest.raises(ValueError, match="surrogate"):
        storable_tree({"a\udc00": 1})
