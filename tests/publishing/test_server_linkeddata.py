"""`clustergraph serve` as a linked-data server: resources by Accept, the SPARQL dataset, the query page, search, extensions."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from negotiation_cases import ACCEPTS  # the cases Apache and nginx answer in tests/publishing/test_apache.py
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, VOID

from clustergraph import store
from clustergraph.namespaces import CG, GRAPH, ID
from clustergraph.publishing.negotiation import RDFLIB_FORMATS, RESOURCE_FORMATS
from clustergraph.publishing.server import Server
from clustergraph.publishing.service import SD
from clustergraph.query import execution as query



@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def served(request):
    data = query.open_data(kind=request.param)
    store.load(data, TOKYO.encode(), format="nt", graph="https://w3id.org/clustergraph/graph/test")
    hits: list[str] = []

    def extension(api) -> None:
        @api.get("/extension/ping")
        def ping() -> dict[str, str]:
            hits.append("ping")
            return {"pong": "yes"}

    with Server(data, extensions=[extension]) as server:
        yield server, data, hits


def fetch(url: str, accept: str | None = None, data: bytes | None = None, headers: dict[str, str] | None = None):
    req = urllib.request.Request(url, data=data, headers={**({"Accept": accept} if accept is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=20) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def sparql(server: Server, text: str, accept: str, **params: str):
    return fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": text, **params}), accept)


CECIL = ID["project/cecil"]
#: A resource whose IRI path is not ASCII (percent-encoded in the IRI).
TOKYO = '<https://w3id.org/clustergraph/id/organisation/%E6%9D%B1%E4%BA%AC> <http://www.w3.org/2000/01/rdf-schema#label> "Tokyo cluster"@en .\n'


@pytest.mark.parametrize(("accept", "suffix"), ACCEPTS)
def test_a_resource_answers_every_representation_by_accept(served, accept, suffix) -> None:
    server, _, _ = served
    for path in ("id/project/cecil", "id/project/cecil/"):
        status, headers, body = fetch(server.url + path, accept)
        media = RESOURCE_FORMATS[suffix]
        assert status == 200, body[:300]
        assert headers["Content-Type"].split(";")[0] == media
        assert headers["Vary"] == "Accept"
        assert headers["Content-Location"] == f"/id/project/cecil/index.{suffix}"
        links = dict((t, u) for u, t in re.findall(r'<([^>]+)>;\s*rel="alternate";\s*type="([^"]+)"', headers["Link"]))
        assert links == {m: f"/id/project/cecil/index.{s}" for s, m in RESOURCE_FORMATS.items()}
        if suffix == "html":
            text = body.decode()
            assert "CECIL" in text and "<!DOCTYPE html>" in text
            if not path.endswith("/"):
                assert '<base href="/id/project/cecil/">' in text  # relative links stay right at the IRI path
        else:
            graph = Graph().parse(data=body, format=RDFLIB_FORMATS[media])
            assert (CECIL, CG.acronym, Literal("CECIL")) in graph
            assert (None, CG.participant, ID["organisation/cap-digital"]) in graph or (ID["organisation/cap-digital"], None, None) in graph


def test_each_representation_has_its_own_url(served) -> None:
    server, _, _ = served
    for suffix, media in RESOURCE_FORMATS.items():
        status, headers, body = fetch(server.url + f"id/project/cecil/index.{suffix}", "image/png")  # Accept does not matter here
        assert status == 200 and headers["Content-Type"].split(";")[0] == media
    status, headers, body = fetch(server.url + "id/project/cecil/index.ttl")
    assert (CECIL, None, None) in Graph().parse(data=body, format="turtle")


def test_a_non_ascii_iri_dereferences(served) -> None:
    server, _, _ = served
    for path in ("id/organisation/%E6%9D%B1%E4%BA%AC", "id/organisation/%e6%9d%b1%e4%ba%ac/"):
        status, headers, body = fetch(server.url + path, "text/turtle")
        assert status == 200 and headers["Content-Location"] == "/id/organisation/%E6%9D%B1%E4%BA%AC/index.ttl"
        assert (ID["organisation/%E6%9D%B1%E4%BA%AC"], RDFS.label, Literal("Tokyo cluster", lang="en")) in Graph().parse(data=body, format="turtle")
    hits = json.loads(fetch(server.url + "search?q=tokyo", "application/json")[2])["results"]
    assert [h["url"] for h in hits] == ["/id/organisation/%E6%9D%B1%E4%BA%AC/"]
    assert b'href="/id/organisation/%E6%9D%B1%E4%BA%AC/"' in fetch(server.url + "search?q=tokyo", "text/html")[2]


def test_unknown_is_404_and_unacceptable_is_406(served) -> None:
    server, _, _ = served
    status, headers, body = fetch(server.url + "id/project/no-such-project", "text/html")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and b"not in this dataset" in body
    status, headers, body = fetch(server.url + "id/project/no-such-project", "text/turtle")
    assert status == 404 and headers["Content-Type"].startswith("text/plain") and headers["Vary"] == "Accept"
    assert fetch(server.url + "id/project/no-such-project/index.ttl")[0] == 404
    for accept in ("image/png", "text/turtle;q=0, text/html;q=0", "application/json"):
        status, headers, body = fetch(server.url + "id/project/cecil", accept)
        assert status == 406 and b"/id/project/cecil/index.ttl" in body and "Link" in headers
    assert fetch(server.url + "id/project/cecil/index.csv")[0] == 404


def test_the_ontology_dereferences(served) -> None:
    server, _, _ = served
    status, headers, body = fetch(server.url + "ontology", "text/turtle")
    assert status == 200
    ontology = Graph().parse(data=body, format="turtle")
    assert (URIRef("https://w3id.org/clustergraph/ontology"), RDF.type, OWL.Ontology) in ontology
    assert (CG.Project, RDF.type, OWL.Class) in ontology
    status, headers, body = fetch(server.url + "ontology/Project", "application/ld+json")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    term = Graph().parse(data=body, format="json-ld")
    assert term.value(CG.Project, RDFS.label) is not None
    assert (CECIL, None, None) not in term  # the term page holds the vocabulary, not the data
    status, _, body = fetch(server.url + "ontology/Project/", "text/html")
    assert status == 200 and b"Project" in body
    assert fetch(server.url + "ontology/NoSuchTerm", "text/turtle")[0] == 404


def test_named_graphs_dereference(served) -> None:
    server, _, _ = served
    status, _, body = fetch(server.url + "graph/provenance", "text/turtle")
    assert status == 200
    assert int(Graph().parse(data=body, format="turtle").value(GRAPH.provenance, VOID.triples)) > 100


def test_count_star_counts_the_data_not_the_ontology(served) -> None:
    server, data, _ = served
    without_ontology = store.open_dataset("memory")
    for s, p, o, g in store.quads(data):
        if g != GRAPH.ontology:
            without_ontology.add((s, p, o, g))
    expected = len(store.union(without_ontology))  # each triple once, as the dumps hold it
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = sparql(server, count, "application/sparql-results+json")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == expected
    ontology = len(list(data.graph(GRAPH.ontology).triples((None, None, None))))
    assert ontology > 1000
    for text, params in (
        ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/clustergraph/graph/ontology> WHERE { ?s ?p ?o }", {}),
        ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/clustergraph/graph/ontology> { ?s ?p ?o } }", {}),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"default-graph-uri": str(GRAPH.ontology)}),
    ):
        status, _, body = sparql(server, text, "text/csv", **params)
        assert status == 200 and list(csv.reader(io.StringIO(body.decode())))[1] == [str(ontology)], text


def test_the_service_description_lists_the_graphs(served) -> None:
    server, data, _ = served
    status, headers, body = fetch(server.url + "sparql", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle") and headers["Vary"] == "Accept"
    sd = Graph().parse(data=body, format="turtle")
    names = {str(n) for n in sd.objects(None, SD.name)}
    assert str(GRAPH.ontology) in names and str(GRAPH.provenance) in names
    assert {str(g) for *_, g in store.quads(data) if g is not None} <= names  # (an empty graph is listed too)
    service = next(sd.subjects(RDF.type, SD.Service))
    default = sd.value(sd.value(service, SD.defaultDataset), SD.defaultGraph)
    _, _, counted = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert int(sd.value(default, VOID.triples)) == int(json.loads(counted)["results"]["bindings"][0]["n"]["value"])
    status, headers, body = fetch(server.url + "sparql?service-description", "*/*")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        (None, "text/turtle", "turtle"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples;q=0.9, text/turtle;q=0.5", "application/n-triples", "nt"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml", "xml"),
    ],
)
def test_describe_and_construct_answer_rdf_with_its_media_type(served, accept, media, fmt) -> None:
    server, _, _ = served
    for text in (f"DESCRIBE <{CECIL}>", f"CONSTRUCT {{ <{CECIL}> ?p ?o }} WHERE {{ <{CECIL}> ?p ?o }}"):
        status, headers, body = sparql(server, text, accept)
        assert status == 200 and headers["Content-Type"].split(";")[0] == media, text
        assert (CECIL, CG.acronym, Literal("CECIL")) in Graph().parse(data=body, format=fmt)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/json"),
    ],
)
def test_select_answers_by_accept(served, accept, media) -> None:
    server, _, _ = served
    status, headers, body = sparql(server, f"SELECT ?a WHERE {{ <{CECIL}> <{CG.acronym}> ?a }}", accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == media and headers["Vary"] == "Accept"
    assert b"CECIL" in body


def test_unacceptable_results_are_406(served) -> None:
    server, _, _ = served
    status, _, body = sparql(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png")
    assert status == 406 and "application/sparql-results+json" in json.loads(body)["message"]
    assert sparql(server, f"DESCRIBE <{CECIL}>", "text/csv")[0] == 406


def test_the_query_page_is_served_offline_with_the_named_queries(served) -> None:
    server, _, _ = served
    status, headers, body = fetch(server.url + "sparql", "text/html")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert scripts and all(s.startswith("/") for s in scripts), scripts  # nothing from another host
    for asset in scripts:
        status, headers, body = fetch(server.url + asset.lstrip("/"))
        assert status == 200 and len(body) > 10_000, asset
    assert "projects-per-call" in page and "Projects per call" in page.replace("projects per call", "Projects per call")
    status, _, body = fetch(server.url + "sparql?example=projects-per-call&run=1", "text/html")
    assert b'"selected": "projects-per-call"' in body and b'"run": true' in body


def test_search_over_labels(served) -> None:
    server, _, _ = served
    status, headers, body = fetch(server.url + "search?q=cap%20dig", "application/json")
    hits = json.loads(body)["results"]
    assert status == 200 and [(h["iri"], h["label"], h["url"]) for h in hits] == [
        (str(ID["organisation/cap-digital"]), "Cap Digital", "/id/organisation/cap-digital/")]
    assert hits[0]["type"] in (str(CG.ClusterOrganisation), str(CG.Organisation))
    status, headers, body = fetch(server.url + "search?q=" + urllib.parse.quote('"} UNION { ?s ?p ?o'), "application/json")
    assert status == 200 and json.loads(body)["results"] == []  # the text is a literal, never SPARQL
    status, headers, body = fetch(server.url + "search?q=CECIL", "text/html")
    assert status == 200 and b'href="/id/project/cecil/"' in body and b"<form" in body
    assert json.loads(fetch(server.url + "search?q=Project", "application/json")[2])["results"]  # ontology labels too


def test_extensions_are_mounted_behind_the_host_check(served) -> None:
    server, _, hits = served
    status, _, body = fetch(server.url + "extension/ping")
    assert status == 200 and json.loads(body) == {"pong": "yes"}
    status, _, _ = fetch(server.url + "extension/ping", headers={"Host": "evil.example"})
    assert status == 400 and hits == ["ping"]


def test_head_requests(served) -> None:
    server, _, _ = served
    req = urllib.request.Request(server.url + "id/project/cecil", method="HEAD", headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(req, timeout=10) as res:
        assert res.status == 200 and res.headers["Content-Type"].startswith("text/turtle") and res.read() == b""


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_ask_answers_every_result_format(served, accept) -> None:
    server, _, _ = served
    status, headers, body = sparql(server, f"ASK {{ <{CECIL}> ?p ?o }}", accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == accept
    assert b"true" in body
