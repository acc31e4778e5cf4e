"""Network results back into the graph, and out to files other tools read.

- :func:`node_metrics` gathers each organisation's measures in one table
  (degree, betweenness, constraint, effective size, E-I index, community,
  articulation point);
- :func:`metrics_triples` / :func:`write_metrics` turn them into RDF in the named
  graph ``cggraph:metrics`` (:data:`METRICS_GRAPH`), so SPARQL can use them next to
  the data (``?org cg:betweenness ?b``);
- :func:`export` / :func:`write_exports` write a networkx graph as GraphML,
  GEXF (Gephi), node-link JSON and CSV edge lists, atomically;
- :func:`analyse` does all of it, with the pictures, in one call (what
  ``clustergraph network`` runs).

The RDF terms used (``cg:degree``, ``cg:weightedDegree``, ``cg:betweenness``,
``cg:constraint``, ``cg:effectiveSize``, ``cg:eiIndex``, ``cg:community``,
``cg:articulationPoint`` on organisations; ``cg:CollaborationNetwork`` with
``cg:organisationCount``, ``cg:collaborationCount``, ``cg:density``,
``cg:componentCount``, ``cg:communityCount``, ``cg:modularity``,
``cg:assortativity``, ``cg:eiIndex`` and ``cg:randomSeed`` for the network as a
whole) are listed in :data:`TERMS`.

>>> from clustergraph import store
>>> ds = store.open_dataset()
>>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
>>> n = write_metrics(ds)
>>> rows = store.select(ds, "SELECT ?o WHERE { GRAPH cggraph:metrics { ?o cg:articulationPoint true } } ORDER BY ?o")[1]
>>> [str(r[0]).rsplit("/", 1)[1] for r in rows]
['cap-digital', 'nanoprogress']
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
from pyoxigraph import Literal as _ox_literal
from rdflib import RDF, XSD, Graph, Literal, URIRef

from ..atomic import atomic_dir, atomic_write
from ..errors import ParameterError
from ..namespaces import CG, GRAPH, ID
from ..store import dataset as store
from . import crosssector, plot, valuechain, writers
from .graphs import affiliation_graph, collaboration_graph, country_graph, sector_graph
from .overview import highlights

__all__ = [
    "METRICS_GRAPH",
    "NETWORK",
    "TERMS",
    "EXPORT_FORMATS",
    "node_metrics",
    "network_metrics",
    "annotate",
    "metrics_triples",
    "write_metrics",
    "export",
    "write_exports",
    "NetworkReport",
    "analyse",
]

METRICS_GRAPH = GRAPH.metrics
"""The named graph that holds the network metrics."""

NETWORK = ID["network/collaboration"]
"""The resource that describes the collaboration network as a whole."""

#: Node measures: column of :func:`node_metrics` -> (property, datatype).
_NODE_TERMS: dict[str, tuple[URIRef, URIRef]] = {
    "degree": (CG.degree, XSD.integer),
    "weighted_degree": (CG.weightedDegree, XSD.integer),
    "betweenness": (CG.betweenness, XSD.double),
    "constraint": (CG.constraint, XSD.double),
    "effective_size": (CG.effectiveSize, XSD.double),
    "ei_index": (CG.eiIndex, XSD.double),
    "community": (CG.community, XSD.integer),
    "articulation_point": (CG.articulationPoint, XSD.boolean),
}
#: Network measures: key of :func:`network_metrics` -> (property, datatype).
_NETWORK_TERMS: dict[str, tuple[URIRef, URIRef]] = {
    "organisations": (CG.organisationCount, XSD.integer),
    "collaborations": (CG.collaborationCount, XSD.integer),
    "density": (CG.density, XSD.double),
    "components": (CG.componentCount, XSD.integer),
    "communities": (CG.communityCount, XSD.integer),
    "modularity": (CG.modularity, XSD.double),
    "assortativity": (CG.assortativity, XSD.double),
    "ei_index": (CG.eiIndex, XSD.double),
    "seed": (CG.randomSeed, XSD.integer),
}

TERMS: tuple[URIRef, ...] = tuple(dict.fromkeys([CG.CollaborationNetwork] + [p for p, _ in _NODE_TERMS.values()] + [p for p, _ in _NETWORK_TERMS.values()]))
"""The ontology terms the metrics graph uses."""

EXPORT_FORMATS = {"graphml": "graphml", "gexf": "gexf", "json": "json", "csv": "csv"}
"""File formats of :func:`export`, by file extension."""


# --- measures ---------------------------------------------------------------------


def node_metrics(
    G: nx.Graph,
    *,
    seed: int | None = 0,
    k: int | None | str = "auto",
    parts: Sequence[Iterable[Hashable]] | None = None,
    attribute: str = "sector",
) -> pd.DataFrame:
    """Every organisation's network measures in one table.

    Parameters
    ----------
    G:
        A collaboration graph.
    seed, k:
        Betweenness sampling and Louvain seed (see :func:`clustergraph.network.crosssector.betweenness`).
    parts:
        Communities already found (default: :func:`clustergraph.network.crosssector.communities` with ``seed``).
    attribute:
        The category of the E-I index.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`clustergraph.network.crosssector.brokers` plus
        ``weighted_degree`` (shared projects), ``community`` (0 the largest) and
        ``articulation_point``; brokers first.

    >>> G = nx.path_graph(3)
    >>> row = node_metrics(G).loc[1]
    >>> float(row["betweenness"]), int(row["community"]), bool(row["articulation_point"])
    (1.0, 0, True)
    """
    table = crosssector.brokers(G, attribute=attribute, k=k, seed=seed)
    parts = crosssector.communities(G, seed=seed) if parts is None else parts
    community = {node: i for i, part in enumerate(parts) for node in part}
    strength = dict(G.degree(weight="weight"))
    cut = set(crosssector.articulation_points(G))
    table.insert(table.columns.get_loc("degree") + 1, "weighted_degree", [int(round(strength[n])) for n in table.index])
    table["community"] = [community.get(n, -1) for n in table.index]
    table["articulation_point"] = [n in cut for n in table.index]
    return table


def network_metrics(G: nx.Graph, parts: Sequence[Iterable[Hashable]] | None = None, *, seed: int | None = 0) -> dict[str, Any]:
    """Measures of the network as a whole.

    Returns
    -------
    dict
        ``organisations``, ``collaborations``, ``density``, ``components``,
        ``communities``, ``modularity`` (of ``parts``), ``assortativity`` and
        ``ei_index`` (by sector), ``seed``.

    >>> network_metrics(nx.path_graph(3))["components"]
    1
    """
    parts = crosssector.communities(G, seed=seed) if parts is None else parts
    modularity = nx.community.modularity(G, parts, weight="weight") if G.number_of_edges() else math.nan
    return {
        "organisations": G.number_of_nodes(),
        "collaborations": G.number_of_edges(),
        "density": nx.density(G) if len(G) > 1 else math.nan,
        "components": nx.number_connected_components(G) if len(G) else 0,
        "communities": len(parts),
        "modularity": modularity,
        "assortativity": crosssector.assortativity(G),
        "ei_index": crosssector.ei_index(G),
        "seed": seed,
    }


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    return value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def annotate(G: nx.Graph, table: pd.DataFrame, columns: Sequence[str] | None = None) -> nx.Graph:
    """Copy measures from ``table`` (indexed by node) onto ``G``'s nodes, in place; return ``G``.

    Missing values (``nan``) are left out, so the graph stays GraphML-safe.

    >>> G = annotate(nx.path_graph(2), pd.DataFrame({"betweenness": [0.0, float("nan")]}))
    >>> G.nodes[0], G.nodes[1]
    ({'betweenness': 0.0}, {})
    """
    columns = [c for c in (columns or table.columns) if c not in ("name",)]
    nodes = G.nodes
    present = [(n in G) for n in table.index]
    for column in columns:
        for node, here, value in zip(table.index, present, table[column].tolist()):
            if here and not _missing(value := _plain(value)):
                nodes[node][column] = value
    return G


# --- RDF --------------------------------------------------------------------------


def _literal(value: Any, datatype: URIRef) -> Literal:
    if datatype == XSD.integer:
        return Literal(int(value), datatype=XSD.integer)
    if datatype == XSD.boolean:
        return Literal(bool(value), datatype=XSD.boolean)
    # written the way Oxigraph keeps a double ("1", not rdflib's "1.0"), so that the
    # metrics graph holds the same literals whichever store it is written to
    return Literal(_ox_literal(float(value)).value, datatype=XSD.double, normalize=False)


def metrics_triples(table: pd.DataFrame, summary: dict[str, Any] | None = None, *, network: URIRef = NETWORK) -> list[tuple[URIRef, URIRef, Literal]]:
    """The metrics as RDF triples: node measures on the organisation IRIs, network measures on ``network``.

    Nodes that are not IRIs (plain labels) are skipped; missing values are left out.

    >>> t = metrics_triples(pd.DataFrame({"degree": [2]}, index=["https://w3id.org/clustergraph/id/organisation/x"]))
    >>> [(str(p), str(o)) for _, p, o in t]
    [('https://w3id.org/clustergraph/ontology#degree', '2')]
    """
    triples: list[tuple[URIRef, URIRef, Literal]] = []
    terms = [(column, prop, datatype) for column, (prop, datatype) in _NODE_TERMS.items() if column in table.columns]
    values = [table[column].tolist() for column, _, _ in terms]
    for node, row in zip(table.index, zip(*values) if values else ([] for _ in table.index)):
        if not isinstance(node, str) or not node.startswith(("http://", "https://", "urn:")):
            continue
        subject = URIRef(node)
        for (_, prop, datatype), value in zip(terms, row):
            value = _plain(value)
            if not _missing(value):
                triples.append((subject, prop, _literal(value, datatype)))
    if summary is not None:
        triples.append((network, RDF.type, CG.CollaborationNetwork))  # type: ignore[arg-type]
        for key, (prop, datatype) in _NETWORK_TERMS.items():
            value = summary.get(key)
            if not _missing(value):
                triples.append((network, prop, _literal(value, datatype)))
    return triples


def write_metrics(
    graph: Graph,
    G: nx.Graph | None = None,
    *,
    table: pd.DataFrame | None = None,
    summary: dict[str, Any] | None = None,
    seed: int | None = 0,
    k: int | None | str = "auto",
) -> int:
    """Compute the metrics of ``graph``'s collaboration network and replace :data:`METRICS_GRAPH` with them.

    Parameters
    ----------
    graph:
        The rdflib dataset (it receives the named graph).
    G, table, summary:
        The collaboration graph, :func:`node_metrics` and :func:`network_metrics`
        if already computed.
    seed, k:
        See :func:`node_metrics`.

    Returns
    -------
    int
        The number of triples written.
    """
    G = collaboration_graph(graph) if G is None else G
    parts = None
    if table is None or summary is None:
        parts = crosssector.communities(G, seed=seed)
    table = node_metrics(G, seed=seed, k=k, parts=parts) if table is None else table
    summary = network_metrics(G, parts, seed=seed) if summary is None else summary
    return store.replace_graph(graph, METRICS_GRAPH, metrics_triples(table, summary))


# --- files ------------------------------------------------------------------------


def export(G: nx.Graph, path: str | os.PathLike[str], format: str | None = None, *, spreadsheet_safe: bool = True) -> Path:
    """Write ``G`` to ``path`` atomically; the format comes from ``format`` or the extension.

    Every format is streamed by :mod:`clustergraph.network.writers`: ``graphml`` and
    ``gexf`` (networkx's readers read them as they read networkx's own files), ``json``
    (node-link data, the edges under ``"edges"``; ``nan`` becomes ``null``), ``csv`` (an
    edge list: ``source``, ``target`` and every edge attribute, the cells pandas would
    write for the same rows; text cells that a spreadsheet
    program would run as formulas get a leading ``'`` unless ``spreadsheet_safe`` is
    false, see :mod:`clustergraph.spreadsheet`).

    >>> import tempfile
    >>> p = export(nx.path_graph(3), Path(tempfile.mkdtemp()) / "g.graphml")
    >>> sorted(nx.read_graphml(p).edges())
    [('0', '1'), ('1', '2')]
    """
    target = Path(path)
    fmt = (format or target.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ParameterError(f"unknown export format {fmt!r} for {target}", fix=f"use one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "graphml":
        with atomic_write(target, "wb") as fh:
            writers.write_graphml(G, fh)
    elif fmt == "gexf":
        with atomic_write(target, "wb") as fh:
            writers.write_gexf(G, fh)
    elif fmt == "json":
        with atomic_write(target, "wb") as fh:
            writers.write_node_link(G, fh)
    else:
        with atomic_write(target, "wb") as fh:
            writers.write_csv(G, fh, spreadsheet_safe=spreadsheet_safe)
    return target


def write_exports(
    G: nx.Graph,
    directory: str | os.PathLike[str],
    stem: str | None = None,
    formats: Iterable[str] = EXPORT_FORMATS,
    *,
    spreadsheet_safe: bool = True,
) -> list[Path]:
    """Write ``G`` in every format of ``formats`` to ``directory/<stem>.<format>``; return the paths.

    The CSV export is the edge list ``<stem>-edges.csv``, with ``<stem>-nodes.csv``
    beside it (``id`` and every node attribute).
    """
    stem = stem or G.graph.get("name") or "graph"
    out = Path(directory)
    written = []
    for fmt in formats:
        if fmt == "csv":
            written.append(export(G, out / f"{stem}-edges.csv", "csv", spreadsheet_safe=spreadsheet_safe))
            with atomic_write(out / f"{stem}-nodes.csv", "wb") as fh:
                writers.write_csv(G, fh, nodes=True, spreadsheet_safe=spreadsheet_safe)
            written.append(out / f"{stem}-nodes.csv")
        else:
            written.append(export(G, out / f"{stem}.{fmt}", fmt))
    return written


# --- everything -------------------------------------------------------------------


@dataclass
class NetworkReport:
    """What :func:`analyse` computed and wrote."""

    graph: nx.Graph
    table: pd.DataFrame
    communities: list[set[Hashable]]
    summary: dict[str, Any]
    highlights: list[str]
    files: list[Path] = field(default_factory=list)
    triples: int = 0

    def __repr__(self) -> str:
        return f"<NetworkReport: {self.graph.number_of_nodes():,} organisations, {self.graph.number_of_edges():,} ties, {len(self.communities)} communities; {len(self.files)} files>"

    def to_dataframe(self, *, compact: bool = True) -> pd.DataFrame:
        """The measures per organisation; ``compact``: IRIs as ``cgid:...`` and text as ``string`` dtype."""
        from ..display import readable

        return readable(self.table) if compact else self.table.copy()

    def _repr_html_(self) -> str:
        from ..display import key_values_html, table_html

        values = [(k, v if isinstance(v, (int, float, str, bool)) or v is None else str(v)) for k, v in self.summary.items()]
        return key_values_html(values, caption="Collaboration network") + table_html(["highlights"], [[h] for h in self.highlights])


def analyse(
    graph: Graph,
    out: str | os.PathLike[str] | None = None,
    *,
    format: str = "png",
    seed: int | None = 0,
    k: int | None | str = "auto",
    metrics: bool = True,
    progress: Callable[[str], None] | None = None,
    spreadsheet_safe: bool = True,
) -> NetworkReport:
    """The whole network analysis of ``graph``: measures, metrics graph, exports, pictures, highlights.

    Parameters
    ----------
    graph:
        The rdflib dataset.
    out:
        A directory for ``metrics.ttl`` (the metrics graph), the exports of the
        collaboration, affiliation, sector and country networks, the CSV tables
        (brokers, cross-sector edges, bridges, value-chain links and paths) and
        the pictures (``network.<format>``, ``mixing.<format>``); ``None`` writes nothing.
    format:
        ``png`` or ``svg`` for the pictures.
    seed, k:
        See :func:`node_metrics`.
    metrics:
        Also write the metrics into ``graph`` (named graph :data:`METRICS_GRAPH`).
    progress:
        Called with a short text before each stage (the CLI shows it on a terminal).
    spreadsheet_safe:
        Put a ``'`` before CSV text cells that a spreadsheet program would run as
        formulas (:mod:`clustergraph.spreadsheet`); ``False`` writes them as they are.

    The files appear together or not at all: they are written into a staging folder
    that replaces their namesakes in ``out`` only when every one is written.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> report = analyse(ds)
    >>> report.summary["collaborations"], report.triples > 0
    (14, True)
    """
    if format not in plot.FORMATS:
        raise ParameterError(f"unknown picture format {format!r}", fix=f"use one of {', '.join(plot.FORMATS)}")
    # building and writing networks of 600,000 edges makes millions of objects: without
    # the pause, the collections they set off walk the whole process again and again
    with writers.gc_paused():
        return _analyse(graph, out, format=format, seed=seed, k=k, metrics=metrics, progress=progress, spreadsheet_safe=spreadsheet_safe)


def _analyse(
    graph: Graph,
    out: str | os.PathLike[str] | None,
    *,
    format: str,
    seed: int | None,
    k: int | None | str,
    metrics: bool,
    progress: Callable[[str], None] | None,
    spreadsheet_safe: bool,
) -> NetworkReport:
    say = progress or (lambda text: None)
    say("building the collaboration network")
    G = collaboration_graph(graph)
    say(f"communities of {G.number_of_nodes()} organisations, {G.number_of_edges()} collaborations")
    parts = crosssector.communities(G, seed=seed)
    say("brokers: betweenness, constraint, effective size")
    table = node_metrics(G, seed=seed, k=k, parts=parts)
    summary = network_metrics(G, parts, seed=seed)
    lines = highlights(graph, G=G, table=table, seed=seed, k=k)
    report = NetworkReport(G, table, list(parts), summary, lines)
    triples = metrics_triples(table, summary)
    if metrics:
        report.triples = store.replace_graph(graph, METRICS_GRAPH, triples)
    else:
        report.triples = len(triples)
    if out is None:
        return report
    directory = Path(out)
    say(f"writing metrics, exports and pictures to {directory}")
    safe = spreadsheet_safe
    with atomic_dir(directory) as staging:
        staged: list[Path] = []
        metrics_graph = store.open_dataset()  # Oxigraph: the same Turtle as an rdflib graph gives, without a Python object per triple
        store.replace_graph(metrics_graph, METRICS_GRAPH, triples)
        staged.append(store.dump(metrics_graph, staging / "metrics.ttl", "turtle"))
        # the measures go onto G's own nodes for the exports and come off again: a copy of
        # the graph would copy every edge's attributes
        before = {node: dict(data) for node, data in G.nodes(data=True)}
        try:
            annotate(G, table.drop(columns=["sector"], errors="ignore"))
            staged += write_exports(G, staging, "collaboration", spreadsheet_safe=safe)
        finally:
            for node, data in G.nodes(data=True):
                data.clear()
                data.update(before[node])
        staged += write_exports(affiliation_graph(graph), staging, "affiliation", formats=("graphml", "gexf", "json"))
        for level in ("sector", "ecosystem"):
            staged += write_exports(sector_graph(G, level=level), staging, level, formats=("graphml", "gexf", "json", "csv"), spreadsheet_safe=safe)
        staged += write_exports(country_graph(G), staging, "country", formats=("graphml", "gexf", "json", "csv"), spreadsheet_safe=safe)
        tables = {
            "brokers.csv": table,
            "cross-sector-edges.csv": crosssector.cross_sector_edges(G),
            "bridges.csv": crosssector.bridges(G),
            "mixing.csv": crosssector.mixing_matrix(G),
            "communities.csv": crosssector.community_sectors(G, parts),
            "value-chain.csv": valuechain.value_chain(graph),
            "value-chain-paths.csv": valuechain.value_chain_paths(graph, G),
        }
        for name, frame in tables.items():
            with atomic_write(staging / name, "wb") as fh:
                writers.write_table(frame, fh, index=name in ("brokers.csv", "mixing.csv", "communities.csv"), spreadsheet_safe=safe)
            staged.append(staging / name)
        staged.append(plot.plot_network(G, staging / f"network.{format}", seed=seed, table=table))
        staged.append(plot.plot_mixing(crosssector.mixing_matrix(G), staging / f"mixing.{format}"))
    files = [directory / Path(p).relative_to(staging) for p in staged]
    report.files = files
    return report
