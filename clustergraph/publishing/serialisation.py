"""RDF files that come out byte-identical for the same triples.

A published site is compared, cached and mirrored by its bytes, so every RDF file it
holds is written here: triples sorted, blank nodes relabelled from the graph's own
content (:func:`rdflib.compare.to_canonical_graph`), JSON-LD keys and arrays sorted,
no timestamps.

>>> from rdflib import Graph, Literal, URIRef, BNode
>>> g = Graph()
>>> _ = g.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), BNode()))
>>> serialise(g, "nt") == serialise(g, "nt")
True
>>> serialise(g, "nt").decode().split()[2].startswith("_:cb")
True
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF

from ..namespaces import PREFIXES
from ..store.dataset import to_oxigraph

__all__ = ["serialise", "FILE_FORMATS", "canonical"]

#: File suffix → (format name, media type) of every RDF file a page folder holds.
FILE_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
    "nt": ("nt", "application/n-triples"),
}

_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML}
# data IRIs (cgid:project/cecil) would need an escaped slash in a prefixed name
_PREFIXES = {k: str(v) for k, v in PREFIXES.items() if k not in ("cgid", "cggraph")}
_CONTEXT = {k: str(v) for k, v in PREFIXES.items()}
_BY_LENGTH = sorted(_CONTEXT.items(), key=lambda kv: -len(kv[1]))
_RDF_TYPE = RDF.type
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def canonical(graph: Graph) -> Graph:
    """``graph`` with its blank nodes named from their content (the same for the same triples).

    A blank node's name is a hash of what it says (its properties, and the names of the
    blank nodes it points at), then of who points at it; nodes that still agree are
    interchangeable and are numbered in turn. Fast on the trees OWL writes (restrictions,
    lists), where :func:`rdflib.compare.to_canonical_graph` takes seconds.
    """
    bnodes = sorted({t for triple in graph for t in triple if isinstance(t, BNode)})
    if not bnodes:
        return graph
    memo: dict[BNode, str] = {}

    def content(b: BNode, stack: frozenset[BNode]) -> str:
        if b in memo:
            return memo[b]
        if b in stack:
            return "cycle"
        parts = sorted(
            p.n3() + " " + (content(o, stack | {b}) if isinstance(o, BNode) else o.n3())
            for p, o in graph.predicate_objects(b)
        )
        memo[b] = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]
        return memo[b]

    def context(b: BNode) -> str:
        return "\n".join(sorted(
            (s.n3() if not isinstance(s, BNode) else content(s, frozenset())) + " " + p.n3()
            for s, p in graph.subject_predicates(b)
        ))

    keyed = sorted((content(b, frozenset()), hashlib.sha256(context(b).encode("utf-8")).hexdigest()[:8], i) for i, b in enumerate(bnodes))
    names: dict[BNode, BNode] = {}
    seen: dict[str, int] = {}
    for c, ctx, i in keyed:
        key = f"cb{c}{ctx}"
        n = seen.get(key, 0)
        seen[key] = n + 1
        names[bnodes[i]] = BNode(key if n == 0 else f"{key}n{n}")
    out = Graph()
    for s, p, o in graph:
        out.add((names.get(s, s), p, names.get(o, o)))  # type: ignore[arg-type]
    return out


def _compact(iri: str) -> str:
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            rest = iri[len(ns):]
            if not rest.startswith("//") and ":" not in rest.split("/", 1)[0]:
                return f"{prefix}:{rest}"
    return iri


def _term(node: Any) -> str:
    return f"_:{node}" if isinstance(node, BNode) else _compact(str(node))


def _json_value(node: Any) -> Any:
    if isinstance(node, Literal):
        value: dict[str, Any] = {"@value": str(node)}
        if node.language:
            value["@language"] = node.language
        elif node.datatype is not None and str(node.datatype) != _XSD_STRING:
            value["@type"] = _compact(str(node.datatype))
        return value
    return {"@id": _term(node)}


def _json_ld(graph: Graph) -> dict[str, Any]:
    """``graph`` as JSON-LD: one node object per subject, sorted, prefixed names from :data:`PREFIXES`."""
    nodes: dict[str, dict[str, Any]] = {}
    for s, p, o in graph:
        node = nodes.setdefault(_term(s), {"@id": _term(s)})
        if p == _RDF_TYPE and not isinstance(o, Literal):
            node.setdefault("@type", []).append(_term(o))
        else:
            node.setdefault(_compact(str(p)), []).append(_json_value(o))
    out = []
    for key in sorted(nodes):
        node = nodes[key]
        for k, v in node.items():
            if isinstance(v, list):
                node[k] = sorted(v, key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False)) if k != "@type" else sorted(set(v))
        out.append(node)
    return {"@context": dict(_CONTEXT), "@graph": out}


def serialise(graph: Graph, fmt: str) -> bytes:
    """``graph`` as ``fmt`` (``turtle``, ``nt``, ``xml``, ``json-ld`` or a suffix of :data:`FILE_FORMATS`), deterministically."""
    fmt = FILE_FORMATS[fmt][0] if fmt in FILE_FORMATS else fmt
    g = canonical(graph)
    if fmt == "json-ld":
        return (json.dumps(_json_ld(g), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    triples = sorted(g, key=lambda t: tuple(x.n3() for x in t))
    items = [ox.Triple(*(to_oxigraph(x) for x in t)) for t in triples]
    return ox.serialize(items, format=_OX_FORMATS[fmt], prefixes=_PREFIXES if fmt in ("turtle", "xml") else None)
