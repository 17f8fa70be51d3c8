"""Every named query in queries/ runs on the built graph and returns rows."""

import pytest

from kg.config import resource_dir
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
    import pyoxigraph as ox

    fixed = set(select(any_store, QUERIES["models-using-dit"].text).column("model"))
    bound = select(
        any_store,
        QUERIES["models-using-architecture"].text,
        {"architecture": ox.NamedNode("https://w3id.org/genvid-kg/id/architecture/dit")},
    ).column("model")
    assert fixed == set(bound)
    assert bool(run_query(any_store, "ASK { ?m kg:usesArchitecture ?a }")) is True
