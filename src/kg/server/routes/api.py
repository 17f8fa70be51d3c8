"""``/api/...``: JSON for scripts and for the pages' own scripts (answers, search, lineage)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Body, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from kg.answers import QUESTIONS, ask
from kg.errors import BadParameterError, UnknownQuestionError
from kg.lineage import neighbourhood, to_json
from kg.scope import ReportView
from kg.server.deps import SettingsDep, ViewStoreDep
from kg.store import Store
from kg.views.answer import answer_json
from kg.views.lookup import Hit, labels_of, name_hits, search, suggest
from kg.views.pages import scoped_href

router = APIRouter(prefix="/api", tags=["JSON API"])


class EntityHit(BaseModel):
    """An entity found by name."""

    iri: str
    label: str
    kind: str
    url: str = Field(description="Its page in this app: /id/{kind}/{slug}")
    matched: str = Field(description="The label or alternative label that matched")


class SearchAnswer(BaseModel):
    """Entities matching a name, best first; close spellings when nothing matches."""

    query: str
    results: list[EntityHit]
    suggestions: list[EntityHit]


class Question(BaseModel):
    """A question /api/ask knows."""

    name: str
    example: str
    description: str
    query: str = Field(description="The named query (queries/NAME.rq) that answers it")


class AskAnswer(BaseModel):
    """An answer: the entity understood, one row per thing with its sources, notes, the query."""

    question: Question
    heading: str = Field(description="The question answered, in words")
    entity: dict = Field(description="iri, label and date of the entity the name resolved to")
    columns: list[str] = Field(description="Headers in words, as every surface shows them")
    rows: list[dict] = Field(
        description="One object per thing: a key per column, `Sources` (the sources' IRIs) "
        "and `references` (their numbers in `references`)"
    )
    references: list[dict] = Field(
        description="The sources, numbered: number, iri, label, page, url, locator"
    )
    notes: list[str]
    query: str
    bindings: dict[str, str] = Field(description="Variables bound to IRIs before running")


class LineageGraph(BaseModel):
    """kg.lineage's JSON contract: nodes (id, label, kind, date, vendor, sources, url), edges."""

    nodes: list[dict]
    edges: list[dict]


def _sources(store: Store) -> str:
    """The view an answer is read from: ``report`` under ``?sources=report``, else ``all``."""
    return "report" if isinstance(store, ReportView) else "all"


def _link(url: str | None, store: Store) -> str | None:
    """A link field of an answer read under ``?sources=report`` keeps the filter, as every
    page's links do (kg.views.pages.scoped_href): a script that follows it stays in the view.
    External links are left as they are."""
    return scoped_href(url, _sources(store)) if url else url


def _hit(hit: Hit, store: Store) -> EntityHit:
    return EntityHit(**(asdict(hit) | {"url": _link(hit.url, store)}))


def _question(question) -> Question:
    return Question(
        name=question.name,
        example=question.example,
        description=question.description,
        query=question.query,
    )


@router.get("/questions", summary="The questions /api/ask knows")
def questions() -> list[Question]:
    """The ready questions, each with an example phrasing."""
    return [_question(question) for question in QUESTIONS]


@router.get(
    "/ask",
    summary="Answer a question in plain words",
    response_model=AskAnswer,
    responses={303: {"description": "Not a question but a name: see /api/search?q= for it"}},
)
def ask_question(
    q: Annotated[str, Query(min_length=1, description="e.g. which models use DiT")],
    settings: SettingsDep,
    store: ViewStoreDep,
) -> AskAnswer | RedirectResponse:
    """The rows that answer a ready question, each with the sources behind it (as ``kg ask``).

    A bare name ("可灵") is no question: as ``kg ask`` and ``/ask`` do, it leads to what it
    names, here by 303 to its search answer.
    """
    try:
        answer = ask(store, settings.queries_dir, q)
    except UnknownQuestionError:
        if not name_hits(store, settings.queries_dir, q):
            raise
        search_url = scoped_href(f"/api/search?{urlencode({'q': q})}", _sources(store))
        return RedirectResponse(search_url, status_code=303)
    found = answer_json(store, settings.queries_dir, answer)
    for reference in found["references"]:
        reference.update(page=_link(reference["page"], store), url=_link(reference["url"], store))
    return AskAnswer(**found)


@router.get("/search", summary="Find entities by label or alternative label")
def search_entities(
    q: Annotated[str, Query(min_length=1, description="A name, in any case; part of one works")],
    settings: SettingsDep,
    store: ViewStoreDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SearchAnswer:
    """Entities whose names match, best first; close spellings when nothing matches."""
    hits = search(store, settings.queries_dir, q, limit)
    close = [] if hits else suggest(store, settings.queries_dir, q)
    return SearchAnswer(
        query=q,
        results=[_hit(hit, store) for hit in hits],
        suggestions=[_hit(hit, store) for hit in close],
    )


@router.post("/labels", summary="Labels, kinds and pages of entity IRIs")
def labels(
    iris: Annotated[list[str], Body(embed=True, max_length=5000)],
    settings: SettingsDep,
    store: ViewStoreDep,
) -> dict[str, EntityHit]:
    """For result views that show IRIs: each known entity's label, kind and page."""
    found = labels_of(store, settings.queries_dir, iris)
    return {iri: _hit(hit, store) for iri, hit in found.items()}


@router.get("/lineage/neighbours", summary="An entity and its direct lineage neighbours")
def lineage_neighbours(
    iri: Annotated[str, Query(description="The entity's IRI")],
    store: ViewStoreDep,
) -> LineageGraph:
    """What the lineage page loads on double-click: ``kg.lineage.to_json(neighbourhood(...))``."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise BadParameterError(f"iri: {iri!r} is not an IRI") from None
    graph = to_json(neighbourhood(store, iri))
    for node in graph["nodes"]:
        node["url"] = _link(node["url"], store)
    return LineageGraph(**graph)
