"""The one place where errors become HTTP responses: status, error type and body shape.

Library errors (kg.errors) carry messages that already read well; this module only chooses the
status and the form. ``/sparql`` answers in plain text, as SPARQL clients (YASGUI, SPARQLWrapper,
rdflib) show the body as is; ``/api/...`` and clients that ask for JSON get one JSON shape::

    {"error": {"type": "query_syntax", "message": "...", "line": 1, "column": 25}}

and browsers get ``error.html`` with the same message (and "did you mean" links for a 404).
A malformed query is a 400, never a 500; a bug is the only source of a 500 "internal" error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from kg.errors import (
    BadParameterError,
    BusyError,
    EntityNotFoundError,
    KgError,
    NotFoundError,
    QueryEvaluationError,
    QueryMemoryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    RemoteServiceError,
    ResultTooLargeError,
    StoreError,
    UnknownEntityError,
    WaitTimeoutError,
)

__all__ = [
    "NotAcceptableError",
    "ReadOnlyError",
    "RequestTooLargeError",
    "UnsupportedMediaTypeError",
    "install_error_handlers",
    "status_of",
]

logger = logging.getLogger("kg.server")


class NotAcceptableError(KgError):
    """Nothing the client accepts (Accept, ``format=``) can be produced; names what can."""


class UnsupportedMediaTypeError(KgError):
    """A request body in a media type the endpoint does not read."""


class RequestTooLargeError(KgError):
    """A request body over the server's limit (kg.server.guards.BodyLimit)."""


class ReadOnlyError(QueryRefusedError):
    """SPARQL Update sent to the read-only endpoint."""


@dataclass(frozen=True)
class _Status:
    code: int
    type: str
    title: str


# Most specific first: the first class the error is an instance of decides.
_STATUSES: list[tuple[type[KgError], _Status]] = [
    (QuerySyntaxError, _Status(400, "query_syntax", "Malformed query")),
    (BadParameterError, _Status(400, "bad_parameter", "Bad parameter")),
    (ReadOnlyError, _Status(403, "read_only", "Read-only endpoint")),
    (QueryRefusedError, _Status(403, "query_refused", "Query refused")),
    (UnknownEntityError, _Status(404, "unknown_entity", "Not found")),
    (NotFoundError, _Status(404, "not_found", "Not found")),
    (NotAcceptableError, _Status(406, "not_acceptable", "Not acceptable")),
    (RequestTooLargeError, _Status(413, "request_too_large", "Request too large")),
    (UnsupportedMediaTypeError, _Status(415, "unsupported_media_type", "Unsupported media type")),
    # A result over the cap is the query's to fix (LIMIT/OFFSET), not a fault of the server.
    (ResultTooLargeError, _Status(422, "too_large", "Result too large")),
    (WaitTimeoutError, _Status(503, "wait_timeout", "Server busy")),
    (BusyError, _Status(429, "busy", "Too many queries")),
    (QueryTimeoutError, _Status(503, "timeout", "Query timed out")),
    (QueryMemoryError, _Status(503, "memory", "Query out of memory")),
    (RemoteServiceError, _Status(502, "service", "Remote service failed")),
    (QueryEvaluationError, _Status(500, "query_evaluation", "Query failed")),
    (StoreError, _Status(503, "store", "Store unavailable")),
    (KgError, _Status(500, "error", "Error")),
]
_HTTP_TITLES = {404: "Not found", 405: "Method not allowed"}


def status_of(error: KgError) -> tuple[int, str]:
    """The HTTP status and error type of a library error.

    >>> status_of(QuerySyntaxError("expected '}'", 1, 25))
    (400, 'query_syntax')
    """
    status = next(s for cls, s in _STATUSES if isinstance(error, cls))
    return status.code, status.type


def _form(request: Request) -> str:
    """text for the SPARQL endpoint, json for the API and JSON clients, html for browsers."""
    path = request.url.path
    if path == "/sparql":
        return "text"
    if path.startswith("/api/") or path == "/openapi.json":
        return "json"
    accept = request.headers.get("accept", "")
    if "text/html" in accept or not accept or accept.startswith("*/*"):
        return "html"
    return "json" if "json" in accept else "text"


def _respond(
    request: Request,
    code: int,
    kind: str,
    title: str,
    message: str,
    extra: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    extra = extra or {}
    form = _form(request)
    if form == "text":
        return PlainTextResponse(message + "\n", status_code=code, headers=headers)
    if form == "json":
        body = {"error": {"type": kind, "message": message, **extra}}
        return JSONResponse(body, status_code=code, headers=headers)
    context = {"status": code, "type": kind, "title": title, "message": message, **extra}
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", context, status_code=code, headers=headers
    )


def _extra(error: KgError) -> dict:
    if isinstance(error, QuerySyntaxError):
        return {"line": error.line, "column": error.column}
    if isinstance(error, EntityNotFoundError):
        return {"suggestions": [{"label": label, "url": url} for label, url in error.links]}
    if isinstance(error, UnknownEntityError):
        return {"suggestions": [{"label": label, "url": None} for label in error.suggestions]}
    return {}


async def _kg_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, KgError)
    status = next(s for cls, s in _STATUSES if isinstance(error, cls))
    if type(error) is KgError or status.type in ("error", "store"):
        logger.error("%s %s: %s", request.method, request.url.path, error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, BusyError) else None
    return _respond(
        request, status.code, status.type, status.title, str(error), _extra(error), headers
    )


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    title = _HTTP_TITLES.get(error.status_code, "Error")
    message = str(error.detail)
    if error.status_code == 404:
        message = f"There is no page at {request.url.path}."
    kind = "not_found" if error.status_code == 404 else "http"
    return _respond(request, error.status_code, kind, title, message, headers=error.headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in problem['loc'][1:]) or 'request'}: {problem['msg']}"
        for problem in error.errors()
    )
    return _respond(request, 400, "bad_parameter", "Bad parameter", problems)


async def _client_gone(request: Request, error: Exception) -> Response:
    """A client that hangs up in the middle of its request body: one line, no traceback (the
    response goes nowhere; 400 is what the request was)."""
    logger.warning(
        "%s %s: the client left before sending the whole body", request.method, request.url.path
    )
    return Response(status_code=400)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: library errors, HTTP errors (404, 405), bad parameters and
    clients that disconnect mid-request."""
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(KgError, _kg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
