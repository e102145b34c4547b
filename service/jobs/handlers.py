"""Map a job's `kind` to the function that does the work.

Handlers are registered by explicit name (no discovery), and they are built
with their dependencies already bound (the analysis engine, cache switch), so
the runners only ever pass what every handler needs: a way to open database
sessions and the job's JSON payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session

SessionFactory = Callable[[], Session]
"""Open a new database session; the caller closes it (use it in `with`)."""

Handler = Callable[[SessionFactory, Mapping[str, Any]], None]
"""Do one job's work; raise to fail it (the runner records why and retries)."""

GiveUp = Callable[[SessionFactory, Mapping[str, Any], str], None]
"""Told (sessions, payload, error) when a job failed for good, to settle its work."""


class UnknownJobKindError(LookupError):
    """A job names a kind no handler is registered for."""


class HandlerRegistry:
    """Handlers by job kind; an unknown kind fails loudly with the known ones."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._give_up: dict[str, GiveUp] = {}

    def register(
        self, kind: str, handler: Handler, *, on_give_up: GiveUp | None = None
    ) -> None:
        """Register `handler` for `kind`; a second registration is a bug.

        `on_give_up` runs once when a job of this kind fails for good, so the
        work it stood for ends in a recorded state instead of pending forever.
        """
        if kind in self._handlers:
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        self._handlers[kind] = handler
        if on_give_up is not None:
            self._give_up[kind] = on_give_up

    def give_up(
        self,
        kind: str,
        sessions: SessionFactory,
        payload: Mapping[str, Any],
        error: str,
    ) -> None:
        """Run the give-up hook of `kind`, if it has one."""
        hook = self._give_up.get(kind)
        if hook is not None:
            hook(sessions, payload, error)

    def get(self, kind: str) -> Handler:
        """Return the handler of `kind`, or raise naming the kinds there are."""
        try:
            return self._handlers[kind]
        except KeyError:
            known = ", ".join(sorted(self._handlers)) or "none"
            raise UnknownJobKindError(
                f"no handler for job kind {kind!r} (registered: {known})"
            ) from None

    @property
    def kinds(self) -> tuple[str, ...]:
        """Return the registered kinds, sorted."""
        return tuple(sorted(self._handlers))
