"""Headless Chromium and a loopback file server, shared by the browser tests.

Every request that does not go to 127.0.0.1 is blocked and recorded (``context.blocked``);
console errors and page errors of every page are collected (``context.errors``).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
#: The flags this machine's Chromium needs: no sandbox as root, no background networking.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(__file__).parent.parent / "test-output"

#: Mark a browser test module; it skips only where Chromium is absent and CI did not ask for it.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("KG_REQUIRE_BROWSER"),
        reason="Debian chromium is not installed (CI sets KG_REQUIRE_BROWSER and installs it)",
    ),
]

#: A route answers a parsed query string with (status, media type, body).
Route = Callable[[dict[str, list[str]]], tuple[int, str, bytes]]


@contextmanager
def chromium(profile: Path, viewport: dict[str, int]) -> Iterator:
    """A fresh Chromium profile that reaches only loopback and records errors."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True, viewport=viewport
        )
        context.blocked = []
        context.errors = []

        def local_only(route) -> None:
            if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                context.blocked.append(route.request.url)
                route.abort()

        def watch(page) -> None:
            page.on(
                "console", lambda m: context.errors.append(m.text) if m.type == "error" else None
            )
            page.on("pageerror", lambda error: context.errors.append(str(error)))

        context.route("**/*", local_only)
        context.on("page", watch)
        for page in context.pages:
            watch(page)
        try:
            yield context
        finally:
            context.close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from one folder, plus the routes a test registers."""

    routes: dict[str, Route] = {}  # noqa: RUF012 - replaced per server by subclassing

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        route = self.routes.get(url.path)
        if route is None:
            super().do_GET()
            return
        status, media, body = route(urllib.parse.parse_qs(url.query))
        self.send_response(status)
        self.send_header("content-type", media)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def file_servers() -> Iterator[Callable[[Path, dict[str, Route] | None], str]]:
    """Start loopback HTTP servers over folders (with extra routes); yields a starter."""
    servers = []

    def start(folder: Path, routes: dict[str, Route] | None = None) -> str:
        handler = type("Handler", (_Handler,), {"routes": routes or {}})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def fixed(media: str, body: bytes) -> Route:
    """A route that always answers 200 with ``body``."""
    return lambda _query: (200, media, body)


def screenshot(page, name: str, full_page: bool = False) -> None:
    """Save a screenshot under test-output/ for review."""
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / name), full_page=full_page)
