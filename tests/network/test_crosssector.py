"""Cross-sector analysis: mixing, E-I index, brokers, bridges, communities; checked by hand and against networkx."""

from __future__ import annotations

import math
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from clustergraph import network, store
from clustergraph.errors import ParameterError
from clustergraph.network import crosssector as cs

FIXTURE = Path(__file__).parent / "fixtures" / "clusters.ttl"
ORG = "https://w3id.org/clustergraph/id/organisation/"


@pytest.fixture(scope="module")
def G():
    ds = store.open_dataset()
    store.load(ds, FIXTURE, graph="https://example.org/fixture")
    return network.collaboration_graph(ds)


def random_graphs(count: int = 12):
    for seed in range(count):
        rng = random.Random(seed)
        G = nx.gnm_random_graph(rng.randint(3, 45), rng.randint(2, 90), seed=seed)
        G.add_edges_from([(100, 101), (101, 102)])  # a separate component with a bridge
        for u, v in G.edges:
            G.edges[u, v]["weight"] = rng.randint(1, 4)
        nx.set_node_attributes(G, {n: rng.choice("abc") for n in G}, "sector")
        yield seed, G


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all((math.isnan(a[k]) and math.isnan(b[k])) or a[k] == pytest.approx(b[k], abs=1e-12) for k in a)


def test_mixing_matrix_totals_equal_collaborations(G, embedded):
    for graph in (G, network.collaboration_graph(embedded)):
        m = cs.mixing_matrix(graph)
        assert cs.mixing_total(m) == pytest.approx(graph.number_of_edges())
        assert np.allclose(m.to_numpy(), m.to_numpy().T)


def test_mixing_matrix_cells(G):
    m = cs.mixing_matrix(G)
    assert m.loc["Audiovisual", "Digital creative industries"] == 2  # Madrid with Cap Digital and Danish Sound
    assert m.loc["Digital creative industries", "Digital creative industries"] == 1  # Cap Digital - Danish Sound
    assert m.loc["Digital creative industries", "Nanotechnology"] == 1  # BRIDGE-X
    assert m.loc["Maritime", "unknown"] == 1  # Clus3
    weighted = cs.mixing_matrix(G, weight="weight")
    assert cs.mixing_total(weighted) == sum(w for *_, w in G.edges(data="weight"))


def test_shares_split_a_collaboration():
    G = nx.Graph([("z", "b")])
    G.add_node("z", sectors="Nanotechnology;Plasma;Water", sector_iris="s:n;s:p;s:w")
    G.add_node("b", sectors="Plasma", sector_iris="s:p")
    m = cs.mixing_matrix(G)
    assert m.loc["Plasma", "Plasma"] == pytest.approx(1 / 3)
    assert m.loc["Nanotechnology", "Plasma"] == pytest.approx(1 / 3)
    assert cs.mixing_total(m) == pytest.approx(1)
    assert cs.ei_index(G) == pytest.approx((2 / 3 - 1 / 3) / 1)


def test_assortativity_matches_networkx(G):
    known = G.subgraph(n for n, d in G.nodes(data=True) if d["sector"] != "unknown")
    assert cs.assortativity(G) == pytest.approx(nx.attribute_assortativity_coefficient(known, "sector"))
    for _, R in random_graphs():
        if R.number_of_edges() and len({d["sector"] for _, d in R.nodes(data=True)}) > 1:
            assert cs.assortativity(R) == pytest.approx(nx.attribute_assortativity_coefficient(R, "sector"))


def test_ei_index(G):
    # 13 classified ties (Clus3's has an unknown end): 12 cross sectors, 1 (Cap Digital - Danish Sound) does not
    assert cs.ei_index(G) == pytest.approx(11 / 13)
    per = cs.node_ei_index(G)
    assert per[ORG + "cap-digital"] == pytest.approx((3 - 1) / 4)
    assert per[ORG + "balticnet-plasmatec"] == 1.0
    assert math.isnan(per[ORG + "informest"])


def test_cross_sector_edges(G):
    edges = cs.cross_sector_edges(G)
    assert len(edges) == 12
    bridge = edges[edges["project_names"] == "BRIDGE-X"]
    assert bridge[["source_name", "target_name"]].values.tolist() == [["Cap Digital", "Nanoprogress"]]
    assert set(edges["cross"]) == {1.0}


def test_betweenness_matches_networkx():
    for seed, R in random_graphs():
        assert same(cs.betweenness(R, k=None), nx.betweenness_centrality(R))
        k = min(7, len(R))
        assert same(cs.betweenness(R, k=k, seed=seed), nx.betweenness_centrality(R, k=k, seed=seed))


def test_betweenness_is_seeded():
    R = nx.gnm_random_graph(300, 900, seed=3)
    assert cs.betweenness(R, k=20, seed=5) == cs.betweenness(R, k=20, seed=5)
    assert cs.betweenness(R, k=20, seed=5) != cs.betweenness(R, k=20, seed=6)
    with pytest.raises(ParameterError):
        cs.betweenness(R, k=301)


def test_structural_holes_match_networkx(G):
    for _, R in random_graphs():
        assert same(cs.constraint(R), nx.constraint(R, weight="weight"))
        assert same(cs.effective_size(R), nx.effective_size(R))
    assert same(cs.constraint(G), nx.constraint(G, weight="weight"))


def test_brokers(G):
    table = cs.brokers(G)
    assert list(table.index[:2]) == [ORG + "cap-digital", ORG + "nanoprogress"]
    cap = table.loc[ORG + "cap-digital"]
    assert cap["betweenness"] == pytest.approx(12 / 36)  # 3 CECIL partners x 4 INNO-DROP ones, of 36 pairs
    assert cap["constraint"] == pytest.approx(3 * (1 / 4 + 2 / 12) ** 2 + (1 / 4) ** 2)
    assert cap["effective_size"] == pytest.approx(4 - 2 * 3 / 4)


def test_bridges_and_articulation_points(G):
    for _, R in random_graphs():
        found = cs.bridges(R)
        assert {frozenset(e) for e in zip(found["source"], found["target"])} == {frozenset(e) for e in nx.bridges(R)}
    found = cs.bridges(G)
    assert [(a.rsplit("/", 1)[1], b.rsplit("/", 1)[1]) for a, b in zip(found["source"], found["target"])] == [
        ("cap-digital", "nanoprogress"),  # crosses sectors: first
        ("ditenave", "informest"),
    ]
    assert found["cross"].tolist() == [1.0, 0.0]
    assert cs.articulation_points(G) == [ORG + "cap-digital", ORG + "nanoprogress"]


def test_communities_are_seeded_and_cover_the_network(G):
    first = cs.communities(G, seed=7)
    assert first == cs.communities(G, seed=7)
    assert set().union(*first) == set(G) and sum(map(len, first)) == len(G)
    spread = cs.community_sectors(G, first)
    assert spread.to_numpy().sum() == pytest.approx(len(G))
    assert cs.communities(nx.Graph()) == []


def test_summary(G):
    lines = cs.summary(G, seed=0)
    assert lines[0] == (
        "10 organisations, 14 collaborations in 4 projects, 8 sectors; 12 cross-sector collaborations "
        "(E-I index 0.85, sector assortativity -0.10)"
    )
    assert "Cap Digital (Digital creative industries) - Nanoprogress (Nanotechnology) via BRIDGE-X" in lines[1]
