"""Lightweight rules: the inferences queries rely on every day, without Java.

The rules are SPARQL ``CONSTRUCT`` queries that run inside Oxigraph until nothing
new follows (a fixpoint). Most are read off the ontology's own axioms, so they
change when the ontology does:

``hierarchy``
    ``rdf:type`` closure over ``rdfs:subClassOf``/``owl:equivalentClass`` and property
    closure over ``rdfs:subPropertyOf``, ``owl:inverseOf``, ``owl:SymmetricProperty``
    and ``owl:TransitiveProperty``.
``rdfs``
    ``rdfs:domain`` and ``rdfs:range`` where they name a class (not a union).
``chains``
    ``owl:propertyChainAxiom`` (``cg:participatesIn``, ``cg:collaboratesWith``,
    ``cg:participantCountry``, ``cg:coordinator``) and ``owl:hasSelf`` helpers.
``defined``
    The defined classes (:data:`DEFINED_CLASS_RULES`): ``cg:GoldLabelledCluster`` and
    the other labelled clusters, ``cg:CoordinatorParticipation``,
    ``cg:CoordinatorOrganisation`` and ``cg:CrossBorderProject`` (a counting rule OWL
    cannot express).

Every rule is sound for the OWL semantics of the ontology, so whatever the rules add
a DL reasoner (:mod:`clustergraph.reason`) adds too. What they leave to the DL
reasoner: consistency (disjointness, functional properties, datatypes), union
domains and ranges, and inferences by cases. Two conventions hold for both: an
organisation does not ``cg:collaboratesWith`` itself (the property chain would say it
does), and the technical ``cg:isCoordinatorParticipation`` links are never output.

>>> from rdflib import Graph
>>> data = Graph().parse(format="turtle", data='''
... @prefix cg: <https://w3id.org/clustergraph/ontology#> .
... @prefix cgid: <https://w3id.org/clustergraph/id/> .
... cgid:award\\/x a cg:LabelAward ; cg:holder cgid:organisation\\/x ; cg:level cg:Gold .
... cgid:organisation\\/x a cg:ClusterOrganisation .
... ''')
>>> inferred = infer(data)
>>> inferred.identifier
rdflib.term.URIRef('https://w3id.org/clustergraph/graph/inferred')
>>> from clustergraph.namespaces import CG, ID
>>> (ID["organisation/x"], RDF.type, CG.GoldLabelledCluster) in inferred
True
"""

from __future__ import annotations

import functools
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from . import store as _store
from .errors import ReasonerError
from .namespaces import CG, GRAPH, bind_prefixes
from .resources import ontology_path

__all__ = [
    "GROUPS",
    "Rule",
    "RuleRun",
    "DEFINED_CLASS_RULES",
    "HIDDEN_PROPERTIES",
    "IRREFLEXIVE_OUTPUT",
    "ontology_graph",
    "compile_rules",
    "infer",
    "materialise",
    "last_run",
]

#: The groups of rules, in the order they run within a round.
GROUPS = ("hierarchy", "rdfs", "chains", "defined")

#: Technical properties used only to define other terms; never output.
HIDDEN_PROPERTIES = frozenset({CG.isCoordinatorParticipation})

#: Properties whose reflexive pairs (x p x) are dropped from the output.
IRREFLEXIVE_OUTPUT = frozenset({CG.collaboratesWith})

_PREFIX = "PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"

#: The defined classes and the SPARQL rule that classifies their members. Each rule
#: is the "if" direction of the class's definition in the ontology (the
#: ``owl:equivalentClass``), except ``cg:CrossBorderProject`` which OWL cannot define.
DEFINED_CLASS_RULES: dict[URIRef, str] = {
    CG.CoordinatorParticipation: _PREFIX
    + """CONSTRUCT { ?x a cg:CoordinatorParticipation }
WHERE { ?x cg:role cg:Coordinator . ?x a cg:Participation .
        FILTER NOT EXISTS { ?x a cg:CoordinatorParticipation } }""",
    CG.CoordinatorOrganisation: _PREFIX
    + """CONSTRUCT { ?o a cg:CoordinatorOrganisation }
WHERE { ?x a cg:CoordinatorParticipation . ?x cg:participant ?o . ?o a cg:Organisation .
        FILTER NOT EXISTS { ?o a cg:CoordinatorOrganisation } }""",
    CG.LabelledCluster: _PREFIX
    + """CONSTRUCT { ?o a cg:LabelledCluster }
WHERE { ?a a cg:LabelAward . ?a cg:holder ?o . ?o a cg:ClusterOrganisation .
        FILTER NOT EXISTS { ?o a cg:LabelledCluster } }""",
    CG.GoldLabelledCluster: _PREFIX
    + """CONSTRUCT { ?o a cg:GoldLabelledCluster }
WHERE { ?a cg:level cg:Gold . ?a a cg:LabelAward . ?a cg:holder ?o . ?o a cg:ClusterOrganisation .
        FILTER NOT EXISTS { ?o a cg:GoldLabelledCluster } }""",
    CG.SilverLabelledCluster: _PREFIX
    + """CONSTRUCT { ?o a cg:SilverLabelledCluster }
WHERE { ?a cg:level cg:Silver . ?a a cg:LabelAward . ?a cg:holder ?o . ?o a cg:ClusterOrganisation .
        FILTER NOT EXISTS { ?o a cg:SilverLabelledCluster } }""",
    CG.BronzeLabelledCluster: _PREFIX
    + """CONSTRUCT { ?o a cg:BronzeLabelledCluster }
WHERE { ?a cg:level cg:Bronze . ?a a cg:LabelAward . ?a cg:holder ?o . ?o a cg:ClusterOrganisation .
        FILTER NOT EXISTS { ?o a cg:BronzeLabelledCluster } }""",
    CG.CrossBorderProject: _PREFIX
    + """CONSTRUCT { ?p a cg:CrossBorderProject }
WHERE {
  { SELECT ?p WHERE { ?p cg:participantCountry ?c . FILTER(isIRI(?c)) }
    GROUP BY ?p HAVING (COUNT(DISTINCT ?c) >= 2) }
  ?p a cg:Project .
  FILTER NOT EXISTS { ?p a cg:CrossBorderProject } }""",
}

#: The reverse ("only if") direction of definitions by a value: a member of the class
#: has the value. Sound, and what a DL reasoner derives too.
_VALUE_RULES: dict[URIRef, str] = {
    CG.CoordinatorParticipation: _PREFIX
    + """CONSTRUCT { ?x cg:role cg:Coordinator . ?x a cg:Participation }
WHERE { ?x a cg:CoordinatorParticipation .
        FILTER NOT EXISTS { ?x cg:role cg:Coordinator . ?x a cg:Participation } }""",
}

# Generic rules: the VALUES block lists the ontology's axioms (bound, never pasted).
_SUBCLASS = """CONSTRUCT { ?x a ?super }
WHERE { VALUES (?sub ?super) { %s } ?x a ?sub . FILTER NOT EXISTS { ?x a ?super } }"""
_SUBPROPERTY = """CONSTRUCT { ?s ?super ?o }
WHERE { VALUES (?sub ?super) { %s } ?s ?sub ?o . FILTER NOT EXISTS { ?s ?super ?o } }"""
_INVERSE = """CONSTRUCT { ?o ?q ?s }
WHERE { VALUES (?p ?q) { %s } ?s ?p ?o . FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o ?q ?s } }"""
_SYMMETRIC = """CONSTRUCT { ?o ?p ?s }
WHERE { VALUES (?p) { %s } ?s ?p ?o . FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o ?p ?s } }"""
_TRANSITIVE = """CONSTRUCT { ?a ?p ?c }
WHERE { VALUES (?p) { %s } ?a ?p ?b . ?b ?p ?c . FILTER(?a != ?c) FILTER NOT EXISTS { ?a ?p ?c } }"""
_DOMAIN = """CONSTRUCT { ?s a ?c }
WHERE { VALUES (?p ?c) { %s } ?s ?p ?o . FILTER NOT EXISTS { ?s a ?c } }"""
_RANGE = """CONSTRUCT { ?o a ?c }
WHERE { VALUES (?p ?c) { %s } ?s ?p ?o . FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o a ?c } }"""
_CHAIN2 = """CONSTRUCT { ?a ?q ?c }
WHERE { VALUES (?p1 ?p2 ?q) { %s } ?a ?p1 ?b . ?b ?p2 ?c . FILTER(?a != ?c) FILTER NOT EXISTS { ?a ?q ?c } }"""
_CHAIN3 = """CONSTRUCT { ?a ?q ?d }
WHERE { VALUES (?p1 ?p2 ?p3 ?q) { %s } ?a ?p1 ?b . ?b ?p2 ?c . ?c ?p3 ?d . FILTER(?a != ?d)
        FILTER NOT EXISTS { ?a ?q ?d } }"""
_CHAIN4 = """CONSTRUCT { ?a ?q ?e }
WHERE { VALUES (?p1 ?p2 ?p3 ?p4 ?q) { %s } ?a ?p1 ?b . ?b ?p2 ?c . ?c ?p3 ?d . ?d ?p4 ?e . FILTER(?a != ?e)
        FILTER NOT EXISTS { ?a ?q ?e } }"""
_SELF = """CONSTRUCT { ?x ?p ?x }
WHERE { VALUES (?c ?p) { %s } ?x a ?c . FILTER NOT EXISTS { ?x ?p ?x } }"""


@dataclass(frozen=True)
class Rule:
    """One rule: a name, its group and a SPARQL ``CONSTRUCT`` that yields only new triples."""

    name: str
    group: str
    sparql: str


@dataclass
class RuleRun:
    """What the last :func:`infer`/:func:`materialise` did: rounds, seconds, triples per rule."""

    rounds: int = 0
    seconds: float = 0.0
    triples: int = 0
    per_rule: dict[str, int] = field(default_factory=dict)


_LAST_RUN = RuleRun()


def last_run() -> RuleRun:
    """Statistics of the most recent rule run in this process (for benchmarks and the CLI)."""
    return _LAST_RUN


def _values(rows: Iterable[Sequence[Node]]) -> str:
    """A multi-row VALUES body; each term is serialised by rdflib (escaped), not pasted."""
    return " ".join("(" + " ".join(t.n3() for t in row) + ")" for row in sorted(set(map(tuple, rows))))


@functools.lru_cache(maxsize=8)
def _parse_ontology(path: str, mtime: float) -> Graph:
    return Graph().parse(path, format="turtle")


def ontology_graph(ontology: str | os.PathLike[str] | Graph | None = None) -> Graph:
    """The ontology as an rdflib Graph (the shipped one by default; parsed once and cached).

    Treat the returned graph as read-only.

    >>> len(ontology_graph()) > 500
    True
    """
    if isinstance(ontology, Graph):
        return ontology
    path = Path(ontology) if ontology is not None else ontology_path()
    if not path.is_file():
        raise ReasonerError(f"ontology file not found: {path}", fix="give the path of an OWL ontology in Turtle")
    return _parse_ontology(str(path.resolve()), path.stat().st_mtime)


def _closure(edges: dict[Node, set[Node]]) -> set[tuple[Node, Node]]:
    pairs: set[tuple[Node, Node]] = set()
    for start in list(edges):
        seen: set[Node] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            stack.extend(edges.get(node, ()))
        pairs.update((start, s) for s in seen)
    return pairs


def _named_pairs(onto: Graph, predicate: URIRef, both_ways: bool = False) -> dict[Node, set[Node]]:
    edges: dict[Node, set[Node]] = defaultdict(set)
    for s, o in onto.subject_objects(predicate):
        if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o:
            edges[s].add(o)
            if both_ways:
                edges[o].add(s)
    return edges


def _axioms(onto: Graph) -> dict[str, list[tuple[Node, ...]]]:
    """The ontology axioms the generic rules use, as rows of IRIs."""
    skip_classes = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}
    class_edges = _named_pairs(onto, RDFS.subClassOf)
    for c, d in _named_pairs(onto, OWL.equivalentClass, both_ways=True).items():
        class_edges[c] |= d
    prop_edges = _named_pairs(onto, RDFS.subPropertyOf)
    for p, q in _named_pairs(onto, OWL.equivalentProperty, both_ways=True).items():
        prop_edges[p] |= q
    out: dict[str, list[tuple[Node, ...]]] = {
        "subclass": [(c, d) for c, d in _closure(class_edges) if d not in skip_classes],
        "subproperty": sorted(_closure(prop_edges)),
        "inverse": [],
        "symmetric": [(p,) for p in onto.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(p, URIRef)],
        "transitive": [(p,) for p in onto.subjects(RDF.type, OWL.TransitiveProperty) if isinstance(p, URIRef)],
        "domain": [],
        "range": [],
        "chain2": [],
        "chain3": [],
        "chain4": [],
        "self": [],
    }
    for p, q in onto.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            out["inverse"] += [(p, q), (q, p)]
    object_props = set(onto.subjects(RDF.type, OWL.ObjectProperty))
    for p, c in onto.subject_objects(RDFS.domain):
        if isinstance(p, URIRef) and isinstance(c, URIRef) and c not in skip_classes:
            out["domain"].append((p, c))
    for p, c in onto.subject_objects(RDFS.range):
        if isinstance(p, URIRef) and isinstance(c, URIRef) and p in object_props and c not in skip_classes:
            out["range"].append((p, c))
    for q, head in onto.subject_objects(OWL.propertyChainAxiom):
        chain = list(Collection(onto, head))
        if not all(isinstance(p, URIRef) for p in chain) or not isinstance(q, URIRef):
            continue  # chains with inverse expressions: name the inverse property instead
        if len(chain) == 2:
            out["chain2"].append((chain[0], chain[1], q))
        elif len(chain) == 3:
            out["chain3"].append((chain[0], chain[1], chain[2], q))
        elif len(chain) == 4:
            out["chain4"].append((chain[0], chain[1], chain[2], chain[3], q))
    for c, restriction in onto.subject_objects(OWL.equivalentClass):
        if isinstance(c, URIRef) and isinstance(restriction, BNode):
            prop = onto.value(restriction, OWL.onProperty)
            if prop is not None and onto.value(restriction, OWL.hasSelf) == Literal(True):
                out["self"].append((c, prop))
    return out


def compile_rules(ontology: str | os.PathLike[str] | Graph | None = None, groups: Iterable[str] = GROUPS) -> list[Rule]:
    """The rules of ``groups`` for ``ontology`` (default: the shipped one), in run order.

    >>> [r.name for r in compile_rules(groups=["hierarchy"])]
    ['subclass', 'subproperty', 'inverse', 'symmetric', 'transitive']
    """
    wanted = list(groups)
    unknown = [g for g in wanted if g not in GROUPS]
    if unknown:
        raise ReasonerError(f"unknown rule group {unknown[0]!r}", fix=f"use some of {', '.join(GROUPS)}")
    ax = _axioms(ontology_graph(ontology))
    generic = {
        "hierarchy": [
            ("subclass", _SUBCLASS, ax["subclass"]),
            ("subproperty", _SUBPROPERTY, ax["subproperty"]),
            ("inverse", _INVERSE, ax["inverse"]),
            ("symmetric", _SYMMETRIC, ax["symmetric"]),
            ("transitive", _TRANSITIVE, ax["transitive"]),
        ],
        "rdfs": [("domain", _DOMAIN, ax["domain"]), ("range", _RANGE, ax["range"])],
        "chains": [("self", _SELF, ax["self"]), ("chain2", _CHAIN2, ax["chain2"]), ("chain3", _CHAIN3, ax["chain3"]), ("chain4", _CHAIN4, ax["chain4"])],
    }
    rules: list[Rule] = []
    for group in GROUPS:
        if group not in wanted:
            continue
        if group == "defined":
            for cls, sparql in DEFINED_CLASS_RULES.items():
                rules.append(Rule(_short(cls), group, sparql))
            for cls, sparql in _VALUE_RULES.items():
                rules.append(Rule(_short(cls) + "-value", group, sparql))
            continue
        for name, template, rows in generic[group]:
            if rows:
                rules.append(Rule(name, group, template % _values(rows)))
    return rules


def _short(iri: URIRef) -> str:
    return "cg:" + str(iri)[len(str(CG)) :] if str(iri).startswith(str(CG)) else str(iri)


# --- running the rules ------------------------------------------------------------


def _fixpoint(native: ox.Store, base: list, rules: Sequence[Rule], max_rounds: int = 50) -> ox.NamedNode:
    """Run ``rules`` over the graphs ``base`` until nothing new follows; return the graph of new triples."""
    global _LAST_RUN
    started = time.perf_counter()
    staging = ox.NamedNode(f"urn:clustergraph:staging:{uuid.uuid4()}")
    default = [*base, staging]
    run = RuleRun()
    for round_no in range(1, max_rounds + 1):
        added = 0
        for rule in rules:
            try:
                triples = list(native.query(rule.sparql, default_graph=default))
            except (SyntaxError, OSError, ValueError) as exc:  # pragma: no cover - a broken rule is a bug
                raise ReasonerError(f"rule {rule.name} failed: {exc}", fix="check the ontology axioms the rule reads") from exc
            if triples:
                before = len(native)
                native.extend(ox.Quad(t.subject, t.predicate, t.object, staging) for t in triples)
                new = len(native) - before
                added += new
                run.per_rule[rule.name] = run.per_rule.get(rule.name, 0) + new
        run.rounds = round_no
        if not added:
            break
    else:
        raise ReasonerError(f"the rules found new triples after {max_rounds} rounds", fix="check the ontology for cyclic rules")
    # Drop the conventions' exclusions: technical links, reflexive collaboration.
    for prop in HIDDEN_PROPERTIES:
        for q in list(native.quads_for_pattern(None, ox.NamedNode(str(prop)), None, staging)):
            native.remove(q)
    for prop in IRREFLEXIVE_OUTPUT:
        for q in list(native.quads_for_pattern(None, ox.NamedNode(str(prop)), None, staging)):
            if q.subject == q.object:
                native.remove(q)
    run.triples = sum(1 for _ in native.quads_for_pattern(None, None, None, staging))
    run.seconds = time.perf_counter() - started
    _LAST_RUN = run
    return staging


def _ontology_subjects(onto: Graph) -> set[Node]:
    return {s for s in onto.subjects() if isinstance(s, URIRef)}


def _drop_ontology_subjects(native: ox.Store, graph: ox.NamedNode, onto: Graph) -> None:
    """Inferences about the ontology's own terms and individuals belong to the ontology, not the data."""
    for s in _ontology_subjects(onto):
        for q in list(native.quads_for_pattern(ox.NamedNode(str(s)), None, None, graph)):
            native.remove(q)


def _copy_to_oxigraph(graph: Graph, skip: Node | None = GRAPH.inferred) -> ox.Store:
    """The asserted triples of ``graph`` (any store) in the default graph of a new Oxigraph store."""
    native = ox.Store()
    quads = (
        ox.Quad(_store.to_oxigraph(s), _store.to_oxigraph(p), _store.to_oxigraph(o), ox.DefaultGraph())
        for s, p, o, g in _store._quads(graph)
        if skip is None or g != skip
    )
    native.extend(quads)
    return native


def _base_graphs(native: ox.Store, exclude: Iterable[Node]) -> list:
    skip = {str(g) for g in exclude}
    return [ox.DefaultGraph(), *(g for g in native.named_graphs() if g.value not in skip and not g.value.startswith("urn:clustergraph:staging:"))]


def _run(native: ox.Store, base: list, ontology: str | os.PathLike[str] | Graph | None, groups: Iterable[str]) -> ox.NamedNode:
    onto = ontology_graph(ontology)
    staging = _fixpoint(native, base, compile_rules(onto, groups))
    _drop_ontology_subjects(native, staging, onto)
    return staging


def infer(
    graph: Graph,
    *,
    ontology: str | os.PathLike[str] | Graph | None = None,
    groups: Iterable[str] = GROUPS,
) -> Graph:
    """Run the rules over ``graph`` and return only the new triples; ``graph`` is not changed.

    Parameters
    ----------
    graph:
        An rdflib Graph or Dataset on any store; a named graph ``GRAPH.inferred`` in it
        (earlier inferences) is ignored.
    ontology:
        The ontology whose axioms drive the rules (path or Graph); the shipped one by default.
    groups:
        Which rule groups to run (see :data:`GROUPS`).

    Returns
    -------
    rdflib.Graph
        A memory graph whose identifier is ``GRAPH.inferred``.
    """
    native = _store.oxigraph(graph)
    if native is not None:
        base = _base_graphs(native, [GRAPH.inferred])
        staging = _run(native, base, ontology, groups)
        try:
            out = _to_rdflib(native, staging)
        finally:
            native.remove_graph(staging)
        return out
    work = _copy_to_oxigraph(graph)
    staging = _run(work, [ox.DefaultGraph()], ontology, groups)
    return _to_rdflib(work, staging)


def _to_rdflib(native: ox.Store, graph: ox.NamedNode) -> Graph:
    out = bind_prefixes(Graph(identifier=GRAPH.inferred))
    for q in native.quads_for_pattern(None, None, None, graph):
        out.add((_store.from_oxigraph(q.subject), _store.from_oxigraph(q.predicate), _store.from_oxigraph(q.object)))  # type: ignore[arg-type]
    return out


def materialise(
    dataset: Graph,
    *,
    ontology: str | os.PathLike[str] | Graph | None = None,
    groups: Iterable[str] = GROUPS,
) -> Graph:
    """Add the rules' inferences to ``dataset`` as its named graph ``GRAPH.inferred`` (replacing it).

    On an Oxigraph-backed dataset (:func:`clustergraph.store.open_dataset`) everything
    runs inside the store: nothing is copied into Python. Asserted graphs are not
    changed; the previous inferred graph is ignored and replaced as a whole.

    Parameters
    ----------
    dataset:
        An rdflib Dataset (any store). A plain Graph is not changed: its inferences are
        returned in a new graph, as :func:`infer` does.
    ontology, groups:
        As for :func:`infer`.

    Returns
    -------
    rdflib.Graph
        The dataset's graph ``GRAPH.inferred``.

    >>> from clustergraph.store import open_dataset, load
    >>> ds = open_dataset()
    >>> _ = load(ds, b'''<https://w3id.org/clustergraph/id/organisation/x>
    ...   <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>
    ...   <https://w3id.org/clustergraph/ontology#ClusterOrganisation> .''', format="nt", graph="urn:g")
    >>> inferred = materialise(ds)
    >>> sorted(str(o).split("#")[-1] for o in inferred.objects())[:3]
    ['Agent', 'Organisation', 'Organisation']
    """
    if not isinstance(dataset, Dataset):
        return infer(dataset, ontology=ontology, groups=groups)
    native = _store.oxigraph(dataset)
    if native is not None:
        base = _base_graphs(native, [GRAPH.inferred])
        staging = _run(native, base, ontology, groups)
        native.update(f"MOVE SILENT GRAPH <{staging.value}> TO GRAPH <{GRAPH.inferred}>")
        if native.contains_named_graph(staging):
            native.remove_graph(staging)
        return dataset.graph(GRAPH.inferred)
    inferred = infer(dataset, ontology=ontology, groups=groups)
    _store.replace_graph(dataset, GRAPH.inferred, inferred)
    return dataset.graph(GRAPH.inferred)
