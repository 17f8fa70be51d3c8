"""Shared fixtures: the real graph built once per session, and a tiny one per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.store import EmbeddedStore, MemoryStore, open_store

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"
BAD = DATA / "bad"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with the shipped ontology, data and queries, and a fresh store folder."""
    return Settings.default(str(tmp_path / "store"))


@pytest.fixture
def mini_store(settings: Settings) -> MemoryStore:
    """The smallest valid world (tests/data/mini) in memory."""
    store = MemoryStore()
    build(settings, [MINI], target=store)
    return store


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data built once into an on-disk store for the whole session."""
    settings = Settings.default(str(tmp_path_factory.mktemp("built") / "store"))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def built(built_settings: Settings) -> EmbeddedStore:
    """The real graph, opened read-only."""
    return open_store(built_settings.store)
