"""Shared fixtures: the embedded dataset with a few organisations that carry identifiers, its index,
a running reconciliation server, and the W3C Reconciliation API 0.2 JSON Schemas (read in place)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from clustergraph.namespaces import CG, COUNTRY, GRAPH, ID

SPEC = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "reconciliation-api-0.2"
SCHEMA_BASE = "https://reconciliation-api.github.io/specs/0.2/schemas/"

EXTRA = {
    # two namesakes in two countries: ambiguous without a country
    "nordic-sound-dk": ("Nordic Sound Cluster", "DNK", {CG.pic: "111111111"}),
    "nordic-sound-se": ("Nordic Sound Cluster", "SWE", {CG.pic: "222222222"}),
    # identifiers under a name unlike any other
    "alpha-hub": ("Alpha Innovation Hub", "DEU", {CG.pic: "999999999", CG.vatNumber: "DE123456789", CG.rorId: "05dxps055",
                                                  CG.wikidataId: "Q95", CG.domain: "alpha-hub.example"}),
}


@pytest.fixture(scope="session")
def graph():
    from clustergraph.ingest import load_embedded

    ds = load_embedded()
    extra = ds.graph(GRAPH["source/reconciliation-test"])
    for key, (name, country, ids) in EXTRA.items():
        node = ID[f"organisation/{key}"]
        extra.add((node, RDF.type, CG.ClusterOrganisation))
        extra.add((node, RDFS.label, Literal(name, lang="en")))
        extra.add((node, CG.country, COUNTRY[country]))
        for prop, value in ids.items():
            extra.add((node, prop, Literal(value)))
    return ds


@pytest.fixture(scope="session")
def index(graph):
    from clustergraph.reconciliation import Index

    return Index.from_graph(graph)


@pytest.fixture(scope="session")
def server(index):
    from clustergraph.reconciliation import ReconciliationServer

    with ReconciliationServer(index, port=0) as running:
        yield running


@pytest.fixture(scope="session")
def schemas():
    """``check(name, document)``: validate against one of the specification's schemas (references resolved locally)."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    registry = Registry()
    loaded = {}
    for path in sorted((SPEC / "schemas").glob("*.json")):
        if path.name == "openapi.json":
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        loaded[path.stem] = doc
        resource = Resource.from_contents(doc, default_specification=DRAFT7)
        registry = registry.with_resource(doc.get("$id", SCHEMA_BASE + path.name), resource)
        registry = registry.with_resource(SCHEMA_BASE + path.name, resource)

    def check(name: str, document) -> None:
        validator = jsonschema.Draft7Validator(loaded[name], registry=registry, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, f"{name}: " + "; ".join(e.message for e in errors[:5])

    return check
