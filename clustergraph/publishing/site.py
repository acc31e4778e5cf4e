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

Publishing is confined: the only paths written under ``id/`` come from IRIs in the
dataset's own namespace (``https://w3id.org/clustergraph/id/``), one folder per path
segment, each segment percent-decoded (as a web server decodes a request) and checked
by :func:`resource_path`: no ``..``, ``.``, empty or hidden segments, no slashes or
backslashes hidden in percent-escapes, no control characters, nothing longer than
:data:`MAX_SEGMENT_BYTES`. Every folder is checked once more, resolved, to lie under the
output folder. A resource that fails is not written; it is listed in
:attr:`PublishResult.skipped`, and ``clustergraph publish`` prints it as a warning.

>>> str(resource_path(ID["project/cecil"]))
'project/cecil'
>>> resource_path(URIRef("https://w3id.org/clustergraph/id/../../../tmp/x"))
Traceback (most recent call last):
...
clustergraph.errors.ClusterGraphError: segment '..' would climb out of the site folder; fix: mint the IRI from a key without '.' or '..' segments (clustergraph.iri.mint does)

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
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VOID, XSD

from ..atomic import atomic_dir
from ..errors import ClusterGraphError, Problem
from .. import progress
from ..namespaces import CG, ID, bind_prefixes
from ..store import dataset as _store

__all__ = [
    "publish",
    "PublishResult",
    "resource_path",
    "describe",
    "describe_dataset",
    "negotiate",
    "MEDIA_TYPES",
    "MAX_SEGMENT_BYTES",
    "MAX_DEPTH",
]

DATASET_IRI = URIRef("https://w3id.org/clustergraph/dataset")

#: Representation suffix → media type, in order of preference for ``*/*``.
MEDIA_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}


#: Longest path segment (UTF-8 bytes, after percent-decoding) that becomes a folder name.
MAX_SEGMENT_BYTES = 200
#: Most path segments (folders below ``id/``) a resource IRI may have.
MAX_DEPTH = 16
#: Names the site writes inside a resource folder: no resource may become one of them.
_PAGE_FILES = frozenset({"index.html", "index.ttl", "index.jsonld"})
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _unsafe(message: str, fix: str) -> ClusterGraphError:
    return ClusterGraphError(message, fix=fix)


def resource_path(resource: URIRef | str) -> PurePosixPath:
    """The folder, relative to the site's ``id/``, where ``resource``'s pages go.

    Raises :class:`~clustergraph.errors.ClusterGraphError` (saying why and how to fix
    it) for any IRI that is not a plain path under the dataset namespace: another
    namespace, a query or fragment, or a segment that is empty, ``.``, ``..``, hidden
    (``.htaccess``), a page file name, a percent-escape that decodes to a slash,
    backslash or control character, invalid UTF-8, or longer than
    :data:`MAX_SEGMENT_BYTES`. Segments are percent-decoded, as a web server decodes
    the request for the page.

    >>> str(resource_path("https://w3id.org/clustergraph/id/organisation/%E6%9D%B1%E4%BA%AC"))
    'organisation/東京'
    >>> resource_path("https://w3id.org/clustergraph/id/project/%2e%2e")
    Traceback (most recent call last):
    ...
    clustergraph.errors.ClusterGraphError: segment '%2e%2e' would climb out of the site folder; fix: mint the IRI from a key without '.' or '..' segments (clustergraph.iri.mint does)
    >>> resource_path("https://example.org/x")
    Traceback (most recent call last):
    ...
    clustergraph.errors.ClusterGraphError: not in the dataset namespace https://w3id.org/clustergraph/id/; fix: only resources minted under cgid: get pages (link others by their IRI)
    """
    text = str(resource)
    prefix = str(ID)
    mint_fix = "mint the IRI from the row's key with clustergraph.iri.mint (a {+name} template passes the value through unchecked)"
    if not text.startswith(prefix):
        raise _unsafe(f"not in the dataset namespace {prefix}", "only resources minted under cgid: get pages (link others by their IRI)")
    rest = text[len(prefix):]
    if not rest:
        raise _unsafe("the namespace itself has no page of its own", "describe the dataset in void.ttl, not as a resource")
    if "?" in rest or "#" in rest:
        raise _unsafe("an IRI with a query ('?') or fragment ('#') cannot be a page folder", mint_fix)
    if "\\" in rest:
        raise _unsafe("a backslash in the IRI path", mint_fix)
    raw_segments = rest.split("/")
    parts: list[str] = []
    for raw in raw_segments:
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        if _BAD_ESCAPE.search(raw):
            raise _unsafe(f"segment {shown!r} has a '%' that is not a percent-escape", mint_fix)
        try:
            name = unquote(raw, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise _unsafe(f"segment {shown!r} is not UTF-8 once percent-decoded", mint_fix) from None
        if not name:
            raise _unsafe("an empty path segment ('//' or a trailing '/')", mint_fix)
        if name in (".", ".."):
            what = "would climb out of the site folder" if name == ".." else "names no folder of its own"
            raise _unsafe(f"segment {shown!r} {what}", "mint the IRI from a key without '.' or '..' segments (clustergraph.iri.mint does)")
        if "/" in name or "\\" in name:
            raise _unsafe(f"segment {shown!r} hides a slash or backslash in a percent-escape", mint_fix)
        if any(unicodedata.category(ch) in _CONTROL for ch in name):
            raise _unsafe(f"segment {shown!r} contains a control or invisible formatting character", mint_fix)
        if name.startswith("."):
            raise _unsafe(f"segment {shown!r} would be a hidden file (such as .htaccess)", mint_fix)
        if name in _PAGE_FILES:
            raise _unsafe(f"segment {shown!r} is the name of a page file", mint_fix)
        if len(name.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise _unsafe(f"segment {shown!r} is longer than {MAX_SEGMENT_BYTES} bytes", mint_fix)
        parts.append(name)
    if len(parts) > MAX_DEPTH:
        raise _unsafe(f"{len(parts)} path segments (at most {MAX_DEPTH})", mint_fix)
    return PurePosixPath(*parts)


def _inside(folder: Path, root: Path) -> bool:
    """True if ``folder``, resolved, lies strictly under ``root`` (resolved)."""
    real, base = os.path.realpath(folder), os.path.realpath(root)
    return real != base and os.path.commonpath([real, base]) == base


@dataclass
class PublishResult:
    """What :func:`publish` wrote: the site folder, the pages, and the resources it skipped.

    It stands for the site folder (``result / "void.ttl"``, ``os.fspath(result)``).
    """

    path: Path
    pages: int = 0
    skipped: list[Problem] = field(default_factory=list)

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __truediv__(self, other: str | os.PathLike[str]) -> Path:
        return self.path / other

    def summary(self) -> str:
        """What was written, in one line (the skipped resources are in :attr:`skipped`)."""
        skipped = f"; {len(self.skipped)} resource(s) skipped" if self.skipped else ""
        return f"wrote {self.pages} resource pages, dumps and void.ttl to {self.path}{skipped}"

    def __repr__(self) -> str:
        return f"<PublishResult: {self.summary()}>"

    def _repr_html_(self) -> str:
        from ..display import key_values_html, table_html

        out = key_values_html([("folder", str(self.path)), ("pages", self.pages), ("skipped", len(self.skipped))], caption="Published site")
        return out + (table_html(["skipped"], [[str(p)] for p in self.skipped], total=len(self.skipped)) if self.skipped else "")


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


def _cell(graph: Graph, node: Any, base: str, pages: dict[URIRef, PurePosixPath] | None = None) -> str:
    if isinstance(node, URIRef):
        href = _local_href(node, base, pages)
        if href is None:  # not a page here, and not a web link: text, never an href
            return html.escape(_label(graph, node))
        return f'<a href="{html.escape(href)}">{html.escape(_label(graph, node))}</a>'
    if isinstance(node, Literal):
        lang = f' <span class="lang">@{node.language}</span>' if node.language else ""
        return html.escape(str(node)) + lang
    return "[…]"


def _local_href(node: URIRef, base: str, pages: dict[URIRef, PurePosixPath] | None = None) -> str | None:
    """A relative link to ``node``'s page if it has one here, its IRI if that is a web link, else None."""
    text = str(node)
    if text.startswith(str(ID)) and (pages is None or node in pages):
        return base + "id/" + text[len(str(ID)):] + "/"
    scheme = urlsplit(text).scheme.lower() if ":" in text else ""
    return text if scheme in ("http", "https") else None


def _page(graph: Graph, resource: URIRef, description: Graph, base: str, pages: dict[URIRef, PurePosixPath] | None = None) -> str:
    title = _label(graph, resource)
    rows = []
    for p, o in sorted(description.predicate_objects(resource), key=lambda x: (str(x[0]), str(x[1]))):
        rows.append(f"<tr><th>{html.escape(description.namespace_manager.normalizeUri(p))}</th><td>{_cell(graph, o, base, pages)}</td></tr>")
    inbound = []
    for s, p in sorted(description.subject_predicates(resource), key=lambda x: (str(x[1]), str(x[0]))):
        inbound.append(f"<tr><td>{_cell(graph, s, base, pages)}</td><th>{html.escape(description.namespace_manager.normalizeUri(p))}</th></tr>")
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
) -> PublishResult:
    """Write the linked-data site for ``graph`` to ``out`` (atomically) and say what was written.

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

    Returns
    -------
    PublishResult
        The site folder (usable as a path: ``result / "void.ttl"``), the number of
        resource pages, and in ``skipped`` one :class:`~clustergraph.errors.Problem` per
        resource whose IRI cannot safely name a folder (see :func:`resource_path`);
        nothing is written for those, and nothing is ever written outside ``out``.

    >>> import tempfile
    >>> g = Graph()
    >>> _ = g.add((ID["project/x"], RDFS.label, Literal("X")))
    >>> _ = g.add((URIRef(str(ID) + "../../../x"), RDFS.label, Literal("evil")))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     result = publish(g, Path(folder) / "site")
    ...     print(result.pages, (result / "id" / "project" / "x" / "index.ttl").exists())
    1 True
    >>> [p.message for p in result.skipped]
    ["resource page not written: segment '..' would climb out of the site folder"]
    """
    union = _store.union(graph)
    description = describe_dataset(union, endpoint=endpoint, base_url=base_url)
    if resources is not None:
        candidates = sorted({URIRef(str(r)) for r in resources})
    else:
        candidates = sorted({s for s in union.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))})
    result = PublishResult(Path(out))
    pages: dict[URIRef, PurePosixPath] = {}
    taken: dict[PurePosixPath, URIRef] = {}
    for s in candidates:
        try:
            rel = resource_path(s)
        except ClusterGraphError as exc:
            result.skipped.append(Problem(f"resource page not written: {exc.message}", value=str(s), fix=exc.fix))
            continue
        if rel in taken:  # e.g. .../a%41 and .../aA: one folder, two IRIs
            result.skipped.append(Problem(
                f"resource page not written: it would share the folder id/{rel} with {taken[rel]}",
                value=str(s), fix="give each resource an IRI that differs after percent-decoding",
            ))
            continue
        taken[rel] = s
        pages[s] = rel
    with atomic_dir(out) as tmp:
        (tmp / "dataset").mkdir()
        for suffix, fmt in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("trig", "trig")):
            try:
                _store.dump(graph, tmp / "dataset" / f"clustergraph.{suffix}", fmt)
            except ValueError as exc:  # a term the writers cannot hold, e.g. an IRI with a stray '%'
                raise ClusterGraphError(
                    f"cannot write the {fmt} dump: {exc}", fix="correct the term in the data: an IRI holds no spaces, no control characters and no '%' outside a percent-escape"
                ) from None
        (tmp / "void.ttl").write_bytes(description.serialize(format="turtle", encoding="utf-8"))
        (tmp / ".htaccess").write_text(_HTACCESS, encoding="utf-8")
        root = tmp / "id"
        root.mkdir()
        index_rows: dict[str, list[str]] = defaultdict(list)
        for s, rel in progress.iterate(pages.items(), "writing pages", unit="page"):
            folder = root.joinpath(*rel.parts)
            if not _inside(folder, root):  # resource_path should make this impossible: checked anyway
                result.skipped.append(Problem("resource page not written: its folder resolves outside the site", value=str(s)))
                continue
            folder.mkdir(parents=True, exist_ok=True)
            if not _inside(folder, root):  # a folder on the way turned out to be a link out
                result.skipped.append(Problem("resource page not written: its folder resolves outside the site", value=str(s)))
                continue
            base = "../" * (len(rel.parts) + 1)
            desc = describe(union, s)
            (folder / "index.html").write_text(_page(union, s, desc, base, pages), encoding="utf-8")
            (folder / "index.ttl").write_bytes(desc.serialize(format="turtle", encoding="utf-8"))
            (folder / "index.jsonld").write_bytes(desc.serialize(format="json-ld", encoding="utf-8"))
            result.pages += 1
            href = str(s)[len(str(ID)):]
            index_rows[rel.parts[0]].append(f'<li><a href="id/{html.escape(href)}/">{html.escape(_label(union, s))}</a></li>')
        sections = "".join(f"<h2>{html.escape(k)} ({len(v)})</h2><ul>{''.join(v)}</ul>" for k, v in sorted(index_rows.items()))
        (tmp / "index.html").write_text(
            f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>clustergraph</title>
<link rel="alternate" type="text/turtle" href="void.ttl"></head>
<body style="font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto">
<h1>clustergraph</h1><p>{len(union)} triples, {result.pages} resources.
Downloads: <a href="dataset/clustergraph.ttl">Turtle</a>, <a href="dataset/clustergraph.nt">N-Triples</a>,
<a href="dataset/clustergraph.jsonld">JSON-LD</a>, <a href="dataset/clustergraph.trig">TriG</a>;
description: <a href="void.ttl">DCAT/VoID</a>.</p>{sections}</body></html>
""",
            encoding="utf-8",
        )
    return result
