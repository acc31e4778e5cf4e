"""The collaboration network as a widget in a notebook (ipysigma), the picture without it."""

from __future__ import annotations

import os
import sys

import pytest
from matplotlib.figure import Figure

from clustergraph import network
from networkdata import load_fixture


def _sigma():
    try:
        import ipysigma
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("ipysigma is not installed (pip install -e '.[test]' installs it)")
        pytest.skip("ipysigma is not installed")
    return ipysigma


@pytest.fixture(scope="module")
def G():
    return network.collaboration_graph(load_fixture())


def test_explore_gives_a_widget_with_every_organisation(G):
    ipysigma = _sigma()
    widget = network.explore(G)
    assert isinstance(widget, ipysigma.Sigma)
    shown = network.widget_graph(G)
    assert set(shown) == {str(n) for n in G} and shown.number_of_edges() == G.number_of_edges()
    assert {shown.nodes[str(n)]["label"] for n in G} == {G.nodes[n]["name"] for n in G}
    assert all(shown.nodes[n]["sector"] for n in shown)


def test_static_or_without_ipysigma_gives_the_picture(G, monkeypatch):
    assert isinstance(network.explore(G, static=True), Figure)
    monkeypatch.setitem(sys.modules, "ipysigma", None)  # as if it were not installed
    assert isinstance(network.explore(G), Figure)
