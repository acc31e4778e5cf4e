"""Data in a store's own default graph (a dump loaded without a graph name): found, and every stage reads it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clustergraph import store
from clustergraph.cli import main
from clustergraph.query.execution import open_data, run
from clustergraph.store.location import download
from clustergraph.store.remote import DEFAULT, Endpoint, data_graphs, open_remote, request, sparql
from clustergraph.store.upload import ntriples, push_graphs
from sparql_servers import server_endpoint

pytestmark = pytest.mark.virtuoso

INFERRED = "https://w3id.org/clustergraph/graph/inferred"


@pytest.fixture(scope="module")
def local():
    return open_data()


@pytest.fixture(scope="module")
def in_default(tmp_path_factory, local):
    """A fresh Oxigraph server whose default graph holds the embedded dataset (every graph merged), and no named graph."""
    from oxigraph_server import OxigraphServer, executable

    if executable() is None:
        pytest.skip("the oxigraph command is not installed")
    server = OxigraphServer.start(tmp_path_factory.mktemp("oxigraph-default"))
    try:
        ep = server_endpoint(server, timeout=60)
        lines, _ = ntriples(local)
        request(ep, "PUT", ep.graph_store_url, params={"default": ""}, data=("\n".join(lines) + "\n").encode(), headers={"Content-Type": "application/n-triples"})
        yield server, ep
    finally:
        server.stop()


def test_the_default_graph_is_found_and_queried(in_default, local):
    server, ep = in_default
    assert data_graphs(ep) == (DEFAULT,)
    expected = sorted(map(str, run(local, "projects-per-call").records()))
    assert sorted(map(str, run(open_remote(ep), "projects-per-call").records())) == expected
    assert sorted(map(str, run(open_remote(ep, graphs=["default"]), "projects-per-call").records())) == expected
    out = CliRunner().invoke(main, ["query", "projects-per-call", "--endpoint", ep.url, "--graph", "default", "--format", "csv"], env={"CLUSTERGRAPH_CONFIG": ""})
    assert out.exit_code == 0 and len(out.stdout.strip().splitlines()) == len(expected) + 1, out.output


def test_network_and_download_read_the_default_graph(in_default, local):
    from clustergraph.network import collaboration_graph

    _, ep = in_default
    mine, theirs = collaboration_graph(local), collaboration_graph(open_remote(ep))
    assert sorted(mine.nodes) == sorted(theirs.nodes) and mine.number_of_edges() == theirs.number_of_edges() > 0
    copy = download(ep)
    assert len(store.oxigraph(copy)) == len(ntriples(local)[0])


def test_rules_in_the_store_read_the_default_graph(in_default, local):
    from clustergraph.reasoning.remote import infer_in_store
    from clustergraph.reasoning.rules import infer

    _, ep = in_default
    first = infer_in_store(ep)
    got = {tuple(r) for r in sparql(ep, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}", graphs=(INFERRED,))}
    assert got == set(infer(local)) and first.triples == len(got)
    assert data_graphs(ep) == (DEFAULT,), "the inferred graph beside the default graph is not taken for the data"
    assert [str(r[0]) for r in sparql(ep, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")] == [INFERRED], "no temporary graph is left"


def test_cli_validate_reads_the_default_graph(in_default, tmp_path):
    _, ep = in_default
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "<urn:test:shape> a sh:NodeShape ; sh:targetClass cg:Project ; sh:property [ sh:path cg:nothingLikeThis ; sh:minCount 1 ] .\n"
    )
    out = CliRunner().invoke(main, ["validate", "--endpoint", ep.url, "--shapes", str(shapes), "--format", "json"], env={"CLUSTERGRAPH_CONFIG": ""})
    assert out.exit_code == 1 and "MinCountConstraintComponent" in out.stdout, out.output


def test_virtuoso_default_graph_is_the_union(virtuoso):
    """On Virtuoso the default graph is the union of every graph: it lists its graphs (no default-graph mode), and --graph default reads them all."""
    ep = server_endpoint(virtuoso, timeout=60)
    mine = store.open_dataset()
    store.load(mine, b"<urn:test:vd> <urn:test:p> 1, 2, 3 .", format="turtle", graph="urn:test:vdefault")
    push_graphs(mine, ep)
    assert "urn:test:vdefault" in data_graphs(ep) and DEFAULT not in data_graphs(ep)
    rows = list(open_remote(Endpoint(ep.url, timeout=60, graphs=(DEFAULT,))).query("SELECT ?o WHERE { <urn:test:vd> <urn:test:p> ?o }"))
    assert sorted(int(r[0]) for r in rows) == [1, 2, 3]


def test_cli_publish_copies_the_default_graph(in_default, tmp_path):
    _, ep = in_default
    out = CliRunner().invoke(main, ["publish", "--endpoint", ep.url, "--out", str(tmp_path / "site")], env={"CLUSTERGRAPH_CONFIG": ""})
    assert out.exit_code == 0 and "resource pages" in out.stdout, out.output
    assert (tmp_path / "site" / "void.ttl").is_file()
