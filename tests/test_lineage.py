"""The lineage graph: the edges the report states, the filters, the JSON contract and the exports.

Expected values come from shared/seed/facts.md (sections 2.5, 3 and 4) and tests/data/mini.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.config import Settings
from kg.errors import BadParameterError, NotFoundError, UnknownEntityError
from kg.lineage import (
    ancestors,
    descendants,
    lineage_paths,
    neighbourhood,
    parse_kinds,
    read_lineage,
    select_lineage,
    serialize_graph,
    to_json,
)
from kg.namespaces import entity_iri

from .conftest import MINI

DIT = entity_iri("architecture", "dit")
TRANSFORMER = entity_iri("architecture", "transformer")
DDPM = entity_iri("architecture", "ddpm")
LDM = entity_iri("architecture", "ldm")
DIFFUSION = entity_iri("architecture", "diffusion")
VAE = entity_iri("architecture", "vae")
GAN = entity_iri("architecture", "gan")
SORA = entity_iri("model", "sora")
SEEDANCE = entity_iri("model", "seedance-1-0")
VEO_2 = entity_iri("model", "veo-2")
OPENAI = entity_iri("org", "openai")
GOOGLE = entity_iri("org", "google")
DIT_PAPER = entity_iri("paper", "dit-2022")
ERA_DIT = entity_iri("era", "dit")
ERA_DIFFUSION = entity_iri("era", "diffusion")


@pytest.fixture(scope="module")
def real(built) -> nx.MultiDiGraph:
    return read_lineage(built)


def _relations(graph: nx.MultiDiGraph, start: str, end: str) -> set[str]:
    return {key for _, target, key in graph.out_edges(start, keys=True) if target == end}


# ---- the real data: what the report says ----------------------------------------------------


def test_read_lineage_dit_derived_from_transformer(real):
    assert "derivedFrom" in _relations(real, DIT, TRANSFORMER)


def test_read_lineage_dit_derived_from_diffusion(real):
    parents = {end for _, end, key in real.out_edges(DIT, keys=True) if key == "derivedFrom"}
    assert parents & {DDPM, LDM}, "DiT is derived from DDPM and/or LDM (facts 2.5)"
    assert DIFFUSION in ancestors(real, DIT), "DDPM is derived from the diffusion model"


def test_read_lineage_sora_uses_dit_directly_or_via_a_variant(real):
    used = {end for _, end, key in real.out_edges(SORA, keys=True) if key == "usesArchitecture"}
    assert any(arch == DIT or DIT in ancestors(real, arch) for arch in used), used


def test_read_lineage_every_model_is_linked_to_its_vendor(real):
    models = [node for node, kind in real.nodes(data="kind") if kind == "model"]
    assert len(models) >= 20
    for model in models:
        vendors = [end for _, end, key in real.out_edges(model, keys=True) if key == "developedBy"]
        assert vendors, f"{model} has no developedBy edge"
        assert all(real.nodes[v]["kind"] == "org" for v in vendors)
        assert real.nodes[model]["vendor"], f"{model} has no vendor attribute"


def test_read_lineage_keeps_era_succession_apart_from_inheritance(real):
    assert _relations(real, ERA_DIT, ERA_DIFFUSION) == {"precededBy"}
    # The roadmap VAE -> GAN -> ... is chronology: GAN is not derived from VAE.
    assert not _relations(real, GAN, VAE)
    assert VAE not in ancestors(real, GAN)


def test_read_lineage_node_attributes_keep_precision_and_sources(real):
    dit = real.nodes[DIT]
    assert dit["kind"] == "architecture"
    assert dit["label"] == "DiT"
    assert dit["date"] == "2022-12"
    assert dit["url"] == "/id/architecture/dit"
    assert dit["sources"]
    assert all(data["sources"] for *_, data in real.edges(data=True)), "every link is cited"


def test_lineage_paths_seedance_through_dit_to_transformer(real):
    paths = lineage_paths(real, SEEDANCE)
    assert any(DIT in path and path[-1] == TRANSFORMER for path in paths)
    labels = [" → ".join(real.nodes[node]["label"] for node in path) for path in paths]
    assert "Seedance 1.0 → DiT → Transformer" in labels, labels


def test_descendants_of_dit_include_sora_and_seedance(real):
    assert {SORA, SEEDANCE} <= descendants(real, DIT)


def test_neighbourhood_of_dit_on_every_backend(any_store):
    graph = neighbourhood(any_store, DIT)
    assert {TRANSFORMER, SORA} <= set(graph)
    assert "derivedFrom" in _relations(graph, DIT, TRANSFORMER)
    assert all(DIT in (start, end) for start, end in graph.edges())


def test_select_lineage_vendor_bytedance_since_2020(built):
    graph = select_lineage(built, vendor="ByteDance", since="2020", kinds="architecture,model")
    assert SEEDANCE in graph
    assert DIT in graph, "ByteDance's models come with the architectures they rest on"
    kinds = {kind for _, kind in graph.nodes(data="kind")}
    assert kinds <= {"architecture", "model"}
    vendors = [data["vendor"] for _, data in graph.nodes(data=True) if data["kind"] == "model"]
    assert all("ByteDance" in vendor for vendor in vendors), vendors


# ---- filters on the mini world ----------------------------------------------------------------


def test_select_lineage_focus_depth_one(mini_store):
    graph = select_lineage(mini_store, focus="diffusion transformer", depth=1)
    assert set(graph) == {DIT, TRANSFORMER, SORA, DIT_PAPER}
    assert graph.graph["focus"] == [DIT]


def test_select_lineage_focus_depth_zero_is_the_node_alone(mini_store):
    assert set(select_lineage(mini_store, focus="DiT", depth=0)) == {DIT}


def test_select_lineage_since_keeps_linked_undated_nodes(mini_store):
    graph = select_lineage(mini_store, since="2024")
    assert set(graph) == {SORA, VEO_2, OPENAI, GOOGLE}
    assert set(select_lineage(mini_store, since="2024-06")) == {VEO_2, GOOGLE}


def test_select_lineage_vendor_brings_the_roots(mini_store):
    graph = select_lineage(mini_store, vendor="openai")
    assert set(graph) == {OPENAI, SORA, DIT, TRANSFORMER, DIT_PAPER}


def test_select_lineage_kinds(mini_store):
    graph = select_lineage(mini_store, kinds=["model", "org"])
    assert set(graph) == {SORA, VEO_2, OPENAI, GOOGLE}
    assert {key for *_, key in graph.edges(keys=True)} == {"developedBy"}


def test_select_lineage_unknown_focus_suggests_names(mini_store):
    with pytest.raises(UnknownEntityError) as caught:
        select_lineage(mini_store, focus="Dit transfromer")
    assert str(caught.value).startswith("no entity named 'Dit transfromer'; did you mean")
    assert "DiT" in caught.value.suggestions


def test_select_lineage_unknown_vendor_suggests_names(mini_store):
    with pytest.raises(
        UnknownEntityError, match="no organization named 'OpenAl'; did you mean OpenAI"
    ):
        select_lineage(mini_store, vendor="OpenAl")


def test_select_lineage_empty_selection_says_so(mini_store):
    with pytest.raises(
        BadParameterError, match=r"the selection is empty: no node matches since 2030"
    ):
        select_lineage(mini_store, since="2030")


@pytest.mark.parametrize("since", ["24", "2024-13", "June 2024", "2024/06"])
def test_select_lineage_bad_since_names_the_format(mini_store, since):
    with pytest.raises(BadParameterError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
        select_lineage(mini_store, since=since)


def test_parse_kinds_rejects_unknown_kinds_with_a_suggestion():
    assert parse_kinds(" model ,org,model") == ("model", "org")
    assert parse_kinds("") is None
    with pytest.raises(BadParameterError, match=r"unknown kind 'modle'.*did you mean 'model'"):
        parse_kinds("architecture,modle")


def test_select_lineage_negative_depth(mini_store):
    with pytest.raises(BadParameterError, match="depth"):
        select_lineage(mini_store, focus="DiT", depth=-1)


# ---- the JSON contract and exports ------------------------------------------------------------


def test_to_json_contract_of_neighbourhood(mini_store):
    payload = to_json(neighbourhood(mini_store, DIT))
    assert set(payload) == {"nodes", "edges"}
    by_id = {node["id"]: node for node in payload["nodes"]}
    assert set(by_id) == {DIT, TRANSFORMER, SORA, DIT_PAPER}
    assert by_id[SORA] == {
        "id": SORA,
        "label": "Sora",
        "kind": "model",
        "date": "2024-02",
        "vendor": "OpenAI",
        "sources": ["the report"],
        "url": "/id/model/sora",
    }
    assert by_id[TRANSFORMER]["vendor"] is None
    assert {"from": SORA, "to": DIT, "relation": "usesArchitecture", "sources": ["the report"]} in (
        payload["edges"]
    )
    assert json.loads(json.dumps(payload)) == payload


def test_neighbourhood_unknown_iri(mini_store):
    with pytest.raises(NotFoundError, match="not an entity of the lineage graph"):
        neighbourhood(mini_store, entity_iri("model", "no-such-model"))


@pytest.mark.parametrize(("fmt", "reader"), [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_serialize_graph_reads_back(mini_store, fmt, reader):
    graph = read_lineage(mini_store)
    back = reader(io.BytesIO(serialize_graph(graph, fmt)))
    assert set(back) == set(graph)
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.nodes[SORA]["kind"] == "model"
    assert back.nodes[TRANSFORMER]["vendor"] == ""
    relations = {data["relation"] for *_, data in back.edges(data=True)}
    assert relations == {"derivedFrom", "introducedIn", "developedBy", "usesArchitecture"}


def test_serialize_graph_json_is_the_contract(mini_store):
    graph = read_lineage(mini_store)
    assert json.loads(serialize_graph(graph, "json")) == to_json(graph)
    with pytest.raises(BadParameterError, match="unknown format 'dot'"):
        serialize_graph(graph, "dot")


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture
def mini_on_disk(settings: Settings) -> str:
    build(settings, [MINI])
    return settings.store


def _run(store: str, *args: str):
    return CliRunner().invoke(cli, ["--store", store, "lineage", *args])


def test_cli_lineage_writes_an_offline_page(mini_on_disk, tmp_path: Path, monkeypatch):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    out = tmp_path / "work" / "dit.html"
    result = _run(mini_on_disk, "--focus", "DiT", "--depth", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: 4 nodes, 3 links" in result.output
    page = out.read_text()
    assert page.startswith("<!doctype html>")
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page), "standalone: everything inline"
    assert [p.name for p in out.parent.iterdir()] == ["dit.html"], "no lib/ folder, nothing else"


def test_cli_lineage_json_to_stdout(mini_on_disk):
    result = _run(mini_on_disk, "--kinds", "model", "--format", "json", "--out", "-")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert sorted(node["label"] for node in payload["nodes"]) == ["Sora", "Veo 2"]


def test_cli_lineage_default_out_in_current_folder(mini_on_disk, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run(mini_on_disk, "--format", "graphml")
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(tmp_path / "lineage.graphml").number_of_nodes() == 7


def test_cli_lineage_unknown_focus(mini_on_disk, tmp_path: Path):
    result = _run(mini_on_disk, "--focus", "Sorra", "--out", str(tmp_path / "x.html"))
    assert result.exit_code == 1
    assert "Error: no entity named 'Sorra'; did you mean Sora?" in result.output
    assert not (tmp_path / "x.html").exists()


def test_cli_lineage_empty_selection_writes_nothing(mini_on_disk, tmp_path: Path):
    result = _run(mini_on_disk, "--since", "2031", "--out", str(tmp_path / "x.html"))
    assert result.exit_code == 1
    assert "Error: the selection is empty" in result.output
    assert not (tmp_path / "x.html").exists()


def test_cli_lineage_bad_since(mini_on_disk, tmp_path: Path):
    result = _run(mini_on_disk, "--since", "last year", "--out", str(tmp_path / "x.html"))
    assert result.exit_code == 1
    assert (
        "Error: since: 'last year' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD" in result.output
    )
