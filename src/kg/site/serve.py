"""Serve a written site on loopback, as any static host would (``kg site --serve``).

Files only, from the site's folder, with the media types the site needs (WebAssembly must be
``application/wasm``) and a strict content security policy, so that what works here also
works on a host that sends one: scripts and workers only from the site itself, no inline
script, WebAssembly compiled from the site's own file, no request to another origin.
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

from kg.views.policy import POLICY_DIRECTIVES, content_security_policy

__all__ = ["CONTENT_SECURITY_POLICY", "make_server"]

#: The web app's policy, with what the site's engine needs: WebAssembly compiled from the
#: site's own file, and the data: fonts of plotly's bundle.
CONTENT_SECURITY_POLICY = content_security_policy(
    {
        **POLICY_DIRECTIVES,
        "script-src": "'self' 'wasm-unsafe-eval'",
        "font-src": "'self' data:",
    }
)


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the base class's own attribute, extended
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".json": "application/json",
        ".jsonld": "application/ld+json",
        ".ttl": "text/turtle",
        ".nq": "application/n-quads",
    }

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


def make_server(folder: Path, port: int = 8000, host: str = "127.0.0.1") -> http.server.HTTPServer:
    """A threaded HTTP server over ``folder`` (not started: call ``serve_forever``).

    Raises:
        OSError: the port is taken.
    """
    handler = functools.partial(_Handler, directory=str(folder))
    return http.server.ThreadingHTTPServer((host, port), handler)
