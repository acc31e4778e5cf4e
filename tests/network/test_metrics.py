"""Metrics back into the graph (named graph cggraph:metrics) and exports other tools re-read."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest
from networkdata import load_fixture
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from clustergraph import network, store
from clustergraph.errors import ParameterError
from clustergraph.namespaces import CG, GRAPH
from clustergraph.network import metrics

ORG = "https://w3id.org/clustergraph/id/organisation/"



def same_graph(a: nx.Graph, b: nx.Graph) -> bool:
    """Same nodes, edges and attributes (graph-level attributes aside: readers add their own)."""
    return dict(a.nodes(data=True)) == dict(b.nodes(data=True)) and {frozenset((u, v)): d for u, v, d in a.edges(data=True)} == {
        frozenset((u, v)): d for u, v, d in b.edges(data=True)
    }


def metrics_graph(ds) -> set:
    return {(s, p, o) for s, p, o, g in ds.quads((None, None, None, GRAPH.metrics))}


def test_metrics_are_queryable_with_sparql():
    ds = load_fixture()
    n = metrics.write_metrics(ds)
    assert n == len(metrics_graph(ds)) > 0
    _, rows = store.select(
        ds,
        "SELECT ?org ?b WHERE { GRAPH cggraph:metrics { ?org cg:betweenness ?b ; cg:articulationPoint true } } ORDER BY DESC(?b) ?org",
    )
    assert [str(r[0]) for r in rows] == [ORG + "cap-digital", ORG + "nanoprogress"]
    assert rows[0][1] == Literal(12 / 36, datatype=XSD.double)
    _, rows = store.select(ds, "SELECT ?n WHERE { ?net a cg:CollaborationNetwork ; cg:collaborationCount ?n }")
    assert rows == [(Literal(14, datatype=XSD.integer),)]
    # the data itself is untouched, and writing again replaces the graph
    assert metrics.write_metrics(ds) == n and len(metrics_graph(ds)) == n


def test_metrics_identical_on_both_stores_and_seeded():
    ox, mem = load_fixture(), load_fixture("memory")
    metrics.write_metrics(ox, seed=3)
    metrics.write_metrics(mem, seed=3)
    assert metrics_graph(ox) == metrics_graph(mem)
    again = load_fixture()
    metrics.write_metrics(again, seed=3)
    assert metrics_graph(again) == metrics_graph(ox)


def test_node_metrics_table():
    G = network.collaboration_graph(load_fixture())
    table = metrics.node_metrics(G)
    assert set(table["community"]) == set(range(len(set(table["community"]))))
    assert table["articulation_point"].sum() == 2
    assert table.loc[ORG + "cap-digital", "weighted_degree"] == 4
    summary = metrics.network_metrics(G)
    assert (summary["organisations"], summary["collaborations"], summary["components"]) == (10, 14, 2)
    assert all(t.startswith(str(CG)) for t in map(str, metrics.TERMS))


@pytest.fixture(scope="module")
def annotated():
    G = network.collaboration_graph(load_fixture())
    return metrics.annotate(nx.Graph(G), metrics.node_metrics(G).drop(columns=["sector"]))


def test_graphml_round_trip(tmp_path, annotated):
    path = metrics.export(annotated, tmp_path / "g.graphml")
    again = nx.read_graphml(path)
    assert same_graph(annotated, again)
    assert again.nodes[ORG + "cap-digital"]["articulation_point"] is True


def test_gexf_round_trip(tmp_path, annotated):
    again = nx.read_gexf(metrics.export(annotated, tmp_path / "g.gexf"))
    assert set(again.nodes) == set(annotated.nodes)
    assert {frozenset(e) for e in again.edges} == {frozenset(e) for e in annotated.edges}
    for node, data in annotated.nodes(data=True):
        kept = {k: v for k, v in again.nodes[node].items() if k != "label"}
        assert kept == data
    for u, v, data in annotated.edges(data=True):
        assert again.edges[u, v]["projects"] == data["projects"] and again.edges[u, v]["weight"] == data["weight"]
        assert again.edges[u, v]["budget"] == data["budget"]


def test_json_round_trip(tmp_path, annotated):
    path = metrics.export(annotated, tmp_path / "g.json")
    again = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    assert same_graph(annotated, again)


def test_json_has_no_nan(tmp_path):
    G = nx.Graph([(1, 2)])
    G.nodes[1]["x"] = float("nan")
    data = json.loads(metrics.export(G, tmp_path / "n.json").read_text())
    assert data["nodes"][0]["x"] is None


def test_csv_edge_list_round_trip(tmp_path, annotated):
    paths = metrics.write_exports(annotated, tmp_path, "c", formats=("csv",))
    edges = pd.read_csv(paths[0], keep_default_na=False)
    again = nx.from_pandas_edgelist(edges, "source", "target", edge_attr=True)
    assert {frozenset(e) for e in again.edges} == {frozenset(e) for e in annotated.edges}
    for u, v, data in annotated.edges(data=True):
        assert again.edges[u, v] == data
    nodes = pd.read_csv(paths[1], keep_default_na=False)
    assert set(nodes["id"]) == set(annotated.nodes)


def test_export_refuses_unknown_format(tmp_path):
    with pytest.raises(ParameterError):
        metrics.export(nx.Graph(), tmp_path / "g.xls")
    assert not list(tmp_path.iterdir())


def test_analyse_writes_everything(tmp_path):
    ds = load_fixture()
    report = metrics.analyse(ds, tmp_path, format="png", seed=0)
    assert report.summary["collaborations"] == 14 and report.triples == len(metrics_graph(ds))
    names = {p.name for p in report.files}
    assert {"metrics.ttl", "collaboration.graphml", "sector.gexf", "ecosystem.json", "country-edges.csv", "network.png",
            "mixing.png", "value-chain-paths.csv", "bridges.csv"} <= names  # fmt: skip
    assert all(p.exists() for p in report.files)
    written = Graph().parse(tmp_path / "metrics.ttl")
    assert (URIRef(ORG + "cap-digital"), CG.articulationPoint, Literal(True)) in written
    assert len(written) == report.triples
    # the exported network carries the measures; the report's graph is left as it was built
    exported = nx.read_graphml(tmp_path / "collaboration.graphml")
    assert "betweenness" in exported.nodes[ORG + "cap-digital"] and "sector" in exported.nodes[ORG + "cap-digital"]
    assert "betweenness" not in report.graph.nodes[ORG + "cap-digital"]
    assert dict(report.graph.nodes(data=True)) == dict(network.collaboration_graph(ds).nodes(data=True))
    with pytest.raises(ParameterError):
        metrics.analyse(ds, tmp_path, format="jpg")


def test_csv_exports_are_safe_for_spreadsheets_unless_asked(tmp_path) -> None:
    G = nx.Graph()
    G.add_node("a", label="=HYPERLINK(\"http://evil.example/\",\"x\")", budget=-5)
    G.add_node("b", label="@SUM(1+1)", budget=3)
    G.add_edge("a", "b", weight=1, kind="+cmd")
    metrics.write_exports(G, tmp_path / "safe", "g", formats=("csv",))
    nodes = pd.read_csv(tmp_path / "safe" / "g-nodes.csv")
    edges = pd.read_csv(tmp_path / "safe" / "g-edges.csv")
    assert nodes["label"].tolist() == ["'=HYPERLINK(\"http://evil.example/\",\"x\")", "'@SUM(1+1)"]
    assert nodes["budget"].tolist() == [-5, 3]  # numbers keep their sign
    assert edges["kind"].tolist() == ["'+cmd"]
    metrics.write_exports(G, tmp_path / "raw", "g", formats=("csv",), spreadsheet_safe=False)
    assert pd.read_csv(tmp_path / "raw" / "g-nodes.csv")["label"].tolist()[1] == "@SUM(1+1)"


def test_analyse_writes_all_files_or_none(tmp_path) -> None:
    from clustergraph.errors import WriteError

    ds = load_fixture()
    out = tmp_path / "net"
    out.mkdir()
    (out / "brokers.csv").write_text("earlier\n")
    (out / "notes.txt").write_text("mine\n")
    report = metrics.analyse(ds, out, metrics=False)
    assert {p.parent for p in report.files} == {out} and all(p.is_file() for p in report.files)
    assert (out / "notes.txt").read_text() == "mine\n"  # the user's own file is kept
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(WriteError):
        metrics.analyse(ds, blocked, metrics=False)
    assert blocked.read_text() == "not a folder"


def test_the_network_command_can_write_raw_csv(tmp_path) -> None:
    from click.testing import CliRunner
    from networkdata import FIXTURE

    from clustergraph.cli import main

    text = FIXTURE.read_text(encoding="utf-8")
    assert '"Madrid ICT-Audiovisual Cluster"@en' in text
    hostile = tmp_path / "hostile.ttl"
    hostile.write_text(text.replace('"Madrid ICT-Audiovisual Cluster"@en', '"=1+2"@en'), encoding="utf-8")
    for flag, expected in (("--spreadsheet-safe", "'=1+2"), ("--no-spreadsheet-safe", "=1+2")):
        out = tmp_path / flag
        result = CliRunner().invoke(main, ["network", "--data", str(hostile), "--out", str(out), flag])
        assert result.exit_code == 0, result.output
        assert expected in pd.read_csv(out / "brokers.csv")["name"].tolist()
