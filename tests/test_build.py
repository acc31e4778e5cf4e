"""The main job: `clustergraph build` on the embedded dataset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from clustergraph import store
from clustergraph.build import build
from clustergraph.cli import main
from clustergraph.namespaces import CG, ID

CECIL = ID["project/cecil"]


def test_build_writes_three_formats_that_agree(tmp_path: Path) -> None:
    result = build(tmp_path, validate=False, network=False)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["clustergraph.jsonld", "clustergraph.nt", "clustergraph.trig", "clustergraph.ttl"]
    graphs = []
    for name, fmt in (("clustergraph.ttl", "turtle"), ("clustergraph.nt", "nt"), ("clustergraph.jsonld", "json-ld")):
        g = Graph().parse(tmp_path / name, format=fmt)
        graphs.append(g)
    assert len(graphs[0]) == result.triples > 500
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    trig = Dataset().parse(tmp_path / "clustergraph.trig", format="trig")
    assert len({g.identifier for g in trig.graphs()}) > 3  # one graph per source, plus provenance
    # figures as published: CECIL's EU contribution exceeds its total budget
    g = graphs[0]
    assert g.value(CECIL, CG.totalBudget) == Literal("247283", datatype=XSD.decimal)
    assert g.value(CECIL, CG.euContribution) == Literal("299450", datatype=XSD.decimal)
    assert result.counts["cg:Project"] >= 12


def test_build_twice_is_isomorphic(tmp_path: Path) -> None:
    build(tmp_path / "a", validate=False, network=False)
    build(tmp_path / "b", validate=False, network=False)
    a = Graph().parse(tmp_path / "a" / "clustergraph.nt")
    b = Graph().parse(tmp_path / "b" / "clustergraph.nt")
    assert isomorphic(a, b)
    assert (tmp_path / "a" / "clustergraph.nt").read_bytes() == (tmp_path / "b" / "clustergraph.nt").read_bytes()


def test_memory_and_oxigraph_builds_agree(tmp_path: Path) -> None:
    ox = build(None, store="oxigraph", validate=False, network=False)
    mem = build(None, store="memory", validate=False, network=False)
    assert ox.counts == mem.counts
    assert isomorphic(store.union(ox.dataset), store.union(mem.dataset))


def test_cli_build_prints_summary_and_findings(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = res.output
    assert "triples" in text and "entities:" in text
    assert "validation:" in text
    # the published contradictions are reported, by name
    for name in ("CECIL", "MATERIALIX", "SmartSports4GoodLife"):
        assert name in text
    assert (out / "clustergraph.ttl").stat().st_size > 1000


def test_cli_missing_input_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    done = subprocess.run(
        [sys.executable, "-m", "clustergraph.cli", "build", str(missing), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_cli_help_lists_commands() -> None:
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    assert "build" in res.output
    res = CliRunner().invoke(main, ["build", "--help"])
    assert res.exit_code == 0 and "--out" in res.output


def test_failed_build_leaves_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(out, validate=False, network=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "broken.ttl"
    bad.write_text("<http://ex.org/a> <http://ex.org/p> .\n")
    res = CliRunner().invoke(main, ["build", str(bad), "--out", str(out)])
    assert res.exit_code == 2
    assert "broken.ttl" in res.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
