"""The README's `kg export` and bulk-loader commands, run as written on the real engines."""

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from kg.cli import cli

from .conftest import free_port, running_virtuoso

README = (Path(__file__).parent.parent / "README.md").read_text()
QUESTION = "which models use DiT"


def _readme_commands(replacements: dict[str, str]) -> list[list[str]]:
    """The commands of the README's bulk-loader block, its folders and ports replaced, split
    into words as bash splits them (the block has no variables, pipes or globs)."""
    block = re.search(r"### Big graphs.*?```sh\n(.*?)\n```", README, re.S)
    assert block, "the README shows the bulk-loader commands"
    commands = []
    for line in block[1].splitlines():
        if line.startswith("#"):
            continue
        for old, new in replacements.items():
            line = line.replace(old, new)
        commands.append(shlex.split(line))
    return commands


def _run(words: list[str], env: dict[str, str]) -> str:
    """Run a command; `kg` in this process (click's runner: the same words, no start-up)."""
    if words[0] == "kg":
        result = CliRunner().invoke(cli, words[1:], env=env)
        assert result.exit_code == 0, f"{shlex.join(words)}:\n{result.output}"
        return result.stdout
    done = subprocess.run(words, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{shlex.join(words)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_readme_bulk_loader_commands_give_the_embedded_stores_answers(built_settings, tmp_path):
    export, oxigraph_port, sql_port, http_port = (
        tmp_path / "kg",
        free_port(),
        free_port(),
        free_port(),
    )
    export.mkdir()
    commands = _readme_commands(
        {
            "/srv/kg": str(export),
            "/srv/oxigraph": str(tmp_path / "oxigraph"),
            "127.0.0.1:7878": f"127.0.0.1:{oxigraph_port}",
            "isql-vt 1111": f"isql-vt {sql_port}",
            "127.0.0.1:8890": f"127.0.0.1:{http_port}",
        }
    )
    assert [c[:2] for c in commands] == [
        ["kg", "export"],
        ["oxigraph", "load"],
        ["oxigraph", "serve"],
        ["kg", "--store"],
        ["isql-vt", str(sql_port)],
        ["kg", "--store"],
    ]
    export_it, load, serve, ask_oxigraph, bulk_load, ask_virtuoso = commands
    # oxigraph as installed beside this Python; the embedded store is the session's build.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "KG_STORE": built_settings.store}
    expected = _run(["kg", "ask", QUESTION], env)
    assert expected.count("\n") > 3, expected  # the answer has rows

    _run(export_it, env)
    _run(load, env)
    server = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up(f"http://127.0.0.1:{oxigraph_port}/query", server)
        assert _run(ask_oxigraph, env) == expected
    finally:
        server.terminate()
        server.wait(timeout=10)

    with running_virtuoso(tmp_path / "virtuoso", sql_port, http_port):
        _run(bulk_load, env)
        assert _run(ask_virtuoso, env) == expected


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(200):
        assert server.poll() is None, "oxigraph serve exited"
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"no answer from {url}")
