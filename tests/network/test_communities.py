"""Communities through igraph's Louvain: networkx's API and results kept, seeded, with networkx as the fallback."""

from __future__ import annotations

import os
import subprocess
import sys

import networkx as nx
import pytest

from clustergraph.errors import ParameterError
from clustergraph.network import crosssector

try:
    import igraph  # noqa: F401
except ImportError:  # pragma: no cover - CI installs it (the "network" extra)
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("python-igraph is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    G = nx.planted_partition_graph(6, 40, 0.5, 0.02, seed=7)
    for u, v in G.edges:
        G.edges[u, v]["weight"] = 1 + (u + v) % 3
    return G


def test_same_type_and_order_as_networkx(graph):
    ours, theirs = crosssector.communities(graph, seed=1, method="igraph"), crosssector.communities(graph, seed=1, method="networkx")
    assert isinstance(ours, list) and all(isinstance(c, set) for c in ours)
    assert set().union(*ours) == set(graph) and sum(map(len, ours)) == len(graph)
    assert [len(c) for c in ours] == sorted((len(c) for c in ours), reverse=True)
    q_ours, q_theirs = (nx.community.modularity(graph, p, weight="weight") for p in (ours, theirs))
    assert q_ours == pytest.approx(q_theirs, abs=0.02)
    assert sorted(map(sorted, ours)) == sorted(map(sorted, theirs))  # six planted groups: both find them


def test_seeded_and_resolution(graph):
    assert crosssector.communities(graph, seed=3) == crosssector.communities(graph, seed=3)
    assert len(crosssector.communities(graph, seed=3, resolution=0.05)) < len(crosssector.communities(graph, seed=3, resolution=1.0))
    assert crosssector.communities(nx.Graph()) == []
    with pytest.raises(ParameterError, match="unknown community method"):
        crosssector.communities(graph, method="leiden")


def test_auto_falls_back_to_networkx_without_igraph(graph):
    code = (
        "import sys; sys.modules['igraph'] = None\n"
        "import networkx as nx\n"
        "from clustergraph.network import crosssector\n"
        "G = nx.karate_club_graph()\n"
        "print(crosssector.communities(G, seed=2) == crosssector.communities(G, seed=2, method='networkx'))\n"
        "try:\n    crosssector.communities(G, method='igraph')\nexcept Exception as exc:\n    print(type(exc).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "ParameterError"]
