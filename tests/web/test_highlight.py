"""Overlapping clauses become non-overlapping pieces carrying every type."""

from __future__ import annotations

from service.web.diff_view import fmt_value, mark_words
from service.web.highlight import Span, render_text, split


def test_overlaps_are_split_into_pieces_with_all_types() -> None:
    a = Span("usage_threshold", 2, 10, 0.9)
    b = Span("attribution", 6, 14, 0.8)
    pieces = split(20, [a, b], [(12, 18)])
    assert [(p.start, p.end) for p in pieces] == [
        (0, 2),
        (2, 6),
        (6, 10),
        (10, 12),
        (12, 14),
        (14, 18),
        (18, 20),
    ]
    assert [len(p.spans) for p in pieces] == [0, 1, 2, 1, 1, 0, 0]
    assert [p.cited for p in pieces] == [False] * 4 + [True, True, False]
    assert [p.opens for p in pieces] == [False, True, True, False, False, False, False]


def test_rendered_text_is_escaped_and_keeps_every_character() -> None:
    text = 'a <b> & "c" d e f g'
    html = str(render_text(text, [Span("attribution", 2, 5, 0.5)], [(6, 7)]))
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert 'data-start="2" data-end="5"' in html
    assert 'title="Attribution (score 0.50)"' in html
    assert '<span class="cited" data-start="6" data-end="7"' in html


def test_review_marks_carry_keys_and_strike_only_what_all_rejected() -> None:
    rejected = Span("attribution", 0, 6, 0.5, key="x0", status="rejected")
    added = Span("governing_law", 4, 10, None, key="a1", status="accepted")
    html = str(render_text("abcdefghijkl", [rejected, added], []))
    marks = html.split("</mark>")
    assert 'class="clause t-attribution opens rejected"' in marks[0]
    assert 'data-keys="x0"' in marks[0]
    assert 'title="Attribution (score 0.50, rejected)"' in marks[0]
    # the overlap takes the colour of the clause still kept and is not struck
    assert 'class="clause t-governing_law multi opens"' in marks[1]
    assert 'data-keys="x0 a1"' in marks[1]
    assert "Governing law (added, accepted)" in marks[1]
    assert 'class="clause t-governing_law"' in marks[2]


def test_param_values_and_word_changes_read_well() -> None:
    assert fmt_value(700_000_000) == "700,000,000"
    assert fmt_value(1e9) == "1,000,000,000"
    assert fmt_value(["EU", "UK"]) == "EU, UK"
    assert fmt_value(None) == "—"
    old, new = mark_words("exceed 700 million users", "exceed 1 billion users")
    assert str(old) == "exceed <del>700 million</del> users"
    assert str(new) == "exceed <ins>1 billion</ins> users"
