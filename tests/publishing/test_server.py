"""`clustergraph serve`: a SPARQL 1.1 Protocol endpoint on loopback, read-only by default."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from clustergraph import store
from clustergraph.cli import main
from clustergraph.errors import ClusterGraphError
from clustergraph.listener import check_host
from clustergraph.publishing.server import Server
from clustergraph.query import execution as query
from clustergraph.store.remote import open_remote


@pytest.fixture(scope="module")
def served():
    data = query.open_data()
    with Server(data) as server:
        yield server, data


def get(url: str, sparql: str, accept: str) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": sparql}), headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as res:
        return res.status, res.headers["Content-Type"], res.read()


COUNT = "PREFIX cg: <https://w3id.org/clustergraph/ontology#> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a cg:Project }"


def test_answers_the_sparql_protocol(served):
    server, _ = served
    assert server.url.startswith("http://127.0.0.1:")
    status, ctype, body = get(server.url, COUNT, "application/sparql-results+json")
    assert status == 200 and ctype.startswith("application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "13"
    status, ctype, body = get(server.url + "sparql", COUNT, "text/csv")
    assert ctype.startswith("text/csv") and list(csv.reader(io.StringIO(body.decode())))[1] == ["13"]
    form = urllib.parse.urlencode({"query": COUNT}).encode()
    req = urllib.request.Request(server.url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as res:
        assert json.loads(res.read())["results"]["bindings"][0]["n"]["value"] == "13"


def test_library_queries_through_the_endpoint_equal_local_ones(served):
    server, data = served
    remote = open_remote(server.url, timeout=10)
    for name, params in [("projects-per-call", {}), ("eu-contribution-by-country", {}), ("labels-on-date", {}), ("label-progression", {}), ("holds-label", {"organisation": "cgid:organisation/ditenave"})]:
        local, far = query.run(data, name, params), query.run(remote, name, params)
        assert (far.boolean, sorted(far.rows)) == (local.boolean, sorted(local.rows)), name
    assert len(query.run(remote, "collaboration-network").graph) == len(query.run(data, "collaboration-network").graph)


def test_refuses_updates_by_default(served):
    server, data = served
    before = len(store.union(data))
    update = b"INSERT DATA { <urn:test:a> <urn:test:p> <urn:test:o> }"
    for body, ctype in ((update, "application/sparql-update"), (urllib.parse.urlencode({"update": update.decode()}).encode(), "application/x-www-form-urlencoded")):
        req = urllib.request.Request(server.url, data=body, headers={"Content-Type": ctype})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        assert err.value.code == 403
    with pytest.raises(urllib.error.HTTPError) as err:
        get(server.url, update.decode(), "application/sparql-results+json")
    assert err.value.code == 400
    assert len(store.union(data)) == before


def test_writable_when_asked():
    with pytest.raises(ClusterGraphError, match="a writable endpoint needs the Oxigraph store"):
        Server(store.open_dataset("memory"), writable=True)
    data = store.open_dataset()
    with Server(data, writable=True) as server:
        req = urllib.request.Request(server.url, data=b"INSERT DATA { <urn:test:a> <urn:test:p> <urn:test:o> }", headers={"Content-Type": "application/sparql-update"})
        with urllib.request.urlopen(req, timeout=10) as res:
            assert res.status in (200, 204)
        status, _, body = get(server.url, "ASK { <urn:test:a> ?p ?o }", "application/sparql-results+json")
        assert json.loads(body)["boolean"] is True
        bad = urllib.request.Request(server.url, data=b"INSERT DATA { <urn:x> }", headers={"Content-Type": "application/sparql-update"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(bad, timeout=10)
        assert err.value.code == 400
        # a remote store's data is its named graphs (clustergraph names them in every query,
        # since servers disagree on the default graph): what a client adds goes in a graph
        req = urllib.request.Request(server.url, data=b"INSERT DATA { GRAPH <urn:test:g> { <urn:test:b> <urn:test:p> <urn:test:o> } }", headers={"Content-Type": "application/sparql-update"})
        with urllib.request.urlopen(req, timeout=10) as res:
            assert res.status in (200, 204)
        remote = open_remote(server.url, timeout=10)
        assert query.run(remote, "ASK { <urn:test:b> ?p ?o }").boolean is True


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_refuses_non_loopback_hosts(host):
    with pytest.raises(ClusterGraphError, match=f"refusing to listen on {host}"):
        check_host(host)
    assert check_host(host, allow_public=True) == host
    out = CliRunner().invoke(main, ["serve", "--host", host, "--port", "0"])
    assert out.exit_code == 2
    assert out.output.strip().splitlines() == [
        f"clustergraph: error: refusing to listen on {host}: it is reachable from other machines and the endpoint has no authentication; "
        "fix: serve on 127.0.0.1 (the default), or pass --public (allow_public=True) if you mean it"
    ]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_are_fine(host):
    assert check_host(host) == host
