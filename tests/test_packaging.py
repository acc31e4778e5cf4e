"""A plain, non-editable install finds the ontology, shapes, queries and data."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("clustergraph-*.whl")
    return path


def test_wheel_ships_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "clustergraph/_resources/ontology/clustergraph.ttl" in names
    assert "clustergraph/py.typed" in names
    for folder, suffix in (("shapes", ".ttl"), ("queries", ".rq"), ("data", ".csv")):
        assert any(n.startswith(f"clustergraph/_resources/{folder}/") and n.endswith(suffix) for n in names), folder


def test_installed_package_finds_its_files(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import clustergraph as c, pathlib;"
        "p = [c.ontology_path(), c.shapes_dir(), c.queries_dir(), c.data_dir()];"
        "assert all(str(x).startswith(%r) for x in p), p;"
        "assert c.ontology_path().is_file() and any(c.data_dir().glob('*.csv'));"
        "print('ok')"
    ) % str(target)
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
