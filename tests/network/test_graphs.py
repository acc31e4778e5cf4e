"""Networks from the knowledge graph: hand-checkable results on the fixture and the embedded dataset."""

from __future__ import annotations

import networkx as nx
import pytest
from click.testing import CliRunner
from networkdata import FIXTURE, load_fixture

from clustergraph import network, store
from clustergraph.cli import main
from clustergraph.errors import ParameterError

ORG = "https://w3id.org/clustergraph/id/organisation/"
SECTOR = "https://w3id.org/clustergraph/id/sector/"
CECIL = ["madrid-ict-audiovisual-cluster", "cap-digital", "mazovia-ict-cluster", "danish-sound"]



@pytest.fixture(scope="module")
def ds():
    return load_fixture()


@pytest.fixture(scope="module")
def G(ds):
    return network.collaboration_graph(ds)


def test_edge_list_comes_from_the_store(ds):
    pairs = network.participations(ds, roles=True)
    assert len(pairs) == 12
    row = pairs[pairs["organisation"] == ORG + "balticnet-plasmatec"].iloc[0]
    assert row["roles"] == "Coordinator;WorkPackageLeader"


def test_collaboration_graph_counts(G):
    assert (G.number_of_nodes(), G.number_of_edges()) == (10, 14)
    assert G.graph["name"] == "collaboration"


def test_cecil_partners_are_each_others_neighbours(G):
    for a in CECIL:
        assert {ORG + b for b in CECIL if b != a} <= set(G[ORG + a])


def test_edge_attributes(G):
    edge = G.edges[ORG + "cap-digital", ORG + "madrid-ict-audiovisual-cluster"]
    assert edge["weight"] == 1
    assert edge["budget"] == 247283.0 and edge["eu_contribution"] == 299450.0
    assert edge["projects"] == "https://w3id.org/clustergraph/id/project/cecil"
    assert edge["project_names"] == "CECIL"
    assert G.edges[ORG + "informest", ORG + "ditenave"]["budget"] == 0.0  # Clus3 gives no budget


def test_node_attributes(G):
    cap = G.nodes[ORG + "cap-digital"]
    assert cap["name"] == "Cap Digital" and cap["type"] == "ClusterOrganisation"
    assert (cap["country"], cap["country_iri"]) == ("FRA", "http://publications.europa.eu/resource/authority/country/FRA")
    assert cap["label_level"] == "Gold" and cap["label_rank"] == 3  # Bronze and Gold: the highest counts
    assert cap["projects"] == 2 and cap["budget"] == 347283.0
    assert cap["ecosystem"] == "Cultural and creative industries"
    assert G.nodes[ORG + "ditenave"]["label_level"] == "Bronze"  # a label target is not an award
    assert G.nodes[ORG + "zinnae"]["name"] == "ZINNAE"  # a Spanish label when there is no English one
    assert G.nodes[ORG + "informest"]["type"] == "Organisation"


def test_sector_rule(ds, G):
    danish = G.nodes[ORG + "danish-sound"]
    assert (danish["sector"], danish["sector_source"]) == ("Digital creative industries", "project")
    informest = G.nodes[ORG + "informest"]
    assert (informest["sector"], informest["sector_source"], informest["ecosystem"]) == ("unknown", "", "unknown")
    table = network.organisations(ds)
    it_log = table.loc[ORG + "it-logistikcluster"]
    assert (it_log["sector"], it_log["sectors"]) == ("ICT", "ICT;Logistics")
    assert network.shares(nx.Graph([(0, 1)]), "sector") == {0: {"unknown": 1.0}, 1: {"unknown": 1.0}}


def test_attributes_are_graphml_safe(ds, G):
    B = network.affiliation_graph(ds)
    for graph in (G, B, network.sector_graph(G), network.country_graph(G)):
        values = [v for _, d in graph.nodes(data=True) for v in d.values()]
        values += [v for *_, d in graph.edges(data=True) for v in d.values()]
        assert values and all(type(v) in (str, int, float, bool) for v in values)


def test_affiliation_graph(ds):
    B = network.affiliation_graph(ds)
    cecil = "https://w3id.org/clustergraph/id/project/cecil"
    assert B.nodes[cecil]["bipartite"] == 1 and B.nodes[cecil]["kind"] == "project" and B.degree[cecil] == 4
    assert B.nodes[ORG + "cap-digital"]["bipartite"] == 0
    assert B.edges[ORG + "balticnet-plasmatec", "https://w3id.org/clustergraph/id/project/inno-drop"]["roles"] == "Coordinator;WorkPackageLeader"
    event = "https://w3id.org/clustergraph/id/event/meeting-of-50-gold-label-clusters"
    assert B.edges[ORG + "it-logistikcluster", event]["relation"] == "invitee"
    assert B.nodes["https://w3id.org/clustergraph/id/partnership/escp-4i-adpack"]["kind"] == "partnership"
    assert nx.is_bipartite(B)
    only_projects = network.affiliation_graph(ds, include=("project",))
    assert {d["kind"] for _, d in only_projects.nodes(data=True)} == {"organisation", "project"}
    with pytest.raises(ParameterError):
        network.affiliation_graph(ds, include=("club",))


def test_inno_drop_links_its_four_sectors(G):
    S = network.sector_graph(G)
    four = [SECTOR + s for s in ("nanotechnology", "plasma", "sensors-and-membranes", "water")]
    for i, a in enumerate(four):
        for b in four[i + 1 :]:
            assert S.has_edge(a, b)
            assert "https://w3id.org/clustergraph/id/project/inno-drop" in S.edges[a, b]["projects"]


def test_sector_graph_totals(G):
    for level in ("sector", "ecosystem"):
        S = network.sector_graph(G, level=level)
        total = sum(w for *_, w in S.edges(data="weight")) + sum(d["internal"] for _, d in S.nodes(data=True))
        assert total == pytest.approx(G.number_of_edges())
    S = network.sector_graph(G)
    assert S.edges[SECTOR + "digital-creative-industries", SECTOR + "nanotechnology"]["projects"].endswith("bridge-x")
    assert S.nodes[SECTOR + "digital-creative-industries"]["internal"] == 1  # Cap Digital - Danish Sound
    E = network.sector_graph(G, level="ecosystem")
    assert E.edges["https://w3id.org/clustergraph/id/ecosystem/electronics", "https://w3id.org/clustergraph/id/ecosystem/cultural-and-creative-industries"]["weight"] == 1
    with pytest.raises(ParameterError):
        network.sector_graph(G, level="galaxy")


def test_country_graph(G):
    C = network.country_graph(G)
    country = "http://publications.europa.eu/resource/authority/country/"
    assert C.nodes[country + "ESP"]["organisations"] == 2
    assert C.nodes[country + "ITA"]["internal"] == 1  # Informest - DITENAVE
    assert C.nodes["unknown"]["organisations"] == 1  # the sensors and membranes cluster
    assert C.edges[country + "FRA", country + "CZE"]["weight"] == 1


def test_same_networks_on_oxigraph_and_memory(G):
    memory = load_fixture("memory")
    other = network.collaboration_graph(memory)
    assert nx.utils.graphs_equal(G, other)
    assert nx.utils.graphs_equal(network.affiliation_graph(load_fixture()), network.affiliation_graph(memory))
    assert nx.utils.graphs_equal(network.sector_graph(G), network.sector_graph(other))


def test_empty_graph():
    empty = store.open_dataset()
    G = network.collaboration_graph(empty)
    assert G.number_of_nodes() == 0
    assert network.sector_graph(G).number_of_nodes() == 0
    assert network.highlights(empty) == ["no organisation takes part in a project: no collaboration network"]


def test_highlights_name_bridge_brokers_and_missing_links(ds):
    lines = network.highlights(ds)
    assert lines[1] == "cross-sector bridges: Cap Digital (Digital creative industries) - Nanoprogress (Nanotechnology) via BRIDGE-X"
    assert lines[2].startswith("brokers: Cap Digital (betweenness 0.33")
    assert "New materials -> Aerospace and defence" in lines[3]


# --- the embedded dataset ---------------------------------------------------------


def test_embedded_cecil_partners_are_each_others_neighbours(embedded):
    G = network.collaboration_graph(embedded)
    names = {d["name"]: n for n, d in G.nodes(data=True)}
    cecil = [names[n] for n in ("Madrid ICT-Audiovisual Cluster", "Cap Digital", "Mazovia ICT Cluster", "Danish Sound")]
    for a in cecil:
        assert set(cecil) - {a} <= set(G[a])
    assert G.degree[names["Cap Digital"]] == 3


def test_embedded_inno_drop_links_its_sectors(embedded):
    S = network.sector_graph(embedded)
    by_name = {d["name"]: n for n, d in S.nodes(data=True)}
    four = [by_name[s] for s in ("nanotechnology", "plasma", "sensors and membranes", "water")]
    linked = nx.node_connected_component(S, four[0])
    assert set(four) <= linked
    assert S.has_edge(by_name["nanotechnology"], by_name["plasma"])
    total = sum(w for *_, w in S.edges(data="weight")) + sum(d["internal"] for _, d in S.nodes(data=True))
    assert total == pytest.approx(network.collaboration_graph(embedded).number_of_edges())


def test_cli_network(tmp_path):
    out = tmp_path / "net"
    result = CliRunner().invoke(main, ["network", "--data", str(FIXTURE), "--out", str(out), "--format", "svg", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "cross-sector bridges: Cap Digital (Digital creative industries) - Nanoprogress (Nanotechnology) via BRIDGE-X" in result.output
    assert "brokers: Cap Digital" in result.output
    for name in ("metrics.ttl", "collaboration.graphml", "collaboration.gexf", "collaboration.json", "collaboration-edges.csv",
                 "sector.graphml", "country.json", "affiliation.gexf", "brokers.csv", "network.svg", "mixing.svg"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    bad = CliRunner().invoke(main, ["network", "--data", str(tmp_path / "missing.ttl"), "--out", str(out)])
    assert bad.exit_code == 2 and "file not found" in bad.output


def _aggregate_edge_by_edge(G: nx.Graph, attribute: str) -> dict:
    """The sector graph's edges as the per-edge loop computed them before the grouping."""
    from collections import defaultdict

    from clustergraph.network.graphs import node_categories

    by_node = {}
    for node, data in G.nodes(data=True):
        items = node_categories(data, attribute)
        share: dict = {}
        for ident, _ in items:
            share[ident] = share.get(ident, 0.0) + 1.0 / len(items)
        by_node[node] = share
    weight, shared, behind, internal = defaultdict(float), defaultdict(float), defaultdict(set), defaultdict(float)
    for u, v, data in G.edges(data=True):
        projects = [p for p in (data.get("projects") or "").split(";") if p]
        for a, pa in by_node[u].items():
            for b, pb in by_node[v].items():
                if a == b:
                    internal[a] += pa * pb
                    continue
                key = (a, b) if a < b else (b, a)
                weight[key] += pa * pb
                shared[key] += pa * pb * float(data.get("weight", 1))
                behind[key].update(projects)
    return {"weight": dict(weight), "shared": dict(shared), "projects": {k: ";".join(sorted(v)) for k, v in behind.items()}, "internal": dict(internal)}


def test_grouped_aggregation_is_the_edge_by_edge_sum():
    import random

    rng = random.Random(3)
    sectors = [f"s{i}" for i in range(6)]
    G = nx.gnm_random_graph(120, 900, seed=3)
    for node in G:
        chosen = rng.sample(sectors, rng.choice([0, 1, 1, 1, 2, 3]))
        if chosen:
            G.nodes[node].update(sectors=";".join(chosen), sector_iris=";".join("iri:" + s for s in chosen), ecosystems=";".join("e" for _ in chosen))
        G.nodes[node]["country"] = rng.choice(["DE", "FR", ""])
    for u, v in G.edges:
        G.edges[u, v].update(weight=rng.randint(1, 4), projects=";".join(f"p{rng.randint(0, 50)}" for _ in range(rng.randint(0, 3))))
    for level, attribute in (("sector", "sector"), (None, "country")):
        A = network.sector_graph(G, level=level) if level else network.country_graph(G)
        expected = _aggregate_edge_by_edge(G, attribute)
        assert {frozenset(e) for e in A.edges} == {frozenset(k) for k in expected["weight"]}
        for (a, b), w in expected["weight"].items():
            edge = A.edges[a, b]
            assert edge["weight"] == pytest.approx(w, rel=1e-12) and edge["shared_projects"] == pytest.approx(expected["shared"][(a, b)], rel=1e-12)
            assert edge["projects"] == expected["projects"][(a, b)]
        for node, value in expected["internal"].items():
            assert A.nodes[node]["internal"] == pytest.approx(value, rel=1e-12, abs=1e-12)
