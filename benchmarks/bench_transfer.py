"""Benchmark: push, download and the rules in a remote store, against Oxigraph doing the same work in this process.

Run from a checkout (needs ``oxigraph`` and/or ``virtuoso-t``; the servers are started on
loopback in a temporary folder and stopped at the end)::

    python benchmarks/bench_transfer.py --triples 100000 --servers oxigraph,virtuoso
    python benchmarks/bench_transfer.py --data /work/bench-data/r15val-1000000-seed1.nt --servers oxigraph --rules-timeout 300

The graph comes from :func:`clustergraph.generate.generate` (seed 1, the generator of
``bench_remote.py``) or from ``--data``. In each server, measured once each, wall clock:

* **push**: :func:`clustergraph.store.upload.push_graphs` (Graph Store bodies, a temporary
  graph, then one request that replaces the target with it, timed alone too);
* **download**: :func:`clustergraph.store.location.download` (count, N-Triples ``CONSTRUCT``,
  Oxigraph loads it), checked to hold every triple;
* **rules in the store**: :func:`clustergraph.reasoning.remote.infer_in_store`, compared
  triple for triple with :func:`clustergraph.reasoning.rules.infer` on the local copy.

Baselines, measured in the same run: Oxigraph in this process loading the N-Triples file
(for push), writing them (for download) and running the same rules (for the rules).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from results import record  # noqa: E402

GRAPH = "https://w3id.org/clustergraph/graph/bench"


def _timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def _with_limit(fn, seconds: float):  # type: ignore[no-untyped-def]
    """Run ``fn`` in a thread; ``(value, seconds)``, or ``(None, None)`` if it is still running after ``seconds``."""
    box: dict = {}

    def run() -> None:
        started = time.perf_counter()
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported below
            box["error"] = exc
        box["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return None, None
    if "error" in box:
        raise box["error"]
    return box["value"], box["seconds"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=None, help="an N-Triples file to use instead of generating one")
    parser.add_argument("--servers", default="oxigraph,virtuoso")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "clustergraph-bench-transfer")
    parser.add_argument("--no-rules", action="store_true")
    parser.add_argument("--rules-timeout", type=float, default=600, help="give up the rules in the store after this many seconds (the server is stopped)")
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    from clustergraph import store
    from clustergraph.generate import generate, sizes_for
    from clustergraph.reasoning import remote as rules_remote
    from clustergraph.reasoning.rules import infer
    from clustergraph.store import upload
    from clustergraph.store.location import download, graph_ntriples
    from clustergraph.store.remote import Endpoint
    from sparql_servers import server_endpoint

    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.data
    if path is None:
        path = args.workdir / f"generated-{args.triples}-seed1.nt"
        if not path.exists():
            organisations, projects = sizes_for(args.triples)
            generate(path, organisations=organisations, projects=projects, seed=1)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent).stdout.strip()
    load_start = os.getloadavg()

    data = store.open_dataset()
    _, local_load_s = _timed(lambda: store.oxigraph(data).bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH)))
    native = store.oxigraph(data)
    triples = len(native)
    _, local_dump_s = _timed(lambda: native.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH)))
    local_rules, local_rules_s = (None, None) if args.no_rules else _timed(lambda: infer(data))
    print(f"{triples} triples; local load {local_load_s:.1f} s, dump {local_dump_s:.1f} s, rules {local_rules_s}", flush=True)

    moves: list[float] = []
    original_update = upload.update

    def timed_update(ep, text):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        original_update(ep, text)
        if "ADD SILENT GRAPH <urn:clustergraph:upload:" in text:
            moves.append(time.perf_counter() - started)

    upload.update = timed_update

    rows = []
    for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
        if name == "oxigraph":
            from oxigraph_server import OxigraphServer

            server = OxigraphServer.start(args.workdir / f"oxigraph-server-{time.time_ns()}", timeout=120)
            label = "Oxigraph server 0.5.13"
        else:
            from virtuoso import Virtuoso

            server = Virtuoso.start(args.workdir / f"virtuoso-{time.time_ns()}", timeout=120)
            label = "Virtuoso 7.2"
        try:
            ep = server_endpoint(server, timeout=3600)
            moves.clear()
            pushed, push_s = _timed(lambda: upload.push_graphs(data, ep))
            move_s = sum(moves)
            print(name, "push", push_s, "move", move_s, pushed, flush=True)
            ep = Endpoint(ep.url, update_url=ep.update_url, graph_store_url=ep.graph_store_url, user=ep.user, password=ep.password, timeout=3600, graphs=(GRAPH,))
            copy, download_s = _timed(lambda: download(ep))
            complete = len(store.oxigraph(copy)) == triples
            print(name, "download", download_s, complete, flush=True)
            del copy
            rules_s = inferred = same = None
            if not args.no_rules:
                run, rules_s = _with_limit(lambda: rules_remote.infer_in_store(ep), args.rules_timeout)
                if run is not None:
                    inferred = run.triples
                    _, body = graph_ntriples(ep, run.graph)
                    got = ox.Store()
                    got.load(body, format=ox.RdfFormat.N_TRIPLES)
                    mine = ox.Store()
                    mine.bulk_extend(ox.Quad(store.to_oxigraph(s), store.to_oxigraph(p), store.to_oxigraph(o)) for s, p, o in local_rules)  # type: ignore[union-attr]
                    same = set(got) == set(mine)
                print(name, "rules", rules_s, inferred, same, flush=True)
            rows.append((label, push_s, move_s, download_s, complete, rules_s, inferred, same))
        finally:
            server.stop()
    load_end = os.getloadavg()

    def ratio(value: float | None, base: float | None) -> str:
        return "-" if value is None or not base else f"{value / base:.0f}x"

    lines = [
        "## Push, download and rules in a remote store (`benchmarks/bench_transfer.py`)",
        "",
        f"- Command: `python benchmarks/bench_transfer.py " + (f"--data {path}" if args.data else f"--triples {args.triples}") + f" --servers {args.servers}" + (" --no-rules" if args.no_rules else f" --rules-timeout {args.rules_timeout:g}") + "`",
        f"- Commit {commit}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average {load_start[0]:.1f}/{load_start[1]:.1f}/{load_start[2]:.1f} at start, {load_end[0]:.1f}/{load_end[1]:.1f}/{load_end[2]:.1f} at end (1/5/15 min). One run each, wall clock.",
        f"- Graph: {triples:,} triples in one named graph. Baselines in this process, same run: Oxigraph loads the N-Triples file in {local_load_s:.1f} s, writes them in {local_dump_s:.1f} s"
        + ("" if local_rules_s is None else f", runs the rules in {local_rules_s:.1f} s ({len(local_rules):,} inferred triples)") + ".",  # type: ignore[arg-type]
        "",
        "| server | push (s) | of which the replacing request (s) | push / local load | download (s) | download / local dump | complete | rules in the store (s) | rules / local rules | inferred | same as local |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, push_s, move_s, download_s, complete, rules_s, inferred, same in rows:
        rules_cell = "-" if args.no_rules else (f"{rules_s:.1f}" if rules_s is not None else f"> {args.rules_timeout:g} (stopped)")
        lines.append(
            f"| {label} | {push_s:.1f} | {move_s:.1f} | {ratio(push_s, local_load_s)} | {download_s:.1f} | {ratio(download_s, local_dump_s)} | {'yes' if complete else 'NO'} | "
            f"{rules_cell} | {ratio(rules_s, local_rules_s)} | {'-' if inferred is None else f'{inferred:,}'} | {'-' if same is None else ('yes' if same else 'NO')} |"
        )
    body = "\n".join(lines)
    print(body)
    if args.results is not None:
        record(args.results, "bench_remote_transfer", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
