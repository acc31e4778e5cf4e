"""The fast path and the plain path give the same answers: loading, every library query and
validation on Oxigraph vs rdflib's memory store, on a generated graph; and the benchmark
script runs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Literal

from clustergraph import store
from clustergraph.errors import ParameterError
from clustergraph.generate import generate
from clustergraph.query.library import list_queries
from clustergraph.query.execution import run
from clustergraph.validation.engine import validate

ROOT = Path(__file__).resolve().parents[1]
GRAPH = "https://w3id.org/clustergraph/graph/generated"
#: Values for library queries whose parameters have no default (they exist in generated data).
PARAMS = {
    "holds-label": {"organisation": "cgid:organisation/aurora-innovation-cluster-0"},
    "organisations-by-name": {"name": "cluster"},
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale") / "g.nt"
    stats = generate(out, organisations=25, projects=70, seed=9, error_rate=0.1)
    fast = store.open_dataset()
    plain = store.open_dataset("memory")
    for ds in (fast, plain):
        store.load(ds, out, graph=GRAPH)
    return stats, out, fast, plain


def _norm(term):
    # Oxigraph writes numbers in canonical form ("2.0" is "2"); compare numbers by value
    if isinstance(term, Literal) and term.datatype and isinstance(term.value, (int, float, Decimal)) and not isinstance(term.value, bool):
        return ("number", round(float(term.value), 6))
    return "_:b" if isinstance(term, BNode) else term


def _answer(result):
    """SELECT rows, CONSTRUCT triples or the ASK boolean."""
    if result.kind == "SELECT":
        return result.rows
    if result.kind == "ASK":
        return [(result.boolean,)]
    return list(result.graph or ())


def test_both_stores_hold_the_same_triples(generated):
    stats, _out, fast, plain = generated
    a = set(store.union(fast))
    b = set(store.union(plain))
    assert a == b and len(a) == stats.triples


def test_every_library_query_gives_the_same_rows_on_both_stores(generated):
    _stats, _out, fast, plain = generated
    compared, nonempty = 0, 0
    for named in list_queries():
        params = PARAMS.get(named.name, {})
        try:
            named.bindings(params)
        except ParameterError:
            pytest.fail(f"query {named.name} needs parameters this test does not give: add them to PARAMS")
        a, b = run(fast, named, params), run(plain, named, params)
        assert (a.kind, a.variables) == (b.kind, b.variables), named.name
        rows_a = Counter(tuple(_norm(x) for x in row) for row in _answer(a))
        rows_b = Counter(tuple(_norm(x) for x in row) for row in _answer(b))
        assert rows_a == rows_b, named.name
        compared += 1
        nonempty += bool(rows_a)
    assert compared == len(list_queries()) >= 10
    assert nonempty >= compared // 2  # the generated data exercises most queries


def test_validation_engines_agree_through_validate(generated):
    _stats, _out, fast, plain = generated
    sparql = validate(fast, engine="sparql", fail_on="info")
    reference = validate(plain, engine="pyshacl", fail_on="info")

    def key(f):
        return (f.focus, f.path, f.value, f.severity, f.source_shape, f.constraint, f.message)

    assert Counter(map(key, sparql.findings)) == Counter(map(key, reference.findings))
    assert len(reference.findings) >= 5


def test_benchmark_script_runs_and_reports(tmp_path):
    out, raw = tmp_path / "RESULTS.md", tmp_path / "raw.json"
    recorded = tmp_path / "ALL.md"
    recorded.write_text("# Benchmark results\n\n<!-- other:start -->\nkept\n<!-- other:end -->\n")
    cmd = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "2k", "--only", "load", "--cutoff", "30", "--work", str(tmp_path), "--out", str(out), "--json", str(raw), "--results", str(recorded)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text()
    assert "| 2k (" in text and "load N-Triples" in text and "Command: `python benchmarks/run.py --sizes 2k" in text
    both = recorded.read_text()
    assert "<!-- other:start -->\nkept\n<!-- other:end -->" in both  # another benchmark's block is left alone
    assert both.count("<!-- bench_run:start -->") == 1 and "### Summary" in both and "| 2k (" in both
    results = json.loads(raw.read_text())
    assert results[0]["load"]["fast"]["triples"] == results[0]["load"]["baseline"]["triples"] > 1500


def test_benchmark_compares_findings_shape_file_by_shape_file(tmp_path):
    out, raw = tmp_path / "RESULTS.md", tmp_path / "raw.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1k", "--only", "shapes", "--cutoff", "60", "--work", str(tmp_path), "--out", str(out), "--json", str(raw)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    shapes = json.loads(raw.read_text())[0]["shapes"]
    fast, base = shapes["fast"]["files"], shapes["baseline"]["files"]
    assert fast.keys() == base.keys() and "consortium.ttl" in fast and "project.ttl" in fast
    assert {name: f["digest"] for name, f in fast.items()} == {name: b["digest"] for name, b in base.items()}
    assert sum(f["findings"] for f in fast.values()) >= 1  # the generated errors are found
    text = out.read_text()
    assert f"| validation identical to pySHACL, shape file by shape file | yes ({len(fast)} of {len(fast)} files compared" in text
    assert "| 1k | project.ttl |" in text
