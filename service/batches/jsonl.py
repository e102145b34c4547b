r"""Read a JSON Lines submission of model cards, refusing it whole on the first error.

One card per line, an object with a string `id` and exactly one of:

- `text`: the card as plain text or Markdown (the type is sniffed from it);
- `markdown`: the card as Markdown, YAML front matter included, e.g.
  `{"id": "acme/m-7b", "markdown": "---\\nlicense: apache-2.0\\n---\\n# M-7B ..."}`.

Blank lines are skipped. A submission with a line that is not JSON (or is
nested too deeply, see `service.input_rules.loads_bounded`), not an object,
lacks `id` or a text field, holds text no database stores (NUL in an id, a
lone surrogate anywhere), or repeats an `id` is refused as a whole, naming
the 1-based line, so the client fixes it once and nothing half-stored
lingers. An empty text is *not* refused here: it is a card the parser rejects,
and is recorded as that item's failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

from service.input_rules import JsonLimitError, loads_bounded, unencodable, unstorable

TEXT_FIELDS: Final = ("text", "markdown")
MAX_ID_CHARS: Final = 300

CardKind = Literal["text", "markdown"]


class BatchInputError(ValueError):
    """A submission that cannot be accepted; `line` is 1-based, None if not a line."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line
        self.detail = message


@dataclass(frozen=True, slots=True)
class CardInput:
    """One card of a submission: its client id, content and where it came from."""

    item_id: str
    content: bytes
    kind: CardKind
    line: int | None = None

    @property
    def name(self) -> str:
        """Return the name the parser sees (its suffix breaks Markdown ties)."""
        return f"{self.item_id}.md" if self.kind == "markdown" else self.item_id


def parse_jsonl(data: bytes, *, max_items: int) -> tuple[CardInput, ...]:
    """Return the cards of a JSON Lines body, or raise `BatchInputError`."""
    try:
        body = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BatchInputError("not valid UTF-8", line=line) from exc
    cards: list[CardInput] = []
    seen: dict[str, int] = {}
    for number, raw in _lines(body):
        card = _card(raw, number)
        if card.item_id in seen:
            first = seen[card.item_id]
            raise BatchInputError(
                f"duplicate id {card.item_id!r} (first on line {first})", line=number
            )
        seen[card.item_id] = number
        cards.append(card)
        if len(cards) > max_items:
            raise BatchInputError(
                f"more than {max_items} cards; split the submission", line=number
            )
    if not cards:
        raise BatchInputError("the submission holds no cards")
    return tuple(cards)


def check_unique(cards: tuple[CardInput, ...], *, max_items: int) -> None:
    """Refuse a multipart submission with repeated names or too many files.

    Each name is an id, checked as `card_id` checks a line's.
    """
    if not cards:
        raise BatchInputError("the submission holds no files")
    if len(cards) > max_items:
        raise BatchInputError(f"{len(cards)} files, over the limit of {max_items}")
    seen: set[str] = set()
    for card in cards:
        card_id(card.item_id, None, what="file name")
        if card.item_id in seen:
            raise BatchInputError(f"duplicate file name {card.item_id!r}")
        seen.add(card.item_id)


def _lines(body: str) -> Iterator[tuple[int, str]]:
    """Yield (1-based number, line) for every non-blank line (LF or CRLF)."""
    for number, raw in enumerate(body.split("\n"), start=1):
        if raw.strip():
            yield number, raw


def _card(raw: str, number: int) -> CardInput:
    """Validate one line into a card."""
    try:
        value: Any = loads_bounded(raw)
    except json.JSONDecodeError as exc:
        raise BatchInputError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", line=number
        ) from exc
    except JsonLimitError as exc:
        raise BatchInputError(str(exc), line=number) from exc
    if not isinstance(value, dict):
        kind = type(value).__name__
        raise BatchInputError(f"expected a JSON object, got {kind}", line=number)
    item_id = _item_id(value, number)
    present = [field for field in TEXT_FIELDS if field in value]
    if len(present) != 1:
        raise BatchInputError(
            "needs exactly one of 'text' or 'markdown'"
            + (" (both given)" if len(present) > 1 else ""),
            line=number,
        )
    field = present[0]
    content = value[field]
    if not isinstance(content, str):
        raise BatchInputError(f"{field!r} must be a string", line=number)
    reason = unencodable(content)
    if reason is not None:
        raise BatchInputError(f"{field!r} {reason}", line=number)
    card_kind: CardKind = "markdown" if field == "markdown" else "text"
    return CardInput(item_id, content.encode("utf-8"), card_kind, number)


def _item_id(value: dict[str, Any], number: int) -> str:
    """Return the card's id: a non-empty string (an integer is accepted as text)."""
    if "id" not in value:
        raise BatchInputError("missing 'id'", line=number)
    item_id = value["id"]
    if isinstance(item_id, bool) or not isinstance(item_id, str | int):
        raise BatchInputError("'id' must be a string", line=number)
    return card_id(str(item_id).strip(), number)


def card_id(text: str, line: int | None, *, what: str = "'id'") -> str:
    """Return a card's id if it can be stored: not empty, short, no NUL."""
    if not text:
        raise BatchInputError(f"{what} is empty", line=line)
    if len(text) > MAX_ID_CHARS:
        raise BatchInputError(f"{what} is over {MAX_ID_CHARS} characters", line=line)
    reason = unstorable(text)
    if reason is not None:
        raise BatchInputError(f"{what} {reason}", line=line)
    return text
