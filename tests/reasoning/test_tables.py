"""The columnar rule engine: the same inferences as the rules run as SPARQL, on every kind of term."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import pytest
from rdflib import Graph

from clustergraph import store
from clustergraph.errors import ReasonerError
from clustergraph.namespaces import CG, GRAPH
from clustergraph.reasoning import rules
from clustergraph.reasoning.tables import Pattern, TripleTable, split_ntriples, unique

FIXTURE = Path(__file__).parent / "fixtures" / "seeds.ttl"

#: Terms that N-Triples escapes, blank nodes, language tags, typed literals, a reflexive and a symmetric collaboration, a transitive chain through
#: blank nodes, a coordinator through the property chains, an ontology individual.
TRICKY = r"""
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix id: <https://w3id.org/clustergraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
id:organisation\/a a cg:ClusterOrganisation ;
    rdfs:label "A \"quoted\" name .\n second line"@en , "tab\there" , "unicode é ✓ \u0001" ;
    cg:collaboratesWith id:organisation\/a , id:organisation\/b ;
    cg:website "http://example.org/a b"^^xsd:anyURI ;
    cg:pic "1"^^xsd:integer , "one"^^<urn:type> .
id:organisation\/b a cg:Organisation ; cg:country <http://publications.europa.eu/resource/authority/country/DEU> .
_:b1 cg:partOf _:b2 . _:b2 cg:partOf _:b3 . _:b3 cg:partOf id:cluster\/x .
id:project\/p a cg:Project ; cg:involves id:participation\/1 , id:participation\/2 , _:part .
id:participation\/1 a cg:Participation ; cg:participant id:organisation\/a ; cg:role cg:Coordinator .
id:participation\/2 cg:participant id:organisation\/b ; cg:role cg:Partner .
_:part cg:participant _:anonymous .
_:anonymous cg:country <http://publications.europa.eu/resource/authority/country/FRA> .
id:award\/g a cg:LabelAward ; cg:holder id:organisation\/a ; cg:level cg:Gold .
cg:Gold cg:awardedBy id:organisation\/b .
"""


def _inferred(graph: Graph, engine: str) -> tuple[set[tuple[str, str, str]], int]:
    onto = rules.ontology_graph()
    work = rules.Workspace.of(graph)
    run = work.run(rules.compile_rules(onto), engine=engine)
    work.tidy(onto)
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in work.quads()}, run.triples


def _same(graph: Graph) -> set[tuple[str, str, str]]:
    columns, found_columns = _inferred(graph, "columns")
    sparql, found_sparql = _inferred(graph, "sparql")
    assert columns == sparql, (sorted(columns - sparql)[:5], sorted(sparql - columns)[:5])
    assert found_columns == found_sparql  # the same triples found before tidying, too
    return columns


def test_same_inferences_as_sparql_on_the_seeds():
    assert len(_same(Graph().parse(FIXTURE))) > 100


def test_same_inferences_as_sparql_on_the_embedded_dataset(embedded):
    assert len(_same(embedded)) == 379


def test_same_inferences_as_sparql_on_awkward_terms():
    graph = Graph().parse(data=TRICKY, format="turtle")
    out = _same(graph)
    a, b = "<https://w3id.org/clustergraph/id/organisation/a>", "<https://w3id.org/clustergraph/id/organisation/b>"
    assert (b, f"<{CG.collaboratesWith}>", a) in out  # symmetric
    assert (a, f"<{CG.collaboratesWith}>", a) not in out  # never reflexive
    assert any(p == f"<{CG.partOf}>" and o.endswith("cluster/x>") and s.startswith("_:") for s, p, o in out)  # transitive, blank nodes
    assert (a, "<https://schema.org/identifier>", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>') in out  # typed literals kept
    assert (a, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{CG.GoldLabelledCluster}>") in out
    assert not [t for t in out if t[0] == f"<{CG.Gold}>"]  # nothing about the ontology's own terms


def test_same_inferences_as_sparql_on_a_synthetic_graph(tmp_path):
    from clustergraph.generate import generate

    path = tmp_path / "g.nt"
    generate(path, organisations=60, projects=150, seed=5)
    graph = store.open_dataset()
    store.load(graph, path, graph="urn:test:synthetic")
    assert len(_same(graph)) > 5000


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_materialise_equals_the_plain_path(kind):
    ds = store.open_dataset(kind)
    store.load(ds, TRICKY.encode(), format="turtle", graph="urn:test:tricky")
    plain, _ = _inferred(ds, "sparql")
    got = {(str(store.to_oxigraph(s)), str(store.to_oxigraph(p)), str(store.to_oxigraph(o))) for s, p, o in rules.materialise(ds)}
    assert got == plain
    # blank nodes in the inferences are the data's own, not new ones
    asserted = {str(store.to_oxigraph(t)) for s, p, o, g in store.quads(ds) if g != GRAPH.inferred for t in (s, o)}
    blanks = {t for triple in got for t in triple if t.startswith("_:")}
    assert blanks and blanks <= asserted


def test_a_failed_run_leaves_no_part_of_the_inferred_graph():
    ds = store.open_dataset()
    store.load(ds, FIXTURE, graph="urn:test:seeds")
    rules.materialise(ds)
    broken = rules.Rule("broken", "defined", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(", reads=None)
    work = rules.Workspace.inside(ds)
    with pytest.raises(ReasonerError, match="rule broken failed"):
        work.run([*rules.compile_rules(), broken])
    assert len(ds.graph(GRAPH.inferred)) == 0
    assert len(store.union(ds)) > 0


def test_unknown_engine_is_refused():
    work = rules.Workspace.of(Graph())
    with pytest.raises(ReasonerError, match="unknown rule engine"):
        work.run([], engine="magic")


# --- the table itself -------------------------------------------------------------


def test_split_ntriples_keeps_terms_whole():
    data = ox.serialize(
        [ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal('a "b" .\n c\td', language="en")), ox.Triple(ox.BlankNode("x"), ox.NamedNode("urn:p"), ox.Literal("1", datatype=ox.NamedNode("urn:t")))],
        format=ox.RdfFormat.N_TRIPLES,
    )
    rows = split_ntriples(data).tolist()
    assert [r[0] for r in rows] == [b"<urn:a>", b"_:x"]
    assert rows[0][2] == b'"a \\"b\\" .\\n c\\td"@en' and rows[1][2] == b'"1"^^<urn:t>'
    with pytest.raises(ValueError):
        split_ntriples(b"<urn:a> <urn:p> <urn:b>\n")


def test_joins_match_a_nested_loop():
    """A three-premise chain on random triples, against the same join written as loops."""
    rng = random.Random(7)
    triples = {(rng.randrange(30), p, rng.randrange(30)) for p in (100, 101, 102) for _ in range(150)}
    text = "".join(f"<urn:n{s}> <urn:p{p}> <urn:n{o}> .\n" for s, p, o in triples).encode()
    table = TripleTable()
    table.add_ntriples(text)
    chain = Pattern(("?p1", "?p2", "?p3"), (("?a", "?p1", "?b"), ("?b", "?p2", "?c"), ("?c", "?p3", "?d")), (("?a", b"<urn:q>", "?d"),), different=(("?a", "?d"),))
    found = table.evaluate(chain, table.rows([(b"<urn:p100>", b"<urn:p101>", b"<urn:p102>")]))
    got = {(table.terms[k >> 32], table.terms[k & 0xFFFFFFFF]) for keys in found.keys.values() for k in keys.tolist()}
    by = {p: [(s, o) for s, q, o in triples if q == p] for p in (100, 101, 102)}
    expected = {
        (f"<urn:n{a}>".encode(), f"<urn:n{d}>".encode())
        for (a, b), (b2, c), (c2, d) in itertools.product(by[100], by[101], by[102])
        if b == b2 and c == c2 and a != d
    }
    assert got == expected and len(expected) > 100
    # semi-naive: each premise read from a batch alone finds a part of it, together all of it
    again = table.evaluate(chain, table.rows([(b"<urn:p100>", b"<urn:p101>", b"<urn:p102>")]), delta=found, premise=0)
    assert again.size == 0  # no triple of <urn:q> feeds the chain


def test_only_new_triples_are_added():
    table = TripleTable()
    first = table.add_ntriples(b"<urn:a> <urn:p> <urn:b> .\n<urn:a> <urn:p> <urn:b> .\n")
    second = table.add_ntriples(b"<urn:a> <urn:p> <urn:b> .\n<urn:a> <urn:p> <urn:c> .\n")
    assert (first.size, second.size, table.size) == (1, 1, 2)
    assert table.ntriples(second) == b"<urn:a> <urn:p> <urn:c> .\n"
    assert unique(np.array([5, 5, 1], dtype=np.int64)).tolist() == [1, 5]
