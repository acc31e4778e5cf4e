"""Run every notebook and write its rendered copy, with outputs, to notebooks/rendered/.

    python notebooks/render.py            # every notebook
    python notebooks/render.py scale      # one (by name, without .ipynb)

Readers see the outputs on the rendered copies without running anything; the sources in
notebooks/ keep no outputs. `tests/test_notebooks.py` runs the sources and checks that each
rendered copy has the same cells as its source, so a changed notebook needs a new render.
Each notebook runs in a fresh kernel in a temporary folder (notebooks reach the data
through the package), offline.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
RENDERED = HERE / "rendered"
NOTEBOOKS = sorted(HERE.glob("*.ipynb"))


def execute(path: Path, folder: str | Path, timeout: int = 180) -> nbformat.NotebookNode:
    """The notebook at ``path``, run top to bottom in a fresh kernel with ``folder`` as working directory."""
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return book


def sources(book: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """What a reader wrote: each cell's kind and text (outputs and run counts aside)."""
    return [(cell.cell_type, cell.source) for cell in book.cells]


def render(path: Path) -> Path:
    """Run ``path`` and write its rendered copy; return the copy's path."""
    with tempfile.TemporaryDirectory() as folder:
        book = execute(path, folder)
    RENDERED.mkdir(exist_ok=True)
    out = RENDERED / path.name
    nbformat.write(book, out)
    return out


def main(names: list[str]) -> None:
    chosen = [p for p in NOTEBOOKS if not names or p.stem in names]
    if names and len(chosen) != len(names):
        raise SystemExit(f"no notebook named {sorted(set(names) - {p.stem for p in chosen})}; the notebooks are {[p.stem for p in NOTEBOOKS]}")
    for path in chosen:
        print(f"rendered {render(path).relative_to(HERE.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
