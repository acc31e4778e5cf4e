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


@pytest.fixture(scope="module")
def shapes_plan():
    """The shipped shapes compiled once, with the ontology context validation adds."""
    from rdflib import Graph

    from clustergraph.validation.engine import add_ontology_context, load_shapes, ontology_graph
    from clustergraph.validation.sparql.compilation import compile_shapes

    shapes = load_shapes(None)
    context = Graph()
    add_ontology_context(context, ontology_graph(None, shipped=True))
    return shapes, compile_shapes(shapes), context


def key(results):
    return sorted((str(r.focus), str(r.path), str(r.severity), str(r.component), str(r.value), r.message) for r in results)


@pytest.fixture(scope="module")
def sloppy(tmp_path_factory):
    """A sloppy file: a project without title, a bad comparator, a budget that is not a number."""
    path = tmp_path_factory.mktemp("sloppy") / "sloppy.ttl"
    path.write_text(
        "@prefix cg: <https://w3id.org/clustergraph/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/clustergraph/id/project/sloppy> a cg:Project ; cg:totalBudget \"12,x\"^^xsd:decimal ; cg:call <https://w3id.org/clustergraph/id/call/nowhere> .\n"
        "<https://w3id.org/clustergraph/id/statistic/sloppy> a cg:Statistic ; cg:comparator \"roughly\" ; cg:value \"many\" .\n"
        "<https://w3id.org/clustergraph/id/organisation/sloppy> a cg:ClusterOrganisation ; cg:country \"Spain\"@en .\n"
    )
    return path


def test_validation_in_the_store_finds_what_local_validation_finds(loaded, local, shapes_plan, sloppy):
    """The embedded dataset and a sloppy file: the findings of the compiled checks run in the store are the local ones."""
    from clustergraph import store
    from clustergraph.validation.sparql.execution import validate_sparql

    server, ep = loaded
    shapes, plan, context = shapes_plan
    remote = validate_sparql(open_remote(ep), shapes, plan=plan, context=context).results
    assert remote and key(remote) == key(validate_sparql(local, shapes, plan=plan, context=context).results)

    mine = store.open_dataset()
    store.load(mine, sloppy, graph="urn:test:sloppy")
    push_graphs(mine, server_endpoint(server))
    expected = validate_sparql(mine, shapes, plan=plan, context=context).results
    got = validate_sparql(open_remote(server_endpoint(server), graphs=["urn:test:sloppy"]), shapes, plan=plan, context=context).results
    assert len(expected) >= 3 and key(got) == key(expected)


def test_cli_validate_endpoint_reports_instead_of_crashing(oxigraph_server, tmp_path):
    """The old spelling --store URL crashed with TypeError; it and --endpoint now give a report (a small shapes file keeps it quick)."""
    from clustergraph import store

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "<urn:test:shape> a sh:NodeShape ; sh:targetClass cg:Project ; sh:property [ sh:path cg:acronym ; sh:minCount 1 ] .\n"
    )
    mine = store.open_dataset()
    store.load(mine, b"<urn:test:p1> a <https://w3id.org/clustergraph/ontology#Project> .", format="turtle", graph="urn:test:cli")
    ep = server_endpoint(oxigraph_server)
    push_graphs(mine, ep)
    for spelling in (["--store", ep.url], ["--endpoint", ep.url]):
        out = CliRunner().invoke(main, ["validate", *spelling, "--graph", "urn:test:cli", "--shapes", str(shapes), "--format", "json"], env={"CLUSTERGRAPH_CONFIG": ""})
        assert out.exit_code == 1 and "TypeError" not in out.output, out.output
        assert "urn:test:p1" in out.stdout and "MinCountConstraintComponent" in out.stdout


def test_cli_reports_an_unreachable_endpoint_in_one_line(tmp_path):
    from sparql_servers import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    for command in (["validate"], ["network", "--out", str(tmp_path / "n")], ["reason", "--reasoner", "rules"], ["publish", "--out", str(tmp_path / "s")]):
        out = CliRunner().invoke(main, [*command, "--endpoint", url], env={"CLUSTERGRAPH_CONFIG": ""})
        assert out.exit_code == 2, (command, out.output)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"clustergraph: error: cannot connect to {url}: connection refused; fix: "), (command, out.output)


def test_rules_in_the_store_infer_what_local_rules_infer(loaded, local):
    from clustergraph.reasoning.remote import infer_in_store
    from clustergraph.reasoning.rules import infer

    server, ep = loaded
    first = infer_in_store(ep)
    if server.user is None:  # once is enough on the slower server
        again = infer_in_store(ep)  # replaces the inferred graph as a whole: the same triples, not twice as many
        assert again.triples == first.triples
    got = {tuple(r) for r in sparql(ep, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}", graphs=(INFERRED,))}
    assert got == set(infer(local)) and first.triples == len(got)
    assert not [r for r in sparql(ep, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }") if str(r[0]).startswith("urn:clustergraph:tmp:")]


def test_network_in_the_store_gives_the_same_graph(loaded, local):
    import networkx as nx

    from clustergraph.network import collaboration_graph

    _, ep = loaded
    mine, theirs = collaboration_graph(local), collaboration_graph(open_remote(ep))
    assert sorted(mine.nodes) == sorted(theirs.nodes)
    assert sorted((min(u, v), max(u, v), d.get("weight")) for u, v, d in mine.edges(data=True)) == sorted((min(u, v), max(u, v), d.get("weight")) for u, v, d in theirs.edges(data=True))
    assert nx.density(mine) == nx.density(theirs)


@pytest.mark.parametrize("method", ["update", "gsp"])
def test_a_server_killed_mid_push_leaves_each_graph_old_or_new(oxigraph_server, method, monkeypatch):
    """SIGKILL in the middle of a push, through SPARQL Update or through Graph Store bodies bulk-loaded without a transaction."""
    from clustergraph import store
    from clustergraph.store import upload

    monkeypatch.setattr(upload, "GSP_CHUNK", 2000)  # several requests per graph

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
            push_graphs(data("new", 20000), ep, method=method, batch_size=200)
            time.sleep(0.01)
    killer.join()
    assert ep.url.split("/query")[0] in str(err.value) and "fix:" in str(err.value)
    assert len(str(err.value).splitlines()) == 1
    oxigraph_server.restart()
    values = {str(r[0]).split(" ")[0] for r in sparql(ep, f"SELECT ?o WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}", graphs=(target,))}
    count = len(list(sparql(ep, f"SELECT ?s WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}", graphs=(target,))))
    assert (values, count) in (({"old"}, 500), ({"new"}, 20000)), "the graph is the old or the new one, never a part"


def test_cli_import_writes_into_the_store_graph_by_graph(oxigraph_server, tmp_path):
    source = tmp_path / "extra.ttl"
    source.write_text('<https://w3id.org/clustergraph/id/organisation/extra> <http://www.w3.org/2000/01/rdf-schema#label> "Extra"@en .\n')
    ep = server_endpoint(oxigraph_server)
    args = ["import", "--data", str(source), "--endpoint", ep.url, "--update-endpoint", ep.update_url, "--graph-store-endpoint", ep.graph_store_url]
    out = CliRunner().invoke(main, args, env={"CLUSTERGRAPH_CONFIG": ""})
    assert out.exit_code == 0, out.output
    assert f"in {ep.url}" in out.stdout
    graphs = {str(r[0]) for r in sparql(ep, "SELECT DISTINCT ?g WHERE { GRAPH ?g { <https://w3id.org/clustergraph/id/organisation/extra> ?p ?o } }")}
    assert len(graphs) == 1 and "provenance" not in next(iter(graphs))
    again = CliRunner().invoke(main, args, env={"CLUSTERGRAPH_CONFIG": ""})  # the source graph is replaced, not added to
    assert again.exit_code == 0
    assert len(list(sparql(ep, f"SELECT ?p ?o WHERE {{ GRAPH <{next(iter(graphs))}> {{ <https://w3id.org/clustergraph/id/organisation/extra> ?p ?o }} }}"))) == 1


def test_network_metrics_in_the_store_are_the_local_ones(loaded, local):
    from clustergraph.network.metrics import analyse

    _, ep = loaded
    mine = analyse(local, None, metrics=False, seed=0)
    theirs = analyse(open_remote(ep), None, metrics=False, seed=0)
    assert theirs.summary == mine.summary and theirs.highlights == mine.highlights
    assert theirs.table.sort_index().equals(mine.table.sort_index())


def quads_of(ds) -> set[tuple[str, str, str, str]]:
    """Quads as text, blank nodes blanked out (labels differ between copies)."""
    from rdflib import BNode

    from clustergraph import store

    return {("_" if isinstance(s, BNode) else s.n3(), p.n3(), "_" if isinstance(o, BNode) else o.n3(), str(g)) for s, p, o, g in store.quads(ds)}


def test_download_gives_back_what_was_pushed(loaded, local):
    """Every graph comes back whole, also page by page (as after a server's cap on answers) and into rdflib's store."""
    from clustergraph import store
    from clustergraph.store.location import download

    server, ep = loaded
    expected = quads_of(local)
    whole = download(ep)
    assert quads_of(whole) == expected and len(store.oxigraph(whole)) == len(store.oxigraph(local))
    assert quads_of(download(ep, page=400)) == expected
    if server.user is None:  # the rdflib copy depends on nothing the server does: once is enough
        memory = download(ep, kind="memory")  # rdflib writes some literals its own way (dateTime): compare all but objects
        assert {q[:2] + q[3:] for q in quads_of(memory)} == {q[:2] + q[3:] for q in expected}
        assert len(list(store.quads(memory))) == len(store.oxigraph(local))
