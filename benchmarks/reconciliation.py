"""Quality of name matching: precision of automatic matches, recall@3 and rank-1 rate.

Runs the labelled organisation-name variants (``tests/reconciliation/fixtures/name-variants.csv``:
case, accents, legal forms, abbreviations, translations, typos, word order, and names that
must not match) through :func:`clustergraph.reconciliation.reconcile` against the embedded
dataset, one query per variant without constraints, and prints the measures overall and by
kind of variant.

    .venv/bin/python benchmarks/reconciliation.py [--misses] [--distractors N]

``--distractors N`` adds N synthetic organisations from ``clustergraph generate`` (names
such as ``Baltic Food Network 293``, ``Clúster Nordic Energy Institute 12``) to the graph
matched against, to see whether more look-alikes cause wrong matches.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

VARIANTS = Path(__file__).resolve().parents[1] / "tests" / "reconciliation" / "fixtures" / "name-variants.csv"


def measure(index=None, path: Path = VARIANTS) -> dict:
    """Measures on the labelled set: overall and by kind, plus the misses."""
    from clustergraph.ingest import load_embedded
    from clustergraph.reconciliation import Index, reconcile

    index = index or Index.from_graph(load_embedded())
    name_of = {str(e.iri): e.name for e in index.entities.values()}
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    answers = reconcile(index, {f"q{i}": {"query": r["variant"], "limit": 5} for i, r in enumerate(rows)})
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses = []
    for i, r in enumerate(rows):
        result = answers[f"q{i}"]["result"]
        names = [name_of[c["id"]] for c in result]
        auto = [name_of[c["id"]] for c in result if c.get("match")]
        k = by_kind[r["kind"]]
        k["variants"] += 1
        if auto:
            k["automatic"] += 1
            k["right automatic"] += int(auto[0] == r["expected"])
        if r["expected"]:
            k["with answer"] += 1
            k["rank 1"] += int(names[:1] == [r["expected"]])
            k["in top 3"] += int(r["expected"] in names[:3])
            if names[:1] != [r["expected"]] or not auto:
                misses.append((r["kind"], r["variant"], r["expected"], names[:3], bool(auto)))
        elif auto:
            misses.append((r["kind"], r["variant"], "(none)", names[:3], True))
    total: dict[str, int] = defaultdict(int)
    for k in by_kind.values():
        for key, v in k.items():
            total[key] += v
    return {"total": dict(total), "by kind": {k: dict(v) for k, v in by_kind.items()}, "misses": misses}


def _rates(c: dict) -> str:
    auto = c.get("automatic", 0)
    answer = c.get("with answer", 0)
    precision = f"{c.get('right automatic', 0) / auto:.3f}" if auto else "n/a"
    rank1 = f"{c.get('rank 1', 0) / answer:.3f}" if answer else "n/a"
    top3 = f"{c.get('in top 3', 0) / answer:.3f}" if answer else "n/a"
    return f"{c.get('variants', 0):>4} {auto:>5} {precision:>9} {rank1:>7} {top3:>9}"


def _index_with_distractors(n: int):
    import tempfile
    from pathlib import Path as _Path

    from clustergraph import store
    from clustergraph.generate import generate
    from clustergraph.ingest import load_embedded
    from clustergraph.reconciliation import Index

    ds = load_embedded()
    if n:
        with tempfile.TemporaryDirectory() as tmp:
            out = _Path(tmp) / "distractors.nt"
            generate(out, organisations=n, projects=max(10, n // 5), seed=3, error_rate=0)
            store.load(ds, out, graph="https://w3id.org/clustergraph/graph/distractors")
    return Index.from_graph(ds)


def main(argv: list[str]) -> int:
    n = int(argv[argv.index("--distractors") + 1]) if "--distractors" in argv else 0
    index = _index_with_distractors(n)
    print(f"{len(index.entities)} organisations in the graph ({n} synthetic distractors)")
    m = measure(index)
    print(f"{'kind':<16} {'n':>4} {'auto':>5} {'precision':>9} {'rank-1':>7} {'recall@3':>9}")
    for kind, c in m["by kind"].items():
        print(f"{kind:<16} {_rates(c)}")
    print(f"{'all':<16} {_rates(m['total'])}")
    if "--misses" in argv:
        for miss in m["misses"]:
            print("miss:", *miss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
