"""Pictures: written, non-empty, valid images; deterministic for a seed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from clustergraph import network, store
from clustergraph.errors import ParameterError
from clustergraph.network import crosssector, plot

FIXTURE = Path(__file__).parent / "fixtures" / "clusters.ttl"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def G():
    ds = store.open_dataset()
    store.load(ds, FIXTURE, graph="https://example.org/fixture")
    return network.collaboration_graph(ds)


def test_network_png(tmp_path, G):
    path = plot.plot_network(G, tmp_path / "network.png", seed=0)
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 10_000
    again = plot.plot_network(G, tmp_path / "again.png", seed=0).read_bytes()
    assert again == data  # same seed, same picture
    assert plot.plot_network(G, tmp_path / "other.png", seed=1).read_bytes() != data


def test_network_svg_parses(tmp_path, G):
    path = plot.plot_network(G, tmp_path / "network.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    text = path.read_text(encoding="utf-8")
    assert "<dc:date>" not in text  # no date: equal figures, equal files
    assert path.stat().st_size > 10_000


def test_key_nodes_are_labelled(G):
    fig = plot.network_figure(G)
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"Cap Digital", "Nanoprogress"} <= labels
    legend = {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
    assert {"Nanotechnology", "sector unknown", "sector from its projects"} <= legend


def test_large_graph_shows_its_most_central_nodes(tmp_path):
    R = nx.connected_watts_strogatz_graph(120, 4, 0.1, seed=1)
    nx.set_node_attributes(R, {n: f"s{n % 15}" for n in R}, "sector")
    fig = plot.network_figure(R, max_nodes=50, top=5)
    assert "50 most central shown" in fig.axes[0].get_title()
    assert len(fig.axes[0].texts) == 5


def test_mixing_heat_map(tmp_path, G):
    matrix = crosssector.mixing_matrix(G)
    png = plot.plot_mixing(matrix, tmp_path / "mixing.png").read_bytes()
    assert png[:8] == PNG and len(png) > 10_000
    svg = plot.plot_mixing(matrix, tmp_path / "mixing.svg")
    assert ET.parse(svg).getroot().tag.endswith("svg")


def test_refuses_unknown_format(tmp_path, G):
    with pytest.raises(ParameterError):
        plot.plot_network(G, tmp_path / "network.gif")
    assert not list(tmp_path.iterdir())


def test_empty_network(tmp_path):
    data = plot.plot_network(nx.Graph(), tmp_path / "empty.png").read_bytes()
    assert data[:8] == PNG


def test_same_picture_whatever_the_string_hashing(tmp_path):
    """The seeded layout does not depend on Python's string hash (a set's order), which changes per process."""
    import hashlib
    import os
    import subprocess
    import sys

    code = (
        "import networkx as nx, random, sys; from pathlib import Path; from clustergraph.network import plot\n"
        "G = nx.relabel_nodes(nx.gnm_random_graph(200, 900, seed=2), lambda n: f'org{n}')\n"
        "r = random.Random(0)\n"
        "for n in G: G.nodes[n]['sector'] = r.choice('abcdef')\n"
        "plot.plot_network(G, Path(sys.argv[1]), max_nodes=40, seed=0)\n"
    )
    digests = set()
    for seed in ("1", "2"):
        path = tmp_path / f"n{seed}.png"
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(digests) == 1
