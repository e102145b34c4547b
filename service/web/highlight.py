"""Turn a document's text and clause spans into highlighted, citable HTML.

Clauses may overlap, and a citation need not match a clause, so the text is
cut at every clause and citation boundary into non-overlapping pieces. A
piece inside clauses becomes a `<mark>` carrying all their types; a piece
only inside a citation becomes a `<span>`. Every such element has
`data-start`/`data-end`, which is how a citation button finds its span.
Marks are focusable from code only (`tabindex="-1"`): a long license has
thousands, and as tab stops they stood between a keyboard user and the
findings; the page script moves focus between clauses with `j`/`k`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from service.web.vocabulary import type_style


@dataclass(frozen=True, slots=True)
class Span:
    """A clause's type, score and where it starts and ends in the text.

    A reviewed clause also has its review `key` (the page script finds its
    pieces by it) and `status`; one a reviewer added has no score.
    """

    clause_type: str
    start: int
    end: int
    score: float | None
    key: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of text, the clauses covering it, and whether a clause starts."""

    start: int
    end: int
    spans: tuple[Span, ...]
    cited: bool
    opens: bool


def citation_ranges(findings: Iterable[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """Return the (start, end) of every citation of the findings."""
    return [
        (int(c["start"]), int(c["end"]))
        for f in findings
        for c in f.get("citations", [])
    ]


def split(
    length: int, spans: Sequence[Span], cited: Sequence[tuple[int, int]]
) -> list[Piece]:
    """Cut [0, length) at every boundary; return the pieces in order.

    One sweep over the sorted boundaries, keeping the clauses and citations
    open at each: linear in the pieces (plus the overlap depth), where
    testing every clause and citation against every piece took seconds on a
    500 KB license with two thousand clauses.
    """
    cuts = {0, length}
    for span in spans:
        cuts.update((span.start, span.end))
    for start, end in cited:
        cuts.update((start, end))
    bounds = sorted(b for b in cuts if 0 <= b <= length)
    span_events = _events((s.start, s.end) for s in spans)
    cite_events = _events(cited)
    open_spans: set[int] = set()
    open_cites = 0
    next_span = next_cite = 0
    pieces = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        while next_span < len(span_events) and span_events[next_span][0] <= start:
            _, delta, index = span_events[next_span]
            if delta > 0:
                open_spans.add(index)
            else:
                open_spans.discard(index)
            next_span += 1
        while next_cite < len(cite_events) and cite_events[next_cite][0] <= start:
            open_cites += cite_events[next_cite][1]
            next_cite += 1
        covering = tuple(spans[i] for i in sorted(open_spans))
        opens = any(s.start == start for s in covering)
        pieces.append(Piece(start, end, covering, open_cites > 0, opens))
    return pieces


def _events(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Return (position, +1 open / -1 close, index) of each non-empty range, sorted.

    A sweep applies every event at or before a piece's start, so a range is
    open on exactly the pieces with start <= piece start < end.
    """
    events = []
    for index, (start, end) in enumerate(ranges):
        if start < end:
            events += [(start, 1, index), (end, -1, index)]
    return sorted(events)


def render_text(
    text: str, spans: Sequence[Span], cited: Sequence[tuple[int, int]]
) -> Markup:
    """Return the escaped text with a `<mark>` per clause piece."""
    parts: list[str] = []
    for piece in split(len(text), spans, cited):
        body = escape(text[piece.start : piece.end])
        if piece.spans:
            parts.append(_mark(piece, body))
        elif piece.cited:
            parts.append(
                f'<span class="cited" data-start="{piece.start}" '
                f'data-end="{piece.end}" tabindex="-1">{body}</span>'
            )
        else:
            parts.append(str(body))
    return Markup(_page_breaks("".join(parts)))


def _page_breaks(html: str) -> str:
    """Show each form feed (a PDF page break) as a labelled page separator."""
    pieces = html.split("\f")
    out = [pieces[0]]
    for number, rest in enumerate(pieces[1:], start=2):
        out.append(f'<span class="page-break" role="separator">page {number}</span>')
        out.append(rest)
    return "".join(out)


def _name(span: Span) -> str:
    """Return a span as the title reads it: type, then score and review status."""
    notes = [f"score {span.score:.2f}" if span.score is not None else "added"]
    if span.status and span.status != "pending":
        notes.append(span.status)
    return f"{type_style(span.clause_type).label} ({', '.join(notes)})"


def _mark(piece: Piece, body: Markup) -> str:
    """Return one clause piece: colour class, badge, and type and score as title.

    The `title` is the accessible description (the `mark` role may not be
    named); the page script also announces it in a live region on focus. A
    piece only rejected clauses cover is struck through (`rejected`); its
    colour is that of the first clause still kept, if any.
    """
    kept = [s for s in piece.spans if s.status != "rejected"]
    first = type_style((kept or piece.spans)[0].clause_type)
    names = "; ".join(_name(s) for s in piece.spans)
    types = " ".join(s.clause_type for s in piece.spans)
    classes = ["clause", f"t-{first.value}"]
    if len(piece.spans) > 1:
        classes.append("multi")
    if piece.opens:
        classes.append("opens")
    if not kept:
        classes.append("rejected")
    keys = " ".join(s.key for s in piece.spans if s.key)
    review = f' data-keys="{escape(keys)}"' if keys else ""
    abbr = "+".join(dict.fromkeys(type_style(s.clause_type).abbr for s in piece.spans))
    return (
        f'<mark class="{" ".join(classes)}" data-start="{piece.start}" '
        f'data-end="{piece.end}" data-types="{escape(types)}"{review} '
        f'data-abbr="{escape(abbr)}" tabindex="-1" title="{escape(names)}">'
        f"{body}</mark>"
    )
