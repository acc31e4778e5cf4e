"""Every notebook in notebooks/ runs top to bottom in a fresh kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    """Executed in a temporary working directory: notebooks reach data through the package."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors
    if path.name == "queries.ipynb":
        outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]
        assert any("image/png" in out.get("data", {}) for out in outputs), "the plot is drawn"
        assert outputs[-1]["data"]["text/plain"] == "True", "the endpoint gives the same DataFrame"


def test_there_are_notebooks():
    assert any(p.name == "queries.ipynb" for p in NOTEBOOKS)
