"""The store layer: Oxigraph and rdflib memory give the same answers."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from clustergraph import store
from clustergraph.errors import InputError, StoreError

TTL = b"""
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/clustergraph/id/project/cecil> a cg:Project ;
    cg:acronym "CECIL" ;
    cg:totalBudget "247283"^^xsd:decimal ;
    cg:euContribution "299450"^^xsd:decimal ;
    <http://www.w3.org/2000/01/rdf-schema#label> "CECIL"@en .
<https://w3id.org/clustergraph/id/project/tce> a cg:Project ; cg:acronym "TCE" ;
    cg:totalBudget "249422"^^xsd:decimal .
"""
G = "https://w3id.org/clustergraph/graph/test"
Q = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
SELECT ?p ?a ?b WHERE { ?p cg:acronym ?a ; cg:totalBudget ?b } ORDER BY ?a"""


@pytest.fixture(params=["oxigraph", "memory"])
def ds(request):
    d = store.open_dataset(request.param)
    assert store.load(d, TTL, format="turtle", graph=G) == 8
    return d


def test_plain_literals_stay_plain(ds):
    assert (None, None, Literal("CECIL")) in ds
    assert all(o.datatype is None for o in ds.objects(None, URIRef("https://w3id.org/clustergraph/ontology#acronym")))
    names, rows = store.select(ds, Q)
    assert names == ["p", "a", "b"]
    assert rows[0][1] == Literal("CECIL") and rows[0][1].datatype is None
    assert rows[0][2] == Literal("247283", datatype=XSD.decimal)


def test_same_answers_on_both_stores():
    results = []
    for kind in store.STORE_KINDS:
        d = store.open_dataset(kind)
        store.load(d, TTL, format="turtle", graph=G)
        results.append(store.select(d, Q, {"a": Literal("TCE")}))
        results.append(list(d.query(Q)))
    assert results[0] == results[2]
    assert [tuple(r) for r in results[1]] == [tuple(r) for r in results[3]]
    assert results[0][1][0][0] == URIRef("https://w3id.org/clustergraph/id/project/tce")


def test_binding_defeats_injection(ds):
    names, rows = store.select(ds, Q, {"a": Literal('CECIL" } UNION { ?p ?x ?a')})
    assert rows == []


def test_failed_load_leaves_previous_graph(ds):
    before = store.union(ds)
    with pytest.raises(InputError) as err:
        store.load(ds, b"<http://ex.org/a> <http://ex.org/p> .\n", format="nt", graph=G)
    assert "malformed N-Triples at line 1, column " in str(err.value) and "character" not in str(err.value)
    assert isomorphic(store.union(ds), before)


def test_replace_graph_replaces_whole_graph(ds):
    triple = (URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal(1))
    assert store.replace_graph(ds, G, [triple]) == 1
    assert len(ds) == 1 and triple in ds


def test_reload_is_idempotent(ds):
    first = store.union(ds)
    store.load(ds, TTL, format="turtle", graph=G)
    assert isomorphic(store.union(ds), first)
    assert len(ds) == 8


def test_dump_is_deterministic_and_reloadable(ds, tmp_path):
    nt = store.dump(ds, tmp_path / "a.nt")
    again = store.dump(ds, tmp_path / "b.nt")
    assert nt.read_bytes() == again.read_bytes()
    ttl = store.dump(ds, tmp_path / "a.ttl")
    jsonld = store.dump(ds, tmp_path / "a.jsonld", format="json-ld")
    reread = [store.open_dataset("memory") for _ in range(3)]
    for d, path in zip(reread, (nt, ttl, jsonld)):
        store.load(d, path, graph=G)
    assert isomorphic(store.union(reread[0]), store.union(reread[1]))
    assert isomorphic(store.union(reread[0]), store.union(reread[2]))
    assert len(reread[2]) == 8


def test_on_disk_store_keeps_data(tmp_path):
    d = store.open_dataset("oxigraph", tmp_path / "db")
    store.load(d, TTL, format="turtle", graph=G)
    del d
    import gc

    gc.collect()
    again = store.open_dataset("oxigraph", tmp_path / "db")
    assert len(again) == 8


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        store.load(store.open_dataset(), tmp_path / "missing.ttl")
    with pytest.raises(StoreError, match="unknown RDF format"):
        store.load(store.open_dataset(), b"x", format="csv")
    with pytest.raises(StoreError, match="unknown store"):
        store.open_dataset("postgres")


BIG_NT = b"".join(b"<http://ex.org/s%d> <http://ex.org/p> \"v%d\"@en .\n" % (i, i) for i in range(2000))


@pytest.mark.parametrize("fresh", [True, False])
def test_big_loads_check_strictly_beside_the_lenient_insert(monkeypatch, fresh):
    # Above the bulk threshold Oxigraph inserts leniently while another thread parses
    # strictly: an invalid IRI, which the lenient parser lets through, must still fail the
    # load, name its line and leave the store as it was.
    monkeypatch.setattr(store.dataset, "_BULK_THRESHOLD", 0)
    ds = store.open_dataset()
    if not fresh:
        store.load(ds, TTL, format="turtle", graph=G)
    before = store.union(ds)
    bad = BIG_NT + b"<http://ex.org/a> <http://ex.org/p> <http://ex.org/b^c> .\n" + BIG_NT
    with pytest.raises(InputError) as err:
        store.load(ds, bad, format="nt", graph=G)
    assert ":2001:" in str(err.value) and "IRI" in str(err.value)
    assert isomorphic(store.union(ds), before)
    assert store.oxigraph(ds).contains_named_graph(ox.NamedNode(G)) is not fresh  # a failed new graph is not left behind


@pytest.mark.parametrize("on_disk", [False, True])
def test_big_load_counts_and_matches_the_strict_load(monkeypatch, tmp_path, on_disk):
    # in memory the lenient insert is Store.load (no batch of parsed quads held); on disk, the bulk loader
    path = tmp_path / "big.nt"
    path.write_bytes(BIG_NT + BIG_NT)  # duplicates count once
    strict = store.open_dataset()
    assert store.load(strict, path, graph=G) == 2000
    monkeypatch.setattr(store.dataset, "_BULK_THRESHOLD", 0)
    checked = store.open_dataset("oxigraph", tmp_path / "store") if on_disk else store.open_dataset()
    assert store.load(checked, path, graph=G) == 2000
    assert store.load(checked, path, graph=G) == 2000  # replacing an existing graph goes through staging
    assert isomorphic(store.union(checked), store.union(strict))


def test_oxigraph_dump_is_sorted_distinct_and_reloads_to_the_same_graph(tmp_path):
    ds = store.open_dataset()
    store.load(ds, TTL, format="turtle", graph=G)
    store.load(ds, TTL, format="turtle", graph=G + "2")  # the same triples in a second graph
    ds.default_graph.add((URIRef("http://ex.org/d"), URIRef("http://ex.org/p"), Literal('dé\n"q"\\')))
    nt = store.dump(ds, tmp_path / "a.nt").read_bytes().splitlines()
    assert nt == sorted(set(nt)) and len(nt) == 9  # union of the graphs, each triple once
    nq = store.dump(ds, tmp_path / "a.nq").read_bytes().splitlines()
    assert nq == sorted(set(nq)) and len(nq) == 17
    mem = store.open_dataset("memory")
    store.load(mem, tmp_path / "a.nq")
    assert isomorphic(store.union(mem), store.union(ds))


# --- literals kept as written; the memory store parses with Oxigraph ----------------------


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")
def test_from_oxigraph_keeps_literals_as_written() -> None:
    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    assert str(store.from_oxigraph(ox.Literal("maybe", datatype=boolean))) == "maybe"
    assert str(store.from_oxigraph(ox.Literal("01", datatype=integer))) == "01"
    ds = store.open_dataset()
    maybe = store.from_oxigraph(ox.Literal("maybe", datatype=boolean))
    ds.graph(URIRef("http://ex.org/g")).add((URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), maybe))
    assert [str(o) for _, _, o in store.union(ds)] == ["maybe"]
    assert [str(q[2]) for q in store.quads(ds)] == ["maybe"]
    assert [str(o) for _, _, o in store.to_memory(ds).triples((None, None, None))] == ["maybe"]
    assert [str(row[0]) for row in store.select(ds, "SELECT ?o WHERE { ?s ?p ?o }")[1]] == ["maybe"]


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_the_memory_store_keeps_literals_as_written(fmt: str) -> None:
    ds = store.open_dataset("memory")
    data = '<http://ex.org/a> <http://ex.org/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n<http://ex.org/a> <http://ex.org/p> "1E0"^^<http://www.w3.org/2001/XMLSchema#double> .'
    assert store.load(ds, data.encode(), format=fmt, graph="http://ex.org/g") == 2
    assert sorted(str(q[2]) for q in store.quads(ds)) == ["01", "1E0"]


@pytest.mark.parametrize(
    "fmt,data,line",
    [
        ("turtle", b'@prefix : <http://ex.org/> .\n:a :p :b .\n"lit" :p :o .', 3),
        ("nt", b"<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> .\n<http://ex.org/a\n> <http://ex.org/p> <http://ex.org/b> .", 2),
        ("turtle", b'<http://ex.org/a> <http://ex.org/p> "\\ud800" .', 1),
        ("nquads", b"<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> <http://ex.org/g> .\n_::a <http://ex.org/p> <http://ex.org/b> .", 2),
        ("trig", b"<http://ex.org/g> { <http://ex.org/a> <http://ex.org/p> <http://ex.org/b> }\n<http://ex.org/g2> { <http://ex.org/a b> <http://ex.org/p> 1 }", 2),
    ],
    ids=["literal-subject", "iri-line-break", "lone-surrogate", "bnode-colon", "iri-space"],
)
def test_the_memory_store_refuses_invalid_rdf_all_or_nothing(fmt: str, data: bytes, line: int) -> None:
    ds = store.open_dataset("memory")
    ds.graph(URIRef("http://ex.org/g")).add((URIRef("http://ex.org/s"), URIRef("http://ex.org/p"), Literal("before")))
    before = set(store.quads(ds))
    for graph in (None, "http://ex.org/g", "http://ex.org/new"):
        with pytest.raises(InputError) as info:
            store.load(ds, data, format=fmt, graph=graph)
        assert info.value.line == line, str(info.value)
        assert set(store.quads(ds)) == before
