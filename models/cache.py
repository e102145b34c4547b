"""A persistent cache of model outputs keyed by (model, version, text hash).

Batch scans of model cards repeat the same license paragraphs thousands of
times; a text seen before costs a SQLite lookup instead of a forward pass.
The cache lives in the settings' `cache_dir` (`CLAUSEWISE_CACHE_DIR`, default
`~/.cache/clausewise`).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from extractors.errors import ModelIntegrityError
from models.head import Matrix
from models.settings import DEFAULT_MODEL_SETTINGS, ModelSettings


def default_cache_path(settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> Path:
    """Return the cache file in the settings' directory, or the default one."""
    root = settings.cache_dir or Path.home() / ".cache" / "clausewise"
    return root / "model-cache.sqlite3"


def text_key(text: str) -> str:
    """Return the cache key of a text: its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """Float32 vectors stored per (namespace, text hash) in SQLite."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # The service scans in a thread pool: one connection, shared by
            # threads, with a lock around every use.
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (namespace TEXT, key TEXT,"
                " value BLOB, PRIMARY KEY (namespace, key))"
            )
        except sqlite3.DatabaseError as exc:
            raise ModelIntegrityError(
                f"the model cache {self.path} is corrupt ({exc}); delete it to rebuild"
            ) from exc

    def get_many(self, namespace: str, keys: Sequence[str]) -> dict[str, Matrix]:
        """Return the cached vectors of `keys` that are present."""
        with self._lock:
            return self._get_many(namespace, keys)

    def _get_many(self, namespace: str, keys: Sequence[str]) -> dict[str, Matrix]:
        found: dict[str, Matrix] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            query = (
                "SELECT key, value FROM vectors"
                f" WHERE namespace = ? AND key IN ({marks})"
            )
            rows = self._db.execute(query, [namespace, *chunk])
            for key, value in rows:
                found[key] = np.frombuffer(value, dtype=np.float32)
        return found

    def put_many(self, namespace: str, items: dict[str, Matrix]) -> None:
        """Store vectors; a key already present is replaced."""
        with self._lock:
            self._put_many(namespace, items)

    def _put_many(self, namespace: str, items: dict[str, Matrix]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
            [
                (namespace, k, np.asarray(v, np.float32).tobytes())
                for k, v in items.items()
            ],
        )
        self._db.commit()

    def cached(
        self,
        namespace: str,
        texts: Sequence[str],
        compute: Callable[[list[str]], Matrix],
    ) -> Matrix:
        """Return one vector per text, computing each distinct uncached text once."""
        keys = [text_key(t) for t in texts]
        unique = dict(zip(keys, texts, strict=True))
        found = self.get_many(namespace, list(unique))
        todo = [(key, text) for key, text in unique.items() if key not in found]
        if todo:
            computed = compute([text for _, text in todo])
            fresh = {key: computed[i] for i, (key, _) in enumerate(todo)}
            self.put_many(namespace, fresh)
            found.update(fresh)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([found[key] for key in keys])

    def close(self) -> None:
        """Close the database."""
        self._db.close()
