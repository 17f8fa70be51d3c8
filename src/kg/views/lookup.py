"""Find entities by name: the home page's search, /api/search, labels and "did you mean".

Every entity's names (entity-names.rq: a few hundred rows) are read once per published build
and matched here in Python, best first: the whole name, its start, a word's start, anywhere in
it; failing all, close spellings. Names match as ``kg ask`` matches them (any case; spaces,
hyphens and underscores ignored), so "seedance1.0", "Seedance 1.0" and "可灵" all find theirs.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from kg.answers import begins_name, closeness
from kg.answers import normal_name as normal
from kg.errors import EntityNotFoundError
from kg.namespaces import KINDS, parse_entity_iri
from kg.query import get_named_query, select
from kg.store import Store

__all__ = [
    "KIND_ORDER",
    "Hit",
    "NameIndex",
    "entity_url",
    "labels_of",
    "missing_entity",
    "name_hits",
    "name_index",
    "normal",
    "search",
    "suggest",
]

#: Kinds in the order results list them when they match equally well.
KIND_ORDER: tuple[str, ...] = (
    "model",
    "architecture",
    "org",
    "product",
    "paper",
    "era",
    "benchmark",
    "person",
    "measure",
    "source",
    "observation",
)


@dataclass(frozen=True)
class Hit:
    """An entity found by name: its IRI, label, kind, page and the name that matched."""

    iri: str
    label: str
    kind: str
    url: str
    matched: str


@dataclass(frozen=True)
class _Entry:
    iri: str
    label: str
    kind: str
    slug: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class NameIndex:
    """Every entity's names, by IRI."""

    entries: dict[str, _Entry]


def entity_url(iri: str) -> str | None:
    """The web app's page for an entity IRI; None for any other IRI.

    >>> entity_url("https://w3id.org/genvid-kg/id/model/sora")
    '/id/model/sora'
    """
    parsed = parse_entity_iri(iri)
    return f"/id/{parsed[0]}/{parsed[1]}" if parsed else None


_cache: dict[tuple[str, int, str], NameIndex] = {}
_lock = threading.Lock()


def name_index(store: Store, queries_dir: Path) -> NameIndex:
    """The names of every entity, read once per build of the store (a remote store: each time)."""
    version = store.version()
    key = (store.location, id(store), version)
    with _lock:
        if version and key in _cache:
            return _cache[key]
    table = select(store, get_named_query(queries_dir, "entity-names").text)
    names: dict[str, tuple[str, list[str]]] = {}
    for iri, label, name in table.rows:
        entry = names.setdefault(iri.value, (label.value, []))
        entry[1].append(name.value)
    entries = {}
    for iri, (label, aliases) in names.items():
        parsed = parse_entity_iri(iri)
        if parsed is not None:
            kind, slug = parsed
            entries[iri] = _Entry(iri, label, kind, slug, tuple(dict.fromkeys([label, *aliases])))
    index = NameIndex(entries)
    if version:
        with _lock:
            if len(_cache) > 8:
                _cache.clear()
            _cache[key] = index
    return index


def _hit(entry: _Entry, matched: str) -> Hit:
    return Hit(entry.iri, entry.label, entry.kind, f"/id/{entry.kind}/{entry.slug}", matched)


def _score(wanted: str, name: str) -> int | None:
    """0 the whole name, 1 its start, 2 a word's start, 3 anywhere; None no match."""
    folded = normal(name)
    if folded == wanted:
        return 0
    if folded.startswith(wanted):
        return 1
    words = [normal(word) for word in re.split(r"[\s\-_/(),:.]+", name) if word]
    if any(word.startswith(wanted) for word in words):
        return 2
    return 3 if wanted in folded else None


def _rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def search(store: Store, queries_dir: Path, text: str, limit: int = 20) -> list[Hit]:
    """Entities whose label or alternative label matches ``text``, best first.

    Equal matches list models before architectures, organisations, products, papers and the
    rest, then shorter labels first ("Sora" before "Sora 2").
    """
    wanted = normal(text)
    if not wanted:
        return []
    scored = []
    for entry in name_index(store, queries_dir).entries.values():
        candidates = [(s, name) for name in entry.names if (s := _score(wanted, name)) is not None]
        if normal(entry.slug) == wanted:
            candidates.append((0, entry.slug))
        if candidates:
            score, matched = min(candidates, key=lambda pair: pair[0])
            scored.append((score, _rank(entry.kind), len(entry.label), entry.label, entry, matched))
    scored.sort(key=lambda row: row[:4])
    return [_hit(entry, matched) for *_, entry, matched in scored[:limit]]


def name_hits(store: Store, queries_dir: Path, text: str, limit: int = 12) -> list[Hit]:
    """What a bare name stands for (``kg ask 可灵``, ``/ask?q=Sora``): the entities named
    exactly so (by a label, an alternative label or the slug); failing that, those whose
    names start with it, a family ("可灵" for Kling 1.5 … Kling 2.1 and Kling AI). Sources and
    observations only when named exactly.
    """
    hits = search(store, queries_dir, text, 200)
    wanted = normal(text)
    exact = [hit for hit in hits if wanted in (normal(hit.matched), hit.url.rsplit("/", 1)[-1])]
    if exact:
        return exact[:limit]
    return [
        hit
        for hit in hits
        if begins_name(hit.matched, text) and hit.kind not in ("source", "observation")
    ][:limit]


def suggest(
    store: Store, queries_dir: Path, text: str, kind: str | None = None, limit: int = 5
) -> list[Hit]:
    """Entities whose names or slugs are spelled close to ``text`` (of ``kind`` when it has any).

    For "did you mean": a slug with a typo (``sora-2.0``), a name half remembered.
    """
    wanted = normal(text)
    index = name_index(store, queries_dir).entries.values()
    pool = [e for e in index if e.kind == kind] or list(index)
    scored = []
    for entry in pool:
        best = max(closeness(wanted, normal(name)) for name in (entry.slug, *entry.names))
        if wanted and any(wanted in normal(n) or normal(n) in wanted for n in (entry.slug,)):
            best = max(best, 0.8)
        scored.append((best, entry))
    scored.sort(key=lambda pair: (-pair[0], _rank(pair[1].kind), pair[1].label))
    return [_hit(entry, entry.label) for ratio, entry in scored[:limit] if ratio >= 0.5]


def labels_of(store: Store, queries_dir: Path, iris: list[str]) -> dict[str, Hit]:
    """The label, kind and page of each entity IRI among ``iris`` (others are left out)."""
    entries = name_index(store, queries_dir).entries
    return {iri: _hit(entries[iri], entries[iri].label) for iri in iris if iri in entries}


def missing_entity(store: Store, queries_dir: Path, kind: str, slug: str) -> EntityNotFoundError:
    """The 404 error for ``/id/{kind}/{slug}``, with links to the closest entities."""
    hits = suggest(store, queries_dir, slug.replace("-", " "), kind)
    links = [(f"{h.label} ({h.kind})", h.url) for h in hits]
    if kind not in KINDS:
        return EntityNotFoundError("entity", f"{kind}/{slug}", links)
    return EntityNotFoundError(kind, slug, links)
