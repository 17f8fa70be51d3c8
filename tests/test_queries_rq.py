"""Every named query in queries/ runs on the built graph and returns rows, undated ones last."""

import re

import pyoxigraph as ox
import pytest

from kg.config import resource_dir
from kg.dates import XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH
from kg.query import named_queries, run_query, select

QUERIES = named_queries(resource_dir("queries"))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_named_query_runs_and_has_rows(any_store, name):
    query = QUERIES[name]
    assert query.title != name, "every query needs a '# title:' line"
    assert query.description, "every query needs a '# description:' line"
    table = select(any_store, query.text)
    assert table.rows, f"{name} returned no rows on the built graph"


def test_models_using_dit_file_matches_the_parameterised_query(any_store):
    fixed = set(select(any_store, QUERIES["models-using-dit"].text).column("model"))
    bound = select(
        any_store,
        QUERIES["models-using-architecture"].text,
        {"architecture": ox.NamedNode("https://w3id.org/genvid-kg/id/architecture/dit")},
    ).column("model")
    assert fixed == set(bound)
    assert bool(run_query(any_store, "ASK { ?m kg:usesArchitecture ?a }")) is True


_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_DATE_TYPES = {XSD_DATE, XSD_GYEARMONTH, XSD_GYEAR, "http://www.w3.org/2001/XMLSchema#string"}


def _order_variables(text: str) -> list[str]:
    """The variables of a query's final ORDER BY, in the order its keys name them."""
    clause = text[text.rindex("ORDER BY") :]
    return list(dict.fromkeys(re.findall(r"\?(\w+)", clause)))


def _is_date(term) -> bool:
    return (
        isinstance(term, ox.Literal)
        and term.datatype.value in _DATE_TYPES
        and _DATE.fullmatch(term.value) is not None
    )


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_undated_rows_come_after_dated_ones(any_store, name):
    """A date column some rows lack (an OPTIONAL date) sorts the undated rows last, among the
    rows that agree on the keys before it: SPARQL sorts unbound first, which reads as
    "oldest". Date columns are found by their values, on every engine."""
    table = select(any_store, QUERIES[name].text)
    keys = _order_variables(QUERIES[name].text)
    for position, variable in enumerate(keys):
        before = keys[:position]
        if variable not in table.columns or not set(before) <= set(table.columns):
            continue
        index = table.columns.index(variable)
        values = [row[index] for row in table.rows]
        if None not in values or not all(_is_date(v) for v in values if v is not None):
            continue
        groups = [table.columns.index(key) for key in before]
        undated: set[tuple] = set()
        for row in table.rows:
            group = tuple(str(row[i]) for i in groups)
            if row[index] is None:
                undated.add(group)
            assert row[index] is None or group not in undated, (name, variable, row)
