"""The suite's network guard (tests/conftest.py) and the library's own (clustergraph.store.offline).

The suite's guard refuses and records any connection or look-up past loopback, so a test
that reaches the network fails even if the code swallowed the error; loopback stays open.
The library's guard refuses every host not allowed, loopback included.
"""

from __future__ import annotations

import socket
import urllib.request

import pytest

from clustergraph.errors import NetworkError
from clustergraph.store import offline


def test_the_suite_refuses_and_records_a_non_loopback_connection(network_guard) -> None:
    before = len(network_guard.reached)
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1: never routed
    with pytest.raises(OSError):
        socket.getaddrinfo("example.org", 80)
    with pytest.raises(Exception):  # urllib wraps it in URLError
        urllib.request.urlopen("http://example.org/", timeout=1)
    reached = network_guard.take(before)
    assert any("192.0.2.1" in r for r in reached) and any("example.org" in r for r in reached)


def test_the_suite_keeps_loopback_open(recorder) -> None:
    with urllib.request.urlopen(recorder.url("context.jsonld"), timeout=5) as answer:
        assert answer.status == 200
    socket.getaddrinfo("localhost", 80)
    assert recorder.requests.pop() == "GET /context.jsonld"


def test_the_library_guard_refuses_even_loopback_unless_allowed(recorder) -> None:
    with offline.guard():
        with pytest.raises(NetworkError, match="127.0.0.1"):
            socket.create_connection(("127.0.0.1", recorder.port), timeout=5)
        with pytest.raises(NetworkError, match="--allow-network"):
            urllib.request.urlopen(recorder.url("x"), timeout=5)
    with offline.guard("127.0.0.1"):
        socket.create_connection(("127.0.0.1", recorder.port), timeout=5).close()
    with offline.allow_network(True), offline.guard():
        socket.create_connection(("127.0.0.1", recorder.port), timeout=5).close()
    # outside a guard block nothing is refused
    socket.create_connection(("127.0.0.1", recorder.port), timeout=5).close()
