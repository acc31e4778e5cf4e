"""Remote stores that are slow, answer garbage or refuse credentials: split, or one clear line."""

from __future__ import annotations

import http.client
import http.server
import threading
import time
import urllib.parse

import pytest
from rdflib import Graph

from clustergraph import store
from clustergraph.errors import EndpointError
from clustergraph.store.endpoint import RemoteQueries
from clustergraph.store.remote import Endpoint, open_remote
from clustergraph.store.upload import push_graphs
from sparql_servers import server_endpoint

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:Project ; sh:property [ sh:path ex:budget ; sh:minCount 1 ; sh:datatype <http://www.w3.org/2001/XMLSchema#decimal> ] .
"""


class SlowProxy:
    """A loopback proxy in front of a real server that holds back every validation query not yet split by focus node."""

    def __init__(self, target_port: int, delay: float) -> None:
        proxy = self
        self.delay, self.slowed, self.split = delay, 0, 0

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("query", [""])[0]
                if "?this" in query and "SELECT DISTINCT ?this WHERE" not in query[:40]:
                    if "VALUES (?this)" in query and query.count("<http://ex.org/p") <= 2:
                        proxy.split += 1
                    else:
                        proxy.slowed += 1
                        time.sleep(proxy.delay)  # a query over everything: too slow for the client
                conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    res = conn.getresponse()
                    data = res.read()
                except OSError:
                    return  # the server behind went away; the client sees the connection close
                try:
                    self.send_response(res.status, res.reason)
                    for k, v in res.getheaders():
                        if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting
                conn.close()

            do_GET = do_POST = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "SlowProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/query"


def test_a_check_that_times_out_is_split_by_focus_nodes(oxigraph_server):
    from clustergraph.validation.sparql.execution import validate_sparql

    data = store.open_dataset()
    lines = "".join(f"<http://ex.org/p{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://ex.org/Project> .\n" + (f'<http://ex.org/p{i}> <http://ex.org/budget> "x{i}" .\n' if i % 3 else "") for i in range(8))
    store.load(data, lines.encode(), format="nt", graph="urn:test:slow")
    push_graphs(data, server_endpoint(oxigraph_server))
    shapes = Graph().parse(data=SHAPES, format="turtle")
    expected = sorted((str(r.focus), str(r.component)) for r in validate_sparql(data, shapes).results)
    with SlowProxy(oxigraph_server.port, delay=2.5) as proxy:
        remote = open_remote(Endpoint(proxy.url, timeout=1, graphs=("urn:test:slow",)))
        got = sorted((str(r.focus), str(r.component)) for r in validate_sparql(remote, shapes).results)
    assert got == expected and len(expected) == 8
    assert proxy.slowed >= 1 and proxy.split >= 2, "the slow check was run again in parts"


@pytest.fixture
def html_server():
    """A loopback server that answers every request with an HTML page and status 200 (a login page, a proxy)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<html><head><title>Sign in</title></head><body><p>Please sign in to continue.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_html_instead_of_results_is_one_clear_error(html_server):
    queries = RemoteQueries(Endpoint(html_server, timeout=5, graphs=("urn:g",)))
    with pytest.raises(EndpointError, match=r"did not answer with SPARQL JSON results \(text/html\): Please sign in to continue"):
        queries.query("SELECT ?s WHERE { ?s ?p ?o }")
    with pytest.raises(EndpointError, match="sent an unreadable text/html answer"):
        queries.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


@pytest.mark.virtuoso
def test_rules_without_credentials_say_so_and_change_nothing(virtuoso):
    from clustergraph.reasoning.remote import infer_in_store

    ep = Endpoint(virtuoso.sparql, update_url=virtuoso.update, timeout=30, graphs=("urn:test:nothing",))
    with pytest.raises(EndpointError) as err:
        infer_in_store(ep)
    assert "refused the request without credentials (HTTP 401)" in str(err.value) and "CLUSTERGRAPH_ENDPOINT_USER" in str(err.value)


def test_shapes_that_cannot_be_compiled_are_validated_on_neighbourhoods_or_named():
    """On a remote store they go to pySHACL on their neighbourhoods (tests/validation/test_remote.py); fallback='error' names them."""
    from clustergraph.errors import ShapesError
    from clustergraph.validation.sparql.execution import validate_sparql

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
        ex:Recursive a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:knows ; sh:node ex:Recursive ] .""",
        format="turtle",
    )
    nowhere = open_remote(Endpoint("http://127.0.0.1:9/query", timeout=1, graphs=("urn:g",)))
    with pytest.raises(ShapesError, match=r"the shape http://ex.org/Recursive cannot be validated with SPARQL.*fix: validate with pySHACL"):
        validate_sparql(nowhere, shapes, fallback="error")
    with pytest.raises(EndpointError, match=r"cannot connect to http://127.0.0.1:9/query"):  # never a silent download
        validate_sparql(nowhere, shapes)


def test_the_portable_rewrites_keep_every_compiled_check_valid_sparql():
    """A rewrite that broke a query would send the check to the slow local fallback unnoticed: parse each one."""
    import itertools

    import pyoxigraph as ox

    from clustergraph.store.endpoint import portable
    from clustergraph.validation.engine import load_shapes
    from clustergraph.validation.sparql.checks import resolve_placeholders
    from clustergraph.validation.sparql.compilation import compile_shapes

    empty = ox.Store()
    queries = [resolve_placeholders(c.query, {}, itertools.count()) for c in compile_shapes(load_shapes(None)).checks if c.sparql is None]
    rewritten = [q for q in queries if portable(q) != q]
    assert len(rewritten) >= 5
    for q in queries:
        empty.query(portable(q))  # raises SyntaxError if a rewrite broke it


@pytest.fixture
def static_server(tmp_path):
    """Python's own file server on loopback: a web server that is not a SPARQL endpoint (POST answers 501)."""
    (tmp_path / "index.html").write_text("<html><body>Our cluster</body></html>")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **k)  # noqa: E731
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", [["query", "coordinators"], ["validate"], ["network", "--out", "net"], ["reason", "--reasoner", "rules"], ["publish", "--out", "site"]])
def test_a_web_server_that_is_no_sparql_endpoint_is_one_line_naming_the_fix(static_server, command, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from clustergraph.cli import main

    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, [*command, "--endpoint", static_server], env={"CLUSTERGRAPH_CONFIG": ""})
    assert out.exit_code == 2, out.output
    line = out.output.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"clustergraph: error: {static_server}") and "HTTP 501" in line and "SPARQL endpoint" in line, line
    assert not (tmp_path / "net").exists() and not (tmp_path / "site").exists()
