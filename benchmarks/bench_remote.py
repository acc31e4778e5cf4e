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

``--preload`` fills each server's store before it starts instead of pushing (Oxigraph:
pyoxigraph transactions of 100,000 triples into the server's folder, the layout the
server's own writes give; Virtuoso: its bulk loader, ``ld_dir`` and ``rdf_loader_run``
through ``isql-vt``), for measuring validation at sizes where a push takes many minutes;
the push column then shows ``-``. Virtuoso is given a buffer pool for a million triples
and an answer cap above the graph's size (:data:`VIRTUOSO_LARGE`). For validation in the store the table also
gives the server's CPU time (from ``/proc``) and the number of requests: on a loaded
machine wall clock is inflated, CPU time much less so.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from results import record  # noqa: E402


VIRTUOSO_LARGE = {"NumberOfBuffers": 170000, "MaxDirtyBuffers": 130000, "ResultSetMaxRows": 2000000, "MaxQueryMem": "1G"}
"""virtuoso.ini values for a million triples and more (about 1.3 GB of buffers; every triple of a download in one answer)."""

GRAPH = "https://w3id.org/clustergraph/graph/bench"


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _preload_oxigraph(path: Path, folder: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store(str(folder / "data"))
    graph = ox.NamedNode(GRAPH)
    batch = []
    for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        batch.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        if len(batch) == 100_000:
            store.extend(batch)
            batch = []
    store.extend(batch)
    store.flush()
    del store


def _preload_virtuoso(server, path: Path) -> None:  # type: ignore[no-untyped-def]
    link = server.directory / "bench.nt"
    if not link.exists():
        link.symlink_to(path.resolve())
    sql = f"ld_dir('{server.directory}', 'bench.nt', '{GRAPH}'); rdf_loader_run(); checkpoint;"
    subprocess.run(["isql-vt", f"127.0.0.1:{server.sql_port}", "dba", "dba", f"exec={sql}"], check=True, capture_output=True, timeout=3600)


def _fast_download(ep):  # type: ignore[no-untyped-def]
    """Every triple of the data graphs by CONSTRUCT, N-Triples parsed by Oxigraph into a store: the quickest whole download."""
    import pyoxigraph as ox

    from clustergraph.store.endpoint import RemoteQueries

    queries = RemoteQueries(ep)
    store = ox.Store()
    # one CONSTRUCT per predicate: Virtuoso 7.2 answers at most 1,000,000 triples at once ("max vector length")
    for row in queries.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }"):
        triples = queries.query(f"CONSTRUCT {{ ?s <{row[0].value}> ?o }} WHERE {{ ?s <{row[0].value}> ?o }}")
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return len(store)


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
    parser.add_argument("--no-download", action="store_true", help="skip the download through rdflib and its validation (slow at a million triples)")
    parser.add_argument("--preload", action="store_true", help="fill the servers' stores before they start instead of pushing")
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
        started_load = os.getloadavg()
        folder = args.workdir / f"{name}-{args.triples}"
        if name == "oxigraph":
            from oxigraph_server import OxigraphServer

            if args.preload and not (folder / "data").exists():
                _preload_oxigraph(path, folder)
            server = OxigraphServer.start(folder, timeout=900)
        else:
            from virtuoso import Virtuoso

            settings = VIRTUOSO_LARGE  # its default answer cap (100,000 rows) would cut a download short
            fresh = not (folder / "virtuoso.db").exists()
            server = Virtuoso.start(folder, timeout=300, settings=settings)
            if args.preload and fresh:
                _preload_virtuoso(server, path)
        try:
            ep = server_endpoint(server, timeout=600)
            push_s = None if args.preload else _timed(lambda: push_graphs(data, ep))[1]
            remote = open_remote(ep)
            before = _cpu(server.process.pid)
            report, in_store_s = _timed(lambda: validate_sparql(remote, shapes, plan=plan, context=context))
            server_cpu = _cpu(server.process.pid) - before
            found = report.results
            print(f"{name}: validated in the store in {in_store_s:.1f} s (server CPU {server_cpu:.1f} s), {len(found)} findings, same as local: {key(found) == key(local_results)}", flush=True)
            fast_download_s = _timed(lambda: _fast_download(ep))[1]
            download_s = local_copy_s = None
            if not args.no_download:
                copy, download_s = _timed(lambda: download(ep))
                _, local_copy_s = _timed(lambda: validate_sparql(copy, shapes, plan=plan, context=context).results)
                del copy
            edges, edges_s = _timed(lambda: participations(open_remote(ep)))
            rules_s = None if args.no_rules else _timed(lambda: infer_in_store(ep))[1]
            same = key(found) == key(local_results)
            load = os.getloadavg()
            rows.append((name, push_s, in_store_s, server_cpu, download_s, fast_download_s, local_copy_s, edges_s, len(edges), rules_s, len(found), same, started_load, load))
            print(rows[-1], flush=True)
        finally:
            server.stop()
    load_end = os.getloadavg()

    flags = (" --no-rules" if args.no_rules else "") + (" --preload" if args.preload else "") + (" --no-download" if args.no_download else "")
    lines = [
        "## Every stage in a remote store (`benchmarks/bench_remote.py`)",
        "",
        f"- Command: `python benchmarks/bench_remote.py --triples {args.triples} --servers {args.servers}{flags}`",
        f"- Graph: {triples:,} triples (`clustergraph generate`, seed 1); local validation of the same graph in this process (Oxigraph in memory): {local_seconds:.1f} s, {len(local_results)} findings",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; shared with other work: load average {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f} at start, {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f} at end. Times are wall clock, one run each.",
        "",
        "| server | push (s) | validate in the store (s) | server CPU (s) | / local | download all graphs (s) | N-Triples CONSTRUCTs into Oxigraph (s) | validate the download (s) | collaboration edge list (s) | rows | rules in the store (s) | findings | same as local | load (1 min) at start, end |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, push_s, in_store_s, server_cpu, download_s, fast_download_s, local_copy_s, edges_s, n_edges, rules_s, n_found, same, l0, l1 in rows:
        rules = "-" if rules_s is None else f"{rules_s:.1f}"
        push = "-" if push_s is None else f"{push_s:.1f}"
        download_text = "-" if download_s is None else f"{download_s:.1f}"
        local_copy_text = "-" if local_copy_s is None else f"{local_copy_s:.1f}"
        lines.append(
            f"| {name} | {push} | {in_store_s:.1f} | {server_cpu:.1f} | {in_store_s / local_seconds:.1f}x | {download_text} | {fast_download_s:.1f} | {local_copy_text} | {edges_s:.1f} | {n_edges:,} | {rules} | {n_found} | {'yes' if same else 'NO'} | {l0[0]:.1f}, {l1[0]:.1f} |"
        )
    body = "\n".join(lines)
    print(body)
    if args.results is not None:
        record(args.results, "bench_remote", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
