"""Build: parse every input, validate the whole, and only then replace the store's contents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.build.locations import Locations
from kg.build.tabular import read_observations
from kg.build.turtle import read_rdf
from kg.build.validate import check_provenance, check_shapes, declared_sources, to_rdflib
from kg.config import Settings
from kg.errors import ParseError, ValidationError
from kg.namespaces import ONTOLOGY_GRAPH
from kg.store import MemoryStore, RemoteStore, is_remote, replace_contents

__all__ = ["BuildReport", "Inputs", "build", "collect", "validate_inputs"]

_RDF_SUFFIXES = (".ttl", ".trig", ".nq")
#: Curated files are read whole and validated together; big graphs go through `kg import`.
MAX_DATA_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class Inputs:
    """Everything parsed from the ontology and the data, with where each subject came from."""

    files: list[tuple[str, list[ox.Quad], Locations]] = field(default_factory=list)
    shapes: Graph = field(default_factory=Graph)

    @property
    def quads(self) -> list[ox.Quad]:
        """All quads of all files, ontology included."""
        return [quad for _label, quads, _where in self.files for quad in quads]

    @property
    def locations(self) -> Locations:
        """The merged subject → file:line map."""
        merged = Locations()
        for _label, _quads, where in self.files:
            merged.update(where)
        return merged


@dataclass(frozen=True)
class BuildReport:
    """What a successful build loaded."""

    store: str
    files: list[str]
    quads: int
    graphs: int


def _label(path: Path) -> str:
    """Name a file the way users see it in the repository: ``data/models.trig``."""
    return f"{path.parent.name}/{path.name}"


def _data_files(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.iterdir()) if p.suffix in (*_RDF_SUFFIXES, ".csv"))
        elif path.exists():
            found.append(path)
        else:
            raise ParseError(str(path), None, None, "no such file or folder")
    return found


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_DATA_FILE_BYTES:
        raise ParseError(
            _label(path),
            None,
            None,
            f"{size / 2**20:.0f} MB is more than the {MAX_DATA_FILE_BYTES // 2**20} MB a curated "
            "data file may have; load large graphs with `kg import`, which streams them",
        )


def collect(settings: Settings, data: Sequence[Path] | None = None) -> Inputs:
    """Parse the ontology, the shapes and the data files (``data`` replaces the data folder).

    Raises:
        ParseError: at the first file that does not parse, naming its line and column.
    """
    inputs = Inputs()
    ontology_file = settings.ontology_dir / "kg.ttl"
    quads, where = read_rdf(ontology_file, _label(ontology_file), default_graph=ONTOLOGY_GRAPH)
    inputs.files.append((_label(ontology_file), quads, where))
    shapes_file = settings.ontology_dir / "shapes.ttl"
    shapes_quads, _ = read_rdf(shapes_file, _label(shapes_file))
    inputs.shapes = to_rdflib(shapes_quads)
    for path in _data_files(data if data is not None else [settings.data_dir]):
        _check_size(path)
        if path.suffix == ".csv":
            quads, where = read_observations(path, _label(path))
        elif path.suffix in _RDF_SUFFIXES:
            quads, where = read_rdf(path, _label(path))
        else:
            raise ParseError(_label(path), None, None, "not a data file (.ttl, .trig, .nq, .csv)")
        inputs.files.append((_label(path), quads, where))
    return inputs


def validate_inputs(settings: Settings, data: Sequence[Path] | None = None) -> Inputs:
    """Parse and validate; return the inputs when they are fit to load.

    Raises:
        ParseError: a file does not parse.
        ValidationError: shapes or provenance rules are broken; lists every violation.
    """
    inputs = collect(settings, data)
    quads = inputs.quads
    ontology = to_rdflib(q for q in quads if q.graph_name == ox.NamedNode(ONTOLOGY_GRAPH))
    violations = check_provenance(inputs.files, declared_sources(quads))
    violations += check_shapes(to_rdflib(quads), inputs.shapes, ontology, inputs.locations)
    if violations:
        raise ValidationError(violations)
    return inputs


def build(
    settings: Settings, data: Sequence[Path] | None = None, target: MemoryStore | None = None
) -> BuildReport:
    """Parse, validate and load the graph; the previous contents stay until all steps succeed.

    With ``target`` the quads replace that in-memory store's contents; otherwise a new build of
    the on-disk store at ``settings.store`` is written and published atomically.

    Raises:
        ParseError, ValidationError: the inputs are bad; the store was not touched.
        StoreError: the store cannot be written; the previous build still answers.
    """
    inputs = validate_inputs(settings, data)
    quads = inputs.quads
    if target is not None:
        target.replace(quads)
        location = target.location
    elif is_remote(settings.store):
        RemoteStore(settings.store).replace(quads)
        location = settings.store
    else:
        replace_contents(settings.store, quads)
        location = settings.store
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    return BuildReport(
        store=location,
        files=[label for label, _, _ in inputs.files],
        quads=len(quads),
        graphs=len(graphs),
    )
