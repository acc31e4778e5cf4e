"""Publishing the dataset as linked open data.

:func:`publish` writes a static site that any web server can host:

* ``dataset/clustergraph.{ttl,nt,jsonld,trig}``: the dumps;
* ``void.ttl``: a DCAT and VoID description (distributions, triples, entities per
  class, the SPARQL endpoint if one is given, the source documents);
* one folder per resource under ``id/`` mirroring its IRI path, with ``index.html``
  (a human page: labels, properties, links to the neighbours), ``index.ttl`` and
  ``index.jsonld`` (the resource's description);
* ``.htaccess``, ``nginx.conf`` and one Apache type map per resource folder, written by
  :func:`clustergraph.publishing.hosting.write_hosting_files`.

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

:func:`describe` returns one resource's description, so a server can give the same one;
content negotiation is :mod:`clustergraph.publishing.negotiation`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..atomic import TEMP_MARKER, clean_stale, is_write_error, umask, write_error
from ..errors import ClusterGraphError, Problem
from .. import progress
from ..namespaces import CG, GRAPH, ID, bind_prefixes
from ..store import dataset as _store
from .hosting import write_hosting_files
from .catalog import CITATION, DATASET_IRI, DUMPS, LICENCE, describe_dataset, statistics
from .links import ONTOLOGY_IRI, Links
from .pages import DEFAULT_BASE, SITE_NAME, bar_picture, main_class, render_page, resource_context, schema_org, subtitle
from .serialisation import FILE_FORMATS, serialise
from .vocabulary import index_sections, ontology_files, load_ontology, term_facts, term_kind, term_path, terms

__all__ = [
    "publish",
    "PublishResult",
    "resource_path",
    "describe",
    "describe_dataset",
    "MAX_SEGMENT_BYTES",
    "MAX_DEPTH",
]

_FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "rdf": "RDF/XML", "nt": "N-Triples"}
_ALTERNATES = [{"type": media, "href": f"index.{suffix}", "name": _FORMAT_NAMES[suffix]} for suffix, (_fmt, media) in FILE_FORMATS.items()]



#: Longest path segment (UTF-8 bytes, after percent-decoding) that becomes a folder name.
MAX_SEGMENT_BYTES = 200
#: Most path segments (folders below ``id/``) a resource IRI may have.
MAX_DEPTH = 16
#: Names the site writes inside a resource folder: no resource may become one of them.
_PAGE_FILES = frozenset({"index.html", "index.ttl", "index.jsonld", "index.rdf", "index.nt"})
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


def describe(graph: Graph, resource: URIRef, *, prefixes: bool = True) -> Graph:
    """The description of ``resource``: its triples, the triples pointing at it, and labels of its neighbours.

    ``prefixes=False`` leaves the clustergraph prefixes unbound (faster, for a writer that
    brings its own).

    >>> g = Graph(); p = ID["project/x"]
    >>> _ = g.add((p, RDFS.label, Literal("X")))
    >>> len(describe(g, p))
    1
    """
    out = bind_prefixes(Graph()) if prefixes else Graph(bind_namespaces="none")
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


# --- the site ---------------------------------------------------------------------------

#: Classes listed first in the navigation, in this order, when the data has them.
_NAV_CLASSES = [CG.Project, CG.Organisation, CG.Call, CG.Programme, CG.LabelAward, CG.Partnership, CG.Event,
                CG.Sector, CG.Ecosystem]


def _write_rdf(folder: Path, graph: Graph) -> None:
    for suffix in FILE_FORMATS:
        (folder / f"index.{suffix}").write_bytes(serialise(graph, suffix))


def _memory_copy(graph: Graph) -> Graph:
    out = bind_prefixes(Graph())
    for triple in graph:
        out.add(triple)
    return out


def _unique_titles(links: Links, nodes: Iterable[Any]) -> None:
    """Give every page its own title: a name used twice gets its class, then its IRI's tail."""
    by_name: dict[str, list[Any]] = defaultdict(list)
    for n in nodes:
        by_name[links.plain_name(n)].append(n)
    for name, same in by_name.items():
        if len(same) == 1:
            links.titles[same[0]] = name
            continue
        again: dict[str, list[Any]] = defaultdict(list)
        for n in same:
            cls = main_class(links, n)
            again[f"{name} ({links.class_label(cls).lower()})" if cls is not None else name].append(n)
        for title, nodes2 in again.items():
            for n in nodes2:
                links.titles[n] = title if len(nodes2) == 1 else f"{title} [{str(n).rstrip('/').rsplit('/', 1)[-1]}]"


def _record_path(record: URIRef) -> PurePosixPath | None:
    """The folder (under the site's ``graph/``) of a named graph's provenance page, or None if unsafe."""
    text = str(record)
    if not text.startswith(str(GRAPH)) or "#" in text:
        return None
    try:
        return resource_path(URIRef(str(ID) + text[len(str(GRAPH)):]))
    except ClusterGraphError:
        return None


def _named_graphs(graph: Graph) -> dict[URIRef, int]:
    counts: dict[URIRef, int] = defaultdict(int)
    for _s, _p, _o, g in _store.quads(graph):
        if isinstance(g, URIRef) and str(g).startswith(str(GRAPH)):
            counts[g] += 1
    return dict(counts)


def _nav(links: Links, classes: dict[URIRef, list[URIRef]]) -> list[dict[str, str]]:
    nav = [{"text": "Home", "path": "index.html"}]
    for cls in _NAV_CLASSES:
        if classes.get(cls):
            nav.append({"text": links.class_label(cls, plural=True), "path": _index_path(cls)})
    nav.append({"text": "Ontology", "path": "ontology/"})
    nav.append({"text": "Provenance", "path": "graph/"})
    return nav


def _index_path(cls: URIRef | None) -> str:
    return "browse/" + (str(cls)[len(str(CG)):] if cls is not None else "other") + "/"


def _cell(text: str) -> dict[str, Any]:
    return {"text": text, "href": None, "lang": None, "iri": None}


def publish(
    graph: Graph,
    out: str | os.PathLike[str],
    *,
    endpoint: str | None = None,
    base_url: str | None = None,
    resources: Iterable[URIRef] | None = None,
    modified: str | None = None,
) -> PublishResult:
    """Write the linked-data site for ``graph`` to ``out`` and say what was written.

    The site is built in a folder beside ``out`` and then put in its place with a
    rename: an existing ``out`` is replaced whole (nothing of an earlier site is left),
    and if anything fails the earlier site stays as it was. The same data gives a
    byte-identical site.

    Parameters
    ----------
    graph:
        Any clustergraph dataset or graph (every named graph is published, merged).
    endpoint:
        URL of a public SPARQL endpoint to advertise on the home page and in the
        DCAT-AP record.
    base_url:
        Where the site will be served; canonical links and the catalogue use it
        (defaults to ``https://w3id.org/clustergraph``). Pages link to each other relatively.
    resources:
        Only these resources get pages (default: every subject under the data namespace,
        and the ontology's individuals the data links, such as the industrial ecosystems).
    modified:
        ISO date for the catalogue's ``dct:modified`` (default: taken from the data).

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
    union = _memory_copy(_store.union(graph))
    ontology = load_ontology()
    base = (base_url or DEFAULT_BASE).rstrip("/")
    description = describe_dataset(union, endpoint=endpoint, base_url=base_url, modified=modified)
    stats = statistics(union)
    # the ontology's own individuals under /id/ (the industrial ecosystems) that the data links
    linked = {o for o in union.objects() if isinstance(o, URIRef) and str(o).startswith(str(ID))}
    individuals = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID)) and s in linked}
    combined = _memory_copy(union)
    for s in individuals:
        for p, o in ontology.predicate_objects(s):
            combined.add((s, p, o))
    if resources is not None:
        candidates = sorted({URIRef(str(r)) for r in resources})
    else:
        candidates = sorted({s for s in combined.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))})
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
    named = _named_graphs(graph)
    record_nodes = set(named) | {s for s in union.subjects(RDF.type, PROV.Entity) if isinstance(s, URIRef) and "#" not in str(s)}
    records = {r: p for r in sorted(record_nodes) if (p := _record_path(r)) is not None}
    all_terms = terms(ontology)
    links = Links(combined, ontology, pages=set(pages), terms=set(all_terms), records=set(records))
    _unique_titles(links, list(pages) + list(records))

    classes: dict[URIRef | None, list[URIRef]] = defaultdict(list)
    for s in pages:
        cg_types = [t for t in links.types(s) if str(t).startswith(str(CG))]
        for t in cg_types:
            classes[t].append(s)
        if not cg_types:
            classes[None].append(s)
    nav = _nav(links, classes)  # type: ignore[arg-type]

    with _staging(out) as tmp:
        (tmp / "dataset").mkdir()
        for suffix, fmt in (("ttl", "turtle"), ("nt", "nt"), ("trig", "trig")):
            try:
                _store.dump(graph, tmp / "dataset" / f"clustergraph.{suffix}", fmt)
            except ValueError as exc:  # a term the writers cannot hold, e.g. an IRI with a stray '%'
                raise ClusterGraphError(
                    f"cannot write the {fmt} dump: {exc}", fix="correct the term in the data: an IRI holds no spaces, no control characters and no '%' outside a percent-escape"
                ) from None
        (tmp / "dataset" / "clustergraph.jsonld").write_bytes(serialise(union, "json-ld"))
        (tmp / "void.ttl").write_bytes(serialise(description, "turtle"))

        # resource pages
        root = tmp / "id"
        root.mkdir()
        for s, rel in progress.iterate(pages.items(), "writing pages", unit="page"):
            folder = root.joinpath(*rel.parts)
            if not _inside(folder, root):  # resource_path should make this impossible: checked anyway
                result.skipped.append(Problem("resource page not written: its folder resolves outside the site", value=str(s)))
                continue
            folder.mkdir(parents=True, exist_ok=True)
            if not _inside(folder, root):  # a folder on the way turned out to be a link out
                result.skipped.append(Problem("resource page not written: its folder resolves outside the site", value=str(s)))
                continue
            here = links.at("../" * (len(rel.parts) + 1))
            context = resource_context(combined, s, links=here, base=base, path=f"id/{str(s)[len(str(ID)):]}/", nav=nav)
            (folder / "index.html").write_text(render_page(context["template"], context), encoding="utf-8")
            _write_rdf(folder, describe(combined, s, prefixes=False))
            result.pages += 1

        # one index per class
        listed: list[tuple[URIRef | None, list[URIRef]]] = sorted(classes.items(), key=lambda kv: links.class_label(kv[0]) if kv[0] is not None else "~")
        for cls, members in listed:
            folder = tmp.joinpath(*_index_path(cls).strip("/").split("/"))
            folder.mkdir(parents=True)
            here = links.at("../../")
            rows = []
            for m in sorted(members, key=lambda x: (links.name(x).lower(), str(x))):
                detail = subtitle(here, m) or ", ".join(c["text"] for c in (here.value(v) for v in combined.objects(m, CG.country))) \
                    or (here.text(m, DCTERMS.description) or "")
                rows.append({"cells": [here.value(m), _cell(detail[:160] + ("…" if len(detail) > 160 else ""))], "strong": False})
            label = links.class_label(cls, plural=True) if cls is not None else "Other resources"
            intro = [here.text(cls, RDFS.comment) or ""] if cls is not None else ["Resources of the dataset that have no class of the ontology."]
            if cls is not None:
                intro.append(f"The class is documented in the ontology as {links.class_label(cls)} ({cls}).")
            context = {
                "site": SITE_NAME, "lang": "en", "root": here.root, "title": f"{label}: index of {len(members)}",
                "heading": label, "canonical": f"{base}/{_index_path(cls)}", "alternates": _ALTERNATES,
                "jsonld": schema_org({"@type": "CollectionPage", "name": label, "url": f"{base}/{_index_path(cls)}"}),
                "nav": nav, "intro": [i for i in intro if i],
                "sections": [{"kind": "table", "heading": f"All {len(members)} {label.lower()}", "id": "all", "columns": ["Name", "Details"],
                              "rows": rows, "caption": f"{label}, by name", "foot": None}],
            }
            if cls is not None and links.href(cls):
                context["sections"].append({"kind": "list", "heading": "The class in the ontology", "id": "class",
                                            "entries": [{"cell": here.value(cls), "detail": here.text(cls, RDFS.comment)}]})
            (folder / "index.html").write_text(render_page("listing.html", context), encoding="utf-8")
            listing = bind_prefixes(Graph())  # the index as data: its members, their class and name
            for m in members:
                if cls is not None:
                    listing.add((m, RDF.type, cls))
                listing.add((m, RDFS.label, Literal(links.name(m))))
            _write_rdf(folder, listing)

        _write_ontology(tmp, ontology, links, base, nav, {c for c in classes if c is not None})
        _write_records(tmp, union, records, named, links, base, nav)

        # the home page
        funding: dict[str, Decimal] = defaultdict(Decimal)
        for p in union.subjects(RDF.type, CG.Project):
            amount = union.value(p, CG.euContribution)
            if amount is None:
                continue
            countries = {c for part in union.subjects(CG.project, p) for org in union.objects(part, CG.participant)
                         for c in union.objects(org, CG.country)}
            for c in countries:
                try:
                    funding[links.name(c)] += Decimal(str(amount))
                except (ArithmeticError, ValueError):
                    pass
        classes_rows = [{"label": f"{links.class_label(c, plural=True) if c is not None else 'Other resources'}", "path": _index_path(c), "count": len(m)}
                        for c, m in listed]
        context = {
            "site": SITE_NAME, "lang": "en", "root": "", "title": "The European cluster excellence ecosystem as linked data",
            "heading": "clustergraph: the European cluster excellence ecosystem", "canonical": base + "/",
            "alternates": [{"type": "text/turtle", "href": "void.ttl", "name": "DCAT-AP and VoID"}],
            "description": str(description.value(DATASET_IRI, DCTERMS.description)),
            "jsonld": schema_org(_dataset_schema(description, base)),
            "nav": nav, "triples": stats["triples"], "entities": stats["entities"],
            "sources": len(set(union.subjects(RDF.type, CG.SourceDocument))), "classes": classes_rows,
            "funding": bar_picture(sorted(funding.items()), title="EU contribution to the projects in which organisations of each country take part (a project counts once for every country among its partners)") if funding else None,
            "downloads": [{"path": f"dataset/clustergraph.{suffix}", "name": f"The whole dataset in {name}", "type": media} for suffix, name, media, _ in DUMPS],
            "endpoint": endpoint, "licence": str(LICENCE), "citation": CITATION,
        }
        (tmp / "index.html").write_text(render_page("home.html", context), encoding="utf-8")
        write_hosting_files(tmp)  # .htaccess, nginx.conf, type maps (clustergraph.publishing.hosting)
    return result


def _dataset_schema(description: Graph, base: str) -> dict[str, Any]:
    ds = DATASET_IRI
    return {
        "@type": "Dataset", "@id": str(ds), "name": str(description.value(ds, DCTERMS.title)),
        "description": str(description.value(ds, DCTERMS.description)), "url": base + "/",
        "license": str(LICENCE), "keywords": sorted(str(k) for k in description.objects(ds, DCAT.keyword)),
        "distribution": [{"@type": "DataDownload", "encodingFormat": media, "contentUrl": f"{base}/dataset/clustergraph.{suffix}"}
                         for suffix, _name, media, _ in DUMPS],
        "citation": CITATION,
    }


#: The rendered term pages of the last site, reused while what they show is the same.
_TERM_PAGES: dict[Any, dict[str, str]] = {}


def _write_ontology(tmp: Path, ontology: Graph, links: Links, base: str, nav: list[dict[str, str]],
                    indexed: set[URIRef] = frozenset()) -> None:  # type: ignore[assignment]
    folder = tmp / "ontology"
    folder.mkdir()
    files = ontology_files(ontology)
    for suffix in FILE_FORMATS:
        (folder / f"index.{suffix}").write_bytes(files[f"ontology/index.{suffix}"])
    # the pages show the ontology, the navigation and which of the ontology's individuals and classes have pages
    key = (id(ontology), tuple((n["text"], n["path"]) for n in nav), base, frozenset(indexed),
           frozenset((s, links.name(s)) for s in set(ontology.subjects()) if str(s).startswith(str(ID)) and links.path(s) is not None))
    cached = _TERM_PAGES.get(key, {})
    rendered: dict[str, str] = {}
    if "ontology" in cached:
        rendered["ontology"] = cached["ontology"]
    else:
        here = links.at("../")
        title = here.text(ONTOLOGY_IRI, DCTERMS.title) or "The clustergraph ontology"
        context = {
            "site": SITE_NAME, "lang": "en", "root": here.root, "title": title, "heading": title,
            "canonical": f"{base}/ontology/", "nav": nav,
            "alternates": [{"type": FILE_FORMATS[f][1], "href": f"index.{f}", "name": _FORMAT_NAMES[f]} for f in FILE_FORMATS],
            "jsonld": schema_org({"@type": "DefinedTermSet", "@id": str(ONTOLOGY_IRI), "name": title, "url": f"{base}/ontology/"}),
            "intro": [here.text(ONTOLOGY_IRI, DCTERMS.description) or "",
                      f"Namespace: {CG} (prefix cg:). Version {here.text(ONTOLOGY_IRI, OWL.versionInfo) or ''}; licence CC BY 4.0."],
            "sections": index_sections(here, ontology),
        }
        rendered["ontology"] = render_page("listing.html", context)
    (folder / "index.html").write_text(rendered["ontology"], encoding="utf-8")
    for term in terms(ontology):
        rel = term_path(term)
        sub = tmp.joinpath(*rel.parts)
        sub.mkdir(parents=True, exist_ok=True)
        for suffix in FILE_FORMATS:
            (sub / f"index.{suffix}").write_bytes(files[f"{rel}/index.{suffix}"])
        if str(rel) in cached:
            rendered[str(rel)] = cached[str(rel)]
            (sub / "index.html").write_text(cached[str(rel)], encoding="utf-8")
            continue
        at = links.at("../../")
        facts, sections = term_facts(at, term)
        if term in indexed:
            sections.append({"kind": "list", "heading": "In the data", "id": "in-the-data", "entries": [
                {"cell": {"text": f"Every {at.class_label(term).lower()} in the dataset", "href": at.root + _index_path(term), "lang": None, "iri": None},
                 "detail": None}]})
        label = at.text(term, RDFS.label, SKOS.prefLabel) or str(term)[len(str(CG)):]
        kind = term_kind(ontology, term)
        context = {
            "site": SITE_NAME, "lang": "en", "root": at.root, "title": f"{label}: {kind.lower()} cg:{str(term)[len(str(CG)):]}",
            "heading": label, "subtitle": f"{kind} of the clustergraph ontology", "iri": str(term),
            "canonical": str(term), "classes": [], "facts": facts, "notes": [], "sections": sections, "sources": [],
            "records": [], "referenced_by": [], "nav": nav,
            "alternates": [{"type": FILE_FORMATS[f][1], "href": f"index.{f}", "name": _FORMAT_NAMES[f]} for f in FILE_FORMATS],
            "jsonld": schema_org({"@type": "DefinedTerm", "@id": str(term), "name": label, "termCode": "cg:" + str(term)[len(str(CG)):],
                                  "inDefinedTermSet": str(ONTOLOGY_IRI), "url": f"{base}/{rel}/"}),
        }
        rendered[str(rel)] = render_page("resource.html", context)
        (sub / "index.html").write_text(rendered[str(rel)], encoding="utf-8")
    _TERM_PAGES.clear()
    _TERM_PAGES[key] = rendered


def _write_records(tmp: Path, union: Graph, records: dict[URIRef, PurePosixPath], named: dict[URIRef, int],
                   links: Links, base: str, nav: list[dict[str, str]]) -> None:
    folder = tmp / "graph"
    folder.mkdir()
    here = links.at("../")
    rows = []
    for r, rel in sorted(records.items(), key=lambda kv: links.name(kv[0]).lower()):
        rows.append({"cells": [here.value(r), _cell(here.text(r, CG.sourceFile) or ""), _cell(f"{named.get(r, 0):,}")], "strong": False})
    context = {
        "site": SITE_NAME, "lang": "en", "root": here.root, "title": "Provenance: named graphs and source files",
        "heading": "Provenance", "canonical": f"{base}/graph/", "alternates": _ALTERNATES, "nav": nav,
        "jsonld": schema_org({"@type": "CollectionPage", "name": "Provenance", "url": f"{base}/graph/"}),
        "intro": ["Every source file is imported into a named graph of its own; each statement about a resource "
                  "links the row it comes from. The TriG download keeps these graphs."],
        "sections": [{"kind": "table", "heading": "Named graphs", "id": "graphs", "columns": ["Graph", "Source file", "Statements"],
                      "rows": rows, "caption": "Named graphs of the dataset", "foot": None}],
    }
    (folder / "index.html").write_text(render_page("listing.html", context), encoding="utf-8")
    listing = bind_prefixes(Graph())  # the named graphs as data: their size and source file
    for r in records:
        if r in named:
            listing.add((r, VOID.triples, Literal(named[r], datatype=XSD.integer)))
        for p in (CG.sourceFile, PROV.generatedAtTime, CG.checksum):
            for o in union.objects(r, p):
                listing.add((r, p, o))
    _write_rdf(folder, listing)
    for r, rel in records.items():
        sub = folder.joinpath(*rel.parts)
        sub.mkdir(parents=True, exist_ok=True)
        at = links.at("../" * (len(rel.parts) + 1))
        desc = bind_prefixes(Graph())
        for p, o in union.predicate_objects(r):
            desc.add((r, p, o))
        row_rows = []
        derivations = sorted(union.subjects(PROV.entity, r), key=lambda d: int(str(union.value(d, CG.sourceRow) or 0)))
        for d in derivations:
            for p, o in union.predicate_objects(d):
                desc.add((d, p, o))
            made = sorted(union.subjects(PROV.qualifiedDerivation, d))
            for m in made:
                desc.add((m, PROV.qualifiedDerivation, d))
            fragment = str(d).partition("#")[2]
            row_rows.append({"cells": [_cell(str(union.value(d, CG.sourceRow) or "")), [at.value(m) for m in made]],
                             "strong": False, "anchor": fragment})
        context = resource_context(union, r, links=at, base=base, path=f"graph/{rel}/", nav=nav)
        context["title"] = context["heading"] = links.name(r)
        context["subtitle"] = f"Named graph with {named.get(r, 0):,} statements" if r in named else None
        if row_rows:
            context["sections"] = [{"kind": "table", "heading": "Rows", "id": "rows", "columns": ["Row", "Resources made from it"],
                                    "rows": row_rows, "caption": f"Rows of {links.source_file(r)} and the resources made from each", "foot": None}]
        context["referenced_by"] = []
        context["template"] = "resource.html"
        (sub / "index.html").write_text(render_page("resource.html", context), encoding="utf-8")
        _write_rdf(sub, desc)


@contextlib.contextmanager
def _staging(out: str | os.PathLike[str]) -> Iterator[Path]:
    """A new folder beside ``out``; when the block succeeds it replaces ``out`` whole, with renames.

    If the block fails, the folder is removed and ``out`` is as it was. When only ``out``
    itself is writable (a mount point, a folder in a read-only parent), the site is built
    inside it and swapped in entry by entry: the old entries are moved aside first and
    removed last, so the folder still ends up holding the new site alone.
    """
    target = Path(os.path.abspath(out))
    if os.path.lexists(target) and not target.is_dir():
        raise write_error(NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(out)), out, unchanged=True)
    inside = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(target)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{TEMP_MARKER}", suffix=".tmp", dir=target.parent))
        except PermissionError:
            if not target.is_dir() or target.is_symlink():
                raise
            staging = Path(tempfile.mkdtemp(prefix=f".{TEMP_MARKER}", suffix=".tmp", dir=target))
            inside = True
    except OSError as exc:
        raise write_error(exc, out, unchanged=True) from exc
    try:
        yield staging
        if inside:
            _swap_entries(staging, target)
            return
        os.chmod(staging, 0o777 & ~umask())
        old = None
        if os.path.lexists(target):
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.{TEMP_MARKER}", suffix=".old", dir=target.parent))
            os.rename(target, old / "site")
        try:
            os.rename(staging, target)
        except OSError:
            if old is not None:  # put the previous site back
                os.rename(old / "site", target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if is_write_error(exc):
            raise write_error(exc, out, unchanged=True) from exc  # type: ignore[arg-type]
        raise


def _swap_entries(staging: Path, target: Path) -> None:
    """Replace every entry of ``target`` by those of ``staging`` (a folder inside it)."""
    old = Path(tempfile.mkdtemp(prefix=f".{TEMP_MARKER}", suffix=".old", dir=target))
    keep = {staging.name, old.name}
    moved: list[str] = []
    try:
        for name in sorted(os.listdir(target)):
            if name not in keep:
                os.rename(target / name, old / name)
                moved.append(name)
        for name in sorted(os.listdir(staging)):
            os.rename(staging / name, target / name)
    except OSError:
        for name in os.listdir(target):  # undo: the new entries out, the old ones back
            if name not in keep and name not in moved:
                shutil.rmtree(target / name, ignore_errors=True) if (target / name).is_dir() and not (target / name).is_symlink() else os.unlink(target / name)
        for name in moved:
            os.rename(old / name, target / name)
        shutil.rmtree(old, ignore_errors=True)
        raise
    staging.rmdir()
    shutil.rmtree(old, ignore_errors=True)
