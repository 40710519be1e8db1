"""Named hooks: how an app announces that something happened, without knowing who listens.

A lower app (blocks, accounts, locales) declares a `Hook` for a moment of its workflow ("a block write was
recorded", "a token was revoked") and fires it from its services; a higher app's function is subscribed to it
in code, in one place (`wiring.connect`), so "what happens after a publish, in what order" is read top to
bottom there instead of being spread over settings strings, signals and `save()` overrides.

Two kinds, chosen by the hook's owner, because they fail differently:

- `Hook(..., after_commit=False)`: subscribers run at once, inside the caller's transaction. What they write
  commits or rolls back with it; an exception from one fails the write. For rows only (an outbox), never the
  network.
- `Hook(..., after_commit=True)`: subscribers run after the transaction commits (at once outside one), for what
  cannot be transactional (cache invalidation). A rolled-back write announces nothing; an exception from one
  subscriber is logged and does not stop the others or fail a write that already committed.

Tests add a subscriber with `hook.subscribed(fn)` or swap one with `hook.swapped(old, new)`; both restore the
list when the block ends, so no test silently drops another subscriber.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger("cms.hooks")

Subscriber = Callable[..., Any]


class Hook:
    """A moment of a workflow that subscribers hear, in the order they subscribed."""

    def __init__(self, name: str, *, after_commit: bool) -> None:
        self.name = name
        self.after_commit = after_commit
        self._subscribers: list[Subscriber] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {', '.join(_name(fn) for fn in self._subscribers) or 'no subscribers'}>"

    @property
    def subscribers(self) -> tuple[Subscriber, ...]:
        return tuple(self._subscribers)

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        """Add `subscriber` (once: subscribing it again keeps its first place). Returns it, to serve as a decorator."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def fire(self, *args: Any, **kwargs: Any) -> None:
        """Call every subscriber with these arguments: now, or after the current transaction commits."""
        if not self.after_commit:
            for subscriber in tuple(self._subscribers):
                subscriber(*args, **kwargs)
            return
        for subscriber in tuple(self._subscribers):
            transaction.on_commit(partial(self._run_safely, subscriber, args, kwargs))

    def _run_safely(self, subscriber: Subscriber, args: tuple, kwargs: dict) -> None:
        try:
            subscriber(*args, **kwargs)
        except Exception:  # the write committed: one broken subscriber must not hide it or stop the others
            logger.exception("Subscriber %s of hook %r failed", _name(subscriber), self.name)

    @contextmanager
    def subscribed(self, subscriber: Subscriber) -> Iterator[Subscriber]:
        """For tests: `subscriber` hears the hook inside the block, after the real subscribers."""
        saved = list(self._subscribers)
        self.subscribe(subscriber)
        try:
            yield subscriber
        finally:
            self._subscribers[:] = saved

    @contextmanager
    def swapped(self, old: Subscriber, new: Subscriber) -> Iterator[Subscriber]:
        """For tests: `new` takes `old`'s place (and order) inside the block; every other subscriber stays."""
        saved = list(self._subscribers)
        assert old in saved, f"{_name(old)} is not subscribed to {self.name!r}; subscribers: {saved!r}"
        self._subscribers[saved.index(old)] = new
        try:
            yield new
        finally:
            self._subscribers[:] = saved


def _name(subscriber: Subscriber) -> str:
    return f"{getattr(subscriber, '__module__', '?')}.{getattr(subscriber, '__qualname__', repr(subscriber))}"
