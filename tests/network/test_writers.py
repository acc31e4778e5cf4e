"""The streaming GraphML and GEXF writers: networkx's readers read back what they read from networkx's own files."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from networkdata import load_fixture

from clustergraph import network
from clustergraph.network import metrics, writers


def _tricky() -> nx.Graph:
    G = nx.Graph(name='odd "name" & <more>', year=2024)
    G.add_node("a&<b>", name='quote " and\ttab\nnewline', count=3, share=0.5, flag=True, nan=float("nan"), inf=float("inf"))
    G.add_node("é ü", label="shown", flag=False, count=-2)
    G.add_node("lonely")
    G.add_edge("a&<b>", "é ü", weight=2, projects="p1;p2", budget=3.25, kind="x>y")
    G.add_edge("é ü", "lonely", weight=0.5, id="e7", label="named", mixed=1)
    G.add_edge("a&<b>", "lonely", mixed="text")
    return G


def _read(write, reader, G):
    out = io.BytesIO()
    write(G, out)
    return reader(io.BytesIO(out.getvalue()))


def _same(a: nx.Graph, b: nx.Graph) -> None:
    assert a.graph == b.graph
    assert repr(list(a.nodes(data=True))) == repr(list(b.nodes(data=True)))  # repr: nan == nan
    assert sorted(map(repr, a.edges(data=True))) == sorted(map(repr, b.edges(data=True)))


@pytest.fixture(scope="module")
def graphs() -> list[nx.Graph]:
    ds = load_fixture()
    G = network.collaboration_graph(ds)
    annotated = metrics.annotate(nx.Graph(G), metrics.node_metrics(G).drop(columns=["sector"]))
    return [annotated, network.affiliation_graph(ds), network.sector_graph(G), network.country_graph(G), _tricky(), nx.DiGraph([(1, 2)])]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_networkx_reads_the_same_graph(graphs, fmt):
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    ours = writers.write_graphml if fmt == "graphml" else writers.write_gexf
    theirs = nx.write_graphml if fmt == "graphml" else nx.write_gexf
    for G in graphs:
        _same(_read(ours, reader, G), _read(theirs, reader, G))


def test_round_trip_keeps_values_and_types(graphs):
    G = graphs[-2]
    again = _read(writers.write_graphml, nx.read_graphml, G)
    assert again.nodes["a&<b>"]["name"] == 'quote " and\ttab\nnewline' and again.nodes["a&<b>"]["flag"] is True
    assert again.nodes["a&<b>"]["count"] == 3 and again.nodes["é ü"]["flag"] is False
    assert again.edges["a&<b>", "é ü"]["budget"] == 3.25 and again.edges["a&<b>", "é ü"]["kind"] == "x>y"
    gexf = _read(writers.write_gexf, nx.read_gexf, G)
    assert gexf.nodes["é ü"]["label"] == "shown" and gexf.edges["é ü", "lonely"]["id"] == "e7"


def test_what_the_writer_does_not_cover_goes_to_networkx():
    G = nx.Graph()
    G.add_node(1, viz={"size": 3.0})
    G.add_edge(1, 2, start=1, end=2)
    out = io.BytesIO()
    writers.write_gexf(G, out)
    assert nx.read_gexf(io.BytesIO(out.getvalue())).nodes["1"]["viz"]["size"] == 3.0
    with pytest.raises(nx.NetworkXError, match="does not support"):
        writers.write_graphml(nx.Graph([(1, 2, {"bad": [1, 2]})]), io.BytesIO())


def test_node_link_json_is_networkx_node_link_data(graphs):
    import json
    import math

    def safe(value):  # what the export promised before: nan as null
        if isinstance(value, dict):
            return {k: safe(v) for k, v in value.items()}
        if isinstance(value, list):
            return [safe(v) for v in value]
        return None if isinstance(value, float) and math.isnan(value) else value

    for G in graphs:
        out = io.BytesIO()
        if any(v == float("inf") for _, d in G.nodes(data=True) for v in d.values()):
            with pytest.raises(ValueError, match="not JSON compliant"):  # as json.dump(..., allow_nan=False) refuses it
                writers.write_node_link(G, out)
            continue
        writers.write_node_link(G, out)
        expected = json.loads(json.dumps(safe(nx.node_link_data(G, edges="edges")), allow_nan=False))
        assert json.loads(out.getvalue()) == expected


def _pandas_csv(G: nx.Graph, nodes: bool, safe: bool) -> bytes:
    """The CSV export before the streaming writer: a pandas frame of the rows."""
    import pandas as pd

    from clustergraph.spreadsheet import safe_frame

    if nodes:
        attributes = sorted({k for _, d in G.nodes(data=True) for k in d})
        frame = pd.DataFrame([(n, *[d.get(a) for a in attributes]) for n, d in G.nodes(data=True)], columns=["id", *attributes])
    else:
        attributes = sorted({k for _, _, d in G.edges(data=True) for k in d})
        frame = pd.DataFrame([(u, v, *[d.get(a) for a in attributes]) for u, v, d in G.edges(data=True)], columns=["source", "target", *attributes])
    return (safe_frame(frame) if safe else frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def _odd_cells() -> nx.Graph:
    G = nx.Graph()
    G.add_edge("=a", "b,c", note='say "hi"', n=1, f=float("nan"), flag=True, mixed=2)
    G.add_edge("b,c", "-5", note="line\nbreak", n=2, f=1e16, flag=False, mixed="@x")
    G.add_edge("-5", "+x", n=3, f=0.1, mixed=None)
    G.add_edge("+x", "q", note="", n=4, f=2)
    G.add_node("q", label="=SUM(1)", score=-0.5)
    return G


@pytest.mark.parametrize("safe", [True, False])
def test_csv_is_the_pandas_csv(graphs, safe):
    for G in [*graphs, _odd_cells()]:
        for nodes in (False, True):
            out = io.BytesIO()
            writers.write_csv(G, out, nodes=nodes, spreadsheet_safe=safe)
            assert out.getvalue() == _pandas_csv(G, nodes, safe), (G, nodes)


def test_multigraph_json_and_graphml():
    import json

    G = nx.MultiGraph()
    G.add_edge("a", "b", key="k1", weight=1)
    G.add_edge("a", "b", key="k2", weight=2.5, note="x")
    out = io.BytesIO()
    writers.write_node_link(G, out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(nx.node_link_data(G, edges="edges")))
    _same(_read(writers.write_graphml, nx.read_graphml, G), _read(nx.write_graphml, nx.read_graphml, G))


def test_tables_are_the_pandas_csv(tmp_path):
    """The tables `analyse` writes, and odd frames: the bytes of safe_frame(frame).to_csv()."""
    import pandas as pd

    from clustergraph.network import crosssector
    from clustergraph.spreadsheet import safe_frame

    ds = load_fixture()
    G = network.collaboration_graph(ds)
    parts = crosssector.communities(G)
    frames = [
        (metrics.node_metrics(G, parts=parts), True),
        (crosssector.cross_sector_edges(G), False),
        (crosssector.bridges(G), False),
        (crosssector.mixing_matrix(G), True),
        (crosssector.community_sectors(G, parts), True),
        (pd.DataFrame({"a": [1, None], "b": ["=x", None], "c": [True, False], "d": [0.1, float("nan")], "e": ["x,y", 'q"'], "f": [1, "s"]}, index=pd.Index(["r", "=s"], name="k")), True),
        (pd.DataFrame({"when": pd.to_datetime(["2024-01-01"])}), False),
        (pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "o": [pd.NA, "x"]}), False),
        (pd.DataFrame(columns=["a", "b"]), False),
    ]
    for frame, index in frames:
        for safe in (True, False):
            out = io.BytesIO()
            writers.write_table(frame, out, index=index, spreadsheet_safe=safe)
            expected = (safe_frame(frame) if safe else frame).to_csv(index=index, lineterminator="\n").encode("utf-8")
            assert out.getvalue() == expected, frame


def test_edges_in_networkx_order(graphs):
    G = nx.Graph()
    G.add_edges_from([(3, 1, {"w": 1}), (1, 1, {"w": 2}), (2, 3, {}), (1, 2, {"w": 3})])
    D = nx.DiGraph([(2, 1), (1, 2), (1, 3)])
    for H in [*graphs, G, D, nx.Graph()]:
        ours = list(writers._edges(H))
        theirs = list(H.edges(data=True))
        assert [(u, v) for u, v, _ in ours] == [(u, v) for u, v, _ in theirs]
        assert all(a[2] is b[2] for a, b in zip(ours, theirs))
