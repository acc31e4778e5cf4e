"""Remote SPARQL endpoints: settings and credentials, timeouts, unreachable servers, HTTP errors."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from clustergraph import store
from clustergraph.store import remote as endpoint
from clustergraph.query import execution as query
from clustergraph.cli import main
from clustergraph.store.remote import Endpoint, open_remote, resolve, sparql
from clustergraph.errors import EndpointError


@pytest.fixture
def no_config(monkeypatch, tmp_path):
    """No endpoints file and no credentials from the environment of the machine."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in (endpoint.CONFIG_ENV, endpoint.USER_ENV, endpoint.PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def silent_server():
    """A loopback server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)  # keep it open, say nothing
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql"
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def failing_server():
    """A loopback server that answers every request with HTTP 503 and a message."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _fail(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = b"<html><body><h1>Busy</h1><p>The store is being restarted.</p></body></html>"
            self.send_response(503)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _fail

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


# --- settings and credentials ----------------------------------------------------------------


def test_credentials_come_from_the_environment(no_config, monkeypatch):
    monkeypatch.setenv(endpoint.USER_ENV, "alice")
    monkeypatch.setenv(endpoint.PASSWORD_ENV, "s3cret")
    ep = resolve("http://127.0.0.1:8890/sparql")
    assert (ep.user, ep.password, ep.update_url) == ("alice", "s3cret", "http://127.0.0.1:8890/sparql")
    assert "s3cret" not in repr(ep)


def test_endpoints_file_by_name_and_by_url(no_config, monkeypatch):
    path = no_config / "endpoints.toml"
    path.write_text(
        '[endpoints.local]\nurl = "http://127.0.0.1:8890/sparql"\nflavour = "virtuoso"\nuser = "dba"\npassword = "dba"\ntimeout = 5\n'
        '[endpoints.other]\nurl = "https://example.org/sparql"\nupdate = "https://example.org/update"\nauth = "basic"\n'
    )
    monkeypatch.setenv(endpoint.CONFIG_ENV, str(path))
    local = resolve("local")
    assert local.url == "http://127.0.0.1:8890/sparql"
    assert local.update_url == "http://127.0.0.1:8890/sparql-auth"
    assert local.graph_store_url == "http://127.0.0.1:8890/sparql-graph-crud-auth"
    assert (local.user, local.password, local.auth, local.timeout) == ("dba", "dba", "digest", 5.0)
    assert resolve("https://example.org/sparql").update_url == "https://example.org/update"
    monkeypatch.setenv(endpoint.USER_ENV, "admin")
    monkeypatch.setenv(endpoint.PASSWORD_ENV, "other")
    assert (resolve("local").user, resolve("local").password) == ("admin", "other"), "the environment wins"
    with pytest.raises(EndpointError, match="neither an http\\(s\\) URL nor an endpoint named in .* \\(known: local, other\\)"):
        resolve("remote")


def test_broken_settings_are_reported(no_config, monkeypatch):
    path = no_config / "endpoints.toml"
    path.write_text("[endpoints.local\nurl=")
    monkeypatch.setenv(endpoint.CONFIG_ENV, str(path))
    with pytest.raises(EndpointError, match="not valid TOML"):
        resolve("local")
    monkeypatch.setenv(endpoint.CONFIG_ENV, str(no_config / "missing.toml"))
    with pytest.raises(EndpointError, match="configuration file not found"):
        resolve("http://127.0.0.1:1/sparql")
    with pytest.raises(EndpointError, match="not an http\\(s\\) URL"):
        Endpoint("ftp://example.org/sparql")
    with pytest.raises(EndpointError, match="timeout must be a positive number"):
        Endpoint("http://example.org/sparql", timeout=0)


def test_no_credential_option_on_the_command_line():
    for command in ("query", "push"):
        help_text = CliRunner().invoke(main, [command, "--help"]).output
        assert "--password" not in help_text and "--user" not in help_text
        assert "CLUSTERGRAPH_ENDPOINT_USER" in help_text


# --- failures: one clear error each ------------------------------------------------------------


def test_unreachable_endpoint(no_config):
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    with pytest.raises(EndpointError) as err:
        sparql(Endpoint(url, timeout=5), "ASK {}")
    assert str(err.value) == f"cannot connect to {url}: connection refused; fix: check the URL and that the SPARQL server is running"
    with pytest.raises(EndpointError, match="cannot connect"):
        query.run(open_remote(url, timeout=5), "projects-per-call")
    with pytest.raises(EndpointError, match="cannot connect"):
        len(open_remote(url, timeout=5))
    out = CliRunner().invoke(main, ["query", "coordinators", "--endpoint", url])
    assert out.exit_code == 2
    assert out.output.strip().splitlines() == [f"clustergraph: error: cannot connect to {url}: connection refused; fix: check the URL and that the SPARQL server is running"]


def test_timeout(no_config, silent_server):
    started = time.monotonic()
    with pytest.raises(EndpointError) as err:
        query.run(open_remote(silent_server, timeout=0.5), "coordinators")
    assert time.monotonic() - started < 5
    assert str(err.value).startswith(f"{silent_server} did not answer within 0.5 s; fix: ")
    out = CliRunner().invoke(main, ["query", "coordinators", "--endpoint", silent_server, "--timeout", "0.3"])
    assert out.exit_code == 2
    assert out.output.strip().splitlines() == [f"clustergraph: error: {silent_server} did not answer within 0.3 s; fix: check that the server is up and not overloaded, or raise the timeout (timeout= in the endpoints file, or --timeout)"]


def test_http_error_names_the_status_and_the_message(no_config, failing_server):
    with pytest.raises(EndpointError) as err:
        sparql(Endpoint(failing_server, timeout=5), "ASK {}")
    assert str(err.value).startswith(f"{failing_server} answered HTTP 503 Service Unavailable: The store is being restarted.")
    assert err.value.status == 503


def test_an_answer_that_is_not_sparql_results(no_config):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<html>welcome</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with pytest.raises(EndpointError, match="did not answer with SPARQL JSON results \\(text/html\\): welcome"):
            sparql(Endpoint(url, timeout=5), "SELECT * WHERE { ?s ?p ?o }")
    finally:
        server.shutdown()
        server.server_close()


# --- against Virtuoso ------------------------------------------------------------------------------


@pytest.mark.virtuoso
def test_virtuoso_rejects_malformed_queries_clearly(virtuoso, no_config):
    with pytest.raises(EndpointError) as err:
        sparql(Endpoint(virtuoso.sparql, timeout=10), "SELECT ?x WHERE { ?x ?p }")
    assert str(err.value).startswith(f"{virtuoso.sparql} answered HTTP 400")
    assert "syntax error" in str(err.value).lower()


@pytest.mark.virtuoso
def test_writes_need_credentials_and_digest_works(virtuoso, no_config, monkeypatch):
    ep = Endpoint(virtuoso.sparql, update_url=virtuoso.update, timeout=10)
    with pytest.raises(EndpointError, match="refused the request without credentials \\(HTTP 401\\).*CLUSTERGRAPH_ENDPOINT_USER"):
        endpoint.update(ep, 'INSERT DATA { GRAPH <urn:test:digest> { <urn:test:a> <urn:test:p> "x" } }')
    with pytest.raises(EndpointError, match="refused the request as 'dba'"):
        endpoint.update(Endpoint(virtuoso.sparql, update_url=virtuoso.update, user="dba", password="wrong", timeout=10), "CLEAR SILENT GRAPH <urn:test:digest>")
    monkeypatch.setenv(endpoint.USER_ENV, virtuoso.user)
    monkeypatch.setenv(endpoint.PASSWORD_ENV, virtuoso.password)
    ds = open_remote(virtuoso.sparql, flavour="virtuoso", timeout=10)
    g = ds.graph(URIRef("urn:test:digest"))
    g.add((URIRef("urn:test:a"), URIRef("urn:test:p"), Literal("x")))
    try:
        assert (URIRef("urn:test:a"), URIRef("urn:test:p"), Literal("x")) in ds
        assert URIRef("urn:test:digest") in {g.identifier for g in ds.graphs()}
    finally:
        endpoint.update(ds.store.endpoint, "DROP SILENT GRAPH <urn:test:digest>")


@pytest.mark.virtuoso
def test_remote_terms_match_local_terms(sparql_server, no_config):
    """Plain strings stay plain, language tags and datatypes survive the round trip (on both servers)."""
    from sparql_servers import server_endpoint
    from clustergraph.store.upload import push

    virtuoso = sparql_server

    local = store.open_dataset()
    store.load(
        local,
        b'@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<urn:test:a> <urn:test:plain> "gold" ; <urn:test:lang> "Alemania"@es ;'
        b' <urn:test:date> "2016-01-01"^^xsd:date ; <urn:test:year> "2014"^^xsd:gYear ; <urn:test:amount> "258437"^^xsd:decimal .',
        format="turtle",
        graph="urn:test:terms",
    )
    push(local, server_endpoint(virtuoso), "urn:test:terms")
    remote = open_remote(virtuoso.sparql, graph="urn:test:terms", timeout=10)
    text = "SELECT ?p ?o WHERE { <urn:test:a> ?p ?o }"
    assert sorted(query.run(remote, text).rows) == sorted(query.run(local, text).rows)
    assert query.run(remote, "SELECT ?s WHERE { ?s ?p ?o }", {"o": "gold"}).rows == [(URIRef("urn:test:a"),)]
    assert store.select(remote, "SELECT ?o WHERE { ?s <urn:test:amount> ?o }")[1] == [(Literal("258437", datatype=XSD.decimal),)]
