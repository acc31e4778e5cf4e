"""Names the examples in the library's docstrings use (``pytest --doctest-modules``).

The library has no path into ``tests/``: a doctest that needs the small network
fixture reads ``CLUSTERS``, put into pytest's ``doctest_namespace`` here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: The hand-checkable network fixture (10 organisations, 4 projects, a value chain).
CLUSTERS = Path(__file__).resolve().parent / "tests" / "network" / "fixtures" / "clusters.ttl"


@pytest.fixture(autouse=True, scope="session")
def _doctest_names(doctest_namespace: dict) -> None:
    """``CLUSTERS``: the path of the network fixture, as a string ready for ``store.load``."""
    doctest_namespace["CLUSTERS"] = str(CLUSTERS)


@pytest.fixture(autouse=True)
def _doctest_tempdir(request: pytest.FixtureRequest):
    """A doctest's temporary files and folders go into a folder of its own, removed afterwards.

    The examples call ``tempfile.mkdtemp()`` the way a user would; during a doctest
    the system's temporary folder (``tempfile.tempdir`` and ``TMPDIR``, for the
    subprocesses it starts) is a fresh folder that is removed when the example ends,
    so the suite leaves nothing behind in ``/tmp``. Other tests are not touched.
    """
    from _pytest.doctest import DoctestItem

    if not isinstance(request.node, DoctestItem):
        yield
        return
    import os
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="clustergraph-doctest-")
    saved_dir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder
    try:
        yield
    finally:
        tempfile.tempdir = saved_dir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(folder, ignore_errors=True)


# --- the network guard: no test reaches past loopback ---------------------------------
#
# clustergraph is offline by default (clustergraph.store.offline). This guard holds the
# whole suite to it (the tests and the library's doctests alike): every connection, DNS look-up or datagram that Python code in the
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
