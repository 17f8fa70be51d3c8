"""What an entity page shows, gathered from named queries with the entity bound as an IRI.

Facts with their sources (entity-facts), links here (entity-incoming), figures that mention it
(entity-figures), a source's own statements (source-statements), the lineage neighbourhood
(kg.lineage) and its place among things of its kind on the timeline (timeline, roadmap). Plain
data for the template and for the RDF representations; no HTML and no SPARQL text here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from kg.dates import PartialDate, parse_date
from kg.errors import BadParameterError, NotFoundError
from kg.lineage import neighbourhood, to_json
from kg.namespaces import PREFIXES, entity_iri, parse_entity_iri, shorten
from kg.query import Table, get_named_query, select
from kg.render.lineage_html import KIND_STYLES, RELATION_STYLES
from kg.store import Store
from kg.views.lookup import entity_url, missing_entity

__all__ = [
    "EntityPage",
    "Fact",
    "Figure",
    "Link",
    "LinkGroup",
    "SourceRef",
    "Statement",
    "TimelinePlace",
    "Value",
    "describe_entity",
    "entity_context",
    "entity_quads",
    "group_by_subject",
    "serialize_description",
]

_RDF, _RDFS, _SKOS, _KG = (PREFIXES[p] for p in ("rdf", "rdfs", "skos", "kg"))
_LABEL, _ALT, _COMMENT = _RDFS + "label", _SKOS + "altLabel", _RDFS + "comment"
_XSD = PREFIXES["xsd"]
#: Facts listed first, in this order; the rest follow by name.
_FIRST = [_RDF + "type", _LABEL, _ALT, _COMMENT, _KG + "date"]
_NEAR = 3  # things of the same kind shown on each side on the timeline strip
#: Names for the common vocabularies' terms, which have no label in the store (ours do).
_NAMES = {
    _RDF + "type": "type",
    _LABEL: "label",
    _ALT: "also known as",
    _COMMENT: "comment",
    PREFIXES["schema"] + "url": "URL",
    PREFIXES["schema"] + "author": "author",
    PREFIXES["schema"] + "parentOrganization": "parent organisation",
    PREFIXES["dcterms"] + "title": "title",
    PREFIXES["dcterms"] + "date": "date",
    PREFIXES["dcterms"] + "isPartOf": "part of",
}


@dataclass(frozen=True)
class SourceRef:
    """A source that states a fact: its label, its page here, its document and where in it."""

    label: str
    url: str | None
    external: str | None = None
    locator: str | None = None


@dataclass
class Value:
    """One value of a property, as shown, with the sources that state it."""

    text: str
    term: ox.NamedNode | ox.BlankNode | ox.Literal
    url: str | None = None
    external: str | None = None
    note: str | None = None
    sources: list[SourceRef] = field(default_factory=list)


@dataclass
class Fact:
    """A property of the entity and its values."""

    property: str
    name: str
    curie: str
    values: list[Value]


@dataclass(frozen=True)
class Link:
    """Something that points at the entity."""

    subject: str
    label: str
    url: str | None
    sources: tuple[str, ...]


@dataclass
class LinkGroup:
    """The links here through one property ("uses architecture": the models that use it)."""

    property: str
    name: str
    curie: str
    links: list[Link]


@dataclass(frozen=True)
class Figure:
    """An observation that mentions the entity."""

    url: str | None
    measure: str
    value: str
    unit: str
    period: str
    printed_name: str
    about: str
    leaderboard: str
    rank: str
    sources: tuple[str, ...]
    forecast: bool = False


@dataclass(frozen=True)
class Statement:
    """One statement of a source's graph (for source pages)."""

    subject: str
    subject_url: str | None
    property: str
    value: str
    value_url: str | None


@dataclass(frozen=True)
class Dated:
    """A dated thing on the timeline strip."""

    label: str
    date: str
    url: str | None
    current: bool


@dataclass(frozen=True)
class TimelinePlace:
    """Where the entity sits among the dated things of its kind, and in which eras."""

    date: str
    kind: str
    position: int
    total: int
    strip: list[Dated]
    #: The roadmap stages whose span holds the entity's date, computed here from the dates.
    eras: list[Dated]
    #: Those of them the sources place the entity in (kg:inEra).
    stated: list[Dated] = field(default_factory=list)


@dataclass
class EntityPage:
    """Everything an entity page shows, and its statements as quads for RDF clients."""

    iri: str
    kind: str
    slug: str
    label: str
    curie: str
    descriptions: list[Value]
    alt_labels: list[str]
    date: str | None
    facts: list[Fact]
    incoming: list[LinkGroup]
    figures: list[Figure]
    statements: list[Statement]
    lineage: dict | None
    timeline: TimelinePlace | None
    quads: list[ox.Quad]


def _table(store: Store, queries_dir: Path, name: str, **bindings: str) -> Table:
    terms = {variable: ox.NamedNode(iri) for variable, iri in bindings.items()}
    return select(store, get_named_query(queries_dir, name).text, terms)


def _text(term) -> str:
    return "" if term is None else term.value


def _name(iri: str, label) -> str:
    return _text(label) or _NAMES.get(iri) or shorten(iri)


def _show(term, label) -> tuple[str, str | None, str | None, str | None]:
    """(text, app page, external link, note) for a value."""
    if isinstance(term, ox.NamedNode):
        page = entity_url(term.value)
        if page is not None and label is None:
            # Named here but described nowhere in this store (an affiliation in the report's
            # view, whose organisation is declared by a later page): no page to link.
            return shorten(term.value), None, None, None
        external = term.value if page is None and term.value.startswith("http") else None
        shown = _text(label) or (shorten(term.value) if page or not external else term.value)
        return shown, page, external, None
    if isinstance(term, ox.Literal):
        note = term.language
        datatype = term.datatype.value
        if not note and datatype.startswith(_XSD) and datatype != _XSD + "string":
            note = datatype[len(_XSD) :]
        if datatype in (_XSD + "decimal", _XSD + "integer"):
            return _number(term.value), None, None, note
        return term.value, None, None, note
    return f"_:{term.value}", None, None, None


def _facts(rows: list[list]) -> tuple[list[Fact], list[ox.Quad], str]:
    facts: dict[str, Fact] = {}
    values: dict[tuple[str, ox.NamedNode | ox.Literal], Value] = {}
    quads = []
    subject = ""
    for entity, prop, prop_label, value, value_label, source, source_label, locator, url in rows:
        subject = entity.value
        quads.append(ox.Quad(entity, prop, value, source))
        fact = facts.setdefault(
            prop.value,
            Fact(prop.value, _name(prop.value, prop_label), shorten(prop.value), []),
        )
        key = (prop.value, value)
        if key not in values:
            text, page, external, note = _show(value, value_label)
            values[key] = Value(text, value, page, external, note)
            fact.values.append(values[key])
        reference = SourceRef(
            _text(source_label) or shorten(source.value),
            entity_url(source.value),
            _text(url) or None,
            _text(locator) or None,
        )
        if reference not in values[key].sources:
            values[key].sources.append(reference)
    first = {iri: index for index, iri in enumerate(_FIRST)}
    ordered = sorted(facts.values(), key=lambda f: (first.get(f.property, len(first)), f.name))
    return ordered, quads, subject


def _incoming(table: Table) -> list[LinkGroup]:
    groups: dict[str, LinkGroup] = {}
    observations = entity_iri("observation", "")
    for _entity, subject, label, prop, prop_label, sources in table.rows:
        if subject.value.startswith(observations):
            continue  # figures get their own table
        group = groups.setdefault(
            prop.value,
            LinkGroup(prop.value, _name(prop.value, prop_label), shorten(prop.value), []),
        )
        shown = _text(label) or shorten(subject.value)
        split = tuple(s for s in _text(sources).split(" | ") if s)
        group.links.append(Link(subject.value, shown, entity_url(subject.value), split))
    return list(groups.values())


def _figures(table: Table) -> list[Figure]:
    figures = []
    for row in table.rows:
        _e, observation, measure, value, unit, period, printed, about, board, rank, *rest = row
        forecast, sources = rest if len(rest) == 2 else (None, rest[0])
        figures.append(
            Figure(
                entity_url(observation.value),
                _text(measure),
                _number(_text(value)),
                _text(unit),
                _text(period),
                _text(printed),
                _text(about),
                _text(board),
                _text(rank),
                tuple(s for s in _text(sources).split(" | ") if s),
                _text(forecast) in ("true", "1"),
            )
        )
    return figures


def _number(text: str) -> str:
    """A figure as a reader reads it: 84000000 → 84,000,000 (small ones and ranks as given).

    >>> _number("84000000"), _number("265000000.0"), _number("12.5"), _number("3")
    ('84,000,000', '265,000,000', '12.5', '3')
    """
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if abs(number) < 10_000:
        return text
    return f"{number.normalize():,f}" if number != number.to_integral() else f"{int(number):,}"


def _statements(table: Table) -> list[Statement]:
    found = []
    for _source, subject, subject_label, prop, prop_label, value, value_label in table.rows:
        shown, page, external, _note = _show(value, value_label)
        found.append(
            Statement(
                _text(subject_label) or shorten(subject.value),
                entity_url(subject.value),
                _name(prop.value, prop_label),
                shown,
                page or external,
            )
        )
    return found


def _parse(text: str) -> PartialDate | None:
    try:
        return parse_date(text[:10])
    except BadParameterError:
        return None


def _timeline(store: Store, queries_dir: Path, iri: str) -> TimelinePlace | None:
    rows = _table(store, queries_dir, "timeline").rows
    mine = next((row for row in rows if row[0].value == iri), None)
    if mine is None or _parse(mine[3].value) is None:
        return None
    kind = mine[2].value
    same: dict[str, tuple] = {}
    for entity, label, row_kind, date, _vendor in rows:
        parsed = _parse(date.value)
        if row_kind.value == kind and parsed is not None and entity.value not in same:
            same[entity.value] = (parsed.first_day(), label.value, date.value, entity.value)
    ordered = sorted(same.values())
    index = next(i for i, row in enumerate(ordered) if row[3] == iri)
    strip = [
        Dated(label, date, entity_url(entity), entity == iri)
        for _day, label, date, entity in ordered[max(0, index - _NEAR) : index + _NEAR + 1]
    ]
    when = _parse(mine[3].value)
    eras = []
    for era, label, start, end, *_rest in _table(store, queries_dir, "roadmap").rows:
        begins, ends = _parse(start.value), _parse(end.value) if end is not None else None
        if (
            begins
            and begins.first_day() <= when.last_day()
            and (ends is None or when.first_day() <= ends.last_day())
        ):
            span = f"{start.value} to {end.value if end is not None else 'today'}"
            eras.append(Dated(label.value, span, entity_url(era.value), False))
    return TimelinePlace(mine[3].value, kind, index + 1, len(ordered), strip, eras)


def _place_eras(place: TimelinePlace | None, in_era: Fact | None) -> TimelinePlace | None:
    """Split the eras the date falls in: those the sources place the entity in (kg:inEra)
    and those only computed from the date, which the page must not present as the report's."""
    if place is None:
        return None
    stated = {value.url for value in in_era.values} if in_era else set()
    return replace(
        place,
        stated=[era for era in place.eras if era.url in stated],
        eras=[era for era in place.eras if era.url not in stated],
    )


def _lineage(store: Store, iri: str) -> dict | None:
    try:
        graph = neighbourhood(store, iri)
    except NotFoundError:
        return None
    return to_json(graph) if graph.number_of_nodes() > 1 else None


def _observation_label(facts: list[Fact]) -> str:
    by = {fact.curie: ", ".join(v.text for v in fact.values) for fact in facts}
    parts = [
        by.get("kg:measure", "figure"),
        by.get("kg:printedName") or by.get("kg:about", ""),
        " ".join(p for p in (by.get("kg:value", ""), by.get("kg:unit", "")) if p),
        by.get("kg:period", ""),
    ]
    return " · ".join(part for part in parts if part)


def _iri(store: Store, queries_dir: Path, kind: str, slug: str) -> str:
    """The IRI ``/id/{kind}/{slug}`` stands for; a kind or slug no entity can have is a 404."""
    try:
        iri = entity_iri(kind, slug)
    except ValueError:
        raise missing_entity(store, queries_dir, kind, slug) from None
    if parse_entity_iri(iri) is None:
        raise missing_entity(store, queries_dir, kind, slug)
    return iri


def describe_entity(store: Store, queries_dir: Path, kind: str, slug: str) -> EntityPage:
    """Gather what the page of ``/id/{kind}/{slug}`` shows.

    Raises:
        EntityNotFoundError: nothing is stated about that IRI; links to close matches.
    """
    iri = _iri(store, queries_dir, kind, slug)
    facts, quads = _stated(store, queries_dir, kind, slug, iri)
    by_property = {fact.property: fact for fact in facts}
    label_fact = by_property.get(_LABEL)
    label = label_fact.values[0].text if label_fact else _observation_label(facts)
    date_fact = by_property.get(_KG + "date")
    incoming = _incoming(_table(store, queries_dir, "entity-incoming", entity=iri))
    statements = (
        _statements(_table(store, queries_dir, "source-statements", source=iri))
        if kind == "source"
        else []
    )
    return EntityPage(
        iri=iri,
        kind=kind,
        slug=slug,
        label=label,
        curie=shorten(iri),
        descriptions=by_property[_COMMENT].values if _COMMENT in by_property else [],
        alt_labels=[v.text for v in by_property[_ALT].values] if _ALT in by_property else [],
        date=date_fact.values[0].text if date_fact else None,
        facts=facts,
        incoming=incoming,
        figures=_figures(_table(store, queries_dir, "entity-figures", entity=iri)),
        statements=statements,
        lineage=_lineage(store, iri),
        timeline=_place_eras(_timeline(store, queries_dir, iri), by_property.get(_KG + "inEra")),
        quads=quads,
    )


def group_by_subject(statements: list[Statement]) -> dict[tuple[str, str | None], list[Statement]]:
    """A source's statements grouped by what they are about, for display."""
    grouped: dict[tuple[str, str | None], list[Statement]] = defaultdict(list)
    for statement in statements:
        grouped[(statement.subject, statement.subject_url)].append(statement)
    return dict(grouped)


def entity_quads(store: Store, queries_dir: Path, kind: str, slug: str) -> list[ox.Quad]:
    """The statements about an entity, each in its source's graph: its RDF description.

    Raises:
        EntityNotFoundError: nothing is stated about that IRI; links to close matches.
    """
    return _stated(store, queries_dir, kind, slug, _iri(store, queries_dir, kind, slug))[1]


def _stated(
    store: Store, queries_dir: Path, kind: str, slug: str, iri: str
) -> tuple[list[Fact], list[ox.Quad]]:
    """What the graph states about ``iri``, as facts and as quads; the page and the RDF
    description of an entity share this lookup and its 404."""
    facts, quads, subject = _facts(_table(store, queries_dir, "entity-facts", entity=iri).rows)
    if not subject:
        raise missing_entity(store, queries_dir, kind, slug)
    return facts, quads


def serialize_description(quads: list[ox.Quad], media: str) -> bytes:
    """An entity's statements in an RDF format: with their source graphs in TriG and N-Quads,
    merged into one graph (each statement once) in the triple formats and in JSON-LD, which
    a plain ``rdflib.Graph().parse(...)`` reads only in that form."""
    rdf_format = ox.RdfFormat.from_media_type(media)
    if rdf_format is None:
        raise BadParameterError(f"{media} is not an RDF format")
    if rdf_format.supports_datasets and rdf_format != ox.RdfFormat.JSON_LD:
        return ox.serialize(quads, format=rdf_format, prefixes=_used_prefixes(quads)) or b""
    triples = list(dict.fromkeys(quad.triple for quad in quads))
    return ox.serialize(triples, format=rdf_format, prefixes=_used_prefixes(triples)) or b""


_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


def _used_prefixes(statements: list[ox.Quad] | list[ox.Triple]) -> dict[str, str]:
    """The predeclared prefixes some IRI written for ``statements`` starts with: the others
    would only lengthen the header of every description (a third of an entity's Turtle,
    gzipped). rdf:type as a predicate is written ``a``, and a language tag needs no datatype."""
    iris = set()
    for statement in statements:
        terms = list(statement)
        if terms[1] == _RDF_TYPE:
            del terms[1]
        for term in terms:
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal) and not term.language:
                iris.add(term.datatype.value)
    return {
        name: space
        for name, space in PREFIXES.items()
        if any(iri.startswith(space) for iri in iris)
    }


def entity_context(page: EntityPage) -> dict:
    """What entity.html shows for a described entity."""
    return {
        "page": page,
        "statements": group_by_subject(page.statements),
        "graph_styles": {"kinds": KIND_STYLES, "relations": RELATION_STYLES},
        "formats": [
            ("Turtle", "ttl"),
            ("JSON-LD", "jsonld"),
            ("N-Triples", "nt"),
            ("TriG", "trig"),
        ],
    }
