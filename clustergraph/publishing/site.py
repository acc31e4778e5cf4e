"""Publishing the dataset as linked open data.

:func:`publish` writes a static site that any web server can host:

* ``dataset/clustergraph.{ttl,nt,jsonld,trig}``: the dumps;
* ``void.ttl``: a DCAT and VoID description (distributions, triples, entities per
  class, the SPARQL endpoint if one is given, the source documents);
* one folder per resource under ``id/`` mirroring its IRI path, with ``index.html``
  (a human page: labels, properties, links to the neighbours), ``index.ttl`` and
  ``index.jsonld`` (the resource's description);
* ``.htaccess``: content negotiation rules for Apache (``Accept: text/turtle`` gets the
  Turtle, browsers get the HTML).

:func:`describe` returns one resource's description and :func:`negotiate` picks the
representation for an ``Accept`` header, so a server can do the same negotiation.

>>> negotiate("text/turtle;q=0.9, text/html;q=0.5")
'ttl'
>>> negotiate("*/*")
'html'
"""

from __future__ import annotations

import html
import os
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VOID, XSD

from ..store import dataset as _store
from ..atomic import atomic_dir
from ..namespaces import CG, ID, bind_prefixes

__all__ = ["publish", "describe", "describe_dataset", "negotiate", "MEDIA_TYPES"]

DATASET_IRI = URIRef("https://w3id.org/clustergraph/dataset")

#: Representation suffix → media type, in order of preference for ``*/*``.
MEDIA_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}


def negotiate(accept: str | None) -> str:
    """Pick the representation suffix (``html``, ``ttl``, ``jsonld``, ``nt``) for an Accept header."""
    if not accept:
        return "html"
    best, best_q = "html", -1.0
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        for suffix, mt in MEDIA_TYPES.items():
            if media in (mt, "*/*", mt.split("/")[0] + "/*") and q > best_q:
                best, best_q = suffix, q
                break
    return best


def describe(graph: Graph, resource: URIRef) -> Graph:
    """The description of ``resource``: its triples, the triples pointing at it, and labels of its neighbours.

    >>> g = Graph(); p = ID["project/x"]
    >>> _ = g.add((p, RDFS.label, Literal("X")))
    >>> len(describe(g, p))
    1
    """
    out = bind_prefixes(Graph())
    neighbours: set[Any] = set()
    for p, o in graph.predicate_objects(resource):
        out.add((resource, p, o))
        if isinstance(o, URIRef):
            neighbours.add(o)
        elif isinstance(o, BNode):
            for t in graph.triples((o, None, None)):
                out.add(t)
    for s, p in graph.subject_predicates(resource):
        out.add((s, p, resource))
        neighbours.add(s)
    for n in list(neighbours):
        for p in (CG.participant, CG.role):  # participations: say who, in which role
            for o in graph.objects(n, p):
                out.add((n, p, o))
                neighbours.add(o)
    for n in neighbours:
        for lp in (RDFS.label, SKOS.prefLabel, CG.acronym):
            for lit in graph.objects(n, lp):
                out.add((n, lp, lit))
    return out


def describe_dataset(graph: Graph, *, endpoint: str | None = None, base_url: str | None = None) -> Graph:
    """A DCAT + VoID description of the dataset in ``graph``."""
    d = bind_prefixes(Graph())
    ds = DATASET_IRI
    d.add((ds, RDF.type, DCAT.Dataset))
    d.add((ds, RDF.type, VOID.Dataset))
    d.add((ds, DCTERMS.title, Literal("clustergraph: the European cluster excellence ecosystem", lang="en")))
    d.add((ds, DCTERMS.description, Literal(
        "Cluster organisations, projects, calls, programmes, excellence labels, partnerships and events "
        "of the EU Cluster Excellence Programme, as linked data.", lang="en")))
    d.add((ds, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    d.add((ds, DCTERMS.modified, Literal(date.today().isoformat(), datatype=XSD.date)))
    d.add((ds, VOID.uriSpace, Literal(str(ID))))
    d.add((ds, VOID.vocabulary, URIRef(str(CG))))
    d.add((ds, DCTERMS.conformsTo, URIRef("https://w3id.org/clustergraph/ontology")))
    union = graph
    triples = len(union)
    d.add((ds, VOID.triples, Literal(triples, datatype=XSD.integer)))
    subjects = {s for s in union.subjects() if isinstance(s, URIRef)}
    d.add((ds, VOID.entities, Literal(len(subjects), datatype=XSD.integer)))
    counts: dict[Any, int] = defaultdict(int)
    for s, c in union.subject_objects(RDF.type):
        if str(c).startswith(str(CG)):
            counts[c] += 1
    for c, n in sorted(counts.items()):
        part = URIRef(f"{DATASET_IRI}/class/{str(c)[len(str(CG)):]}")
        d.add((ds, VOID.classPartition, part))
        d.add((part, VOID["class"], c))
        d.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for src in set(union.subjects(RDF.type, CG.SourceDocument)):
        d.add((ds, DCTERMS.source, src))
    base = (base_url or str(ID).rsplit("/id/", 1)[0]).rstrip("/")
    for suffix, fmt, media in (("ttl", "turtle", "text/turtle"), ("nt", "nt", "application/n-triples"),
                               ("jsonld", "json-ld", "application/ld+json"), ("trig", "trig", "application/trig")):
        dist = URIRef(f"{DATASET_IRI}/distribution/{suffix}")
        d.add((ds, DCAT.distribution, dist))
        d.add((dist, RDF.type, DCAT.Distribution))
        d.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        d.add((dist, DCAT.downloadURL, URIRef(f"{base}/dataset/clustergraph.{suffix}")))
        d.add((ds, VOID.dataDump, URIRef(f"{base}/dataset/clustergraph.{suffix}")))
    if endpoint:
        d.add((ds, VOID.sparqlEndpoint, URIRef(endpoint)))
        service = URIRef(f"{DATASET_IRI}/service/sparql")
        d.add((service, RDF.type, DCAT.DataService))
        d.add((service, DCAT.endpointURL, URIRef(endpoint)))
        d.add((service, DCAT.servesDataset, ds))
    d.add((ds, FOAF.homepage, URIRef(base + "/")))
    return d


def _label(graph: Graph, node: Any) -> str:
    participant = graph.value(node, CG.participant)
    if participant is not None:  # a reified participation reads as "organisation (roles)"
        roles = ", ".join(sorted(_label(graph, r) for r in graph.objects(node, CG.role)))
        return f"{_label(graph, participant)} ({roles})" if roles else _label(graph, participant)
    for p in (CG.acronym, RDFS.label, SKOS.prefLabel, DCTERMS.title):
        values = list(graph.objects(node, p))
        if values:
            en = [v for v in values if isinstance(v, Literal) and v.language in (None, "en")]
            return str((en or values)[0])
    text = str(node)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _cell(graph: Graph, node: Any, base: str) -> str:
    if isinstance(node, URIRef):
        href = _local_href(node, base)
        return f'<a href="{html.escape(href)}">{html.escape(_label(graph, node))}</a>'
    if isinstance(node, Literal):
        lang = f' <span class="lang">@{node.language}</span>' if node.language else ""
        return html.escape(str(node)) + lang
    return "[…]"


def _local_href(node: URIRef, base: str) -> str:
    text = str(node)
    if text.startswith(str(ID)):
        return base + "id/" + text[len(str(ID)):] + "/"
    return text


def _page(graph: Graph, resource: URIRef, description: Graph, base: str) -> str:
    title = _label(graph, resource)
    rows = []
    for p, o in sorted(description.predicate_objects(resource), key=lambda x: (str(x[0]), str(x[1]))):
        rows.append(f"<tr><th>{html.escape(description.namespace_manager.normalizeUri(p))}</th><td>{_cell(graph, o, base)}</td></tr>")
    inbound = []
    for s, p in sorted(description.subject_predicates(resource), key=lambda x: (str(x[1]), str(x[0]))):
        inbound.append(f"<tr><td>{_cell(graph, s, base)}</td><th>{html.escape(description.namespace_manager.normalizeUri(p))}</th></tr>")
    inbound_html = f"<h2>Referenced by</h2><table>{''.join(inbound)}</table>" if inbound else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} · clustergraph</title>
<link rel="alternate" type="text/turtle" href="index.ttl">
<link rel="alternate" type="application/ld+json" href="index.jsonld">
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
th{{text-align:left;padding-right:1rem;color:#555;font-weight:normal}}td,th{{vertical-align:top;border-bottom:1px solid #eee}}
.iri{{color:#777;font-size:.9em}}.lang{{color:#999;font-size:.8em}}</style></head>
<body><p><a href="{html.escape(base)}index.html">clustergraph</a></p>
<h1>{html.escape(title)}</h1><p class="iri">{html.escape(str(resource))}</p>
<table>{''.join(rows)}</table>{inbound_html}
<p>Also as <a href="index.ttl">Turtle</a> and <a href="index.jsonld">JSON-LD</a>.</p>
</body></html>
"""


_HTACCESS = """# Content negotiation for the resource pages (Apache, mod_rewrite)
RewriteEngine On
RewriteCond %{HTTP_ACCEPT} text/turtle
RewriteRule ^(id/.+?)/?$ $1/index.ttl [L]
RewriteCond %{HTTP_ACCEPT} application/ld\\+json
RewriteRule ^(id/.+?)/?$ $1/index.jsonld [L]
RewriteRule ^(id/.+?)/?$ $1/index.html [L]
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/n-triples .nt
AddType application/trig .trig
"""


def publish(
    graph: Graph,
    out: str | os.PathLike[str],
    *,
    endpoint: str | None = None,
    base_url: str | None = None,
    resources: Iterable[URIRef] | None = None,
) -> Path:
    """Write the linked-data site for ``graph`` to ``out`` (atomically) and return its path.

    Parameters
    ----------
    graph:
        Any clustergraph dataset or graph (every named graph is published, merged).
    endpoint:
        URL of a public SPARQL endpoint to advertise in the DCAT/VoID description.
    base_url:
        Where the site will be served; links in the description use it (defaults to
        ``https://w3id.org/clustergraph``). Pages link to each other relatively.
    resources:
        Only these resources get pages (default: every subject under the data namespace).
    """
    union = _store.union(graph)
    description = describe_dataset(union, endpoint=endpoint, base_url=base_url)
    subjects = sorted(set(resources) if resources is not None else {s for s in union.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))})
    with atomic_dir(out) as tmp:
        (tmp / "dataset").mkdir()
        for suffix, fmt in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("trig", "trig")):
            _store.dump(graph, tmp / "dataset" / f"clustergraph.{suffix}", fmt)
        (tmp / "void.ttl").write_bytes(description.serialize(format="turtle", encoding="utf-8"))
        (tmp / ".htaccess").write_text(_HTACCESS, encoding="utf-8")
        index_rows: dict[str, list[str]] = defaultdict(list)
        for s in subjects:
            rel = str(s)[len(str(ID)):]
            folder = tmp / "id" / rel
            folder.mkdir(parents=True, exist_ok=True)
            depth = rel.count("/") + 2
            base = "../" * depth
            desc = describe(union, s)
            (folder / "index.html").write_text(_page(union, s, desc, base), encoding="utf-8")
            (folder / "index.ttl").write_bytes(desc.serialize(format="turtle", encoding="utf-8"))
            (folder / "index.jsonld").write_bytes(desc.serialize(format="json-ld", encoding="utf-8"))
            kind = rel.split("/", 1)[0]
            index_rows[kind].append(f'<li><a href="id/{html.escape(rel)}/">{html.escape(_label(union, s))}</a></li>')
        sections = "".join(f"<h2>{html.escape(k)} ({len(v)})</h2><ul>{''.join(v)}</ul>" for k, v in sorted(index_rows.items()))
        (tmp / "index.html").write_text(
            f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>clustergraph</title>
<link rel="alternate" type="text/turtle" href="void.ttl"></head>
<body style="font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto">
<h1>clustergraph</h1><p>{len(union)} triples, {len(subjects)} resources.
Downloads: <a href="dataset/clustergraph.ttl">Turtle</a>, <a href="dataset/clustergraph.nt">N-Triples</a>,
<a href="dataset/clustergraph.jsonld">JSON-LD</a>, <a href="dataset/clustergraph.trig">TriG</a>;
description: <a href="void.ttl">DCAT/VoID</a>.</p>{sections}</body></html>
""",
            encoding="utf-8",
        )
    return Path(out)
