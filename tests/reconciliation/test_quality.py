"""The targets on the labelled name variants: no wrong automatic match, the right candidate first for ≥ 90%."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "reconciliation.py"


def _bench():
    spec = importlib.util.spec_from_file_location("reconciliation_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labelled_variants_meet_the_targets():
    from clustergraph.ingest import load_embedded
    from clustergraph.reconciliation import Index

    bench = _bench()
    m = bench.measure(Index.from_graph(load_embedded()))
    total = m["total"]
    kinds = set(m["by kind"])
    assert {"case", "accents", "legal form", "abbreviation", "translation", "typo", "word order", "must not match"} <= kinds
    assert total["variants"] >= 70 and m["by kind"]["must not match"]["variants"] >= 15
    wrong = [miss for miss in m["misses"] if miss[4] and miss[3][:1] != [miss[2]]]
    assert total.get("right automatic", 0) == total.get("automatic", 0), f"wrong automatic matches: {wrong}"
    assert m["by kind"]["must not match"].get("automatic", 0) == 0
    assert total["rank 1"] / total["with answer"] >= 0.9, m["misses"]
    assert total["in top 3"] / total["with answer"] >= 0.95
