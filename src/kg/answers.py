"""Ready answers: questions in plain words mapped to named queries with one bound entity.

Names are matched against labels and alternative labels, case-insensitively ("dit",
"Diffusion Transformer" and "可灵" all work); every answer row carries its sources.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.dates import parse_date
from kg.errors import AmbiguousNameError, NotFoundError, UnknownEntityError, UnknownQuestionError
from kg.namespaces import KINDS
from kg.query import Table, get_named_query, select
from kg.store import Store
from kg.terms import to_text

__all__ = [
    "QUESTIONS",
    "Answer",
    "Entity",
    "Question",
    "ask",
    "begins_name",
    "closeness",
    "find_question",
    "normal_name",
    "resolve",
]


@dataclass(frozen=True)
class Question:
    """A question ``kg ask`` knows: its phrasings, the kind of entity it needs and its query."""

    name: str
    patterns: tuple[str, ...]
    kinds: tuple[str, ...]
    query: str
    variable: str
    example: str
    description: str
    heading: str = "{label}"

    def match(self, text: str) -> re.Match[str] | None:
        """The phrasing that matches ``text``, with its ``name`` (and ``date``) groups."""
        for pattern in self.patterns:
            if found := re.fullmatch(pattern, text, re.I):
                return found
        return None


QUESTIONS: tuple[Question, ...] = (
    Question(
        "models-using",
        (
            r"(?:which|what) models (?:use|are built on|build on) (?P<name>.+)",
            r"models using (?P<name>.+)",
        ),
        ("architecture",),
        "models-using-architecture",
        "architecture",
        "which models use DiT",
        "Models built on an architecture or any variant of it; names the models whose "
        "backbone is undisclosed.",
        "Models that use {label}",
    ),
    Question(
        "lineage",
        (r"lineage of (?P<name>.+)", r"where does (?P<name>.+) come from"),
        ("architecture", "model"),
        "lineage-of",
        "entity",
        "lineage of Seedance 1.0",
        "The chain of architectures back to the roots, with the papers that introduced them.",
        "Lineage of {label}",
    ),
    Question(
        "vendor-releases",
        (r"what did (?P<name>.+?) release", r"(?:releases of|models by) (?P<name>.+)"),
        ("org",),
        "vendor-releases",
        "organization",
        "what did ByteDance release",
        "The models and products an organisation (or one of its teams) released.",
        "What {label} released",
    ),
    Question(
        "who-introduced",
        (r"who (?:introduced|proposed|invented) (?P<name>.+)",),
        ("architecture", "model"),
        "who-introduced",
        "entity",
        "who introduced DiT",
        "The paper, authors, date and arXiv id behind an architecture or a model.",
        "Who introduced {label}",
    ),
    Question(
        "leaderboard",
        (r"leaderboard (?P<name>.+?)(?: as of (?P<date>[\d-]+))?",),
        ("benchmark",),
        "leaderboard",
        "leaderboard",
        "leaderboard Artificial Analysis text-to-video as of 2025-06-19",
        "A leaderboard's ranks as published at a date, with the names as printed.",
        "{label}",
    ),
    Question(
        "models-of-era",
        (r"models (?:of|in) (?:the )?(?P<name>.+?)(?: era)?",),
        ("era",),
        "models-in-era",
        "era",
        "models of the DiT era",
        "The models the report places in a stage of its roadmap.",
        "Models of the {label}",
    ),
)

_CLASS_NAMES = {
    "architecture": "architecture",
    "model": "model",
    "org": "organization",
    "era": "era",
    "benchmark": "leaderboard",
}
_NAMES = """
SELECT ?class ?entity ?label ?name ?date WHERE {
  ?entity a/rdfs:subClassOf* ?class ; rdfs:label ?label .
  { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name }
  OPTIONAL { ?entity kg:date ?date }
}"""
#: The same rows in a form Virtuoso 7 evaluates: a class bound by VALUES does not reach its
#: ``*`` path evaluation (no rows), but does inside FILTER EXISTS. Only there: on Oxigraph at
#: 1M triples this form takes 9 s where the one above takes 4 s.
_NAMES_VIRTUOSO = """
SELECT ?class ?entity ?label ?name ?date WHERE {
  ?entity rdfs:label ?label .
  { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name }
  FILTER EXISTS { ?entity a/rdfs:subClassOf* ?class }
  OPTIONAL { ?entity kg:date ?date }
}"""


@dataclass(frozen=True)
class Entity:
    """An entity a name resolved to."""

    iri: str
    label: str
    date: str | None = None


@dataclass
class Answer:
    """The rows that answer a question, the query that produced them, and notes beside them."""

    question: Question
    entity: Entity
    table: Table
    query: str
    notes: list[str] = field(default_factory=list)


def normal_name(name: str) -> str:
    """A name as matching compares it: case folded, without spaces, hyphens or underscores.

    >>> normal_name("Seedance 1.0") == normal_name("seedance-1.0")
    True
    """
    return re.sub(r"[\s_-]+", "", name.casefold())


_SEPARATOR = re.compile(r"[\s_-]")


def begins_name(name: str, start: str) -> bool:
    """Whether ``start`` begins ``name`` (as matching compares names) and ends where a word of
    it ends: at a space or punctuation, between a letter and a digit or two scripts ("可灵" in
    "可灵AI"), or before a capital that begins a word ("Hunyuan" in "HunyuanVideo").

    >>> [begins_name(n, s) for n, s in [("Seedance 1.0", "seedance"), ("可灵2.0", "可灵"),
    ...  ("可灵AI", "可灵"), ("HunyuanVideo", "hunyuan"), ("Sora app", "Soraa"),
    ...  ("Kling AI", "Kli")]]
    [True, True, True, True, False, False]
    """
    wanted = normal_name(start)
    done = 0
    for index, char in enumerate(name):
        if _SEPARATOR.match(char):
            continue
        folded = char.casefold()
        if wanted[done : done + len(folded)] != folded:
            return False
        done += len(folded)
        if done >= len(wanted):
            following = name[index + 1 : index + 2]
            return (
                not following
                or not following.isalnum()
                or following.isalpha() != char.isalpha()
                or following.isascii() != char.isascii()
                or (char.islower() and following.isupper())
            )
    return False


def closeness(wanted: str, name: str) -> float:
    """difflib's ratio of two names where it can reach 0.5, else 0.

    The ratio is 2·matches / (len(a) + len(b)) with matches ≤ len(b), so it is below 0.5
    whenever ``wanted`` is over three times as long as the name: skipping difflib there
    (quadratic in the lengths) keeps a 3,000-character name as cheap as a short one, with the
    same suggestions (issue 13: such a search took seconds).
    """
    if len(wanted) > 3 * len(name):
        return 0.0
    return difflib.SequenceMatcher(None, wanted, name).ratio()


def resolve(
    store: Store, kinds: tuple[str, ...], name: str, question_text: str | None = None
) -> list[Entity]:
    """Every entity of ``kinds`` whose label, alternative label or slug matches ``name``;
    only the exact label matches when there are some. A name that only starts one entity's
    name ("Seedance" for Seedance 1.0) is that entity; one that starts several (a family,
    "Kling", "可灵") asks which. ``question_text`` is the question before the name, for the
    example in that message.

    Raises:
        AmbiguousNameError: the name starts the names of several entities; lists them.
        UnknownEntityError: nothing matches; suggests the closest labels.
    """
    wanted = normal_name(name)
    matches: dict[str, Entity] = {}
    everything: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for kind in kinds:
        names = _NAMES_VIRTUOSO if getattr(store, "engine", "") == "virtuoso" else _NAMES
        table = select(store, names, {"class": ox.NamedNode(str(KINDS[kind]))})
        for _class, iri, label, alias, date in table.rows:
            slug = iri.value.rsplit("/", 1)[-1]
            everything.setdefault(normal_name(alias.value), label.value)
            aliases.setdefault(alias.value, label.value)
            if wanted in (normal_name(alias.value), normal_name(slug)):
                matches[iri.value] = Entity(iri.value, label.value, date.value if date else None)
    if matches:
        # An exact label wins over aliases and slugs: "DiT" is the architecture labelled DiT,
        # not also the era whose slug is ``dit``.
        label = name.strip().casefold()
        exact = [e for e in matches.values() if e.label.casefold() == label]
        return exact or list(matches.values())
    kind_words = " or ".join(_CLASS_NAMES.get(k, k) for k in kinds)
    family = sorted({label for alias, label in aliases.items() if begins_name(alias, name)})
    if wanted and len(family) > 1:
        raise AmbiguousNameError(kind_words, name, family, f"{question_text or ''}{family[-1]}")
    if wanted and family:
        return resolve(store, kinds, family[0])
    suggestions = _closest(wanted, everything)
    raise UnknownEntityError(kind_words, name, suggestions)


def _closest(wanted: str, names: dict[str, str]) -> list[str]:
    """The labels whose names are nearly as close to ``wanted`` as the closest one."""
    scored = sorted(
        ((closeness(wanted, name), label) for name, label in names.items()),
        reverse=True,
    )
    if not scored or scored[0][0] < 0.5:
        return []
    best = scored[0][0]
    return list(dict.fromkeys(label for score, label in scored[:3] if score >= best - 0.1))


def find_question(text: str) -> tuple[Question, re.Match[str]]:
    """The known question that ``text`` asks.

    Raises:
        UnknownQuestionError: no known phrasing matches; lists the examples.
    """
    cleaned = re.sub(r"\s+", " ", text).strip().rstrip("?").strip()
    for question in QUESTIONS:
        if found := question.match(cleaned):
            return question, found
    examples = "\n".join(f"  kg ask {q.example!r}" for q in QUESTIONS)
    raise UnknownQuestionError(
        f"I don't know how to answer {text!r}. Questions I know:\n{examples}"
    )


def ask(store: Store, queries_dir: Path, text: str) -> Answer:
    """Answer a question in plain words.

    Raises:
        NotFoundError: the question is not one ``kg ask --list`` shows.
        UnknownEntityError: the name in it matches no entity.
        BadParameterError: an "as of" date is not YYYY, YYYY-MM or YYYY-MM-DD.
    """
    question, found = find_question(text)
    before = found.string[: found.start("name")]
    candidates = resolve(store, question.kinds, found["name"].strip(), before)
    entity = candidates[0]
    if question.name == "leaderboard":
        entity = _snapshot(candidates, found["date"], found["name"].strip())
    named = get_named_query(queries_dir, question.query)
    table = select(store, named.text, {question.variable: ox.NamedNode(entity.iri)})
    answer = Answer(question, entity, table, named.text)
    if question.name == "lineage" and not table.rows:
        answer.notes.extend(_undisclosed(store, queries_dir, entity))
    if question.name == "models-of-era":
        answer.notes.extend(_undisclosed_among(store, queries_dir, table))
    if question.name == "models-using":
        undisclosed = select(store, get_named_query(queries_dir, "undisclosed-backbones").text)
        labels = sorted(set(undisclosed.column("modelLabel")))
        if labels:
            many = len(labels) != 1
            answer.notes.append(
                f"{len(labels)} model{'s have' if many else ' has'} an undisclosed backbone, "
                f"so whether {'they use' if many else 'it uses'} {entity.label} is unknown: "
                f"{', '.join(labels)}."
            )
    return answer


def _undisclosed(store: Store, queries_dir: Path, entity: Entity) -> list[str]:
    """Why a model's lineage is empty: its backbone is not disclosed (with what is known)."""
    table = select(store, get_named_query(queries_dir, "undisclosed-backbones").text)
    mine = [row for row in table.rows if row[0].value == entity.iri]
    if not mine:
        return []
    notes = (to_text(row[table.columns.index("note")]).rstrip(". ") for row in mine)
    known = "; ".join(dict.fromkeys(note for note in notes if note))
    return [
        f"{entity.label}'s backbone is not disclosed, so the graph cannot say what it comes "
        f"from{': ' + known if known else ''}."
    ]


def _undisclosed_among(store: Store, queries_dir: Path, table: Table) -> list[str]:
    """Why some models of an era show no backbone: their vendors have not disclosed it."""
    undisclosed = select(store, get_named_query(queries_dir, "undisclosed-backbones").text)
    hidden = {row[0].value for row in undisclosed.rows}
    model, label = table.columns.index("model"), table.columns.index("modelLabel")
    names = list(
        dict.fromkeys(row[label].value for row in table.rows if row[model].value in hidden)
    )
    if not names:
        return []
    return [f"Backbone not disclosed: {', '.join(names)}."]


def _snapshot(candidates: list[Entity], as_of: str | None, name: str) -> Entity:
    """The latest leaderboard snapshot published on or before ``as_of``."""
    dated = sorted(candidates, key=lambda e: e.date or "")
    if as_of is None:
        return dated[-1]
    limit = parse_date(as_of).last_day().isoformat()
    earlier = [e for e in dated if e.date and e.date <= limit]
    if not earlier:
        known = ", ".join(e.date or "undated" for e in dated)
        raise NotFoundError(
            f"no snapshot of leaderboard {name!r} as of {as_of}; snapshots: {known}"
        )
    return earlier[-1]
