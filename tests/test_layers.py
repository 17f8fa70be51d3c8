"""Data flows one way: a module imports only from layers to its left."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "kg"

#: Layers, left to right. A module may import from its own layer or any layer before it.
LAYERS: list[set[str]] = [
    {"kg.errors", "kg.config", "kg.namespaces", "kg.terms", "kg.dates", "kg.sparql_text"},
    {"kg.store", "kg.cache"},
    {"kg.build"},
    {"kg.query", "kg.answers", "kg.stats", "kg.safety", "kg.executor", "kg.scope"},
    {"kg.lineage", "kg.timeline", "kg.charts"},
    {"kg.render"},
    {"kg.views"},
    {"kg.server", "kg.site"},
    {"kg.api", "kg.cli", "kg", "kg.__main__"},
]
#: Edges of one layer that must not import each other: the web app and the static site both
#: stand on kg.views, so neither needs the other (and the site runs without the HTTP stack).
APART: list[set[str]] = [{"kg.server", "kg.site"}]


def _package(module: str, names: set[str]) -> str | None:
    return next((n for n in names if module == n or module.startswith(n + ".")), None)


def _layer(module: str) -> int:
    for index, names in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in names if name != "kg"):
            return index
    if module in ("kg", "kg.__main__"):
        return len(LAYERS) - 1
    raise AssertionError(f"{module} belongs to no layer: add it to tests/test_layers.py")


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


@pytest.mark.parametrize(("module", "path"), list(_modules()), ids=lambda v: str(v))
def test_imports_flow_one_way(module: str, path: Path):
    own = _layer(module)
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        for target in targets:
            if target == "kg" or target.startswith("kg."):
                if target == "kg" and module != "kg":
                    raise AssertionError(f"{module} imports the package root; import the module")
                assert _layer(target) <= own, (
                    f"{module} (layer {own}) imports {target} (layer {_layer(target)})"
                )
                for names in APART:
                    mine, theirs = _package(module, names), _package(target, names)
                    assert not (mine and theirs and mine != theirs), (
                        f"{module} imports {target}: {mine} and {theirs} must stay apart; "
                        "move what both need into kg.views"
                    )
