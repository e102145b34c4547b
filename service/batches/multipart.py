"""Read a `multipart/form-data` batch: each file part one card, named after its file.

This is plain synchronous parsing of a body already read (and size-limited),
meant to run in a worker thread: ten thousand small parts would otherwise
hold the event loop for seconds. The parse stops at the first part past
`max_items`, so a body of countless tiny parts costs no more than the
limit allows. Fields that are not files are counted as parts and ignored.
"""

from __future__ import annotations

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File, FormParser, parse_options_header

from service.batches.jsonl import BatchInputError, CardInput, check_unique


def parse_multipart(
    body: bytes, content_type: str, *, max_items: int
) -> tuple[CardInput, ...]:
    """Return the cards of a multipart body, or raise `BatchInputError`."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise BatchInputError("multipart/form-data without a boundary parameter")
    cards: list[CardInput] = []
    parts = 0
    ended = False

    def count_part() -> None:
        nonlocal parts
        parts += 1
        if parts > max_items:
            raise BatchInputError(
                f"more than {max_items} parts (files); split the submission"
            )

    def on_field(_field: Field) -> None:
        count_part()

    def on_file(file: File) -> None:
        count_part()
        file.file_object.seek(0)
        content = file.file_object.read()
        file.close()
        name = _decode(file.file_name or b"").strip() or f"file-{len(cards) + 1}"
        cards.append(CardInput(name, content, "text"))

    def on_end() -> None:
        nonlocal ended
        ended = True

    # Files stay in memory: the body is, too, and is already bounded.
    config = {"MAX_MEMORY_FILE_SIZE": len(body) + 1}
    parser = FormParser(
        "multipart/form-data",
        on_field,
        on_file,
        on_end=on_end,
        boundary=boundary,
        config=config,
    )
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError as exc:
        raise BatchInputError(f"not valid multipart/form-data: {exc}") from exc
    if not ended:
        # A truncated body would silently lose its last card.
        raise BatchInputError("the multipart body ends before its closing boundary")
    found = tuple(cards)
    check_unique(found, max_items=max_items)
    return found


def _decode(name: bytes) -> str:
    """Decode a file name as Starlette does: UTF-8, else Latin-1."""
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        return name.decode("latin-1")
