"""The network highlights: the cross-sector and value-chain analyses in a few readable lines.

The one module of the stage that combines the analyses (what ``clustergraph build``
prints and :func:`clustergraph.network.analyse` reports): the size and sector
mixing, cross-sector bridges and brokers of :func:`clustergraph.network.crosssector.summary`,
and the value-chain links projects span (:func:`clustergraph.network.valuechain.value_chain`).
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
from rdflib import Graph

from .crosssector import summary
from .graphs import collaboration_of
from .valuechain import value_chain

__all__ = ["highlights"]


def highlights(
    graph: Graph | nx.Graph,
    *,
    G: nx.Graph | None = None,
    table: pd.DataFrame | None = None,
    seed: int | None = 0,
    k: int | None | str = "auto",
    top: int = 3,
) -> list[str]:
    """The network highlights in a few readable lines (what ``clustergraph build`` prints).

    Size and sector mixing, the cross-sector bridges, the top brokers
    (:func:`clustergraph.network.crosssector.summary`) and, when the graph states a value
    chain, how many of its links projects span and which ones none does.

    Parameters
    ----------
    graph:
        The rdflib graph (or a collaboration graph, without the value-chain line).
    G, table:
        Its collaboration graph and broker table, if already computed.
    seed, k, top:
        See :func:`clustergraph.network.crosssector.summary`.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> highlights(ds)[-1]
    'value chain: 5 links, 4 spanned by projects; no project spans New materials -> Aerospace and defence'
    """
    G = collaboration_of(graph) if G is None else G
    lines = summary(G, seed=seed, k=k, top=top, table=table)
    if isinstance(graph, Graph):
        chain = value_chain(graph)
        if len(chain):
            missing = chain[chain["projects"] == ""]
            line = f"value chain: {len(chain)} links, {len(chain) - len(missing)} spanned by projects"
            if len(missing):
                names = [f"{s} -> {u}" for s, u in zip(missing["supplier_name"], missing["user_name"])]
                line += "; no project spans " + ", ".join(names[:top]) + (f" and {len(names) - top} more" if len(names) > top else "")
            lines.append(line)
    return lines
