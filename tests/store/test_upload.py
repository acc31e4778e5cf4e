"""Uploading to a real Virtuoso: whole-graph replacement, and failed uploads that change nothing."""

from __future__ import annotations

import http.client
import http.server
import threading
from dataclasses import replace

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from clustergraph import store
from clustergraph.store import remote as endpoint
from clustergraph.store import upload as push
from clustergraph.query import execution as query
from clustergraph.cli import main
from clustergraph.store.remote import Endpoint, open_remote, request, sparql
from clustergraph.errors import EndpointError, StoreError

pytestmark = pytest.mark.virtuoso

TARGET = "https://w3id.org/clustergraph/graph/test-push"


@pytest.fixture
def ep(virtuoso) -> Endpoint:
    return Endpoint(virtuoso.sparql, update_url=virtuoso.update, graph_store_url=virtuoso.graph_store, user=virtuoso.user, password=virtuoso.password, timeout=30)


def dataset(n: int, tag: str):
    ds = store.open_dataset()
    lines = "".join(f'<urn:test:s{i}> <urn:test:p> "{tag} {i}" .\n' for i in range(n))
    store.load(ds, lines.encode(), format="nt", graph="urn:test:source")
    return ds


def content(ep: Endpoint, graph: str) -> set[tuple]:
    return {tuple(row) for row in sparql(ep, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")}


def graphs(ep: Endpoint) -> set[str]:
    return {str(row[0]) for row in sparql(ep, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}


def test_push_replaces_the_graph_as_a_whole(sparql_endpoint):
    ep = sparql_endpoint
    first = push.push(dataset(300, "first"), ep, TARGET)
    assert (first.triples, first.method) == (300, "gsp")
    second = push.push(dataset(120, "second"), ep, TARGET)
    got = content(ep, TARGET)
    assert second.triples == len(got) == 120
    assert all(str(o).startswith("second ") for _, _, o in got)
    assert not any(g.startswith("urn:clustergraph:upload:") for g in graphs(ep)), "no temporary graph is left"


@pytest.mark.parametrize("how", ["update", "auto-fallback"])
def test_push_through_sparql_update(sparql_endpoint, sparql_server, how):
    """Without the Graph Store protocol (none configured, or it answers 404), SPARQL Update does the same job."""
    ep, virtuoso = sparql_endpoint, sparql_server
    target = f"{TARGET}-{how}"
    if how == "update":
        result = push.push(query.open_data(), ep, target, method="update", batch_size=500)
    else:
        result = push.push(query.open_data(), replace(ep, graph_store_url=virtuoso.base + "/no-graph-store-here"), target)
    assert result.method == "update"
    remote = open_remote(ep, graph=target)
    # Whole decimals keep their datatype (Virtuoso's SPARQL parser would make "247283"^^xsd:decimal an integer):
    # the EU share divides as decimals, as on the local store.
    local_rows = query.run(query.open_data(), "projects-per-call").records()
    remote_rows = query.run(remote, "projects-per-call").records()
    assert sorted((r["acronym"], float(r["euShare"])) for r in remote_rows) == sorted((r["acronym"], float(r["euShare"])) for r in local_rows)
    assert len(content(ep, target)) == result.triples
    update_only = replace(ep, graph_store_url=None)
    assert push.push(dataset(5, "small"), update_only, target).method == "update"
    assert len(content(ep, target)) == 5


def test_blank_nodes_arrive_whole(sparql_endpoint):
    ep = sparql_endpoint
    ds = store.open_dataset("memory")
    store.load(ds, b"<urn:test:a> <urn:test:p> [ <urn:test:q> 1 ; <urn:test:r> [ <urn:test:s> 2 ] ] .", format="turtle", graph="urn:test:b")
    for method in ("gsp", "update"):
        push.push(ds, ep, f"{TARGET}-bnodes", method=method)
        rows = sparql(ep, f"SELECT ?v WHERE {{ GRAPH <{TARGET}-bnodes> {{ <urn:test:a> <urn:test:p>/<urn:test:r>/<urn:test:s> ?v }} }}")
        assert [int(r[0]) for r in rows] == [2], method


def test_wrong_credentials_leave_the_graph(ep):
    push.push(dataset(50, "kept"), ep, TARGET)
    with pytest.raises(EndpointError, match="refused the request as 'dba' \\(HTTP 401\\)"):
        push.push(dataset(10, "lost"), replace(ep, password="wrong"), TARGET)
    assert len(content(ep, TARGET)) == 50


class CuttingProxy:
    """A loopback proxy in front of Virtuoso that cuts the body of authenticated PUT requests.

    It forwards everything else unchanged. ``at_line_end`` cuts after a complete
    line (Virtuoso then loads fewer triples and answers 201); otherwise it cuts in
    the middle of a line (Virtuoso answers 500 after loading the lines before it).
    """

    def __init__(self, target_port: int, at_line_end: bool) -> None:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.command == "PUT" and "Authorization" in self.headers and len(body) > 100:
                    cut = len(body) // 2
                    cut = body.rindex(b"\n", 0, cut) + 1 if proxy.at_line_end else body.index(b'"', cut) + 3
                    body = body[:cut]
                    proxy.cuts += 1
                conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                conn.request(self.command, self.path, body=body, headers=headers)
                res = conn.getresponse()
                data = res.read()
                self.send_response(res.status, res.reason)
                for k, v in res.getheaders():
                    if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.at_line_end = at_line_end
        self.cuts = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "CuttingProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("at_line_end", [False, True], ids=["cut-mid-line", "cut-at-line-end"])
def test_a_failed_upload_leaves_the_previous_graph(ep, virtuoso, at_line_end):
    push.push(dataset(40, "previous"), ep, TARGET)
    before = content(ep, TARGET)
    new = dataset(2000, "new")
    with CuttingProxy(virtuoso.http_port, at_line_end) as proxy:
        through = Endpoint(proxy.base + "/sparql", update_url=proxy.base + "/sparql-auth", graph_store_url=proxy.base + "/sparql-graph-crud-auth", user="dba", password="dba", timeout=30)
        with pytest.raises(EndpointError) as err:
            push.push(new, through, TARGET)
        assert proxy.cuts == 1
        if at_line_end:
            assert "holds" in str(err.value) and "of the 2000 sent" in str(err.value)
        else:
            assert "HTTP 500" in str(err.value)
        assert content(ep, TARGET) == before, "the target graph is unchanged"
        assert not any(g.startswith("urn:clustergraph:upload:") for g in graphs(ep)), "the partial temporary graph was dropped"

        # Why push goes through a temporary graph: a direct Graph Store PUT cut the same way
        # replaces the target with part of the new data (Virtuoso 7.2 is not atomic here).
        lines, _ = push.ntriples(new)
        with pytest.raises(EndpointError) if not at_line_end else _no_error():
            request(through, "PUT", through.graph_store_url, params={"graph": TARGET}, data=("\n".join(lines) + "\n").encode(), headers={"Content-Type": "application/n-triples"})
        damaged = content(ep, TARGET)
        assert damaged != before and 0 < len(damaged) < 2000


class _no_error:  # noqa: N801 - a context manager that expects nothing
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_cli_push_with_credentials_from_the_endpoints_file(virtuoso, tmp_path, monkeypatch):
    config = tmp_path / "endpoints.toml"
    config.write_text(f'[endpoints.test]\nurl = "{virtuoso.sparql}"\nflavour = "virtuoso"\nuser = "{virtuoso.user}"\npassword = "{virtuoso.password}"\n')
    data = tmp_path / "data.ttl"
    data.write_text('<urn:test:x> <urn:test:p> "from a file" .\n')
    env = {endpoint.CONFIG_ENV: str(config), endpoint.USER_ENV: "", endpoint.PASSWORD_ENV: ""}
    out = CliRunner().invoke(main, ["push", "--endpoint", "test", "--graph", f"{TARGET}-cli", "--data", str(data)], env=env)
    assert out.exit_code == 0, out.output
    assert out.output.startswith(f"replaced <{TARGET}-cli> with 1 triples (gsp,")
    without = CliRunner().invoke(main, ["push", "--endpoint", virtuoso.sparql, "--flavour", "virtuoso", "--graph", f"{TARGET}-cli"], env={endpoint.CONFIG_ENV: str(tmp_path / "none.toml")})
    assert without.exit_code == 2 and "configuration file not found" in without.output


def test_push_checks_its_arguments(ep):
    with pytest.raises(StoreError, match="is not an IRI for a named graph"):
        push.push(dataset(1, "x"), ep, "not a graph")
    with pytest.raises(StoreError, match="unknown upload method"):
        push.push(dataset(1, "x"), ep, TARGET, method="ftp")
    with pytest.raises(EndpointError, match="no Graph Store HTTP Protocol URL"):
        push.push(dataset(1, "x"), replace(ep, graph_store_url=None), TARGET, method="gsp")


def test_ntriples_is_sorted_and_distinct():
    g = Graph()
    g.add((URIRef("urn:b"), URIRef("urn:p"), Literal("258437", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("é\n\"x\"", lang="es")))
    lines, count = push.ntriples(g)
    assert count == 2 and lines == sorted(lines)
    assert lines[0] == '<urn:a> <urn:p> "é\\n\\"x\\""@es .'
    assert push.ntriples(g, decimal_point=True)[0][1].endswith('"258437.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
