"""What ``/sparql`` says about itself: the SPARQL 1.1 service description and the query page.

The **service description** (``GET /sparql`` asking for RDF) names the endpoint, the
languages and result formats, and the **dataset**: its default graph (the union of the
data's graphs, everything but the ontology, with its size) and every named graph, the
ontology included (``sd:namedGraph``, each with ``void:triples``), so that a client
knows what ``COUNT(*)`` counts and where the vocabulary is.

The **query page** (``GET /sparql`` from a browser) is the YASGUI editor
(``@zazuko/yasgui``, MIT), shipped in ``clustergraph/publishing/static/yasgui/`` and served
by the server itself: nothing is loaded from another host, so it works offline. It
offers the library's named queries (``queries/*.rq``) as examples; ``?example=NAME``
opens one and ``&run=1`` runs it. Without JavaScript it is a plain form.

>>> sorted(examples())[:2]
['call-budgets', 'co-participants']
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from ..namespaces import bind_prefixes
from ..resources import queries_dir
from .protocol import RESULT_TYPES, VOCABULARY_GRAPHS, graph_names, run_query

__all__ = ["SD", "STATIC_PATH", "examples", "service_description", "query_page"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
_FORMATS = Namespace("http://www.w3.org/ns/formats/")
#: Where the server mounts ``clustergraph/publishing/static/``.
STATIC_PATH = "/static/"

_RESULT_FORMATS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF_XML",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
    "text/n3": "N3",
}


def examples() -> dict[str, dict[str, str]]:
    """The library's named queries: ``{name: {"title": ..., "query": text}}``, by name.

    Read from the shipped ``queries/`` folder (the header comments stay in the text:
    they say what the parameters are).
    """
    out: dict[str, dict[str, str]] = {}
    for path in sorted(queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("# title:")), path.stem)
        out[path.stem] = {"title": title, "query": text}
    return out


def _sizes(served: Graph) -> tuple[int, dict[str, int]]:
    """Triples in the default graph and in each named graph."""
    engine, result = run_query(served, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    default = int(next(iter(result))[0].value if engine == "oxigraph" else next(iter(result))[0])
    engine, result = run_query(served, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    named: dict[str, int] = {}
    for row in result:
        name, count = (row[0].value, int(row[1].value)) if engine == "oxigraph" else (str(row[0]), int(row[1]))
        named[name] = count
    for name in graph_names(served):
        named.setdefault(name, 0)
    return default, named


def service_description(served: Graph, url: str, *, writable: bool = False, title: str = "clustergraph SPARQL endpoint") -> Graph:
    """The SPARQL 1.1 service description of the endpoint at ``url`` serving ``served``.

    >>> from clustergraph.store import open_dataset
    >>> from clustergraph.publishing.protocol import served_dataset
    >>> sd = service_description(served_dataset(open_dataset()), "http://127.0.0.1:8891/sparql")
    >>> next(sd.objects(None, SD.endpoint))
    rdflib.term.URIRef('http://127.0.0.1:8891/sparql')
    """
    g = bind_prefixes(Graph())
    g.bind("sd", SD)
    g.bind("formats", _FORMATS)
    service = URIRef(url + "#service")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(url)))
    g.add((service, DCTERMS.title, Literal(title, lang="en")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if writable:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for media in (*RESULT_TYPES, "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"):
        if media in _RESULT_FORMATS:
            g.add((service, SD.resultFormat, _FORMATS[_RESULT_FORMATS[media]]))
    default_size, named = _sizes(served)
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultgraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(default_size, datatype=XSD.integer)))
    vocabulary = ", ".join(sorted(str(v) for v in VOCABULARY_GRAPHS))
    g.add((default, DCTERMS.description, Literal(
        f"The union of the data's named graphs: every named graph listed here except the vocabulary ({vocabulary}). "
        "Query the ontology with GRAPH, FROM or the default-graph-uri parameter.", lang="en")))
    for i, (name, size) in enumerate(sorted(named.items())):
        entry, graph = BNode(f"named{i}"), BNode(f"graph{i}")
        g.add((dataset, SD.namedGraph, entry))
        g.add((entry, RDF.type, SD.NamedGraph))
        g.add((entry, SD.name, URIRef(name)))
        g.add((entry, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(size, datatype=XSD.integer)))
        if URIRef(name) in VOCABULARY_GRAPHS:
            g.add((entry, DCTERMS.description, Literal("The clustergraph ontology (not in the default graph).", lang="en")))
    return g


def query_page(endpoint: str, named: Mapping[str, Mapping[str, str]] | None = None, *, title: str = "clustergraph SPARQL endpoint",
               selected: str | None = None, run: bool = False, default_size: Any = None) -> str:
    """The HTML query page: YASGUI from :data:`STATIC_PATH`, the named queries as examples.

    ``selected`` opens that example in the editor; ``run`` also runs it on load.

    >>> page = query_page("/sparql", {"demo": {"title": "A demo", "query": "ASK {}"}})
    >>> "/static/yasgui/yasgui.min.js" in page and "A demo" in page and "cdn" not in page
    True
    """
    named = dict(named if named is not None else examples())
    first = selected if selected in named else None
    options = "".join(
        f'<option value="{html.escape(name)}"{" selected" if name == first else ""}>{html.escape(q["title"])} ({html.escape(name)})</option>'
        for name, q in named.items()
    )
    data = json.dumps({"endpoint": endpoint, "examples": named, "selected": first, "run": bool(run and first)}).replace("</", "<\\/")
    start = html.escape(named[first]["query"]) if first else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{STATIC_PATH}yasgui/yasgui.min.css">
<style>body{{font-family:system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:80rem}}
.examples{{margin:.5rem 0 1rem}} .yasgui .autocompleteWrapper{{display:none !important}} textarea{{width:100%}}</style></head>
<body><header><nav aria-label="site"><a href="/">Home</a> · <a href="/search">Search</a> · <a href="/ontology">Ontology</a></nav></header>
<main><h1>{html.escape(title)}</h1>
<p>SPARQL 1.1 over the clustergraph dataset. The default graph is the data (every named graph but the ontology);
the ontology is the named graph <code>https://w3id.org/clustergraph/graph/ontology</code>. The <a href="{html.escape(endpoint)}?service-description">service description</a> lists every graph.</p>
<form class="examples" method="get" action="{html.escape(endpoint)}"><label for="example">Example queries from the library</label>
<select id="example" name="example"><option value="">(choose one)</option>{options}</select>
<button type="submit" id="open-example">Open</button></form>
<div id="yasgui"></div>
<noscript><form method="get" action="{html.escape(endpoint)}"><label for="query">Query</label>
<textarea id="query" name="query" rows="12">{start}</textarea><button type="submit">Run</button></form></noscript>
</main>
<script src="{STATIC_PATH}yasgui/yasgui.min.js"></script>
<script id="clustergraph-config" type="application/json">{data}</script>
<script>
(function () {{
  var config = JSON.parse(document.getElementById("clustergraph-config").textContent);
  var Yasgui = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  if (!Yasgui) return;
  if (Yasgui.Yasqe && Yasgui.Yasqe.defaults) Yasgui.Yasqe.defaults.autocompleters = ["variables"];  // the others ask hosts on the Internet
  var yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: new URL(config.endpoint, document.baseURI).href, method: "POST",
                     acceptHeaderSelect: "application/sparql-results+json", acceptHeaderGraph: "text/turtle" }},
    copyEndpointOnNewTab: false, showEndpointButton: false, persistenceId: null, endpointCatalogueOptions: {{ getData: function () {{ return []; }} }}
  }});
  function open(name, run) {{
    var example = config.examples[name];
    if (!example) return;
    var tab = yasgui.getTab();
    tab.setQuery(example.query);
    if (run) tab.query();
  }}
  var select = document.getElementById("example");
  select.addEventListener("change", function () {{ open(select.value, false); }});
  document.getElementById("open-example").addEventListener("click", function (event) {{ event.preventDefault(); open(select.value, false); }});
  if (config.selected) open(config.selected, config.run);
  window.clustergraphYasgui = yasgui;
}})();
</script></body></html>
"""
