"""Typed errors of the library; the CLI and HTTP edges turn them into messages and codes.

Every error carries a message that already reads well to a user (*where: what. What next.*),
so edges print ``str(error)`` and never wrap it again::

    KgError                     exit 1 at the CLI
    ├── ParseError              a data, ontology or query file does not parse (file:line:col)
    ├── ValidationError         SHACL or provenance violations, one Violation per problem
    ├── QuerySyntaxError        a SPARQL query does not parse (line, column)
    │   └── UnsupportedFunctionError  it calls a function the engine does not implement
    ├── QueryEvaluationError    a query parsed but failed while running
    │   ├── QueryTimeoutError   it ran longer than the time limit and was stopped
    │   ├── QueryMemoryError    it needed more memory than a query may use and was stopped
    │   ├── ResultTooLargeError its result is larger than the cap
    │   └── RemoteServiceError  a SERVICE it calls failed or answered something not SPARQL
    ├── QueryRefusedError       the endpoint will not run it (SERVICE to another host, an update)
    ├── BusyError               too many queries at once; try again shortly
    │   └── WaitTimeoutError    no worker came free within the wait bound
    ├── NotFoundError           no such entity, named query or question
    │   ├── UnknownQuestionError  text that is no question kg ask knows
    │   └── UnknownEntityError  a name that matches no label, with "did you mean" suggestions
    │       ├── EntityNotFoundError  no entity at /id/{kind}/{slug}, with links to close ones
    │       └── AmbiguousNameError   a family name ("Kling") with several members: which one?
    ├── BadParameterError       a value in the wrong form (a date, a format name)
    ├── StoreError              the store cannot be opened, built or reached
    └── SiteError               the static explorer cannot be written (kg site)
        ├── OutputFolderError   --out holds something else than a previous site
        └── EngineError         the browser engine cannot be fetched from npm
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AmbiguousNameError",
    "BadParameterError",
    "BusyError",
    "EngineError",
    "EntityNotFoundError",
    "KgError",
    "NotFoundError",
    "OutputFolderError",
    "ParseError",
    "QueryEvaluationError",
    "QueryMemoryError",
    "QueryRefusedError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "RemoteServiceError",
    "ResultTooLargeError",
    "SiteError",
    "StoreError",
    "UnknownEntityError",
    "UnknownQuestionError",
    "UnsupportedFunctionError",
    "ValidationError",
    "Violation",
    "WaitTimeoutError",
]


class KgError(Exception):
    """Base of every error the library raises on purpose (as opposed to a bug)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ParseError(KgError):
    """A file does not parse; the message starts with ``file:line:column``."""

    def __init__(self, path: str, line: int | None, column: int | None, detail: str) -> None:
        self.path, self.line, self.column, self.detail = path, line, column, detail
        where = ":".join(str(part) for part in (path, line, column) if part is not None)
        super().__init__(f"{where}: {detail}")


@dataclass(frozen=True, order=True)
class Violation:
    """One problem found in the data: where it was defined, which node, which rule."""

    file: str
    line: int
    focus: str
    path: str
    message: str
    component: str = ""
    shape: str = ""

    def __str__(self) -> str:
        rule = ", ".join(
            part for part in (self.component, self.shape and f"shape {self.shape}") if part
        )
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.focus}: {self.path}: {self.message}" + (
            f" ({rule})" if rule else ""
        )


class ValidationError(KgError):
    """The data breaks the shapes or the provenance rules; nothing was loaded."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = sorted(violations)
        count = len(self.violations)
        lines = "\n".join(str(v) for v in self.violations)
        super().__init__(f"validation failed: {count} violation{'s' * (count != 1)}\n{lines}")


class QuerySyntaxError(KgError):
    """A SPARQL query does not parse; ``line`` and ``column`` are 1-based when known."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None) -> None:
        self.detail, self.line, self.column = detail, line, column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"SPARQL syntax error: {where}{detail}")


class UnsupportedFunctionError(QuerySyntaxError):
    """A query calls a function the engine does not implement (an extension function IRI).

    It parses, but it can never run here: the query's fault (HTTP 400), like a syntax error,
    and reported the same way so that it keeps its status through the query workers.
    """

    def __init__(self, function: str) -> None:
        self.function = function
        super().__init__(
            f"unsupported function <{function}>: the engine implements the SPARQL 1.1 "
            "functions and no extension functions"
        )


class QueryEvaluationError(KgError):
    """A query parsed but could not be evaluated."""


class QueryTimeoutError(QueryEvaluationError):
    """A query ran past its time limit; its worker was stopped."""


class QueryMemoryError(QueryEvaluationError):
    """A query needed more memory than its worker may use; the worker was replaced."""


class ResultTooLargeError(QueryEvaluationError):
    """A result exceeded the size cap; the message says how to page."""


class RemoteServiceError(QueryEvaluationError):
    """A server that a SERVICE clause called failed or answered something that is not a SPARQL
    result: the remote's fault, not the query's nor this endpoint's."""


class QueryRefusedError(KgError):
    """The endpoint refuses to run a query (federation to a host not allowed, an update)."""


class BusyError(KgError):
    """Every query slot is taken and the waiting line is full; ``retry_after`` is in seconds."""

    retry_after = 2


class WaitTimeoutError(BusyError):
    """A query waited for a worker longer than the wait bound and was not started."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotFoundError(KgError):
    """Something asked for by name does not exist."""


class UnknownEntityError(NotFoundError):
    """A name that matches no entity's label or alternative label."""

    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind, self.name, self.suggestions = kind, name, suggestions
        hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no {kind} named {name!r}{hint}")


class UnknownQuestionError(NotFoundError):
    """Text that is none of the questions ``kg ask`` knows (it may be a bare name)."""


class AmbiguousNameError(UnknownEntityError):
    """A name shared by several entities, a family ("Kling", "可灵"): asks which one."""

    def __init__(self, kind: str, name: str, candidates: list[str], example: str) -> None:
        listed = f"{', '.join(candidates[:-1])} or {candidates[-1]}"
        KgError.__init__(
            self, f"{name!r} could be the {kind} {listed}. Which one? For example: {example!r}"
        )
        self.kind, self.name, self.suggestions = kind, name, candidates


class EntityNotFoundError(UnknownEntityError):
    """No entity at ``/id/{kind}/{slug}``; ``links`` are (label, page URL) of close matches."""

    def __init__(self, kind: str, name: str, links: list[tuple[str, str]]) -> None:
        self.links = links
        super().__init__(kind, name, [label for label, _ in links])


class BadParameterError(KgError):
    """A parameter value is not in an accepted form; the message names the accepted forms."""


class StoreError(KgError):
    """The store cannot be opened, built or reached."""

    exit_code = 2


class SiteError(KgError):
    """The static explorer cannot be written; whatever was at ``--out`` is left as it was."""


class OutputFolderError(SiteError):
    """``--out`` is a folder with other files in it, not a previous site (needs ``--force``)."""

    exit_code = 2


class EngineError(SiteError):
    """The browser engine cannot be fetched (no npm, no registry) or does not match its lock."""

    exit_code = 2
