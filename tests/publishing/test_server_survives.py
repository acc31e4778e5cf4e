"""`serve` survives its clients: timeouts that stop work, limits, Host checks, ports, shutdown, no fetches.

Every test starts a real server on 127.0.0.1 (a free port): ``clustergraph serve`` as a
subprocess, or the Python :class:`Server` in a thread, talks HTTP to it and stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from clustergraph.cli import main
from clustergraph.errors import ClusterGraphError
from clustergraph.publishing import Limits, Server, WorkFailed, run_forked
from clustergraph.query import execution as query

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?q ?r }"
ASK = "ASK {}"
SD = "http://www.w3.org/ns/sparql-service-description#"


def http(url: str, sparql: str | None = None, *, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one request; HTTP errors are answers too."""
    target = url + ("?" + urllib.parse.urlencode({"query": sparql}) if sparql is not None else "")
    req = urllib.request.Request(target, data=data, headers={"Accept": "application/sparql-results+json", **(headers or {})})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, res.read(), time.monotonic() - start
    except urllib.error.HTTPError as err:
        return err.code, err.read(), time.monotonic() - start


def message(body: bytes) -> str:
    return json.loads(body)["message"]


def children(pid: int, states: str = "RSDT") -> list[int]:
    """Child processes of ``pid`` in one of ``states`` (R running, S sleeping...; no zombies)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] in states:
                out.append(int(entry))
    return out


def busy_worker(pid: int, timeout: float = 5) -> int:
    """The one worker of server process ``pid`` that is running (the slow query's)."""
    found: list[int] = []
    assert wait_until(lambda: bool(found.extend(children(pid, "R")) or found), timeout)
    return found[0]


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def send_raw(port: int, request: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(request)
    return sock


def answer_of(sock: socket.socket) -> bytes:
    """The whole HTTP answer on ``sock`` (headers and body may arrive in separate packets), then closed."""
    data = b""
    while True:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), None)
            if length is not None and len(body) >= length:
                break
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    return data


def slow_request(port: int) -> socket.socket:
    q = urllib.parse.urlencode({"query": SLOW})
    return send_raw(port, f"GET /?{q} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n".encode())


@contextlib.contextmanager
def cli_server(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """``clustergraph serve --port 0 ARGS`` in a subprocess; yields (process, announced URL)."""
    log = tmp_path / f"serve-{time.monotonic_ns()}.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "clustergraph.cli", "serve", "--port", "0", *args], stdout=fh, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "SPARQL endpoint at" in log.read_text() or proc.poll() is not None, 60)
        urls = re.findall(r"SPARQL endpoint at (http://\S+/)", log.read_text())
        assert urls, log.read_text()
        url = urls[0]
        assert wait_until(lambda: _answers(url), 30), log.read_text()
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _answers(url: str) -> bool:
    try:
        return http(url, ASK, timeout=2)[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def data():
    return query.open_data()


@pytest.fixture(scope="module")
def quick(data):
    """A server in this process whose queries are stopped after 2 s."""
    with Server(data, limits=Limits(timeout=2, max_query_bytes=2000, max_body_bytes=8000, max_answer_bytes=20_000)) as server:
        yield server


def port_of(url: str) -> int:
    return int(urllib.parse.urlsplit(url).port or 0)


# --- timeouts that stop the work ---------------------------------------------------------


def run_slow_with_asks(url: str, server_pid: int) -> tuple[tuple[int, bytes, float], list[tuple[int, bytes, float]], int]:
    """Run SLOW, and ASK three times while it runs; return both answers and the slow query's worker."""
    slow: list[tuple[int, bytes, float]] = []
    thread = threading.Thread(target=lambda: slow.append(http(url, SLOW)))
    thread.start()
    worker = busy_worker(server_pid)
    asks = [http(url, ASK, timeout=5) for _ in range(3)]
    thread.join(30)
    return slow[0], asks, worker


def test_a_slow_query_is_stopped_while_the_server_answers_others(quick) -> None:
    (status, body, seconds), asks, worker = run_slow_with_asks(quick.url, os.getpid())
    assert status == 503
    assert message(body) == (
        "the query ran longer than 2 s and was stopped; fix: make it more selective (constants, LIMIT, "
        "no unconnected patterns), or start the server with a larger --timeout"
    )
    assert 2 <= seconds < 4
    for status, body, took in asks:
        assert status == 200 and json.loads(body)["boolean"] is True
        assert took < 1.5
    assert wait_until(lambda: not alive(worker), 2)  # the worker was killed, not abandoned


def test_the_cli_server_stops_slow_queries_and_keeps_answering(tmp_path: Path) -> None:
    with cli_server(tmp_path, "--timeout", "2") as (proc, url):
        (status, body, seconds), asks, worker = run_slow_with_asks(url, proc.pid)
        assert status == 503 and "ran longer than 2 s and was stopped" in message(body)
        assert seconds < 4
        assert all(s == 200 and took < 1.5 for s, _b, took in asks)
        assert wait_until(lambda: not alive(worker), 2)
        assert children(proc.pid, "R") == []  # nothing keeps running


def test_the_timeout_is_on_by_default(data) -> None:
    assert Limits().timeout == 30
    with Server(data) as server:
        assert server.limits.timeout == 30
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--timeout" in help_text and "30" in help_text


def test_a_client_that_leaves_stops_its_query(tmp_path: Path) -> None:
    with cli_server(tmp_path, "--timeout", "60") as (proc, url):
        sock = slow_request(port_of(url))
        worker = busy_worker(proc.pid)
        sock.close()
        assert wait_until(lambda: not alive(worker), 3)
        assert http(url, ASK)[0] == 200


# --- shutdown ------------------------------------------------------------------------------


def test_sigterm_ends_the_server_promptly_during_a_slow_query(tmp_path: Path) -> None:
    with cli_server(tmp_path, "--timeout", "60") as (proc, url):
        sock = slow_request(port_of(url))
        worker = busy_worker(proc.pid)
        idle = [pid for pid in children(proc.pid) if pid != worker]
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        took = time.monotonic() - start
        assert took < 4, took
        assert wait_until(lambda: not alive(worker) and not any(alive(pid) for pid in idle), 3)
        answer = answer_of(sock)
        assert answer.startswith(b"HTTP/1.1 503") and b"the server is shutting down" in answer


def test_sigterm_ends_an_idle_server_at_once(tmp_path: Path) -> None:
    with cli_server(tmp_path) as (proc, _url):
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert time.monotonic() - start < 2


def test_stop_returns_promptly_during_a_slow_query(data) -> None:
    before = set(children(os.getpid()))
    server = Server(data, timeout=60).start()
    sock = slow_request(server.port)
    worker = busy_worker(os.getpid())
    assert http(server.url, ASK)[0] == 200  # answered by a second worker, kept idle
    mine = set(children(os.getpid())) - before
    assert worker in mine and len(mine) == 2
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 4
    assert wait_until(lambda: not any(alive(pid) for pid in mine), 3)  # busy and idle workers end with it
    sock.close()


# --- Host ----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "localhost.", "[::1]:{port}"])
def test_loopback_host_names_are_served(quick, host: str) -> None:
    status, _body, _t = http(quick.url, ASK, headers={"Host": host.format(port=quick.port)})
    assert status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example", "localhost.evil.example:{port}", "127.0.0.2:{port}", "[::ffff:127.0.0.1]:{port}", "0.0.0.0"])
def test_other_host_names_are_refused(quick, host: str) -> None:
    status, body, _t = http(quick.url, ASK, headers={"Host": host.format(port=quick.port)})
    assert status == 400
    assert message(body).startswith("this endpoint does not answer to the host name")
    assert "--host-name" in message(body)
    # the service description and the editor are behind the same check
    assert http(quick.url, headers={"Host": host.format(port=quick.port), "Accept": "text/html"})[0] == 400


def test_a_request_without_host_is_refused(quick) -> None:
    sock = send_raw(quick.port, b"GET /?query=ASK%7B%7D HTTP/1.0\r\n\r\n")
    answer = answer_of(sock)
    assert answer.startswith(b"HTTP/1.1 400") and b"no Host header" in answer


def test_extra_host_names_are_served_when_named(data, tmp_path: Path) -> None:
    with Server(data, host_names=["sparql.example.org"]) as server:
        assert http(server.url, ASK, headers={"Host": f"sparql.example.org:{server.port}"})[0] == 200
        assert http(server.url, ASK, headers={"Host": "other.example.org"})[0] == 400
    with cli_server(tmp_path, "--host-name", "sparql.example.org", "--host-name", "proxy.example.org") as (_proc, url):
        for name in ("sparql.example.org", "proxy.example.org", "127.0.0.1"):
            assert http(url, ASK, headers={"Host": name})[0] == 200
        assert http(url, ASK, headers={"Host": "evil.example"})[0] == 400


@pytest.mark.parametrize("name", ["a b", "example.org:8080", "http://example.org", ""])
def test_bad_host_names_are_one_line_errors(name: str) -> None:
    out = CliRunner().invoke(main, ["serve", "--port", "0", "--host-name", name])
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"clustergraph: error: {name!r} is not a host name; fix: ")


# --- ports ---------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "123456789"])
def test_ports_out_of_range_are_one_line_errors(port: str) -> None:
    out = CliRunner().invoke(main, ["serve", "--port", port])
    assert out.exit_code == 2
    assert out.output.strip().splitlines() == [
        f"clustergraph: error: port {int(port)} is out of range; fix: give a port between 1 and 65535 (or 0 for any free port)"
    ]


def test_a_port_in_use_is_a_one_line_error(data) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = CliRunner().invoke(main, ["serve", "--port", str(port)])
        assert out.exit_code == 2
        assert out.output.strip().splitlines() == [
            f"clustergraph: error: cannot listen on 127.0.0.1 port {port}: the port is already in use; "
            "fix: choose another --port (0 picks a free one), or stop the program using it"
        ]
        with pytest.raises(ClusterGraphError, match="already in use"):
            Server(data, port=port)


def test_the_service_description_advertises_the_bound_port(quick) -> None:
    for path in ("", "sparql"):
        status, body, _t = http(quick.url + path, headers={"Accept": "text/turtle"})
        assert status == 200
        sd = Graph().parse(data=body, format="turtle")
        endpoints = {str(o) for o in sd.objects(None, URIRef(SD + "endpoint"))}
        assert endpoints == {quick.url + path}
        assert not list(sd.triples((None, URIRef(SD + "feature"), URIRef(SD + "BasicFederatedQuery"))))


def test_the_cli_announces_and_advertises_the_port_it_bound(tmp_path: Path) -> None:
    with cli_server(tmp_path) as (_proc, url):
        assert port_of(url) > 0
        status, body, _t = http(url, headers={"Accept": "text/turtle"})
        sd = Graph().parse(data=body, format="turtle")
        assert {str(o) for o in sd.objects(None, URIRef(SD + "endpoint"))} == {url}


# --- sizes ---------------------------------------------------------------------------------


def test_long_queries_and_big_bodies_get_413(quick) -> None:
    long_query = "ASK { ?s ?p " + '"' + "x" * 2100 + '" }'
    status, body, _t = http(quick.url, long_query)
    assert status == 413 and message(body).startswith("the query is 2,1")
    status, body, _t = http(quick.url, data=long_query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and "this endpoint accepts at most 2,000" in message(body)
    status, body, _t = http(quick.url, data=b"ASK {} #" + b"x" * 9000, headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and message(body).startswith("the request body is 9,008 bytes")
    form = urllib.parse.urlencode({"query": long_query}).encode()
    status, body, _t = http(quick.url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and message(body).startswith("the query is")
    # a body that does not say its length is counted as it arrives
    chunk = b"x" * 4000
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
    sock = send_raw(quick.port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
    answer = answer_of(sock)
    assert answer.startswith(b"HTTP/1.1 413") and b"over 8,000 bytes" in answer
    assert http(quick.url, ASK)[0] == 200


def test_the_default_limits_are_on() -> None:
    limits = Limits()
    assert (limits.max_query_bytes, limits.max_body_bytes, limits.max_answer_bytes) == (1 << 20, 4 << 20, 256 << 20)
    assert limits.workers >= 4 and limits.memory == 2 << 30


def test_a_huge_answer_is_refused_not_sent(quick) -> None:
    status, body, _t = http(quick.url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", headers={"Accept": "application/n-triples"})
    assert status == 500 and "the answer is larger than 20,000 bytes" in message(body)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_bad_timeouts_are_one_line_errors(value: str) -> None:
    out = CliRunner().invoke(main, ["serve", "--port", "0", "--timeout", value])
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clustergraph: error: the query timeout must be a positive number of seconds")


def test_a_worker_may_not_grow_without_bound() -> None:
    with pytest.raises(WorkFailed):
        asyncio.run(run_forked(lambda: len(bytearray(3 << 30)), timeout=20, memory=256 << 20))


# --- nothing is fetched --------------------------------------------------------------------


class Listener:
    """A TCP listener on loopback that counts the connections it gets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_queries_make_the_server_fetch_nothing(kind: str, listener: Listener, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:x:s> <urn:x:p> "SECRET-VALUE" .\n')
    far = f"http://127.0.0.1:{listener.port}"
    with Server(query.open_data(kind=kind), timeout=10) as server:
        for sparql in (
            f"SELECT * WHERE {{ SERVICE <{far}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{far}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{far}/deep> {{ ?s ?p ?o }} }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{far}/escaped> {{ ?s ?p ?o }} }}",
        ):
            status, body, _t = http(server.url, sparql)
            assert status == 400, sparql
            assert "SERVICE is refused" in message(body) or "does not parse" in message(body)
        for sparql in (
            f"SELECT * FROM <{far}/data.ttl> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{far}/named.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"ASK FROM <{secret.as_uri()}> {{ ?s ?p \"SECRET-VALUE\" }}",
        ):
            status, body, _t = http(server.url, sparql)
            # a graph of the local dataset (here: none), or the store refuses the unknown graph; never a fetch
            assert status in (200, 400), (sparql, body)
            assert b"SECRET-VALUE" not in body and b'"boolean": true' not in body and b'"boolean":true' not in body
    assert listener.hits == 0


def test_updates_make_the_server_fetch_nothing(listener: Listener) -> None:
    from clustergraph import store

    far = f"http://127.0.0.1:{listener.port}"
    with Server(store.open_dataset(), writable=True) as server:
        for update in (
            f"LOAD <{far}/data.ttl>",
            f"LOAD SILENT <{far}/data.ttl> INTO GRAPH <urn:g>",
            f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{far}/sparql> {{ ?s ?p ?o }} }}",
        ):
            status, body, _t = http(server.url, data=update.encode(), headers={"Content-Type": "application/sparql-update"})
            assert status == 400, update
            assert "is refused" in message(body)
        status, _b, _t = http(server.url, data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", headers={"Content-Type": "application/sparql-update"})
        assert status == 204
    assert listener.hits == 0


def test_a_worker_cannot_open_an_internet_socket(listener: Listener) -> None:
    def reach() -> str:
        import _socket

        try:
            _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM).connect(("127.0.0.1", listener.port))
        except OSError as exc:
            return type(exc).__name__
        return "connected"

    assert asyncio.run(run_forked(reach, timeout=10)) == "PermissionError"
    assert listener.hits == 0

