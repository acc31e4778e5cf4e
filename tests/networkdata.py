"""The small hand-checkable network fixture shared by the network-analysis tests."""

from __future__ import annotations

from pathlib import Path

from clustergraph import store

FIXTURE = Path(__file__).parent / "network" / "fixtures" / "clusters.ttl"


def load_fixture(kind: str = "oxigraph"):
    """The fixture in a fresh dataset of the given store kind."""
    ds = store.open_dataset(kind)
    store.load(ds, FIXTURE, graph="https://example.org/fixture")
    return ds
