r"""What client text and JSON may hold: the one rule every edge applies.

PostgreSQL refuses NUL in text and JSON, where SQLite stores it, and no
database (nor UTF-8) can hold a lone surrogate, which a JSON `"\ud800"`
escape produces. Refusing both where input enters (schemas, query and path
parameters, batch lines) keeps the two databases alike and turns what was a
500 at `INSERT` time into a 422 that names the field.

JSON from clients is decoded with `loads_bounded`: nesting and member counts
are bounded while it scans, so a line or body can neither recurse the decoder
to death nor make the service decode a million keys before refusing them.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from typing import Annotated, Any, Final

from pydantic import BeforeValidator

MAX_JSON_DEPTH: Final = 32
MAX_JSON_MEMBERS: Final = 10_000
"""Object members plus array items in one JSON document; far above any
profile or document body, far below what would hold a request for long."""

_SURROGATE: Final = re.compile("[\ud800-\udfff]")


class JsonLimitError(ValueError):
    """A JSON document nested too deeply or holding too many members."""


def unencodable(value: str) -> str | None:
    """Say why `value` cannot be written as UTF-8 (a lone surrogate), else None."""
    found = _SURROGATE.search(value)
    if found is None:
        return None
    return (
        f"contains a lone surrogate (U+{ord(found.group()):04X}) at character"
        f" {found.start()}; send valid Unicode"
    )


def unstorable(value: str) -> str | None:
    """Say why no database can store `value` as text (NUL, lone surrogate)."""
    position = value.find("\x00")
    if position >= 0:
        return f"contains a NUL character (U+0000) at character {position}"
    return unencodable(value)


def storable(value: str) -> str:
    """Return `value`, or raise `ValueError` (a pydantic validator)."""
    reason = unstorable(value)
    if reason is not None:
        raise ValueError(reason)
    return value


def encodable(value: str) -> str:
    """Return `value`, or raise `ValueError` for a lone surrogate.

    Document text may hold NUL: the parser then refuses it as binary (415),
    as it would the same bytes uploaded as a file.
    """
    reason = unencodable(value)
    if reason is not None:
        raise ValueError(reason)
    return value


def storable_tree(value: Any) -> Any:
    """Return decoded JSON whose every key and string is `storable`, else raise.

    Anything else passes: it is the type checks' to refuse, after this one.
    """
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            storable(node)
        elif isinstance(node, dict):
            for key in node:
                storable(key)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return value


def _encodable_tree(value: Any) -> Any:
    """Check a string for lone surrogates; anything else is the type's to refuse."""
    return encodable(value) if isinstance(value, str) else value


# Before pydantic's own checks, whose message for a surrogate is vaguer
# ("unable to parse raw data as a unicode string").
StoredText = Annotated[str, BeforeValidator(storable_tree)]
"""A label stored as text: a name, family, version, tag, profile name."""
EncodableText = Annotated[str, BeforeValidator(_encodable_tree)]
"""Document text: valid Unicode (NUL is the parser's to refuse)."""


def loads_bounded(
    text: str | bytes,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    max_members: int = MAX_JSON_MEMBERS,
) -> Any:
    """Decode JSON, stopping at the first token past a bound.

    Raises `json.JSONDecodeError` for malformed JSON, `UnicodeDecodeError`
    for bytes that are not UTF-8, and `JsonLimitError` over a bound (an
    integer of thousands of digits included).
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        return _BoundedDecoder(max_depth, max_members).decode(text)
    except (json.JSONDecodeError, JsonLimitError):
        raise
    except ValueError as exc:
        # An integer longer than Python converts (sys.get_int_max_str_digits).
        detail = f"the JSON holds a number too long to read: {exc}"
        raise JsonLimitError(detail) from exc


_JSON_OBJECT: Final[Any] = vars(json.decoder)["JSONObject"]
_JSON_ARRAY: Final[Any] = vars(json.decoder)["JSONArray"]
_PY_MAKE_SCANNER: Final[Any] = vars(json.scanner)["py_make_scanner"]


class _BoundedDecoder(json.JSONDecoder):
    """The stdlib decoder, counting depth and members as it scans.

    It runs the stdlib's pure-Python scanner (strings still go through the
    C `scanstring`): the C scanner holds the GIL through a whole document,
    a second for a million keys, so a worker thread would not free the event
    loop; this one lets other threads run between tokens, and a body past a
    bound costs only the tokens up to it, never a full decode.
    """

    def __init__(self, max_depth: int, max_members: int) -> None:
        super().__init__()
        self.max_depth = max_depth
        self.max_members = max_members
        self.depth = 0
        self.members = 0
        self.parse_object = self._object
        self.parse_array = self._array
        self.scan_once = _PY_MAKE_SCANNER(self)

    def _object(
        self, s_and_end: tuple[str, int], strict: bool, scan_once: Any, *rest: Any
    ) -> Any:
        self._enter()
        try:
            return _JSON_OBJECT(s_and_end, strict, self._counting(scan_once), *rest)
        finally:
            self.depth -= 1

    def _array(self, s_and_end: tuple[str, int], scan_once: Any) -> Any:
        self._enter()
        try:
            return _JSON_ARRAY(s_and_end, self._counting(scan_once))
        finally:
            self.depth -= 1

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise JsonLimitError(
                f"the JSON is nested deeper than {self.max_depth} levels"
            )

    def _counting(self, scan_once: Any) -> Any:
        """Wrap the scanner of one container's values: each value is a member."""

        def scan(string: str, idx: int) -> Any:
            self.members += 1
            if self.members > self.max_members:
                raise JsonLimitError(
                    f"the JSON holds more than {self.max_members:,} members"
                    " (keys and items)"
                )
            return scan_once(string, idx)

        return scan
