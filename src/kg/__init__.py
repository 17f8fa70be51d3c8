"""genvid-kg: a cited knowledge graph of generative video AI, with tools to explore it."""

from kg.answers import QUESTIONS, Answer, ask
from kg.api import KnowledgeGraph
from kg.build import BuildReport, build, validate_inputs
from kg.config import Settings
from kg.errors import (
    BadParameterError,
    KgError,
    NotFoundError,
    ParseError,
    QueryEvaluationError,
    QuerySyntaxError,
    StoreError,
    UnknownEntityError,
    ValidationError,
    Violation,
)
from kg.query import named_queries, run_query, select
from kg.store import open_store

__all__ = [
    "QUESTIONS",
    "Answer",
    "BadParameterError",
    "BuildReport",
    "KgError",
    "KnowledgeGraph",
    "NotFoundError",
    "ParseError",
    "QueryEvaluationError",
    "QuerySyntaxError",
    "Settings",
    "StoreError",
    "UnknownEntityError",
    "ValidationError",
    "Violation",
    "ask",
    "build",
    "named_queries",
    "open_store",
    "run_query",
    "select",
    "validate_inputs",
]
