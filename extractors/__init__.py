"""clausewise's clause engine: parse -> segment -> tag -> refine -> rules -> result.

The names in `__all__` are the engine's public API; anything else is internal
and may change without notice. They are resolved lazily (PEP 562): importing
`extractors.errors` must not load spaCy, so that a patterns-only command can
keep torch out of the process before spaCy's thinc would import it.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AnalysisResult": "extractors.engine",
    "ClauseEngine": "extractors.engine",
    "build_engine": "extractors.engine",
    "default_engine": "extractors.engine",
    "ClauseChange": "extractors.compare",
    "VersionDiff": "extractors.compare",
    "compare_results": "extractors.compare",
    "ClausewiseError": "extractors.errors",
    "ConfigError": "extractors.errors",
    "DecodeError": "extractors.errors",
    "EmptyDocumentError": "extractors.errors",
    "InputError": "extractors.errors",
    "ModelError": "extractors.errors",
    "ModelIntegrityError": "extractors.errors",
    "ModelUnavailableError": "extractors.errors",
    "PdfError": "extractors.errors",
    "TooLargeError": "extractors.errors",
    "UnsupportedFormatError": "extractors.errors",
    "ClauseType": "extractors.labels",
    "RiskCategory": "extractors.labels",
    "Severity": "extractors.labels",
    "result_to_dict": "extractors.output",
    "result_to_markdown": "extractors.output",
    "parse_bytes": "extractors.parse",
    "parse_path": "extractors.parse",
    "CharSpan": "extractors.types",
    "Citation": "extractors.types",
    "ClauseTag": "extractors.types",
    "Document": "extractors.types",
    "RiskFinding": "extractors.types",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'extractors' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), name)
