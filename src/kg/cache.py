"""Answers kept per published build of a store folder: a rebuild is seen at once, never stale.

The key of every entry includes the store's published build (``store_version``: one readlink),
so `kg build` needs no invalidation step. A store without a published version (memory, a
remote server, none at all) is never cached. Used for /sparql answers (kg.executor) and for
the web app's costliest rendered pages (kg.server).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from kg.store import store_version

__all__ = ["BuildCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BuildCache(Generic[K, V]):
    """The ``entries`` most recently used values, keyed on (published build, key); thread-safe."""

    def __init__(self, location: str | None, entries: int) -> None:
        self.location = location
        self.entries = entries
        self._values: OrderedDict[tuple[str, K], V] = OrderedDict()
        self._lock = threading.Lock()

    def version(self) -> str:
        """The published build now ('' when the store has none: nothing is cached then)."""
        return store_version(self.location) if self.location else ""

    def get(self, version: str, key: K) -> V | None:
        """The value kept for ``key`` on build ``version``, or None."""
        if not version:
            return None
        with self._lock:
            value = self._values.get((version, key))
            if value is not None:
                self._values.move_to_end((version, key))
            return value

    def put(self, version: str, key: K, value: V) -> None:
        """Keep ``value`` for ``key`` on build ``version`` (a no-op without a version)."""
        if not version:
            return
        with self._lock:
            self._values[(version, key)] = value
            while len(self._values) > self.entries:
                self._values.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value for ``key`` on the published build, made once (outside the lock, so a slow
        ``make`` holds up no other key)."""
        version = self.version()
        value = self.get(version, key)
        if value is None:
            value = make()
            self.put(version, key, value)
        return value
