"""Segmentation: split a document into the sentences and list items spans are made of.

ANNOTATION.md defines a clause span as the smallest run of whole sentences or
list items, without list markers, section numbers or Markdown markup at the
edges. This stage finds those units once, so every tagger cites the same
boundaries. It works on the raw text (never rewritten) in two passes:

1. lines -> blocks: a blank line, a list marker, a heading, a table row or a
   front-matter key starts a new block; any other line continues the current
   block (hard-wrapped text stays one block, newlines included);
2. blocks -> sentences: a block is cut after `.`, `!` or `?` (or CJK `。！？`)
   when the next word starts a sentence and the word before is not an
   abbreviation (`U.S.`, `e.g.`, `Inc.`).

Each segment is trimmed of markers and markup at its edges and of a trailing
`and`/`or` after a final `;`. A list item remembers the lead-in sentence that
introduced its list (`You agree not to:`) because its meaning depends on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from extractors.types import CharSpan, Segment, SegmentKind

_ROMAN = r"[ivxlcdm]{1,6}"
_PART = rf"(?:\d{{1,3}}|[A-Za-z]|{_ROMAN})"
_MARKER = re.compile(
    r"[ \t]*(?:>[ \t]*)?"
    r"(?:"
    r"[-*+•·▪◦‣][ \t]+"  # bullets
    rf"|\(?{_PART}(?:\.{_PART})*[.)](?:[ \t]+|(?=\*\*))"  # 1.  1.b.iv  a)  (b)  iv.
    rf"|\({_PART}\)[ \t]*"  # (a)
    rf"|\d{{1,3}}(?:\.{_PART})+[ \t]+"  # 1.1  1.b.iv (no final dot)
    r"|(?:section|article|clause)[ \t]+\d+(?:\.\d+)*[.:]?[ \t]+"
    r"|第[一二三四五六七八九十百\d]+[条章節节款][ \t]*"
    r")+",
    re.IGNORECASE,
)
_BULLET_OR_NUMBER = re.compile(
    rf"[ \t]*(?:>[ \t]*)?(?:[-*+•·▪◦‣][ \t]+\S|\(?{_PART}(?:\.{_PART})*[.)][ \t]+\S"
    rf"|\({_PART}\)[ \t]*\S|(?:\*\*)?\d{{1,3}}(?:\.\d{{1,3}})*\.(?:\*\*)?[ \t]+\S"
    # A bare number starts an item only before a capital ("1 Definitions"):
    # a wrapped line may begin "700 million monthly active users ...".
    rf"|(?:\*\*)?\d{{1,3}}(?:\.\d{{1,3}})*(?:\*\*)?[ \t]+[A-Z\"“(*]"
    rf"|\d{{1,3}}(?:\.{_PART})+[ \t]+\S"
    r"|[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\d{1,2}、)"
)
_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]")
_HEADING_HASHES = re.compile(r"^[ \t]*#{1,6}[ \t]+")
_TABLE_ROW = re.compile(r"[ \t]*\|.*\|[ \t]*$")
_FENCE = re.compile(r"[ \t]*(```|~~~)")
_MINOR_WORDS = frozenset(
    "a an the of and or nor but for to in on at by as per via vs v into onto"
    " from with upon".split()
)
"""Words a title in title case leaves in lower case."""
_TITLE_LINE = re.compile(r"[ \t]*(?:#{1,6}[ \t]+)?(?:\*\*)?[\w(][^.!?;:。]{0,58}$")
_YAML_ENTRY = re.compile(
    r"[ \t]*(?:-[ \t]+)?(?P<key>[^\s:#'\"][^:\n]*?):(?:[ \t]+(?P<value>.*?))?[ \t]*$"
)
"""A front-matter mapping entry, top level or nested (`key: value`, `key:`)."""
_BLOCK_SCALAR = re.compile(r"[>|][-+]?\d?")
_FIELD_TYPE = re.compile(r"[A-Za-z_]+")
"""A gated-access field's type (`checkbox`, `text`, `date_picker`, `country`)."""
_EDGE_JUNK_LEFT = re.compile(r"(?:[\s*_#>`|]|&nbsp;)+")
_EDGE_JUNK_RIGHT = re.compile(r"(?:[\s*_`|]|&nbsp;|<br\s*/?>)+$")
_TRAILING_CONJ = re.compile(r";[ \t]*(?:and|or|以及|或)[ \t]*$", re.IGNORECASE)
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'”’)\]*_]*(?=(?:\s+[-–•])?\s+[\"“'(\[*_]*[A-Z0-9\u4e00-\u9fff])"
    r"|(?<=;)(?=[ \t]*\r?\n[ \t]*[A-Z]|[ \t]+(?:You|Licensee|Licensor)\b"
    rf"|[ \t]+\(?{_PART}[.)][ \t]+[A-Z])"
    r"|(?<=[。！？])[”’」』）)]*"
)
_HTML_BREAK = re.compile(
    r"</?(?:p|li|ul|ol|div|br|tr|td|th|table|tbody|thead|h[1-6]|blockquote"
    r"|section|details|summary|dl|dt|dd|center)\b[^<>]{0,300}>",
    re.IGNORECASE,
)
"""HTML block tags, which model cards use for paragraphs and lists: a boundary."""
_MARK = re.compile(r"[🚫❌⛔✖✗✘✅⭕✔✓]")
"""A permission list's mark at the start of a line (model cards use them)."""
_BR_ONLY = re.compile(r"[\s\u3000]*<br\s*/?>[\s\u3000]*", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"(\S+)$")
_ABBREVIATIONS = frozenset(
    "e.g i.e etc inc ltd co corp no nos vs v mr mrs ms dr st sec art cf approx "
    "incl fig jan feb mar apr jun jul aug sep sept oct nov dec al u.s u.k p.r.c "
    "l.l.c n.a s.a".split()
)
_HEADING_MAX = 120


@dataclass(frozen=True, slots=True)
class _Block:
    start: int
    end: int
    kind: SegmentKind
    front_matter: bool = False
    """An entry's text: a short one is a field, never a heading."""


def segment(text: str) -> tuple[Segment, ...]:
    """Split `text` into trimmed sentence and list-item segments, in order."""
    segments: list[Segment] = []
    lead_in: CharSpan | None = None
    for index, block in enumerate(_blocks(text)):
        if block.kind is not SegmentKind.ITEM and block.kind is not SegmentKind.HEADING:
            lead_in = None
        marked: CharSpan | None = None
        for start, end, opens_item in _html_pieces(text, _sentences(text, block)):
            span = _trim(text, start, end)
            if span is None:
                continue
            kind = SegmentKind.ITEM if opens_item else block.kind
            if (
                kind is SegmentKind.SENTENCE
                and not block.front_matter
                and _looks_like_heading(text, span, block)
            ):
                kind = SegmentKind.HEADING
            item_lead = lead_in if kind is SegmentKind.ITEM else None
            if marked is not None and _after_line_break(text, marked, span):
                # the same list line in another language ("🚫 ...<br> Selling
                # this model"): the mark of the line's first part applies to it
                kind, item_lead = SegmentKind.ITEM, marked
            marked = span if _MARK.match(text, span.start, span.end) else None
            segments.append(
                Segment(span=span, kind=kind, block=index, lead_in=item_lead)
            )
            if text[span.end - 1] in ":：":
                lead_in = span
    return tuple(segments)


def _after_line_break(text: str, before: CharSpan, span: CharSpan) -> bool:
    """Return True when only a `<br>` (and spaces) separates `before` and `span`."""
    between = text[before.end : span.start]
    return bool(_BR_ONLY.fullmatch(between))


def _html_pieces(
    text: str, sentences: Iterator[tuple[int, int]]
) -> Iterator[tuple[int, int, bool]]:
    """Cut sentences at HTML block tags; say which piece a `<li>` opens.

    A model card written in HTML keeps a paragraph, its list and each item
    on lines with no blank between them; without these cuts a lead-in, the
    tags and every item would be one segment.
    """
    for start, end in sentences:
        opens_item = False
        for tag in _HTML_BREAK.finditer(text, start, end):
            yield start, tag.start(), opens_item
            start = tag.end()
            opens_item = tag.group(0)[:3].lower() == "<li"
        yield start, end, opens_item


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each line, without its line break."""
    pos = 0
    length = len(text)
    while pos < length:
        nl = text.find("\n", pos)
        end = length if nl < 0 else nl
        stop = end - 1 if end > pos and text[end - 1] == "\r" else end
        yield pos, stop
        pos = end + 1


def _front_matter_end(text: str) -> int:
    """Return the offset where YAML front matter ends (0 when there is none)."""
    if not text.startswith("---"):
        return 0
    match = re.compile(r"\r?\n---[ \t]*(?:\r?\n|$)").search(text, 3)
    return match.end() if match else 0


def _line_kind(line: str) -> SegmentKind | None:
    """Say which kind of block a line starts, or None when it continues one."""
    if _TABLE_ROW.match(line):
        return SegmentKind.TABLE_ROW
    if _HEADING.match(line):
        title = _HEADING_HASHES.sub("", line).strip().rstrip("*").strip()
        return SegmentKind.HEADING if _is_title(title) else SegmentKind.SENTENCE
    if _BULLET_OR_NUMBER.match(line):
        return SegmentKind.ITEM
    return None


def _front_matter_blocks(text: str, fm_end: int) -> list[_Block]:
    """Cut YAML front matter into the texts its entries hold, keys left out.

    A model card's terms live in front matter too: a gated-access prompt
    (`extra_gated_prompt: >-` and its indented lines) and checkbox fields
    (`I agree to use this model for non-commercial use ONLY: checkbox`).
    Each entry is a block of its own, nested ones included, so one field
    never runs into the next; a block is the entry's value (without YAML
    quotes), or its key when the key is the sentence and the value only a
    field type.
    """
    blocks: list[_Block] = []
    current: list[int] | None = None  # [start, end] of the open block
    scalar: int | None = None  # indent of the key whose text continues below
    for start, end in _lines(text):
        if start >= fm_end:
            break
        line = text[start:end]
        indent = len(line) - len(line.lstrip())
        if scalar is not None and (indent > scalar or not line.strip()):
            if not line.strip():
                _close_fm(text, blocks, current)
                current = None
            elif current is None:
                current = [start + indent, end]
            else:
                current[1] = end
            continue
        _close_fm(text, blocks, current)
        current, scalar = None, None
        entry = _YAML_ENTRY.match(line)
        if line.strip() == "---" or not line.strip():
            continue
        if entry is None:
            current = [start + indent, end]
            continue
        value = entry.group("value")
        if not value:
            continue  # a container: its entries follow, nested
        scalar = indent  # the value may go on below, more indented
        if _BLOCK_SCALAR.fullmatch(value):
            continue
        key = entry.group("key")
        if _FIELD_TYPE.fullmatch(value) and len(key.split()) >= 3:
            current = [start + entry.start("key"), start + entry.end("key")]
            continue
        quoted = value[0] in "'\""
        current = [start + entry.start("value") + quoted, end]
    _close_fm(text, blocks, current)
    return blocks


def _close_fm(text: str, blocks: list[_Block], current: list[int] | None) -> None:
    """Add the open front-matter block, without a closing YAML quote."""
    if current is None:
        return
    start, end = current
    if end > start and text[end - 1] in "'\"" and text[start - 1 : start] in "'\"":
        end -= 1
    if end > start:
        blocks.append(_Block(start, end, SegmentKind.SENTENCE, front_matter=True))


def _blocks(text: str) -> list[_Block]:
    """Group lines into paragraphs, list items, headings and table rows."""
    fm_end = _front_matter_end(text)
    blocks: list[_Block] = _front_matter_blocks(text, fm_end)
    current: list[int] | None = None  # [start, end, kind-index]
    kinds = list(SegmentKind)
    in_fence = False
    for start, end in _lines(text):
        if start < fm_end:
            continue
        line = text[start:end]
        if _FENCE.match(line):
            in_fence = not in_fence
            _close(blocks, current, kinds)
            current = None
            continue
        if in_fence or not line.strip():
            _close(blocks, current, kinds)
            current = None
            continue
        kind = _line_kind(line)
        if current is not None and kind is None and _is_title_line(text, current):
            current[2] = kinds.index(SegmentKind.HEADING)
            kind = SegmentKind.SENTENCE
        if kind is not None or current is None:
            _close(blocks, current, kinds)
            current = [start, end, kinds.index(kind or SegmentKind.SENTENCE)]
            if kind in (SegmentKind.TABLE_ROW, SegmentKind.HEADING):
                _close(blocks, current, kinds)
                current = None
            continue
        current[1] = end
    _close(blocks, current, kinds)
    return blocks


def _is_title_line(text: str, current: list[int]) -> bool:
    """Return True when the block so far is one short title-case line.

    Headings are often followed directly by their text (`Attachment A` on
    one line, `You agree not to use ...` on the next); a heading must not
    become the first words of the sentence under it.
    """
    line = text[current[0] : current[1]]
    return "\n" not in line and bool(_TITLE_LINE.match(line)) and _is_title(line)


def _is_title(line: str) -> bool:
    """Return True for a short line in title case with no sentence punctuation.

    A Markdown `#` line may also open a hard-wrapped sentence (`### 2.3. AI
    Ethics Use of the Models must be ...`); only a title stands alone.
    """
    if len(line) > _HEADING_MAX or line.rstrip()[-1:] in set(".;:!?。；：,"):
        return False
    words = re.findall(r"[A-Za-z]+", line)
    if not any(len(w) > 3 for w in words):
        return bool(line.strip()) and not re.search(r"[A-Za-z]", line)
    # title case leaves only minor words in lower case; a short lower-case
    # word of a sentence ("may", "not", "use", "any") marks the first line
    # of a hard-wrapped sentence whose long words are capitalised Terms
    return all(w[0].isupper() or w in _MINOR_WORDS for w in words)


def _close(
    blocks: list[_Block], current: list[int] | None, kinds: list[SegmentKind]
) -> None:
    if current is not None:
        blocks.append(_Block(current[0], current[1], kinds[current[2]]))


def _sentences(text: str, block: _Block) -> Iterator[tuple[int, int]]:
    """Yield raw (start, end) of the sentences of a block, marker stripped."""
    start = block.start
    hashes = _HEADING_HASHES.match(text[block.start : block.end])
    if hashes:
        start += hashes.end()
    marker = _MARKER.match(text, start, block.end)
    if marker and block.kind is not SegmentKind.TABLE_ROW:
        start = marker.end()
    if (
        block.kind in (SegmentKind.TABLE_ROW, SegmentKind.HEADING)
        and "\n" not in (text[start : block.end])
    ):
        yield start, block.end
        return
    for match in _SENTENCE_END.finditer(text, start, block.end):
        cut = match.end()
        if _inside_quote(text, start, cut):
            continue
        if (
            match.group(0) == ""
            and text[cut - 1] == "."
            and _is_abbreviation(text, start, cut - 1)
        ):
            continue
        if cut > start:
            yield start, cut
            start = cut
    if start < block.end:
        yield start, block.end


def _inside_quote(text: str, start: int, cut: int) -> bool:
    """Return True when a cut would fall inside a quoted passage.

    A quoted notice (`"X is licensed ... Copyright Y. All Rights Reserved."`)
    belongs to the sentence that requires it.
    """
    chunk = text[start:cut]
    return sum(chunk.count(q) for q in '"“”') % 2 == 1


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    """Return True when the period at `dot` ends an abbreviation, not a sentence."""
    word_match = _WORD_BEFORE.search(text, start, dot)
    if word_match is None:
        return False
    word = word_match.group(1).lstrip("(\"'“*_").lower()
    if word in _ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha()


def _trim(text: str, start: int, end: int) -> CharSpan | None:
    """Strip markers, markup and a trailing conjunction; None if nothing is left."""
    left = _EDGE_JUNK_LEFT.match(text, start, end)
    if left:
        start = left.end()
    marker = _MARKER.match(text, start, end)
    if marker and marker.end() < end:
        start = marker.end()
    right = _EDGE_JUNK_RIGHT.search(text, start, end)
    if right:
        end = right.start()
    conj = _TRAILING_CONJ.search(text, start, end)
    if conj:
        end = conj.start() + 1
    if end <= start or not any(ch.isalnum() for ch in text[start:end]):
        return None
    return CharSpan(start, end)


def _looks_like_heading(text: str, span: CharSpan, block: _Block) -> bool:
    """Return True for a short line without sentence punctuation standing alone."""
    chunk = text[span.start : span.end]
    if "\n" in chunk or len(chunk) > _HEADING_MAX:
        return False
    if chunk[-1] in '.;:!?。；：！？"”)':
        return False
    return (
        span.start >= block.start
        and span.end <= block.end
        and (block.end - block.start <= len(chunk) + 12)
    )
