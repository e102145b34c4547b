"""Fixed-window counters of requests per key and failed sign-ins per address.

The counting is the `limits` package's fixed-window strategy over a storage
named by URL: `memory://` counts in this process only (N server processes
then allow N times a limit), `redis://host:port/db` counts in Redis, so one
limit holds across every API process and machine that shares it. The
service picks the storage with `CLAUSEWISE_RATE_LIMIT_STORAGE`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from limits import RateLimitItemPerSecond
from limits.errors import ConfigurationError
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from extractors.errors import ConfigError

_STORE_DOWN = (ConnectionError, TimeoutError, RedisError)
"""What a store that does not answer raises (Redis's errors are its own)."""
STORAGE_SCHEMES = ("memory://", "redis://", "rediss://")
"""Storages clausewise supports (the `limits` package knows more)."""


class RateLimitStoreError(Exception):
    """The shared counter store (Redis) did not answer: nothing can be counted."""


class RateLimiter:
    """At most `limit` events per key in each window of `window_s` seconds.

    `namespace` keeps counters of different limiters (requests per key,
    failures per address) apart in a shared store.
    """

    def __init__(
        self,
        limit: int,
        *,
        window_s: int = 60,
        storage: str = "memory://",
        namespace: str = "clausewise",
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.namespace = namespace
        self._item = RateLimitItemPerSecond(limit, window_s)
        self._strategy = FixedWindowRateLimiter(open_storage(storage))

    def hit(self, key: Hashable) -> float | None:
        """Count one event; return seconds to wait when over the limit."""
        return self._ask(self._strategy.hit, key)

    def blocked(self, key: Hashable) -> float | None:
        """Return seconds to wait if `key` used up this window, without counting."""
        return self._ask(self._strategy.test, key)

    def _ask(self, allows: Callable[..., bool], key: Hashable) -> float | None:
        """Run `allows` (hit or test) for `key`: None when allowed, else the wait."""
        ident = str(key)
        try:
            if allows(self._item, self.namespace, ident):
                return None
            return self._wait(ident)
        except _STORE_DOWN as exc:
            raise RateLimitStoreError(str(exc)) from exc

    def _wait(self, ident: str) -> float:
        stats = self._strategy.get_window_stats(self._item, self.namespace, ident)
        return max(stats.reset_time - time.time(), 0.0)


def open_storage(url: str) -> Storage:
    """Return the `limits` storage a URL names; a bad URL is a ConfigError."""
    if not url.startswith(STORAGE_SCHEMES):
        raise ConfigError(
            f"rate-limit storage {url!r} is not one of {', '.join(STORAGE_SCHEMES)}"
        )
    try:
        found = storage_from_string(url)
    except ConfigurationError as exc:
        raise ConfigError(f"rate-limit storage {url!r}: {exc}") from exc
    if not isinstance(found, Storage):  # an asyncio storage: not for sync routes
        raise ConfigError(f"rate-limit storage {url!r} is not a synchronous one")
    return found
