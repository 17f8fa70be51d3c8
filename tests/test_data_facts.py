"""The data says what its sources say, each statement in the graph of the page that makes it.

Every row of the tables below was copied by hand from the page at the URL beside it (read on
2026-12-04), not from the data files: a test fails when a statement moves to another graph, when
its value changes, or when its source loses the address the value was read from.
"""

import pytest

from kg.query import select

PREFIXES = """
PREFIX kg: <https://w3id.org/genvid-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX src: <https://w3id.org/genvid-kg/id/source/>
PREFIX model: <https://w3id.org/genvid-kg/id/model/>
PREFIX org: <https://w3id.org/genvid-kg/id/org/>
PREFIX product: <https://w3id.org/genvid-kg/id/product/>
PREFIX paper: <https://w3id.org/genvid-kg/id/paper/>
PREFIX obs: <https://w3id.org/genvid-kg/id/observation/>
"""

# The page each source graph was read from (its schema:url).
PAGES = {
    "press-36kr-runway-luma-2025-08": "https://eu.36kr.com/en/p/3411013013671298",
    "press-mohe-wan-2-1": "https://mohe-sc.com/2025/02/15907.html",
    "press-evolink-hailuo-02": "https://evolink.ai/zh/blog/minimax-hailuo-comparison",
    "press-uuaa-minimax-video-01": "https://uuaa.net/ainews/np6Eg2mW.html",
    "press-aibase-hunyuanvideo": "https://model.aibase.cn/models/details/1915694048234594305",
    "press-gizmorama-sora-turbo": "https://gopher-news.com/Gizmorama",
    "press-grokipedia-dream-machine": "https://grokipedia.com/page/dream_machine_text_to_video_model",
    "press-masterrapps-veo-2": "https://masterrapps.com/veo-2-ai-powered-video-generation",
    "press-witnesstv-veo-3": "https://www.witnesstv.net/2025/06/veo3-google-deepminds-breakthrough-in.html",
    "docs-wavespeed-kling-1-6": "https://wavespeed.ai/docs/docs-api/kwaivgi-kling-v1.6-i2v-pro",
    "page-vgan-project": "http://web.mit.edu/vondrick/tinyvideo/",
    "page-nec-text2filter": "https://www.nec-labs.com/blog/video-generation-from-text/",
    "page-digan-project": "https://sihyun-yu.github.io/digan/",
    "page-magvit2-project": "https://magvit.cs.cmu.edu/v2",
    "press-thecoli-walt": "https://thecoli.com/threads/large-language-models-news-discussions.952923/page-44",
    "press-lilys-ray3": "https://lilys.ai/notes/en/ai-video-generator-20251028/new-ai-video-generator-ray-3",
    "press-aifun-wan-2-1": "http://www.aifun.cc/en/tongyi-wan2-video-generation-lm.html",
    "press-wxredian-hunyuanvideo": "https://wxredian.com/art?id=d6e44c9014ec413328013f8141132a8b",
    "press-mmssai-hunyuanvideo": "https://mmssai.com/archives/3255",
    "press-daguoai-veo-3": "https://daguoai.com/1289.html",
    "press-zenn-kling-2-0": "https://zenn.dev/taku_sid/articles/20250416_kelings_ai?locale=en",
    "press-jishuzhan-kling-2025": "https://jishuzhan.net/article/1999617607582941185",
    "press-neican-minimax": "https://www.neican.ai/insights/article-20260221181004891-0",
    "press-heluojuzhen-seedance-2-0": "http://www.heluojuzhen.com/index.php?c=show&id=110",
    "press-donews-bytedance": "https://www.donews.com/article/detail/5093/97350.html",
    "press-jishuzhan-seedance-2-0": "https://jishuzhan.net/article/2025072658224840706",
    "press-aiwiki-seedance": "https://aiwiki.ai/wiki/seedance",
}

# One fact a line: source graph | subject | property | value as the page states it (SPARQL terms).
STATED = """
    # Issue 16 items 1-8: Runway's later ARR reporting, dates at their pages' precision, developers,
    # affiliations and Chinese names, each credited to the page that prints it
    press-36kr-runway-luma-2025-08 | obs:runway-arr-2024-12-36kr | kg:value | 70000000
    press-36kr-runway-luma-2025-08 | obs:runway-arr-2024-12-forecast-36kr | kg:value | 84000000
    press-mohe-wan-2-1 | model:wan-2-1-14b | kg:releaseDate | "2025-02-25"^^xsd:date
    press-evolink-hailuo-02 | model:hailuo-02 | kg:releaseDate | "2025-06-18"^^xsd:date
    press-uuaa-minimax-video-01 | model:minimax-t2v-01 | kg:date | "2024-08-31"^^xsd:date
    press-aibase-hunyuanvideo | model:hunyuanvideo | kg:releaseDate | "2024-12-03"^^xsd:date
    press-gizmorama-sora-turbo | model:sora | kg:releaseDate | "2024-12"^^xsd:gYearMonth
    press-grokipedia-dream-machine | model:luma-dream-machine | kg:date | "2024-06-12"^^xsd:date
    press-masterrapps-veo-2 | model:veo-2 | kg:date | "2024-12"^^xsd:gYearMonth
    press-witnesstv-veo-3 | model:veo-3 | kg:date | "2025-05"^^xsd:gYearMonth
    docs-wavespeed-kling-1-6 | model:kling-1-6 | kg:date | "2024-12-19"^^xsd:date
    press-masterrapps-veo-2 | model:veo-2 | kg:developedBy | org:deepmind
    press-witnesstv-veo-3 | model:veo-3 | kg:developedBy | org:deepmind
    page-vgan-project | paper:vgan-2016 | kg:affiliation | org:umbc
    page-nec-text2filter | paper:text2filter-2017 | kg:affiliation | org:nec-labs
    page-digan-project | paper:digan-2022 | kg:affiliation | org:naver
    page-magvit2-project | paper:magvit2-2023 | kg:affiliation | org:cmu
    press-thecoli-walt | paper:walt-2023 | kg:affiliation | org:georgia-tech
    press-lilys-ray3 | product:luma-app | kg:poweredBy | model:luma-ray2
    press-mohe-wan-2-1 | org:alibaba | skos:altLabel | "阿里巴巴"@zh
    press-mohe-wan-2-1 | model:wan-2-1-14b | skos:altLabel | "万相2.1"@zh
    press-aifun-wan-2-1 | model:wan-2-1-14b | skos:altLabel | "通义万相2.1"@zh
    press-evolink-hailuo-02 | model:hailuo-02 | skos:altLabel | "海螺 0.2"@zh
    press-aibase-hunyuanvideo | model:hunyuanvideo | skos:altLabel | "混元视频"@zh
    press-wxredian-hunyuanvideo | org:tencent-hunyuan | skos:altLabel | "混元"@zh
    press-mmssai-hunyuanvideo | org:tencent | skos:altLabel | "腾讯"@zh
    press-daguoai-veo-3 | org:google | skos:altLabel | "谷歌"@zh
    press-zenn-kling-2-0 | model:kling-2-0 | skos:altLabel | "可灵2.0"@zh
    press-jishuzhan-kling-2025 | org:kuaishou | skos:altLabel | "快手"@zh
    press-jishuzhan-kling-2025 | product:kling-ai | skos:altLabel | "可灵AI"@zh
    press-neican-minimax | org:minimax | skos:altLabel | "稀宇科技"@zh
    press-heluojuzhen-seedance-2-0 | org:bytedance | skos:altLabel | "字节跳动"@zh
    press-heluojuzhen-seedance-2-0 | product:doubao | skos:altLabel | "豆包"@zh
    press-heluojuzhen-seedance-2-0 | product:jimeng | skos:altLabel | "即梦AI"@zh
    press-donews-bytedance | product:jimeng | skos:altLabel | "即梦"@zh
    press-jishuzhan-seedance-2-0 | product:volcano-engine | skos:altLabel | "火山引擎"@zh
    press-aiwiki-seedance | product:jimeng | skos:altLabel | "Dreamina"
    press-aiwiki-seedance | product:volcano-engine | kg:poweredBy | model:seedance-1-0
"""
FACTS = [
    tuple(part.strip() for part in line.split(" | "))
    for line in STATED.splitlines()
    if line.strip() and not line.strip().startswith("#")
]


@pytest.mark.parametrize(("graph", "subject", "prop", "value"), FACTS)
def test_the_page_states_it_in_its_own_graph(built, graph, subject, prop, value):
    query = PREFIXES + (
        f"SELECT ?v WHERE {{ GRAPH src:{graph} {{ {subject} {prop} ?v FILTER(?v = {value}) }} "
        f"GRAPH src:catalog {{ src:{graph} schema:url <{PAGES[graph]}> ; kg:retrievalDate ?read }} }}"
    )
    assert select(built, query).rows, f"{graph} does not state {subject} {prop} {value}"


def _values(built, query: str) -> list[str]:
    return sorted(str(row[0].value) for row in select(built, PREFIXES + query).rows)


def test_english_only_tables_credit_no_chinese_name(built):
    """The Artificial Analysis tables print models and vendors in English: no Chinese name of a
    model or an organisation sits in their graphs (their Chinese table titles are printed)."""
    names = _values(
        built,
        "SELECT ?name WHERE { VALUES ?g { src:report-aa-t2v src:report-aa-i2v } VALUES ?kind { kg:Model"
        " kg:Organization } ?s a ?kind . GRAPH ?g { ?s skos:altLabel ?name FILTER(LANG(?name) = 'zh') } }",
    )
    assert names == []


def test_the_dit_paragraph_places_only_seedance_in_the_dit_era(built):
    eras = _values(built, "SELECT ?m WHERE { GRAPH src:report-dit { ?m kg:inEra ?era } }")
    assert eras == ["https://w3id.org/genvid-kg/id/model/seedance-1-0"]


def test_the_reports_leading_models_claim(built):
    """OCR line 184: Seedance 1.0, Veo 2/3, Kling 2.0, Sora and MiniMax lead."""
    leaders = _values(
        built,
        "SELECT ?x WHERE { GRAPH src:report-competition { src:report-competition kg:leadingModel ?x } }",
    )
    ids = [iri.rsplit("/", 2)[-2] + ":" + iri.rsplit("/", 1)[-1] for iri in leaders]
    assert sorted(ids) == sorted(
        [
            "model:seedance-1-0",
            "model:veo-2",
            "model:veo-3",
            "model:kling-2-0",
            "model:sora",
            "org:minimax",
        ]
    )


@pytest.mark.parametrize(
    "part",
    [
        "report-applications",
        "report-app-mau",
        "report-forecast-chart",
        "report-pixverse-paragraph",
        "report-market",
        "report-cisco",
        "report-competition",
        "report-runway-arr",
        "report-roadmap",
    ],
)
def test_unreadable_fragments_are_recorded_as_unreadable(built, part):
    notes = _values(
        built, f"SELECT ?n WHERE {{ GRAPH src:catalog {{ src:{part} kg:unreadable ?n }} }}"
    )
    assert notes


def test_every_source_with_statements_can_be_found(built):
    """A source that holds statements has an address or, for a part of a document, a locator."""
    unfindable = _values(
        built,
        """SELECT DISTINCT ?g WHERE {
             GRAPH ?g { ?s ?p ?o }
             FILTER(?g NOT IN (src:catalog, src:derived-era-spans))
             FILTER NOT EXISTS { ?g schema:url ?url }
             FILTER NOT EXISTS { ?g kg:locator ?where }
             FILTER(STRSTARTS(STR(?g), STR(src:)))
           }""",
    )
    assert unfindable == []
