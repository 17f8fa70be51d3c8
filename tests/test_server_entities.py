"""Entity pages at /id/{kind}/{slug}: HTML for browsers, RDF for RDF clients, on one URL.

Expected facts come from the seed report's fact sheet (shared/seed/facts.md): DiT is derived
from the Transformer (§2.5, report T8), introduced in December 2022 (§2.1); Sora was released
by OpenAI in February 2024 and ranks 5th (text-to-video) and 13th (image-to-video) on the
Artificial Analysis arena of 2025-06-19 (§5.1, §5.2); Seedance 1.0 ranks first on both.
"""

from __future__ import annotations

import html
import json
import re

import pyoxigraph as ox
import pytest
import rdflib

from kg.namespaces import PREFIXES

ID = "https://w3id.org/genvid-kg/id/"
KG = PREFIXES["kg"]
DIT, TRANSFORMER, SORA = ID + "architecture/dit", ID + "architecture/transformer", ID + "model/sora"
DERIVED = (DIT, KG + "derivedFrom", TRANSFORMER)


def _page(app_client, path: str) -> str:
    response = app_client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return html.unescape(response.text)


def _section(page: str, css_class: str) -> str:
    found = re.search(rf'<section class="{css_class}">(.*?)</section>', page, re.S)
    assert found, f"no {css_class} section"
    return found[1]


def test_dit_page_has_label_description_and_aliases(app_client):
    page = _page(app_client, "/id/architecture/dit")
    assert "<h1>DiT</h1>" in page
    assert "Diffusion Transformer" in page
    assert 'class="description"' in page
    assert "dated <time>2022-12</time>" in page


def test_every_fact_names_its_source(app_client):
    facts = _section(_page(app_client, "/id/architecture/dit"), "facts")
    row = re.search(r"derived from</th>(.*?)</tbody>", facts, re.S)[1]
    transformer = re.search(
        r'<a href="/id/architecture/transformer">Transformer</a>.*?</tr>', row, re.S
    )
    assert transformer, "DiT → Transformer is listed with a link to the Transformer's page"
    assert 'href="/id/source/' in transformer[0], "and with the source it comes from"


def test_source_link_carries_the_document_url(app_client):
    facts = _section(_page(app_client, "/id/architecture/dit"), "facts")
    assert 'href="https://arxiv.org/abs/2212.09748"' in facts


def test_links_here_list_the_models_that_use_it(app_client):
    incoming = _section(_page(app_client, "/id/architecture/dit"), "incoming")
    uses = re.search(r"uses architecture.*?</ul>", incoming, re.S)[0]
    assert '<a href="/id/model/sora">Sora</a>' in uses
    assert '<a href="/id/model/seedance-1-0">Seedance 1.0</a>' in uses
    derived = re.search(r"derived from.*?</ul>", incoming, re.S)[0]
    assert '<a href="/id/architecture/mmdit">MMDiT</a>' in derived


def test_lineage_neighbourhood_is_embedded_for_the_graph_view(app_client):
    page = app_client.get("/id/architecture/dit", headers={"accept": "text/html"}).text
    payload = json.loads(
        re.search(
            r'<script type="application/json" id="entity-lineage">(.*?)</script>', page, re.S
        )[1]
    )
    ids = {node["id"] for node in payload["graph"]["nodes"]}
    assert {DIT, TRANSFORMER, SORA} <= ids
    assert {"from": DIT, "to": TRANSFORMER, "relation": "derivedFrom"}.items() <= next(
        edge for edge in payload["graph"]["edges"] if edge["to"] == TRANSFORMER
    ).items()
    assert payload["styles"]["kinds"]["architecture"]["shape"] == "box"
    assert '<script src="/static/vendor/vis-network.min.js"></script>' in page


def test_place_on_the_timeline_with_neighbours_and_era(app_client):
    place = _section(_page(app_client, "/id/model/sora"), "timeline-place")
    assert "<strong>Sora</strong>" in place
    assert "<time>2024-02</time>" in place
    assert "Diffusion + Transformer (DiT) era" in place
    link = re.search(r'<a href="(/timeline\?[^"]+)">Open the timeline around it</a>', place)[1]
    assert link == "/timeline?kinds=model&from=2022&to=2026"
    timeline = app_client.get(link, headers={"accept": "text/html"})
    assert '<a href="/id/model/sora">Sora</a>' in timeline.text


def test_leaderboard_page_links_the_leaderboards_timeline(app_client):
    place = _section(_page(app_client, "/id/benchmark/aa-t2v-2025-06-19"), "timeline-place")
    link = re.search(r'<a href="(/timeline\?[^"]+)">Open the timeline around it</a>', place)[1]
    assert link.startswith("/timeline?kinds=leaderboard&")
    timeline = app_client.get(link, headers={"accept": "text/html"})
    assert '<a href="/id/benchmark/aa-t2v-2025-06-19">' in timeline.text


def test_figures_show_sora_ranks_on_both_leaderboards(app_client):
    figures = _section(_page(app_client, "/id/model/sora"), "figures")
    ranks = re.findall(
        r'<td class="number">(\d+)</td><td>rank</td><td>2025-06-19</td>\s*<td>([^<]*)</td>', figures
    )
    by_board = {board: int(rank) for rank, board in ranks}
    assert by_board["Artificial Analysis Video Arena: text-to-video, as of 2025-06-19"] == 5
    assert by_board["Artificial Analysis Video Arena: image-to-video, as of 2025-06-19"] == 13


def test_model_page_links_its_developer(app_client):
    facts = _section(_page(app_client, "/id/model/sora"), "facts")
    assert '<a href="/id/org/openai">OpenAI</a>' in facts


def test_source_page_lists_what_it_states(app_client):
    page = _page(app_client, "/id/source/report-aa-t2v")
    statements = _section(page, "statements")
    assert "Seedance 1.0" in statements
    assert "https://w3id.org/genvid-kg/id/source/report-aa-t2v" in page


def test_observation_page_without_a_label_gets_a_readable_title(app_client):
    page = _page(app_client, "/id/observation/aa-t2v-2025-06-19-1")
    title = re.search(r"<h1>(.*?)</h1>", page)[1]
    assert "leaderboard rank" in title
    assert "Seedance 1.0" in title
    assert "2025-06-19" in title


@pytest.mark.parametrize(
    ("accept", "media", "rdf_format"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_rdf_clients_get_the_statements_on_the_same_url(app_client, accept, media, rdf_format):
    response = app_client.get("/id/architecture/dit", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "accept" in response.headers["vary"].lower()
    triples = {
        (t.subject.value, t.predicate.value, t.object.value)
        for t in ox.parse(response.content, format=rdf_format)
    }
    assert DERIVED in triples
    assert (DIT, PREFIXES["rdfs"] + "label", "DiT") in triples


def test_turtle_reads_in_rdflib_with_short_prefixes(app_client):
    response = app_client.get("/id/model/sora", headers={"accept": "text/turtle"})
    assert "@prefix kg: <https://w3id.org/genvid-kg/ontology#>" in response.text
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (
        rdflib.URIRef(SORA),
        rdflib.URIRef(KG + "developedBy"),
        rdflib.URIRef(ID + "org/openai"),
    ) in graph


def test_trig_keeps_each_statement_in_its_source_graph(app_client):
    response = app_client.get("/id/architecture/dit", headers={"accept": "application/trig"})
    quads = list(ox.parse(response.content, format=ox.RdfFormat.TRIG))
    graphs = {
        q.graph_name.value
        for q in quads
        if (q.subject.value, q.predicate.value, q.object.value) == DERIVED
    }
    assert graphs, "DiT → Transformer is stated in at least one source graph"
    assert all(graph.startswith(ID + "source/") for graph in graphs)


def test_format_parameter_gives_rdf_to_a_browser(app_client):
    response = app_client.get(
        "/id/architecture/dit", params={"format": "ttl"}, headers={"accept": "text/html"}
    )
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (
        rdflib.URIRef(DIT),
        rdflib.URIRef(KG + "derivedFrom"),
        rdflib.URIRef(TRANSFORMER),
    ) in graph


def test_page_offers_its_rdf_forms(app_client):
    page = _page(app_client, "/id/architecture/dit")
    for fmt in ("ttl", "jsonld", "nt", "trig"):
        assert f'<link rel="alternate" href="?format={fmt}"' in page


def test_browser_accept_header_gets_html(app_client):
    response = app_client.get(
        "/id/model/sora",
        headers={"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert response.headers["content-type"].startswith("text/html")


def test_did_you_mean_for_a_misspelt_slug(app_client):
    response = app_client.get("/id/model/seedance-1", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert '<a href="/id/model/seedance-1-0">Seedance 1.0 (model)</a>' in response.text


def test_figures_are_formatted_and_forecasts_flagged(app_client):
    figures = _section(_page(app_client, "/id/org/runway"), "figures")
    assert "84000000" not in figures
    assert re.search(
        r'<td class="number">265,000,000 <abbr class="forecast"[^>]*>forecast</abbr>', figures
    )
    assert '<td class="number">70,000,000</td>' in figures
    observation = _page(app_client, "/id/observation/runway-arr-2025")
    assert "265,000,000" in observation


def test_roadmap_stage_says_whether_a_source_states_it(app_client):
    """A model the report places in an era says so; one it never names there is placed by its
    date only, and the page says it is computed."""
    sora = _section(_page(app_client, "/id/model/sora"), "timeline-place")
    assert '<p class="eras-stated">In the report\'s roadmap: ' in sora
    assert "eras-computed" not in sora
    hailuo = _section(_page(app_client, "/id/model/hailuo-02"), "timeline-place")
    assert "In the report's roadmap" not in hailuo
    assert "computed from the dates, not stated by a source." in hailuo


def test_entity_pages_are_kept_once_per_page_whatever_the_url_parameters(
    built_settings, make_client
):
    """Rendered once per published build and representation; parameters that do not change the
    page (``?x=...``) cannot make it rendered again."""
    from kg.server.app import create_app

    app = create_app(built_settings)
    client, views = make_client(app), app.state.view_cache
    first = client.get("/id/model/sora", headers={"accept": "text/html"})
    kept = views.bytes
    assert kept >= len(first.content) > 0
    for n in range(3):
        again = client.get(f"/id/model/sora?x={n}", headers={"accept": "text/html"})
        assert again.content == first.content
    assert views.bytes == kept
    turtle = client.get("/id/model/sora", headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert views.bytes == kept + len(turtle.content)
