"""`kg serve`'s connections: uvicorn's h11 protocol with bounds on the request head.

Two doors uvicorn leaves open, closed here because a public endpoint needs them closed:

- **Slow clients.** uvicorn times out idle keep-alive connections only, so a client may take
  as long as it likes to send a request head, a line every few seconds (slowloris), and hold a
  connection for ever. Here a connection that has not sent a whole head within
  ``head_timeout`` seconds is closed: with a 408 when part of a head came, silently when
  nothing did (a client reusing an idle connection must not read a 408 as its answer).
- **Oversized heads.** h11 bounds a head only while it arrives in pieces (one that arrives
  whole in one read is parsed at any size), and past the bound uvicorn answers 400 and closes
  at once, which resets the connection under a client that is still sending: the client sees
  a reset, not the answer. Here a head over ``max_head_bytes`` is refused with 414 when its
  request line alone is that long and 431 otherwise, and the connection is closed gently: our
  side is shut for writing and what the client still sends is read and dropped for a moment,
  so the answer reaches it.
"""

from __future__ import annotations

import asyncio
import re
from http import HTTPStatus

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "DEFAULT_HEAD_TIMEOUT",
    "DEFAULT_MAX_HEAD_BYTES",
    "BoundedH11Protocol",
    "bounded_protocol",
]

#: Seconds for a whole request head: one packet for any real client, even on a slow network.
DEFAULT_HEAD_TIMEOUT = 10.0
#: Bytes of request line and header fields. The query page's download links carry the query
#: in the URL, so this is well above the 8-16 KB of nginx or Node.js (POST has no such limit).
DEFAULT_MAX_HEAD_BYTES = 64 * 1024
#: Seconds to read and drop what a refused client still sends before closing for good.
_LINGER = 2.0
_BLANK_LINE = re.compile(rb"\n\r?\n")


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with a time and a size bound on each request head."""

    head_timeout: float = DEFAULT_HEAD_TIMEOUT
    max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES

    _head_timer: asyncio.TimerHandle | None = None
    _refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()  # the next request on this connection gets its own bound

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # refused: read and drop until the client or _LINGER closes
        if self.conn.their_state is h11.IDLE and not self._head_fits(data):
            return
        super().data_received(data)

    def _await_head(self) -> None:
        """Start counting a new request head and its time."""
        self._stop_head_timer()
        self._head_bytes, self._line_bytes, self._tail = 0, -1, b""
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_fits(self, data: bytes) -> bool:
        """Count ``data`` into the head (up to its blank line); refuse the request if too long."""
        seen = self._tail + data
        if self._line_bytes < 0 and (line_end := seen.find(b"\n")) >= 0:
            self._line_bytes = self._head_bytes - len(self._tail) + line_end
        end = _BLANK_LINE.search(seen)
        self._head_bytes += (end.end() - len(self._tail)) if end else len(data)
        self._tail = seen[-3:]
        if self._head_bytes <= self.max_head_bytes:
            return True
        limit = f"this server's limit of {self.max_head_bytes:,} bytes"
        if self._line_bytes < 0 or self._line_bytes > self.max_head_bytes:
            self._refuse(HTTPStatus.REQUEST_URI_TOO_LONG, f"The request line is over {limit}.")
        else:
            self._refuse(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                f"The request's header fields are over {limit}.",
            )
        return False

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
            return  # a request is being answered; on_response_complete starts a new bound
        if self._head_bytes == 0 and not self._tail:
            self.transport.close()
            return
        self._refuse(
            HTTPStatus.REQUEST_TIMEOUT,
            f"No complete request head came within {self.head_timeout:g} s.",
        )

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        """Answer ``status`` with ``message``, then close gently (see the module's docstring)."""
        self._refused = True
        self._stop_head_timer()
        self._unset_keepalive_if_required()
        body = f"{message}\n".encode()
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\n"
            "content-type: text/plain; charset=utf-8\r\n"
            "x-content-type-options: nosniff\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_LINGER, self.transport.close)


def bounded_protocol(head_timeout: float, max_head_bytes: int) -> type[BoundedH11Protocol]:
    """The protocol class for uvicorn's ``http=`` with these bounds."""
    return type(
        "BoundedH11Protocol",
        (BoundedH11Protocol,),
        {"head_timeout": head_timeout, "max_head_bytes": max_head_bytes},
    )
