"""Benchmark: validation, the collaboration edge list and the rules in a remote store, against download + local.

Run from a checkout (needs ``oxigraph`` and/or ``virtuoso-t``; the servers are started on
loopback in a temporary folder and stopped at the end)::

    python benchmarks/bench_remote.py --triples 1000000 --servers oxigraph
    python benchmarks/bench_remote.py --triples 100000 --servers oxigraph,virtuoso --results benchmarks/RESULTS.md

The graph comes from :func:`clustergraph.generate.generate` (seed 1, 1% deliberate errors),
is pushed with :func:`clustergraph.store.upload.push_graphs`, and then, in each server:

* **validate in the store**: the shipped shapes, compiled once, run on the endpoint
  (:func:`clustergraph.validation.sparql.validate_sparql` over ``open_remote``);
* **download**: every data graph fetched by CONSTRUCT (:func:`clustergraph.store.location.download`);
* **validate locally**: the same checks on the downloaded copy (Oxigraph in this process);
* **edge list**: :func:`clustergraph.network.participations` on the endpoint;
* **rules in the store**: :func:`clustergraph.reasoning.remote.infer_in_store`.

The findings of both validations are compared (they must be equal).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from results import record  # noqa: E402


def _timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--servers", default="oxigraph,virtuoso")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "clustergraph-bench")
    parser.add_argument("--no-rules", action="store_true")
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args(argv)

    from rdflib import Graph

    from clustergraph import store
    from clustergraph.generate import generate, sizes_for
    from clustergraph.network import participations
    from clustergraph.reasoning.remote import infer_in_store
    from clustergraph.store.location import download
    from clustergraph.store.remote import open_remote
    from clustergraph.store.upload import push_graphs
    from clustergraph.validation.engine import add_ontology_context, load_shapes, ontology_graph
    from clustergraph.validation.sparql.compilation import compile_shapes
    from clustergraph.validation.sparql.execution import validate_sparql
    from sparql_servers import server_endpoint

    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / f"generated-{args.triples}-seed1.nt"
    if not path.exists():
        organisations, projects = sizes_for(args.triples)
        generate(path, organisations=organisations, projects=projects, seed=1)
    data = store.open_dataset()
    store.load(data, path, graph="https://w3id.org/clustergraph/graph/bench")
    triples = len(store.oxigraph(data))
    shapes = load_shapes(None)
    plan = compile_shapes(shapes)
    context = Graph()
    add_ontology_context(context, ontology_graph(None, shipped=True))
    key = lambda rs: sorted((str(r.focus), str(r.path), str(r.component), str(r.value)) for r in rs)  # noqa: E731
    local_results, local_seconds = _timed(lambda: validate_sparql(data, shapes, plan=plan, context=context).results)

    rows = []
    load_start = os.getloadavg()
    for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
        if name == "oxigraph":
            from oxigraph_server import OxigraphServer

            server = OxigraphServer.start(args.workdir / "oxigraph-server", timeout=120)
        else:
            from virtuoso import Virtuoso

            server = Virtuoso.start(args.workdir / "virtuoso", timeout=120)
        try:
            ep = server_endpoint(server, timeout=600)
            _, push_s = _timed(lambda: push_graphs(data, ep))
            remote = open_remote(ep)
            found, in_store_s = _timed(lambda: validate_sparql(remote, shapes, plan=plan, context=context).results)
            copy, download_s = _timed(lambda: download(ep))
            _, local_copy_s = _timed(lambda: validate_sparql(copy, shapes, plan=plan, context=context).results)
            edges, edges_s = _timed(lambda: participations(open_remote(ep)))
            rules_s = None if args.no_rules else _timed(lambda: infer_in_store(ep))[1]
            same = key(found) == key(local_results)
            rows.append((name, push_s, in_store_s, download_s, local_copy_s, edges_s, len(edges), rules_s, len(found), same))
            print(rows[-1], flush=True)
        finally:
            server.stop()
    load_end = os.getloadavg()

    lines = [
        "## Every stage in a remote store (`benchmarks/bench_remote.py`)",
        "",
        f"- Command: `python benchmarks/bench_remote.py --triples {args.triples} --servers {args.servers}" + (" --no-rules" if args.no_rules else "") + "`",
        f"- Graph: {triples:,} triples (`clustergraph generate`, seed 1); local validation of the same graph in this process: {local_seconds:.1f} s, {len(local_results)} findings",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; shared with other work and loaded: load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end. Times are wall clock, one run each.",
        "",
        "| server | push (s) | validate in the store (s) | download all graphs (s) | validate the download (s) | collaboration edge list (s) | rows | rules in the store (s) | findings | same as local |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, push_s, in_store_s, download_s, local_copy_s, edges_s, n_edges, rules_s, n_found, same in rows:
        rules = "-" if rules_s is None else f"{rules_s:.1f}"
        lines.append(f"| {name} | {push_s:.1f} | {in_store_s:.1f} | {download_s:.1f} | {local_copy_s:.1f} | {edges_s:.1f} | {n_edges:,} | {rules} | {n_found} | {'yes' if same else 'NO'} |")
    body = "\n".join(lines)
    print(body)
    if args.results is not None:
        record(args.results, "bench_remote", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
