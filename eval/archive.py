"""Read a corpus archive (`docs/`, `labels/`, `manifest.json`) without trusting it.

Teams bring label archives from elsewhere, and the service unpacks what a
client uploads, so every member is checked before a byte is used: no
absolute or parent-relative path, no link, device or other special member,
a bounded number of members and of unpacked bytes. One folder wrapping the
whole archive (`corpus/docs/...`) is unwrapped. The result is a mapping of
safe relative names to bytes; `extract_corpus` writes it under a folder
that `load_corpus` reads like `../shared/corpus`.
"""

from __future__ import annotations

import atexit
import io
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from eval.corpus import Corpus, load_corpus
from extractors.errors import InputError

MAX_MEMBERS: Final = 20_000
MAX_UNPACKED_BYTES: Final = 512 * 1024 * 1024


class ArchiveError(InputError):
    """An archive that is malformed or unsafe to unpack; nothing was used."""


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How much an archive may unpack to."""

    max_members: int = MAX_MEMBERS
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES


def read_archive(
    data: bytes, limits: ArchiveLimits = ArchiveLimits()
) -> dict[str, bytes]:
    """Return the archive's regular files by safe relative name.

    Accepts tar (plain or gzip, bzip2, xz) and zip; raises ArchiveError on
    anything else, on an unsafe member, or past `limits`.
    """
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        members = dict(_zip_members(data, limits))
    else:
        members = dict(_tar_members(data, limits))
    return _unwrap(members)


def _tar_members(data: bytes, limits: ArchiveLimits) -> Iterator[tuple[str, bytes]]:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"not a tar or zip archive: {exc}") from exc
    total = 0
    with archive:
        try:
            for count, member in enumerate(archive, start=1):
                _check_count(count, limits)
                name = _safe_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise ArchiveError(
                        f"archive member {member.name!r} is a link or special file"
                    )
                total = _check_total(total + member.size, limits)
                handle = archive.extractfile(member)
                if handle is None:  # pragma: no cover - isfile() members have data
                    raise ArchiveError(f"archive member {member.name!r} has no data")
                yield name, handle.read()
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise ArchiveError(f"the archive is damaged: {exc}") from exc


def _zip_members(data: bytes, limits: ArchiveLimits) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"not a zip archive: {exc}") from exc
    total = 0
    with archive:
        for count, info in enumerate(archive.infolist(), start=1):
            _check_count(count, limits)
            name = _safe_name(info.filename)
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if mode and (mode & 0o170000) not in (0, 0o100000):
                raise ArchiveError(
                    f"archive member {info.filename!r} is a link or special file"
                )
            total = _check_total(total + info.file_size, limits)
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise ArchiveError(f"the archive is damaged: {exc}") from exc
            if len(content) != info.file_size:
                raise ArchiveError(
                    f"archive member {info.filename!r} lies about its size"
                )
            yield name, content


def _check_count(count: int, limits: ArchiveLimits) -> None:
    if count > limits.max_members:
        raise ArchiveError(f"the archive holds more than {limits.max_members} members")


def _check_total(total: int, limits: ArchiveLimits) -> int:
    if total > limits.max_unpacked_bytes:
        raise ArchiveError(
            f"the archive unpacks to more than {limits.max_unpacked_bytes:,} bytes"
        )
    return total


def _safe_name(raw: str) -> str:
    """Return `raw` as a relative POSIX path inside the archive, or refuse it."""
    if "\\" in raw or "\x00" in raw:
        raise ArchiveError(f"archive member {raw!r} has an unsafe name")
    path = PurePosixPath(raw)
    parts = [p for p in path.parts if p not in ("", ".")]
    if path.is_absolute() or ".." in parts or not parts or ":" in parts[0]:
        raise ArchiveError(f"archive member {raw!r} points outside the archive")
    return "/".join(parts)


def _unwrap(members: Mapping[str, bytes]) -> dict[str, bytes]:
    """Drop one folder that wraps every member (`corpus/docs/...`)."""
    tops = {name.split("/", 1)[0] for name in members}
    if len(tops) == 1 and all("/" in name for name in members):
        [top] = tops
        if top not in ("docs", "labels"):
            return {name.split("/", 1)[1]: data for name, data in members.items()}
    return dict(members)


def extract_corpus(members: Mapping[str, bytes], folder: Path) -> Path:
    """Write the corpus members (docs/, labels/, manifest.json) under `folder`."""
    for name, data in members.items():
        parts = name.split("/")
        wanted = (len(parts) == 2 and parts[0] in ("docs", "labels")) or (
            name == "manifest.json"
        )
        if not wanted:
            continue
        target = folder.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for sub in ("docs", "labels"):
        (folder / sub).mkdir(exist_ok=True)
    return folder


def load_corpus_at(path: Path) -> Corpus:
    """Load a corpus folder, or a corpus archive unpacked to a temporary folder.

    The folder lives until the process ends: the evaluation re-reads each
    document from it when it scans.
    """
    if not path.is_file():
        return load_corpus(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"cannot read the archive {path}: {exc}") from exc
    folder = Path(tempfile.mkdtemp(prefix="clausewise-corpus-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return load_corpus(extract_corpus(read_archive(data), folder))
