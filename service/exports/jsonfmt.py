"""Render a scan result as the JSON document that is clausewise's contract."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def to_json(result: Mapping[str, Any]) -> str:
    """Return `result` as indented JSON, keys in their original order.

    Non-ASCII text stays as is (quotes must match the document), as the CLI
    writes it; the trailing newline makes the body a proper text file.
    """
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
