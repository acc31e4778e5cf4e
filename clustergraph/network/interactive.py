"""The collaboration network to explore in a notebook: pan, zoom, search, hover (ipysigma).

:func:`explore` gives an `ipysigma <https://github.com/medialab/ipysigma>`_ widget (the
``interactive`` extra: ``pip install 'clustergraph[interactive]'``) with the nodes
coloured by sector and sized by degree, each labelled with its name; where ipysigma is
not installed, or ``static=True``, it gives the matplotlib picture of
:func:`clustergraph.network.plot.network_figure` instead, so a notebook shows a network
either way.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_edge("a", "b", weight=2, project_names=["X", "Y"])
>>> G.nodes["a"].update(name="Alpha", sector="plasma"); G.nodes["b"].update(name="Beta", sector=None)
>>> plain = widget_graph(G)
>>> plain.nodes["b"], plain.edges["a", "b"]
({'label': 'Beta', 'sector': 'unknown', 'degree': 1}, {'weight': 2, 'projects': 'X, Y'})
"""

from __future__ import annotations

from typing import Any

import networkx as nx

__all__ = ["explore", "widget_graph"]


def widget_graph(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` with the plain attributes a widget shows: label, sector, degree; edge weight and projects."""
    out = nx.Graph()
    for node, data in G.nodes(data=True):
        out.add_node(str(node), label=str(data.get("name") or node), sector=str(data.get("sector") or "unknown"), degree=G.degree(node))
    for u, v, data in G.edges(data=True):
        names = data.get("project_names") or []
        out.add_edge(str(u), str(v), weight=data.get("weight", 1), projects=", ".join(map(str, names)) if isinstance(names, (list, tuple)) else str(names))
    return out


def explore(G: nx.Graph, *, static: bool = False, height: int = 500, seed: int | None = 0) -> Any:
    """An interactive view of the collaboration network ``G``, or its static picture.

    Returns an ``ipysigma.Sigma`` widget (Jupyter shows it) unless ``static`` is true or
    ipysigma is not installed; then the matplotlib figure of
    :func:`clustergraph.network.plot.network_figure` (``seed`` of its layout).
    """
    if not static:
        try:
            from ipysigma import Sigma
        except ImportError:
            static = True
    if static:
        from .plot import network_figure

        return network_figure(G, seed=seed)
    return Sigma(widget_graph(G), height=height, node_color="sector", node_size="degree", edge_size="weight", raw_node_label="label", start_layout=2)
