"""The one module that touches the triple store: open it, query it, replace its contents atomically.

An embedded store on disk is a folder holding immutable builds and a ``current`` symlink::

    STORE/current -> builds/20261126T201500-1234
    STORE/builds/20261126T201500-1234/   (a pyoxigraph RocksDB folder, never written after publish)

A build writes a new folder and then swaps the symlink with one ``os.replace``: readers see the
old graph or the new one, never a mix, and a failed build leaves ``current`` untouched.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import QueryEvaluationError, QuerySyntaxError, StoreError
from kg.namespaces import PREFIXES

__all__ = [
    "EmbeddedStore",
    "MemoryStore",
    "QueryOutcome",
    "Store",
    "open_store",
    "replace_contents",
]

QueryOutcome = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
_KEEP_BUILDS = 3


class Store(Protocol):
    """What the rest of the product needs from a store, whatever the backend."""

    location: str

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        """Run a SPARQL query over the union of all graphs, with the common prefixes declared."""
        ...

    def version(self) -> str:
        """A token that changes whenever the contents change (for caches)."""
        ...


def _run(
    store: ox.Store,
    text: str,
    substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None,
) -> QueryOutcome:
    try:
        return store.query(
            text,
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
            substitutions=substitutions,
        )
    except SyntaxError as error:
        raise _syntax_error(str(error)) from None
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        raise QueryEvaluationError(f"query failed: {error}") from None


def _syntax_error(message: str) -> QuerySyntaxError:
    """Pull line and column out of the parser's "error at L:C: ..." message."""
    import re

    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if match:
        return QuerySyntaxError(match[3], int(match[1]), int(match[2]))
    return QuerySyntaxError(message)


class MemoryStore:
    """An in-memory store: for tests, notebooks and ``--store memory``."""

    def __init__(self) -> None:
        self.location = "memory"
        self._store = ox.Store()
        self._version = 0

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        return _run(self._store, text, substitutions)

    def version(self) -> str:
        return str(self._version)

    def replace(self, quads: Iterable[ox.Quad]) -> None:
        """Swap in new contents in one step: a fresh store replaces the old one."""
        fresh = ox.Store()
        fresh.bulk_extend(quads)
        self._store = fresh
        self._version += 1

    def __len__(self) -> int:
        return len(self._store)


class EmbeddedStore:
    """The published build of an on-disk store, reopened when a newer build is published."""

    def __init__(self, location: str | os.PathLike[str]) -> None:
        self.location = str(location)
        self._root = Path(location)
        self._target: str | None = None
        self._store: ox.Store | None = None
        self._open_current()

    def _open_current(self) -> ox.Store:
        link = self._root / "current"
        try:
            target = os.readlink(link)
        except FileNotFoundError:
            raise StoreError(
                f"{self.location}: no graph has been built here yet. Run `kg build` first."
            ) from None
        except OSError as error:
            raise StoreError(f"{self.location}: cannot open the store: {error}") from None
        if target != self._target or self._store is None:
            try:
                self._store = ox.Store.read_only(str(self._root / target))
            except OSError as error:
                raise StoreError(f"{self.location}: cannot open build {target}: {error}") from None
            self._target = target
        return self._store

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        return _run(self._open_current(), text, substitutions)

    def version(self) -> str:
        self._open_current()
        return self._target or ""

    def __len__(self) -> int:
        return len(self._open_current())


def open_store(location: str) -> EmbeddedStore | MemoryStore:
    """Open the store a location names: ``memory`` or a folder.

    Raises:
        StoreError: the folder holds no build or cannot be read.
    """
    if location == "memory":
        return MemoryStore()
    return EmbeddedStore(location)


def replace_contents(location: str, quads: list[ox.Quad]) -> str:
    """Write ``quads`` as a new build of the store at ``location`` and publish it atomically.

    The new build is complete on disk before the ``current`` symlink moves, so a crash or an error
    at any step leaves the previous build answering. Returns the new build's folder name.

    Raises:
        StoreError: the folder cannot be written.
    """
    root = Path(location)
    builds = root / "builds"
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    try:
        builds.mkdir(parents=True, exist_ok=True)
        store = ox.Store(str(builds / name))
        store.bulk_extend(quads)
        store.flush()
        del store
        staging = root / f".current-{name}"
        os.symlink(os.path.join("builds", name), staging)
        os.replace(staging, root / "current")
    except OSError as error:
        shutil.rmtree(builds / name, ignore_errors=True)
        raise StoreError(f"{location}: cannot write the store: {error}") from None
    _prune(builds, keep=name)
    return name


def _prune(builds: Path, keep: str) -> None:
    """Remove old builds, keeping a few so that readers still on them can finish."""
    older = sorted(p for p in builds.iterdir() if p.name != keep)
    for stale in older[: max(0, len(older) - (_KEEP_BUILDS - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
