"""Render a scan result as the JSON document that is clausewise's contract."""

from __future__ import annotations

import json

from extractors.result_json import ResultJSON


def to_json(result: ResultJSON) -> str:
    """Return `result` as indented JSON, keys in their original order.

    Non-ASCII text stays as is (quotes must match the document), as the CLI
    writes it; the trailing newline makes the body a proper text file.
    """
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
