"""Generate a synthetic, lineage-shaped graph of any size, as pyoxigraph quads, for benchmarks.

The shape follows the real data (data-model.md): architectures derived from older ones, papers
that introduce them, models on architectures with vendors, versions and eras, products powered
by models, teams inside organisations, and every statement in the named graph of a source. It
is deterministic for a seed, so two runs (or two benchmarks) measure the same graph.

    from generate import generate, generate_quads, models_for_nodes
    quads = generate(models_for_nodes(10_000), seed=7)   # about 10,000 lineage nodes
    quads = generate_quads(100_000)                        # about 100,000 quads, with ontology
    write_quads(10_000_000, path, ox.RdfFormat.N_QUADS)   # the same, streamed to a file

Lineage nodes (architecture, paper, model, org, product, era) come to about
``NODES_PER_MODEL * n_models``; persons and sources are extra.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.config import resource_dir
from kg.namespaces import ONTOLOGY_GRAPH, PREFIXES, entity_iri

__all__ = ["NODES_PER_MODEL", "generate", "generate_quads", "models_for_nodes", "write_quads"]

_KG = PREFIXES["kg"]
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_TITLE = ox.NamedNode(PREFIXES["dcterms"] + "title")
_AUTHOR = ox.NamedNode(PREFIXES["schema"] + "author")
_PARENT = ox.NamedNode(PREFIXES["schema"] + "parentOrganization")
_XSD = PREFIXES["xsd"]

#: Architectures, papers, orgs and products per model (see ``generate``), plus the model itself.
NODES_PER_MODEL = 1 + 1 / 8 + (1 / 8 + 1 / 5) + 1 / 25 + 1 / 20
_ERAS = (("gan", "GAN era", "2016"), ("transformer", "Transformer era", "2021"))
_ERAS += (
    ("diffusion", "Diffusion Model era", "2022"),
    ("dit", "Diffusion + Transformer era", "2023-12"),
)


def models_for_nodes(n_nodes: int) -> int:
    """How many models ``generate`` needs for about ``n_nodes`` lineage nodes."""
    return max(10, round((n_nodes - len(_ERAS)) / NODES_PER_MODEL))


def _kg(name: str) -> ox.NamedNode:
    return ox.NamedNode(_KG + name)


def _date(rng: random.Random, year: int) -> ox.Literal:
    """A date at a random precision, as sources give them (gYear, gYearMonth or date)."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if form < 0.15:
        return ox.Literal(f"{year}", datatype=ox.NamedNode(_XSD + "gYear"))
    if form < 0.7:
        return ox.Literal(f"{year}-{month:02d}", datatype=ox.NamedNode(_XSD + "gYearMonth"))
    return ox.Literal(f"{year}-{month:02d}-{day:02d}", datatype=ox.NamedNode(_XSD + "date"))


#: Quads held before a streaming ``generate`` hands them to its ``flush``.
_FLUSH_EVERY = 100_000


class _Writer:
    """Collects quads; each entity's statements go to the graph of one source. With ``flush``,
    full batches go to it instead of piling up (10M quads as Python objects take about 6 GB)."""

    def __init__(
        self,
        rng: random.Random,
        n_sources: int,
        flush: Callable[[list[ox.Quad]], None] | None = None,
    ) -> None:
        self.rng = rng
        self.quads: list[ox.Quad] = []
        self._flush = flush
        catalog = ox.NamedNode(entity_iri("source", "catalog"))
        self.sources = [catalog]
        self.sources += [ox.NamedNode(entity_iri("source", f"bench-{i}")) for i in range(n_sources)]
        for index, source in enumerate(self.sources):
            name = "catalogue" if index == 0 else f"bench source {index}"
            self.add(catalog, source, _RDF_TYPE, _kg("Source"))
            self.add(catalog, source, _LABEL, ox.Literal(name, language="en"))
            self.add(catalog, source, _TITLE, ox.Literal(name))
            self.add(catalog, source, _kg("sourceKind"), ox.Literal("catalogue"))

    def add(self, graph: ox.NamedNode, s: ox.NamedNode, p: ox.NamedNode, o) -> None:
        self.quads.append(ox.Quad(s, p, o, graph))
        if self._flush is not None and len(self.quads) >= _FLUSH_EVERY:
            self._flush(self.quads)
            self.quads = []

    def entity(self, kind: str, cls: str, slug: str, label: str, date=None):
        node = ox.NamedNode(entity_iri(kind, slug))
        graph = self.rng.choice(self.sources[1:])
        self.add(graph, node, _RDF_TYPE, _kg(cls))
        self.add(graph, node, _LABEL, ox.Literal(label, language="en"))
        if date is not None:
            self.add(graph, node, _kg("date"), date)
        return node, graph


def _year(rng: random.Random, low: int, high: int, recent_bias: float) -> int:
    """A year in [low, high], weighted towards recent years as the field grew."""
    years = list(range(low, high + 1))
    weights = [(1 + i) ** recent_bias for i in range(len(years))]
    return rng.choices(years, weights)[0]


def generate(
    n_models: int, seed: int, flush: Callable[[list[ox.Quad]], None] | None = None
) -> list[ox.Quad]:
    """Quads of a lineage-shaped graph with ``n_models`` models (about 1.54 nodes per model).

    Architectures (n/8) derive from one or two older ones; each has an introducing paper, and a
    fifth of the models have one too. Organisations (n/25, a tenth of them teams of another)
    develop models that use one or two architectures, follow a previous version of the same
    vendor half of the time and sit in the era of their date. Products (n/20) are powered by one
    to three models of their vendor. Deterministic for a given ``seed``. With ``flush``, quads
    go to it in batches as they are made and only the last, partial batch is returned.
    """
    rng = random.Random(seed)
    out = _Writer(rng, n_sources=max(3, n_models // 50), flush=flush)
    eras = _eras(out)
    archs = _architectures(out, rng, max(8, n_models // 8))
    orgs = _organisations(out, rng, max(5, n_models // 25))
    models = _models(out, rng, n_models, archs, orgs, eras)
    _products(out, rng, max(2, n_models // 20), orgs, models)
    return out.quads


def generate_quads(n_quads: int, seed: int = 7) -> list[ox.Quad]:
    """About ``n_quads`` quads: the generated graph sized to match, plus the ontology in its
    own graph, as every real build carries it (the timeline query reads class declarations)."""
    return generate(_models_for_quads(n_quads, seed), seed) + _ontology_quads()


def write_quads(n_quads: int, path: Path, fmt: ox.RdfFormat, seed: int = 7) -> int:
    """Write ``generate_quads(n_quads, seed)`` to ``path`` in ``fmt`` without holding it all;
    returns how many statements were written. Graph names are dropped for triple formats
    (N-Triples, Turtle: the pieces are whole documents without prefixes, so they concatenate).
    """
    written = 0
    with path.open("wb") as out:

        def flush(batch: list[ox.Quad]) -> None:
            nonlocal written
            items = batch if fmt.supports_datasets else [quad.triple for quad in batch]
            out.write(ox.serialize(items, format=fmt) or b"")
            written += len(batch)

        flush(generate(_models_for_quads(n_quads, seed), seed, flush))
        flush(_ontology_quads())
    return written


def _models_for_quads(n_quads: int, seed: int) -> int:
    per_model = len(generate(1000, seed)) / 1000
    return max(10, round(n_quads / per_model))


def _ontology_quads() -> list[ox.Quad]:
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    kg_ttl = resource_dir("ontology") / "kg.ttl"
    return [ox.Quad(q.subject, q.predicate, q.object, ontology) for q in ox.parse(path=str(kg_ttl))]


def _eras(out: _Writer) -> list[tuple[str, ox.NamedNode]]:
    eras, previous = [], None
    for slug, label, start in _ERAS:
        node, graph = out.entity("era", "Era", slug, label)
        datatype = "gYearMonth" if "-" in start else "gYear"
        out.add(
            graph, node, _kg("startDate"), ox.Literal(start, datatype=ox.NamedNode(_XSD + datatype))
        )
        if previous is not None:
            out.add(graph, node, _kg("precededBy"), previous)
        eras.append((start, node))
        previous = node
    return eras


def _paper(out: _Writer, rng: random.Random, slug: str, title: str, year: int) -> ox.NamedNode:
    paper, graph = out.entity("paper", "Paper", slug, title, _date(rng, year))
    person = ox.NamedNode(entity_iri("person", f"author-{slug}"))
    out.add(graph, person, _RDF_TYPE, _kg("Person"))
    out.add(graph, person, _LABEL, ox.Literal(f"Author of {title}", language="en"))
    out.add(graph, paper, _kg("firstAuthor"), person)
    out.add(graph, paper, _AUTHOR, person)
    out.add(graph, paper, _kg("authorsAsPrinted"), ox.Literal(f"Author of {title}"))
    out.add(
        graph,
        paper,
        _kg("arxivId"),
        ox.Literal(f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 99999):05d}"),
    )
    return paper


def _architectures(out: _Writer, rng: random.Random, count: int) -> list[tuple[int, ox.NamedNode]]:
    archs: list[tuple[int, ox.NamedNode]] = []
    for index in range(count):
        year = 2013 + (index * 12) // count
        slug = f"arch-{index:05d}"
        node, graph = out.entity(
            "architecture", "Architecture", slug, f"Arch {index}", _date(rng, year)
        )
        out.add(
            graph,
            node,
            _kg("introducedIn"),
            _paper(out, rng, f"{slug}-paper", f"Paper on Arch {index}", year),
        )
        # Roots first; later architectures derive from one or two older ones, popular ones more.
        if index >= 5:
            for _ in range(rng.choice((1, 1, 2))):
                parent = archs[int(len(archs) * rng.random() ** 2)][1]
                out.add(graph, node, _kg("derivedFrom"), parent)
        archs.append((year, node))
    return archs


def _organisations(out: _Writer, rng: random.Random, count: int) -> list[ox.NamedNode]:
    orgs: list[ox.NamedNode] = []
    for index in range(count):
        node, graph = out.entity("org", "Organization", f"org-{index:04d}", f"Org {index}")
        if index > 10 and rng.random() < 0.1:
            out.add(graph, node, _PARENT, rng.choice(orgs[:10]))
        orgs.append(node)
    return orgs


def _models(out, rng, count, archs, orgs, eras) -> dict[ox.NamedNode, list[ox.NamedNode]]:
    by_org: dict[ox.NamedNode, list[ox.NamedNode]] = {org: [] for org in orgs}
    arch_years = [year for year, _ in archs]
    era_starts = [int(start[:4]) for start, _ in eras]
    for index in range(count):
        year = _year(rng, 2016, 2025, recent_bias=2.5)
        slug = f"model-{index:06d}"
        node, graph = out.entity("model", "Model", slug, f"Model {index}", _date(rng, year))
        org = rng.choice(orgs)
        out.add(graph, node, _kg("developedBy"), org)
        older = max(1, bisect.bisect_right(arch_years, year))
        for _ in range(rng.choice((1, 1, 2))):
            out.add(graph, node, _kg("usesArchitecture"), archs[rng.randrange(older)][1])
        if by_org[org] and rng.random() < 0.5:
            out.add(graph, node, _kg("successorOf"), by_org[org][-1])
        era = eras[max(0, bisect.bisect_right(era_starts, year) - 1)][1]
        out.add(graph, node, _kg("inEra"), era)
        if rng.random() < 0.2:
            paper = _paper(out, rng, f"{slug}-paper", f"Paper on Model {index}", year)
            out.add(graph, node, _kg("introducedIn"), paper)
        by_org[org].append(node)
    return by_org


def _products(out, rng, count, orgs, models) -> None:
    makers = [org for org in orgs if models[org]]
    for index in range(count):
        org = rng.choice(makers)
        node, graph = out.entity("product", "Product", f"product-{index:04d}", f"Product {index}")
        out.add(graph, node, _kg("developedBy"), org)
        for model in rng.sample(models[org], min(len(models[org]), rng.randint(1, 3))):
            out.add(graph, node, _kg("poweredBy"), model)
