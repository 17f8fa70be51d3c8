"""The README's promises: two commands first, every command documented, CI runs them."""

import re
from pathlib import Path

from kg.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def _first_block() -> list[str]:
    block = re.search(r"```sh\n(.*?)\n```", README, re.S)
    assert block, "the README must open with a ```sh block"
    return block[1].splitlines()


def test_readme_starts_with_exactly_two_commands():
    assert README.index("```sh") < README.index("##")
    run, test = _first_block()
    assert "pip install ." in run
    assert "kg build" in run
    assert "pip install -e '.[test]'" in test
    assert test.endswith("pytest")


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "README.md" in ci
    assert 'eval "${commands[1]}"' in ci


def test_every_command_is_documented():
    for name in cli.commands:
        assert f"`kg {name}" in README, f"kg {name} is not in the README"


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert command.help, name
        assert len(command.help) > 20, name


def test_readme_python_example_runs(built_settings, monkeypatch):
    block = re.search(r"```python\n(.*?)\n```", README, re.S)
    assert block, "the README shows the Python API"
    monkeypatch.setenv("KG_STORE", built_settings.store)
    namespace: dict = {}
    exec(compile(block[1], "README.md", "exec"), namespace)
    assert "Seedance 1.0" in set(namespace["graph"].models_using("DiT")["Model"])
