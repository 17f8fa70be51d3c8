"""Take the README tour's screenshots from a real ``kg serve`` in headless Chromium.

Run from a checkout with the test extras installed and Debian's chromium:

    python docs/screenshots.py            # builds a store in a temporary folder, writes docs/*.png

Each view is opened as a reader would open it, then saved at 1280x800 (the lineage and
timeline after their drawing has settled), so the README shows what a user sees.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
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
#: (file name, path on the app, CSS selector that is there once the view has drawn)
VIEWS = [
    ("home.png", "/", "body"),
    ("answer.png", "/ask?q=which+models+use+DiT", "table"),
    ("entity.png", "/id/model/seedance-1-0", "body"),
    ("lineage.png", "/lineage?focus=Seedance+1.0", "canvas"),
    ("timeline.png", "/timeline", ".main-svg"),
    ("query.png", "/query", "body"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"kg serve did not answer at {url}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KG_STORE": os.path.join(tmp, "store")}
        subprocess.run([sys.executable, "-m", "kg", "build"], env=env, check=True)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                for name, path, ready in VIEWS:
                    page.goto(base + path)
                    page.wait_for_selector(ready)
                    page.wait_for_timeout(2500)
                    page.screenshot(path=str(HERE / name))
                    print(f"wrote docs/{name}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
