"""Browser assets: ours in web/static, third-party ones from the installed Python packages.

pyvis ships vis-network; plotly ships plotly.js. Pinning the Python packages pins the assets;
nothing is ever fetched from a CDN. Pages link them under ``STATIC_PREFIX`` inside the web app
and inline them in standalone files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kg.config import resource_dir

__all__ = ["ASSETS", "STATIC_PREFIX", "asset_path", "asset_text", "static_text"]

#: Where the web app serves web/static (our assets) and /static/vendor (third-party assets).
STATIC_PREFIX = "/static"

#: Public name (as served under /static/vendor/) → (package, path inside the package).
ASSETS: dict[str, tuple[str, str]] = {
    "vis-network.min.js": ("pyvis", "lib/vis-9.1.2/vis-network.min.js"),
    "vis-network.css": ("pyvis", "lib/vis-9.1.2/vis-network.css"),
    "plotly.min.js": ("plotly", "package_data/plotly.min.js"),
}


def asset_path(name: str) -> Path:
    """The installed file behind a public asset name.

    Raises:
        KeyError: not one of ASSETS.
    """
    package, inner = ASSETS[name]
    return Path(str(resources.files(package).joinpath(inner)))


def asset_text(name: str) -> str:
    """An asset's content, for pages that must work as a single standalone file."""
    return asset_path(name).read_text(encoding="utf-8")


def static_text(name: str) -> str:
    """One of our own web/static files, for pages that must work as a single standalone file."""
    return (resource_dir("web") / "static" / name).read_text(encoding="utf-8")
