"""Value chains: links as data with their source, paths of collaborating organisations, missing links."""

from __future__ import annotations

import csv

import pytest
from networkdata import load_fixture
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, PROV

from clustergraph import network
from clustergraph.namespaces import CG
from clustergraph.network import valuechain as vc
from clustergraph.resources import data_dir


@pytest.fixture(scope="module")
def ds():
    return load_fixture()


def test_value_chain_links(ds):
    chain = vc.value_chain(ds)
    assert len(chain) == 5
    row = chain[chain["supplier_name"] == "Plasma technology"].iloc[0]
    assert (row["user_name"], row["project_names"], row["source"]) == ("Nanotechnology", "INNO-DROP", "fixture")
    eco = chain[chain["user_kind"] == "ecosystem"].iloc[0]
    assert eco["user_name"] == "Aerospace and defence"
    # CLUSTEM is tagged with both textiles and machinery: it spans that link
    assert chain[chain["supplier_name"] == "Machinery"]["project_names"].tolist() == ["CLUSTEM"]


def test_missing_links(ds):
    missing = vc.missing_links(ds)
    assert missing[["supplier_name", "user_name"]].values.tolist() == [["New materials", "Aerospace and defence"]]


def test_paths_run_along_the_chain(ds):
    paths = vc.value_chain_paths(ds)
    assert paths.loc[0, "names"] == "BalticNet-PlasmaTec -> Nanoprogress -> Cap Digital"
    assert paths.loc[0, "projects"] == "INNO-DROP | BRIDGE-X"
    assert paths.loc[0, "length"] == 2
    pairs = set(paths["names"])
    assert "Sensors and membranes cluster -> ZINNAE" in pairs
    assert "BalticNet-PlasmaTec -> Nanoprogress" not in pairs  # part of the longer chain
    # Danish Sound's sector comes from CECIL: it is no user of nanotechnology
    assert not paths["names"].str.contains("Danish Sound").any()
    assert len(vc.value_chain_paths(ds, max_length=1)) == 3


def test_same_on_memory_store(ds):
    memory = load_fixture("memory")
    assert vc.value_chain(ds).equals(vc.value_chain(memory))
    assert vc.value_chain_paths(ds).equals(vc.value_chain_paths(memory))


def test_embedded_value_chain_is_sourced_data(embedded):
    rows = list(csv.DictReader((data_dir() / "value_chain.csv").open(encoding="utf-8")))
    assert rows and all(r["citation"].strip() and r["source"].strip() for r in rows)
    links = set(embedded.subjects(RDF.type, CG.ValueChainLink))
    assert len(links) == len(rows)
    for link in links:
        assert embedded.value(link, DCTERMS.source) is not None
        assert embedded.value(link, PROV.wasDerivedFrom) is not None
        for prop in (CG.supplier, CG.user):
            end = embedded.value(link, prop)
            assert (end, RDF.type, CG.Sector) in embedded or "/ecosystem/" in str(end), end


def test_embedded_value_chain(embedded):
    chain = vc.value_chain(embedded)
    row = chain[(chain["supplier_name"] == "plasma") & (chain["user_name"] == "nanotechnology")]
    assert row["project_names"].tolist() == ["INNO-DROP"]
    assert "INNO-DROP" in chain[chain["supplier_name"] == "sensors and membranes"]["project_names"].tolist()
    missing = vc.missing_links(embedded)
    assert ("nanotechnology", "digital creative industries") in set(zip(missing["supplier_name"], missing["user_name"]))
    paths = vc.value_chain_paths(embedded)
    assert "BalticNet-PlasmaTec -> Nanoprogress" in set(paths["names"])
    eco = URIRef("https://w3id.org/clustergraph/id/ecosystem/construction")
    assert eco in set(chain["user"].map(URIRef))
    assert network.highlights(embedded)[-1].startswith("value chain: ")
