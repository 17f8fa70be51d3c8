"""The home page, search, ready answers (HTML and JSON), the query and ontology pages, the
lineage view, the served assets, the OpenAPI description and `kg serve` itself.

Names and facts come from the seed report's fact sheet (shared/seed/facts.md): Kling is
Kuaishou's (快手, 可灵); Sora, Seedance 1.0, Wan 2.1 and HunyuanVideo are built on DiT or a
DiT variant; DiT was introduced by Peebles and Xie's "Scalable Diffusion Models with
Transformers" (arXiv 2212.09748).
"""

from __future__ import annotations

import html
import json
import re

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.answers import QUESTIONS
from kg.cli import cli
from kg.config import resource_dir
from kg.query import named_queries

ID = "https://w3id.org/genvid-kg/id/"
DIT = ID + "architecture/dit"


def _html(app_client, path: str, **params) -> str:
    response = app_client.get(path, params=params, headers={"accept": "text/html"})
    assert response.status_code == 200, response.text
    return html.unescape(response.text)


def test_home_links_every_ready_question_and_every_view(app_client):
    page = _html(app_client, "/")
    for question in QUESTIONS:
        assert f">{question.example}</a>" in page
    for view in ("/lineage", "/timeline", "/query", "/ontology"):
        assert f'href="{view}"' in page


def test_search_finds_labels_first(app_client):
    page = _html(app_client, "/", q="dit")
    hits = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', page.split('class="hits"')[1])
    assert hits[0] == ("/id/architecture/dit", "DiT")
    assert ("/id/architecture/mmdit", "MMDiT") in hits


def test_search_matches_alternative_labels_in_chinese(app_client):
    page = _html(app_client, "/", q="可灵")
    assert '<a href="/id/product/kling-ai">Kling AI</a>' in page
    assert "also “可灵AI”" in page


def test_search_with_a_typo_suggests(app_client):
    page = _html(app_client, "/", q="Seedence")
    assert "Nothing is named “Seedence”" in page
    assert '<a href="/id/model/seedance-1-0">Seedance 1.0</a>' in page


def test_search_api(app_client):
    answer = app_client.get("/api/search", params={"q": "kuaishou"}).json()
    assert answer["results"][0] == {
        "iri": ID + "org/kuaishou",
        "label": "Kuaishou",
        "kind": "org",
        "url": "/id/org/kuaishou",
        "matched": "Kuaishou",
    }
    assert answer["suggestions"] == []
    by_chinese = app_client.get("/api/search", params={"q": "快手"}).json()
    assert by_chinese["results"][0]["iri"] == ID + "org/kuaishou"


def test_ask_api_answers_one_row_per_model_with_references(app_client):
    answer = app_client.get("/api/ask", params={"q": "which models use DiT"}).json()
    assert answer["entity"]["iri"] == DIT
    assert answer["question"]["name"] == "models-using"
    assert answer["bindings"] == {"architecture": DIT}
    assert answer["heading"] == "Models that use DiT"
    assert answer["columns"] == ["Model", "Path", "Developers", "Date"]
    models = [row["Model"] for row in answer["rows"]]
    assert sorted(models) == sorted(set(models))
    assert {"Sora", "Seedance 1.0", "Wan 2.1 14B", "HunyuanVideo"} <= set(models)
    by_model = {row["Model"]: row for row in answer["rows"]}
    assert by_model["HunyuanVideo"]["Path"] == "HunyuanVideo → MMDiT → DiT"
    # The two developers, in whatever order the store groups them.
    assert set(by_model["Seedance 1.0"]["Developers"].split(", ")) == {
        "ByteDance Seed",
        "ByteDance",
    }
    numbers = {ref["number"]: ref for ref in answer["references"]}
    for row in answer["rows"]:
        assert row["Sources"]
        assert all(iri.startswith(ID + "source/") for iri in row["Sources"])
        assert [numbers[n]["iri"] for n in row["references"]] == row["Sources"]
    assert any("undisclosed backbone" in note for note in answer["notes"])


def test_ask_api_knows_who_introduced_dit(app_client):
    answer = app_client.get("/api/ask", params={"q": "who introduced DiT"}).json()
    row = answer["rows"][0]
    assert row["arXiv"] == "2212.09748"
    assert "Peebles" in row["Authors"]


def test_questions_api_lists_the_ready_questions(app_client):
    listed = app_client.get("/api/questions").json()
    assert [q["example"] for q in listed] == [q.example for q in QUESTIONS]


def test_answer_page_shows_rows_and_the_query(app_client):
    page = _html(app_client, "/ask", q="which models use DiT")
    assert "<h1>Models that use DiT</h1>" in page
    assert '<th scope="col">Model</th><th scope="col">Path</th>' in page
    assert page.count('<a href="/id/model/sora">Sora</a>') == 1
    assert '<a href="#ref-1" class="mark">[1]</a>' in page
    assert '<li id="ref-1" value="1"><a href="/id/source/' in page
    assert "models-using-architecture.rq" in page
    link = re.search(r'<a href="/query#([^"]+)">Open in the query editor</a>', page)[1]
    assert "VALUES+%3Farchitecture" in link


def test_ask_box_takes_a_bare_name(app_client):
    kling = app_client.get("/ask", params={"q": "可灵"}, headers={"accept": "text/html"})
    assert kling.status_code == 200
    assert 'href="/id/model/kling-2-0"' in kling.text
    assert 'href="/id/product/kling-ai"' in kling.text
    family = app_client.get("/ask", params={"q": "kling"}, headers={"accept": "text/html"})
    for slug in ("kling-1-5", "kling-1-6", "kling-2-0", "kling-2-1"):
        assert f'href="/id/model/{slug}"' in family.text
    sora = app_client.get("/ask", params={"q": "Sora"}, follow_redirects=False)
    assert sora.status_code == 303
    assert sora.headers["location"] == "/id/model/sora"


def test_answer_page_query_runs_to_the_same_rows(app_client):
    page = _html(app_client, "/ask", q="which models use DiT")
    text = re.search(r'<details class="answer-query">.*?<code>(.*?)</code>', page, re.S)[1]
    rows = app_client.get("/sparql", params={"query": text}).json()["results"]["bindings"]
    assert {row["modelLabel"]["value"] for row in rows} >= {"Sora", "Seedance 1.0"}


def test_query_page_offers_every_example_query(app_client):
    page = _html(app_client, "/query")
    for named in named_queries(resource_dir("queries")).values():
        assert f'data-name="{named.name}"' in page
        assert named.title in page
    data = json.loads(
        re.search(r'<script type="application/json" id="query-data">(.*?)</script>', page, re.S)[1]
    )
    assert data["prefixes"]["kg"] == "https://w3id.org/genvid-kg/ontology#"
    assert "text/csv" in data["resultsMedia"]
    for script in ("sparql-editor.js", "graph-view.js"):
        assert f'<script src="/static/{script}"></script>' in page
    # vis-network and plotly.js load when the graph or timeline view first needs them: their
    # addresses ride on query.js's tag, and the app serves them there.
    tag = re.search(r'<script src="/static/query.js"([^>]*)>', page, re.S)[1]
    engines = dict(re.findall(r'data-(vis|plotly)="([^"]+)"', tag))
    assert engines == {
        "vis": "/static/vendor/vis-network.min.js",
        "plotly": "/static/vendor/plotly.min.js",
    }
    for url in engines.values():
        assert app_client.get(url).status_code == 200


def test_ontology_page_is_generated_from_the_ontology(app_client):
    page = _html(app_client, "/ontology")
    model = re.search(r'<div class="term" id="Model">(.*?)</div>', page, re.S)[1]
    assert "<code>kg:Model</code>" in model
    assert "A concrete generative model or model version" in model
    derived = re.search(r'<div class="term" id="derivedFrom">(.*?)</div>', page, re.S)[1]
    assert 'domain <a href="#Architecture"><code>kg:Architecture</code></a>' in derived
    assert 'range <a href="#Architecture"><code>kg:Architecture</code></a>' in derived
    assert "<code>prov:wasDerivedFrom</code>" in derived
    assert '<a href="#classes">Classes (12)</a>' in page


def test_lineage_view_with_cli_filters_as_parameters(app_client):
    page = app_client.get("/lineage", params={"focus": "DiT", "depth": 1}).text
    data = json.loads(
        re.search(r'<script type="application/json" id="lineage-data">(.*?)</script>', page, re.S)[
            1
        ]
    )
    ids = {node["id"] for node in data["nodes"]}
    assert {DIT, ID + "architecture/transformer", ID + "model/sora"} <= ids
    assert data["expandUrl"] == "/api/lineage/neighbours"
    assert data["focus"] == [DIT]
    assert '<script src="/static/vendor/vis-network.min.js"></script>' in page


def test_lineage_view_parameter(app_client):
    page = app_client.get("/lineage", params={"view": "overview"})
    assert page.status_code == 200
    assert 'data-view="overview"' in page.text
    assert '<script src="/static/lineage-overview.js"></script>' in page.text
    assert app_client.get("/static/lineage-overview.js").status_code == 200
    assert 'data-view="full"' in app_client.get("/lineage").text, "the curated graph is small"
    wrong = app_client.get("/lineage", params={"view": "tiles"})
    assert wrong.status_code == 400
    assert "unknown view" in wrong.text


def test_lineage_overview_chunks_come_from_the_page_route(app_client):
    """Issue 17: the overview's page carries the circles; its chunks are JSON at
    /lineage/{name}.json with the page's own parameters (the same graph), 404 for none."""
    page = app_client.get("/lineage", params={"view": "overview", "kinds": "model,architecture"})
    found = re.search(
        r'<script type="application/json" id="lineage-data">(.*?)</script>', page.text
    )
    data = json.loads(found[1])
    assert data["chunkUrl"] == "lineage/{name}.json?view=overview&kinds=model%2Carchitecture"
    query = data["chunkUrl"].split("?", 1)[1]
    names = app_client.get(f"/lineage/names.json?{query}")
    assert names.status_code == 200
    assert names.headers["content-type"].startswith("application/json")
    assert len(names.json()["labels"]) == data["total"] == sum(c[2] for c in data["circles"])
    circle = app_client.get(f"/lineage/c0-0.json?{query}").json()
    assert circle["first"] == 0
    assert len(circle["dates"]) == data["circles"][0][2]
    missing = app_client.get(f"/lineage/c{len(data['circles'])}-0.json?{query}")
    assert missing.status_code == 404
    assert app_client.get("/lineage/names.json").status_code == 404, "the full view has none"


def test_timeline_view_with_cli_filters_as_parameters(app_client):
    page = _html(app_client, "/timeline", kinds="model", **{"from": "2024"})
    events = re.findall(r'<li><time>([^<]+)</time> <a href="(/id/[^"]+)">', page)
    urls = {url for _date, url in events}
    assert "/id/model/sora" in urls
    assert "/id/model/seedance-1-0" in urls
    assert "/id/architecture/dit" not in urls, "DiT is an architecture of 2022"
    assert all(date >= "2024" for date, _url in events)
    assert ("2024-02", "/id/model/sora") in events, "Sora keeps the month precision"
    assert f'data-events="{len(events)}"' in page
    assert '<script src="/static/vendor/plotly.min.js"></script>' in page


def test_timeline_vendor_filter(app_client):
    page = _html(app_client, "/timeline", vendor="Kuaishou", kinds="model")
    urls = set(re.findall(r'<li><time>[^<]+</time> <a href="(/id/[^"]+)">', page))
    assert {"/id/model/kling-1-6", "/id/model/kling-2-0"} <= urls
    assert "/id/model/sora" not in urls


def test_lineage_neighbours_api(app_client):
    graph = app_client.get("/api/lineage/neighbours", params={"iri": DIT}).json()
    node = next(n for n in graph["nodes"] if n["id"] == DIT)
    assert node["label"] == "DiT"
    assert node["url"] == "/id/architecture/dit"
    relations = {(e["from"], e["relation"], e["to"]) for e in graph["edges"]}
    assert (DIT, "derivedFrom", ID + "architecture/transformer") in relations
    assert (ID + "model/sora", "usesArchitecture", DIT) in relations


def test_labels_api_names_iris_for_the_graph_view(app_client):
    answer = app_client.post("/api/labels", json={"iris": [DIT, "urn:unknown"]}).json()
    assert answer == {
        DIT: {
            "iri": DIT,
            "label": "DiT",
            "kind": "architecture",
            "url": "/id/architecture/dit",
            "matched": "DiT",
        }
    }


def test_vendor_assets_come_from_the_installed_packages(app_client):
    vis = app_client.get("/static/vendor/vis-network.min.js")
    assert vis.status_code == 200
    assert "javascript" in vis.headers["content-type"]
    assert b"vis-network" in vis.content[:2000]
    plotly = app_client.get("/static/vendor/plotly.min.js")
    assert plotly.status_code == 200
    assert b"plotly.js" in plotly.content[:2000]


def test_no_page_loads_anything_from_another_host(app_client):
    for path in (
        "/",
        "/query",
        "/ontology",
        "/id/architecture/dit",
        "/ask?q=who+introduced+DiT",
        "/lineage",
    ):
        page = app_client.get(path).text
        for ref in re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', page):
            assert ref.startswith(("/", "?", "data:")), f"{path} loads {ref}"


def test_openapi_describes_the_json_api_and_no_cdn_docs_page(app_client):
    spec = app_client.get("/openapi.json").json()
    assert {"/api/ask", "/api/search", "/api/lineage/neighbours", "/sparql"} <= set(spec["paths"])
    ask = spec["paths"]["/api/ask"]["get"]
    assert ask["parameters"][0]["name"] == "q"
    assert app_client.get("/docs").status_code == 404


def test_kg_serve_is_documented_in_the_cli():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--query-timeout", "--allow-service"):
        assert option in result.output
    assert "127.0.0.1" in result.output
    assert "8000" in result.output


def test_kg_serve_answers_on_its_port(live_server):
    home = httpx.get(live_server + "/")
    assert home.status_code == 200
    assert "Generative video AI" in home.text
    described = httpx.get(live_server + "/sparql")
    assert f"<{live_server}/sparql>" in described.text


@pytest.fixture
def lineage_over_a_store_object(settings, make_client, monkeypatch):
    """An app over a memory store of tests/data/mini, the builds of its lineage graph counted
    (each one then calls ``during``, if set): (client, store, builds, hooks)."""
    from kg import lineage
    from kg.build import build
    from kg.server.app import create_app
    from kg.store import MemoryStore

    from .conftest import MINI

    store = MemoryStore()
    build(settings, [MINI], target=store)
    builds: list[int] = []
    hooks: dict = {"during": None}
    read = lineage.read_lineage

    def counted(store):
        graph = read(store)
        builds.append(1)
        if hooks["during"]:
            hooks["during"]()
        return graph

    monkeypatch.setattr(lineage, "read_lineage", counted)
    return make_client(create_app(settings, store)), store, builds, hooks


NAMES = "/lineage/names.json?view=overview"


def _without(store, label: str) -> None:
    """Publish new contents into ``store``: the same, less the statements of ``label``."""
    quads = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    store.replace(
        ox.Quad(s, p, o, g)
        for s, p, o, g in quads
        if not (isinstance(o, ox.Literal) and o.value == label)
    )


def test_a_store_object_keeps_its_lineage_parts_until_its_contents_change(
    lineage_over_a_store_object,
):
    """Given a store object instead of a folder, the app keys its rendered pages on the
    object's own version(): repeated chunk requests build the lineage graph once, and a
    change of the contents (a new build into the same object) is seen at the next request."""
    client, store, builds, _hooks = lineage_over_a_store_object
    assert client.get("/lineage?view=overview").status_code == 200
    labels = [client.get(NAMES).json()["labels"] for _ in range(3)]
    assert len(builds) == 1, "the page and its chunks come from one build of the graph"
    assert labels[0] == labels[1] == labels[2]
    _without(store, labels[0][0])
    again = client.get(NAMES).json()["labels"]
    assert len(builds) == 2, "new contents: the graph is built afresh"
    assert again == labels[0][1:]


def test_lineage_parts_made_while_new_contents_land_are_not_kept_for_them(
    lineage_over_a_store_object,
):
    """The parts are kept under the version read before the store was: parts read from the
    old contents while new ones were published are made again for the new ones."""
    client, store, builds, hooks = lineage_over_a_store_object

    def publish() -> None:  # once, between the read of the graph and the page's keeping
        hooks["during"] = None
        _without(store, "Sora")

    hooks["during"] = publish
    assert "Sora" in client.get(NAMES).json()["labels"]  # asked of the old contents
    assert "Sora" not in client.get(NAMES).json()["labels"]
    assert len(builds) == 2


def test_views_are_rendered_once_per_published_build(settings):
    from kg.build import build
    from kg.cache import BuildCache

    from .conftest import MINI

    build(settings, [MINI])
    views = BuildCache(settings.store, entries=64)
    renders: list[str] = []

    def render() -> str:
        renders.append("drawn")
        return f"page {len(renders)}"

    assert views.get_or_make(views.version(), "/lineage?", render) == "page 1"
    assert views.get_or_make(views.version(), "/lineage?", render) == "page 1", (
        "the same build: no second render"
    )
    assert views.get_or_make(views.version(), "/lineage?focus=x", render) == "page 2", (
        "other parameters, other page"
    )
    build(settings, [MINI])
    assert views.get_or_make(views.version(), "/lineage?", render) == "page 3", (
        "a new build is drawn afresh"
    )
    assert BuildCache(None, entries=64).get_or_make("", "/lineage?", render) == "page 4"
    assert BuildCache(None, entries=64).get_or_make("", "/lineage?", render) == "page 5", (
        "no version: never cached"
    )
