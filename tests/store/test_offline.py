"""Offline by default (clustergraph.store.offline): the policy, the query check, the guard."""

from __future__ import annotations

import doctest

import pytest
import rdflib.plugins.sparql

from clustergraph.errors import NetworkError, QueryError
from clustergraph.store import offline
from clustergraph.store.offline import (
    ANY_HOST,
    OFFLINE,
    NetworkPolicy,
    allow_network,
    check_query,
    clauses,
)


def test_module_doctests() -> None:
    assert doctest.testmod(offline).failed == 0


def test_rdflib_never_loads_from_graphs() -> None:
    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False


@pytest.mark.parametrize(
    "value,hosts,any_host",
    [
        (None, set(), False),
        (False, set(), False),
        ((), set(), False),
        (True, set(), True),
        ("*", set(), True),
        (["a.example", "*"], set(), True),
        ("Data.Europa.EU.", {"data.europa.eu"}, False),
        ("https://query.wikidata.org/sparql", {"query.wikidata.org"}, False),
        (["127.0.0.1:8890", "[::1]:80", "::1"], {"127.0.0.1", "::1"}, False),
    ],
)
def test_policy_of(value, hosts, any_host) -> None:
    policy = NetworkPolicy.of(value)
    assert (set(policy.hosts), policy.any_host) == (hosts, any_host)


def test_allow_network_nests_and_restores() -> None:
    assert offline.current_policy() == OFFLINE
    with allow_network("a.example"):
        with allow_network(True):
            assert offline.current_policy() == ANY_HOST
        assert offline.current_policy().allows("a.example")
        assert offline.policy_for(False) == OFFLINE  # an explicit value wins over the block
    assert offline.current_policy() == OFFLINE


@pytest.mark.parametrize(
    "query,found",
    [
        ("SELECT * WHERE{?s ?p ?o.SERVICE<http://e/>{?a ?b ?c}}", [("SERVICE", "http://e/")]),
        ("select * where { service silent <http://e/> { } }", [("SERVICE", "http://e/")]),
        ("SELECT * FROM NAMED <http://a/g> FROM <http://b/g> {}", [("FROM NAMED", "http://a/g"), ("FROM", "http://b/g")]),
        ("PREFIX : <http://e/> SELECT * { SERVICE :sparql {} }", [("SERVICE", "http://e/sparql")]),
        ("BASE <http://base/> SELECT * { SERVICE <sparql> {} }", [("SERVICE", "http://base/sparql")]),
        ('SELECT * { ?s ?p "\\" SERVICE <http://x/> " }', []),
        ('SELECT * { ?s ?p """a " SERVICE <http://x/> """ }', []),
        ("SELECT * { ?s ?p 'SERVICE <http://x/>' }", []),
        ("SELECT * { FILTER(?x<3)SERVICE<http://e/>{} }", [("SERVICE", "http://e/")]),
        ("SELECT * { SERVICE ?ep {} }", [("SERVICE", None)]),
        ("INSERT { ?s ?p ?o } USING NAMED <http://x/g> WHERE { ?s ?p ?o }", [("USING NAMED", "http://x/g")]),
        ("SELECT * { ?s <http://x/#SERVICE> ?o } # SERVICE <http://c/>", []),
        ("SELECT * { ?s ex:SERVICE ?service . ?from ?load ?o }", []),
        ("SELECT * { SERVICE undeclared:x {} }", [("SERVICE", None)]),
        ('SELECT * { ?s ?p "\\u0022 SERVICE <http://esc/> {} " }', [("SERVICE", "http://esc/")]),
        ("LOAD SILENT <http://x/a.ttl> INTO GRAPH <urn:g>", [("LOAD", "http://x/a.ttl")]),
    ],
)
def test_clauses(query: str, found) -> None:
    assert [(c.keyword, c.target) for c in clauses(query)] == found


def test_prefixes_given_by_the_store_are_used() -> None:
    assert [c.target for c in clauses("SELECT * FROM g:x {}", prefixes={"g": "urn:graph:"})] == ["urn:graph:x"]


def test_check_query_messages() -> None:
    with pytest.raises(QueryError) as info:
        check_query("SELECT * { SERVICE ?e {} }", where="q.rq")
    assert str(info.value).startswith("q.rq: the query calls SERVICE ?e, an endpoint chosen while it runs")
    check_query("SELECT * { SERVICE ?e {} }", allow_network=True)
    with pytest.raises(QueryError, match="not an http\\(s\\) endpoint"):
        check_query("SELECT * { SERVICE <file:///etc/passwd> {} }", allow_network=True)
    with pytest.raises(QueryError, match="a file nobody named"):
        check_query("LOAD <file:///etc/passwd>", allow_network=True)
    check_query("LOAD <http://x.example/a.ttl>", allow_network="x.example")
    with pytest.raises(QueryError, match="FROM NAMED <urn:x>, which is not a graph of this dataset"):
        check_query("SELECT * FROM NAMED <urn:x> {}", allow_network=True, graphs=lambda iri: False)


def test_the_guard_is_per_thread_and_only_inside_the_block() -> None:
    import socket
    import threading

    seen = []
    with offline.guard():
        thread = threading.Thread(target=lambda: seen.append(offline.current_policy()))
        thread.start()
        thread.join()
        with pytest.raises(NetworkError):
            socket.gethostbyname("example.org")
    assert seen == [OFFLINE]


# --- an allowed SERVICE that never answers ------------------------------------------------------


@pytest.fixture(scope="module")
def silent_endpoint():
    """A loopback port that accepts connections and never answers (the socket is never read)."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql"
    server.close()


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
@pytest.mark.parametrize("form", ["select", "ask"])
def test_an_allowed_service_that_never_answers_times_out(silent_endpoint, kind, form) -> None:
    import time

    from clustergraph import store

    ds = store.open_dataset(kind)
    body = f"{{ SERVICE <{silent_endpoint}> {{ ?s ?p ?o }} }}"
    start = time.monotonic()
    if form == "ask" and kind == "memory":  # rdflib's own engine: the guard gives its socket the timeout
        with offline.service_timeout(0.5), offline.guard("127.0.0.1"), pytest.raises(OSError, match="timed out"):
            ds.query(f"ASK {body}").askAnswer
        assert time.monotonic() - start < 5
        return
    with offline.service_timeout(0.5), pytest.raises(QueryError, match=r"did not answer within 0.5 s") as info:
        if form == "select":
            store.select(ds, f"SELECT * WHERE {body}", allow_network="127.0.0.1")
        else:
            with offline.allow_network("127.0.0.1"):
                ds.query(f"ASK {body}").askAnswer
    assert time.monotonic() - start < 5
    assert silent_endpoint in str(info.value) and offline.SERVICE_TIMEOUT_ENV in str(info.value)


def test_the_service_timeout_is_configurable(monkeypatch) -> None:
    assert offline.current_service_timeout() == offline.DEFAULT_SERVICE_TIMEOUT == 30
    monkeypatch.setenv(offline.SERVICE_TIMEOUT_ENV, "4.5")
    assert offline.current_service_timeout() == 4.5
    with offline.service_timeout(2):
        assert offline.current_service_timeout() == 2
    monkeypatch.setenv(offline.SERVICE_TIMEOUT_ENV, "soon")
    with pytest.raises(QueryError, match="positive number of seconds"):
        offline.current_service_timeout()
