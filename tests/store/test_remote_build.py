"""``build`` into a remote store, from the command line and from Python, on a server of its own.

These tests replace the provenance graph of the store they write to, so they get their
own Oxigraph server instead of the session's (whose graphs other tests compare).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clustergraph.cli import main
from clustergraph.store.remote import sparql, update
from sparql_servers import server_endpoint

ONTOLOGY = "https://w3id.org/clustergraph/graph/ontology"
ASK_ONTOLOGY = f"ASK {{ GRAPH <{ONTOLOGY}> {{ <https://w3id.org/clustergraph/ontology#Gold> <https://w3id.org/clustergraph/ontology#rank> ?r }} }}"


@pytest.fixture(scope="module")
def server(oxigraph_server, tmp_path_factory):
    """A second ``oxigraph serve`` (the session's one proves the command is installed)."""
    from oxigraph_server import OxigraphServer

    own = OxigraphServer.start(tmp_path_factory.mktemp("build-server"))
    try:
        yield own
    finally:
        own.stop()


def test_cli_build_and_push_send_the_ontology_in_its_own_graph(server, tmp_path):
    """build --endpoint wrote the data without the ontology, so validation in the store then
    needed write access for a temporary ontology graph; push --data did the same."""
    source = tmp_path / "one.ttl"
    source.write_text('<https://w3id.org/clustergraph/id/organisation/built> a <https://w3id.org/clustergraph/ontology#ClusterOrganisation> .\n')
    ep = server_endpoint(server)
    assert not sparql(ep, ASK_ONTOLOGY)
    for command in (["build", "--out", str(tmp_path / "out"), "--no-validate", "--no-network"], ["push"]):
        out = CliRunner().invoke(main, [*command, "--data", str(source), "--endpoint", ep.url, "--update-endpoint", ep.update_url, "--graph-store-endpoint", ep.graph_store_url], env={"CLUSTERGRAPH_CONFIG": ""})
        assert out.exit_code == 0, out.output
        assert sparql(ep, ASK_ONTOLOGY), command
        update(ep, f"DROP SILENT GRAPH <{ONTOLOGY}>")


def test_build_from_python_writes_into_the_store(server, tmp_path):
    from clustergraph import build

    source = tmp_path / "two.ttl"
    source.write_text('<https://w3id.org/clustergraph/id/organisation/from-python> a <https://w3id.org/clustergraph/ontology#ClusterOrganisation> .\n')
    ep = server_endpoint(server)
    result = build(None, sources=[source], validate=False, network=False, endpoint=ep)
    stored = {r.graph for r in result.stored}
    assert ONTOLOGY in stored and "https://w3id.org/clustergraph/graph/provenance" in stored
    assert result.summary(verbose=False)[-1] == f"stored {len(stored)} graphs ({sum(r.triples for r in result.stored)} triples) in {ep.url}"
    assert sparql(ep, "ASK { GRAPH ?g { <https://w3id.org/clustergraph/id/organisation/from-python> a ?c } }")
