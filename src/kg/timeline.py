"""The timeline: SPARQL results over ``kg:date`` → a pandas DataFrame that keeps date precision.

It never reads data files and never renders: it runs the named queries ``timeline-events`` and
``eras`` (or a user's SELECT) and hands frames to ``kg.render.timeline_html``, the CLI and the
web app. Dates stay as the source gives them: an ``xsd:gYear`` shows as "2014", never
"2014-01-01", yet sorts among full dates by its first day.

Event frame (``EVENT_COLUMNS``), one row per dated entity, oldest first:

    date        str    as printed: "2014", "2022-12", "2024-02-15"
    precision   str    year | month | day
    sort_key    datetime64[s]  the first day the date covers (what the axis and the sort use)
    label       str
    kind        str    architecture, paper, model, product, era, leaderboard, ... (class)
    vendor      str | None     developers (models, products) or affiliations (papers), ", "
    sources     list[str]      labels of the sources that state the date
    entity      str | None     the entity IRI
    vendor_iris list[str]      the vendors and every organisation above them (for ``--vendor``)

Era frame (``ERA_COLUMNS``), one row per era with a start, in succession order (``order``):
``entity, label, start, end, start_key, end_key, order, preceded_by, sources``; ``end`` and
``end_key`` are None while the era goes on. Eras overlap in time, so their order comes from
``kg:precededBy`` (succession), not from sorting the spans.

Filters (``filter_timeline``) are inclusive at the precision given: ``--to 2025-06`` keeps
2025-06-30. An event is kept when the span its own date covers overlaps the range, so "2022"
is kept by ``--from 2022-06`` (it may be later that year) and "2022-05" is not.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import pyoxigraph as ox

from kg.answers import resolve
from kg.config import resource_dir
from kg.dates import ACCEPTED, PartialDate, parse_date
from kg.errors import BadParameterError, UnknownEntityError
from kg.namespaces import KG, KINDS, parse_entity_iri, parse_kind_list, shorten
from kg.query import Table, get_named_query, select
from kg.store import Store
from kg.terms import to_text

__all__ = [
    "ERA_COLUMNS",
    "EVENT_COLUMNS",
    "SERIAL_FORMATS",
    "TIMELINE_KINDS",
    "ReportDate",
    "entity_path",
    "filter_timeline",
    "parse_kinds",
    "parse_range",
    "parse_timeline",
    "read_eras",
    "read_report_date",
    "read_timeline",
    "select_timeline",
    "serialize_timeline",
    "timeline_from_query",
    "timeline_from_table",
]

#: The kinds a timeline knows, in lane order (top to bottom).
TIMELINE_KINDS: tuple[str, ...] = (
    "era",
    "architecture",
    "paper",
    "model",
    "product",
    "leaderboard",
    "benchmark",
)
EVENT_COLUMNS: tuple[str, ...] = (
    "date",
    "precision",
    "sort_key",
    "label",
    "kind",
    "vendor",
    "sources",
    "entity",
    "vendor_iris",
)
ERA_COLUMNS: tuple[str, ...] = (
    "entity",
    "label",
    "start",
    "end",
    "start_key",
    "end_key",
    "order",
    "preceded_by",
    "sources",
)
SERIAL_FORMATS: tuple[str, ...] = ("csv", "json")

#: kg:Leaderboard is a kind of benchmark whose IRIs live under /id/benchmark/, but a timeline
#: shows it as what it is: a ranking published at a date.
_KIND_OF_CLASS = {str(iri): kind for kind, iri in KINDS.items()} | {
    str(KG.Leaderboard): "leaderboard"
}
_SEPARATOR = " | "
_LIST_COLUMNS = ("sources", "vendor_iris")


def _query(name: str) -> str:
    return get_named_query(resource_dir("queries"), name).text


def _split(term: ox.Literal | None) -> list[str]:
    return [part for part in term.value.split(_SEPARATOR) if part] if term is not None else []


def _kind_rank(kind: str) -> int:
    return TIMELINE_KINDS.index(kind) if kind in TIMELINE_KINDS else len(TIMELINE_KINDS)


def _empty_events() -> pd.DataFrame:
    """No events, with the columns and dtypes of a frame that has some."""
    sample = _event("2000", label="", kind="", vendor="")
    return _events_frame([sample]).iloc[0:0]


def _events_frame(records: list[dict]) -> pd.DataFrame:
    """A frame in EVENT_COLUMNS order, sorted by first day then label, with a fresh index."""
    if not records:
        return _empty_events()
    frame = pd.DataFrame.from_records(records, columns=list(EVENT_COLUMNS))
    frame["sort_key"] = frame["sort_key"].astype("datetime64[s]")
    frame = frame.sort_values(["sort_key", "label"], kind="stable", ignore_index=True)
    return frame


def _event(date_text: str, **fields) -> dict:
    parsed = parse_date(date_text)
    return {
        "date": str(parsed),
        "precision": parsed.precision,
        "sort_key": parsed.first_day(),
        "vendor": None,
        "sources": [],
        "entity": None,
        "vendor_iris": [],
        **fields,
    }


def read_timeline(store: Store) -> pd.DataFrame:
    """Every dated entity as an event frame (see the module docstring), oldest first.

    An entity typed with two of our classes appears once, under the kind that comes first in
    ``TIMELINE_KINDS``. Built from the SPARQL results of ``timeline-events`` only.
    """
    rows = select(store, _query("timeline-events")).rows
    records: dict[str, dict] = {}
    for entity, cls, label, date_term, vendors, organizations, sources in rows:
        kind = _KIND_OF_CLASS.get(cls.value, cls.value.rsplit("#", 1)[-1].lower())
        known = records.get(entity.value)
        if known is not None and _kind_rank(known["kind"]) <= _kind_rank(kind):
            continue
        records[entity.value] = _event(
            date_term.value,
            label=label.value,
            kind=kind,
            vendor=", ".join(sorted(_split(vendors))) or None,
            sources=sorted(_split(sources)),
            entity=entity.value,
            vendor_iris=sorted(_split(organizations)),
        )
    return _events_frame(list(records.values()))


def parse_kinds(kinds: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Read a kinds filter: a comma-separated string or a list; None or empty means all kinds.

    >>> parse_kinds("paper, model")
    ('paper', 'model')

    Raises:
        BadParameterError: a name is not one of ``TIMELINE_KINDS``; suggests the closest.
    """
    if kinds is None:
        return None
    names = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    return parse_kind_list([name.lower() for name in names], TIMELINE_KINDS)


def _bound(name: str, text: str | None) -> PartialDate | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_date(text)
    except BadParameterError as error:
        raise BadParameterError(f"{name}: {error}") from None


def parse_range(
    start: str | None, end: str | None, names: tuple[str, str] = ("--from", "--to")
) -> tuple[PartialDate | None, ...]:
    """Read ``--from``/``--to`` values (YYYY, YYYY-MM or YYYY-MM-DD; either may be None).

    ``names`` are what messages call the two bounds (the web app passes its URL parameters).

    >>> [str(d) for d in parse_range("2020", "2025-06")]
    ['2020', '2025-06']

    Raises:
        BadParameterError: a value is in none of the accepted forms (the message names them and
            the option), or the range ends before it starts.
    """
    first, last = _bound(names[0], start), _bound(names[1], end)
    if first and last and last.last_day() < first.first_day():
        raise BadParameterError(
            f"{names[1]} {last} is before {names[0]} {first}: the range is empty"
        )
    return first, last


def _covers(dates: pd.Series, start: PartialDate | None, end: PartialDate | None) -> pd.Series:
    """Which dates (strings as printed) overlap [start's first day, end's last day]."""

    def keep(text: str) -> bool:
        parsed = parse_date(text)
        after = start is None or parsed.last_day() >= start.first_day()
        before = end is None or parsed.first_day() <= end.last_day()
        return after and before

    return dates.map(keep).astype(bool)


def filter_timeline(
    frame: pd.DataFrame,
    *,
    kinds: Iterable[str] | None = None,
    start: PartialDate | None = None,
    end: PartialDate | None = None,
    vendor_iris: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The events of ``frame`` that pass every given filter (no store access).

    ``kinds`` keeps those kinds; ``start``/``end`` keep the events whose date overlaps the range
    at its precision (inclusive); ``vendor_iris`` keeps the events one of whose vendors is, or
    belongs to, one of these organisations.
    """
    keep = pd.Series(True, index=frame.index)
    if kinds is not None:
        keep &= frame["kind"].isin(list(kinds))
    if start is not None or end is not None:
        keep &= _covers(frame["date"], start, end)
    if vendor_iris is not None:
        wanted = set(vendor_iris)
        keep &= frame["vendor_iris"].map(lambda iris: bool(wanted & set(iris))).astype(bool)
    return frame[keep].reset_index(drop=True)


def _resolve_vendor(store: Store, name: str) -> list[str]:
    """The organisations a name means (exact labels first, see kg.answers.resolve)."""
    try:
        found = resolve(store, ("org",), name)
    except UnknownEntityError as error:
        raise UnknownEntityError("organization", name, error.suggestions) from None
    return [entity.iri for entity in found]


def select_timeline(
    store: Store,
    *,
    kinds: str | Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    vendor: str | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """The timeline a user asks for: ``kg timeline`` and the web app's ``/timeline`` filters.

    ``kinds`` is a list or a comma-separated string of ``TIMELINE_KINDS``; ``start``/``end``
    are YYYY, YYYY-MM or YYYY-MM-DD, inclusive at that precision; ``vendor`` is an
    organisation's label, alternative label or slug, any case, and also keeps what its teams
    did (Google keeps DeepMind's models). ``query`` is a user's SELECT to use instead of the
    built-in events (see ``timeline_from_table``; there ``vendor`` matches a ``?vendor`` IRI
    column). An empty result is a valid answer, not an error.

    Raises:
        BadParameterError: a malformed kind or date, a range that ends before it starts, or a
            query without ``?date`` and ``?label`` columns.
        UnknownEntityError: ``vendor`` names no organisation; suggests close names.
        QuerySyntaxError: ``query`` does not parse.
    """
    first, last = parse_range(start, end)
    frame = timeline_from_query(store, query) if query is not None else read_timeline(store)
    # A user query may bring kinds of its own; the built-in timeline knows its kinds.
    wanted_kinds = parse_kinds(kinds) if query is None else _query_kinds(kinds)
    vendor_iris = _resolve_vendor(store, vendor) if vendor else None
    selected = filter_timeline(
        frame, kinds=wanted_kinds, start=first, end=last, vendor_iris=vendor_iris
    )
    selected.attrs["skipped"] = frame.attrs.get("skipped", 0)
    return selected


def _query_kinds(kinds: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if kinds is None:
        return None
    names = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    return tuple(name.strip() for name in names if name.strip()) or None


def read_eras(
    store: Store,
    *,
    start: str | PartialDate | None = None,
    end: str | PartialDate | None = None,
) -> pd.DataFrame:
    """The roadmap's eras as spans to draw behind events, in succession order.

    ``order`` counts steps along ``kg:precededBy`` from the first era (ties by start). With
    ``start``/``end`` (as for ``select_timeline``), only eras whose span overlaps the range;
    an era without a start cannot be drawn and is left out.

    Raises:
        BadParameterError: a malformed ``start`` or ``end``.
    """
    start, end = parse_range(*(None if d is None else str(d) for d in (start, end)))
    rows = select(store, _query("eras")).rows
    eras: dict[str, dict] = {}
    for era, label, start_term, end_term, previous, sources in rows:
        if start_term is None or era.value in eras:
            continue
        first = parse_date(start_term.value)
        last = parse_date(end_term.value) if end_term is not None else None
        eras[era.value] = {
            "entity": era.value,
            "label": label.value,
            "start": str(first),
            "end": str(last) if last else None,
            "start_key": pd.Timestamp(first.first_day()),
            "end_key": pd.Timestamp(last.last_day()) if last else None,
            "preceded_by": previous.value if previous is not None else None,
            "sources": sorted(_split(sources)),
        }
    for record in eras.values():
        record["order"] = _succession_depth(record["entity"], eras)
    kept = [
        record
        for record in eras.values()
        if (end is None or record["start_key"].date() <= end.last_day())
        and (
            start is None
            or record["end_key"] is None
            or record["end_key"].date() >= start.first_day()
        )
    ]
    frame = pd.DataFrame.from_records(kept, columns=list(ERA_COLUMNS))
    return frame.sort_values(["order", "start_key"], kind="stable", ignore_index=True)


@dataclass(frozen=True)
class ReportDate:
    """The seed report's own date, as the data records it, for timelines to mark.

    A year stays a year: the mark spans ``first`` to ``last``, every day the date covers.
    """

    date: str
    precision: str
    first: pd.Timestamp
    last: pd.Timestamp
    label: str
    source: str

    @property
    def caption(self) -> str:
        """What a mark says: whose date it is and the date as given."""
        return f"the report: {self.date}"


def read_report_date(
    store: Store,
    *,
    start: str | PartialDate | None = None,
    end: str | PartialDate | None = None,
) -> ReportDate | None:
    """The report's date (named query ``report-date``), or None where the data gives none or
    it falls outside ``start``..``end`` (inclusive at their precision, as for events)."""
    start, end = parse_range(*(None if d is None else str(d) for d in (start, end)))
    rows = select(store, _query("report-date")).rows
    term = rows[0][2] if rows else None
    text = _date_text(term)
    if text is None:
        return None
    given = parse_date(text)
    if (end is not None and given.first_day() > end.last_day()) or (
        start is not None and given.last_day() < start.first_day()
    ):
        return None
    return ReportDate(
        date=str(given),
        precision=given.precision,
        first=pd.Timestamp(given.first_day()),
        last=pd.Timestamp(given.last_day()),
        label=rows[0][1].value,
        source=rows[0][0].value,
    )


def _succession_depth(era: str, eras: dict[str, dict]) -> int:
    """Steps back along kg:precededBy to an era with no predecessor (cycles stop the walk)."""
    depth, seen = 0, {era}
    previous = eras[era]["preceded_by"]
    while previous in eras and previous not in seen:
        seen.add(previous)
        depth += 1
        previous = eras[previous]["preceded_by"]
    return depth


def _date_text(term) -> str | None:
    """A query cell as YYYY, YYYY-MM or YYYY-MM-DD when it holds a date (dateTimes are cut to
    their day), else None."""
    if not isinstance(term, ox.Literal):
        return None
    text = term.value.strip()
    if "T" in text:
        text = text.split("T", 1)[0]
    text = text[:-1] if text.endswith("Z") else text
    try:
        return str(parse_date(text))
    except BadParameterError:
        return None


def entity_path(iri: str | None) -> str | None:
    """The web app's page of an entity IRI (``/id/{kind}/{slug}``), None for any other IRI.

    >>> entity_path("https://w3id.org/genvid-kg/id/model/sora")
    '/id/model/sora'
    """
    parsed = parse_entity_iri(iri) if iri else None
    return f"/id/{parsed[0]}/{parsed[1]}" if parsed else None


def _query_kind(cells: dict) -> str:
    if cells.get("kind") is not None:
        return to_text(cells["kind"])
    entity = cells.get("entity") or cells.get("item")
    if isinstance(entity, ox.NamedNode) and (parsed := parse_entity_iri(entity.value)):
        return parsed[0]
    return "result"


def timeline_from_table(table: Table) -> pd.DataFrame:
    """Any SELECT result with ``?date`` and ``?label`` columns as an event frame.

    What the "timeline" view of a query result uses, like the Wikidata query service's.
    Optional columns: ``?entity`` (or ``?item``) for the link, ``?kind``, ``?vendor`` or
    ``?vendorLabel``, ``?sources`` (" | "-separated) or ``?sourceLabel``. Rows whose date is
    unbound or not a date are skipped; ``frame.attrs["skipped"]`` counts them.

    Raises:
        BadParameterError: a column is missing (names the columns needed and those found), or
            no row holds a date.
    """
    missing = [name for name in ("date", "label") if name not in table.columns]
    if missing:
        found = ", ".join(f"?{c}" for c in table.columns) or "no columns"
        raise BadParameterError(
            "a timeline needs the columns ?date and ?label (optional: ?entity, ?kind, ?vendor, "
            f"?sources); the query returns {found} (missing "
            f"{' and '.join(f'?{m}' for m in missing)})"
        )
    records, skipped = [], 0
    for row in table.rows:
        cells = dict(zip(table.columns, row, strict=True))
        date_text = _date_text(cells["date"])
        if date_text is None:
            skipped += 1
            continue
        entity = cells.get("entity") or cells.get("item")
        vendor = cells.get("vendorLabel") or cells.get("vendor")
        sources = cells.get("sources") or cells.get("sourceLabel")
        vendor_iri = cells.get("vendor")
        records.append(
            _event(
                date_text,
                label=to_text(cells["label"]),
                kind=_query_kind(cells),
                vendor=_cell_text(vendor),
                sources=_split(sources) if isinstance(sources, ox.Literal) else [],
                entity=entity.value if isinstance(entity, ox.NamedNode) else None,
                vendor_iris=[vendor_iri.value] if isinstance(vendor_iri, ox.NamedNode) else [],
            )
        )
    if not records and table.rows:
        sample = ", ".join(
            repr(to_text(row[table.columns.index("date")])) for row in table.rows[:3]
        )
        raise BadParameterError(
            f"no row's ?date holds a date in the form {ACCEPTED} (or an xsd:dateTime); "
            f"first values: {sample}"
        )
    frame = _events_frame(records)
    frame.attrs["skipped"] = skipped
    return frame


def _cell_text(term) -> str | None:
    if term is None:
        return None
    text = to_text(term)
    return shorten(text) if isinstance(term, ox.NamedNode) else text


def timeline_from_query(store: Store, text: str) -> pd.DataFrame:
    """Run a user's SELECT and read it as a timeline (see ``timeline_from_table``).

    Raises:
        QuerySyntaxError: the query does not parse.
        BadParameterError: not a SELECT, a column is missing, or no row holds a date.
    """
    return timeline_from_table(select(store, text))


def _plain_records(frame: pd.DataFrame) -> list[dict]:
    records = []
    for row in frame.to_dict(orient="records"):
        row["sort_key"] = pd.Timestamp(row["sort_key"]).date().isoformat()
        records.append({k: (None if _is_missing(v) else v) for k, v in row.items()})
    return records


def _is_missing(value) -> bool:
    return not isinstance(value, list | tuple) and pd.isna(value)


def serialize_timeline(frame: pd.DataFrame, fmt: str) -> str:
    """Write an event frame as CSV or JSON so that ``parse_timeline`` gives it back.

    Dates stay as printed ("2014" stays "2014"); ``sort_key`` is the ISO first day; lists are
    JSON arrays, or " | "-joined in CSV.

    Raises:
        BadParameterError: ``fmt`` is not one of ``SERIAL_FORMATS``.
    """
    records = _plain_records(frame)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        flat = [
            {k: _SEPARATOR.join(v) if isinstance(v, list) else v for k, v in row.items()}
            for row in records
        ]
        return pd.DataFrame.from_records(flat, columns=list(frame.columns)).to_csv(index=False)
    raise BadParameterError(f"unknown format {fmt!r}; use one of {', '.join(SERIAL_FORMATS)}")


def parse_timeline(text: str, fmt: str) -> pd.DataFrame:
    """Read what ``serialize_timeline`` wrote back into an event frame.

    Every cell is read as text, so "2014" is not turned into the number 2014.

    Raises:
        BadParameterError: ``fmt`` is not one of ``SERIAL_FORMATS``, or a date is malformed.
    """
    if fmt == "json":
        rows = json.loads(text)
    elif fmt == "csv":
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        rows = frame.to_dict(orient="records")
        for row in rows:
            for column in _LIST_COLUMNS:
                row[column] = row[column].split(_SEPARATOR) if row[column] else []
    else:
        raise BadParameterError(f"unknown format {fmt!r}; use one of {', '.join(SERIAL_FORMATS)}")
    records = [
        _event(
            row["date"],
            **{
                key: row.get(key) or ([] if key in _LIST_COLUMNS else None)
                for key in EVENT_COLUMNS
                if key not in ("date", "precision", "sort_key")
            },
        )
        for row in rows
    ]
    return _events_frame(records)
