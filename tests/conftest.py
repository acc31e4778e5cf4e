"""Shared fixtures. Each part of the suite adds its own below, in its own block."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def embedded():
    """The embedded dataset in an Oxigraph-backed store, built once per test session.

    Tests must not modify it; take ``clustergraph.store.dataset.to_memory(embedded)`` for a copy.
    """
    from clustergraph import store
    from clustergraph.ingest.importer import load_embedded

    return load_embedded(store.open_dataset())


# --- queries and triple stores: a real Virtuoso server on loopback ------------------


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A Virtuoso Open Source server started for this session, stopped at its end.

    Skips only when ``virtuoso-t`` is not installed and the ``CI`` environment
    variable is unset; under CI a missing server fails the tests (``.ci/run``
    installs it).
    """
    import os
    import shutil

    from virtuoso import EXECUTABLE, Virtuoso

    if shutil.which(EXECUTABLE) is None:
        message = f"{EXECUTABLE} is not installed (Debian package virtuoso-opensource; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set: the triple store tests must run", pytrace=False)
        pytest.skip(message)
    server = Virtuoso.start(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        server.stop()


# --- the network guard: no test reaches past loopback ---------------------------------
#
# clustergraph is offline by default (clustergraph.store.offline). This guard holds the
# whole suite to it: every connection, DNS look-up or datagram that Python code in the
# test process sends to a host other than loopback is refused *and* recorded, and a test
# during which one was attempted fails, even if the code swallowed the error. Loopback
# stays open for the Virtuoso and server tests. It watches Python's audit events
# (socket.connect, socket.getaddrinfo, ...), so no import style escapes it; Rust code
# (Oxigraph) and subprocesses are outside it: their tests check a recording server.


class NetworkGuard:
    """What the suite's network guard saw: ``reached`` lists every refused attempt."""

    LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
    EVENTS = frozenset(
        {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"}
    )

    def __init__(self) -> None:
        self.reached: list[str] = []
        self.on = True

    @classmethod
    def is_local(cls, host: object) -> bool:
        """Loopback, the unspecified address (binding), a Unix socket or no host at all."""
        import ipaddress

        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode("utf-8", "replace")
        name = str(host).strip("[]").rstrip(".").lower()
        if name == "" or name in cls.LOOPBACK_NAMES or name.endswith(".localhost"):
            return True
        try:
            address = ipaddress.ip_address(name.split("%", 1)[0])
        except ValueError:
            return False
        return address.is_loopback or address.is_unspecified

    def host_of(self, event: str, args: tuple) -> object:
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            address = args[1] if len(args) > 1 else None
            return address[0] if isinstance(address, tuple) and address else None  # str/bytes: a Unix socket
        return args[0] if args else None

    def __call__(self, event: str, args: tuple) -> None:
        if not self.on or event not in self.EVENTS:
            return
        host = self.host_of(event, args)
        if self.is_local(host):
            return
        what = f"{event} to {host!r}"
        self.reached.append(what)
        raise ConnectionRefusedError(f"the test suite's network guard refused {what}: tests reach loopback only")

    def take(self, since: int = 0) -> list[str]:
        """Remove and return what was refused from position ``since`` on (for a test of the guard)."""
        taken = self.reached[since:]
        del self.reached[since:]
        return taken


_NETWORK_GUARD = NetworkGuard()


@pytest.fixture(autouse=True, scope="session")
def _network_guard_on():
    """Installs the guard before any other fixture runs (an audit hook stays for the process)."""
    import sys

    sys.addaudithook(_NETWORK_GUARD)
    _NETWORK_GUARD.on = True
    yield _NETWORK_GUARD


@pytest.fixture(autouse=True)
def _no_network(_network_guard_on):
    """Fails the test if it (or anything it called) tried to reach past loopback."""
    before = len(_NETWORK_GUARD.reached)
    yield
    reached = _NETWORK_GUARD.take(before)
    if reached:
        pytest.fail("the test tried to reach the network: " + "; ".join(reached[:5]), pytrace=False)


@pytest.fixture
def network_guard() -> NetworkGuard:
    """The suite's network guard, for a test that checks it (``network_guard.take()``)."""
    return _NETWORK_GUARD
