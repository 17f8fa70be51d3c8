"""Settings resolved once at the edge (flags, environment) and passed down explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

__all__ = ["Settings", "default_store_location", "resource_dir"]

_PACKAGE_ROOT = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Locate a shipped folder (ontology, data, queries, web).

    In a source checkout the top-level folder is the source of truth; an installed wheel carries
    a copy under ``kg/_resources``.
    """
    checkout = _PACKAGE_ROOT.parent.parent / name
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files("kg") / "_resources" / name))


def default_store_location() -> str:
    """Where the embedded store lives unless ``--store`` or ``KG_STORE`` say otherwise."""
    if env := os.environ.get("KG_STORE"):
        return env
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return os.path.join(data_home, "genvid-kg", "store")


@dataclass(frozen=True)
class Settings:
    """Where the inputs are and which store to use.

    ``store`` is a directory (embedded on disk), ``memory``, or an ``http(s)://`` SPARQL URL.
    """

    store: str
    ontology_dir: Path
    data_dir: Path
    queries_dir: Path
    web_dir: Path

    @classmethod
    def default(cls, store: str | None = None) -> Settings:
        """Settings from the environment, the shipped folders and an optional store override."""
        return cls(
            store=store or default_store_location(),
            ontology_dir=resource_dir("ontology"),
            data_dir=resource_dir("data"),
            queries_dir=resource_dir("queries"),
            web_dir=resource_dir("web"),
        )

    def with_store(self, store: str) -> Settings:
        """A copy of these settings that points at another store."""
        return replace(self, store=store)
