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


# --- a second real triple store: Oxigraph's SPARQL server on loopback ----------------


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """``oxigraph serve`` started for this session, stopped at its end.

    Skips only when the ``oxigraph`` command is missing and ``CI`` is unset; under CI a
    missing server fails the tests (the ``test`` extra installs it).
    """
    import os

    from oxigraph_server import EXECUTABLE, OxigraphServer, executable

    if executable() is None:
        message = f"the {EXECUTABLE} command is not installed (pip install oxigraph; the test extra has it)"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set: the triple store tests must run", pytrace=False)
        pytest.skip(message)
    server = OxigraphServer.start(tmp_path_factory.mktemp("oxigraph-server"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["virtuoso", "oxigraph"])
def sparql_server(request):
    """Each real SPARQL server in turn (Virtuoso, then Oxigraph's server): the same test runs on both."""
    return request.getfixturevalue("virtuoso" if request.param == "virtuoso" else "oxigraph_server")


@pytest.fixture
def sparql_endpoint(sparql_server):
    """The :class:`Endpoint` of :func:`sparql_server` (with the credentials it needs)."""
    from sparql_servers import server_endpoint

    return server_endpoint(sparql_server)
