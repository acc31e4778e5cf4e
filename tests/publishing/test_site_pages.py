"""The published site read as a person and a crawler read it: no broken link, every page
reachable from the home page, an accessible structure on every page, pages for people."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS
from sitebuild import embedded, published, read_page

from clustergraph import store
from clustergraph.namespaces import CG, ID
from clustergraph.publishing import render_resource
from clustergraph.publishing.vocabulary import load_ontology, terms

OURS = "https://w3id.org/clustergraph/"


@pytest.fixture(scope="module")
def site() -> Path:
    return published()


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[Path, object]:
    return {p: read_page(p) for p in sorted(site.rglob("*.html"))}


def _target(page: Path, href: str, site: Path) -> tuple[Path, str] | None:
    """The file an internal link leads to (and its fragment), or None for a link out of the site."""
    url, fragment = urldefrag(href)
    if urlsplit(url).scheme or url.startswith("//"):
        return None
    if not url:
        return page, fragment
    target = Path(os.path.normpath(page.parent / unquote(url)))
    if target.is_dir():
        target = target / "index.html"
    return target, fragment


def test_crawl_from_home_reaches_every_page_and_no_link_is_broken(site: Path, pages: dict) -> None:
    broken, seen, todo = [], set(), [site / "index.html"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        info = pages[page]
        for href, _text in info.links:
            found = _target(page, href, site)
            if found is None:
                assert not href.startswith(OURS), f"{page}: links {href} by its IRI, not to the page in the site"
                continue
            target, fragment = found
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
                continue
            assert site in target.parents, href
            if target.suffix == ".html":
                if fragment and fragment not in pages[target].ids:
                    broken.append(f"{page.relative_to(site)} -> {href} (no anchor #{fragment})")
                todo.append(target)
        for link in info.link_rel:  # alternates and the like
            if link.get("rel") == "alternate":
                found = _target(page, link["href"], site)
                if found is not None and not found[0].exists():
                    broken.append(f"{page.relative_to(site)} -> {link['href']} (alternate)")
    assert broken == []
    unreachable = sorted(str(p.relative_to(site)) for p in pages if p not in seen)
    assert unreachable == []
    assert len(seen) > 250


def test_every_own_iri_a_page_names_is_published(site: Path, pages: dict) -> None:
    """Links into the dataset's namespaces all resolve: data, ontology terms, ecosystems, provenance rows, graphs."""
    hrefs = Counter()
    for page, info in pages.items():
        for href, _ in info.links:
            if "/id/ecosystem/" in href or "ontology/" in href or "graph/" in href:
                hrefs[href.rsplit("../", 1)[-1].split("#")[0]] += 1
    assert any(h.startswith("id/ecosystem/") for h in hrefs)
    assert any(h.startswith("graph/source/") for h in hrefs)
    assert sum(n for h, n in hrefs.items() if h.startswith("ontology/")) > 100
    for ecosystem in ("aerospace-and-defence", "digital"):
        assert (site / "id" / "ecosystem" / ecosystem / "index.html").is_file()


def test_every_page_has_an_accessible_structure(pages: dict) -> None:
    problems = []
    for path, p in pages.items():
        where = str(path.name if path.parent.name == "" else path.relative_to(path.parents[min(3, len(path.parents) - 1)]))
        levels = [h[0] for h in p.headings]
        checks = {
            "lang": bool(p.lang),
            "title": bool(p.title),
            "one h1": levels.count(1) == 1 and levels[:1] == [1],
            "heading order": all(b <= a + 1 for a, b in zip(levels, levels[1:])),
            "headings have text": all(t for _, t in p.headings),
            "landmarks": all(x in p.landmarks for x in ("header", "main", "footer")) and p.landmarks.count("main") == 1,
            "viewport": any(m.get("name") == "viewport" for m in p.meta),
            "canonical": any(link.get("rel") == "canonical" for link in p.link_rel),
            "alternate RDF": any(link.get("rel") == "alternate" and link.get("type") == "text/turtle" for link in p.link_rel),
            "json-ld": any(a.get("type") == "application/ld+json" for a, _ in p.scripts),
            "no script but data": all(a.get("type") == "application/ld+json" for a, _ in p.scripts),
            "images have text": all(i.get("alt") or i.get("aria-label") or i.get("aria-labelledby") for i in p.images),
            "inputs have labels": all(i.get("id") in p.label_for or i.get("aria-label") for i in p.inputs),
            "links have text": all(text.strip() and text.strip().lower() not in ("click here", "here", "link", "more") for _, text in p.links),
        }
        for name, ok in checks.items():
            if not ok:
                problems.append(f"{where}: {name}")
    assert problems == []


def test_titles_are_unique_and_never_slugs(site: Path, pages: dict) -> None:
    titles = Counter(p.title for p in pages.values())
    assert [t for t, n in titles.items() if n > 1] == []
    union = store.union(embedded())
    slugs = []
    for path, p in pages.items():
        rel = path.parent.relative_to(site).parts
        if rel[:1] == ("id",) and len(rel) > 2:
            labels = {str(v) for v in union.objects(ID["/".join(rel[1:])], RDFS.label)}
            if p.title.split(" · ")[0] == rel[-1] and rel[-1] not in labels:
                slugs.append(p.title)
    assert slugs == []
    assert read_page(site / "id" / "statistic" / "clus3-clusters-to-be-labelled-at-gold-level" / "index.html").title.startswith("Clusters to be labelled at gold level")


def test_embedded_json_ld_is_schema_org(pages: dict) -> None:
    for p in pages.values():
        for attrs, text in p.scripts:
            data = json.loads(text)
            assert data["@context"] == "https://schema.org" and data["@type"]


def test_the_project_page_reads_like_a_project(site: Path) -> None:
    page = read_page(site / "id" / "project" / "cecil" / "index.html")
    text = page.text
    assert page.title.startswith("CECIL")
    assert "Cluster Excellence for Creative Industries Leadership" in text
    assert "€247,283" in text and "€299,450" in text  # money in euros
    assert "1 January 2016" in text  # dates in words
    assert "EU contribution exceeds the total budget, as published." in text  # a note from the source
    for partner, country in (("Cap Digital", "France"), ("Danish Sound", "Denmark"), ("Madrid ICT-Audiovisual Cluster", "Spain"),
                             ("Mazovia ICT Cluster", "Poland")):
        assert re.search(re.escape(partner) + r".{0,80}" + country, text), partner
    assert "Madrid ICT-Audiovisual Cluster coordinator" in text
    assert "Cluster Excellence Programme" in text  # the call's programme
    html = (site / "id" / "project" / "cecil" / "index.html").read_text()
    assert "cg:euContribution" not in html and "prov:qualifiedDerivation" not in html
    assert "<svg role=\"img\"" in html  # the consortium picture
    assert re.search(r'href="\.\./\.\./\.\./ontology/euContribution/"[^>]*>EU contribution<', html)  # the label, the IRI one click away
    assert 'href="../../../graph/source/data-projects-csv/#row-4"' in html  # the provenance record, linked not dumped


def test_the_organisation_page_lists_projects_labels_collaborators(site: Path) -> None:
    text = read_page(site / "id" / "organisation" / "cap-digital" / "index.html").text
    assert "CECIL" in text and "France" in text
    assert "Collaborators" in text and "Danish Sound" in text
    friuli = read_page(site / "id" / "organisation" / "friuli-venezia-giulia-regional-clusters" / "index.html").text
    assert "Labels" in friuli and "Bronze" in friuli and "ESCA" in friuli and "last November" in friuli


def test_the_award_page_names_holder_and_labelling_body(site: Path) -> None:
    page = read_page(site / "id" / "award" / "friuli-venezia-giulia-regional-clusters-bronze" / "index.html")
    assert page.headings[0][1].startswith("Bronze label of")
    assert "Awarded by ESCA" in page.text and "Friuli" in page.text


def test_call_page_has_totals(site: Path) -> None:
    text = read_page(site / "id" / "call" / "cluster-excellence-programme-1" / "index.html").text
    assert "Total (6 projects)" in text and "CECIL" in text


def test_ontology_is_published_term_by_term(site: Path) -> None:
    onto = load_ontology()
    for term in terms(onto):
        folder = site / "ontology" / str(term)[len(str(CG)):]
        for suffix in ("html", "ttl", "jsonld", "rdf", "nt"):
            assert (folder / f"index.{suffix}").is_file(), (term, suffix)
    project = read_page(site / "ontology" / "Project" / "index.html")
    assert "A funded project run by a consortium" in project.text
    assert "schema.org" in project.text.lower() or "Project" in project.text
    eu = read_page(site / "ontology" / "euContribution" / "index.html").text
    assert "domain" in eu and "range" in eu and "Project" in eu
    index = read_page(site / "ontology" / "index.html")
    assert "Project" in index.ids and "euContribution" in index.ids  # the hash IRIs resolve
    g = Graph().parse(site / "ontology" / "Project" / "index.ttl")
    assert (CG.Project, RDFS.label, Literal("Project", lang="en")) in g


def test_home_page_has_counts_licence_citation_downloads_endpoint(site: Path) -> None:
    page = read_page(site / "index.html")
    hrefs = [h for h, _ in page.links]
    assert "http://127.0.0.1:8000/sparql" in hrefs
    assert "https://creativecommons.org/licenses/by/4.0/" in hrefs
    for suffix in ("ttl", "nt", "jsonld", "trig"):
        assert f"dataset/clustergraph.{suffix}" in hrefs
    assert "Cite as" in page.text
    assert re.search(r"1,246 statements about \d+ resources", page.text)


def test_render_resource_serves_one_page_from_a_graph() -> None:
    html = render_resource(store.union(embedded()), ID["project/cecil"])
    assert "<h1>CECIL</h1>" in html and 'href="/id/organisation/cap-digital/"' in html
    g = Graph()
    g.add((ID["thing/x"], RDFS.label, Literal("<script>alert(1)</script>", lang="en")))
    html = render_resource(g, ID["thing/x"])
    assert "<script>alert(1)</script>" not in html and "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html  # autoescaped


def test_labels_are_chosen_by_language_tag() -> None:
    g = Graph()
    g.add((ID["thing/x"], RDFS.label, Literal("Grappe", lang="fr")))
    g.add((ID["thing/x"], RDFS.label, Literal("Cluster", lang="en")))
    assert "<h1>Cluster</h1>" in render_resource(g, ID["thing/x"])
    french = render_resource(g, ID["thing/x"], lang="fr")
    assert "<h1>Grappe</h1>" in french and '<html lang="en">' in french  # the page's own words stay English
    assert '<span lang="fr">Grappe</span>' in french  # a value in another language says so


@pytest.mark.parametrize("folder", ["id/project/cecil", "ontology/Project", "ontology/BronzeLabelledCluster", "browse/Project", "graph/source/data-projects-csv"])
def test_the_rdf_files_of_a_page_say_the_same_in_every_format(site: Path, folder: str) -> None:
    from rdflib.compare import isomorphic

    graphs = {fmt: Graph().parse(site / folder / f"index.{suffix}", format=fmt)
              for suffix, fmt in (("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt"))}
    assert len(graphs["turtle"]) > 0
    for fmt, g in graphs.items():
        assert isomorphic(g, graphs["turtle"]), fmt
