"""The Python API: one object over a store, answering in pandas DataFrames.

>>> from kg import KnowledgeGraph
>>> graph = KnowledgeGraph.build(store="memory")
>>> frame = graph.models_using("DiT")
>>> "Sora" in set(frame["Model"]) and "undisclosed backbone" in frame.attrs["notes"][0]
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyoxigraph as ox

from kg.answers import Answer, ask
from kg.build import BuildReport, build
from kg.config import Settings
from kg.errors import BadParameterError
from kg.query import run_query, select
from kg.scope import scoped
from kg.stats import Stats, graph_stats
from kg.store import MemoryStore, Store, open_store
from kg.views.answer import answer_frame, shape_answer

__all__ = ["KnowledgeGraph"]


class KnowledgeGraph:
    """A built graph and the questions you can ask it."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    @classmethod
    def open(cls, store: str | None = None, *, sources: str = "all") -> KnowledgeGraph:
        """Open a built store: a folder (default: ``KG_STORE`` or the user data folder);
        ``sources="report"`` keeps only what the report and the papers it cites say.

        Raises:
            StoreError: nothing has been built there.
            BadParameterError: ``sources`` is neither ``all`` nor ``report``.
        """
        settings = Settings.default(store)
        return cls(open_store(settings.store), settings).with_sources(sources)

    def with_sources(self, sources: str) -> KnowledgeGraph:
        """The same graph as ``sources`` gives it: ``all``, or ``report`` (what the seed report
        and the papers it cites say; see kg.scope).

        Raises:
            BadParameterError: ``sources`` is neither.
        """
        return KnowledgeGraph(scoped(self.store, self.settings.queries_dir, sources), self.settings)

    @classmethod
    def build(cls, store: str | None = None, data: list[Path] | None = None) -> KnowledgeGraph:
        """Build the graph (parse, validate, load) and open it; ``store="memory"`` keeps it in RAM.

        Raises:
            ParseError, ValidationError: the inputs are bad; nothing was replaced.
        """
        settings = Settings.default(store)
        target = MemoryStore() if settings.store == "memory" else None
        report: BuildReport = build(settings, data, target=target)
        return cls(target or open_store(report.store), settings)

    def query(self, text: str, **bindings: str) -> pd.DataFrame | bool | list[ox.Triple]:
        """Run SPARQL: a DataFrame for SELECT, a bool for ASK, triples for CONSTRUCT/DESCRIBE.

        Keyword arguments bind variables to IRIs (``entity="https://..."``).
        """
        terms = {name: ox.NamedNode(value) for name, value in bindings.items()}
        outcome = run_query(self.store, text, terms)
        if isinstance(outcome, ox.QuerySolutions):
            return select(self.store, text, terms).to_dataframe()
        if isinstance(outcome, ox.QueryBoolean):
            return bool(outcome)
        return list(outcome)

    def ask(self, question: str) -> Answer:
        """Answer a question ``kg ask --list`` knows; the Answer keeps its query and notes."""
        return ask(self.store, self.settings.queries_dir, question)

    def answer(self, question: str) -> pd.DataFrame:
        """The answer as ``kg ask`` shows it: one row per thing, headers in words, each row's
        source IRIs in ``Sources``; ``attrs`` keep the heading, notes and numbered references.
        """
        shaped = shape_answer(self.store, self.settings.queries_dir, self.ask(question))
        return answer_frame(shaped)

    def models_using(self, architecture: str) -> pd.DataFrame:
        """Models built on ``architecture`` or any variant of it: paths, developers, date,
        sources; ``attrs["notes"]`` names the models whose backbone is undisclosed."""
        return self.answer(f"which models use {architecture}")

    def lineage(self, name: str) -> pd.DataFrame:
        """The lineage links from an architecture or model back to the roots."""
        return self.answer(f"lineage of {name}")

    def releases(self, organization: str) -> pd.DataFrame:
        """Models and products released by an organisation."""
        return self.answer(f"what did {organization} release")

    def who_introduced(self, name: str) -> pd.DataFrame:
        """The paper and authors that introduced an architecture or a model."""
        return self.answer(f"who introduced {name}")

    def leaderboard(self, name: str, as_of: str | None = None) -> pd.DataFrame:
        """A leaderboard's ranks, optionally as of a date (YYYY, YYYY-MM or YYYY-MM-DD)."""
        if as_of is not None and not as_of.strip():
            raise BadParameterError("as_of is empty: use YYYY, YYYY-MM or YYYY-MM-DD")
        suffix = f" as of {as_of}" if as_of else ""
        return self.answer(f"leaderboard {name}{suffix}")

    def models_of_era(self, era: str) -> pd.DataFrame:
        """The models the report places in an era."""
        return self.answer(f"models of {era}")

    def stats(self) -> Stats:
        """Entities per class, statements and sources."""
        return graph_stats(self.store, self.settings.queries_dir)
