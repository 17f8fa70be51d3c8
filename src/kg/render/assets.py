"""Third-party browser assets, served from the installed Python packages (never from a CDN).

pyvis ships vis-network; plotly ships plotly.js. Pinning the Python packages pins the assets.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["ASSETS", "asset_path", "asset_text"]

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
