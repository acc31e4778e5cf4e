"""Every notebook in notebooks/ runs top to bottom in a fresh kernel and shows what its prose promises.

The notebooks run side by side (each kernel is its own process) in temporary working
directories: they reach the data through the package, and write only there. The rendered
copies in notebooks/rendered/ (made by ``python notebooks/render.py``) must have the same
cells as the sources.
"""

from __future__ import annotations

import importlib.util
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).resolve().parent.parent / "notebooks"
_spec = importlib.util.spec_from_file_location("notebook_render", HERE / "render.py")
render = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render)  # type: ignore[union-attr]

NOTEBOOKS = render.NOTEBOOKS
NAMES = [p.stem for p in NOTEBOOKS]


@pytest.fixture(scope="session")
def executed(tmp_path_factory):
    """Every notebook, executed (three kernels at a time), by name; an exception in place of a failed one."""

    def run(path: Path):
        try:
            return render.execute(path, tmp_path_factory.mktemp(path.stem))
        except Exception as exc:  # reported by the notebook's own test
            return exc

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(NAMES, pool.map(run, NOTEBOOKS)))


def outputs(book) -> list[dict]:
    return [out for cell in book.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def text(book) -> str:
    """Everything the notebook showed as text: streams, plain text and HTML."""
    parts = []
    for out in outputs(book):
        if out.get("output_type") == "stream":
            parts.append(out["text"])
        for kind in ("text/plain", "text/html"):
            if kind in out.get("data", {}):
                parts.append(out["data"][kind])
    return "\n".join(parts)


def pictures(book) -> int:
    return sum("image/png" in out.get("data", {}) for out in outputs(book))


def _checked(executed, name):
    book = executed[name]
    if isinstance(book, Exception):
        raise book
    errors = [out for out in outputs(book) if out.get("output_type") == "error"]
    assert not errors, errors
    return book


def test_there_are_notebooks():
    assert {"queries", "network", "getting-started", "research-questions", "steward-round", "publishing", "scale", "remote-store"} <= set(NAMES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_rendered_copy_matches_the_source(path):
    copy = render.RENDERED / path.name
    assert copy.exists(), f"run: python notebooks/render.py {path.stem}"
    source, rendered = nbformat.read(path, as_version=4), nbformat.read(copy, as_version=4)
    assert render.sources(rendered) == render.sources(source), f"{path.name} changed: run python notebooks/render.py {path.stem}"
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code"), "the sources keep no outputs"
    assert any(c.get("outputs") for c in rendered.cells if c.cell_type == "code"), "the rendered copy has the outputs"


def test_queries(executed):
    book = _checked(executed, "queries")
    assert pictures(book) >= 1, "the plot is drawn"
    assert outputs(book)[-1]["data"]["text/plain"] == "True", "the endpoint gives the same DataFrame"


def test_network(executed):
    book = _checked(executed, "network")
    assert pictures(book) >= 2 and "metrics.ttl" in text(book)
    explored = [out for out in outputs(book) if "Sigma(nx.Graph with 8 nodes and 9 edges)" in out.get("data", {}).get("text/plain", "")]
    assert explored and "application/vnd.jupyter.widget-view+json" in explored[0]["data"], "the network as a widget"


def test_getting_started(executed):
    book = _checked(executed, "getting-started")
    shown = text(book)
    assert re.search(r"cg:Project\s+13\b", shown)
    assert 'title="https://w3id.org/clustergraph/id/project/cecil">CECIL</a>' in shown, "IRIs read as names, linked"
    assert re.search(r"0\s+1\s+6\s+1530148\.0", shown) and re.search(r"1\s+2\s+6\s+1817642\.0", shown), "the %%sparql answer"
    assert pictures(book) == 1


def test_research_questions(executed):
    book = _checked(executed, "research-questions")
    shown = text(book)
    assert re.search(r"ESP\s+2\s+512744\.0", shown), "Spain first, by country"
    assert re.search(r"0\s+new materials\s+1\s+308894\.0", shown), "new materials first, by sector"
    assert "1st call for proposals of the Cluster Excellence Programme" in shown and "1.0336" in shown
    assert re.search(r"labels held\s+0\s+1\s+1\s+0", shown), "the label held from late 2016 to late 2018"
    assert "10 projects: no consortium recorded" in shown and "2 projects: the EU contribution is higher than the total budget" in shown
    assert pictures(book) == 2


def test_steward_round(executed):
    book = _checked(executed, "steward-round")
    shown = text(book)
    assert "1 violation, 0 warnings, 0 info; does not conform" in shown
    assert "steward/projects.csv:2" in shown and "The EU contribution (320000 EUR) is higher than the total budget (260000 EUR)" in shown
    assert "NORDIC-GREEN: 0 violations, 0 warnings, 0 info -> conforms" in shown
    assert re.search(r"NORDIC-GREEN\s+2018\s+260000\.0\s+230000\.0\s+0\.8846", shown)


def test_publishing(executed):
    book = _checked(executed, "publishing")
    shown = text(book)
    assert "text/html | <title>CECIL" in shown
    assert "text/turtle" in shown and 'cg:acronym "CECIL"' in shown and "cg:totalBudget 247283" in shown
    assert re.search(r"wrote \d+ resource pages", shown)


def test_scale(executed):
    book = _checked(executed, "scale")
    shown = text(book)
    triples = int(re.search(r"<GenerateStats: ([\d,]+) triples", shown).group(1).replace(",", ""))
    assert 100_000 <= triples <= 110_000
    put, found = map(int, re.search(r"(\d+) put in, (\d+) found", shown).groups())
    assert put == found > 0, "validation finds every injected error of that kind"
    assert all(re.search(rf"{step}\s+\d+\.\d+", shown) for step in ("generate", "load", "query", "validate"))


def test_remote_store(executed):
    book = _checked(executed, "remote-store")
    shown = text(book)
    assert "the remote store gives the same DataFrame: True" in shown
    assert int(re.search(r"with (\d+) triples \(gsp", shown).group(1)) > 1000
    assert re.search(r"SmartSports4GoodLife\s+2020-02-03", shown)
