"""Every stage on a remote store, on both real servers: the same answers as on a local copy."""

from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner

from clustergraph.cli import main
from clustergraph.errors import EndpointError
from clustergraph.query.execution import open_data
from clustergraph.store.remote import Endpoint, open_remote, sparql
from clustergraph.store.upload import push_graphs
from sparql_servers import server_endpoint

pytestmark = pytest.mark.virtuoso

INFERRED = "https://w3id.org/clustergraph/graph/inferred"


@pytest.fixture(scope="module")
def local():
    return open_data()


@pytest.fixture(scope="module", params=["virtuoso", "oxigraph"])
def loaded(request, local):
    """(server, endpoint) with the embedded dataset pushed graph by graph, once per server."""
    server = request.getfixturevalue("virtuoso" if request.param == "virtuoso" else "oxigraph_server")
    ep = server_endpoint(server, timeout=60)
    results = push_graphs(local, ep)
    graphs = sorted(r.graph for r in results)
    return server, Endpoint(ep.url, update_url=ep.update_url, graph_store_url=ep.graph_store_url, user=ep.user, password=ep.password, timeout=60, graphs=tuple(graphs))


def key(report):
    return sorted((str(f.focus), str(f.path), f.severity, str(f.constraint), str(f.value), f.message) for f in report.findings)


def test_push_keeps_every_named_graph(loaded, local):
    _, ep = loaded
    stored = {str(r[0]): int(r[1]) for r in sparql(ep, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", graphs=ep.graphs)}
    mine = {}
    for s, p, o, g in local.quads((None, None, None, None)):
        mine[str(g.identifier if hasattr(g, "identifier") else g)] = mine.get(str(g.identifier if hasattr(g, "identifier") else g), 0) + 1
    assert "https://w3id.org/clustergraph/graph/ontology" in stored and "https://w3id.org/clustergraph/graph/provenance" in stored
    assert stored == mine


def test_validation_in_the_store_finds_what_local_validation_finds(loaded, local, request):
    from clustergraph.validation.engine import validate

    server, ep = loaded
    if "virtuoso" in request.node.callspec.id:
        pytest.xfail("Virtuoso 7.2 answers 2 of the 100 compiled checks (minCount with OPTIONAL/BIND, qualifiedMinCount) differently; see ARCHITECTURE.md")
    remote = validate(open_remote(ep), engine="sparql")
    assert key(remote) == key(validate(local, engine="sparql"))


def test_cli_validate_endpoint_reports_instead_of_crashing(oxigraph_server, local):
    """The old spelling --store URL (it crashed with TypeError) and the new --endpoint, once: one run, a report."""
    ep = server_endpoint(oxigraph_server)
    graphs = sorted(str(g.identifier) for g in local.graphs() if str(g.identifier) != "urn:x-rdflib:default")
    push_graphs(local, ep)
    out = CliRunner().invoke(main, ["validate", "--store", ep.url, "--format", "json"] + [a for g in graphs for a in ("--graph", g)], env={"CLUSTERGRAPH_CONFIG": ""})
    assert out.exit_code in (0, 1) and "TypeError" not in out.output, out.output
    assert out.stdout.lstrip().startswith("{")


def test_rules_in_the_store_infer_what_local_rules_infer(loaded, local):
    from clustergraph.reasoning.remote import infer_in_store
    from clustergraph.reasoning.rules import infer

    _, ep = loaded
    first = infer_in_store(ep)
    again = infer_in_store(ep)  # replaces the inferred graph as a whole: the same triples, not twice as many
    got = {tuple(r) for r in sparql(ep, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}", graphs=(INFERRED,))}
    assert got == set(infer(local)) and first.triples == again.triples == len(got)
    assert not [r for r in sparql(ep, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }") if str(r[0]).startswith("urn:clustergraph:tmp:")]


def test_network_in_the_store_gives_the_same_graph(loaded, local):
    import networkx as nx

    from clustergraph.network import collaboration_graph

    _, ep = loaded
    mine, theirs = collaboration_graph(local), collaboration_graph(open_remote(ep))
    assert sorted(mine.nodes) == sorted(theirs.nodes)
    assert sorted((min(u, v), max(u, v), d.get("weight")) for u, v, d in mine.edges(data=True)) == sorted((min(u, v), max(u, v), d.get("weight")) for u, v, d in theirs.edges(data=True))
    assert nx.density(mine) == nx.density(theirs)


def test_a_server_killed_mid_push_leaves_each_graph_old_or_new(oxigraph_server):
    from clustergraph import store

    ep = server_endpoint(oxigraph_server, timeout=10)
    target = "urn:test:killed"

    def data(tag: str, n: int):
        ds = store.open_dataset()
        store.load(ds, "".join(f'<urn:test:s{i}> <urn:test:p> "{tag} {i}" .\n' for i in range(n)).encode(), format="nt", graph=target)
        return ds

    push_graphs(data("old", 500), ep)
    killer = threading.Timer(0.05, oxigraph_server.kill)
    killer.start()
    with pytest.raises(EndpointError) as err:
        for _ in range(200):
            push_graphs(data("new", 20000), ep, method="update", batch_size=200)
            time.sleep(0.01)
    killer.join()
    assert ep.url.split("/query")[0] in str(err.value) and "fix:" in str(err.value)
    assert len(str(err.value).splitlines()) == 1
    oxigraph_server.restart()
    values = {str(r[0]).split(" ")[0] for r in sparql(ep, f"SELECT ?o WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}", graphs=(target,))}
    count = len(list(sparql(ep, f"SELECT ?s WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}", graphs=(target,))))
    assert (values, count) in (({"old"}, 500), ({"new"}, 20000)), "the graph is the old or the new one, never a part"
