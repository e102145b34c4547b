"""Load a labelled corpus (`docs/`, `labels/`, optional `manifest.json`).

The gold offsets index the document's bytes decoded as UTF-8 with no newline
translation, so the text is decoded here from raw bytes: reading in text mode
would turn a CRLF file's line ends into LF and shift every later offset. A
label whose quote is not at its offsets is a bug in the gold, reported in
`Corpus.problems` instead of aborting, so one bad label does not hide the
scores of the other documents.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt, ValidationError

from extractors.errors import ConfigError
from extractors.labels import ClauseType

PDF_TEXT_SUFFIX = ".txt"
"""A PDF's extracted text lies beside it as `NAME.pdf.txt`."""


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """One labelled clause: its type, offsets, exact quote and parameters."""

    type: ClauseType
    start: int
    end: int
    quote: str
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class GoldDocument:
    """A scored document: the text the gold offsets index, and its labels.

    `doc_path` is the original file (the PDF itself for a PDF) so a scanner
    can parse it as a user would; `text` is what citations are checked against.
    """

    name: str
    doc_path: Path
    text: str
    spans: tuple[GoldSpan, ...]
    family: str | None = None
    version: str | None = None
    kind: str | None = None
    added: str | None = None
    """When the manifest says the document joined the corpus (ISO date)."""


@dataclass(frozen=True, slots=True)
class Corpus:
    """Every labelled document, plus what could not be scored and why."""

    root: Path
    documents: tuple[GoldDocument, ...]
    unscored: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


class LabelSpan(BaseModel):
    """One span of a gold label file, as ANNOTATION.md writes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ClauseType
    quote: str
    start: StrictInt
    end: StrictInt
    params: dict[str, Any] = {}


class LabelFile(BaseModel):
    """A gold label file; the service's label import reads it with this too."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str
    spans: list[LabelSpan]


class _ManifestEntry(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    file: str
    family: str | None = None
    version: str | None = None
    kind: str | None = None
    added: str | None = None


def load_corpus(root: Path) -> Corpus:
    """Read a corpus folder; raise ConfigError when it cannot be read at all."""
    docs_dir, labels_dir = root / "docs", root / "labels"
    for folder in (root, docs_dir, labels_dir):
        if not folder.is_dir():
            raise ConfigError(f"corpus folder not found or not a folder: {folder}")
    manifest = _load_manifest(root / "manifest.json")
    problems: list[str] = []
    documents: list[GoldDocument] = []
    unscored: list[str] = []
    names = _document_names(docs_dir)
    for name in names:
        label_path = labels_dir / f"{name}.json"
        if not label_path.is_file():
            unscored.append(name)
            continue
        document = _load_document(docs_dir / name, label_path, manifest, problems)
        if document is None:
            unscored.append(name)
        else:
            documents.append(document)
    problems.extend(_orphan_labels(labels_dir, set(names)))
    problems.extend(
        f"manifest.json names {file}, which is not in docs/"
        for file in sorted(set(manifest) - set(names))
    )
    return Corpus(root, tuple(documents), tuple(unscored), tuple(problems))


def _document_names(docs_dir: Path) -> list[str]:
    """List documents: plain files, not hidden, not a PDF's extracted text."""
    try:
        entries = sorted(docs_dir.iterdir())
    except OSError as exc:
        raise ConfigError(f"cannot list corpus documents in {docs_dir}: {exc}") from exc
    return [
        path.name
        for path in entries
        if path.is_file()
        and not path.name.startswith(".")
        and not path.name.lower().endswith(".pdf" + PDF_TEXT_SUFFIX)
    ]


def _orphan_labels(labels_dir: Path, names: set[str]) -> list[str]:
    """Flag label files whose document is missing: their gold would be lost."""
    return [
        f"label file {path.name} has no document docs/{path.name[:-5]}"
        for path in sorted(labels_dir.glob("*.json"))
        if path.name[:-5] not in names
    ]


def _load_document(
    doc_path: Path,
    label_path: Path,
    manifest: Mapping[str, _ManifestEntry],
    problems: list[str],
) -> GoldDocument | None:
    """Build one gold document, appending to `problems` what does not add up."""
    name = doc_path.name
    labels = _load_labels(label_path)
    if labels.doc != name:
        problems.append(f"{label_path.name}: names doc {labels.doc!r}, not {name!r}")
    text_path = _text_path(doc_path)
    if not text_path.is_file():
        problems.append(f"{name}: no extracted text {text_path.name} beside the PDF")
        return None
    try:
        text = _read_bytes(text_path).decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{name}: {text_path.name} is not valid UTF-8 ({exc})")
        return None
    spans = tuple(
        GoldSpan(s.type, s.start, s.end, s.quote, s.params) for s in labels.spans
    )
    problems.extend(_quote_problems(name, text, spans))
    entry = manifest.get(name)
    return GoldDocument(
        name=name,
        doc_path=doc_path,
        text=text,
        spans=spans,
        family=entry.family if entry else None,
        version=entry.version if entry else None,
        kind=entry.kind if entry else None,
        added=entry.added if entry else None,
    )


def _text_path(doc_path: Path) -> Path:
    """Return the file the gold offsets index: the text beside a PDF."""
    if doc_path.suffix.lower() == ".pdf":
        return doc_path.with_name(doc_path.name + PDF_TEXT_SUFFIX)
    return doc_path


def _quote_problems(name: str, text: str, spans: tuple[GoldSpan, ...]) -> list[str]:
    """Check every gold quote really is at its offsets."""
    return [
        f"{name}: {span.type} span [{span.start}, {span.end}) "
        f"does not quote the text: {span.quote[:60]!r}"
        for span in spans
        if not 0 <= span.start < span.end <= len(text)
        or text[span.start : span.end] != span.quote
    ]


def _load_labels(path: Path) -> LabelFile:
    """Parse a label file; a malformed one is a corpus error, not a problem."""
    try:
        return LabelFile.model_validate(_read_json(path))
    except ValidationError as exc:
        raise ConfigError(f"invalid label file {path}: {exc}") from exc


def _load_manifest(path: Path) -> dict[str, _ManifestEntry]:
    """Read the optional manifest, keyed by document file name."""
    if not path.exists():
        return {}
    data = _read_json(path)
    if not isinstance(data, list):
        raise ConfigError(f"invalid manifest {path}: expected a JSON list of entries")
    try:
        entries = [_ManifestEntry.model_validate(item) for item in data]
    except ValidationError as exc:
        raise ConfigError(f"invalid manifest {path}: {exc}") from exc
    return {entry.file: entry for entry in entries}


def _read_json(path: Path) -> Any:
    """Parse a JSON file, naming the file when it is broken."""
    try:
        return json.loads(_read_bytes(path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot parse {path} as JSON: {exc}") from exc


def _read_bytes(path: Path) -> bytes:
    """Read a file's bytes, turning OS errors into a clear corpus error."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read corpus file {path}: {exc}") from exc
