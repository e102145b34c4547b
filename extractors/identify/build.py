"""Build the known-license index from a labelled corpus directory.

Run as::

    python -m extractors.identify.build --corpus CORPUS --out OUT.json
        [--clauses engine|gold]

Only licenses and use policies (manifest kinds `license` and `aup`) are
references: a model card is not a license. The clause records come from the
clause engine by default, so that a document tagged by the same engine at run
time aligns with its reference; `--clauses gold` uses the corpus labels
instead, for when the engine is not available.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from extractors.engine import default_tagger
from extractors.errors import ClausewiseError, ConfigError, DecodeError
from extractors.identify.index import (
    LicenseIndex,
    ReferenceMeta,
    build_index,
    make_entry,
    save_index,
)
from extractors.labels import ClauseType
from extractors.types import CharSpan, ClauseTag, Document, Explanation, MediaType

Tagger = Callable[[Document], Sequence[ClauseTag]]
REFERENCE_KINDS = frozenset({"license", "aup"})
_SPDX = (
    (
        re.compile(r"\bApache License,? (?:Version )?2\.0\b", re.IGNORECASE),
        "Apache-2.0",
    ),
    (re.compile(r"\bMIT License\b", re.IGNORECASE), "MIT"),
)


class _ManifestItem(BaseModel):
    model_config = ConfigDict(extra="ignore")
    file: str
    title: str
    family: str
    version: str
    kind: str


class _GoldSpan(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str
    start: int
    end: int
    quote: str
    params: dict[str, Any] = {}


class _GoldFile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    spans: list[_GoldSpan]


def read_manifest(corpus: Path) -> list[ReferenceMeta]:
    """Return the manifest's licenses and use policies, in manifest order."""
    path = corpus / "manifest.json"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the corpus manifest {path}: {exc}") from exc
    try:
        items = [_ManifestItem.model_validate(i) for i in _json_list(raw, path)]
    except ValidationError as exc:
        raise ConfigError(f"corpus manifest {path} is invalid: {exc}") from exc
    return [
        ReferenceMeta(i.file, i.family, i.version, i.title, i.kind, spdx_of(i.title))
        for i in items
        if i.kind in REFERENCE_KINDS
    ]


def _json_list(raw: bytes, path: Path) -> list[Any]:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ConfigError(f"{path} must hold a JSON list of documents")
    return data


def spdx_of(title: str) -> str | None:
    """Return the SPDX id of a standard open-source license named in `title`."""
    return next((spdx for rx, spdx in _SPDX if rx.search(title)), None)


def text_path(corpus: Path, name: str) -> Path:
    """Return where a document's text is: a PDF's is extracted beside it."""
    suffix = ".txt" if name.lower().endswith(".pdf") else ""
    return corpus / "docs" / f"{name}{suffix}"


def reference_document(corpus: Path, name: str) -> Document:
    """Read a corpus document as the text its gold offsets index."""
    path = text_path(corpus, name)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read corpus document {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise DecodeError(f"corpus document {path} is not UTF-8: {exc}") from exc
    media: MediaType = "text/markdown" if name.endswith(".md") else "text/plain"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(id=digest, text=text, media_type=media, source=name)


def gold_tagger(corpus: Path) -> Tagger:
    """Return a tagger that reads the corpus's gold labels for a document.

    A document without a label file has no labelled clauses (the corpus
    leaves some unlabelled on purpose), so it gets none.
    """

    def tag(document: Document) -> Sequence[ClauseTag]:
        path = corpus / "labels" / f"{document.source}.json"
        if not path.exists():
            return ()
        try:
            gold = _GoldFile.model_validate_json(path.read_bytes())
        except ValidationError as exc:
            raise ConfigError(f"gold labels {path} are invalid: {exc}") from exc
        return tuple(_gold_tag(document, span, path) for span in gold.spans)

    return tag


def _gold_tag(document: Document, span: _GoldSpan, path: Path) -> ClauseTag:
    if document.text[span.start : span.end] != span.quote:
        raise ConfigError(f"{path}: quote at [{span.start}, {span.end}) is wrong")
    try:
        clause_type = ClauseType(span.type)
    except ValueError as exc:
        raise ConfigError(f"{path}: unknown clause type {span.type!r}") from exc
    why = Explanation(extractor="gold", method="rule", score=1.0, note="gold label")
    return ClauseTag(
        clause_type, CharSpan(span.start, span.end), 1.0, why, params=span.params
    )


def engine_tagger() -> Tagger:
    """Return the clause engine's default tagger (fingerprints cite its clauses)."""
    return default_tagger()


def build_from_corpus(corpus: Path, tagger: Tagger) -> LicenseIndex:
    """Fingerprint every license and use policy of `corpus` into an index."""
    entries = []
    for meta in read_manifest(corpus):
        document = reference_document(corpus, meta.file)
        entries.append(make_entry(meta, document, tagger(document)))
    return build_index(entries)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the index and write it; return the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m extractors.identify.build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--clauses", choices=("engine", "gold"), default="engine")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    out: Path = args.out
    try:
        tagger = gold_tagger(corpus) if args.clauses == "gold" else engine_tagger()
        index = build_from_corpus(corpus, tagger)
        save_index(index, out)
    except (ClausewiseError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    records = sum(len(entry.clauses) for entry in index.entries)
    sys.stderr.write(
        f"wrote {len(index.entries)} references, {records} clause records "
        f"({args.clauses}) to {out} ({out.stat().st_size} bytes)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
