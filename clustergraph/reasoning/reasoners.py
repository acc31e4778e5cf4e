"""OWL reasoning: consistency, classification and inferred triples with HermiT or Pellet.

:func:`reason` loads the ontology and the data into a fresh owlready2 world, runs a
DL reasoner (HermiT by default, or Pellet) with the machine's Java, and returns the
triples that follow from them and were not asserted, as an rdflib graph whose
identifier is ``GRAPH.inferred``. The data is never changed; :func:`add_inferred`
puts the result into a dataset's own named graph.

What the reasoner reports is completed with sound closure steps that its output
leaves implicit (super-classes of the direct types, super- and inverse properties of
the property values), and with the counting rule for ``cg:CrossBorderProject`` that OWL
cannot express. Two conventions, shared with :mod:`clustergraph.rules`: reflexive
``cg:collaboratesWith`` pairs and the technical ``cg:isCoordinatorParticipation`` links
are left out.

An inconsistency raises :class:`~clustergraph.errors.InconsistentOntologyError` whose
``explanation`` names the clashing entities and axioms in words (see :func:`explain`).
``reasoner="rules"`` runs only the lightweight rules and the same clash checks: no Java.

>>> from rdflib import Graph
>>> data = Graph().parse(format="turtle", data='''
... @prefix cg: <https://w3id.org/clustergraph/ontology#> .
... <https://w3id.org/clustergraph/id/project/x> a cg:Project , cg:Organisation .
... ''')
>>> explain(data)
['cgid:project/x is typed both cg:Organisation (asserted) and cg:Project (asserted), which the ontology declares disjoint']
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from ..atomic import scratch_dir
from ..errors import InconsistentOntologyError, JavaNotFoundError, ReasonerError
from ..namespaces import CG, GRAPH, PREFIXES, bind_prefixes
from ..store import dataset as _store
from . import rules as _rules

__all__ = [
    "REASONERS",
    "ReasoningResult",
    "reason",
    "add_inferred",
    "explain",
    "counts",
    "java_executable",
]

REASONERS = ("hermit", "pellet", "rules")

_INSTALL_HINT = "install a Java runtime (apt-get install default-jre-headless), or set owlready2.JAVA_EXE to the java executable"
_DATA_ONTOLOGY = "https://w3id.org/clustergraph/graph/asserted#"
_INFERRED_ONTOLOGY = "https://w3id.org/clustergraph/graph/reasoner#"
_TBOX_PREDICATES = {RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf}
_SKIP_TYPES = {OWL.Thing, OWL.NamedIndividual, OWL.Nothing}


@dataclass
class ReasoningResult:
    """What :func:`reason` found.

    Attributes
    ----------
    graph:
        The inferred triples only (identifier ``GRAPH.inferred``).
    consistent:
        ``True`` when the reasoner checked consistency (HermiT, Pellet); for
        ``"rules"``, ``True`` means only that the clash checks of :func:`explain` passed.
    reasoner:
        ``"hermit"``, ``"pellet"`` or ``"rules"``.
    seconds:
        Wall-clock time of the whole call.
    classes, properties:
        Inferred ``rdf:type`` triples per class and inferred triples per property,
        keyed by compact names (``"cg:GoldLabelledCluster"``).
    """

    graph: Graph
    consistent: bool
    reasoner: str
    seconds: float = 0.0
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.graph)

    def summary(self) -> list[str]:
        """Human-readable lines: consistency, then counts per class and per property."""
        checked = "consistent" if self.reasoner != "rules" else "no clash found (rules check disjointness, functional properties and datatypes only)"
        lines = [f"{self.reasoner}: {checked}; {len(self.graph)} inferred triples in {self.seconds:.1f} s"]
        if self.classes:
            lines.append("inferred types:")
            lines.extend(f"  {n:>7}  {c}" for c, n in sorted(self.classes.items(), key=lambda kv: (-kv[1], kv[0])))
        if self.properties:
            lines.append("inferred property values:")
            lines.extend(f"  {n:>7}  {p}" for p, n in sorted(self.properties.items(), key=lambda kv: (-kv[1], kv[0])))
        return lines

    def __repr__(self) -> str:
        return f"<ReasoningResult {self.reasoner}: {'consistent' if self.consistent else 'inconsistent'}, {len(self.graph):,} inferred triples in {self.seconds:.1f} s>"

    def _repr_html_(self) -> str:
        from ..display import key_values_html, table_html

        by_count = lambda d: sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))  # noqa: E731
        return (
            key_values_html([("reasoner", self.reasoner), ("consistent", self.consistent), ("inferred triples", len(self.graph)), ("seconds", round(self.seconds, 2))], caption="Reasoning")
            + table_html(["class", "inferred types"], by_count(self.classes))
            + table_html(["property", "inferred values"], by_count(self.properties))
        )


# --- names in messages ------------------------------------------------------------

_BY_LENGTH = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda kv: -len(kv[0]))


def _name(term: Node) -> str:
    """A compact name for messages: ``cg:Project``, ``cgid:project/x``, ``"text"``."""
    if isinstance(term, URIRef):
        text = str(term)
        for ns, prefix in _BY_LENGTH:
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return f"<{text}>"
    if isinstance(term, Literal):
        return term.n3()
    return f"_:{term}"


def counts(graph: Graph) -> tuple[dict[str, int], dict[str, int]]:
    """Triples of ``graph`` per class (``rdf:type`` objects) and per property (other predicates).

    >>> from rdflib import Graph, URIRef
    >>> from clustergraph.namespaces import CG
    >>> g = Graph(); _ = g.add((URIRef("urn:x"), RDF.type, CG.Project))
    >>> counts(g)
    ({'cg:Project': 1}, {})
    """
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    for _, p, o in graph:
        if p == RDF.type:
            classes[_name(o)] += 1
        else:
            properties[_name(p)] += 1
    return dict(sorted(classes.items())), dict(sorted(properties.items()))


# --- Java -------------------------------------------------------------------------


def java_executable() -> str:
    """The Java executable owlready2 will run (``owlready2.JAVA_EXE``), resolved to a path.

    Raises
    ------
    JavaNotFoundError
        If it does not exist, with the install hint.
    """
    import owlready2

    exe = str(getattr(owlready2, "JAVA_EXE", "java") or "java")
    found = shutil.which(exe) if os.sep not in exe else (exe if os.path.isfile(exe) and os.access(exe, os.X_OK) else None)
    if not found:
        raise JavaNotFoundError(f"no Java runtime found (owlready2.JAVA_EXE is {exe!r}); HermiT and Pellet need one", fix=_INSTALL_HINT)
    return found


# --- the asserted data ------------------------------------------------------------


def _ntriples(work: _rules.Workspace) -> bytes:
    """The asserted triples as N-Triples for owlready2, without ``owl:imports`` (no network, ever)."""
    triples = work.store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?p != owl:imports) }", default_graph=work.asserted, prefixes={"owl": str(OWL)})
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


# --- running the DL reasoner ------------------------------------------------------


class _TempfileIn:
    """The :mod:`tempfile` module as owlready2 sees it while a reasoner runs: its files go to ``folder``."""

    def __init__(self, folder: Path) -> None:
        self._folder = str(folder)

    def NamedTemporaryFile(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - the name owlready2 calls
        kwargs.setdefault("dir", self._folder)
        return tempfile.NamedTemporaryFile(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(tempfile, name)


#: One DL reasoner run at a time may redirect owlready2's temporary files.
_OWLREADY_LOCK = threading.Lock()


@contextlib.contextmanager
def _owlready_scratch() -> Iterator[Path]:
    """Make owlready2 write its reasoner input into a private folder, removed afterwards.

    ``sync_reasoner_hermit`` and ``sync_reasoner_pellet`` write the ontology to a
    ``NamedTemporaryFile(delete=False)`` in the system's temporary folder and remove it
    only when the reasoner succeeds: every inconsistency (an exception) left one
    behind. Here the file goes into a :func:`~clustergraph.atomic.scratch_dir`, removed
    whatever happens (and by the next run, if this process is killed).
    """
    import owlready2.reasoning as owl_reasoning

    with _OWLREADY_LOCK, scratch_dir("reasoner") as folder:
        real = owl_reasoning.tempfile
        owl_reasoning.tempfile = _TempfileIn(folder)  # type: ignore[assignment]
        try:
            yield folder
        finally:
            owl_reasoning.tempfile = real


def _run_dl(reasoner: str, ontology_nt: bytes, data_nt: bytes) -> tuple[Graph, Graph]:
    """Run HermiT or Pellet; return (inferred ABox triples, inferred TBox triples)."""
    import owlready2
    from owlready2 import OwlReadyJavaError

    world = owlready2.World()
    try:
        world.get_ontology(str(CG)[:-1]).load(fileobj=io.BytesIO(ontology_nt), format="ntriples")
        if data_nt:
            world.get_ontology(_DATA_ONTOLOGY).load(fileobj=io.BytesIO(data_nt), format="ntriples")
        target = world.get_ontology(_INFERRED_ONTOLOGY)
        sink = io.StringIO()
        try:
            with _owlready_scratch(), contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
                if reasoner == "hermit":
                    owlready2.sync_reasoner_hermit(target, infer_property_values=True, debug=0, ignore_unsupported_datatypes=True)
                else:
                    owlready2.sync_reasoner_pellet(target, infer_property_values=True, infer_data_property_values=False, debug=0)
        except OwlReadyJavaError as exc:
            text = str(exc)
            if "UnsupportedClassVersionError" in text:
                raise ReasonerError(
                    f"{reasoner} needs a newer Java than the one found ({java_executable()})",
                    fix="use owlready2 0.49, whose Pellet runs on Java 17, or install a newer Java",
                ) from None
            last = [line for line in text.splitlines() if line.strip()][-3:]
            raise ReasonerError(f"{reasoner} failed: {' '.join(last)[:500]}", fix="check the data is valid OWL 2 DL (see ontology/README.md)") from None
        except FileNotFoundError as exc:
            raise JavaNotFoundError(f"cannot run Java: {exc}", fix=_INSTALL_HINT) from None
        abox, tbox = Graph(), Graph()
        inferred = world.as_rdflib_graph().get_context(target)
        for s, p, o in inferred:
            if isinstance(s, BNode) or isinstance(o, BNode):
                continue
            if p in _TBOX_PREDICATES:
                tbox.add((s, p, o))
            elif p == RDF.type and o in (OWL.Ontology, *_SKIP_TYPES):
                continue
            else:
                abox.add((s, p, o))
        return abox, tbox
    finally:
        world.close()


def reason(
    graph: Graph,
    *,
    reasoner: str = "hermit",
    ontology: str | os.PathLike[str] | Graph | None = None,
) -> ReasoningResult:
    """Check ``graph`` against the ontology and return what follows from both.

    Parameters
    ----------
    graph:
        An rdflib Graph or Dataset (any store). Its named graph ``GRAPH.inferred``, if
        any, is ignored; nothing in it is changed.
    reasoner:
        ``"hermit"`` (default), ``"pellet"`` (both need Java; ``owlready2.JAVA_EXE`` is
        honoured), or ``"rules"`` (the lightweight rules of :mod:`clustergraph.rules`).
    ontology:
        The ontology (path or Graph); the shipped ``ontology/clustergraph.ttl`` by default.

    Returns
    -------
    ReasoningResult
        ``result.graph`` holds only triples that were not asserted.

    Raises
    ------
    InconsistentOntologyError
        If the data contradicts the ontology; ``explanation`` says which entities and
        axioms clash.
    JavaNotFoundError
        If HermiT or Pellet is asked for and no Java runtime is found.

    >>> from rdflib import Graph
    >>> data = Graph().parse(format="turtle", data='''
    ... @prefix cg: <https://w3id.org/clustergraph/ontology#> .
    ... <https://w3id.org/clustergraph/id/organisation/x> a cg:ClusterOrganisation .
    ... ''')
    >>> result = reason(data, reasoner="rules")
    >>> result.classes["cg:Organisation"]
    1
    """
    if reasoner not in REASONERS:
        raise ReasonerError(f"unknown reasoner {reasoner!r}", fix=f"use one of {', '.join(REASONERS)}")
    started = time.perf_counter()
    onto = _rules.ontology_graph(ontology)
    if reasoner == "rules":
        work = _rules.Workspace.of(graph)
        work.run(_rules.compile_rules(onto))
        problems = _check(work, onto)
        if problems:
            raise _inconsistent("the rules", problems)
        work.tidy(onto)
        return _result(work.to_rdflib(), True, reasoner, started)

    java_executable()
    work = _rules.Workspace.of(graph)
    ontology_nt = onto.serialize(format="nt", encoding="utf-8")
    data_nt = _ntriples(work)
    from owlready2 import OwlReadyInconsistentOntologyError

    try:
        abox, tbox = _run_dl(reasoner, ontology_nt, data_nt)
    except OwlReadyInconsistentOntologyError:
        problems = explain(graph, ontology=onto) or _pellet_explanation(ontology_nt, data_nt)
        raise _inconsistent({"hermit": "HermiT", "pellet": "Pellet"}[reasoner], problems) from None
    inferred = _complete(work, onto, abox, tbox)
    return _result(inferred, True, reasoner, started)


def _result(inferred: Graph, consistent: bool, reasoner: str, started: float) -> ReasoningResult:
    classes, properties = counts(inferred)
    return ReasoningResult(
        graph=inferred,
        consistent=consistent,
        reasoner=reasoner,
        seconds=time.perf_counter() - started,
        classes=classes,
        properties=properties,
    )


def _inconsistent(who: str, problems: list[str]) -> InconsistentOntologyError:
    first = problems[0] if problems else "no explanation available"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return InconsistentOntologyError(
        f"the data is inconsistent with the ontology ({who}): {first}{more}",
        explanation=problems,
        fix="correct or remove the statements named, then run the reasoner again",
    )


def _complete(work: _rules.Workspace, onto: Graph, abox: Graph, tbox: Graph) -> Graph:
    """Close the reasoner's answer under the (asserted and inferred) hierarchies; keep only new triples."""
    augmented = Graph()
    for t in onto:
        augmented.add(t)
    for t in tbox:
        augmented.add(t)
    work.add(abox)
    closure_rules = _rules.compile_rules(augmented, groups=["hierarchy"])
    closure_rules.append(_rules.Rule("cg:CrossBorderProject", "defined", _rules.DEFINED_CLASS_RULES[CG.CrossBorderProject]))
    work.run(closure_rules)
    work.tidy(onto)
    out = bind_prefixes(Graph(identifier=GRAPH.inferred))
    store = work.store
    for q in work.quads():
        if any(ox.Quad(q.subject, q.predicate, q.object, g) in store for g in work.asserted):
            continue
        s, p, o = (_store.from_oxigraph(q.subject), _store.from_oxigraph(q.predicate), _store.from_oxigraph(q.object))
        if p == RDF.type and o in _SKIP_TYPES:
            continue
        out.add((s, p, o))  # type: ignore[arg-type]
    return out


def add_inferred(dataset: Dataset, result: ReasoningResult | Graph) -> Graph:
    """Put ``result``'s triples into ``dataset``'s named graph ``GRAPH.inferred``, replacing it.

    >>> from clustergraph.store import open_dataset
    >>> ds = open_dataset()
    >>> g = Graph(); _ = g.add((URIRef("urn:x"), RDF.type, CG.Project))
    >>> len(add_inferred(ds, g))
    1
    """
    graph = result.graph if isinstance(result, ReasoningResult) else result
    _store.replace_graph(dataset, GRAPH.inferred, graph)
    return dataset.graph(GRAPH.inferred)


# --- explaining inconsistencies ---------------------------------------------------


def _disjoint_pairs(onto: Graph) -> set[frozenset[Node]]:
    pairs: set[frozenset[Node]] = set()
    for node in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        members = [m for m in Collection(onto, onto.value(node, OWL.members)) if isinstance(m, URIRef)]
        pairs.update(frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1 :])
    for a, b in onto.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    return pairs


def _different(onto: Graph) -> set[frozenset[Node]]:
    pairs: set[frozenset[Node]] = set()
    for node in onto.subjects(RDF.type, OWL.AllDifferent):
        head = onto.value(node, OWL.distinctMembers) or onto.value(node, OWL.members)
        members = list(Collection(onto, head)) if head is not None else []
        pairs.update(frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1 :])
    for a, b in onto.subject_objects(OWL.differentFrom):
        pairs.add(frozenset((a, b)))
    return pairs


_NUMERIC = {XSD.decimal, XSD.integer, XSD.int, XSD.long, XSD.short, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong, XSD.byte, XSD.unsignedShort, XSD.unsignedByte}
_INTEGER = _NUMERIC - {XSD.decimal}
_PLAIN = {None, XSD.string, RDF.PlainLiteral, RDF.langString}


def _datatype_ok(value: Literal, allowed: set[Node]) -> bool:
    datatype = value.datatype if value.language is None else RDF.langString
    for rng in allowed:
        if rng == RDF.PlainLiteral and datatype in _PLAIN:
            return True
        if rng == XSD.string and datatype in (None, XSD.string):
            return True
        if rng == XSD.decimal and datatype in _NUMERIC:
            return _lexical_ok(value)
        if rng == XSD.integer and datatype in _INTEGER:
            return _lexical_ok(value)
        if rng == datatype:
            return _lexical_ok(value)
        if rng == RDFS.Literal:
            return True
    return False


def _lexical_ok(value: Literal) -> bool:
    if getattr(value, "ill_typed", False):
        return False
    if value.datatype in _NUMERIC:
        try:
            Decimal(str(value))
        except InvalidOperation:
            return False
    return True


def _datatype_ranges(onto: Graph) -> dict[Node, set[Node]]:
    out: dict[Node, set[Node]] = {}
    for p in onto.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in onto.objects(p, RDFS.range):
            if isinstance(rng, URIRef):
                out.setdefault(p, set()).add(rng)
            else:
                union = onto.value(rng, OWL.unionOf)
                if union is not None:
                    out.setdefault(p, set()).update(Collection(onto, union))
    return out


def explain(graph: Graph, *, ontology: str | os.PathLike[str] | Graph | None = None, limit: int = 50) -> list[str]:
    """Clashes between ``graph`` and the ontology, each in one sentence; ``[]`` if none is found.

    Checks, over the asserted triples plus what the lightweight rules infer:
    disjoint classes, functional properties with two values that must differ, literals
    outside a datatype property's range, literals on object properties and IRIs on
    datatype properties. Each sentence says where a type came from (asserted, a
    sub-class, a property's domain or range, a definition).

    >>> from rdflib import Graph
    >>> data = Graph().parse(format="turtle", data='''
    ... @prefix cg: <https://w3id.org/clustergraph/ontology#> .
    ... <https://w3id.org/clustergraph/id/award/a> cg:level cg:Gold , cg:Silver .
    ... ''')
    >>> explain(data)[0]
    'cgid:award/a has two values of the functional property cg:level, cg:Gold and cg:Silver, which the ontology declares different individuals'
    """
    onto = _rules.ontology_graph(ontology)
    work = _rules.Workspace.of(graph)
    work.run(_rules.compile_rules(onto))
    return _check(work, onto, limit)


def _check(work: _rules.Workspace, onto: Graph, limit: int = 50) -> list[str]:
    """The clash checks of :func:`explain` on a workspace where all the rules have run."""
    native, base = work.store, work.asserted
    problems: list[str] = []
    disjoint = _disjoint_pairs(onto)
    disjoint_classes = {c for pair in disjoint for c in pair}
    types: dict[Node, set[Node]] = defaultdict(set)
    for solution in native.query("SELECT ?s ?c WHERE { ?s a ?c }", use_default_graph_as_union=True):
        cls = _store.from_oxigraph(solution["c"])
        if cls in disjoint_classes:
            types[_store.from_oxigraph(solution["s"])].add(cls)
    asserted = _AssertedIndex(native, base)
    supers = _rules.superclasses(onto)
    domains, ranges = _domains_ranges(onto)
    # 1. disjoint classes
    for entity in sorted(types, key=str):
        kinds = sorted(types[entity], key=str)
        for i, a in enumerate(kinds):
            for b in kinds[i + 1 :]:
                if frozenset((a, b)) in disjoint:
                    problems.append(
                        f"{_name(entity)} is typed both {_name(a)} ({_why(entity, a, asserted, supers, domains, ranges)}) "
                        f"and {_name(b)} ({_why(entity, b, asserted, supers, domains, ranges)}), which the ontology declares disjoint"
                    )
    # 2. functional properties
    different = _different(onto)
    for p in sorted(onto.subjects(RDF.type, OWL.FunctionalProperty), key=str):
        values: dict[Node, set[Node]] = defaultdict(set)
        for q in native.quads_for_pattern(None, ox.NamedNode(str(p)), None, None):
            values[_store.from_oxigraph(q.subject)].add(_store.from_oxigraph(q.object))
        for subject, objects in values.items():
            if len(objects) < 2:
                continue
            ordered = sorted(objects, key=str)
            for i, x in enumerate(ordered):
                for y in ordered[i + 1 :]:
                    if frozenset((x, y)) in different:
                        why = "which the ontology declares different individuals"
                    elif isinstance(x, Literal) and isinstance(y, Literal):
                        why = "two different values"
                    elif any(frozenset((c, d)) in disjoint for c in types.get(x, ()) for d in types.get(y, ())):
                        why = "which have disjoint types"
                    else:
                        continue
                    problems.append(f"{_name(subject)} has two values of the functional property {_name(p)}, {_name(x)} and {_name(y)}, {why}")
    # 3. datatypes, and literals/IRIs on the wrong kind of property
    ranges_dt = _datatype_ranges(onto)
    object_props = set(onto.subjects(RDF.type, OWL.ObjectProperty))
    for p in sorted(set(ranges_dt) | object_props, key=str):
        for graph in base:
            for q in native.quads_for_pattern(None, ox.NamedNode(str(p)), None, graph):
                is_literal = isinstance(q.object, ox.Literal)
                if p in object_props and is_literal:
                    problems.append(f"{_name(_store.from_oxigraph(q.subject))} has the literal {_name(_store.from_oxigraph(q.object))} for {_name(p)}, an object property whose values are entities (IRIs)")
                elif p in ranges_dt and not is_literal:
                    problems.append(f"{_name(_store.from_oxigraph(q.subject))} has the entity {_name(_store.from_oxigraph(q.object))} for {_name(p)}, a datatype property whose values are literals")
                elif p in ranges_dt:
                    value = _store.from_oxigraph(q.object)
                    if not _datatype_ok(value, ranges_dt[p]):  # type: ignore[arg-type]
                        allowed = " or ".join(_name(r) for r in sorted(ranges_dt[p], key=str))
                        problems.append(f"{_name(_store.from_oxigraph(q.subject))} has {_name(p)} {_name(value)}, which is not a valid {allowed} (the range of {_name(p)})")
                if len(problems) >= limit:
                    return problems
    return problems[:limit]


class _AssertedIndex:
    """Lookups in the asserted graphs only."""

    def __init__(self, native: ox.Store, base: list) -> None:
        self.native, self.base = native, base

    def has(self, s: Node | None, p: Node | None, o: Node | None) -> list[tuple[Node, Node, Node]]:
        out = []
        pattern = [_store.to_oxigraph(t) if t is not None else None for t in (s, p, o)]
        for g in self.base:
            for q in self.native.quads_for_pattern(*pattern, g):
                out.append((_store.from_oxigraph(q.subject), _store.from_oxigraph(q.predicate), _store.from_oxigraph(q.object)))
        return out


def _domains_ranges(onto: Graph) -> tuple[dict[Node, set[Node]], dict[Node, set[Node]]]:
    domains: dict[Node, set[Node]] = defaultdict(set)
    ranges: dict[Node, set[Node]] = defaultdict(set)
    for p, c in onto.subject_objects(RDFS.domain):
        if isinstance(c, URIRef):
            domains[p].add(c)
    for p, c in onto.subject_objects(RDFS.range):
        if isinstance(c, URIRef):
            ranges[p].add(c)
    return domains, ranges


def _why(entity: Node, cls: Node, asserted: _AssertedIndex, supers: dict[Node, set[Node]], domains: dict, ranges: dict) -> str:
    """Where the type ``cls`` of ``entity`` comes from, in a few words."""
    types = [o for _, _, o in asserted.has(entity, RDF.type, None)]
    if cls in types:
        return "asserted"
    for t in sorted(types, key=str):
        if cls in supers.get(t, ()):
            return f"asserted {_name(t)}, a sub-class"
    for _, p, _ in asserted.has(entity, None, None):
        for d in domains.get(p, ()):
            if d == cls or cls in supers.get(d, ()):
                return f"subject of {_name(p)}, whose domain is {_name(d)}"
    for s, p, _ in asserted.has(None, None, entity):
        for r in ranges.get(p, ()):
            if r == cls or cls in supers.get(r, ()):
                return f"value of {_name(p)} of {_name(s)}, whose range is {_name(r)}"
    return "inferred"


def _pellet_explanation(ontology_nt: bytes, data_nt: bytes, timeout: float = 120) -> list[str]:
    """Pellet's justification of an inconsistency, as lines (used when the simple checks find nothing)."""
    from owlready2.reasoning import _PELLET_CLASSPATH

    try:
        java = java_executable()
    except JavaNotFoundError:
        return []
    with scratch_dir("reasoner") as folder:
        path = folder / "input.nt"
        try:
            with open(path, "wb") as fh:
                fh.write(ontology_nt)
                fh.write(b"\n")
                fh.write(data_nt)
            proc = subprocess.run(
                [java, "-Xmx2000M", "-cp", _PELLET_CLASSPATH, "pellet.Pellet", "explain", "--ignore-imports", str(path)],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
    lines = [" ".join(line.split()) for line in proc.stdout.splitlines()]
    body = [line for line in lines if line and not line.startswith(("Axiom:", "Explanation"))]
    return ["Pellet's justification: " + "; ".join(body)] if body else []
