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
... <https://w3id.org/clustergraph/id/award/x> a cg:LabelAward ;
...     cg:holder <https://w3id.org/clustergraph/id/organisation/x> ; cg:level cg:Gold .
... <https://w3id.org/clustergraph/id/organisation/x> a cg:ClusterOrganisation .
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
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..store import dataset as _store
from ..errors import ReasonerError
from .tables import RDF_TYPE, Batch, Pattern, TripleTable
from .. import progress
from ..namespaces import CG, GRAPH, bind_prefixes
from ..resources import ontology_path

__all__ = [
    "GROUPS",
    "Rule",
    "RuleRun",
    "Workspace",
    "DEFINED_CLASS_RULES",
    "HIDDEN_PROPERTIES",
    "IRREFLEXIVE_OUTPUT",
    "ontology_graph",
    "compile_rules",
    "infer",
    "materialise",
    "last_run",
    "superclasses",
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
WHERE { ?x cg:role cg:Coordinator . ?x a cg:Participation }""",
    CG.CoordinatorOrganisation: _PREFIX
    + """CONSTRUCT { ?o a cg:CoordinatorOrganisation }
WHERE { ?x a cg:CoordinatorParticipation . ?x cg:participant ?o . ?o a cg:Organisation }""",
    CG.LabelledCluster: _PREFIX
    + """CONSTRUCT { ?o a cg:LabelledCluster }
WHERE { ?a a cg:LabelAward . ?a cg:holder ?o . ?o a cg:ClusterOrganisation }""",
    CG.GoldLabelledCluster: _PREFIX
    + """CONSTRUCT { ?o a cg:GoldLabelledCluster }
WHERE { ?a cg:level cg:Gold . ?a a cg:LabelAward . ?a cg:holder ?o . ?o a cg:ClusterOrganisation }""",
    CG.SilverLabelledCluster: _PREFIX
    + """CONSTRUCT { ?o a cg:SilverLabelledCluster }
WHERE { ?a cg:level cg:Silver . ?a a cg:LabelAward . ?a cg:holder ?o . ?o a cg:ClusterOrganisation }""",
    CG.BronzeLabelledCluster: _PREFIX
    + """CONSTRUCT { ?o a cg:BronzeLabelledCluster }
WHERE { ?a cg:level cg:Bronze . ?a a cg:LabelAward . ?a cg:holder ?o . ?o a cg:ClusterOrganisation }""",
    CG.CrossBorderProject: _PREFIX
    + """CONSTRUCT { ?p a cg:CrossBorderProject }
WHERE {
  { SELECT ?p WHERE { ?p cg:participantCountry ?c . FILTER(isIRI(?c)) }
    GROUP BY ?p HAVING (COUNT(DISTINCT ?c) >= 2) }
  ?p a cg:Project }""",
}

#: The reverse ("only if") direction of definitions by a value: a member of the class
#: has the value. Sound, and what a DL reasoner derives too.
_VALUE_RULES: dict[URIRef, str] = {
    CG.CoordinatorParticipation: _PREFIX
    + """CONSTRUCT { ?x cg:role cg:Coordinator . ?x a cg:Participation }
WHERE { ?x a cg:CoordinatorParticipation }""",
}

# Generic rules: the VALUES block lists the ontology's axioms (bound, never pasted).
# Each is (head, VALUES columns, premises, condition). After the first round a rule is
# evaluated once per premise with that premise read from a batch of new triples only
# (semi-naive evaluation). Rules yield candidates; the engine keeps those not yet in
# the store with one index lookup each (in Oxigraph 0.5, FILTER NOT EXISTS scans
# instead of looking up, which is slower by orders of magnitude).
_GENERIC: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "subclass": ("?x a ?super", "?sub ?super", ("?x a ?sub .",), ""),
    "subproperty": ("?s ?super ?o", "?sub ?super", ("?s ?sub ?o .",), ""),
    "inverse": ("?o ?q ?s", "?p ?q", ("?s ?p ?o .",), "FILTER(!isLiteral(?o))"),
    "symmetric": ("?o ?p ?s", "?p", ("?s ?p ?o .",), "FILTER(!isLiteral(?o))"),
    "transitive": ("?a ?p ?c", "?p", ("?a ?p ?b .", "?b ?p ?c ."), "FILTER(?a != ?c)"),
    "domain": ("?s a ?c", "?p ?c", ("?s ?p ?o .",), ""),
    "range": ("?o a ?c", "?p ?c", ("?s ?p ?o .",), "FILTER(!isLiteral(?o))"),
    "self": ("?x ?p ?x", "?c ?p", ("?x a ?c .",), ""),
    "chain2": ("?a ?q ?c", "?p1 ?p2 ?q", ("?a ?p1 ?b .", "?b ?p2 ?c ."), "FILTER(?a != ?c)"),
    "chain3": (
        "?a ?q ?d",
        "?p1 ?p2 ?p3 ?q",
        ("?a ?p1 ?b .", "?b ?p2 ?c .", "?c ?p3 ?d ."),
        "FILTER(?a != ?d)",
    ),
    "chain4": (
        "?a ?q ?e",
        "?p1 ?p2 ?p3 ?p4 ?q",
        ("?a ?p1 ?b .", "?b ?p2 ?c .", "?c ?p3 ?d .", "?d ?p4 ?e ."),
        "FILTER(?a != ?e)",
    ),
}


def _pattern(name: str) -> Pattern:
    """The generic rule ``name`` of :data:`_GENERIC` as a :class:`~clustergraph.reasoning.tables.Pattern`.

    >>> _pattern("inverse").heads, _pattern("inverse").literal_free
    ((('?o', '?q', '?s'),), ('?o',))
    """
    head, columns, premises, condition = _GENERIC[name]

    def terms(text: str) -> tuple:
        out = tuple(RDF_TYPE if t == "a" else t for t in text.replace(" .", "").split())
        if len(out) != 3 or not all(t is RDF_TYPE or t.startswith("?") for t in out):
            raise ValueError(f"rule {name}: {text!r} is not a triple pattern of variables and 'a'")
        return out

    literal_free = tuple(re.findall(r"!isLiteral\((\?\w+)\)", condition))
    different = tuple(re.findall(r"(\?\w+) != (\?\w+)", condition))
    if not re.fullmatch(r"(\s*FILTER\((!isLiteral\(\?\w+\)|\?\w+ != \?\w+)\))*\s*", condition):
        raise ValueError(f"rule {name}: condition {condition!r} has a test the columns do not evaluate")
    return Pattern(tuple(columns.split()), tuple(terms(p) for p in premises), (terms(head),), literal_free, different)


_PATTERNS = {name: _pattern(name) for name in _GENERIC}


def _bgp(sparql: str) -> Pattern | None:
    """A ``CONSTRUCT`` whose WHERE clause is only triple patterns, as a Pattern; else ``None``
    (the rule then runs as SPARQL in the store).

    >>> _bgp(DEFINED_CLASS_RULES[CG.CoordinatorParticipation]).premises[0]
    ('?x', b'<https://w3id.org/clustergraph/ontology#role>', b'<https://w3id.org/clustergraph/ontology#Coordinator>')
    >>> _bgp(DEFINED_CLASS_RULES[CG.CrossBorderProject]) is None
    True
    """
    m = re.fullmatch(r"\s*((?:PREFIX\s+\w*:\s*<[^<>\s]*>\s*)*)CONSTRUCT\s*\{([^{}]*)\}\s*WHERE\s*\{([^{}]*)\}\s*", sparql)
    if m is None:
        return None
    prefixes = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^<>\s]*)>", m.group(1)))

    def term(token: str) -> str | bytes | None:
        if re.fullmatch(r"\?\w+", token):
            return token
        if token == "a":
            return RDF_TYPE
        if re.fullmatch(r"<[^<>\s\"{}|^`\\]*>", token):
            return token.encode()
        name = re.fullmatch(r"(\w*):(\w+)", token)
        if name and name.group(1) in prefixes:
            return f"<{prefixes[name.group(1)]}{name.group(2)}>".encode()
        return None

    def triples(text: str) -> tuple | None:
        out = []
        for statement in re.split(r"\s\.(?=\s|$)", text):
            tokens = statement.split()
            if not tokens:
                continue
            terms = [term(t) for t in tokens]
            if len(terms) != 3 or any(t is None for t in terms):
                return None
            out.append(tuple(terms))
        return tuple(out) or None

    heads, premises = triples(m.group(2)), triples(m.group(3))
    if heads is None or premises is None:
        return None
    bound = {t for p in premises for t in p if isinstance(t, str)}
    if any(isinstance(t, str) and t not in bound for h in heads for t in h):
        return None
    return Pattern((), premises, heads)


def _nt(term: Node) -> bytes:
    """An rdflib term as N-Triples text, as Oxigraph writes it."""
    return str(_store.to_oxigraph(term)).encode()


def _reads(sparql: str) -> frozenset[URIRef]:
    """The ``cg:`` terms a defined-class rule's WHERE clause names (its predicates, classes and
    values): the rule runs again only when a batch of new triples holds one of them.

    >>> sorted(_short(t) for t in _reads(DEFINED_CLASS_RULES[CG.CrossBorderProject]))
    ['cg:Project', 'cg:participantCountry']
    """
    return frozenset(CG[name] for name in re.findall(r"\bcg:(\w+)", sparql.split("WHERE", 1)[1]))


@dataclass(frozen=True)
class Rule:
    """One rule: a SPARQL ``CONSTRUCT`` that yields only triples not yet present.

    ``delta`` (the generic rules) holds one query per premise in which that premise
    is read from the named graph ``?g`` (the previous round's new triples); ``reads``
    lists the predicates and classes whose new triples make the rule worth running
    again. A generic rule also carries its ``pattern`` and the N-Triples ``values`` of
    its VALUES block: the same rule, compiled from the same definition (``_GENERIC``)
    for the columnar engine (:mod:`clustergraph.reasoning.tables`).
    """

    name: str
    group: str
    sparql: str
    delta: tuple[str, ...] = ()
    reads: frozenset[URIRef] | None = None
    rows: tuple[tuple[Node, ...], ...] = ()
    pattern: Pattern | None = None
    values: tuple[tuple[bytes, ...], ...] = ()


#: One-premise rules read a batch by the store's index instead of SPARQL (the same
#: rule: premise pattern -> head), which is several times faster on large batches.
#: name -> (premise as (s, p, o) with row positions or None, head builder)
_SCANS = {
    "subclass": (lambda r: (None, _TYPE, r[0]), lambda r, q: (q.subject, _TYPE, r[1])),
    "subproperty": (lambda r: (None, r[0], None), lambda r, q: (q.subject, r[1], q.object)),
    "inverse": (lambda r: (None, r[0], None), lambda r, q: None if isinstance(q.object, ox.Literal) else (q.object, r[1], q.subject)),
    "symmetric": (lambda r: (None, r[0], None), lambda r, q: None if isinstance(q.object, ox.Literal) else (q.object, r[0], q.subject)),
    "domain": (lambda r: (None, r[0], None), lambda r, q: (q.subject, _TYPE, r[1])),
    "range": (lambda r: (None, r[0], None), lambda r, q: None if isinstance(q.object, ox.Literal) else (q.object, _TYPE, r[1])),
    "self": (lambda r: (None, _TYPE, r[0]), lambda r, q: (q.subject, r[1], q.subject)),
}


def _scan(store: ox.Store, rule: Rule, graph: ox.NamedNode) -> set[ox.Triple]:
    """Apply a one-premise generic rule to the triples of ``graph`` through the store's index."""
    pattern, head = _SCANS[rule.name]
    out: set[ox.Triple] = set()
    for row in rule.rows:
        for q in store.quads_for_pattern(*pattern(row), graph):
            triple = head(row, q)
            if triple is not None:
                out.add(ox.Triple(*triple))
    return out


@dataclass
class RuleRun:
    """What the last :func:`infer`/:func:`materialise` did: rounds, seconds, triples per rule."""

    rounds: int = 0
    seconds: float = 0.0
    triples: int = 0
    per_rule: dict[str, int] = field(default_factory=dict)
    seconds_per_rule: dict[str, float] = field(default_factory=dict)
    #: The columnar engine: seconds reading the data into columns and writing the new triples to the store.
    seconds_reading: float = 0.0
    seconds_writing: float = 0.0


_LAST_RUN = RuleRun()


def last_run() -> RuleRun:
    """Statistics of the most recent rule run in this process (for benchmarks and the CLI)."""
    return _LAST_RUN


def _values(rows: Iterable[Sequence[Node]]) -> str:
    """A multi-row VALUES body; each term is serialised by rdflib (escaped), not pasted."""
    return " ".join("(" + " ".join(t.n3() for t in row) + ")" for row in sorted(set(map(tuple, rows))))


@functools.lru_cache(maxsize=8)
def _parse_ontology(path: str, mtime: float) -> Graph:
    # through the input boundary (limits, DTDs refused, JSON-LD contexts bundled only), as data is
    return _store.read_graph(Path(path), format="turtle" if Path(path).suffix.lower() in ("", ".ttl", ".turtle") else None)


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


def superclasses(onto: Graph) -> dict[Node, set[Node]]:
    """Each named class of ``onto`` with all its named superclasses, by ``rdfs:subClassOf``.

    >>> from rdflib import URIRef
    >>> from rdflib.namespace import RDFS
    >>> onto = Graph()
    >>> a, b, c = URIRef("urn:A"), URIRef("urn:B"), URIRef("urn:C")
    >>> onto.add((a, RDFS.subClassOf, b)) and onto.add((b, RDFS.subClassOf, c)) and None
    >>> sorted(str(x) for x in superclasses(onto)[a])
    ['urn:B', 'urn:C']
    """
    out: dict[Node, set[Node]] = defaultdict(set)
    for c, d in _closure(_named_pairs(onto, RDFS.subClassOf)):
        out[c].add(d)
    return out


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
    >>> [r.name for r in compile_rules(groups=["chains"])]
    ['self', 'chain2', 'chain3', 'chain4']
    """
    wanted = list(groups)
    unknown = [g for g in wanted if g not in GROUPS]
    if unknown:
        raise ReasonerError(f"unknown rule group {unknown[0]!r}", fix=f"use some of {', '.join(GROUPS)}")
    ax = _axioms(ontology_graph(ontology))
    generic = {
        "hierarchy": ["subclass", "subproperty", "inverse", "symmetric", "transitive"],
        "rdfs": ["domain", "range"],
        "chains": ["self", "chain2", "chain3", "chain4"],
    }
    rules: list[Rule] = []
    for group in GROUPS:
        if group not in wanted:
            continue
        if group == "defined":
            for cls, sparql in DEFINED_CLASS_RULES.items():
                rules.append(Rule(_short(cls), group, sparql, reads=_reads(sparql), pattern=_bgp(sparql), values=((),)))
            for cls, sparql in _VALUE_RULES.items():
                rules.append(Rule(_short(cls) + "-value", group, sparql, reads=_reads(sparql), pattern=_bgp(sparql), values=((),)))
            continue
        for name in generic[group]:
            rows = ax[name]
            if not rows:
                continue
            head, columns, premises, condition = _GENERIC[name]
            values = "VALUES (" + columns + ") { " + _values(rows) + " }"
            projected = " ".join(dict.fromkeys(re.findall(r"\?\w+", head)))
            full = f"CONSTRUCT {{ {head} }}\nWHERE {{ {{ SELECT DISTINCT {projected} WHERE {{ {values} {' '.join(premises)} {condition} }} }} }}"
            delta = tuple(
                f"CONSTRUCT {{ {head} }}\nWHERE {{ {{ SELECT DISTINCT ?g {projected} WHERE {{ {values} GRAPH ?g {{ {premise} }} "
                f"{' '.join(p for j, p in enumerate(premises) if j != i)} {condition} }} }} }}"
                for i, premise in enumerate(premises)
            )
            width = len(premises) if name.startswith("chain") else 1  # the VALUES columns the premises read
            native_rows = tuple(tuple(_store.to_oxigraph(t) for t in row) for row in sorted(set(map(tuple, rows)))) if name in _SCANS else ()
            reads = frozenset(t for row in rows for t in row[:width])
            values_nt = tuple(tuple(_nt(t) for t in row) for row in sorted(set(map(tuple, rows))))
            rules.append(Rule(name, group, full, delta=delta, reads=reads, rows=native_rows, pattern=_PATTERNS[name], values=values_nt))  # type: ignore[arg-type]
    return rules


def _short(iri: URIRef) -> str:
    return "cg:" + str(iri)[len(str(CG)) :] if str(iri).startswith(str(CG)) else str(iri)


# --- running the rules ------------------------------------------------------------


class Workspace:
    """A private Oxigraph store holding a copy of the asserted triples, where the rules run.

    Every query runs over the union of its graphs; the rules' results go into named
    "batch" graphs (each triple stored once). ``asserted`` names the copied graphs.
    Working on a copy keeps the user's store untouched until the result is written
    back in one step, and lets Oxigraph use its fast union-graph evaluation.
    """

    def __init__(self, store: ox.Store, asserted: list, target: ox.NamedNode | None = None) -> None:
        self.store = store
        self.asserted = asserted
        self.inferred: list[ox.NamedNode] = []
        self.target = target

    @classmethod
    def inside(cls, dataset: Graph, graph: URIRef = GRAPH.inferred) -> Workspace | None:
        """A workspace in ``dataset``'s own Oxigraph store (``None`` for other stores), no copy.

        The columnar engine writes its inferences straight into the named ``graph``, which
        :meth:`run` replaces; the rules read every other graph except staging graphs.
        """
        native = _store.oxigraph(dataset)
        if native is None:
            return None
        name = ox.NamedNode(str(graph))
        asserted = [ox.DefaultGraph()] + [
            g for g in native.named_graphs() if g != name and not (isinstance(g, ox.NamedNode) and g.value.startswith("urn:clustergraph:staging:"))
        ]
        return cls(native, asserted, target=name)

    @classmethod
    def of(cls, graph: Graph, skip: Iterable[Node] = (GRAPH.inferred,)) -> Workspace:
        """Copy ``graph`` (any store; an Oxigraph store natively) without the graphs ``skip``."""
        work = ox.Store()
        skipped = {str(g) for g in skip}
        native = _store.oxigraph(graph)
        if native is not None:
            _load(work, native.dump(format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)
            for name in list(work.named_graphs()):
                if name.value in skipped or name.value.startswith("urn:clustergraph:staging:"):
                    work.remove_graph(name)
        else:
            work.extend(
                ox.Quad(_store.to_oxigraph(s), _store.to_oxigraph(p), _store.to_oxigraph(o), _store.to_oxigraph(g))
                for s, p, o, g in _store.quads(graph)
                if str(g) not in skipped
            )
        return cls(work, [ox.DefaultGraph(), *work.named_graphs()])

    def add(self, triples: Iterable[tuple[Node, Node, Node]]) -> ox.NamedNode:
        """Add triples (rdflib terms) as one more inferred batch graph and return its name."""
        batch = ox.NamedNode(f"urn:clustergraph:staging:{uuid.uuid4()}")
        self.store.extend(ox.Quad(_store.to_oxigraph(s), _store.to_oxigraph(p), _store.to_oxigraph(o), batch) for s, p, o in triples)
        self.inferred.append(batch)
        return batch

    def quads(self) -> Iterable[ox.Quad]:
        """The inferred triples (as quads of their batch graphs)."""
        for graph in self.inferred:
            yield from self.store.quads_for_pattern(None, None, None, graph)

    def to_rdflib(self) -> Graph:
        """The inferred triples as an rdflib memory Graph named ``GRAPH.inferred``."""
        out = bind_prefixes(Graph(identifier=GRAPH.inferred))
        for q in self.quads():
            out.add((_store.from_oxigraph(q.subject), _store.from_oxigraph(q.predicate), _store.from_oxigraph(q.object)))  # type: ignore[arg-type]
        return out

    def write_to(self, dataset: Dataset, graph: URIRef = GRAPH.inferred) -> None:
        """Replace ``dataset``'s named ``graph`` with the inferred triples, in one step."""
        native = _store.oxigraph(dataset)
        if native is None:
            _store.replace_graph(dataset, graph, self.to_rdflib())
            return
        # Oxigraph loads all or nothing: the new graph lands whole, after the old one is dropped.
        data = b"".join(self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=batch) for batch in self.inferred)
        native.update(f"DROP SILENT GRAPH <{graph}>")
        _load(native, data, ox.RdfFormat.N_TRIPLES, ox.NamedNode(str(graph)))

    def run(self, rules: Sequence[Rule], max_rounds: int = 50, engine: str = "columns") -> RuleRun:
        """Run ``rules`` until nothing new follows; new triples land in :attr:`inferred`.

        Semi-naive evaluation: a rule first runs on everything; afterwards only on the
        triples added since it last ran, and only if they hold something it reads (a rule
        with several premises once per premise, that premise read from the new triples).

        ``engine="columns"`` (the default) evaluates the generic rules as joins of integer
        columns (:mod:`clustergraph.reasoning.tables`) and the SPARQL-only rules (the
        defined classes) in the store, all new triples going into one graph (:attr:`target`
        if set, replaced; else a new staging graph). ``engine="sparql"`` runs every rule
        as SPARQL in the store, one staging graph per batch: the plain path, slower, with
        the same result.
        """
        if engine == "columns":
            return self._run_columns(rules, max_rounds)
        if engine != "sparql":
            raise ReasonerError(f"unknown rule engine {engine!r}", fix="use 'columns' or 'sparql'")
        if self.target is not None:
            raise ReasonerError("the SPARQL engine works in a copy of the data", fix="make the workspace with Workspace.of")
        global _LAST_RUN
        started = time.perf_counter()
        run = RuleRun()
        store = self.store
        batches: list[tuple[ox.NamedNode, frozenset[str]]] = [(g, _keys(store, g)) for g in self.inferred]
        seen_upto: dict[int, int] = {}
        reads = [frozenset(str(r) for r in rule.reads) if rule.reads is not None else None for rule in rules]
        for round_no in range(1, max_rounds + 1):
            added = 0
            for index, rule in enumerate(progress.iterate(rules, f"rules, round {round_no}")):
                step = _unread(index, batches, seen_upto, reads)
                if step is None:
                    continue
                first, fresh = step
                rule_started = time.perf_counter()
                try:
                    if first or not rule.delta:
                        results = set(store.query(rule.sparql, use_default_graph_as_union=True))
                    elif rule.rows:
                        results = set()
                        for graph, _ in fresh:
                            results |= _scan(store, rule, graph)
                    else:
                        results = set()
                        for graph, _ in fresh:
                            for q in rule.delta:
                                results.update(store.query(q, use_default_graph_as_union=True, substitutions={_G: graph}))
                except (SyntaxError, OSError, ValueError) as exc:  # pragma: no cover - a broken rule is a bug
                    raise ReasonerError(f"rule {rule.name} failed: {exc}", fix="check the ontology axioms the rule reads") from exc
                results = {t for t in results if next(store.quads_for_pattern(t.subject, t.predicate, t.object, None), None) is None}
                if not results:
                    run.seconds_per_rule[rule.name] = run.seconds_per_rule.get(rule.name, 0.0) + time.perf_counter() - rule_started
                    continue
                batch = ox.NamedNode(f"urn:clustergraph:staging:{uuid.uuid4()}")
                store.extend(ox.Quad(t.subject, t.predicate, t.object, batch) for t in results)
                keys = {t.predicate.value for t in results} | {t.object.value for t in results if t.predicate.value == _RDF_TYPE}
                batches.append((batch, frozenset(keys)))
                self.inferred.append(batch)
                added += len(results)
                run.per_rule[rule.name] = run.per_rule.get(rule.name, 0) + len(results)
                run.seconds_per_rule[rule.name] = run.seconds_per_rule.get(rule.name, 0.0) + time.perf_counter() - rule_started
            run.rounds = round_no
            if not added:
                break
        else:
            raise ReasonerError(f"the rules found new triples after {max_rounds} rounds", fix="check the ontology for cyclic rules")
        run.triples = sum(run.per_rule.values())
        run.seconds = time.perf_counter() - started
        _LAST_RUN = run
        return run

    def _run_columns(self, rules: Sequence[Rule], max_rounds: int) -> RuleRun:
        global _LAST_RUN
        started = time.perf_counter()
        run = RuleRun()
        store = self.store
        table = TripleTable()
        known = [*self.asserted, *self.inferred]
        with progress.task("rules: reading the data", total=len(known)) as bar:
            for graph in known:
                for chunk in _chunks(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)):
                    table.add_ntriples(chunk)
                bar.update(1)
        run.seconds_reading = time.perf_counter() - started
        target = self.target or ox.NamedNode(f"urn:clustergraph:staging:{uuid.uuid4()}")
        if self.target is not None:
            store.update(f"DROP SILENT GRAPH {target}")
        self.inferred.append(target)
        graphs = [*known, target]
        type_id = table.id(RDF_TYPE)
        rows = [table.rows(rule.values) if rule.pattern is not None else None for rule in rules]
        reads = [frozenset(_nt(r) for r in rule.reads) if rule.reads is not None else None for rule in rules]
        log: list[tuple[Batch, frozenset[bytes]]] = []
        pending: list[Batch] = []
        seen_upto: dict[int, int] = {}

        def flush() -> float:
            flush_started = time.perf_counter()
            batch = Batch.merge(pending)
            pending.clear()
            _load(store, table.ntriples(batch, blank=False), ox.RdfFormat.N_TRIPLES, target)
            _load(store, table.ntriples(batch, blank=True), ox.RdfFormat.N_TRIPLES, target)
            run.seconds_writing += time.perf_counter() - flush_started
            return time.perf_counter() - flush_started

        try:
            for round_no in range(1, max_rounds + 1):
                added = 0
                for index, rule in enumerate(progress.iterate(rules, f"rules, round {round_no}")):
                    step = _unread(index, log, seen_upto, reads)
                    if step is None:
                        continue
                    first, fresh = step
                    rule_started = time.perf_counter()
                    if rule.pattern is not None:
                        if first:
                            found = table.evaluate(rule.pattern, rows[index])  # type: ignore[arg-type]
                        else:
                            delta = Batch.merge([b for b, _ in fresh])
                            found = Batch.merge([table.evaluate(rule.pattern, rows[index], delta, i) for i in range(len(rule.pattern.premises))])  # type: ignore[arg-type]
                    else:
                        if pending:
                            rule_started += flush()
                        try:
                            data = store.query(rule.sparql, default_graph=graphs).serialize(format=ox.RdfFormat.N_TRIPLES) or b""
                        except (SyntaxError, OSError, ValueError) as exc:  # pragma: no cover - a broken rule is a bug
                            raise ReasonerError(f"rule {rule.name} failed: {exc}", fix="check the ontology axioms the rule reads") from exc
                        found = table.read(data)
                    batch = table.add(found)
                    run.seconds_per_rule[rule.name] = run.seconds_per_rule.get(rule.name, 0.0) + time.perf_counter() - rule_started
                    if not batch.size:
                        continue
                    log.append((batch, table.names(batch, type_id)))
                    pending.append(batch)
                    added += batch.size
                    run.per_rule[rule.name] = run.per_rule.get(rule.name, 0) + batch.size
                run.rounds = round_no
                if not added:
                    break
            else:
                raise ReasonerError(f"the rules found new triples after {max_rounds} rounds", fix="check the ontology for cyclic rules")
            if pending:
                flush()
        except BaseException:
            if self.target is not None:  # never a part of the inferences in the user's store
                store.update(f"DROP SILENT GRAPH {target}")
            raise
        run.triples = sum(run.per_rule.values())
        run.seconds = time.perf_counter() - started
        _LAST_RUN = run
        return run

    def tidy(self, onto: Graph) -> None:
        """Apply the output conventions: no technical links, no reflexive collaboration,
        nothing about the ontology's own terms and individuals."""
        store = self.store
        own = sorted(str(ox.NamedNode(str(s))) for s in _ontology_subjects(onto))
        for graph in self.inferred:
            for prop in sorted(HIDDEN_PROPERTIES):
                store.update(f"DELETE WHERE {{ GRAPH {graph} {{ ?s <{prop}> ?o }} }}")
            for prop in sorted(IRREFLEXIVE_OUTPUT):
                store.update(f"DELETE {{ GRAPH {graph} {{ ?s <{prop}> ?s }} }} WHERE {{ GRAPH {graph} {{ ?s <{prop}> ?s }} }}")
            for i in range(0, len(own), 500):
                block = " ".join(own[i : i + 500])
                store.update(f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {block} }} GRAPH {graph} {{ ?s ?p ?o }} }}")


_G = ox.Variable("g")
_RDF_TYPE = str(RDF.type)
_TYPE = ox.NamedNode(_RDF_TYPE)


def _unread(index: int, log: list[Any], seen_upto: dict[int, int], reads: list[frozenset[str] | None]) -> tuple[bool, list[Any]] | None:
    """Semi-naive bookkeeping for rule ``index``: whether it runs for the first time, and the
    batches of ``log`` (``(batch, keys)`` pairs) added since it last ran that hold a key it
    reads; ``None`` when no such batch came (the rule cannot find anything new)."""
    first = index not in seen_upto
    fresh = log[seen_upto.get(index, 0) :]
    if not first:
        wanted = reads[index]
        fresh = [(b, keys) for b, keys in fresh if wanted is None or keys & wanted]
        if not fresh:
            return None
    seen_upto[index] = len(log)
    return first, fresh


def _load(store: ox.Store, data: bytes, format: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
    """Load ``data`` (N-Triples into ``graph``, or N-Quads) into ``store``, all or nothing,
    keeping blank nodes the nodes they were: Oxigraph's loader gives each document's
    blank nodes new identities, so text that may hold one goes through its parser
    (``rename_blank_nodes`` off) instead, a little slower."""
    if not data:
        return
    if b"_:" not in data:
        store.load(data, format=format, to_graph=graph, lenient=True)
    elif graph is None:
        store.extend(ox.parse(data, format=format, lenient=True))
    else:
        store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in ox.parse(data, format=format, lenient=True))


def _chunks(data: bytes, size: int = 64 << 20) -> Iterable[bytes]:
    """N-Triples text in pieces of about ``size`` bytes, cut at line ends."""
    start = 0
    while start < len(data):
        stop = data.find(b"\n", start + size)
        stop = len(data) if stop < 0 else stop + 1
        yield data[start:stop]
        start = stop


def _keys(store: ox.Store, graph: ox.NamedNode) -> frozenset[str]:
    """Predicates and classes that have triples in ``graph``."""
    out: set[str] = set()
    for q in store.quads_for_pattern(None, None, None, graph):
        out.add(q.predicate.value)
        if q.predicate.value == _RDF_TYPE:
            out.add(q.object.value)
    return frozenset(out)


def _ontology_subjects(onto: Graph) -> set[Node]:
    return {s for s in onto.subjects() if isinstance(s, URIRef)}


def _workspace(graph: Graph, ontology: str | os.PathLike[str] | Graph | None, groups: Iterable[str]) -> Workspace:
    onto = ontology_graph(ontology)
    work = Workspace.of(graph)
    work.run(compile_rules(onto, groups))
    work.tidy(onto)
    return work


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
    return _workspace(graph, ontology, groups).to_rdflib()


def materialise(
    dataset: Graph,
    *,
    ontology: str | os.PathLike[str] | Graph | None = None,
    groups: Iterable[str] = GROUPS,
) -> Graph:
    """Add the rules' inferences to ``dataset`` as its named graph ``GRAPH.inferred`` (replacing it).

    On an Oxigraph-backed dataset (:func:`clustergraph.store.open_dataset`) the rules
    read the data once, as N-Triples, into integer columns
    (:mod:`clustergraph.reasoning.tables`), and the new triples are loaded straight
    into the graph ``GRAPH.inferred``, round by round; on other stores they run in a
    private Oxigraph store and the result is written back in one step. Asserted graphs
    are not changed; the previous inferred graph is ignored and replaced as a whole
    (if the rules fail, the graph is removed: never a part of it is left).

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
    ...   a <https://w3id.org/clustergraph/ontology#ClusterOrganisation> .''', format="turtle", graph="urn:g")
    >>> inferred = materialise(ds)
    >>> inferred.identifier == GRAPH.inferred, len(inferred)
    (True, 5)
    """
    if not isinstance(dataset, Dataset):
        return infer(dataset, ontology=ontology, groups=groups)
    work = Workspace.inside(dataset)
    if work is None:
        _workspace(dataset, ontology, groups).write_to(dataset)
    else:
        onto = ontology_graph(ontology)
        work.run(compile_rules(onto, groups))
        work.tidy(onto)
    return dataset.graph(GRAPH.inferred)
