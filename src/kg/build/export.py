"""``kg export``: the store's graphs as one N-Quads (or TriG) file, for any engine's bulk loader.

Past what the SPARQL protocols carry well (a million triples and up), a server is best loaded
by its own bulk loader from a file; this writes that file. pyoxigraph streams the quads from
the published build to the file (gzip when the name ends in ``.gz``), so memory stays flat
whatever the store's size. The file is written beside its target under a hidden name and
renamed when complete: a failed export leaves no half file, and an existing file is replaced
only by a whole one.
"""

from __future__ import annotations

import contextlib
import gzip
import os
from pathlib import Path

import pyoxigraph as ox

from kg.build.imports import format_of
from kg.errors import BadParameterError
from kg.store import EmbeddedStore, MemoryStore, open_store

__all__ = ["EXPORT_FORMATS", "export_store"]

#: File name endings ``kg export`` writes (each also with ``.gz``), and the format of each.
EXPORT_FORMATS: dict[str, ox.RdfFormat] = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
#: zlib's default level. Python's gzip default, 9, took 4x as long for a 10% smaller file on
#: bench/generate.py's 10k quads (0.087 s against 0.021 s).
_GZIP_LEVEL = 6


def export_store(location: str, path: Path) -> int:
    """Write every graph of the embedded store at ``location`` to ``path``; returns the quads.

    Raises:
        BadParameterError: an unknown file name ending, a path that cannot be written, or a
            store that is a SPARQL server (dump it with the server's own tools).
        StoreError: no graph has been built at ``location``.
    """
    fmt, compressed = format_of(path, EXPORT_FORMATS)
    store = open_store(location)
    if not isinstance(store, EmbeddedStore | MemoryStore):
        raise BadParameterError(
            f"kg export reads an embedded store (a folder), not {location}: a SPARQL server's "
            "graphs are dumped by its own tools"
        )
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        # Created here, not by tempfile: mode 0666 less the umask, as any file a user writes.
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as raw:
            if compressed:
                # mtime 0: the same graph gives the same bytes.
                with gzip.GzipFile(
                    fileobj=raw, mode="wb", compresslevel=_GZIP_LEVEL, mtime=0
                ) as out:
                    store.dump(out, fmt)
            else:
                store.dump(raw, fmt)
        os.replace(partial, path)
    except OSError as error:
        _remove(partial)
        raise BadParameterError(f"{path}: cannot write it: {error.strerror or error}") from None
    except BaseException:
        _remove(partial)
        raise
    return len(store)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
