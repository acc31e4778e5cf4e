"""Dereferencing: a resource's IRI path answered in the representation its client asks for.

``clustergraph serve`` answers the paths of the dataset's own namespaces
(:mod:`clustergraph.namespaces`): data resources (``/id/...``), named graphs
(``/graph/...``), the ontology document (``/ontology``, whose ``#`` terms are its
fragments) and one page per term (``/ontology/Project``). Each path comes in three forms,
the same as in a published site:

* the IRI path itself (``/id/project/cecil``) and the document (``/id/project/cecil/``):
  negotiated by ``Accept`` (:mod:`clustergraph.publishing.negotiation`) among HTML,
  Turtle, JSON-LD, N-Triples and RDF/XML, with ``Vary: Accept``, a ``Content-Location``
  naming the representation and ``Link`` headers to every alternate;
* one URL per representation (``/id/project/cecil/index.ttl``), as in the static site.

A path of the namespaces that names nothing in the data is 404 (HTML for browsers,
plain text otherwise); an ``Accept`` that none of the representations satisfies is 406,
listing them.

>>> resolve("/id/project/cecil/index.ttl")
('https://w3id.org/clustergraph/id/project/cecil', 'data', 'ttl')
>>> resolve("/ontology")
('https://w3id.org/clustergraph/ontology', 'ontology', None)
>>> resolve("/ontology/Project/")
('https://w3id.org/clustergraph/ontology#Project', 'term', None)
>>> resolve("/sparql") is None
True
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, VOID, XSD

from ..bindings import inject_values
from ..namespaces import CG, GRAPH, ID, bind_prefixes
from ..store.dataset import from_oxigraph, oxigraph
from .negotiation import RDFLIB_FORMATS, RESOURCE_FORMATS, choose, extension_of
from .protocol import VOCABULARY_GRAPHS, Answer, graph_names, run_query

__all__ = [
    "SITE",
    "ONTOLOGY",
    "PageRenderer",
    "resolve",
    "path_of",
    "resource_graph",
    "answer_resource",
    "search",
    "answer_search",
    "fallback_page",
    "data_graph",
]

#: The site every namespace of the dataset lives under (``https://w3id.org/clustergraph/``).
SITE = str(ID).rsplit("/id/", 1)[0] + "/"
#: The ontology document's IRI (the ``cg:`` terms are its fragments).
ONTOLOGY = str(CG).rstrip("#")
_ID_PATH = "/" + str(ID)[len(SITE):]  # "/id/"
_GRAPH_PATH = "/" + str(GRAPH)[len(SITE):]  # "/graph/"
_ONTOLOGY_PATH = "/" + ONTOLOGY[len(SITE):]  # "/ontology"
_LABELS = (SKOS.prefLabel, RDFS.label, CG.acronym, DCTERMS.title)

#: Renders a resource's HTML page: ``(graph, iri, description) -> HTML or None``. ``graph``
#: is the served dataset, ``description`` the resource's RDF; ``None`` falls back to
#: :func:`fallback_page`.
PageRenderer = Callable[[Graph, URIRef, Graph], "str | None"]


def resolve(path: str) -> tuple[str, str, str | None] | None:
    """``(iri, kind, suffix)`` for a request path, or None if it is not a resource path.

    ``kind`` is ``data`` (``/id/``), ``graph`` (``/graph/``), ``ontology`` or ``term``;
    ``suffix`` names a representation (``/index.ttl``), or is None (negotiate). The path is
    as received (percent-decoded by the HTTP server) and is percent-encoded again the way
    :func:`clustergraph.iri.mint` encodes.

    >>> resolve("/id/organisation/東京")[0]
    'https://w3id.org/clustergraph/id/organisation/%E6%9D%B1%E4%BA%AC'
    >>> resolve("/id/project/cecil/index.csv") is None, resolve("/id/") is None, resolve("/id/a//b") is None
    (True, True, True)
    """
    suffix = None
    rest = path
    last = rest.rsplit("/", 1)[-1]
    if last.startswith("index."):
        suffix = last[len("index."):]
        if suffix not in RESOURCE_FORMATS:
            return None
        rest = rest[: -len(last)]
    rest = rest.rstrip("/") if rest.endswith("/") and not rest.endswith("//") else rest
    if rest == _ONTOLOGY_PATH:
        return ONTOLOGY, "ontology", suffix
    if rest.startswith(_ONTOLOGY_PATH + "/"):
        name = rest[len(_ONTOLOGY_PATH) + 1:]
        if not name or "/" in name:
            return None
        return str(CG) + quote(name, safe=""), "term", suffix
    for prefix, namespace, kind in ((_ID_PATH, ID, "data"), (_GRAPH_PATH, GRAPH, "graph")):
        if rest.startswith(prefix):
            segments = rest[len(prefix):].split("/")
            if not segments or any(s in ("", ".", "..") for s in segments):
                return None
            return str(namespace) + "/".join(quote(s, safe="!$&'()*+,;=:@-._~") for s in segments), kind, suffix
    return None


def path_of(iri: str) -> str | None:
    """The server path of an IRI in the dataset's namespaces (its document), else None.

    >>> path_of("https://w3id.org/clustergraph/id/project/cecil"), path_of(str(CG.Project))
    ('/id/project/cecil/', '/ontology/Project/')
    >>> path_of("https://example.org/x") is None
    True
    """
    if iri.startswith(str(CG)):
        return f"{_ONTOLOGY_PATH}/{iri[len(str(CG)):]}/"
    if iri == ONTOLOGY:
        return _ONTOLOGY_PATH + "/"
    if iri.startswith(str(ID)) or iri.startswith(str(GRAPH)):
        return "/" + iri[len(SITE):] + "/"
    return None


_DESCRIBE = """
PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT {
  ?r ?p ?o . ?o ?bp ?bo . ?s ?ip ?r . ?n ?lp ?label . ?n cg:participant ?who . ?n cg:role ?role . ?who ?wp ?wlabel .
} WHERE {
  { ?r ?p ?o OPTIONAL { ?o ?bp ?bo FILTER(isBlank(?o)) } }
  UNION { ?s ?ip ?r }
  UNION {
    { ?r ?x ?n FILTER(isIRI(?n)) } UNION { ?n ?y ?r }
    { VALUES ?lp { rdfs:label skos:prefLabel cg:acronym dcterms:title } ?n ?lp ?label }
    UNION { ?n cg:participant ?who OPTIONAL { ?n cg:role ?role }
            OPTIONAL { VALUES ?wp { rdfs:label skos:prefLabel cg:acronym } ?who ?wp ?wlabel } }
  }
}"""

_TERM = """
CONSTRUCT { ?r ?p ?o . ?o ?bp ?bo . ?s ?ip ?r } WHERE { GRAPH ?g {
  { ?r ?p ?o OPTIONAL { ?o ?bp ?bo FILTER(isBlank(?o)) } } UNION { ?s ?ip ?r FILTER(isIRI(?s)) }
} }"""

_VOCABULARY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _construct(served: Graph, text: str, bindings: dict[str, Any], named: list[str] | None = None) -> Graph:
    query = inject_values(text, bindings)
    out = bind_prefixes(Graph())
    if named is not None:
        engine, result = run_query(served, query, default_graphs=[], named_graphs=named)
    else:
        engine, result = run_query(served, query)
    for triple in result:
        if engine == "oxigraph":
            out.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate), from_oxigraph(triple.object)))  # type: ignore[arg-type]
        else:
            out.add(triple)
    return out


_NEIGHBOUR_LABELS = (RDFS.label, SKOS.prefLabel, CG.acronym, DCTERMS.title)
_WHO_LABELS = (RDFS.label, SKOS.prefLabel, CG.acronym)


def _describe_rdflib(graph: Graph, node: URIRef) -> Graph:
    """What :data:`_DESCRIBE` constructs, read through rdflib's API (its SPARQL engine is slow at it)."""
    out = bind_prefixes(Graph())
    neighbours: set[Any] = set()
    for p, o in graph.predicate_objects(node):
        out.add((node, p, o))
        if isinstance(o, BNode):
            for t in graph.triples((o, None, None)):
                out.add(t)
        elif isinstance(o, URIRef):
            neighbours.add(o)
    for s_, p in graph.subject_predicates(node):
        out.add((s_, p, node))
        neighbours.add(s_)
    for n in neighbours:
        for p in _NEIGHBOUR_LABELS:
            for label in graph.objects(n, p):
                out.add((n, p, label))
        for who in graph.objects(n, CG.participant):
            out.add((n, CG.participant, who))
            for role in graph.objects(n, CG.role):
                out.add((n, CG.role, role))
            for p in _WHO_LABELS:
                for label in graph.objects(who, p):
                    out.add((who, p, label))
    return out


def data_graph(served: Graph) -> Graph:
    """The default graph of a served dataset (the data's union), as an rdflib graph.

    >>> from clustergraph.store import open_dataset
    >>> from clustergraph.publishing.protocol import served_dataset
    >>> len(data_graph(served_dataset(open_dataset())))
    0
    """
    from rdflib import Dataset

    if not isinstance(served, Dataset):
        return served
    return served.default_graph if hasattr(Dataset, "default_graph") else served.default_context  # type: ignore[attr-defined]


def resource_graph(served: Graph, iri: str, kind: str) -> Graph | None:
    """The RDF description of ``iri`` (of ``kind``, see :func:`resolve`), or None if unknown.

    Data resources and graphs: their triples, the triples that point at them, and the
    labels of their neighbours, from the data (the default graph). The ontology: all of
    it; a term: its triples in the ontology graph. A named graph with no description of
    its own is described by its size.
    """
    node = URIRef(iri)
    vocabulary = [g for g in graph_names(served) if URIRef(g) in VOCABULARY_GRAPHS]
    if kind == "ontology":
        if oxigraph(served) is None:  # rdflib: read the graphs, its engine would copy them first
            described = bind_prefixes(Graph())
            for name in vocabulary:
                for triple in served.graph(URIRef(name)):  # type: ignore[attr-defined]
                    described.add(triple)
        else:
            described = _construct(served, _VOCABULARY, {}, vocabulary) if vocabulary else Graph()
    elif kind == "term":
        described = _construct(served, _TERM, {"r": node}, vocabulary) if vocabulary else Graph()
    else:
        native = oxigraph(served)
        described = _construct(served, _DESCRIBE, {"r": node}) if native is not None else _describe_rdflib(data_graph(served), node)
        if kind == "graph" and iri in graph_names(served):
            if native is not None:
                import pyoxigraph as ox

                count = sum(1 for _ in native.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
            else:
                count = len(served.graph(node))  # type: ignore[attr-defined]
            described.add((node, VOID.triples, Literal(count, datatype=XSD.integer)))
    if not any(True for _ in described.triples((node, None, None))) and not any(True for _ in described.triples((None, None, node))):
        return None
    return described


def _url(path: str) -> str:
    """A path from :func:`path_of` (already percent-encoded, as the IRI is) made safe for a URL."""
    return quote(path, safe="/%!$&'()*+,;=:@-._~")


def _label(graph: Graph, node: Any) -> str:
    for p in _LABELS:
        values = [v for v in graph.objects(node, p) if isinstance(v, Literal)]
        if values:
            english = [v for v in values if v.language in (None, "en")]
            return str(sorted(english or values)[0])
    text = str(node)
    return unquote(text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def _link(graph: Graph, node: Any) -> str:
    if isinstance(node, URIRef):
        target = path_of(str(node)) or (str(node) if str(node).startswith(("http://", "https://")) else None)
        text = html.escape(_label(graph, node))
        return f'<a href="{html.escape(target)}">{text}</a>' if target else text
    if isinstance(node, Literal):
        lang = f' <span lang="en" class="lang">({html.escape(node.language)})</span>' if node.language else ""
        return html.escape(str(node)) + lang
    return "<i>(an unnamed node)</i>"


def _name(graph: Graph, predicate: URIRef) -> str:
    label = _label(graph, predicate)
    return f'<a href="{html.escape(path_of(str(predicate)) or str(predicate))}" title="{html.escape(str(predicate))}">{html.escape(label)}</a>'


def fallback_page(description: Graph, iri: str, *, title: str = "clustergraph") -> str:
    """A plain, accessible HTML page describing ``iri`` from its RDF ``description``.

    Used when no page renderer is given (see :data:`PageRenderer`).

    >>> g = Graph(); _ = g.add((ID["project/x"], RDFS.label, Literal("X <b>")))
    >>> "<h1>X &lt;b&gt;</h1>" in fallback_page(g, str(ID["project/x"]))
    True
    """
    node = URIRef(iri)
    name = _label(description, node)
    rows = []
    for p, o in sorted(description.predicate_objects(node), key=lambda x: (_label(description, x[0]), str(x[1]))):
        if isinstance(o, BNode):
            continue
        rows.append(f"<tr><th scope=\"row\">{_name(description, p)}</th><td>{_link(description, o)}</td></tr>")
    inbound = [
        f"<li>{_link(description, s)} <span class=\"via\">({html.escape(_label(description, p))})</span></li>"
        for s, p in sorted(description.subject_predicates(node), key=lambda x: (_label(description, x[0]), str(x[1])))
    ]
    path = path_of(iri) or "/"
    alternates = "".join(
        f'<link rel="alternate" type="{media}" href="{html.escape(_url(path))}index.{suffix}">'
        for suffix, media in RESOURCE_FORMATS.items() if suffix != "html"
    )
    downloads = " · ".join(
        f'<a href="{html.escape(_url(path))}index.{suffix}" type="{media}">{label}</a>'
        for suffix, media, label in (("ttl", "text/turtle", "Turtle"), ("jsonld", "application/ld+json", "JSON-LD"),
                                     ("nt", "application/n-triples", "N-Triples"), ("rdf", "application/rdf+xml", "RDF/XML"))
    )
    referenced = f"<h2>Referenced by</h2><ul>{''.join(inbound)}</ul>" if inbound else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(name)} · {html.escape(title)}</title>
<link rel="canonical" href="{html.escape(iri)}">{alternates}
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem}}
th{{text-align:left;padding-right:1rem;font-weight:normal;color:#444}}td,th{{vertical-align:top;border-bottom:1px solid #ddd;padding:.2rem}}
.iri{{color:#555;font-size:.9em;word-break:break-all}}.lang,.via{{color:#666;font-size:.85em}}</style></head>
<body><header><nav aria-label="site"><a href="/">{html.escape(title)}</a> · <a href="/sparql">SPARQL</a> · <a href="/search">Search</a></nav></header>
<main><h1>{html.escape(name)}</h1><p class="iri">{html.escape(iri)}</p>
<table><caption class="iri">Statements about {html.escape(name)}</caption><tbody>{''.join(rows)}</tbody></table>{referenced}
<p>Also as {downloads}.</p></main></body></html>
"""


def _headers(path: str, chosen: str | None) -> tuple[tuple[str, str], ...]:
    links = ", ".join(f'<{_url(path)}index.{s}>; rel="alternate"; type="{m}"' for s, m in RESOURCE_FORMATS.items())
    out = [("Vary", "Accept"), ("Link", links)]
    if chosen:
        out.append(("Content-Location", f"{_url(path)}index.{chosen}"))
    return tuple(out)


def _not_found(accept: str | None, what: str) -> Answer:
    media = choose(accept, ["text/html", "text/plain"]) or "text/plain"
    message = f"{what} is not in this dataset"
    if media == "text/html":
        body = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
                f'<body><main><h1>Not found</h1><p>{html.escape(message)}.</p><p><a href="/search">Search</a> · '
                f'<a href="/sparql">SPARQL</a></p></main></body></html>\n')
    else:
        body = message + "\n"
    return Answer(404, media, body.encode("utf-8"), (("Vary", "Accept"),))


def _not_acceptable(path: str) -> Answer:
    listing = "\n".join(f"{m}: {_url(path)}index.{s}" for s, m in RESOURCE_FORMATS.items())
    return Answer(406, "text/plain", f"none of this resource's representations is acceptable; they are:\n{listing}\n".encode(), _headers(path, None))


def answer_resource(served: Graph, path: str, accept: str | None, renderer: PageRenderer | None = None) -> Answer | None:
    """The answer to a ``GET`` of ``path``: a representation, 404, 406, or None if not a resource path.

    >>> from clustergraph.store import open_dataset, load
    >>> from clustergraph.publishing.protocol import served_dataset
    >>> data = open_dataset()
    >>> _ = load(data, b'<https://w3id.org/clustergraph/id/project/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" .',
    ...          format="nt", graph="https://w3id.org/clustergraph/graph/demo")
    >>> answer = answer_resource(served_dataset(data), "/id/project/x", "text/turtle;q=0.9, text/html;q=0.5")
    >>> answer.status, answer.media_type, dict(answer.headers)["Content-Location"]
    (200, 'text/turtle', '/id/project/x/index.ttl')
    >>> [answer_resource(served_dataset(data), p, a).status for p, a in [("/id/project/y", None), ("/id/project/x", "image/png")]]
    [404, 406]
    """
    found = resolve(path)
    if found is None:
        return None
    iri, kind, suffix = found
    negotiated = suffix is None
    document = path_of(iri) or path
    if suffix is not None:
        media = RESOURCE_FORMATS[suffix]
    else:
        chosen = choose(accept, list(RESOURCE_FORMATS.values()))
        if chosen is None:
            return _not_acceptable(document)
        media, suffix = chosen, extension_of(chosen)
    description = resource_graph(served, iri, kind)
    if description is None:
        return _not_found(accept if negotiated or media == "text/html" else "text/plain", f"<{iri}>")
    headers = _headers(document, suffix)
    if media == "text/html":
        page = renderer(served, URIRef(iri), description) if renderer is not None else None
        text = page if page is not None else fallback_page(description, iri)
        if negotiated and not path.endswith("/") and "<base " not in text:  # relative links are written for the document
            text = text.replace("<head>", f'<head><base href="{html.escape(_url(document))}">', 1)
        return Answer(200, "text/html", text.encode("utf-8"), headers)
    body = description.serialize(format=RDFLIB_FORMATS[media], encoding="utf-8")
    return Answer(200, media, body, headers)


_SEARCH = """
PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s (SAMPLE(?label) AS ?name) (SAMPLE(?kind) AS ?type) WHERE {
  VALUES ?lp { rdfs:label skos:prefLabel skos:altLabel cg:acronym dcterms:title }
  { ?s ?lp ?label } UNION { GRAPH ?g { ?s ?lp ?label } FILTER(?g IN (VOCABULARY)) }
  FILTER(isIRI(?s) && isLiteral(?label) && CONTAINS(LCASE(STR(?label)), LCASE(STR(?q))))
  OPTIONAL { ?s a ?kind }
} GROUP BY ?s ORDER BY LCASE(STR(?name)) ?s LIMIT 51"""


def search(served: Graph, text: str, limit: int = 50) -> list[dict[str, str | None]]:
    """Resources whose label, acronym or title contains ``text`` (case-insensitive), at most ``limit``.

    Each hit is ``{"iri", "label", "type", "url"}`` (``url``: the page's path here, or None).
    """
    if not text.strip():
        return []
    needle = text.strip()[:200]
    rows: list[tuple[Any, Any, Any]] = []
    if oxigraph(served) is not None:
        vocabulary = ", ".join(f"<{g}>" for g in sorted(VOCABULARY_GRAPHS)) or "<urn:x-none>"
        engine, result = run_query(served, inject_values(_SEARCH.replace("VOCABULARY", vocabulary), {"q": Literal(needle)}))
        rows = [tuple(from_oxigraph(row[i]) for i in range(3)) for row in result]  # type: ignore[misc]
    else:  # rdflib's SPARQL engine takes seconds over this; its API does not
        found: dict[Any, tuple[Any, Any]] = {}
        graphs = [data_graph(served), *(served.graph(URIRef(g)) for g in sorted(VOCABULARY_GRAPHS))]  # type: ignore[attr-defined]
        lowered = needle.lower()
        for graph in graphs:
            for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, CG.acronym, DCTERMS.title):
                for s_, label in graph.subject_objects(p):
                    if isinstance(s_, URIRef) and isinstance(label, Literal) and lowered in str(label).lower() and s_ not in found:
                        found[s_] = (label, next(iter(sorted(graph.objects(s_, RDF.type))), None))
        rows = sorted(((s_, label, kind) for s_, (label, kind) in found.items()), key=lambda r: (str(r[1]).lower(), str(r[0])))
    hits = [{"iri": str(s_), "label": str(name), "type": str(kind) if kind is not None else None, "url": path_of(str(s_))}
            for s_, name, kind in rows]
    return hits[:limit]


def answer_search(served: Graph, text: str, accept: str | None) -> Answer:
    """``/search?q=TEXT``: the hits as HTML (a form and a list) or JSON, by ``Accept``."""
    media = choose(accept, ["text/html", "application/json"])
    if media is None:
        return Answer(406, "text/plain", b"the search answers text/html or application/json\n", (("Vary", "Accept"),))
    hits = search(served, text) if text else []
    if media == "application/json":
        body = json.dumps({"query": text, "results": hits}, ensure_ascii=False, indent=1).encode("utf-8")
        return Answer(200, media, body, (("Vary", "Accept"),))
    items = "".join(
        f'<li><a href="{html.escape(_url(h["url"]) if h["url"] else h["iri"] or "")}">{html.escape(h["label"] or "")}</a>'
        f'{" <span class=type>(" + html.escape(_label(Graph(), URIRef(h["type"]))) + ")</span>" if h["type"] else ""}</li>'
        for h in hits
    )
    summary = (f"<p>{len(hits)} result{'s' if len(hits) != 1 else ''} for “{html.escape(text)}”.</p><ul>{items}</ul>" if text else "")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Search · clustergraph</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem}}.type{{color:#666}}</style></head>
<body><header><nav aria-label="site"><a href="/">clustergraph</a> · <a href="/sparql">SPARQL</a></nav></header>
<main><h1>Search</h1><form role="search" action="/search" method="get"><label for="q">Name, acronym or title</label>
<input id="q" name="q" type="search" value="{html.escape(text)}"> <button type="submit">Search</button></form>{summary}</main></body></html>
"""
    return Answer(200, media, page.encode("utf-8"), (("Vary", "Accept"),))
