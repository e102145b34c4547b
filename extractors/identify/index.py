"""The reference index of known licenses: build, save, load.

The index holds only derived, non-reversible data (names, a hash of the
normalised text, sampled 32-bit shingle hashes, clause types with redacted
parameters), never the licensors' wording: the corpus texts may not be
shipped with clausewise. It is built once by `extractors.identify.build` and
loaded with `load_default_index`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from extractors.errors import ConfigError
from extractors.identify.fingerprint import (
    SAMPLE_MOD,
    SHINGLE_SIZE,
    redact_params,
    shingle_set,
    text_sha256,
)
from extractors.labels import ClauseType
from extractors.types import ClauseTag, Document

INDEX_FORMAT = 2
SHINGLE_HASH = "fnv-of-blake2b-words-32"
"""How shingles are hashed; an index built another way must be rebuilt."""
DEFAULT_INDEX = "data/known_licenses.json"


@dataclass(frozen=True, slots=True)
class ClauseRecord:
    """A clause of a reference license: its type, codes and fingerprint."""

    clause_type: ClauseType
    params: Mapping[str, Any] = field(hash=False)
    shingles: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One known license or use policy, as far as the index may describe it."""

    file: str
    family: str
    version: str
    title: str
    kind: str
    sha256: str
    shingles: frozenset[int]
    clauses: tuple[ClauseRecord, ...] = ()
    spdx: str | None = None


@dataclass(frozen=True, slots=True)
class ReferenceMeta:
    """What the manifest says about a reference text (never the text)."""

    file: str
    family: str
    version: str
    title: str
    kind: str
    spdx: str | None = None


@dataclass(frozen=True, slots=True)
class LicenseIndex:
    """All known licenses, with the fingerprint settings they were built with.

    A document must be fingerprinted with the same shingle size and sampling
    modulus as the index, or no shingle would ever match.
    """

    entries: tuple[IndexEntry, ...]
    shingle_size: int = SHINGLE_SIZE
    sample_mod: int = SAMPLE_MOD
    _by_sha256: Mapping[str, tuple[IndexEntry, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_hash: dict[str, tuple[IndexEntry, ...]] = {}
        for entry in self.entries:
            by_hash[entry.sha256] = (*by_hash.get(entry.sha256, ()), entry)
        object.__setattr__(self, "_by_sha256", by_hash)

    def with_sha256(self, digest: str) -> tuple[IndexEntry, ...]:
        """Return the entries whose normalised text has this SHA-256."""
        return self._by_sha256.get(digest, ())

    def fingerprint(self, text: str) -> frozenset[int]:
        """Return the sampled shingle hashes of `text` under this index's settings."""
        return shingle_set(text, self.shingle_size, self.sample_mod)

    def clause_fingerprint(self, text: str) -> frozenset[int]:
        """Return every shingle hash of a clause: too short to sample."""
        return clause_shingles(text, self.shingle_size)


def clause_shingles(text: str, shingle_size: int = SHINGLE_SIZE) -> frozenset[int]:
    """Return all shingles of a clause; sampling would leave a sentence with none."""
    return shingle_set(text, shingle_size, 1)


def make_entry(
    meta: ReferenceMeta,
    document: Document,
    clauses: Sequence[ClauseTag],
    *,
    shingle_size: int = SHINGLE_SIZE,
    sample_mod: int = SAMPLE_MOD,
) -> IndexEntry:
    """Fingerprint a reference document and its clauses into an index entry."""
    records = tuple(
        ClauseRecord(
            clause_type=tag.clause_type,
            params=redact_params(tag.params),
            shingles=clause_shingles(
                document.text[tag.span.start : tag.span.end], shingle_size
            ),
        )
        for tag in sorted(clauses, key=lambda t: (t.span.start, t.span.end))
    )
    return IndexEntry(
        file=meta.file,
        family=meta.family,
        version=meta.version,
        title=meta.title,
        kind=meta.kind,
        sha256=text_sha256(document.text),
        shingles=shingle_set(document.text, shingle_size, sample_mod),
        clauses=records,
        spdx=meta.spdx,
    )


def index_to_dict(index: LicenseIndex) -> dict[str, Any]:
    """Return the JSON form of `index` (sorted hashes, so builds are stable)."""
    return {
        "format": INDEX_FORMAT,
        "hash": SHINGLE_HASH,
        "shingle_size": index.shingle_size,
        "sample_mod": index.sample_mod,
        "entries": [_entry_to_dict(entry) for entry in index.entries],
    }


def _entry_to_dict(entry: IndexEntry) -> dict[str, Any]:
    return {
        "file": entry.file,
        "family": entry.family,
        "version": entry.version,
        "title": entry.title,
        "kind": entry.kind,
        "spdx": entry.spdx,
        "sha256": entry.sha256,
        "shingles": sorted(entry.shingles),
        "clauses": [
            {
                "type": record.clause_type.value,
                "params": dict(record.params),
                "shingles": sorted(record.shingles),
            }
            for record in entry.clauses
        ],
    }


def save_index(index: LicenseIndex, path: Path) -> None:
    """Write `index` as compact JSON to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(index_to_dict(index), ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


class _ClauseModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: ClauseType
    params: dict[str, Any]
    shingles: list[int]


class _EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    family: str
    version: str
    title: str
    kind: str
    spdx: str | None = None
    sha256: str
    shingles: list[int]
    clauses: list[_ClauseModel]


class _IndexModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: int
    hash: str
    shingle_size: int
    sample_mod: int
    entries: list[_EntryModel]


def parse_index(raw: str | bytes, source: str) -> LicenseIndex:
    """Validate the JSON text of an index; ConfigError names what is wrong."""
    try:
        model = _IndexModel.model_validate_json(raw)
    except ValidationError as exc:
        raise ConfigError(f"license index {source} is invalid: {exc}") from exc
    if model.format != INDEX_FORMAT or model.hash != SHINGLE_HASH:
        raise ConfigError(
            f"license index {source} has format {model.format}/{model.hash}; "
            f"expected {INDEX_FORMAT}/{SHINGLE_HASH}: rebuild it"
        )
    if model.shingle_size < 1 or model.sample_mod < 1:
        raise ConfigError(f"license index {source} has invalid shingle settings")
    return LicenseIndex(
        entries=tuple(_entry_from_model(entry) for entry in model.entries),
        shingle_size=model.shingle_size,
        sample_mod=model.sample_mod,
    )


def _entry_from_model(model: _EntryModel) -> IndexEntry:
    return IndexEntry(
        file=model.file,
        family=model.family,
        version=model.version,
        title=model.title,
        kind=model.kind,
        sha256=model.sha256,
        shingles=frozenset(model.shingles),
        clauses=tuple(
            ClauseRecord(c.type, c.params, frozenset(c.shingles)) for c in model.clauses
        ),
        spdx=model.spdx,
    )


def load_index(path: Path) -> LicenseIndex:
    """Read an index file; a missing or invalid file is a ConfigError."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read license index {path}: {exc}") from exc
    return parse_index(raw, str(path))


@cache
def load_default_index() -> LicenseIndex:
    """Return the index shipped with clausewise, read once per process."""
    resource = resources.files("extractors").joinpath(DEFAULT_INDEX)
    try:
        raw = resource.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"the shipped license index extractors/{DEFAULT_INDEX} is missing: "
            "build it with python -m extractors.identify.build"
        ) from exc
    return parse_index(raw, f"extractors/{DEFAULT_INDEX}")


def build_index(
    entries: Iterable[IndexEntry],
    *,
    shingle_size: int = SHINGLE_SIZE,
    sample_mod: int = SAMPLE_MOD,
) -> LicenseIndex:
    """Collect entries made with `make_entry` under the same settings."""
    return LicenseIndex(tuple(entries), shingle_size, sample_mod)
