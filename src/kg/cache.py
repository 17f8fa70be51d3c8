"""Answers kept per version of a store's contents: a rebuild is seen at once, never stale.

The key of every entry includes the store's version: for a store folder its published build
(``store_version``: one readlink), for a store object its own ``version()`` (a memory store
counts its replacements; an embedded store reads its folder's build), so `kg build` needs no
invalidation step. A store that cannot tell (a remote server, whose contents change behind
its back, or none at all) has no version and is never cached. Used for /sparql answers
(kg.executor) and for the web app's costliest rendered pages (kg.server). With ``max_bytes``,
the total size of the values kept is bounded too (least recently used first out): a few large
/sparql answers must not hold the server's memory until the next build.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from kg.store import Store, store_version

__all__ = ["BuildCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BuildCache(Generic[K, V]):
    """The most recently used values, keyed on (store version, key); thread-safe.

    At most ``entries`` values and, when ``max_bytes`` is given, at most that many bytes as
    ``size`` measures them (a value larger than the whole bound is not kept at all).
    """

    def __init__(
        self,
        source: str | Store | None,
        entries: int,
        max_bytes: int | None = None,
        size: Callable[[V], int] = len,  # type: ignore[assignment]
    ) -> None:
        #: A store folder's location (its build read by one readlink) or a store object.
        self.source = source
        self.entries = entries
        self.max_bytes = max_bytes
        self._size = size
        self._values: OrderedDict[tuple[str, K], tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0

    def version(self) -> str:
        """The store's version now ('' when it has none: nothing is cached then)."""
        if isinstance(self.source, str):
            return store_version(self.source) if self.source else ""
        return self.source.version() if self.source is not None else ""

    def get(self, version: str, key: K) -> V | None:
        """The value kept for ``key`` on build ``version``, or None."""
        if not version:
            return None
        with self._lock:
            kept = self._values.get((version, key))
            if kept is None:
                return None
            self._values.move_to_end((version, key))
            return kept[0]

    def put(self, version: str, key: K, value: V) -> None:
        """Keep ``value`` for ``key`` on build ``version`` (a no-op without a version)."""
        size = self._size(value)
        if not version or (self.max_bytes is not None and size > self.max_bytes):
            return
        with self._lock:
            if (old := self._values.pop((version, key), None)) is not None:
                self.bytes -= old[1]
            self._values[(version, key)] = (value, size)
            self.bytes += size
            while len(self._values) > self.entries or (
                self.max_bytes is not None and self.bytes > self.max_bytes
            ):
                self.bytes -= self._values.popitem(last=False)[1][1]

    def get_or_make(self, version: str, key: K, make: Callable[[], V]) -> V:
        """The value for ``key`` on build ``version``, made by ``make`` when not kept (outside
        the lock, so a slow ``make`` holds up no other key). The caller reads ``version`` once,
        before waiting its turn, so a page is kept under the build it was asked of."""
        value = self.get(version, key)
        if value is None:
            value = make()
            self.put(version, key, value)
        return value
