"""Benchmark: the network analysis on a synthetic graph of 10,000 organisations and 50,000 projects.

Run from a checkout::

    python benchmarks/bench_network.py                                  # 10,000 organisations, 50,000 projects
    python benchmarks/bench_network.py --organisations 2000 --projects 10000
    python benchmarks/bench_network.py --ntriples my-graph.nt --no-baseline
    python benchmarks/bench_network.py --results benchmarks/RESULTS.md # also record the table there

The graph comes from :func:`clustergraph.generate.generate` (seed 1, no deliberate
errors), cached in ``--workdir``, and is loaded into an Oxigraph-backed dataset. Each
library function runs once on it and its wall-clock time is reported: the same calls
``clustergraph network`` makes. The baseline is plain rdflib: the same edge-list query
(:func:`clustergraph.network.participations`) on rdflib's memory store, loaded from the
same file in the same run; the ratio is rdflib's time over Oxigraph's. ``--no-baseline``
skips it (loading 2 million triples into rdflib takes a minute or two).

With ``--results FILE`` the table replaces the block between
``<!-- bench_network:start -->`` and ``<!-- bench_network:end -->`` in FILE (appended
when the block is missing); the rest of the file is left alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from results import record


PAIR_AGGREGATE = """SELECT ?a ?b (COUNT(?project) AS ?projects) (SUM(COALESCE(?budget, 0)) AS ?shared) WHERE {
  { SELECT DISTINCT ?a ?b ?project WHERE {
      ?pa cg:project ?project ; cg:participant ?a .
      ?pb cg:project ?project ; cg:participant ?b .
      FILTER(STR(?a) < STR(?b)) } }
  OPTIONAL { ?project cg:totalBudget ?budget }
} GROUP BY ?a ?b"""


def _timed(rows: list[tuple[str, float, str]], name: str, call: Callable[[], Any], note: Callable[[Any], str] = lambda _: "") -> Any:
    started = time.perf_counter()
    value = call()
    seconds = time.perf_counter() - started
    rows.append((name, seconds, note(value)))
    print(f"{name:<40} {seconds:8.2f} s  {note(value)}", file=sys.stderr, flush=True)
    return value


def run(args: argparse.Namespace) -> tuple[list[tuple[str, float, str]], dict[str, Any]]:
    import networkx as nx

    from clustergraph import network, store
    from clustergraph.network import crosssector, facts, metrics, plot, valuechain

    rows: list[tuple[str, float, str]] = []
    info: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if args.ntriples:
        source = Path(args.ntriples)
    else:
        from clustergraph.generate import generate

        source = workdir / f"network-{args.organisations}-{args.projects}-s{args.seed}.nt"
        if not source.exists():
            _timed(rows, "generate (N-Triples)", lambda: generate(source, organisations=args.organisations, projects=args.projects, seed=args.seed, error_rate=0.0), lambda s: f"{s.triples:,} triples")
    info["source"] = source.name
    ds = store.open_dataset()
    _timed(rows, "load into Oxigraph", lambda: store.load(ds, source, graph="urn:bench:data"), lambda n: f"{n:,} triples")

    full = args.steps == "all"
    if not full:
        return _focused(rows, info, ds, args)
    pairs = _timed(rows, "participations (edge list, Oxigraph)", lambda: network.participations(ds), lambda f: f"{len(f):,} rows")
    # The design choice: the store joins participations to (organisation, project) pairs and numpy
    # counts the organisation pairs; the alternative pushes the pair aggregate into the store too.
    _timed(rows, "for comparison: pair aggregate in SPARQL", lambda: facts.select_rows(ds, PAIR_AGGREGATE), lambda r: f"{len(r):,} pairs")
    G = _timed(rows, "collaboration_graph", lambda: network.collaboration_graph(ds), lambda g: f"{g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges")
    info["nodes"], info["edges"] = G.number_of_nodes(), G.number_of_edges()
    _timed(rows, "affiliation_graph", lambda: network.affiliation_graph(ds), lambda g: f"{g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges")
    _timed(rows, "sector_graph", lambda: network.sector_graph(G), lambda g: f"{g.number_of_nodes()} sectors")
    _timed(rows, "sector_graph (ecosystem)", lambda: network.sector_graph(G, level="ecosystem"), lambda g: f"{g.number_of_nodes()} ecosystems")
    _timed(rows, "country_graph", lambda: network.country_graph(G), lambda g: f"{g.number_of_nodes()} countries")
    matrix = _timed(rows, "mixing_matrix", lambda: crosssector.mixing_matrix(G), lambda m: f"total {crosssector.mixing_total(m):,.0f}")
    _timed(rows, "assortativity", lambda: crosssector.assortativity(G), lambda r: f"{r:.3f}")
    _timed(rows, "ei_index", lambda: crosssector.ei_index(G), lambda r: f"{r:.3f}")
    _timed(rows, "node_ei_index", lambda: crosssector.node_ei_index(G))
    _timed(rows, "cross_sector_edges", lambda: crosssector.cross_sector_edges(G), lambda f: f"{len(f):,} edges")
    k = args.samples if args.samples else "auto"
    _timed(rows, f"betweenness (k={k}, seed {args.seed})", lambda: crosssector.betweenness(G, k=k, seed=args.seed))
    _timed(rows, "constraint", lambda: crosssector.constraint(G))
    _timed(rows, "effective_size", lambda: crosssector.effective_size(G))
    table = _timed(rows, "brokers (the three above, one adjacency)", lambda: crosssector.brokers(G, k=k, seed=args.seed))
    _timed(rows, "bridges", lambda: crosssector.bridges(G), lambda f: f"{len(f):,} bridges")
    _timed(rows, "articulation_points", lambda: crosssector.articulation_points(G), lambda a: f"{len(a):,} points")
    def modularity(parts: Any) -> str:
        return f"{len(parts)} communities, modularity {nx.community.modularity(G, parts, weight='weight'):.4f}"

    _timed(rows, "baseline: communities (networkx Louvain, seeded)", lambda: crosssector.communities(G, seed=args.seed, method="networkx"), modularity)
    parts = _timed(rows, "communities (igraph Louvain, seeded)", lambda: crosssector.communities(G, seed=args.seed, method="igraph"), modularity)
    again = crosssector.communities(G, seed=args.seed, method="igraph")
    assert again == parts, "igraph's Louvain gave another partition for the same seed"
    _timed(rows, "community_sectors", lambda: crosssector.community_sectors(G, parts))
    _timed(rows, "value_chain", lambda: valuechain.value_chain(ds), lambda f: f"{len(f)} links")
    _timed(rows, "value_chain_paths", lambda: valuechain.value_chain_paths(ds, G), lambda f: f"{len(f)} chains")
    _timed(rows, "missing_links", lambda: valuechain.missing_links(ds), lambda f: f"{len(f)} links")
    nodes = _timed(rows, "node_metrics (with the communities above)", lambda: metrics.node_metrics(G, seed=args.seed, k=k, parts=parts))
    summary = _timed(rows, "network_metrics", lambda: metrics.network_metrics(G, parts, seed=args.seed))
    _timed(rows, "write_metrics (RDF into cggraph:metrics)", lambda: metrics.write_metrics(ds, G, table=nodes, summary=summary), lambda n: f"{n:,} triples")
    out = Path(tempfile.mkdtemp(prefix="bench-network-"))
    annotated = metrics.annotate(nx.Graph(G), table.drop(columns=["sector"]))
    _exports(rows, info, annotated, out)
    _timed(rows, "plot_network (400 most central)", lambda: plot.plot_network(G, out / "network.png", seed=args.seed, table=table))
    _timed(rows, "plot_mixing", lambda: plot.plot_mixing(matrix, out / "mixing.png"))
    _timed(rows, "highlights", lambda: network.highlights(ds, G=G, table=table, seed=args.seed, k=k))

    whole = Path(tempfile.mkdtemp(prefix="bench-network-all-"))
    _timed(rows, "analyse (all of `clustergraph network` after loading)", lambda: metrics.analyse(ds, whole / "out", seed=args.seed, k=k), lambda r: f"{len(r.files)} files")
    info["whole"] = rows[-1][1] + next(s for name, s, _ in rows if name == "load into Oxigraph")
    info["communities"] = next(s for n, s, _ in rows if n.startswith("baseline: communities")) / next(s for n, s, _ in rows if n.startswith("communities (igraph"))
    info["load_after"] = os.getloadavg()[0]
    if args.baseline:
        memory = store.open_dataset("memory")
        _timed(rows, "baseline: load into rdflib memory store", lambda: store.load(memory, source, graph="urn:bench:data"), lambda n: f"{n:,} triples")
        base = _timed(rows, "baseline: participations (edge list, rdflib)", lambda: network.participations(memory), lambda f: f"{len(f):,} rows")
        assert base.equals(pairs), "rdflib and Oxigraph give different edge lists"
        ox = next(s for name, s, _ in rows if name.startswith("participations"))
        rd = next(s for name, s, _ in rows if name.startswith("baseline: participations"))
        info["ratio"] = rd / ox
        print(f"edge list: rdflib {rd:.2f} s / Oxigraph {ox:.2f} s = {rd / ox:.1f}x", file=sys.stderr)
    return rows, info


def _focused(rows: list[tuple[str, float, str]], info: dict[str, Any], ds: Any, args: argparse.Namespace) -> tuple[list[tuple[str, float, str]], dict[str, Any]]:
    """Only the communities and the exports, each against its networkx baseline (and what they need)."""
    import networkx as nx

    from clustergraph import network
    from clustergraph.network import crosssector, metrics

    G = _timed(rows, "collaboration_graph", lambda: network.collaboration_graph(ds), lambda g: f"{g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges")
    info["nodes"], info["edges"] = G.number_of_nodes(), G.number_of_edges()
    k = args.samples if args.samples else "auto"

    def modularity(parts: Any) -> str:
        return f"{len(parts)} communities, modularity {nx.community.modularity(G, parts, weight='weight'):.4f}"

    _timed(rows, "baseline: communities (networkx Louvain, seeded)", lambda: crosssector.communities(G, seed=args.seed, method="networkx"), modularity)
    parts = _timed(rows, "communities (igraph Louvain, seeded)", lambda: crosssector.communities(G, seed=args.seed, method="igraph"), modularity)
    assert crosssector.communities(G, seed=args.seed, method="igraph") == parts, "igraph's Louvain gave another partition for the same seed"
    info["communities"] = rows[-2][1] / rows[-1][1]
    nodes = _timed(rows, "node_metrics (brokers; the communities above)", lambda: metrics.node_metrics(G, seed=args.seed, k=k, parts=parts))
    out = Path(tempfile.mkdtemp(prefix="bench-network-"))
    annotated = metrics.annotate(nx.Graph(G), nodes.drop(columns=["sector"]))
    _exports(rows, info, annotated, out)
    info["load_after"] = os.getloadavg()[0]
    return rows, info


def _exports(rows: list[tuple[str, float, str]], info: dict[str, Any], annotated: Any, out: Path) -> None:
    import networkx as nx

    from clustergraph.network import metrics, writers

    size = lambda p: f"{sum(x.stat().st_size for x in p) / 1e6:,.0f} MB"  # noqa: E731
    baselines = {
        "graphml": lambda: nx.write_graphml(annotated, out / "baseline.graphml"),
        "gexf": lambda: nx.write_gexf(annotated, out / "baseline.gexf"),
        # the JSON export before the streaming writer: node_link_data, nan as null, json.dump with indent=1
        "json": lambda: _json_baseline(annotated, out / "baseline.json"),
        # networkx's writer of delimited edge lists, with every edge attribute
        "csv": lambda: nx.write_edgelist(annotated, out / "baseline.csv", delimiter=",", data=sorted({k for _, _, d in annotated.edges(data=True) for k in d})),
    }
    streams = {
        "graphml": writers.write_graphml,
        "gexf": writers.write_gexf,
        "json": writers.write_node_link,
        "csv": writers.write_csv,
    }

    def stream(fmt: str) -> list[Path]:
        with (out / f"writer.{fmt}").open("wb") as fh:
            streams[fmt](annotated, fh)
        return [out / f"writer.{fmt}"]

    for fmt in ("graphml", "gexf", "json", "csv"):
        # the edge list alone, as the baseline writes it (write_exports adds the node list for CSV)
        call = (lambda: [metrics.export(annotated, out / "collaboration-edges.csv", "csv")]) if fmt == "csv" else (
            lambda fmt=fmt: metrics.write_exports(annotated, out, "collaboration", formats=(fmt,)))
        written = _timed(rows, f"export {fmt} (atomic file, fsync)", call, size)
        _timed(rows, f"writer {fmt} (plain file)", lambda fmt=fmt: stream(fmt), size)
        _timed(rows, f"baseline: {fmt} (networkx)", lambda fmt=fmt: baselines[fmt]() or [out / f"baseline.{fmt}"], size)
        info[f"export_{fmt}"] = rows[-1][1] / rows[-2][1]
        info[f"atomic_{fmt}"] = rows[-1][1] / rows[-3][1]
        if fmt == "csv":  # the export before the streaming writer: a pandas frame of the same rows
            _timed(rows, "baseline: csv (the pandas frame exported before)", lambda: _csv_baseline(annotated, out / "baseline-pandas.csv"), size)
            info["export_csv_pandas"] = rows[-1][1] / rows[-3][1]
            assert (out / "baseline-pandas.csv").read_bytes() == written[0].read_bytes(), "the CSV export differs from pandas'"


def _csv_baseline(G: Any, path: Path) -> list[Path]:
    import pandas as pd

    from clustergraph.spreadsheet import safe_frame

    attributes = sorted({k for _, _, d in G.edges(data=True) for k in d})
    frame = pd.DataFrame([(u, v, *[d.get(a) for a in attributes]) for u, v, d in G.edges(data=True)], columns=["source", "target", *attributes])
    safe_frame(frame).to_csv(path, index=False, lineterminator="\n")
    return [path]


def _json_baseline(G: Any, path: Path) -> None:
    import json
    import math

    import networkx as nx

    def safe(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: safe(v) for k, v in value.items()}
        if isinstance(value, list):
            return [safe(v) for v in value]
        if hasattr(value, "item"):
            value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value

    with path.open("w", encoding="utf-8") as fh:
        json.dump(safe(nx.node_link_data(G, edges="edges")), fh, indent=1, ensure_ascii=False, allow_nan=False)


def markdown(rows: list[tuple[str, float, str]], info: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        "## Network analysis (`benchmarks/bench_network.py`)",
        "",
        f"Synthetic graph `{info['source']}` ({args.organisations:,} organisations, {args.projects:,} projects requested; "
        f"collaboration network {info['nodes']:,} nodes, {info['edges']:,} edges), Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}. Command: `python benchmarks/bench_network.py"
        + (f" --organisations {args.organisations} --projects {args.projects}" if (args.organisations, args.projects) != (10000, 50000) else "")
        + (f" --steps {args.steps}" if args.steps != "all" else "") + ("" if args.baseline else " --no-baseline")
        + "`.",
        "",
        "| step | seconds | result |",
        "| --- | ---: | --- |",
    ]
    lines += [f"| {name} | {seconds:.2f} | {note} |" for name, seconds, note in rows]
    lines += [
        "",
        f"Communities: networkx's Louvain takes **{info['communities']:.1f}x** the time of igraph's (same seed, same partition on a second run). "
        + "Exports, networkx's writer over the streaming writer (plain file each): "
        + ", ".join(f"{fmt} **{info['export_' + fmt]:.1f}x**" for fmt in ("graphml", "gexf", "json", "csv") if "export_" + fmt in info)
        + (f" (csv: the pandas frame written before, **{info['export_csv_pandas']:.1f}x**)" if "export_csv_pandas" in info else "")
        + "; networkx's writer over the whole export (atomic file, fsync): "
        + ", ".join(f"{fmt} {info['atomic_' + fmt]:.1f}x" for fmt in ("graphml", "gexf", "json", "csv") if "atomic_" + fmt in info)
        + (f". The whole `clustergraph network` work (load + analyse): {info['whole']:.1f} s." if "whole" in info else "."),
    ]
    if "ratio" in info:
        lines += ["", f"Edge-list query: plain rdflib (memory store, its SPARQL engine) takes **{info['ratio']:.1f}x** the time of Oxigraph."]
    lines += [
        "",
        f"Wall-clock seconds, one run each; system load average {info['load_before']:.1f} at the start and "
        f"{info['load_after']:.1f} at the end of the timed steps (on a 2-core machine a load above 2 slows every step).",
        "Notes: the projection is counted in numpy from the store's organisation-project pairs (compare the pair aggregate "
        "pushed into SPARQL); betweenness samples 256 sources with a fixed seed (same values as networkx for the same sample); "
        "constraint and effective size are sparse products restricted to existing ties, whose cost grows with the sum of squared "
        "degrees (the generator's hubs have thousands of partners); communities are igraph's Louvain when python-igraph is installed (networkx's "
        "Louvain, the baseline row, otherwise); GraphML, GEXF and JSON are written by clustergraph's streaming writers "
        "(clustergraph.network.writers), networkx's writers are the baseline rows (for CSV `networkx.write_edgelist` with a comma and every "
        "edge attribute, and the pandas frame the export wrote before, whose bytes the streaming CSV repeats).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=None, help="betweenness samples (default: the library's choice, 256 above 2,000 nodes)")
    parser.add_argument("--ntriples", help="use this N-Triples file instead of generating one")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "clustergraph-bench"))
    parser.add_argument("--no-baseline", dest="baseline", action="store_false", help="skip the rdflib baseline")
    parser.add_argument("--steps", default="all", help="'all', or 'communities,exports': only what the communities and the exports need (a loaded machine)")
    parser.add_argument("--results", type=Path, help="record the table in this Markdown file (e.g. benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    rows, info = run(args)
    block = markdown(rows, info, args)
    print(block)
    if args.results:
        record(args.results, "bench_network", block)
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The rdflib baseline leaves millions of objects behind; tearing them down one by one
    # takes minutes of CPU after the results are out, so leave without it.
    os._exit(status)
