"""Publishing: dumps, DCAT/VoID, one page per resource, checked in a real browser."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, VOID

from clustergraph import store
from clustergraph.cli import main
from clustergraph.ingest.importer import load_embedded
from clustergraph.namespaces import CG, ID
from clustergraph.publishing.site import DATASET_IRI, describe, negotiate, publish

CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    ds = load_embedded(store.open_dataset())
    return publish(ds, tmp_path_factory.mktemp("site") / "site", endpoint="http://127.0.0.1:8000/sparql")


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


def test_negotiation() -> None:
    assert negotiate("text/turtle") == "ttl"
    assert negotiate("application/ld+json, text/html;q=0.1") == "jsonld"
    assert negotiate("text/html,application/xhtml+xml,*/*;q=0.8") == "html"
    assert negotiate(None) == "html"


def test_describe_includes_incoming_links() -> None:
    ds = load_embedded(store.open_dataset())
    d = describe(store.union(ds), ID["organisation/cap-digital"])
    assert any(True for _ in d.triples((None, CG.participant, ID["organisation/cap-digital"])))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
def test_page_renders_in_chromium(site: Path, tmp_path: Path) -> None:
    assert CHROMIUM, "chromium must be installed on CI (.ci/run installs it)"
    page = site / "id" / "project" / "cecil" / "index.html"
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60)
    assert "<h1>CECIL</h1>" in dom.stdout
    assert "Madrid ICT-Audiovisual Cluster".lower() in dom.stdout.lower()
    shot = tmp_path / "page.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1000,800", page.as_uri()], capture_output=True, timeout=60)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_cli_publish(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["publish", "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "resource pages" in res.output
    assert (tmp_path / "s" / "void.ttl").exists()
