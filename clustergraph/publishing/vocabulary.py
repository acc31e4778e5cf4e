"""The ontology, published: one page and one set of RDF files per class and property.

Every ``cg:`` term (``https://w3id.org/clustergraph/ontology#Project``) gets a folder
``ontology/Project/`` with a page (label, comment, kind, domain and range,
super-classes and sub-classes, alignments to other vocabularies, instances) and its
description in Turtle, JSON-LD, RDF/XML and N-Triples; ``ontology/`` itself holds the
whole ontology in those formats and an index whose anchors (``#Project``) are the
terms' fragments, so that the hash IRIs resolve in the site as the data IRIs do.

>>> onto = load_ontology()
>>> from clustergraph.namespaces import CG
>>> CG.Project in terms(onto)
True
>>> str(term_path(CG.Project))
'ontology/Project'
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..namespaces import CG, bind_prefixes
from ..resources import ontology_path
from .links import ONTOLOGY_IRI, Links
from .serialisation import FILE_FORMATS, serialise

__all__ = ["KINDS", "describe_term", "expression", "index_sections", "load_ontology", "ontology_files", "term_facts",
           "term_kind", "term_path", "terms"]

#: Kinds of terms, in the order the ontology index lists them.
KINDS = [
    (OWL.Class, "Classes"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (OWL.AnnotationProperty, "Annotation properties"),
    (SKOS.ConceptScheme, "Concept schemes"),
    (OWL.NamedIndividual, "Individuals"),
]


def load_ontology() -> Graph:
    """The shipped ontology (``ontology/clustergraph.ttl``) as a graph (read once per process: do not change it)."""
    path = ontology_path()
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=2)
def _load(path: str, _mtime: int, _size: int) -> Graph:
    return bind_prefixes(Graph()).parse(path, format="turtle")


def ontology_files(ontology: Graph) -> dict[str, bytes]:
    """Every RDF file of the published ontology, by site path (``ontology/Project/index.ttl``...).

    Computed once per ontology graph: the files depend on the ontology alone.
    """
    key = id(ontology)
    cached = _FILES.get(key)
    if cached is not None and cached[0] is ontology:
        return cached[1]
    files: dict[str, bytes] = {}
    for suffix in FILE_FORMATS:
        files[f"ontology/index.{suffix}"] = serialise(ontology, suffix)
    for term in terms(ontology):
        described = describe_term(ontology, term)
        for suffix in FILE_FORMATS:
            files[f"{term_path(term)}/index.{suffix}"] = serialise(described, suffix)
    _FILES.clear()
    _FILES[key] = (ontology, files)
    return files


_FILES: dict[int, tuple[Graph, dict[str, bytes]]] = {}


def terms(ontology: Graph) -> list[URIRef]:
    """Every ``cg:`` term the ontology describes, sorted."""
    return sorted({s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(CG)) and str(s) != str(CG)})


def term_path(term: URIRef) -> PurePosixPath:
    """The site folder of ``term``'s page."""
    return PurePosixPath("ontology", str(term)[len(str(CG)):])


_SINGULAR = {OWL.Class: "Class", OWL.ObjectProperty: "Object property", OWL.DatatypeProperty: "Datatype property",
             OWL.AnnotationProperty: "Annotation property", SKOS.ConceptScheme: "Concept scheme", OWL.NamedIndividual: "Individual"}


def term_kind(ontology: Graph, term: URIRef) -> str:
    """What ``term`` is, in words: ``Class``, ``Object property``, ``Individual``..."""
    types = set(ontology.objects(term, RDF.type))
    for kind, _name in KINDS:
        if kind in types:
            return _SINGULAR[kind]
    for t in sorted(types):
        if t not in (OWL.NamedIndividual,):
            return "Concept"
    return "Term"


def _closure(ontology: Graph, node: Any, out: Graph, seen: set[Any]) -> None:
    for p, o in ontology.predicate_objects(node):
        out.add((node, p, o))
        if isinstance(o, BNode) and o not in seen:
            seen.add(o)
            _closure(ontology, o, out, seen)


def describe_term(ontology: Graph, term: URIRef) -> Graph:
    """``term``'s triples (with the class expressions they use) and the labels of the terms they name."""
    out = bind_prefixes(Graph())
    _closure(ontology, term, out, set())
    for s, p in ontology.subject_predicates(term):
        if isinstance(s, URIRef):
            out.add((s, p, term))
    for o in list(out.objects()):
        if isinstance(o, URIRef):
            for lab in ontology.objects(o, RDFS.label):
                out.add((o, RDFS.label, lab))
    out.add((term, RDFS.isDefinedBy, ONTOLOGY_IRI))
    return out


def expression(links: Links, node: Any) -> dict[str, Any]:
    """A class expression as text for readers: names, ``A or B``, ``role some Coordinator``."""
    o = links.ontology
    if not isinstance(node, BNode):
        return links.value(node)
    for p, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
        head = o.value(node, p)
        if head is not None:
            parts = [expression(links, x)["text"] for x in Collection(o, head)]
            return {"text": "(" + word.join(parts) + ")", "href": None, "lang": None, "iri": None}
    prop = o.value(node, OWL.onProperty)
    if prop is not None:
        for p, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value"),
                        (OWL.minCardinality, "min"), (OWL.maxCardinality, "max"), (OWL.cardinality, "exactly"),
                        (OWL.minQualifiedCardinality, "min"), (OWL.qualifiedCardinality, "exactly")):
            v = o.value(node, p)
            if v is not None:
                return {"text": f"{links.name(prop)} {word} {expression(links, v)['text']}", "href": None, "lang": None, "iri": None}
    chain = o.value(node, OWL.propertyChainAxiom)
    if chain is not None:
        return {"text": " / ".join(links.name(x) for x in Collection(o, chain)), "href": None, "lang": None, "iri": None}
    return {"text": "(a class expression: see the Turtle)", "href": None, "lang": None, "iri": None}


def term_facts(links: Links, term: URIRef) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(facts, sections) of a term's page: what it is, where it sits, how it aligns."""
    o = links.ontology

    def row(label: str, values: list[Any], iri: Any = None) -> dict[str, Any] | None:
        cells = [expression(links, v) for v in values]
        cells = sorted(cells, key=lambda c: c["text"].lower())
        if not cells:
            return None
        return {"label": label, "href": links.href(iri) if iri is not None else None, "iri": str(iri or ""), "vals": cells}

    def local(values: list[Any]) -> list[Any]:
        return [v for v in values if not (isinstance(v, URIRef) and not str(v).startswith(str(CG)))]

    def external(values: list[Any]) -> list[Any]:
        return [v for v in values if isinstance(v, URIRef) and not str(v).startswith(str(CG))]

    supers = list(o.objects(term, RDFS.subClassOf)) + list(o.objects(term, RDFS.subPropertyOf))
    equivalent = list(o.objects(term, OWL.equivalentClass)) + list(o.objects(term, OWL.equivalentProperty))
    facts = [
        row("kind", [], None),
        row("label", [lab for lab in [links.text(term, RDFS.label)] if lab] and [o.value(term, RDFS.label)], RDFS.label),
        row("description", [v for v in o.objects(term, RDFS.comment)][:1], RDFS.comment),
        row("definition", [v for v in o.objects(term, SKOS.definition)][:1], SKOS.definition),
        row("super-classes and super-properties", local(supers), RDFS.subClassOf),
        row("domain", list(o.objects(term, RDFS.domain)), RDFS.domain),
        row("range", list(o.objects(term, RDFS.range)), RDFS.range),
        row("inverse of", list(o.objects(term, OWL.inverseOf)) + list(o.subjects(OWL.inverseOf, term)), OWL.inverseOf),
        row("equivalent to", local(equivalent), OWL.equivalentClass),
        row("in scheme", list(o.objects(term, SKOS.inScheme)), SKOS.inScheme),
        row("type", [t for t in o.objects(term, RDF.type) if t not in (OWL.NamedIndividual, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)], RDF.type),
        row("aligned with", external(supers) + external(equivalent) + list(o.objects(term, SKOS.exactMatch)) + list(o.objects(term, SKOS.closeMatch)), None),
    ]
    kind = {"label": "kind", "href": None, "iri": "", "vals": [{"text": term_kind(o, term), "href": None, "lang": None, "iri": None}]}
    facts = [kind] + [f for f in facts[1:] if f is not None]
    sections = []
    groups: list[tuple[str, str, list[Any]]] = [
        ("Sub-classes and sub-properties", "subterms", list(o.subjects(RDFS.subClassOf, term)) + list(o.subjects(RDFS.subPropertyOf, term))),
        ("Properties with this domain", "domain-of", list(o.subjects(RDFS.domain, term))),
        ("Properties with this range", "range-of", list(o.subjects(RDFS.range, term))),
        ("Members", "members", [s for s in o.subjects(RDF.type, term)] + list(o.subjects(SKOS.inScheme, term))),
    ]
    for heading, ident, nodes in groups:
        cells = sorted({c["iri"] or c["text"]: c for c in (links.value(n) for n in nodes if isinstance(n, URIRef))}.values(), key=lambda c: c["text"].lower())
        if cells:
            sections.append({"kind": "list", "heading": heading, "id": ident, "entries": [{"cell": c, "detail": None} for c in cells]})
    return facts, sections


def index_sections(links: Links, ontology: Graph) -> list[dict[str, Any]]:
    """The ontology index: one table per kind of term, each row anchored at the term's fragment."""
    by_kind: dict[str, list[URIRef]] = defaultdict(list)
    for t in terms(ontology):
        by_kind[term_kind(ontology, t)].append(t)
    sections = []
    order = [_SINGULAR[k] for k, _ in KINDS]
    for kind in sorted(by_kind, key=lambda k: (order.index(k) if k in order else len(order), k)):
        rows = []
        for t in sorted(by_kind[kind], key=lambda x: links.name(x).lower()):
            fragment = str(t)[len(str(CG)):]
            rows.append({"cells": [links.value(t), {"text": "cg:" + fragment, "href": None, "lang": None, "iri": None, "anchor": fragment},
                                   links.text(t, RDFS.comment, SKOS.definition) or ""], "strong": False, "anchor": fragment})
        plural = dict((_SINGULAR[k], n) for k, n in KINDS).get(kind, kind + "s")
        sections.append({"kind": "table", "heading": plural, "id": "kind-" + kind.lower().replace(" ", "-"),
                         "columns": ["Term", "Name", "Description"], "rows": [
                             {"cells": [r["cells"][0], r["cells"][1], {"text": r["cells"][2], "href": None, "lang": None, "iri": None}],
                              "strong": False, "anchor": r["anchor"]} for r in rows],
                         "caption": f"{kind} terms of the clustergraph ontology", "foot": None})
    return sections

