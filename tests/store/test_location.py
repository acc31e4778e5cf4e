"""Naming a store: folders, endpoints, named stores in the endpoints file, and the mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustergraph.errors import EndpointError, StoreError
from clustergraph.store.location import locate, open_location
from clustergraph.store.remote import CONFIG_ENV, Endpoint


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "endpoints.toml"
    path.write_text(
        '[endpoints.lab]\nurl = "http://127.0.0.1:7878/query"\nupdate = "http://127.0.0.1:7878/update"\ngraphs = ["urn:g:1"]\n'
        f'[stores.archive]\npath = "{tmp_path / "archive"}"\n'
        '[stores.production]\nendpoint = "lab"\ngraphs = ["urn:g:2", "urn:g:3"]\n'
        "[stores.broken]\nnothing = 1\n"
    )
    monkeypatch.setenv(CONFIG_ENV, str(path))
    for name in ("CLUSTERGRAPH_ENDPOINT_USER", "CLUSTERGRAPH_ENDPOINT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_named_stores_and_endpoints(config):
    assert locate("archive").folder == config / "archive"
    production = locate("production").endpoint
    assert (production.url, production.update_url, production.graphs) == ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update", ("urn:g:2", "urn:g:3"))
    assert locate(endpoint="lab").endpoint.graphs == ("urn:g:1",)
    assert locate(endpoint="lab", graphs=["urn:g:9"], timeout=3).endpoint.graphs == ("urn:g:9",)
    assert locate(str(config / "elsewhere")).folder == config / "elsewhere"  # not a name: a folder
    assert locate("http://127.0.0.1:9/sparql").endpoint.url == "http://127.0.0.1:9/sparql"  # validate --store URL, the old spelling


def test_mistakes_are_one_clear_error(config):
    with pytest.raises(StoreError, match="either --store or --endpoint"):
        locate("archive", endpoint="lab")
    with pytest.raises(StoreError, match="--graph only applies with --endpoint"):
        locate(graphs=["urn:g"])
    with pytest.raises(StoreError, match=r"\[stores.broken\] has neither path nor endpoint"):
        locate("broken")
    with pytest.raises(EndpointError, match="is not an IRI for a named graph"):
        locate(endpoint="lab", graphs=["not an iri"])
    with pytest.raises(StoreError, match="no store"):
        open_location(locate(str(config / "typo")))
    assert not (config / "typo").exists()


def test_an_endpoint_object_keeps_its_settings():
    ep = Endpoint("http://127.0.0.1:9/query", update_url="http://127.0.0.1:9/update", timeout=5)
    got = locate(endpoint=ep, graphs=["urn:g"], graph_store="http://127.0.0.1:9/store").endpoint
    assert (got.update_url, got.graph_store_url, got.graphs, got.timeout) == ("http://127.0.0.1:9/update", "http://127.0.0.1:9/store", ("urn:g",), 5.0)
