"""A third SPARQL 1.1 server, with no code of its own in the client: ``clustergraph serve``.

The remote paths are written against the protocols, not against Virtuoso or Oxigraph's
server. ``clustergraph serve --writable`` is a third implementation of the SPARQL 1.1
Protocol (queries and updates at one URL, no Graph Store Protocol, a default graph that is
the union of the data graphs): push, validation in the store, the rules in the store and
the network give there what they give on a local copy.
"""

from __future__ import annotations

import pytest

from clustergraph.publishing.server import Server
from clustergraph.query.execution import open_data
from clustergraph.store import open_dataset
from clustergraph.store.remote import Endpoint, open_remote, sparql
from clustergraph.store.upload import push_graphs

INFERRED = "https://w3id.org/clustergraph/graph/inferred"


def key(results):
    return sorted((str(r.focus), str(r.path), str(r.severity), str(r.component), str(r.value), r.message) for r in results)


@pytest.fixture(scope="module")
def local():
    return open_data()


@pytest.fixture(scope="module")
def endpoint(local):
    """An empty writable ``clustergraph serve`` on loopback, filled by ``push_graphs`` through SPARQL Update."""
    with Server(open_dataset(), port=0, writable=True, timeout=120) as server:
        ep = Endpoint(server.url + "sparql", update_url=server.url + "sparql", timeout=120)
        pushed = push_graphs(local, ep)
        assert {r.method for r in pushed} == {"update"}  # no Graph Store URL: SPARQL Update it is
        yield Endpoint(ep.url, update_url=ep.update_url, timeout=120, graphs=tuple(sorted(r.graph for r in pushed)))


def test_push_keeps_every_graph(endpoint, local):
    counts = {str(g): int(n) for g, n in sparql(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    mine = {str(g.identifier): len(g) for g in local.graphs() if len(g)}
    assert counts == mine


def test_validation_in_the_store(endpoint, local):
    from rdflib import Graph

    from clustergraph.validation.engine import add_ontology_context, load_shapes, ontology_graph
    from clustergraph.validation.sparql.compilation import compile_shapes
    from clustergraph.validation.sparql.execution import validate_sparql

    shapes = load_shapes(None)
    context = Graph()
    add_ontology_context(context, ontology_graph(None, shipped=True))
    plan = compile_shapes(shapes)
    remote = validate_sparql(open_remote(endpoint), shapes, plan=plan, context=context).results
    assert remote and key(remote) == key(validate_sparql(local, shapes, plan=plan, context=context).results)


def test_rules_in_the_store(endpoint, local):
    from clustergraph.reasoning.remote import infer_in_store
    from clustergraph.reasoning.rules import infer

    result = infer_in_store(endpoint)
    got = {tuple(r) for r in sparql(endpoint, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}", graphs=(INFERRED,))}
    assert got == set(infer(local)) and result.triples == len(got)


def test_network_in_the_store(endpoint, local):
    from clustergraph.network import collaboration_graph

    mine, theirs = collaboration_graph(local), collaboration_graph(open_remote(endpoint))
    assert sorted(mine.nodes) == sorted(theirs.nodes)
    assert sorted((min(u, v), max(u, v), d.get("weight")) for u, v, d in mine.edges(data=True)) == sorted(
        (min(u, v), max(u, v), d.get("weight")) for u, v, d in theirs.edges(data=True))
