"""Helpers shared by the tests that run on both real SPARQL servers (Virtuoso, Oxigraph's server)."""

from __future__ import annotations

__all__ = ["server_endpoint"]


def server_endpoint(server, timeout: float = 30):
    """An :class:`~clustergraph.store.remote.Endpoint` with the query, update and Graph Store URLs of a test server."""
    from clustergraph.store.remote import Endpoint

    return Endpoint(server.sparql, update_url=server.update, graph_store_url=server.graph_store, user=server.user, password=server.password, timeout=timeout)
