"""`kg site`: the static explorer as a folder of plain files (no browser here; see
test_site_browser.py for what runs in Chromium).

The session's site is written once from the real graph (conftest `site`); a second one with
--base-url checks links under a sub-path. Facts come from the seed report's fact sheet
(shared/seed/facts.md): DiT is an architecture introduced by Peebles and Xie's "Scalable
Diffusion Models with Transformers"; Sora, Seedance 1.0 and Wan 2.1 are built on DiT.
"""

from __future__ import annotations

import gzip
import html.parser
import io
import json
import os
import re
import shutil
import tarfile
import urllib.parse
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import EngineError, OutputFolderError, SiteError
from kg.namespaces import ID, KINDS
from kg.query import get_named_query, select
from kg.site import engine as site_engine
from kg.site import write_site
from kg.site import writer as site_writer
from kg.site.folder import MANIFEST, check_output
from kg.site.serve import CONTENT_SECURITY_POLICY
from kg.views.entity import entity_quads, serialize_description

pytestmark = pytest.mark.skipif(
    shutil.which("npm") is None and not os.environ.get("KG_REQUIRE_BROWSER"),
    reason="kg site fetches its browser engine with npm, which is not installed here",
)

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
BASE_URL = "https://example.org/genvid-kg/"
#: The site's budget: the whole folder, WebAssembly included, gzipped (tar | gzip): issue 9's
#: "under 3 MB". The curated site after the data's second pass was 2.90 MB; with later data
#: 2.96 MB, and 2.71 MB once pages stopped repeating their neighbourhood and the dumps their
#: statements (issue 17, 4 Dec 2026).
MAX_GZIPPED = 3_000_000
#: What a host sends: each file gzipped on its own (-6; .gz files as they are), summed. 4.63 MB
#: before issue 17, 3.78 MB after (4 Dec 2026). Its goal of 3 MB is out of reach while the site
#: ships 640 entity pages as HTML (1.12 MB: 1.8 kB each, gzip finding little to share inside
#: one page) beside the engines it cannot do without (WebAssembly Oxigraph 1.43 MB, plotly.js
#: 0.40 MB, vis-network 0.16 MB): see bench/README.md.
MAX_SERVED = 3_850_000


# ---- a link checker ---------------------------------------------------------------------------
class _Links(html.parser.HTMLParser):
    """Every URL a page links or loads (a, link, script, img, form, iframe), and its ids."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"])
        for name in ("href", "src", "action"):
            if found.get(name) is not None and tag in ("a", "link", "script", "img", "form"):
                self.urls.append(found[name])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _target(folder: Path, page: Path, url: str, base: str) -> tuple[Path, str] | None:
    """The file a link of ``page`` leads to (and its fragment); None for other sites' URLs."""
    page_url = base + page.relative_to(folder).as_posix()
    absolute = urllib.parse.urljoin(page_url, url)
    if not absolute.startswith(base):
        parts = urllib.parse.urlsplit(absolute)
        site = urllib.parse.urlsplit(base)
        assert (parts.scheme, parts.netloc) != (site.scheme, site.netloc), (
            f"{page}: {url} leaves the site's folder on its own host ({absolute})"
        )
        return None
    parts = urllib.parse.urlsplit(absolute[len(base) :])
    path = folder / urllib.parse.unquote(parts.path)
    if parts.path == "" or parts.path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path, parts.fragment


def check_links(folder: Path, base: str = "https://site.invalid/") -> int:
    """Assert that every link of every page of ``folder`` leads to a file of the folder (and an
    element with the fragment's id, for fragments that are anchors). Returns how many."""
    pages = {path: _parse(path) for path in folder.rglob("*.html")}
    checked = 0
    for page, parsed in pages.items():
        for url in parsed.urls:
            if url.startswith(("data:", "mailto:", "#")) or not url:
                continue
            if re.match(r"^https?://", url) and not url.startswith(base):
                continue  # a source document elsewhere: never loaded by the page
            found = _target(folder, page, url, base)
            if found is None:
                continue
            path, fragment = found
            assert path.is_file(), f"{page.relative_to(folder)}: broken link {url}"
            if fragment and "=" not in fragment and path.suffix == ".html":
                ids = pages[path].ids if path in pages else _parse(path).ids
                assert fragment in ids, f"{page.relative_to(folder)}: no #{fragment} in {url}"
            checked += 1
    return checked


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", fragment)
    return " ".join(html.unescape(text).split())


# ---- the folder -----------------------------------------------------------------------------
def test_site_holds_every_view_the_dumps_and_a_page_per_entity(site, built, built_settings):
    for name in (
        "index.html",
        "query.html",
        "lineage.html",
        "timeline.html",
        "ontology.html",
        "void.ttl",
        "search-index.json",
        "data/genvid-kg.trig.gz",
        "data/genvid-kg.ttl",
        "data/genvid-kg.jsonld",
        "static/graph-styles.json",
        "static/vendor/oxigraph/web.js",
        "static/vendor/oxigraph/web_bg.wasm",
        "static/vendor/plotly.min.js",
        "static/vendor/vis-network.min.js",
        "static/sparql-worker.js",
        MANIFEST,
    ):
        assert (site / name).is_file(), name
    subjects = select(
        built, "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }"
    ).column("s")
    entities = {iri[len(ID) :] for iri in subjects if iri.startswith(ID)}
    entities = {e for e in entities if e.split("/")[0] in KINDS}
    assert len(entities) > 500
    for entity in entities:
        folder = site / "id" / entity
        for name in ("index.html", "index.ttl"):
            assert (folder / name).is_file(), f"id/{entity}/{name}"
    manifest = json.loads((site / MANIFEST).read_text())
    assert manifest["entities"] == len(entities)
    assert manifest["engine"]["oxigraph"] == "0.5.11"


def test_every_link_of_every_page_resolves(site):
    assert check_links(site) > 10_000


def test_links_inside_the_pages_data_resolve(site):
    index = json.loads((site / "search-index.json").read_text())
    assert len(index["entries"]) > 400
    for entry in index["entries"]:
        assert (site / entry[2] / "index.html").is_file(), entry
    lineage = (site / "lineage.html").read_text()
    data = json.loads(re.search(r'id="lineage-data">(.*?)</script>', lineage, re.S)[1])
    assert data["entityBase"] == "."
    for node in data["nodes"]:
        assert (site / (node["url"].lstrip("/") + "index.html")).is_file(), node["url"]
        kind = node["url"].split("/")[2]
        assert (site / node["url"].lstrip("/") / "neighbours.json").is_file(), kind
    timeline = (site / "timeline.html").read_text()
    spec = json.loads(re.search(r'id="kg-plot-data">(.*?)</script>', timeline, re.S)[1])
    links = [url for trace in spec["figure"]["data"] for url in trace["customdata"] if url]
    assert len(links) > 100
    for url in links:
        assert url.startswith("./id/"), url
        assert (site / url[2:] / "index.html").is_file(), url


def test_entity_pages_show_what_the_app_shows(site, app_client):
    """Facts with sources, incoming links, figures, the timeline strip: the same text."""
    for entity in ("architecture/dit", "model/sora", "person/william-peebles", "source/catalog"):
        app = app_client.get(f"/id/{entity}", headers={"accept": "text/html"}).text
        mine = (site / "id" / entity / "index.html").read_text()
        for section in ("facts", "incoming", "figures", "timeline-place", "statements"):
            pattern = rf'<section class="{section}">.*?</section>'
            expected, got = re.search(pattern, app, re.S), re.search(pattern, mine, re.S)
            assert (expected is None) == (got is None), (entity, section)
            if expected:
                assert _text(got[0]) == _text(expected[0]), (entity, section)
    dit = (site / "id/architecture/dit/index.html").read_text()
    # The neighbourhood is the file beside the page, not a copy inside it.
    assert 'data-graph-src="neighbours.json"' in dit
    assert 'data-styles-src="../../../static/graph-styles.json"' in dit
    assert "entity-lineage" not in dit
    assert '<a href="../../../id/model/sora/">Sora</a>' in dit
    assert 'As data: <a href="index.ttl">Turtle</a>' in dit
    # Each page carries only the site links its scripts read (graph-view.js: root and kinds).
    links = json.loads(re.search(r'id="kg-links">(.*?)</script>', dit)[1])
    assert set(links) == {"root", "lineageKinds"}
    person = (site / "id/person/william-peebles/index.html").read_text()
    assert "kg-links" not in person
    query = (site / "query.html").read_text()
    assert 'id="kg-links"' in query
    # The engine's worker starts from <head>, asked for the dump named on its tag, so it does
    # not wait for the rest of the page to be parsed.
    head = query.split("</head>")[0]
    assert re.search(
        r'<script src="\./static/browser-query\.js" data-dump="\./data/genvid-kg\.trig\.gz"\s+'
        r'data-format="application/trig"></script>',
        head,
    ), head


def test_entity_rdf_files_parse_and_hold_the_entity_statements(site, built, built_settings):
    files = sorted(site.glob("id/*/*/index.ttl"))
    for path in files:
        ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)
    for entity in ("architecture/dit", "model/seedance-1-0", "org/kuaishou"):
        kind, slug = entity.split("/")
        quads = entity_quads(built, built_settings.queries_dir, kind, slug)
        expected = rdflib.Graph().parse(
            data=serialize_description(quads, "text/turtle"), format="turtle"
        )
        folder = site / "id" / entity
        turtle = rdflib.Graph().parse(folder / "index.ttl", format="turtle")
        assert rdflib.compare.isomorphic(turtle, expected)
        assert len(expected) > 5
    # Only the prefixes a description uses are declared: a person's page names no measure.
    person = (site / "id/person/william-peebles/index.ttl").read_text()
    declared = set(re.findall(r"^@prefix (\w+):", person, re.M))
    assert {"person", "rdfs", "kg"} <= declared
    assert not declared & {"measure", "obs", "bench", "era", "xsd"}
    body = "\n".join(line for line in person.splitlines() if not line.startswith("@prefix"))
    assert all(f"{name}:" in body for name in declared), declared


def test_dumps_hold_every_statement_with_its_source(site, built):
    total = int(
        select(built, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").column("n")[0]
    )
    trig = gzip.decompress((site / "data/genvid-kg.trig.gz").read_bytes())
    quads = set(ox.parse(trig, format=ox.RdfFormat.TRIG))
    assert len(quads) == total
    assert {quad.graph_name.value for quad in quads} == set(
        select(built, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").column("g")
    )
    turtle = set(ox.parse((site / "data/genvid-kg.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    assert {quad.triple for quad in turtle} == {quad.triple for quad in quads}


@pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning")
def test_the_plain_jsonld_dump_loads_into_an_rdflib_graph(site):
    """What users try first: rdflib.Graph().parse(...) on the JSON-LD dump (not 0 triples)."""
    graph = rdflib.Graph().parse(site / "data/genvid-kg.jsonld", format="json-ld")
    turtle = rdflib.Graph().parse(site / "data/genvid-kg.ttl", format="turtle")
    assert len(graph) == len(turtle) > 1000
    assert rdflib.compare.isomorphic(graph, turtle)


def test_void_describes_the_dataset_and_its_dumps(site, built, built_settings):
    where = "https://site.invalid/void.ttl"
    void = rdflib.Graph().parse(site / "void.ttl", format="turtle", publicID=where)
    datasets = void.subjects(rdflib.RDF.type, VOID.Dataset)
    (dataset,) = [s for s in datasets if (s, VOID.dataDump, None) in void]
    assert str(dataset) == where + "#dataset"
    dumps = {str(o) for o in void.objects(dataset, VOID.dataDump)}
    assert dumps == {
        "https://site.invalid/data/genvid-kg.trig.gz",
        "https://site.invalid/data/genvid-kg.ttl",
        "https://site.invalid/data/genvid-kg.jsonld",
    }
    for dump in dumps:
        assert (site / dump.removeprefix("https://site.invalid/")).is_file()
    turtle = set(ox.parse((site / "data/genvid-kg.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    assert int(void.value(dataset, VOID.triples)) == len(turtle)
    assert str(void.value(dataset, VOID.uriSpace)) == ID
    counts = select(built, get_named_query(built_settings.queries_dir, "class-counts").text)
    models = next(int(row[2].value) for row in counts.rows if row[0].value.endswith("#Model"))
    partitions = {
        str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert partitions["https://w3id.org/genvid-kg/ontology#Model"] == models


def test_site_as_a_host_serves_it_stays_in_its_budget(site):
    """Each file gzipped on its own, as hosts compress on the fly; pre-compressed files as is."""
    sizes: dict[str, int] = {}
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            packed = len(data) if path.suffix == ".gz" else len(gzip.compress(data, 6))
            kind = "entity pages" if path.parts[-4:-3] == ("id",) else path.suffix
            sizes[kind] = sizes.get(kind, 0) + packed
    served = sum(sizes.values())
    assert site_writer.measure_site(site)[2] == served  # what kg site reports
    assert sizes[".wasm"] > 1_000_000  # the engine is in the count
    assert served < MAX_SERVED, f"{served:,} bytes served gzipped: {sizes}"


def test_whole_site_is_under_3_mb_gzipped(site):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=9) as archive:
        archive.add(site, arcname="site")
    size = buffer.tell()
    wasm = len(gzip.compress((site / "static/vendor/oxigraph/web_bg.wasm").read_bytes(), 9))
    assert wasm > 1_000_000  # the engine is in the count
    assert size < MAX_GZIPPED, f"the site is {size:,} bytes gzipped"


def test_served_with_webassembly_type_and_a_strict_policy(site_url):
    wasm = httpx.get(site_url + "static/vendor/oxigraph/web_bg.wasm")
    assert wasm.headers["content-type"] == "application/wasm"
    page = httpx.get(site_url + "query.html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "<script>" not in page.text  # only JSON data and files: no inline script
    dump = httpx.get(site_url + "data/genvid-kg.trig.gz")
    assert dump.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in dump.headers


def test_pages_run_no_inline_script(site):
    for path in [
        site / "index.html",
        site / "query.html",
        site / "lineage.html",
        site / "timeline.html",
        site / "id/model/sora/index.html",
    ]:
        for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", path.read_text()):
            assert 'type="application/json"' in tag, (path.name, tag)


# ---- --base-url -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_site(built, built_settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("base") / "site"
    write_site(built, built_settings, out, base_url=BASE_URL.rstrip("/"))
    return out


def test_base_url_puts_every_link_under_the_sub_path(base_site):
    assert check_links(base_site, BASE_URL) > 10_000
    home = (base_site / "index.html").read_text()
    assert f'href="{BASE_URL}static/site.css"' in home
    assert f'<a href="{BASE_URL}lineage.html"><strong>Lineage</strong></a>' in home
    lineage = (base_site / "lineage.html").read_text()
    assert f'"entityBase":"{BASE_URL.rstrip("/")}"' in lineage
    assert f'src="{BASE_URL}static/lineage.js"' in lineage
    timeline = (base_site / "timeline.html").read_text()
    assert f"{BASE_URL}id/model/sora" in timeline
    void = rdflib.Graph().parse(base_site / "void.ttl", format="turtle")
    assert (None, VOID.dataDump, rdflib.URIRef(BASE_URL + "data/genvid-kg.trig.gz")) in void


def test_base_url_must_be_a_url(built_settings, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "--store",
            built_settings.store,
            "site",
            "--out",
            str(tmp_path / "s"),
            "--base-url",
            "example.org",
        ],
    )
    assert result.exit_code == 1
    assert "--base-url 'example.org': give the URL the site will be served at" in result.output
    assert not (tmp_path / "s").exists()


# ---- bad --out ------------------------------------------------------------------------------
def test_refuses_a_non_empty_folder_that_is_not_a_site(built_settings, tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "thesis.md").write_text("my thesis")
    result = CliRunner().invoke(cli, ["--store", built_settings.store, "site", "--out", str(out)])
    assert result.exit_code == 2
    assert (
        f"Error: {out}: is not empty and holds no previous site (no kg-site.json)" in result.output
    )
    assert "add --force to replace it" in result.output
    assert [p.name for p in out.iterdir()] == ["thesis.md"]
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]  # no staging folder left
    check_output(out, force=True)  # --force lets it through


def test_accepts_a_previous_site_an_empty_folder_and_refuses_the_working_directory(
    tmp_path, monkeypatch
):
    previous = tmp_path / "previous"
    previous.mkdir()
    (previous / MANIFEST).write_text(json.dumps({"generator": "genvid-kg kg site"}))
    (previous / "index.html").write_text("old")
    check_output(previous, force=False)
    (tmp_path / "empty").mkdir()
    check_output(tmp_path / "empty", force=False)
    monkeypatch.chdir(previous)
    with pytest.raises(OutputFolderError, match="holds the current folder"):
        check_output(previous, force=True)
    with pytest.raises(OutputFolderError, match="is a file"):
        check_output(previous / "index.html", force=True)


def test_failed_export_leaves_the_previous_site_and_no_half_written_one(
    built, built_settings, tmp_path, monkeypatch
):
    out = tmp_path / "site"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"generator": "genvid-kg kg site"}))
    (out / "index.html").write_text("the previous site")
    real = site_writer.describe_entity
    calls = []

    def fail_on_the_fifth(*args):
        calls.append(args)
        if len(calls) == 5:
            raise SiteError("disk full (simulated)")
        return real(*args)

    monkeypatch.setattr(site_writer, "describe_entity", fail_on_the_fifth)
    with pytest.raises(SiteError, match="simulated"):
        write_site(built, built_settings, out)
    assert sorted(p.name for p in out.iterdir()) == ["index.html", MANIFEST]
    assert (out / "index.html").read_text() == "the previous site"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    fresh = tmp_path / "fresh"
    calls.clear()
    with pytest.raises(SiteError):
        write_site(built, built_settings, fresh)
    assert not fresh.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


# ---- the engine -----------------------------------------------------------------------------
def test_engine_is_pinned_by_a_lockfile_with_integrity():
    manifest = site_engine.manifest_dir()
    package = json.loads((manifest / "package.json").read_text())
    lock = json.loads((manifest / "package-lock.json").read_text())
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["version"] == version
        assert entry["integrity"].startswith("sha512-")
    assert "node_modules/" in (Path(__file__).parent.parent / ".gitignore").read_text()


def test_engine_cache_that_changed_is_installed_again(tmp_path):
    engine = site_engine.ensure_engine(cache=tmp_path)
    wasm = engine.path("oxigraph/web_bg.wasm")
    original = wasm.read_bytes()
    assert original[:4] == b"\0asm"
    wasm.write_bytes(b"\0asm tampered")
    again = site_engine.ensure_engine(cache=tmp_path)
    assert again.path("oxigraph/web_bg.wasm").read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == [engine.root.name]  # no install folder left


def test_engine_without_npm_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(site_engine.shutil, "which", lambda _name: None)
    with pytest.raises(EngineError, match=r"needs Node\.js and npm") as caught:
        site_engine.ensure_engine(cache=tmp_path)
    assert "apt-get install nodejs npm" in str(caught.value)
    assert caught.value.exit_code == 2


def test_site_answers_are_the_app_and_python_answers(site, built, built_settings, app_client):
    """One answer on every surface: the site's ask/ JSON and page, /api/ask and kg.api."""
    from kg.api import KnowledgeGraph

    stored = json.loads((site / "ask" / "models-using.json").read_text())
    served = app_client.get("/api/ask", params={"q": "which models use DiT"}).json()
    frame = KnowledgeGraph(built, built_settings).models_using("DiT")
    assert stored["rows"] == served["rows"]
    assert stored["references"] == served["references"]
    assert [row["Model"] for row in stored["rows"]] == list(frame["Model"])
    assert [row["Sources"] for row in stored["rows"]] == list(frame["Sources"])
    assert stored["notes"] == frame.attrs["notes"]
    page = (site / "ask" / "models-using.html").read_text()
    assert "<h1>Models that use DiT</h1>" in page
    assert '<li id="ref-1" value="1"><a href="../id/source/' in page
