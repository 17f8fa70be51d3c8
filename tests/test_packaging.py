"""`pip install .` then `kg build` works from any directory: the wheel carries its data."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("genvid_kg-*.whl")
    return path


@pytest.mark.slow
def test_wheel_ships_ontology_data_queries_and_web(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "data", "queries"):
        shipped = {n.split("/")[-1] for n in names if n.startswith(f"kg/_resources/{folder}/")}
        source = {p.name for p in (ROOT / folder).iterdir() if p.is_file()}
        assert shipped == source, folder
    assert "kg/_resources/ontology/shapes.ttl" in names


@pytest.mark.slow
def test_installed_wheel_builds_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "KG_STORE": str(tmp_path / "store")}
    result = subprocess.run(
        [sys.executable, "-m", "kg", "build"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built ")
    assert os.listdir(elsewhere) == []  # nothing written outside the store
