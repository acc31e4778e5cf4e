"""Pictures of the networks: the collaboration network coloured by sector, the sector mixing heat map.

Figures are built with matplotlib's object API on the Agg canvas, so nothing
depends on (or changes) the interactive backend: the same call works on a
headless server, in a test and in Jupyter (where a returned figure shows inline).
Layouts are seeded and file metadata carries no date, so the same data and seed
give the same picture.

>>> import tempfile, networkx as nx
>>> G = nx.path_graph(3)
>>> nx.set_node_attributes(G, {0: "a", 1: "b", 2: "b"}, "sector")
>>> path = plot_network(G, Path(tempfile.mkdtemp()) / "net.png")
>>> path.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import math
import os
from collections.abc import Hashable
from pathlib import Path

import matplotlib
import networkx as nx
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..atomic import atomic_write
from ..errors import ParameterError
from .crosssector import brokers
from .graphs import UNKNOWN

__all__ = ["FORMATS", "network_figure", "mixing_figure", "save", "plot_network", "plot_mixing"]

FORMATS = ("png", "svg")
"""Picture formats."""

_LABEL_ALL = 30  # up to this many nodes every node is labelled
_LEGEND = 12  # sectors named in the legend; the others are "other"


def _palette(categories: list[str]) -> dict[str, tuple[float, float, float, float]]:
    cmap = matplotlib.colormaps["tab20"]
    colours = {c: cmap(i % 20) for i, c in enumerate(c for c in categories if c != UNKNOWN)}
    colours[UNKNOWN] = (0.75, 0.75, 0.75, 1.0)
    return colours


def _short(text: str, width: int = 28) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def network_figure(
    G: nx.Graph,
    *,
    seed: int | None = 0,
    top: int = 8,
    table: pd.DataFrame | None = None,
    max_nodes: int = 400,
    attribute: str = "sector",
    title: str | None = None,
) -> Figure:
    """The collaboration network, nodes coloured by sector and sized by degree, key nodes labelled.

    Parameters
    ----------
    G:
        A collaboration graph (nodes with ``name`` and ``sector``).
    seed:
        Seed of the spring layout.
    top:
        How many brokers to label (all nodes are labelled in graphs of up to 30 nodes).
    table:
        A broker table (:func:`clustergraph.network.crosssector.brokers`); computed if missing.
    max_nodes:
        Larger graphs are drawn as the subgraph of their ``max_nodes`` best-connected
        organisations (brokers first), said in the title.
    attribute:
        The node attribute that colours the nodes.
    title:
        The figure title.

    >>> G = nx.path_graph(3)
    >>> network_figure(G).axes[0].get_title()
    'Collaboration network: 3 organisations, 2 collaborations'
    """
    if table is None:
        table = brokers(G, attribute=attribute, seed=seed)
    shown = G
    note = ""
    if len(G) > max_nodes:
        degree = dict(G.degree())
        ranked = sorted(G.nodes, key=lambda n: (-float(table["betweenness"].get(n, 0.0)), -degree[n], str(n)))
        shown = _induced(G, ranked[:max_nodes])
        note = f" (the {max_nodes} most central shown)"
    fig = Figure(figsize=(10, 8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title or f"Collaboration network: {G.number_of_nodes()} organisations, {G.number_of_edges()} collaborations{note}")
    if len(shown) == 0:
        ax.text(0.5, 0.5, "no collaborations", ha="center", va="center")
        return fig
    nodes = sorted(shown.nodes, key=str)
    pos = _layout(shown, seed)
    category = {n: shown.nodes[n].get(attribute) or UNKNOWN for n in nodes}
    counts = pd.Series(list(category.values())).value_counts()
    ordered = sorted(counts.index, key=lambda c: (c == UNKNOWN, -counts[c], c))
    named = [c for c in ordered if c != UNKNOWN][:_LEGEND]
    colours = _palette(named)
    other = (0.55, 0.55, 0.55, 1.0)
    degree = dict(shown.degree())
    largest = max(degree.values()) or 1
    widths = [0.5 + 1.5 * min(d.get("weight", 1), 5) / 5 for _, _, d in shown.edges(data=True)]
    nx.draw_networkx_edges(shown, pos, ax=ax, width=widths, alpha=0.35, edge_color="#555555")
    nx.draw_networkx_nodes(
        shown,
        pos,
        nodelist=nodes,
        ax=ax,
        node_color=[colours.get(category[n], other) for n in nodes],
        node_size=[60 + 540 * degree[n] / largest for n in nodes],
        edgecolors=["black" if shown.nodes[n].get("sector_source") == "project" else "white" for n in nodes],
        linewidths=0.9,
    )
    if len(shown) <= _LABEL_ALL:
        key: list[Hashable] = nodes
    else:
        key = [n for n in table.index if n in shown and float(table.loc[n, "betweenness"]) > 0][:top]
    labels = {n: _short(str(shown.nodes[n].get("name", n))) for n in key}
    ys = [y for _, y in pos.values()]
    lift = 0.025 * ((max(ys) - min(ys)) or 1.0)
    label_pos = {n: (pos[n][0], pos[n][1] + lift) for n in labels}
    nx.draw_networkx_labels(shown, label_pos, labels=labels, ax=ax, font_size=8, verticalalignment="bottom")
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[c], label=_short(c, 34)) for c in named]
    if any(c not in colours for c in ordered):
        handles.append(Line2D([], [], marker="o", linestyle="", color=other, label="other sectors"))
    if UNKNOWN in counts.index:
        handles.append(Line2D([], [], marker="o", linestyle="", color=colours[UNKNOWN], label="sector unknown"))
    if any(shown.nodes[n].get("sector_source") == "project" for n in nodes):
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="black", color="black", label="sector from its projects"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False, title=attribute)
    ax.margins(0.12)
    fig.tight_layout()
    return fig


def _induced(G: nx.Graph, nodes: list[Hashable]) -> nx.Graph:
    """The subgraph of ``G`` on ``nodes``, its nodes in the order given.

    ``G.subgraph`` of a small part of a graph lists its nodes in the order of a Python
    set, which string hashing changes from one process to the next: the seeded layout
    would then differ from run to run.
    """
    H = G.__class__()
    H.add_nodes_from((n, G.nodes[n]) for n in nodes)
    H.add_edges_from((u, v, d) for u, v, d in G.edges(nodes, data=True) if v in H)
    return H


def _layout(G: nx.Graph, seed: int | None) -> dict[Hashable, tuple[float, float]]:
    """Spring layout per connected component, the components packed in rows (largest first)."""
    parts = sorted((sorted(c, key=str) for c in nx.connected_components(G)), key=lambda c: (-len(c), str(c[0])))
    pos: dict[Hashable, tuple[float, float]] = {}
    x = y = row_height = 0.0
    width = 2.2 * math.sqrt(len(G)) + 2.0
    for part in parts:
        radius = math.sqrt(len(part))
        if len(part) == 1:
            local = {part[0]: (0.0, 0.0)}
        else:
            sub = _induced(G, part)
            local = nx.spring_layout(sub, seed=seed, weight="weight", k=1.5 / math.sqrt(len(part)), scale=radius)
        if x > 0 and x + 2 * radius > width:
            x, y, row_height = 0.0, y - row_height - 1.0, 0.0
        for node, (px, py) in local.items():
            pos[node] = (float(px) + x + radius, float(py) + y - radius)
        x += 2 * radius + 1.0
        row_height = max(row_height, 2 * radius)
    return pos


def mixing_figure(matrix: pd.DataFrame, title: str = "Collaborations between sectors") -> Figure:
    """A heat map of a mixing matrix (:func:`clustergraph.network.crosssector.mixing_matrix`), cells annotated.

    >>> m = pd.DataFrame([[1.0, 2.0], [2.0, 0.0]], index=["a", "b"], columns=["a", "b"])
    >>> len(mixing_figure(m).axes)
    2
    """
    n = len(matrix)
    size = max(5.0, min(16.0, 2.5 + 0.45 * n))
    fig = Figure(figsize=(size + 1.5, size), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="viridis", interpolation="nearest")
    labels = [_short(str(c)) for c in matrix.columns]
    ax.set_xticks(range(n), labels=labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n), labels=[_short(str(c)) for c in matrix.index], fontsize=8)
    ax.set_title(title)
    if n <= 25:
        top = values.max() if values.size else 0.0
        for i in range(n):
            for j in range(n):
                value = values[i, j]
                if value:
                    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=7, color="black" if value > 0.6 * top else "white")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="collaborations")
    fig.tight_layout()
    return fig


def save(fig: Figure, path: str | os.PathLike[str], format: str | None = None) -> Path:
    """Write ``fig`` atomically as PNG or SVG (from ``format`` or the extension); return the path.

    No date or tool version goes into the file, so equal figures give equal files.
    """
    target = Path(path)
    fmt = (format or target.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ParameterError(f"unknown picture format {fmt!r} for {target}", fix="use .png or .svg")
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    with matplotlib.rc_context({"svg.hashsalt": "clustergraph", "svg.fonttype": "path"}):
        with atomic_write(target, "wb") as fh:
            fig.savefig(fh, format=fmt, metadata=metadata, bbox_inches="tight")
    return target


def plot_network(G: nx.Graph, path: str | os.PathLike[str], **options) -> Path:
    """Draw :func:`network_figure` of ``G`` to ``path`` (PNG or SVG); return the path."""
    return save(network_figure(G, **options), path)


def plot_mixing(matrix: pd.DataFrame, path: str | os.PathLike[str], **options) -> Path:
    """Draw :func:`mixing_figure` of ``matrix`` to ``path`` (PNG or SVG); return the path."""
    return save(mixing_figure(matrix, **options), path)
