"""Shared fixtures. Each part of the suite adds its own below, in its own block."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def embedded():
    """The embedded dataset in an Oxigraph-backed store, built once per test session.

    Tests must not modify it; take ``clustergraph.store.to_memory(embedded)`` for a copy.
    """
    from clustergraph import store
    from clustergraph.ingest import load_embedded

    return load_embedded(store.open_dataset())
