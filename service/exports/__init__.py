"""Export renderers for scan results: JSON, Markdown, SARIF 2.1.0, CycloneDX 1.6, text.

Every renderer is a pure function of the result dict made by
`extractors.output.result_to_dict` (no database, no web framework). The CLI
and the API dispatch by format name through `EXPORTERS` or `export`::

    body, media_type = export("sarif", result, name="LICENSE.txt", text=text)

Each exporter is called as `exporter(result, name=..., text=...)` and returns
`(body, media_type)`:

============  ============================================  ============================
format        media type                                    `name` is used as
============  ============================================  ============================
json          application/json                              (unused)
markdown      text/markdown; charset=utf-8                  (unused; the report uses
                                                            `document.name`)
sarif         application/sarif+json                        the artifact URI
cyclonedx     application/vnd.cyclonedx+json; version=1.6   the model component's name
text          text/plain; charset=utf-8                     the path citations name
============  ============================================  ============================

`text` is the exact document text the offsets index; only SARIF uses it (for
columns and end lines) and it may be None. An unknown name raises
`UnknownFormatError`, whose message lists the known formats.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Protocol

from extractors.errors import InputError
from extractors.result_json import ResultJSON
from service.exports.cyclonedx import to_cyclonedx
from service.exports.jsonfmt import to_json
from service.exports.markdown import to_markdown
from service.exports.sarif import to_sarif
from service.exports.text import to_text

MEDIA_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "json": "application/json",
        "markdown": "text/markdown; charset=utf-8",
        "sarif": "application/sarif+json",
        "cyclonedx": "application/vnd.cyclonedx+json; version=1.6",
        "text": "text/plain; charset=utf-8",
    }
)


class Exporter(Protocol):
    """Render one result dict; return the body and its media type."""

    def __call__(
        self, result: ResultJSON, *, name: str, text: str | None
    ) -> tuple[str, str]:  # pragma: no cover - a protocol
        """Return `(body, media_type)`."""
        ...


class UnknownFormatError(InputError):
    """An export format nobody registered; the caller's mistake, like a bad input.

    It derives from `InputError` so the CLI reports it as one line with the
    user-error exit status and the API as a client error, with no new mapping.
    """

    def __init__(self, fmt: str) -> None:
        known = ", ".join(sorted(EXPORTERS))
        super().__init__(f"unknown export format {fmt!r}; known formats: {known}")
        self.format = fmt


def _json(result: ResultJSON, *, name: str, text: str | None) -> tuple[str, str]:
    del name, text  # the JSON contract is the result itself
    return to_json(result), MEDIA_TYPES["json"]


def _markdown(result: ResultJSON, *, name: str, text: str | None) -> tuple[str, str]:
    del name, text  # the report names the document from the result
    return to_markdown(result), MEDIA_TYPES["markdown"]


def _sarif(result: ResultJSON, *, name: str, text: str | None) -> tuple[str, str]:
    log = to_sarif(result, artifact_uri=name, text=text)
    return _dumps(log), MEDIA_TYPES["sarif"]


def _cyclonedx(result: ResultJSON, *, name: str, text: str | None) -> tuple[str, str]:
    del text  # a BOM cites no offsets
    return _dumps(to_cyclonedx(result, component_name=name)), MEDIA_TYPES["cyclonedx"]


def _text(result: ResultJSON, *, name: str, text: str | None) -> tuple[str, str]:
    del text  # the report quotes from the result's citations
    return to_text(result, name=name), MEDIA_TYPES["text"]


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


EXPORTERS: Final[Mapping[str, Exporter]] = MappingProxyType(
    {
        "json": _json,
        "markdown": _markdown,
        "sarif": _sarif,
        "cyclonedx": _cyclonedx,
        "text": _text,
    }
)
"""Format name -> exporter; the keys are the values a `--format` option accepts."""


def get_exporter(fmt: str) -> Exporter:
    """Return the exporter registered as `fmt`, or raise `UnknownFormatError`."""
    try:
        return EXPORTERS[fmt]
    except KeyError:
        raise UnknownFormatError(fmt) from None


def export(
    fmt: str, result: ResultJSON, *, name: str, text: str | None = None
) -> tuple[str, str]:
    """Render `result` as `fmt`; return `(body, media_type)`."""
    return get_exporter(fmt)(result, name=name, text=text)


__all__ = [
    "EXPORTERS",
    "MEDIA_TYPES",
    "Exporter",
    "UnknownFormatError",
    "export",
    "get_exporter",
    "to_cyclonedx",
    "to_json",
    "to_markdown",
    "to_sarif",
]
