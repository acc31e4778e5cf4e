"""The site's catalogue record is DCAT-AP 2.1.1 valid, and its VoID statistics are the graph's own."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH, VOID
from sitebuild import ENDPOINT, embedded, published, read_page

from clustergraph import store
from clustergraph.namespaces import ID
from clustergraph.publishing.catalog import CATALOG_IRI, DATASET_IRI, describe_dataset

SHAPES = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "dcat-ap-2.1.1"
if not SHAPES.is_dir():
    SHAPES = Path("/work/shared/testdata/dcat-ap-2.1.1")

#: Recommended-shape warnings that remain, each explained in the README ("DCAT-AP").
EXPLAINED = {
    # the countries of the data are the EU authority's concepts; the data gives no geometry
    ("http://www.w3.org/ns/dcat#bbox", "Location"),
    ("http://www.w3.org/ns/dcat#centroid", "Location"),
    # the publisher is whoever runs publish, not a body of the EU corporate-bodies table
    ("http://purl.org/dc/terms/publisher", "CorporateBody"),
}


def _shapes(*names: str) -> Graph:
    if not SHAPES.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the DCAT-AP shapes are missing at {SHAPES}")
        pytest.skip("the DCAT-AP 2.1.1 shapes are not here (../shared/testdata/dcat-ap-2.1.1)")
    g = Graph()
    for name in names:
        g.parse(SHAPES / name)
    return g


def _results(data: Graph, shapes: Graph) -> list[tuple[str, str, str, str]]:
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
    out = []
    for r in report.objects(None, SH.result):
        out.append((str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1], str(report.value(r, SH.focusNode)),
                    str(report.value(r, SH.resultPath)), str(report.value(r, SH.resultMessage))))
    return sorted(out)


@pytest.fixture(scope="module")
def record() -> Graph:
    return Graph().parse(published() / "void.ttl")


def test_no_violation_of_the_core_range_and_vocabulary_shapes(record: Graph) -> None:
    shapes = _shapes("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl",
                     "dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl", "dcat-ap_2.1.1_shacl_deprecateduris.ttl")
    violations = [r for r in _results(record, shapes) if r[0] == "Violation"]
    assert violations == []


def test_recommended_warnings_are_only_the_explained_ones(record: Graph) -> None:
    shapes = _shapes("dcat-ap_2.1.1_shacl_shapes_recommended.ttl", "dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl")
    left = []
    for severity, focus, path, message in _results(record, shapes):
        kinds = {str(t).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for t in record.objects(URIRef(focus), RDF.type)}
        if not any(path == p and (kind in kinds or kind in message) for p, kind in EXPLAINED):
            left.append((severity, focus, path, message))
    assert left == []


def test_the_record_has_what_dcat_ap_asks_for(record: Graph) -> None:
    assert (CATALOG_IRI, RDF.type, DCAT.Catalog) in record
    assert (CATALOG_IRI, DCAT.dataset, DATASET_IRI) in record
    dists = list(record.objects(DATASET_IRI, DCAT.distribution))
    assert len(dists) == 4
    for d in dists:
        assert record.value(d, DCAT.accessURL) and record.value(d, DCAT.downloadURL) and record.value(d, DCTERMS.license)
        assert str(record.value(d, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")
        assert str(record.value(d, DCTERMS.format)).startswith("http://publications.europa.eu/resource/authority/file-type/")
    service = record.value(CATALOG_IRI, DCAT.service)
    assert (service, DCAT.endpointURL, URIRef(ENDPOINT)) in record and (service, RDF.type, DCAT.DataService) in record
    publisher = record.value(DATASET_IRI, DCTERMS.publisher)
    assert record.value(publisher, FOAF.name) and record.value(publisher, DCTERMS.type)
    assert record.value(DATASET_IRI, DCAT.contactPoint) is not None
    assert len(list(record.objects(DATASET_IRI, DCAT.theme))) >= 1 and len(list(record.objects(DATASET_IRI, DCAT.keyword))) >= 3
    assert URIRef("http://publications.europa.eu/resource/authority/country/FRA") in set(record.objects(DATASET_IRI, DCTERMS.spatial))
    period = record.value(DATASET_IRI, DCTERMS.temporal)
    assert str(record.value(period, DCAT.startDate)) <= str(record.value(period, DCAT.endDate))


def test_void_statistics_are_the_graphs_own_counts(record: Graph) -> None:
    union = store.union(embedded())
    assert int(record.value(DATASET_IRI, VOID.triples)) == len(union) == 1246
    entities = {s for s in union.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}
    assert int(record.value(DATASET_IRI, VOID.entities)) == len(entities)
    assert int(record.value(DATASET_IRI, VOID.properties)) == len(set(union.predicates()))
    assert int(record.value(DATASET_IRI, VOID.classes)) == len(set(union.objects(None, RDF.type)))
    for part in record.objects(DATASET_IRI, VOID.classPartition):
        cls = record.value(part, VOID["class"])
        assert int(record.value(part, VOID.entities)) == len(set(union.subjects(RDF.type, cls)))
    home = read_page(published() / "index.html").text
    assert re.search(rf"statements about {len(entities):,} resources", home)


def test_the_record_does_not_depend_on_the_clock() -> None:
    union = store.union(embedded())
    a = describe_dataset(union).serialize(format="nt")
    b = describe_dataset(union).serialize(format="nt")
    assert sorted(a.splitlines()) == sorted(b.splitlines())
    assert "2024-01-01" in str(describe_dataset(union).value(DATASET_IRI, DCTERMS.modified))
    assert str(describe_dataset(union, modified="2025-06-30").value(DATASET_IRI, DCTERMS.modified)) == "2025-06-30"
    assert describe_dataset(union).value(CATALOG_IRI, DCAT.service) is None  # no endpoint, no data service
