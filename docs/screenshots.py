"""Take the README tour's screenshots from a real ``kg serve`` in headless Chromium.

Run from a checkout with the test extras installed, Debian's chromium and, so that Chinese
names draw as characters rather than boxes, Debian's fonts-noto-cjk:

    python docs/screenshots.py            # builds a store in a temporary folder, writes docs/*.png

Each view is opened as a reader would open it, then saved at 1280x800 (the lineage and
timeline after their drawing has settled), so the README shows what a user sees. Chromium is
the browser tests' (tests/browsing.py: loopback only, errors collected), the server helpers
the benchmarks' (bench/loopback.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "bench"))
sys.path.insert(0, str(HERE.parent))

from loopback import free_port, wait_until_up  # noqa: E402

from tests.browsing import chromium  # noqa: E402

#: (file name, path on the app, CSS selector that is there once the view has drawn)
VIEWS = [
    ("home.png", "/", "body"),
    ("answer.png", "/ask?q=which+models+use+DiT", "table"),
    ("entity.png", "/id/model/seedance-1-0", "body"),
    ("lineage.png", "/lineage?focus=Seedance+1.0", "canvas"),
    ("timeline.png", "/timeline", ".main-svg"),
    ("query.png", "/query", "body"),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KG_STORE": os.path.join(tmp, "store")}
        subprocess.run([sys.executable, "-m", "kg", "build"], env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/", server)
            viewport = {"width": 1280, "height": 800}
            with chromium(Path(tmp) / "profile", viewport) as context:
                page = context.new_page()
                for name, path, ready in VIEWS:
                    page.goto(base + path)
                    page.wait_for_selector(ready)
                    page.wait_for_timeout(2500)
                    page.screenshot(path=str(HERE / name))
                    print(f"wrote docs/{name}")
                if context.blocked or context.errors:
                    raise SystemExit(f"outside requests {context.blocked}, errors {context.errors}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
