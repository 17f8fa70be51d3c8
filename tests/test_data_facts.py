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
    "press-venicestats-sora-2": "https://venicestats.com/venice-models/sora-2-text-to-video",
    "press-advancedainews-sora-2": "https://advancedainews.com/openai-launches-sora-2-groundbreaking-ai-video-generator",
    "press-toolworthy-veo-3-1": "https://www.toolworthy.ai/en/tool/veo-3-1",
    "press-mindstudio-veo-3-1": "https://www.mindstudio.ai/blog/what-is-google-veo-3-1-flagship-video",
    "press-oreate-google-flow": "https://explore.oreate.ai/posts/how-google-flow-and-veo-31-are-changing-the-game-for-ai-filmmaking",
    "press-wallstreetcn-wan-2-2": "https://web-origin.lbkrs.com/news/251266264",
    "press-deeplearningai-wan-2-2": "https://charonhub.deeplearning.ai/alibabas-wan-2-2-video-models-adopt-a-new-architecture-to-sort-noisy-from-less-noisy-inputs",
    "press-technow-wan-2-2": "https://tech-now.io/?p=60408",
    "press-reportify-wan-2-2": "https://reportify.cn/social-media/702851209658377",
    "docs-runware-seedance-1-5-pro": "https://runware.ai/docs/models/bytedance-seedance-1-5-pro",
    "press-emergentmind-seedance-1-5-pro": "https://www.emergentmind.com/topics/seedance-1-5-pro",
    "docs-runware-hailuo-2-3": "https://runware.ai/docs/models/minimax-hailuo-2-3",
    "docs-runware-hailuo-2-3-fast": "https://runware.ai/docs/models/minimax-hailuo-2-3-fast",
    "press-picassoia-hailuo-2-3": "https://blog.picassoia.com/hailuo-23-how-minimax-new-model-works",
    "press-cometapi-runway-gen-4-5": "https://www.cometapi.com/fr/runway-gen-4-5-review-what-is-is-and-what-is-new",
    "press-productcool-ray3": "https://www.productcool.com/product/luma-ray-3",
    "press-thebridgeto-ray3": "https://www.thebridgeto.ai/resources/models/68d7736d-fd06-4e3d-b49a-03c9accd0ef3/",
    "press-pwwt-vidu": "http://www.pwwt.cn/news/975355",
    "press-xugj520-hunyuanvideo-1-5": "https://www.xugj520.cn/en/archives/hunyuanvideo-1-point-5-lightweight-video-generation.html?amp=1",
    "arxiv-2511-18870": "https://arxiv.org/abs/2511.18870",
    "press-alphaxiv-hunyuanvideo-1-5": "https://www.alphaxiv.org/resources/2511.18870v2",
    "press-iagenerativas-kling-3-0": "https://iagenerativas.blogspot.com/2026/02/kling-30-el-fin-de-la-realidad.html",
    "docs-runware-pixverse-v5": "https://runware.ai/docs/models/pixverse-v5",
    "docs-runware-pixverse-v5-5": "https://runware.ai/docs/models/pixverse-v5-5",
    "press-aivideobootcamp-ltx-2": "https://aivideobootcamp.com/blog/ltx-2-complete-guide-2026/",
    "press-solosoft-ltx-2": "https://www.solosoft.dev/post/ltx2-video-generation-2026/",
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
    # The field since the report (2025-07 onward): models, products, papers
    press-venicestats-sora-2 | model:sora-2 | kg:date | "2025-09"^^xsd:gYearMonth
    press-venicestats-sora-2 | model:sora-2 | kg:successorOf | model:sora
    press-advancedainews-sora-2 | product:sora-app | kg:poweredBy | model:sora-2
    press-toolworthy-veo-3-1 | model:veo-3-1 | kg:announcementDate | "2025-10-15"^^xsd:date
    press-toolworthy-veo-3-1 | model:veo-3-1 | kg:developedBy | org:deepmind
    press-mindstudio-veo-3-1 | model:veo-3-1 | kg:successorOf | model:veo-3
    press-oreate-google-flow | product:google-flow | kg:poweredBy | model:veo-3-1
    press-wallstreetcn-wan-2-2 | model:wan-2-2-t2v-a14b | kg:releaseDate | "2025-07-28"^^xsd:date
    press-wallstreetcn-wan-2-2 | model:wan-2-2-ti2v-5b | kg:releaseDate | "2025-07-28"^^xsd:date
    press-wallstreetcn-wan-2-2 | model:wan-2-2-i2v-a14b | kg:usesArchitecture | <https://w3id.org/genvid-kg/id/architecture/moe>
    press-deeplearningai-wan-2-2 | model:wan-2-2-t2v-a14b | kg:usesArchitecture | <https://w3id.org/genvid-kg/id/architecture/flow-matching>
    press-technow-wan-2-2 | model:wan-2-2-t2v-a14b | kg:successorOf | model:wan-2-1-14b
    press-reportify-wan-2-2 | model:wan-2-2-t2v-a14b | skos:altLabel | "通义万相Wan2.2"@zh
    docs-runware-seedance-1-5-pro | model:seedance-1-5-pro | kg:releaseDate | "2025-12-23"^^xsd:date
    docs-runware-seedance-1-5-pro | model:seedance-1-5-pro | kg:developedBy | org:bytedance
    press-emergentmind-seedance-1-5-pro | model:seedance-1-5-pro | kg:usesArchitecture | <https://w3id.org/genvid-kg/id/architecture/dit>
    press-aiwiki-seedance | model:seedance-2-0 | kg:date | "2026-02-12"^^xsd:date
    press-heluojuzhen-seedance-2-0 | product:doubao | kg:poweredBy | model:seedance-2-0
    docs-runware-hailuo-2-3 | model:hailuo-2-3 | kg:releaseDate | "2025-10-28"^^xsd:date
    docs-runware-hailuo-2-3-fast | model:hailuo-2-3-fast | kg:releaseDate | "2025-10-29"^^xsd:date
    press-picassoia-hailuo-2-3 | model:hailuo-2-3 | kg:successorOf | model:hailuo-02
    press-evolink-hailuo-02 | model:hailuo-2-3 | skos:altLabel | "海螺 2.3"@zh
    press-cometapi-runway-gen-4-5 | model:runway-gen-4-5 | kg:announcementDate | "2025-12-01"^^xsd:date
    press-cometapi-runway-gen-4-5 | model:runway-gen-4-5 | kg:successorOf | model:runway-gen-4
    press-productcool-ray3 | model:luma-ray3 | kg:date | "2025-09-19"^^xsd:date
    press-thebridgeto-ray3 | model:luma-ray3 | kg:releaseDate | "2026-03"^^xsd:gYearMonth
    press-lilys-ray3 | model:luma-ray3 | kg:successorOf | model:luma-ray2
    press-pwwt-vidu | model:vidu-q2 | kg:date | "2025-07"^^xsd:gYearMonth
    press-xugj520-hunyuanvideo-1-5 | model:hunyuanvideo-1-5 | kg:releaseDate | "2025-11-20"^^xsd:date
    arxiv-2511-18870 | model:hunyuanvideo-1-5 | kg:usesArchitecture | <https://w3id.org/genvid-kg/id/architecture/dit>
    arxiv-2511-18870 | paper:hunyuanvideo-1-5-2025 | kg:arxivId | "2511.18870"
    press-alphaxiv-hunyuanvideo-1-5 | paper:hunyuanvideo-1-5-2025 | kg:publicationDate | "2025-11-24"^^xsd:date
    press-iagenerativas-kling-3-0 | model:kling-3-0 | kg:releaseDate | "2026-02-06"^^xsd:date
    press-jishuzhan-kling-2025 | model:kling-2-6 | skos:altLabel | "可灵2.6"@zh
    docs-runware-pixverse-v5 | model:pixverse-v5 | kg:releaseDate | "2025-08-29"^^xsd:date
    docs-runware-pixverse-v5-5 | model:pixverse-v5-5 | kg:releaseDate | "2025-12-01"^^xsd:date
    press-aivideobootcamp-ltx-2 | model:ltx-2-3 | kg:releaseDate | "2026-03-05"^^xsd:date
    press-solosoft-ltx-2 | model:ltx-2 | kg:developedBy | org:lightricks
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


def test_fifteen_models_since_the_report_rest_on_pages_with_urls(built):
    """Models dated 2025-07 or later whose every statement sits in a graph whose source has a URL."""
    models = _values(
        built,
        """SELECT DISTINCT ?m WHERE {
             ?m a kg:Model ; kg:date ?date FILTER(STR(?date) >= "2025-07")
             FILTER NOT EXISTS { GRAPH ?g { ?m ?p ?o } FILTER NOT EXISTS { ?g schema:url ?url } }
           }""",
    )
    slugs = {iri.rsplit("/", 1)[-1] for iri in models}
    expected = {
        "sora-2", "veo-3-1", "wan-2-2-t2v-a14b", "wan-2-2-i2v-a14b", "wan-2-2-ti2v-5b",
        "seedance-1-5-pro", "seedance-2-0", "hailuo-2-3", "runway-gen-4-5", "luma-ray3",
        "vidu-q2", "hunyuanvideo-1-5", "kling-3-0", "ltx-2-3", "hailuo-2-3-fast",
    }  # fmt: skip
    assert expected <= slugs
    assert len(slugs) >= 15


def test_disagreements_list_the_runway_arr_and_ray3_release(built, built_settings):
    """Two sources, two values, both kept: `kg query disagreements` shows each pair."""
    query = (built_settings.queries_dir / "disagreements.rq").read_text()
    pairs = {
        (row[0].value, row[1].value, *sorted((row[2].value, row[4].value)))
        for row in select(built, query).rows
    }
    assert (
        "Runway",
        "annual recurring revenue",
        "70000000 USD (2024-12)",
        "84000000 USD (2024-12)",
    ) in pairs
    assert ("Ray3", "releaseDate", "2025-09-19", "2026-03") in pairs
