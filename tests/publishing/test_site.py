"""Publishing: dumps, DCAT/VoID, one page per resource, checked in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, VOID

from clustergraph import store
from clustergraph.cli import main
from clustergraph.namespaces import CG, ID
from clustergraph.publishing.site import DATASET_IRI, describe, publish
from sitebuild import embedded, published



@pytest.fixture(scope="module")
def site() -> Path:
    return published()  # the embedded dataset, published once per session (sitebuild.py)


def test_site_has_dumps_description_and_pages(site: Path) -> None:
    for suffix in ("ttl", "nt", "jsonld", "trig"):
        assert (site / "dataset" / f"clustergraph.{suffix}").stat().st_size > 1000
    void = Graph().parse(site / "void.ttl")
    assert (DATASET_IRI, RDF.type, DCAT.Dataset) in void
    triples = int(void.value(DATASET_IRI, VOID.triples))
    assert triples == len(Graph().parse(site / "dataset" / "clustergraph.nt"))
    assert (DATASET_IRI, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:8000/sparql")) in void
    assert len(list(void.objects(DATASET_IRI, DCAT.distribution))) == 4
    page = site / "id" / "project" / "cecil" / "index.html"
    text = page.read_text()
    assert "<h1>CECIL</h1>" in text and "Cap Digital".lower() in text.lower()
    desc = Graph().parse(site / "id" / "project" / "cecil" / "index.ttl")
    assert (ID["project/cecil"], CG.acronym, Literal("CECIL")) in desc
    assert "RewriteRule" in (site / ".htaccess").read_text()


def test_links_between_pages_resolve(site: Path) -> None:
    page = site / "id" / "project" / "cecil" / "index.html"
    import re

    hrefs = re.findall(r'href="([^"]+)"', page.read_text())
    local = [h for h in hrefs if not h.startswith(("http", "#"))]
    assert len(local) > 5
    for h in local:
        target = (page.parent / h.split("#")[0]).resolve()
        if target.is_dir():
            target = target / "index.html"
        assert target.exists(), h


def test_describe_includes_incoming_links() -> None:
    d = describe(store.union(embedded()), ID["organisation/cap-digital"])
    assert any(True for _ in d.triples((None, CG.participant, ID["organisation/cap-digital"])))


def test_cli_publish(tmp_path: Path) -> None:
    source = tmp_path / "data.nt"
    source.write_text('<https://w3id.org/clustergraph/id/project/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" .\n')
    res = CliRunner().invoke(main, ["publish", "--data", str(source), "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "resource pages" in res.output
    assert (tmp_path / "s" / "void.ttl").exists()
