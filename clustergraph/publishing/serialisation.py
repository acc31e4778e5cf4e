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
from rdflib import BNode, Graph

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


def _sorted_json(value: Any, in_list: bool = False) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_json(v, k == "@list") for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if in_list:  # an RDF collection keeps its order
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def serialise(graph: Graph, fmt: str) -> bytes:
    """``graph`` as ``fmt`` (``turtle``, ``nt``, ``xml``, ``json-ld`` or a suffix of :data:`FILE_FORMATS`), deterministically."""
    fmt = FILE_FORMATS[fmt][0] if fmt in FILE_FORMATS else fmt
    g = canonical(graph)
    if fmt == "json-ld":
        data = json.loads(g.serialize(format="json-ld", context=dict(_CONTEXT), auto_compact=True))
        return (json.dumps(_sorted_json(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    triples = sorted(g, key=lambda t: tuple(x.n3() for x in t))
    items = [ox.Triple(*(to_oxigraph(x) for x in t)) for t in triples]
    return ox.serialize(items, format=_OX_FORMATS[fmt], prefixes=_PREFIXES if fmt in ("turtle", "xml") else None)
