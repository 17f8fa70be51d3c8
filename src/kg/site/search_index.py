"""The home page's search index: every entity's names, folded as the app folds them.

The app's search (kg.views.lookup) folds names with ``kg.answers.normal_name`` and ranks a
match by where it falls (whole name, start, a word's start, anywhere), then by kind and label
length. The index carries each name already folded and split into folded words, so the
browser (web/static/site-search.js) only folds what the user typed and ranks the same way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from kg.site.links import entity_file
from kg.store import Store
from kg.views.lookup import KIND_ORDER, name_index, normal

__all__ = ["render_search_index"]

#: The app's word boundaries (kg.views.lookup._score).
_WORDS = re.compile(r"[\s\-_/(),:.]+")


def render_search_index(store: Store, queries_dir: Path, pages: set[tuple[str, str]]) -> bytes:
    """The index as compact JSON: kinds in ranking order, and one entry per named entity.

    An entry is ``[label, kind, page (relative to the site's root), slug, [[name, name
    folded, [word folded, ...]], ...], IRI]``, in the app's order (which breaks ties the same
    way); entities without a page are left out.
    """
    entries = []
    for entry in name_index(store, queries_dir).entries.values():
        if (entry.kind, entry.slug) not in pages:
            continue
        names = [
            [name, normal(name), [normal(w) for w in _WORDS.split(name) if w]]
            for name in entry.names
        ]
        page = entity_file(entry.kind, entry.slug)
        entries.append([entry.label, entry.kind, page, entry.slug, names, entry.iri])
    document = {"kinds": list(KIND_ORDER), "entries": entries}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
