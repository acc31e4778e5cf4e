"""Validation in a remote store, on both real servers: shapes the compiler cannot translate too.

The compiled checks run on the endpoint; the shapes the compiler leaves to pySHACL are
validated on their focus nodes' neighbourhoods, fetched by CONSTRUCT
(:func:`clustergraph.validation.sparql.remote.neighbourhood`). Either way the findings
are the ones local validation gives.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from rdflib import RDF, Graph

from clustergraph.query.execution import open_data
from clustergraph.store.endpoint import RemoteQueries
from clustergraph.store.remote import Endpoint, open_remote
from clustergraph.store.dataset import union
from clustergraph.store.upload import push
from clustergraph.validation.engine import add_ontology_context, ontology_graph
from clustergraph.validation.sparql.compilation import compile_shapes
from clustergraph.validation.sparql.execution import validate_sparql
from clustergraph.validation.sparql.remote import neighbourhood
from sparql_servers import server_endpoint

pytestmark = pytest.mark.virtuoso

UNCOMPILED = Path(__file__).parent / "fixtures" / "uncompiled.ttl"
GRAPH = "urn:test:remote-validation"


@pytest.fixture(scope="module")
def local():
    return open_data()


@pytest.fixture(scope="module")
def uncompiled():
    shapes = Graph().parse(UNCOMPILED)
    context = Graph()
    add_ontology_context(context, ontology_graph(None, shipped=True))
    return shapes, compile_shapes(shapes), context


@pytest.fixture(scope="module", params=["virtuoso", "oxigraph"])
def endpoint(request, local):
    """The embedded dataset's triples pushed into one graph of each server (one upload keeps it quick); the endpoint names that graph."""
    server = request.getfixturevalue("virtuoso" if request.param == "virtuoso" else "oxigraph_server")
    ep = server_endpoint(server, timeout=60)
    push(union(local), ep, GRAPH)
    return Endpoint(ep.url, update_url=ep.update_url, graph_store_url=ep.graph_store_url, user=ep.user, password=ep.password, timeout=60, graphs=(GRAPH,))


def key(results):
    return sorted((str(r.focus), str(r.path), str(r.severity), str(r.source_shape), str(r.component), str(r.value), r.message) for r in results)


def quiet_validate(data, shapes, plan, context):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pySHACL warns about the recursion it backs out of
        return validate_sparql(data, shapes, plan=plan, context=context)


def test_the_fixture_shapes_do_not_compile_and_find_something(uncompiled, local):
    shapes, plan, context = uncompiled
    assert set(map(str, plan.fallback)) == {"urn:test:uncompiled:Project", "urn:test:uncompiled:Organisation", "urn:test:uncompiled:Statistic"}
    assert plan.checks  # ex:Titled compiles
    found = quiet_validate(local, shapes, plan, context).results
    tops = {str(r.focus).split("/id/")[1].split("/")[0] for r in found}
    components = {str(r.component).split("#")[1] for r in found}
    assert {"project", "organisation", "event"} <= tops
    assert {"MinCountConstraintComponent", "NodeConstraintComponent", "DatatypeConstraintComponent", "MaxCountConstraintComponent"} <= components


def test_uncompiled_shapes_in_the_store_find_what_local_validation_finds(endpoint, local, uncompiled):
    """Recursion, an inverse and a sequence path, SHACL-SPARQL inside sh:node: pySHACL on neighbourhoods, the local findings."""
    shapes, plan, context = uncompiled
    expected = quiet_validate(local, shapes, plan, context)
    got = quiet_validate(open_remote(endpoint), shapes, plan, context)
    assert got.fallback.keys() == expected.fallback.keys()
    assert len(expected.results) > 30 and key(got.results) == key(expected.results)


def test_a_neighbourhood_is_what_the_shapes_reach_not_the_whole_store(endpoint, local, uncompiled):
    shapes, plan, _ = uncompiled
    native = RemoteQueries(endpoint)
    project = neighbourhood(native, shapes, {next(s for s in plan.fallback if str(s).endswith("Project"))}, batch=3)
    subjects = {q.subject.value.split("/id/")[-1].split("/")[0] for q in project if "/id/" in q.subject.value}
    assert {"project", "participation", "organisation"} <= subjects
    assert "statistic" not in subjects and "sector" not in subjects  # not reached by the shape's paths
    assert 0 < len(project) < len(list(local.quads((None, None, None, None)))) / 2
    # a node reached only backwards (sh:inversePath cg:project) brings its own triples
    assert any(q.predicate.value.endswith("#participant") for q in project)


def test_checks_run_here_share_predicate_extents_and_page_past_a_result_cap(endpoint, local):
    """A server that caps its answers (Virtuoso's ResultSetMaxRows) is asked again in pages; each predicate is fetched once."""
    from clustergraph.validation.sparql.remote import Extents

    class Capped(RemoteQueries):  # the real server, its CONSTRUCT answers cut to 50 triples as a capping server cuts them
        def query(self, query, **kwargs):
            answer = super().query(query, **kwargs)
            return answer[:50] if query.lstrip().startswith("CONSTRUCT") else answer

    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    capped = Capped(endpoint)
    extents = Extents(capped)
    store = extents.covering({rdf_type, "urn:test:not-a-predicate"})
    expected = {(s, o) for s, _, o in local.triples((None, RDF.type, None))}
    assert len(store) == len(expected) > 300
    before = capped.requests
    assert extents.covering({rdf_type}) is store and capped.requests == before  # asked once
