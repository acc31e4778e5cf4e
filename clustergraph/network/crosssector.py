"""Cross-sector analysis of the collaboration network: mixing, brokers, bridges, communities.

Every function takes the networkx graph of
:func:`clustergraph.network.collaboration_graph` (or any graph whose nodes carry
the categorical attribute, ``sector`` by default) and returns plain Python or
pandas values. An organisation in several sectors belongs to each in equal shares
(:func:`clustergraph.network.shares`), so every collaboration counts once in
total. Organisations whose category is :data:`~clustergraph.network.UNKNOWN`
count in the mixing matrix (so that its total is the number of collaborations)
but not in the assortativity, the E-I indices or the cross-sector edges: a tie
to an organisation of unknown sector is neither internal nor external.

The costly measures are written for graphs of 10,000 organisations and more:
betweenness runs Brandes' algorithm level by level as sparse-matrix products
over batches of sources (same values as :func:`networkx.betweenness_centrality`,
including its sampling of ``k`` sources with a seed); Burt's constraint and the
effective size use sparse products restricted to the existing ties.

>>> from clustergraph import store, network
>>> ds = store.open_dataset()
>>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
>>> G = network.collaboration_graph(ds)
>>> int(mixing_matrix(G).pipe(lambda m: m.where(np.triu(np.ones(m.shape, bool))).sum().sum()))
14
>>> articulation_points(G)[:1]
['https://w3id.org/clustergraph/id/organisation/cap-digital']
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import depth_first_order

from ..errors import ParameterError
from .graphs import UNKNOWN, collaboration_of, node_categories, shares
from .writers import gc_paused

__all__ = [
    "COMMUNITY_METHODS",
    "EXACT_LIMIT",
    "SAMPLES",
    "mixing_matrix",
    "mixing_total",
    "assortativity",
    "ei_index",
    "node_ei_index",
    "cross_sector_edges",
    "betweenness",
    "constraint",
    "effective_size",
    "brokers",
    "bridges",
    "articulation_points",
    "communities",
    "community_sectors",
    "summary",
]

EXACT_LIMIT = 2000
"""Up to this many nodes, ``k="auto"`` computes exact betweenness."""

SAMPLES = 256
"""Above :data:`EXACT_LIMIT` nodes, ``k="auto"`` samples this many sources."""


def _categories(G: nx.Graph, attribute: str) -> tuple[dict[Hashable, int], list[dict[str, float]]]:
    """Each node's category shares, deduplicated: node -> signature, and the signatures' shares."""
    signature: dict[Hashable, int] = {}
    distinct: dict[tuple[tuple[str, float], ...], int] = {}
    found: list[dict[str, float]] = []
    for node, share in shares(G, attribute).items():
        key = tuple(sorted(share.items()))
        if key not in distinct:
            distinct[key] = len(found)
            found.append(share)
        signature[node] = distinct[key]
    return signature, found


def _label(G: nx.Graph, node: Hashable, attribute: str) -> str:
    """The categories of a node as text: ``Plasma technology`` or ``Nanotechnology;Water``."""
    return ";".join(dict.fromkeys(label for _, label in node_categories(G.nodes[node], attribute)))


@dataclass
class _Ties:
    """The edges of a graph with their known, internal and external shares."""

    source: list[Hashable]
    target: list[Hashable]
    data: list[dict[str, Any]]
    weight: np.ndarray
    known: np.ndarray
    internal: np.ndarray

    @property
    def external(self) -> np.ndarray:
        return self.known - self.internal


def _ties(G: nx.Graph, attribute: str, weight: str | None = None) -> _Ties:
    signature, found = _categories(G, attribute)
    edges = list(iter(G.edges(data=True)))  # iter: list() would first count the edges by walking them all
    source, target, data = (list(column) for column in zip(*edges)) if edges else ([], [], [])
    strength = [float(d.get(weight, 1)) for d in data] if weight else [1.0] * len(data)
    known_of = np.array([1.0 - share.get(UNKNOWN, 0.0) for share in found])
    su = np.fromiter(map(signature.__getitem__, source), np.int64, len(source))
    sv = np.fromiter(map(signature.__getitem__, target), np.int64, len(target))
    internal = np.zeros(len(source))
    if len(source):
        keys, inverse = np.unique(su * len(found) + sv, return_inverse=True)
        same = np.array(
            [sum(p * found[k % len(found)].get(c, 0.0) for c, p in found[k // len(found)].items() if c != UNKNOWN) for k in keys.tolist()]
        )
        internal = same[inverse.ravel()]
    known = known_of[su] * known_of[sv] if len(source) else np.zeros(0)
    return _Ties(source, target, data, np.array(strength), known, internal)


# --- mixing -----------------------------------------------------------------------


def mixing_matrix(G: nx.Graph, attribute: str = "sector", weight: str | None = None) -> pd.DataFrame:
    """The sector mixing matrix: collaborations between each pair of categories.

    Symmetric: cell ``[s, t]`` (and ``[t, s]``) counts the collaborations between
    an organisation of ``s`` and one of ``t``; the diagonal counts those inside a
    category. An organisation in several sectors takes part in equal shares
    (:func:`clustergraph.network.shares`), so a collaboration adds 1 in total.
    The upper triangle with the diagonal (:func:`mixing_total`) sums to the
    number of collaborations (or their total ``weight``); :data:`UNKNOWN` is a
    row like any other.

    Parameters
    ----------
    G:
        A collaboration graph.
    attribute:
        The node attribute to mix on (``sector``, ``ecosystem``, ``country``...).
    weight:
        ``None`` counts collaborations; an edge attribute (``"weight"``) sums it.

    Returns
    -------
    pandas.DataFrame
        Square, indexed and columned by the sorted category names, float cells.

    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b"}, "sector")
    >>> mixing_matrix(G).values.tolist()
    [[1.0, 1.0], [1.0, 0.0]]
    """
    signature, found = _categories(G, attribute)
    labels = sorted({label for share in found for label in share})
    pos = {label: i for i, label in enumerate(labels)}
    values = np.zeros((len(labels), len(labels)))
    edges = list(iter(G.edges(data=weight or False, default=1)))  # iter: list() would first count the edges by walking them all
    if edges:
        columns = list(zip(*edges))
        keys = np.fromiter(map(signature.__getitem__, columns[0]), np.int64, len(edges)) * len(found)
        keys += np.fromiter(map(signature.__getitem__, columns[1]), np.int64, len(edges))
        strength = np.array(columns[2], dtype=float) if weight else np.ones(len(edges))
        cells, inverse = np.unique(keys, return_inverse=True)
        totals = np.bincount(inverse.ravel(), weights=strength)
        for key, total in zip(cells.tolist(), totals.tolist()):
            for s, ps in found[key // len(found)].items():
                for t, pt in found[key % len(found)].items():
                    i, j = pos[s], pos[t]
                    values[i, j] += total * ps * pt
                    if i != j:
                        values[j, i] += total * ps * pt
    index = pd.Index(labels, name=attribute)
    return pd.DataFrame(values, index=index, columns=index.copy())


def mixing_total(matrix: pd.DataFrame) -> float:
    """The number of collaborations a mixing matrix holds: its upper triangle with the diagonal.

    >>> mixing_total(pd.DataFrame([[1.0, 1.0], [1.0, 0.0]]))
    2.0
    """
    return float(np.triu(matrix.to_numpy()).sum())


def assortativity(G: nx.Graph, attribute: str = "sector") -> float:
    """Newman's attribute assortativity over the ties between organisations of known category.

    The same value as :func:`networkx.attribute_assortativity_coefficient` on the
    subgraph of known categories when every organisation has one category,
    computed from the mixing matrix (shares count as in :func:`mixing_matrix`).
    ``nan`` when undefined (no ties, or a single category).

    >>> G = nx.Graph([(1, 2), (3, 4), (1, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b", 4: "b"}, "sector")
    >>> round(assortativity(G), 3)
    0.333
    """
    matrix = mixing_matrix(G, attribute)
    keep = [c for c in matrix.index if c != UNKNOWN]
    values = matrix.loc[keep, keep].to_numpy()
    ordered = values + np.diag(np.diag(values))  # networkx counts each tie in both directions
    total = ordered.sum()
    if total <= 0:
        return math.nan
    e = ordered / total
    s = float((e @ e).sum())
    if math.isclose(s, 1.0):
        return math.nan
    return float((np.trace(e) - s) / (1 - s))


def ei_index(G: nx.Graph, attribute: str = "sector") -> float:
    """Krackhardt and Stern's E-I index of the whole network: (E - I) / (E + I).

    ``E`` counts ties between organisations of different categories, ``I`` ties
    inside a category; shares count as in :func:`mixing_matrix` and ties to an
    unknown category are left out. +1 means every tie crosses sectors, -1 none
    does; ``nan`` without classified ties.

    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b"}, "sector")
    >>> ei_index(G)
    0.0
    """
    ties = _ties(G, attribute)
    external, internal = float(ties.external.sum()), float(ties.internal.sum())
    if external + internal <= 1e-12:
        return math.nan
    return (external - internal) / (external + internal)


def node_ei_index(G: nx.Graph, attribute: str = "sector") -> pd.Series:
    """The E-I index of each organisation over its classified ties.

    Returns
    -------
    pandas.Series
        Indexed by node, ``nan`` for organisations without classified ties.

    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b"}, "sector")
    >>> node_ei_index(G).tolist()
    [-1.0, 0.0, 1.0]
    """
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    ties = _ties(G, attribute)
    u = np.array([index[n] for n in ties.source], dtype=np.int64)
    v = np.array([index[n] for n in ties.target], dtype=np.int64)
    external = np.bincount(u, ties.external, len(nodes)) + np.bincount(v, ties.external, len(nodes))
    internal = np.bincount(u, ties.internal, len(nodes)) + np.bincount(v, ties.internal, len(nodes))
    total = external + internal
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(total > 1e-12, (external - internal) / np.where(total > 1e-12, total, 1.0), math.nan)
    return pd.Series(values, index=nodes, name="ei_index", dtype=float)


def _edge_rows(G: nx.Graph, ties: _Ties, chosen: Sequence[int], attribute: str) -> pd.DataFrame:
    labels = {node: _label(G, node, attribute) for node in G.nodes}
    names = {node: d.get("name", str(node)) for node, d in G.nodes(data=True)}
    external = ties.external
    source, target = [ties.source[i] for i in chosen], [ties.target[i] for i in chosen]
    swap = [str(u) > str(v) for u, v in zip(source, target)]
    source, target = [v if s else u for u, v, s in zip(source, target, swap)], [u if s else v for u, v, s in zip(source, target, swap)]
    data = [ties.data[i] for i in chosen]
    return pd.DataFrame(
        {
            "source": source,
            "target": target,
            "source_name": [names[u] for u in source],
            "target_name": [names[v] for v in target],
            f"source_{attribute}": [labels[u] for u in source],
            f"target_{attribute}": [labels[v] for v in target],
            "cross": external[np.asarray(chosen, dtype=np.int64)] if len(chosen) else np.zeros(0),
            "weight": [d.get("weight", 1) for d in data],
            "budget": [d.get("budget", 0.0) for d in data],
            "projects": [d.get("projects", "") for d in data],
            "project_names": [d.get("project_names", "") for d in data],
        },
        columns=_edge_columns(attribute),
    )


def _edge_columns(attribute: str) -> list[str]:
    return ["source", "target", "source_name", "target_name", f"source_{attribute}", f"target_{attribute}",
            "cross", "weight", "budget", "projects", "project_names"]  # fmt: skip


def cross_sector_edges(G: nx.Graph, attribute: str = "sector") -> pd.DataFrame:
    """The collaborations between organisations of different (known) categories.

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``target`` (nodes), ``source_name``, ``target_name``,
        ``source_<attribute>``, ``target_<attribute>`` (``;``-joined when
        several), ``cross`` (the share of the tie that crosses categories: 1 for
        two single-sector organisations of different sectors), ``weight``
        (shared projects), ``budget``, ``projects`` (IRIs) and ``project_names``
        (both ``;``-joined); heaviest first.

    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b"}, "sector")
    >>> cross_sector_edges(G)[["source_name", "target_name", "cross"]].values.tolist()
    [['2', '3', 1.0]]
    """
    ties = _ties(G, attribute)
    frame = _edge_rows(G, ties, np.flatnonzero(ties.external > 1e-12).tolist(), attribute)
    if frame.empty:
        return frame
    frame["_s"], frame["_t"] = frame["source"].astype(str), frame["target"].astype(str)
    return frame.sort_values(["weight", "cross", "_s", "_t"], ascending=[False, False, True, True], ignore_index=True).drop(columns=["_s", "_t"])


# --- brokers ----------------------------------------------------------------------


def _adjacency(G: nx.Graph, weight: str | None = None) -> tuple[list[Hashable], sparse.csr_matrix]:
    """The symmetric adjacency matrix (self-loops dropped), faster than networkx's converter."""
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = list(G.adjacency())
    neighbours = [nbrs for _, nbrs in adjacency]
    sizes = np.fromiter(map(len, neighbours), np.int64, len(neighbours))
    rows = np.repeat(np.fromiter((index[node] for node, _ in adjacency), np.int64, len(adjacency)), sizes)
    cols = np.fromiter(map(index.__getitem__, chain.from_iterable(neighbours)), np.int64, int(sizes.sum()))
    if weight:
        data = np.array([float(d.get(weight, 1)) for d in chain.from_iterable(nbrs.values() for nbrs in neighbours)], dtype=float)
    else:
        data = np.ones(len(cols))
    A = sparse.csr_matrix((data, (rows, cols)), shape=(len(nodes), len(nodes)))
    A.setdiag(0)
    A.eliminate_zeros()
    A.sort_indices()
    return nodes, A


def _sources(G: nx.Graph, k: int | None | str, seed: int | None) -> list[Hashable] | None:
    """The sampled sources, as networkx samples them (``None``: every node)."""
    n = len(G)
    if k == "auto":
        k = None if n <= EXACT_LIMIT else SAMPLES
    if k is None or k >= n:
        if k is not None and k > n:
            raise ParameterError(f"k={k} is larger than the {n} nodes of the graph", fix="use a smaller k or k=None")
        return None
    if not isinstance(k, int) or k < 1:
        raise ParameterError(f"k must be a positive integer, None or 'auto', not {k!r}", fix="pass k=256 for example")
    return random.Random(seed).sample(list(G.nodes()), k)


def _brandes(A: sparse.csr_matrix, sources: np.ndarray, batch: int) -> np.ndarray:
    """Raw betweenness (no endpoints, not rescaled) from ``sources``, batch by batch."""
    n = A.shape[0]
    total = np.zeros(n)
    for start in range(0, len(sources), batch):
        src = sources[start : start + batch]
        cols = np.arange(len(src))
        sigma = np.zeros((n, len(src)))
        sigma[src, cols] = 1.0
        visited = sigma > 0
        frontier = sigma.copy()
        levels = [visited.copy()]
        while True:
            reached = A @ frontier
            reached[visited] = 0.0
            mask = reached > 0
            if not mask.any():
                break
            visited |= mask
            sigma += reached
            frontier = reached
            levels.append(mask)
        delta = np.zeros_like(sigma)
        safe = np.where(sigma > 0, sigma, 1.0)
        for depth in range(len(levels) - 1, 0, -1):
            coefficient = np.where(levels[depth], (1.0 + delta) / safe, 0.0)
            back = A @ coefficient
            delta += np.where(levels[depth - 1], sigma * back, 0.0)
        delta[src, cols] = 0.0
        total += delta.sum(axis=1)
    return total


def betweenness(G: nx.Graph, k: int | None | str = "auto", seed: int | None = 0) -> dict[Hashable, float]:
    """Normalised shortest-path betweenness (hops; edge weights are tie strengths, not distances).

    Equal to ``networkx.betweenness_centrality(G, k=k, seed=seed)`` (same sampled
    sources, same rescaling), computed by sparse-matrix products over batches of
    sources.

    Parameters
    ----------
    k:
        ``None`` for exact values; an integer samples that many sources
        (an approximation, reproducible with ``seed``); ``"auto"`` is exact up to
        :data:`EXACT_LIMIT` nodes and samples :data:`SAMPLES` sources above.
    seed:
        Seed of the sampling.

    >>> G = nx.path_graph(3)
    >>> betweenness(G)
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    nodes, A = _adjacency(G)
    return dict(zip(nodes, _betweenness_values(G, nodes, A, k, seed).tolist()))


def _binary(A: sparse.csr_matrix) -> sparse.csr_matrix:
    B = A.copy()
    B.data[:] = 1.0
    return B


def _betweenness_values(G: nx.Graph, nodes: list[Hashable], A: sparse.csr_matrix, k: int | None | str, seed: int | None) -> np.ndarray:
    n = len(nodes)
    if n == 0:
        return np.zeros(0)
    A = _binary(A)
    chosen = _sources(G, k, seed)
    index = {node: i for i, node in enumerate(nodes)}
    src = np.arange(n) if chosen is None else np.array([index[s] for s in chosen])
    batch = int(max(1, min(64, 4_000_000 // max(n, 1))))
    raw = _brandes(A, src, batch)
    N = n - 1
    if N < 2:
        return raw
    if chosen is None:
        return raw / (N * (N - 1))
    kk = len(chosen)
    is_source = np.zeros(n, bool)
    is_source[src] = True
    scale_source = 1 / ((kk - 1) * (N - 1)) if kk > 1 else math.nan
    return raw * np.where(is_source, scale_source, 1 / (kk * (N - 1)))


def _masked_symmetric_product(L: sparse.csr_matrix, R: sparse.csr_matrix, mask: sparse.csr_matrix) -> sparse.csr_matrix:
    """``L @ R`` only where ``mask`` has entries off the diagonal, for a product known to be symmetric.

    Only the upper triangle is computed (blocks of rows against the columns from
    the block on, to bound memory) and mirrored: about half the work of the full
    masked product, whose cost is the sum of squared degrees.
    """
    n = L.shape[0]
    mask = sparse.csr_matrix(mask, copy=True)
    mask.data[:] = 1.0
    right = sparse.csc_matrix(R)
    degree = max(1.0, L.nnz / max(n, 1))
    rows_per_block = int(max(1, min(n, 20_000_000 // min(n, degree * degree + 1))))
    rows, cols, vals = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0)]
    for start in range(0, n, rows_per_block):
        stop = min(n, start + rows_per_block)
        block = sparse.csr_matrix(L[start:stop] @ right[:, start:])
        upper = sparse.triu(block.multiply(mask[start:stop][:, start:]), k=1).tocoo()
        rows.append(upper.row.astype(np.int64) + start)
        cols.append(upper.col.astype(np.int64) + start)
        vals.append(upper.data)
    upper = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    return sparse.csr_matrix(upper + upper.T)


def constraint(G: nx.Graph, weight: str | None = "weight") -> dict[Hashable, float]:
    """Burt's constraint of each organisation (low: it spans structural holes).

    The same values as :func:`networkx.constraint` with ``weight``: for ``p_ij``
    the share of ``i``'s tie strength that goes to ``j``,
    ``c_i = sum over neighbours j of (p_ij + sum_q p_iq p_qj)^2``. ``nan`` for
    isolated nodes.

    >>> G = nx.star_graph(2)
    >>> {n: round(c, 3) for n, c in constraint(G).items()}
    {0: 0.5, 1: 1.0, 2: 1.0}
    """
    nodes, W = _adjacency(G, weight)
    return dict(zip(nodes, _constraint_values(W).tolist()))


def _constraint_values(W: sparse.csr_matrix) -> np.ndarray:
    if W.shape[0] == 0:
        return np.zeros(0)
    strength = np.asarray(W.sum(axis=1)).ravel()
    inverse = sparse.diags(np.divide(1.0, strength, out=np.zeros_like(strength), where=strength > 0))
    P = sparse.csr_matrix(inverse @ W)
    # sum_q p_iq p_qj = (W D^-1 W)_ij / s_i, and W D^-1 W is symmetric
    total = P + sparse.csr_matrix(inverse @ _masked_symmetric_product(W, P, W))
    values = np.asarray(total.multiply(total).sum(axis=1)).ravel()
    return np.where(np.diff(W.indptr) > 0, values, math.nan)


def effective_size(G: nx.Graph) -> dict[Hashable, float]:
    """Burt's effective size of each organisation's network (Borgatti's unweighted form).

    ``n - 2t/n`` for ``n`` neighbours with ``t`` ties among them, the same as
    :func:`networkx.effective_size` without weights; ``nan`` for isolated nodes.

    >>> effective_size(nx.star_graph(2))[0]
    2.0
    """
    nodes, A = _adjacency(G)
    return dict(zip(nodes, _effective_size_values(A).tolist()))


def _effective_size_values(A: sparse.csr_matrix) -> np.ndarray:
    if A.shape[0] == 0:
        return np.zeros(0)
    A = _binary(A)
    triangles = np.asarray(_masked_symmetric_product(A, A, A).sum(axis=1)).ravel() / 2
    degree = np.diff(A.indptr).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(degree > 0, degree - 2 * triangles / np.where(degree > 0, degree, 1), math.nan)


def brokers(G: nx.Graph, attribute: str = "sector", k: int | None | str = "auto", seed: int | None = 0) -> pd.DataFrame:
    """Who brokers between sectors: betweenness, constraint, effective size and E-I index.

    Parameters
    ----------
    attribute:
        The node category for the E-I index.
    k, seed:
        Betweenness sampling, see :func:`betweenness`.

    Returns
    -------
    pandas.DataFrame
        Indexed by node; columns ``name``, ``<attribute>``, ``degree``,
        ``betweenness``, ``constraint``, ``effective_size``, ``ei_index``; sorted
        by betweenness (highest first), then constraint (lowest first).

    >>> G = nx.path_graph(3)
    >>> nx.set_node_attributes(G, {0: "a", 1: "b", 2: "c"}, "sector")
    >>> brokers(G).index.tolist()
    [1, 0, 2]
    """
    frame = pd.DataFrame(index=pd.Index(list(G.nodes), name="node"))
    frame["name"] = [d.get("name", str(n)) for n, d in G.nodes(data=True)]
    frame[attribute] = [_label(G, n, attribute) for n in G.nodes]
    frame["degree"] = [d for _, d in G.degree()]
    nodes, W = _adjacency(G, "weight")
    frame["betweenness"] = _betweenness_values(G, nodes, W, k, seed)
    frame["constraint"] = _constraint_values(W)
    frame["effective_size"] = _effective_size_values(W)
    frame["ei_index"] = node_ei_index(G, attribute)
    frame["_key"] = [str(n) for n in frame.index]
    frame = frame.sort_values(["betweenness", "constraint", "_key"], ascending=[False, True, True], na_position="last")
    return frame.drop(columns="_key")


# --- cohesion ---------------------------------------------------------------------


def _bridge_pairs(G: nx.Graph) -> list[tuple[Hashable, Hashable]]:
    """The bridges of ``G``, as :func:`networkx.bridges` finds them, with scipy's depth-first search.

    Tarjan's rule: the tree edge into ``v`` is a bridge when no edge from ``v``'s
    subtree (other than that tree edge) reaches a node visited before ``v``.
    """
    nodes, A = _adjacency(G)
    n = len(nodes)
    if n == 0:
        return []
    pre = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    order: list[np.ndarray] = []
    visited = 0
    for root in range(n):
        if pre[root] >= 0:
            continue
        found, predecessors = depth_first_order(A, root, directed=False, return_predecessors=True)
        pre[found] = np.arange(visited, visited + len(found))
        visited += len(found)
        order.append(found)
        reached = predecessors >= 0
        parent[reached] = predecessors[reached]
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    reach = pre[A.indices].astype(float)
    reach[A.indices == parent[rows]] = np.inf  # the tree edge to the parent does not count
    low = pre.astype(float)
    np.minimum.at(low, rows, reach)
    sequence = np.concatenate(order)
    low_list, parent_list = low.tolist(), parent.tolist()
    for v in sequence[::-1].tolist():
        p = parent_list[v]
        if p >= 0 and low_list[v] < low_list[p]:
            low_list[p] = low_list[v]
    return [(nodes[parent_list[v]], nodes[v]) for v in range(n) if parent_list[v] >= 0 and low_list[v] >= pre[v]]


def bridges(G: nx.Graph, attribute: str = "sector") -> pd.DataFrame:
    """The ties whose removal disconnects the network, and whether they cross sectors.

    The same edges as :func:`networkx.bridges`, found with Tarjan's low-link rule
    over scipy's depth-first search (linear time, fast on large graphs).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`cross_sector_edges` (``cross`` is 0 for a bridge
        inside one sector); cross-sector bridges first.

    >>> G = nx.Graph([(1, 2), (2, 3), (3, 1), (3, 4)])
    >>> bridges(G)[["source", "target"]].values.tolist()
    [[3, 4]]
    """
    pairs = _bridge_pairs(G)
    sub = G.edge_subgraph(pairs) if pairs else nx.Graph()
    ties = _ties(nx.Graph(sub), attribute) if pairs else None
    frame = _edge_rows(G, ties, list(range(len(ties.source))), attribute) if ties else pd.DataFrame(columns=_edge_columns(attribute))
    if frame.empty:
        return frame
    frame["_s"], frame["_t"] = frame["source"].astype(str), frame["target"].astype(str)
    return frame.sort_values(["cross", "_s", "_t"], ascending=[False, True, True], ignore_index=True).drop(columns=["_s", "_t"])


def articulation_points(G: nx.Graph) -> list[Hashable]:
    """The organisations whose removal disconnects the network, sorted by degree (highest first).

    >>> articulation_points(nx.path_graph(3))
    [1]
    """
    degree = dict(G.degree())
    return sorted(nx.articulation_points(G), key=lambda n: (-degree[n], str(n)))


#: Community detection engines of :func:`communities`.
COMMUNITY_METHODS = ("auto", "igraph", "networkx")


def communities(
    G: nx.Graph, seed: int | None = 0, resolution: float = 1.0, weight: str | None = "weight", *, method: str = "auto"
) -> list[set[Hashable]]:
    """Louvain communities, reproducible with ``seed``.

    ``method`` ``"igraph"`` runs igraph's Louvain (``community_multilevel``, C,
    about 20x faster on 10,000 organisations; ``pip install igraph``), seeded
    through its own random generator; ``"networkx"`` runs
    :func:`networkx.community.louvain_communities`; ``"auto"`` (default) takes
    igraph when it is installed and networkx otherwise. Both maximise the same
    (weighted, ``resolution``) modularity; being heuristics they may stop at
    different partitions of about the same modularity.

    Returns
    -------
    list of sets
        Largest first (ties by their smallest member), so community ``0`` is the largest.

    >>> G = nx.Graph([(1, 2), (2, 3), (3, 1), (4, 5), (5, 6), (6, 4), (3, 4)])
    >>> communities(G)
    [{1, 2, 3}, {4, 5, 6}]
    >>> communities(G, method="networkx")
    [{1, 2, 3}, {4, 5, 6}]
    """
    if method not in COMMUNITY_METHODS:
        raise ParameterError(f"unknown community method {method!r}", fix=f"use one of {', '.join(COMMUNITY_METHODS)}")
    if len(G) == 0:
        return []
    found = None
    if method != "networkx":
        found = _igraph_louvain(G, seed, resolution, weight, required=method == "igraph")
    if found is None:
        found = nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=seed)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(str(n) for n in c)))


def _igraph_louvain(G: nx.Graph, seed: int | None, resolution: float, weight: str | None, *, required: bool) -> list[set[Hashable]] | None:
    try:
        import igraph
    except ImportError:
        if required:
            raise ParameterError("the igraph community method needs python-igraph", fix="pip install igraph, or use method='networkx'") from None
        return None
    with gc_paused():  # 600,000 edges as Python pairs: the cyclic collector would cost more than Louvain
        return _igraph_parts(igraph, G, seed, resolution, weight)


def _igraph_parts(igraph: Any, G: nx.Graph, seed: int | None, resolution: float, weight: str | None) -> list[set[Hashable]]:
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = list(iter(G.edges(data=weight, default=1))) if weight is not None else [(u, v, 1) for u, v in G.edges()]
    us, vs, ws = zip(*pairs) if pairs else ((), (), ())
    ends = np.empty((len(pairs), 2), dtype=np.int64)
    ends[:, 0] = np.fromiter(map(index.__getitem__, us), np.int64, len(pairs))
    ends[:, 1] = np.fromiter(map(index.__getitem__, vs), np.int64, len(pairs))
    edges = ends.tolist()
    weights = list(map(float, ws))
    graph = igraph.Graph(n=len(nodes), edges=edges)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        clustering = graph.community_multilevel(weights=weights if edges else None, resolution=resolution)
    finally:
        igraph.set_random_number_generator(random)
    parts: dict[int, set[Hashable]] = {}
    for node, member in zip(nodes, clustering.membership):
        parts.setdefault(member, set()).add(node)
    return list(parts.values())


def community_sectors(G: nx.Graph, parts: Sequence[Iterable[Hashable]], attribute: str = "sector") -> pd.DataFrame:
    """How categories spread across communities: organisations per community and sector.

    Returns
    -------
    pandas.DataFrame
        One row per community (``0`` the largest), one column per category; the
        number of organisations (an organisation in several sectors counts in
        equal shares).

    >>> G = nx.path_graph(3)
    >>> nx.set_node_attributes(G, {0: "a", 1: "a", 2: "b"}, "sector")
    >>> community_sectors(G, [{0, 1}, {2}]).values.tolist()
    [[2.0, 0.0], [0.0, 1.0]]
    """
    share = shares(G, attribute)
    labels = sorted({label for s in share.values() for label in s})
    rows = []
    for part in parts:
        counts = dict.fromkeys(labels, 0.0)
        for node in part:
            for label, p in share[node].items():
                counts[label] += p
        rows.append([counts[label] for label in labels])
    return pd.DataFrame(rows, index=pd.RangeIndex(len(rows), name="community"), columns=pd.Index(labels, name=attribute))


# --- highlights -------------------------------------------------------------------


def _names(values: Iterable[str], limit: int = 3) -> str:
    items = [v for v in values if v]
    text = ", ".join(items[:limit])
    return text + (f" and {len(items) - limit} more" if len(items) > limit else "")


def summary(graph: Any, *, seed: int | None = 0, k: int | None | str = "auto", top: int = 3, table: pd.DataFrame | None = None) -> list[str]:
    """The network highlights in a few readable lines: size, mixing, cross-sector bridges, brokers.

    Parameters
    ----------
    graph:
        An rdflib graph or a collaboration graph.
    seed, k:
        Betweenness sampling (see :func:`betweenness`).
    top:
        How many brokers and bridges to name.
    table:
        A table from :func:`brokers` already computed for this graph.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> for line in summary(ds): print(line)
    10 organisations, 14 collaborations in 4 projects, 8 sectors; 12 cross-sector collaborations (E-I index 0.85, sector assortativity -0.10)
    cross-sector bridges: Cap Digital (Digital creative industries) - Nanoprogress (Nanotechnology) via BRIDGE-X
    brokers: Cap Digital (betweenness 0.33, constraint 0.58), Nanoprogress (betweenness 0.33, constraint 0.58)
    """
    G = collaboration_of(graph)
    if G.number_of_nodes() == 0:
        return ["no organisation takes part in a project: no collaboration network"]
    projects = set(";".join(d.get("projects") or "" for _, _, d in G.edges(data=True)).split(";")) - {""}
    sectors = {label for share in shares(G).values() for label in share} - {UNKNOWN}
    crossing = int((_ties(G, "sector").external > 1e-12).sum())
    ei, r = ei_index(G), assortativity(G)
    lines = [
        f"{G.number_of_nodes()} organisations, {G.number_of_edges()} collaborations in {len(projects)} projects, "
        f"{len(sectors)} sectors; {crossing} cross-sector collaborations "
        f"(E-I index {_fmt(ei)}, sector assortativity {_fmt(r)})"
    ]
    found = bridges(G)
    cross = found[found["cross"] > 0] if not found.empty else found
    if cross.empty:
        lines.append("cross-sector bridges: none (no single collaboration holds two sectors together)")
    else:
        items = [
            f"{row.source_name} ({getattr(row, 'source_sector')}) - {row.target_name} ({getattr(row, 'target_sector')})"
            + (f" via {row.project_names.replace(';', ', ')}" if row.project_names else "")
            for row in cross.itertuples()
        ]
        lines.append("cross-sector bridges: " + _names(items, top))
    table = brokers(G, k=k, seed=seed) if table is None else table
    ranked = table[table["betweenness"] > 0].head(top)
    if ranked.empty:
        lines.append("brokers: none (no organisation lies on a shortest path between two others)")
    else:
        items = [f"{row.name} (betweenness {row.betweenness:.2f}, constraint {_fmt(row.constraint)})" for row in ranked.itertuples()]
        more = int((table["betweenness"] > 0).sum()) - len(ranked)
        lines.append("brokers: " + ", ".join(items) + (f" and {more} more" if more > 0 else ""))
    return lines


def _fmt(value: float) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"
