"""What every response and request goes through: security headers, a cap on request bodies,
and HEAD answered wherever GET is.

Both are plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``, which buffers
and re-wraps streaming bodies; here a header is added to the response start and request body
chunks are counted as they arrive, so an oversized body is refused before it is all in memory.
FastAPI's own ``max_body_size`` does the counting too, but answers a declared oversize with a
bare "Content Too Large" outside the app's error handlers; this limit's error goes through
them, so it names the limit in the same shape as every other error.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.server.errors import RequestTooLargeError
from kg.views.policy import POLICY_DIRECTIVES, content_security_policy

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DEFAULT_MAX_BODY_BYTES",
    "BodyLimit",
    "HeadAsGet",
    "SecurityHeaders",
]

#: A SPARQL query is text; a megabyte is far past any real one, and far below harm.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024

CONTENT_SECURITY_POLICY = content_security_policy(POLICY_DIRECTIVES)

_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    """Adds the headers of ``_HEADERS`` to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with a 413, however they are sent.

    A declared ``Content-Length`` over the limit is refused at the first read, before any of
    the body arrives; a chunked body is counted as it streams and refused the moment it passes
    the limit. The error goes through the app's error handlers, so it has the same shape
    (plain text on /sparql, JSON on /api) as every other error.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise self._error(int(declared))
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._error(received)
            return message

        await self.app(scope, counted_receive, send)

    def _error(self, size: int) -> RequestTooLargeError:
        return RequestTooLargeError(
            f"the request body ({size:,} bytes or more) is over this server's limit of "
            f"{self.max_bytes:,} bytes; send a shorter query"
        )


class HeadAsGet:
    """Answers HEAD wherever GET is answered: the GET response's status and headers, no body.

    HTTP requires it (RFC 9110, 9.3.2); FastAPI's routes answer only the methods they declare.
    The request goes to the app as a GET (so the headers, Content-Length included, are those
    of the GET) and the body is dropped on the way out.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
