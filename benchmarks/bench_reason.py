"""Benchmark: HermiT, Pellet and the lightweight rules on the embedded dataset and on
synthetic graphs of growing size, with plain rdflib running the same rules as baseline.

Run from a checkout (Java 17 on the PATH for HermiT and Pellet)::

    python benchmarks/bench_reason.py                              # embedded + 10k, 100k, 1M
    python benchmarks/bench_reason.py --sizes 10000 100000 --timeout 300
    python benchmarks/bench_reason.py --ntriples my-graph.nt --reasoners rules hermit
    python benchmarks/bench_reason.py --json results.json
    python benchmarks/bench_reason.py --no-embedded --sizes 100000 1000000 --reasoners rules rules-sparql

Engines: ``rules`` (``clustergraph.materialise``, the columnar engine), ``rules-sparql`` (the
same rules, every one as SPARQL in a private Oxigraph store: the plain path, the baseline of
``rules``), ``rdflib-rules`` (the same SPARQL in rdflib), ``hermit`` and ``pellet``.

Each measurement runs in its own process with a time limit (``--timeout``, default 600 s;
the process group, Java included, is killed when it runs out), so one reasoner that does
not finish does not stop the others. Synthetic graphs come from
:func:`clustergraph.generate.generate` (seed 1, 1% deliberate errors) and are cached in
``--workdir``. Reported per graph and engine: seconds (wall clock of the reasoning step, the
data already in the store; the rules' inferred triples are counted afterwards, by the store,
outside the clock), inferred triples, and for the rules the speed-up over the SPARQL rules
and over plain rdflib running the same SPARQL rules on its memory store (the baselines,
measured in the same run; rdflib's count also holds the technical and reflexive triples
the engine drops).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENGINES = ("rules", "rules-sparql", "rdflib-rules", "hermit", "pellet")


def _measure(engine: str, source: str) -> dict:
    """Run one engine on one graph in this process; return the measurement."""
    from clustergraph import store
    from clustergraph.reasoning import rules
    from clustergraph.reasoning.reasoners import reason

    started = time.perf_counter()
    if source == "embedded":
        from clustergraph.ingest.importer import load_embedded

        dataset = load_embedded(store.open_dataset())
    else:
        dataset = store.open_dataset()
        store.load(dataset, source, graph="urn:bench:data")
    loaded = time.perf_counter() - started
    triples = len(store.union(dataset)) if source == "embedded" else sum(1 for _ in store.oxigraph(dataset).quads_for_pattern(None, None, None, None))
    started = time.perf_counter()
    cpu = time.process_time()
    detail: dict = {}
    if engine == "rules":
        rules.materialise(dataset)
        run = rules.last_run()
        detail = {"rounds": run.rounds, "reading": run.seconds_reading, "writing": run.seconds_writing, "rules": run.seconds - run.seconds_reading - run.seconds_writing}
    elif engine == "rules-sparql":
        _sparql_rules(dataset)
    elif engine == "rdflib-rules":
        inferred = _rdflib_rules(dataset)
    else:
        inferred = len(reason(dataset, reasoner=engine).graph)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if engine in ("rules", "rules-sparql"):  # counted in the store, after the clock stopped
        inferred = _count_inferred(dataset)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"engine": engine, "source": source, "triples": triples, "inferred": inferred, "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak, "load_seconds": loaded, **detail}


def _count_inferred(dataset) -> int:
    """The triples of the inferred graph, counted by the store (not through rdflib, which would
    take seconds per million triples)."""
    from clustergraph import store
    from clustergraph.namespaces import GRAPH

    rows = store.oxigraph(dataset).query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH.inferred}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def _sparql_rules(dataset) -> None:
    """The plain path: every rule as SPARQL in a private copy of the data, written back in one step
    (what ``materialise`` did before the columnar engine)."""
    from clustergraph.reasoning import rules

    onto = rules.ontology_graph()
    work = rules.Workspace.of(dataset)
    work.run(rules.compile_rules(onto), engine="sparql")
    work.tidy(onto)
    work.write_to(dataset)


def _rdflib_rules(dataset) -> int:
    """The baseline: the same SPARQL rules, naively to a fixpoint, in rdflib's memory store."""
    from rdflib import Graph

    from clustergraph import store
    from clustergraph.reasoning import rules

    work = Graph()
    for t in store.union(dataset):
        work.add(t)
    asserted = len(work)
    compiled = rules.compile_rules()
    while True:
        before = len(work)
        for rule in compiled:
            for t in list(work.query(rule.sparql)):
                work.add(t)
        if len(work) == before:
            return len(work) - asserted


def _run_limited(engine: str, source: str, timeout: float) -> dict:
    """Run one measurement in a child process group; kill it all (Java too) after ``timeout``."""
    cmd = [sys.executable, __file__, "--one", engine, source]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"engine": engine, "source": source, "seconds": None, "note": f"did not finish in {timeout:.0f} s"}
    if proc.returncode != 0:
        last = (err.strip().splitlines() or ["failed"])[-1]
        return {"engine": engine, "source": source, "seconds": None, "note": last[:200]}
    return json.loads(out.strip().splitlines()[-1])


def _synthetic(size: int, workdir: Path) -> str:
    from clustergraph.generate import generate, sizes_for

    path = workdir / f"synthetic-{size}.nt"
    if not path.exists():
        organisations, projects = sizes_for(size)
        generate(path, organisations=organisations, projects=projects, seed=1)
    return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000], help="synthetic graph sizes (triples)")
    parser.add_argument("--ntriples", nargs="*", default=[], help="more N-Triples files to measure")
    parser.add_argument("--no-embedded", action="store_true", help="skip the embedded dataset")
    parser.add_argument("--reasoners", nargs="*", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per measurement")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "clustergraph-bench")
    parser.add_argument("--json", type=Path, default=None, help="also write the measurements as JSON")
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "SOURCE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(_measure(*args.one)))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    sources = ([] if args.no_embedded else ["embedded"]) + [_synthetic(n, args.workdir) for n in args.sizes] + list(args.ntriples)
    results = []
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print("| graph | triples | engine | seconds | CPU seconds | peak MB | inferred | vs rdflib | vs SPARQL rules | rules: reading / rules / writing |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for source in sources:
        baselines: dict[str, float] = {}
        for engine in sorted(args.reasoners, key=lambda e: (e != "rdflib-rules", e != "rules-sparql")):
            result = _run_limited(engine, source, args.timeout)
            results.append(result)
            seconds = result.get("seconds")
            if engine in ("rdflib-rules", "rules-sparql") and seconds:
                baselines[engine] = seconds
            ratios = [f"{baselines[b] / seconds:.1f}x" if engine == "rules" and b in baselines and seconds else "" for b in ("rdflib-rules", "rules-sparql")]
            shown = f"{seconds:.2f}" if seconds is not None else result.get("note", "")
            cpu = f"{result['cpu_seconds']:.2f}" if "cpu_seconds" in result else ""
            peak = f"{result['peak_mb']:.0f}" if "peak_mb" in result else ""
            phases = f"{result['reading']:.1f} / {result['rules']:.1f} / {result['writing']:.1f}" if "reading" in result else ""
            print(f"| {Path(source).name} | {result.get('triples', '')} | {engine} | {shown} | {cpu} | {peak} | {result.get('inferred', '')} | {' | '.join(ratios)} | {phases} |", flush=True)
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
