"""The whole graph as files: gzip TriG (what the browser loads), Turtle, JSON-LD, and VoID.

Every statement sits in the named graph of its source, so the quads come from the named
query ``source-statements`` (each statement with its source); the TriG dump keeps the graphs,
for datasets. Turtle has no graphs and holds each statement once, and so does
``genvid-kg.jsonld``: a reader that loads one graph (``rdflib.Graph``) finds nothing in named
graphs. The VoID description is computed from the same quads, so its counts are the dumps'
counts.

TriG rather than N-Quads: with the prefixes it is a quarter of the bytes (a fifth at 100k
quads: 0.36 MB gzipped against 0.69) and loads as fast in the browser. Oxigraph's WebAssembly
build parses N-Quads faster (0.27-0.31 s against 0.33-0.36 at 100k quads in Chromium), but
gunzipping twice the bytes took that back: the query page's worker had the graph loaded at
0.45-0.50 s either way, and also when N-Quads came in pieces, gunzipped on a second thread
while the last piece was parsed (bench/bench_site.py, bench/README.md).
"""

from __future__ import annotations

import gzip
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import ID, KG, PREFIXES
from kg.query import get_named_query, select
from kg.store import Store

__all__ = ["DUMPS", "DUMP_MEDIA", "Dump", "read_quads", "render_void", "write_dumps"]

#: The media type of ``DUMPS[0]`` once gunzipped: the format the query page's worker parses.
DUMP_MEDIA = "application/trig"

_VOID = "http://rdfs.org/ns/void#"
_DCTERMS = PREFIXES["dcterms"]
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_FORMATS = "http://www.w3.org/ns/formats/"
#: Relative IRIs in void.ttl resolve against wherever the site is served; pyoxigraph writes
#: IRIs relative to a base, and this base's scheme is one no other IRI of the file can share.
_PLACEHOLDER = "x-kg-site://site/"


@dataclass(frozen=True)
class Dump:
    """A data file of the site: its name on the home page, path, format and what it holds."""

    name: str
    path: str
    feature: str
    note: str


DUMPS: tuple[Dump, ...] = (
    Dump(
        "TriG (gzip)",
        "data/genvid-kg.trig.gz",
        "TriG",
        "every statement in the graph of its source; what the query page loads",
    ),
    Dump("Turtle", "data/genvid-kg.ttl", "Turtle", "every statement once, without its source"),
    Dump(
        "JSON-LD",
        "data/genvid-kg.jsonld",
        "JSON-LD",
        "every statement once, in one graph: what rdflib.Graph().parse(...) reads",
    ),
)


def read_quads(store: Store, queries_dir: Path) -> list[ox.Quad]:
    """Every statement of the store with its source graph, each once, in a stable order."""
    table = select(store, get_named_query(queries_dir, "source-statements").text)
    quads = (ox.Quad(row[1], row[3], row[5], row[0]) for row in table.rows)
    return list(dict.fromkeys(quads))


def _gzip(data: bytes) -> bytes:
    # mtime=0: the same graph gives the same bytes, so a rebuilt site diffs cleanly.
    return gzip.compress(data, compresslevel=9, mtime=0)


def write_dumps(quads: list[ox.Quad], folder: Path) -> list[Dump]:
    """Write the dumps of ``DUMPS`` under ``folder`` and return them."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    trig = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b""
    (folder / DUMPS[0].path).write_bytes(_gzip(trig))
    triples = list(dict.fromkeys(quad.triple for quad in quads))
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    (folder / DUMPS[1].path).write_bytes(turtle)
    jsonld = ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b""
    (folder / DUMPS[2].path).write_bytes(jsonld)
    return list(DUMPS)


def render_void(
    quads: list[ox.Quad],
    class_counts: dict[str, int],
    *,
    title: str,
    base_url: str | None,
    examples: list[str],
) -> bytes:
    """A VoID description of the dataset: size, vocabulary, URI space, classes, dumps.

    IRIs of the site's own files are relative (the file works wherever the site is served)
    unless ``base_url`` names where it is.
    """
    base = base_url or _PLACEHOLDER
    dataset = ox.NamedNode(base + "void.ttl#dataset")
    triples = list(dict.fromkeys(quad.triple for quad in quads))
    subjects = {t.subject for t in triples}
    entities = {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(ID)}

    def void(name: str) -> ox.NamedNode:
        return ox.NamedNode(_VOID + name)

    def count(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))

    out = [
        ox.Triple(dataset, _RDF_TYPE, void("Dataset")),
        ox.Triple(dataset, ox.NamedNode(_DCTERMS + "title"), ox.Literal(title, language="en")),
        ox.Triple(
            dataset,
            ox.NamedNode(_DCTERMS + "description"),
            ox.Literal(
                "A cited knowledge graph of generative video AI: papers, architectures, models, "
                "vendors, products, eras and market figures; every statement in the named graph "
                "of its source.",
                language="en",
            ),
        ),
        ox.Triple(dataset, void("uriSpace"), ox.Literal(ID)),
        ox.Triple(dataset, void("vocabulary"), ox.NamedNode(str(KG._NS))),
        ox.Triple(dataset, void("triples"), count(len(triples))),
        ox.Triple(dataset, void("entities"), count(len(entities))),
        ox.Triple(dataset, void("distinctSubjects"), count(len(subjects))),
        ox.Triple(dataset, void("distinctObjects"), count(len({t.object for t in triples}))),
        ox.Triple(dataset, void("properties"), count(len({t.predicate for t in triples}))),
        ox.Triple(dataset, void("classes"), count(sum(1 for n in class_counts.values() if n))),
    ]
    for dump in DUMPS:
        out.append(ox.Triple(dataset, void("dataDump"), ox.NamedNode(base + dump.path)))
        out.append(ox.Triple(dataset, void("feature"), ox.NamedNode(_FORMATS + dump.feature)))
    for iri in examples:
        out.append(ox.Triple(dataset, void("exampleResource"), ox.NamedNode(iri)))
    for iri, number in sorted(class_counts.items()):
        if number:
            partition = ox.BlankNode()
            out.append(ox.Triple(dataset, void("classPartition"), partition))
            out.append(ox.Triple(partition, void("class"), ox.NamedNode(iri)))
            out.append(ox.Triple(partition, void("entities"), count(number)))
    graphs = Counter(quad.graph_name for quad in quads)
    for graph, number in sorted(graphs.items(), key=lambda pair: str(pair[0])):
        subset = ox.BlankNode()
        out.append(ox.Triple(dataset, void("subset"), subset))
        out.append(ox.Triple(subset, _RDF_TYPE, void("Dataset")))
        out.append(ox.Triple(subset, ox.NamedNode(_DCTERMS + "source"), graph))
        out.append(ox.Triple(subset, void("triples"), count(number)))
    prefixes = {"void": _VOID, **PREFIXES}
    text = ox.serialize(out, format=ox.RdfFormat.TURTLE, prefixes=prefixes, base_iri=base) or b""
    if base_url is None:
        text = b"\n".join(line for line in text.split(b"\n") if not line.startswith(b"@base"))
    return text
