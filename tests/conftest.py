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
