"""Validate RDF against the SHACL shapes and return findings a data steward can act on.

:func:`validate` checks a graph, a dataset (any store), or RDF files against the
shipped shapes (``shapes/``) or the user's, and returns a
:class:`~clustergraph.validation.report.ValidationReport` of
:class:`~clustergraph.validation.report.Finding` objects, each with the entity's name and,
when the entity came from a table, the source file and row.

Safe defaults: pySHACL always gets rdflib graph objects in memory (files are parsed
here; Oxigraph-backed data is copied first, because pySHACL is slow and wrong on
it), never fetches ``owl:imports``, never runs SHACL-JS, enables SHACL Advanced
Features only when the shapes use them, and shapes whose SPARQL calls a ``SERVICE``
at a host nobody named are refused.

Sloppy data. Data files are parsed by Oxigraph for either engine, so both see the same
terms; literals keep their text (rdflib would turn ``"maybe"^^xsd:boolean`` into
``"false"``). An ill-typed literal is a finding on its entity, never an error: the copy
pySHACL validates holds a stand-in for each literal one of the two engines cannot read
(:mod:`clustergraph.validation.sparql.literals`), SPARQL functions that rdflib would let
raise on such a value give SPARQL's error value instead, and nothing is logged. When the
data came from files, each finding on a literal gets the file and line where the value
is written if the text shows it unambiguously (:attr:`Finding.data_line`).

Broken shapes raise :class:`~clustergraph.errors.ShapesError` (exit status 3); a
missing or unparsable data file raises :class:`~clustergraph.errors.InputError`
(exit status 2). Data that does not conform is not an error: it is a report whose
``conforms`` is false.

Engines. ``engine="pyshacl"`` runs pySHACL, the reference. ``engine="sparql"`` runs the
shapes as SPARQL where the data lives (Oxigraph; data files are bulk-loaded into
Oxigraph first), through
``clustergraph.validation.sparql.check(data, shapes_graph, context=ontology_context) ->
list[Finding]``; that module returns raw findings (focus, path, severity, message,
value, source shape, constraint) and this one adds names, provenance and sorting, so
both engines give the same report (they agree finding for finding on the embedded
dataset). ``engine="auto"`` (default) uses pySHACL below :data:`AUTO_SPARQL_TRIPLES`
triples and the SPARQL engine from there on (pySHACL alone with ``inference="rdfs"``).

>>> from rdflib import Graph
>>> data = Graph().parse(format="turtle", data='''
...     @prefix cg: <https://w3id.org/clustergraph/ontology#> .
...     <https://w3id.org/clustergraph/id/project/demo> a cg:Project ;
...         cg:acronym "DEMO" ; cg:totalBudget 100.0 ; cg:euContribution 150.0 .
... ''')
>>> report = validate(data)
>>> [(f.entity_name, f.severity, f.path_text) for f in report.where(severity="Violation")]
[('DEMO', 'Violation', 'cg:euContribution')]
>>> report.conforms
False
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from ..errors import ClusterGraphError, InputError, ShapesError
from ..namespaces import CG, PREFIXES, bind_prefixes
from ..resources import ontology_path
from ..store import dataset as _store
from ..store import offline
from . import sparql
from .report import (
    Finding,
    ValidationReport,
    check_fail_on,
    copy_description,
    severity_name,
    sort_findings,
)
from .shapes import check_shapes_safety, load_shapes
from .sparql.execution import fix_pyshacl_messages
from .sparql.literals import (
    as_written,
    quiet_literals,
    replace_unreadable,
    restore,
    restore_text,
)

__all__ = [
    "ENGINES",
    "AUTO_SPARQL_TRIPLES",
    "INFERENCE",
    "validate",
    "data_graph",
    "ontology_graph",
    "add_ontology_context",
    "entity_name",
    "source_of",
    "rdfs_closure",
    "suggestion",
    "DECLARATIONS",
    "LOCATE_MAX_BYTES",
]

#: Validation engines.
ENGINES = ("auto", "pyshacl", "sparql")
#: From this many triples on, ``engine="auto"`` validates with the SPARQL engine: pySHACL
#: takes over a minute on 10k triples of generated programme data with the shipped shapes.
AUTO_SPARQL_TRIPLES = 10_000
#: Inference before validation: none, or RDFS entailment with the ontology.
INFERENCE = ("none", "rdfs")
#: Terms whose presence in a shapes graph needs pySHACL's SHACL Advanced Features.
_ADVANCED = (SH.rule, SH.target, SH.SPARQLFunction, SH.SPARQLTarget, SH.SPARQLTargetType, SH.TripleRule, SH.SPARQLRule)
_PLACEHOLDER = re.compile(r"\{[?$](this|value|path|suggestion)\}")


# --- shapes ---------------------------------------------------------------------


def _needs_advanced(shapes: Graph) -> bool:
    return any(next(shapes.triples((None, p, None)), None) is not None for p in _ADVANCED) or any(
        next(shapes.triples((None, RDF.type, c)), None) is not None for c in (SH.SPARQLFunction, SH.SPARQLTarget, SH.SPARQLRule, SH.TripleRule)
    )


# --- data -----------------------------------------------------------------------


class _PreparedQueryGraph(Graph):
    """An rdflib memory graph that parses each SPARQL text once.

    pySHACL runs a SHACL-SPARQL constraint once per focus node with the same text
    (the focus node is bound, not pasted); rdflib would parse it every time, which
    costs more than evaluating it. Parsed queries are cached by text and prefixes.
    """

    def query(  # type: ignore[override]
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,  # noqa: N803
        initBindings: Any = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            namespaces = dict(self.namespaces())
            namespaces.update(initNs or {})
            query_object = _prepared(query_object, tuple(sorted((p, str(n)) for p, n in namespaces.items())))
            initNs = None
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


@lru_cache(maxsize=512)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...]) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    query = prepareQuery(text, initNs=dict(namespaces))
    _errors_are_sparql_errors(query.algebra, set())
    return query


def _errors_are_sparql_errors(node: Any, seen: set[int]) -> None:
    """Make every expression of a parsed query fail as SPARQL says: with an error value.

    SPARQL defines an operation on a value it cannot read (``YEAR`` of
    ``"2023-13-45"^^xsd:date``, ``ABS`` of ``"nineteen"^^xsd:integer``) as an error,
    which makes a ``FILTER`` false and leaves a ``BIND`` unbound. rdflib raises a Python
    exception from inside such functions instead (``AttributeError`` on the missing
    value), which aborts the whole query and pySHACL with it. Each expression of our
    own parsed copy of the query is wrapped so that those exceptions become rdflib's
    ``SPARQLError``, the error value.
    """
    from rdflib.plugins.sparql.parserutils import CompValue, Expr
    from rdflib.plugins.sparql.sparql import SPARQLError

    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, Expr) and getattr(node, "_evalfn", None) is not None:
        evaluate = node._evalfn

        def safe(ctx: Any, evaluate: Any = evaluate) -> Any:
            try:
                return evaluate(ctx)
            except SPARQLError:
                raise
            except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
                raise SPARQLError(f"{type(exc).__name__}: {exc}") from None

        node._evalfn = safe
    if isinstance(node, CompValue):
        children: Iterable[Any] = node.values()
    elif isinstance(node, (list, tuple)):
        children = node
    else:
        return
    for child in children:
        _errors_are_sparql_errors(child, seen)


def data_graph(data: Any) -> Graph:
    """A plain rdflib memory Graph with all triples of ``data`` (graphs merged); never the caller's graph.

    ``data`` is what :func:`validate` accepts: a graph or dataset in any store, a file
    path, or a list of them. The copy parses each SPARQL text of a shape only once.

    >>> g = Graph().parse(format="turtle", data="<http://ex.org/a> <http://ex.org/p> 1 .")
    >>> copy = data_graph(g)
    >>> len(copy), copy is g
    (1, False)
    """
    merged = _merged(data)
    return _PreparedQueryGraph(store=merged.store, identifier=merged.identifier, namespace_manager=merged.namespace_manager)


def _merged(data: Any) -> Graph:
    if isinstance(data, Graph):
        merged = _union(data)
        for prefix, ns in data.namespaces():  # the data's own prefixes, as rdflib's query() would see them
            merged.bind(prefix, ns, override=False)
        return merged
    return _union(_loaded(data, "oxigraph"))


def _union(graph: Graph) -> Graph:
    """All triples of ``graph`` in one rdflib Graph, literals exactly as the store holds them
    (``store.union`` lets rdflib normalise them, so ``"maybe"^^xsd:boolean`` would become ``"false"``)."""
    native = _store.oxigraph(graph)
    if native is None:
        return _store.union(graph)
    out = bind_prefixes(Graph())
    with quiet_literals():
        for t in native.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True):
            out.add((as_written(t.subject), as_written(t.predicate), as_written(t.object)))  # type: ignore[arg-type]
    return out


def _loaded(data: Any, kind: str) -> Dataset:
    """Data files (and graphs) given as a path or a list, loaded into a new ``kind`` dataset, one named graph each."""
    if isinstance(data, (str, os.PathLike)):
        data = [data]
    if not isinstance(data, Sequence) or isinstance(data, (str, bytes)):
        raise ClusterGraphError(f"cannot validate {type(data).__name__}", fix="pass an rdflib Graph or Dataset, a file path, or a list of them")
    ds = _store.open_dataset(kind)
    for i, source in enumerate(data):
        name = f"urn:clustergraph:validate:{i}"
        if isinstance(source, Graph):
            graph = ds.graph(URIRef(name))
            for t in _store.union(source):
                graph.add(t)
            continue
        path = Path(source)
        if not path.is_file():
            raise InputError("data file not found", file=str(path), fix="check the path and the current directory")
        _store.load(ds, path, graph=name)
    return ds


def _size(data: Graph, at_most: int | None = None) -> int:
    """Triples in ``data`` (all graphs of a dataset), counted up to ``at_most`` in Oxigraph
    (counting a million quads takes a quarter of a second); 0 where the store cannot count (remote endpoints)."""
    native = _store.oxigraph(data)
    try:
        if native is not None:
            if at_most is None:
                return len(native)
            return sum(1 for _ in itertools.islice(native.quads_for_pattern(None, None, None, None), at_most))
        if isinstance(data, Dataset):
            return sum(len(g) for g in data.graphs())
        return len(data)
    except Exception:  # rdflib's SPARQLStore and others do not implement len()
        return 0


@lru_cache(maxsize=4)
def _ontology(path: str, mtime: int) -> Graph:
    # through the input boundary (limits, DTDs refused, JSON-LD contexts bundled only), as data is
    return _store.read_graph(Path(path), format="turtle" if Path(path).suffix.lower() in ("", ".ttl", ".turtle") else None)


def ontology_graph(ontology: Any, shipped: bool) -> Graph | None:
    """The ontology to validate with, as :func:`validate`'s ``ontology`` argument names it.

    ``None`` means the shipped ontology when the shapes are the shipped ones
    (``shipped``) and none otherwise; ``True`` the shipped ontology; ``False`` none;
    a graph is used as it is, a path is parsed (and cached until the file changes).

    Raises
    ------
    InputError
        If the ontology file is missing.

    >>> ontology_graph(None, shipped=False) is None, ontology_graph(False, shipped=True) is None
    (True, True)
    >>> len(ontology_graph(True, shipped=False)) > 0
    True
    """
    if ontology is False:
        return None
    if isinstance(ontology, Graph):
        return ontology
    if ontology is None or ontology is True:
        if ontology is None and not shipped:
            return None
        path = ontology_path()
        if not path.is_file():
            return None
        return _ontology(str(path), path.stat().st_mtime_ns)
    path = Path(ontology)
    if not path.is_file():
        raise InputError("ontology file not found", file=str(path), fix="check the path")
    return _ontology(str(path.resolve()), path.stat().st_mtime_ns)


#: The declarations of the ontology's own classes and properties that the validated copy gets.
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def add_ontology_context(data: Graph, ontology: Graph) -> None:
    """Add what sh:class and sh:targetClass need from the ontology, without inferring:
    the named-class hierarchy (rdfs:subClassOf between IRIs), the description of
    the ontology's own individuals of clustergraph classes (roles, label levels, the
    14 industrial ecosystems), which data links to but does not repeat, and the
    declarations of its classes and properties in the clustergraph namespace
    (:data:`DECLARATIONS`), which tell the shapes of ``terms.ttl`` a typo from a term.

    >>> onto = Graph().parse(format="turtle", data='''
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix ex: <http://ex.org/> .
    ...   ex:Team rdfs:subClassOf ex:Group . ex:Team rdfs:label "team" .''')
    >>> data = Graph()
    >>> add_ontology_context(data, onto)
    >>> [(str(s), str(o)) for s, _, o in data]
    [('http://ex.org/Team', 'http://ex.org/Group')]
    """
    for s, _, o in ontology.triples((None, RDFS.subClassOf, None)):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            data.add((s, RDFS.subClassOf, o))
    for s, _, cls in ontology.triples((None, RDF.type, None)):
        if not isinstance(s, URIRef) or not isinstance(cls, URIRef):
            continue
        if str(cls).startswith(str(CG)):
            for p, o in ontology.predicate_objects(s):
                if not isinstance(o, BNode):
                    data.add((s, p, o))
        elif cls in DECLARATIONS and str(s).startswith(str(CG)):
            data.add((s, RDF.type, cls))


def rdfs_closure(data: Graph, ontology: Graph | None = None) -> int:
    """Add to ``data`` what RDFS entails from its own and ``ontology``'s axioms; return how many triples.

    The rules are those that matter for validation: ``rdfs:subPropertyOf``
    (rdfs5, rdfs7), ``rdfs:domain`` and ``rdfs:range`` (rdfs2, rdfs3) and
    ``rdfs:subClassOf`` (rdfs9, rdfs11), over named classes and properties (OWL
    class expressions such as ``owl:unionOf`` domains are skipped). Axiomatic
    triples and literal typing are left out. One pass over the data suffices because
    the hierarchies are closed first.

    >>> onto = Graph().parse(format="turtle", data='''
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix ex: <http://ex.org/> .
    ...   ex:leads rdfs:subPropertyOf ex:memberOf . ex:memberOf rdfs:range ex:Team .
    ...   ex:Team rdfs:subClassOf ex:Group .''')
    >>> data = Graph().parse(format="turtle", data="<http://ex.org/ann> <http://ex.org/leads> <http://ex.org/red> .")
    >>> rdfs_closure(data, onto)
    3
    >>> sorted(str(o) for o in data.objects(URIRef("http://ex.org/red"), RDF.type))
    ['http://ex.org/Group', 'http://ex.org/Team']
    """
    sources = [data] if ontology is None else [data, ontology]

    def closure(prop: URIRef) -> dict[Node, set[Node]]:
        direct: dict[Node, set[Node]] = {}
        for g in sources:
            for s, o in g.subject_objects(prop):
                if isinstance(s, URIRef) and isinstance(o, URIRef):
                    direct.setdefault(s, set()).add(o)
        result: dict[Node, set[Node]] = {}
        for start in direct:
            seen: set[Node] = set()
            todo = list(direct[start])
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(direct.get(node, ()))
            seen.discard(start)
            result[start] = seen
        return result

    def axioms(prop: URIRef) -> dict[Node, set[Node]]:
        out: dict[Node, set[Node]] = {}
        for g in sources:
            for s, o in g.subject_objects(prop):
                if isinstance(s, URIRef) and isinstance(o, URIRef):
                    out.setdefault(s, set()).add(o)
        return out

    superclasses, superproperties = closure(RDFS.subClassOf), closure(RDFS.subPropertyOf)
    domains, ranges = axioms(RDFS.domain), axioms(RDFS.range)
    before = len(data)
    added: list[tuple[Node, Node, Node]] = []
    for s, p, o in list(data):
        props = {p} | superproperties.get(p, set())
        added.extend((s, q, o) for q in props if q != p)
        for q in props:
            added.extend((s, RDF.type, c) for c in domains.get(q, ()))
            if not isinstance(o, Literal):
                added.extend((o, RDF.type, c) for c in ranges.get(q, ()))
    for t in added:
        data.add(t)
    for s, cls in list(data.subject_objects(RDF.type)):
        for sup in superclasses.get(cls, ()):
            data.add((s, RDF.type, sup))
    return len(data) - before


# --- names and provenance --------------------------------------------------------

_NAME_PROPERTIES = (RDFS.label, CG.acronym, SKOS.prefLabel, DCTERMS.title)


def entity_name(graph: Graph, node: Node) -> str | None:
    """The name a steward knows ``node`` by, or ``None``.

    ``rdfs:label`` (English first), else ``cg:acronym``, ``skos:prefLabel`` or
    ``dcterms:title``. Entities that have no name of their own are named after what
    they link: "Bronze label of Cap Digital" (a label award), "Cap Digital in CECIL"
    (a participation), "WP2 of INNO-DROP" (a work package), "call 2 of Cluster
    Excellence Programme" (a call), "SMEs represented of ..." (a statistic).

    >>> g = Graph().parse(format="turtle", data='''
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix cg: <https://w3id.org/clustergraph/ontology#> .
    ...   <http://ex.org/a> rdfs:label "Cap Digital"@fr, "Cap Digital Paris"@en .
    ...   <http://ex.org/p> cg:acronym "CECIL" .
    ...   <http://ex.org/x> cg:participant <http://ex.org/a> ; cg:project <http://ex.org/p> .''')
    >>> entity_name(g, URIRef("http://ex.org/a")), entity_name(g, URIRef("http://ex.org/x"))
    ('Cap Digital Paris', 'Cap Digital Paris in CECIL')
    """
    if isinstance(node, Literal):
        return None
    own = _own_name(graph, node)
    if own is not None:
        return own

    def linked(prop: URIRef) -> str | None:
        target = graph.value(node, prop)
        if target is None:
            return None
        return _own_name(graph, target) or (str(target) if isinstance(target, Literal) else None)

    holder, level = linked(CG.holder), linked(CG.level)
    if holder and level:
        kind = "target" if (node, RDF.type, CG.LabelTarget) in graph else "label"
        return f"{level} {kind} of {holder}"
    participant, project = linked(CG.participant), linked(CG.project)
    if participant and project:
        return f"{participant} in {project}"
    number = graph.value(node, CG.workPackageNumber)
    if number is not None and project:
        return f"WP{number} of {project}"
    ordinal, programme = graph.value(node, CG.ordinal), linked(CG.programme)
    if ordinal is not None and programme:
        return f"call {ordinal} of {programme}"
    measure, about = linked(CG.measure), linked(CG.about)
    if measure and about:
        return f"{measure} of {about}"
    return None


def _own_name(graph: Graph, node: Node) -> str | None:
    for prop in _NAME_PROPERTIES:
        names = [o for o in graph.objects(node, prop) if isinstance(o, Literal) and str(o).strip()]
        if names:
            names.sort(key=lambda lit: (lit.language not in ("en", None), lit.language or "", str(lit)))
            return str(names[0])
    return None


def source_of(graph: Graph, node: Node, *, dataset: Graph | None = None) -> tuple[str | None, int | None]:
    """The table file and row ``node`` was imported from, as the importer records it:
    ``node prov:qualifiedDerivation [ prov:entity ?g ; cg:sourceRow N ]`` and
    ``?g cg:sourceFile "data/projects.csv"``. ``(None, None)`` when not recorded.

    When several rows describe the entity (an event in the events table and in the
    event participants table), the row of the table that gives its type is chosen if
    ``dataset`` (with the source named graphs) is given, else the first by file name.

    >>> g = Graph().parse(format="turtle", data='''
    ...   @prefix prov: <http://www.w3.org/ns/prov#> . @prefix cg: <https://w3id.org/clustergraph/ontology#> .
    ...   <http://ex.org/p> prov:qualifiedDerivation [ prov:entity <http://ex.org/t> ; cg:sourceRow 4 ] .
    ...   <http://ex.org/t> cg:sourceFile "data/projects.csv" .''')
    >>> source_of(g, URIRef("http://ex.org/p"))
    ('data/projects.csv', 4)
    """
    if isinstance(node, Literal):
        return None, None
    found: list[tuple[int, str, int]] = []
    for derivation in graph.objects(node, PROV.qualifiedDerivation):
        row = graph.value(derivation, CG.sourceRow)
        entity = graph.value(derivation, PROV.entity)
        file = graph.value(entity, CG.sourceFile) if entity is not None else None
        if file is None:
            file = graph.value(derivation, CG.sourceFile)
        if file is None and row is None:
            continue
        try:
            number = int(row) if row is not None else -1
        except (TypeError, ValueError):
            number = -1
        home = 1
        if isinstance(dataset, Dataset) and isinstance(entity, URIRef) and (node, RDF.type, None) in dataset.graph(entity):
            home = 0
        found.append((home, str(file) if file is not None else "", number))
    if not found:
        return None, None
    _, file, row = sorted(found)[0]
    return file or None, (row if row >= 0 else None)


def _path_text(shapes: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _qname(path)
    try:
        from rdflib.extras.shacl import parse_shacl_path

        parsed = parse_shacl_path(shapes, path)
    except Exception:  # an unusual path: show it as a blank node
        return None
    ns = shapes.namespace_manager
    try:
        return parsed.n3(ns) if hasattr(parsed, "n3") else str(parsed)
    except TypeError:
        return parsed.n3()


def _qname(node: Node) -> str:
    text = str(node)
    for prefix, ns in PREFIXES.items():
        if text.startswith(str(ns)):
            local = text[len(str(ns)) :]
            if local and "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
    return f"<{text}>"


def _substitute(message: str, finding: Finding, ontology: Graph | None = None) -> str:
    if "{" not in message:
        return message

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "this":
            return finding.entity_name or str(finding.focus)
        if name == "value":
            return str(finding.value) if finding.value is not None else ""
        if name == "suggestion":
            return suggestion(finding, ontology)
        return finding.path_text or (str(finding.path) if finding.path is not None else "")

    return _PLACEHOLDER.sub(repl, message)


def suggestion(finding: Finding, ontology: Graph | None) -> str:
    """What ``{?suggestion}`` in a message says: the class (for a finding on ``rdf:type`` or
    on a node) or property of the ontology whose name is closest to the unknown one (the
    finding's value if it is a clustergraph IRI, else its path; the namespace in any
    case), as the prefixed name (``cg:`` and the term), or ``"a name the ontology declares"`` when none is close.

    >>> onto = Graph().parse(format="turtle", data='''@prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...   @prefix cg: <https://w3id.org/clustergraph/ontology#> .
    ...   cg:totalBudget a owl:DatatypeProperty . cg:Project a owl:Class .''')
    >>> typo = Finding(URIRef("urn:x"), URIRef(str(CG) + "totalBugdet"), "Warning", "", Literal(5), None, None)
    >>> suggestion(typo, onto), suggestion(typo.with_(path=RDF.type, value=CG.project), onto)
    ('cg:totalBudget', 'cg:Project')
    """
    import difflib

    fallback = "a name the ontology declares"
    namespace = str(CG).lower()

    def ours(node: Node | None) -> bool:
        return isinstance(node, URIRef) and str(node).lower().startswith(namespace)

    unknown = finding.value if ours(finding.value) else finding.path
    if ontology is None or not ours(unknown):
        return fallback
    is_class = finding.path == RDF.type or finding.path is None
    kinds = (OWL.Class,) if is_class else (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    names = {str(s)[len(str(CG)) :] for kind in kinds for s in ontology.subjects(RDF.type, kind) if str(s).startswith(str(CG))}
    local = str(unknown)[len(namespace) :]
    exact = [n for n in names if n.lower() == local.lower()]
    close = exact or [n for lower in difflib.get_close_matches(local.lower(), [n.lower() for n in names], n=1, cutoff=0.75) for n in names if n.lower() == lower]
    return f"cg:{sorted(close)[0]}" if close else fallback


def _enrich(findings: Iterable[Finding], data: Graph, shapes: Graph, dataset: Any = None, ontology: Graph | None = None) -> list[Finding]:
    names: dict[Node, tuple[str | None, str | None, int | None]] = {}
    out = []
    for f in findings:
        if f.focus not in names:
            names[f.focus] = (entity_name(data, f.focus), *source_of(data, f.focus, dataset=dataset))
        name, file, row = names[f.focus]
        f = f.with_(
            entity_name=f.entity_name or name,
            source_file=f.source_file or file,
            source_row=f.source_row if f.source_row is not None else row,
            path_text=f.path_text or _path_text(shapes, f.path),
        )
        out.append(f.with_(message=_substitute(f.message, f, ontology)))
    return sort_findings(out)


# --- where a value is written -----------------------------------------------------------

#: Data files read to find the line of an offending value (larger ones are not).
LOCATE_MAX_BYTES = 16 * 1024 * 1024


def _files(data: Any) -> list[Path]:
    """The data files among what :func:`validate` was given."""
    if isinstance(data, (str, os.PathLike)):
        data = [data]
    if isinstance(data, Graph) or not isinstance(data, Sequence) or isinstance(data, (str, bytes)):
        return []
    return [Path(d) for d in data if isinstance(d, (str, os.PathLike))]


def _locate(findings: list[Finding], files: list[Path]) -> list[Finding]:
    """Add the data file and line where each offending literal is written, where the text shows it.

    A line qualifies when it has the literal's text (in quotes, or as a bare token for
    numbers and booleans) and the property's name, and it or the first line of its
    statement names the entity (for a blank node, when it is the only such line).
    Values the parser rewrote (``2.0`` is stored as ``2``, ``2.5E5`` as ``250000``) or
    that the file escapes are not found and get no line: no line is better than a
    wrong one. Each file is read once, into an index of the texts on its lines.
    """
    wanted = [f for f in findings if isinstance(f.value, Literal) and isinstance(f.path, URIRef) and f.data_line is None]
    if not wanted:
        return findings
    texts: dict[Path, list[str]] = {}
    index: dict[str, list[tuple[Path, int]]] = {}
    for path in files:
        try:
            if path.stat().st_size > LOCATE_MAX_BYTES:
                continue
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        texts[path] = lines
        for number, line in enumerate(lines, 1):
            for match in _TOKEN.finditer(line):
                text = next(g for g in match.groups() if g is not None)
                index.setdefault(text, []).append((path, number))
    found: dict[tuple[Node, Node, Node | None], tuple[str, int] | None] = {}
    out = []
    wanted_ids = {id(f) for f in wanted}
    for f in findings:
        if id(f) not in wanted_ids:
            out.append(f)
            continue
        key = (f.focus, f.value, f.path)
        if key not in found:
            found[key] = _line_of(texts, index.get(str(f.value), []), f.path, f.focus)  # type: ignore[arg-type]
        where = found[key]
        out.append(f if where is None else f.with_(data_file=where[0], data_line=where[1]))
    return out


# The texts a line may give a literal with: in double or single quotes (without escapes),
# or bare for numbers and booleans.
_TOKEN = re.compile(r'"([^"\\\n]*)"|\'([^\'\\\n]*)\'|(?<![\w."\'-])([+-]?[0-9][0-9.eE+-]*|true|false)(?![\w.])')


def _local(node: Node) -> str:
    return re.split(r"[#/:]", str(node).rstrip("/#"))[-1]


def _line_of(texts: dict[Path, list[str]], candidates: list[tuple[Path, int]], path: URIRef, focus: Node) -> tuple[str, int] | None:
    name = re.compile(r"(?<![\w-])" + re.escape(_local(path)) + r"(?![\w-])")
    hits = sorted({(file, i) for file, i in candidates if name.search(texts[file][i - 1])}, key=lambda h: (str(h[0]), h[1]))
    if isinstance(focus, URIRef):  # the line must be in a statement about the entity
        subject = re.compile(r"(?<![\w-])" + re.escape(_local(focus)) + r"(?![\w-])")
        hits = [(file, i) for file, i in hits if subject.search(texts[file][i - 1]) or subject.search(_statement_start(texts[file], i))]
    return (str(hits[0][0]), hits[0][1]) if len(hits) == 1 else None


def _statement_start(lines: list[str], number: int) -> str:
    """The first line of the Turtle statement that line ``number`` belongs to: the first line
    with text after the nearest line above it that ends a statement (with a full stop)."""
    first = number
    for i in range(number - 1, 0, -1):
        if lines[i - 1].rstrip().endswith("."):
            break
        if lines[i - 1].strip() and not lines[i - 1].lstrip().startswith("#"):
            first = i
    return lines[first - 1]


# --- pySHACL ----------------------------------------------------------------------


def _message(graph: Graph, result: Node) -> tuple[str, str | None]:
    messages = [m for m in graph.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    if not messages:
        return "", None
    messages.sort(key=lambda m: (m.language not in (None, "en"), str(m)))
    return str(messages[0]), messages[0].language


def _findings_from_pyshacl(report: Graph) -> tuple[list[Finding], Graph]:
    findings = []
    context = Graph()
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        message, lang = _message(report, result)
        f = Finding(
            focus=focus,
            path=report.value(result, SH.resultPath),
            severity=severity_name(report.value(result, SH.resultSeverity)),
            message=message,
            message_lang=lang,
            value=report.value(result, SH.value),
            source_shape=report.value(result, SH.sourceShape),
            constraint=report.value(result, SH.sourceConstraintComponent),
            source_constraint=report.value(result, SH.sourceConstraint),
        )
        for term in (f.focus, f.path, f.value, f.source_shape, f.source_constraint):
            copy_description(report, term, context)
        findings.append(f)
    return findings, context


def _run_pyshacl(data: Graph, shapes: Graph) -> tuple[list[Finding], Graph]:
    import pyshacl
    from pyparsing import ParseException
    from pyshacl.errors import ReportableRuntimeError, ValidationFailure

    fix_pyshacl_messages()
    try:
        with _quiet(), quiet_literals():
            _, graph, _ = pyshacl.validate(
                data,
                shacl_graph=shapes,
                inference=None,
                advanced=_needs_advanced(shapes),
                inplace=True,
                allow_warnings=True,
                allow_infos=True,
                js=False,
                do_owl_imports=False,
                meta_shacl=False,
            )
    except ParseException as exc:
        raise ShapesError(f"{_bad_sparql(shapes) or 'a shape'}: its SPARQL does not parse: {_first_line(exc)}", fix="correct the query (sh:select / sh:ask) of that shape") from None
    except ReportableRuntimeError as exc:
        where = _shacl_problem(shapes)
        raise ShapesError(
            f"{where + ': ' if where else ''}the shapes cannot be used: {_first_line(exc)}",
            fix="correct that shape (see the SHACL specification for the constraint)",
        ) from None
    except Exception as exc:  # rdflib raises bare Exceptions for SPARQL in shapes (e.g. an undeclared prefix)
        if _shapes_run(shapes):
            # the shapes are fine on their own: something in the data made pySHACL or rdflib fail
            raise ClusterGraphError(
                f"pySHACL failed on this data: {type(exc).__name__}: {_first_line(exc)}",
                fix="validate with --engine sparql (engine='sparql'), and report the data that causes it",
            ) from None
        raise ShapesError(
            f"a shape failed while validating: {type(exc).__name__}: {_first_line(exc)}",
            fix="check the SPARQL of the shapes (declare prefixes with sh:prefixes/sh:declare) and their constraints",
        ) from None
    if isinstance(graph, ValidationFailure):
        raise ShapesError(f"the shapes failed while validating: {_first_line(graph)}", fix="correct the SPARQL or the constraint of the shape it names")
    return _findings_from_pyshacl(graph)


def _shapes_run(shapes: Graph) -> bool:
    """True if pySHACL validates an empty graph with ``shapes`` (then a failure came from the data)."""
    import pyshacl

    try:
        with _quiet():
            pyshacl.validate(_PreparedQueryGraph(), shacl_graph=shapes, inference=None, advanced=_needs_advanced(shapes), js=False, do_owl_imports=False)
    except Exception:
        return False
    return True


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep pySHACL and rdflib from writing to the terminal (they print and log
    while loading shapes and reading ill-typed literals); findings and errors are
    reported through the return value and exceptions instead."""
    logger = logging.getLogger("pyshacl-validate")
    was = logger.disabled
    logger.disabled = True
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            yield
    finally:
        logger.disabled = was


def _shacl_problem(shapes: Graph) -> str | None:
    """Name the first shape that breaks the SHACL-for-SHACL shapes of the specification
    (only called once loading failed, to say where)."""
    import pyshacl

    try:
        with _quiet():
            shacl_shacl = Graph().parse(Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl", format="turtle")
            conforms, report, _ = pyshacl.validate(shapes, shacl_graph=shacl_shacl)
    except Exception:  # the check itself failed: say nothing rather than something wrong
        return None
    if conforms:
        return None
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        owner = focus
        while isinstance(owner, BNode):
            parent = next(shapes.subjects(None, owner), None)
            if parent is None:
                break
            owner = parent
        text = f"shape {owner.n3(shapes.namespace_manager)}"
        if owner != focus and (focus, SH.path, None) in shapes:
            text += f" (property {shapes.value(focus, SH.path).n3(shapes.namespace_manager)})"
        if path is not None and isinstance(path, URIRef):
            text += f", {path.n3(shapes.namespace_manager)}"
        return text
    return None


def _bad_sparql(shapes: Graph) -> str | None:
    """The first shape whose SPARQL does not parse, as ``<shape>`` text, for error messages."""
    from rdflib.plugins.sparql import prepareQuery

    declared = {
        str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
        for d in shapes.objects(None, SH.declare)
        if shapes.value(d, SH.prefix) is not None and shapes.value(d, SH.namespace) is not None
    }
    for key in (SH.select, SH.ask):
        for constraint, _, text in shapes.triples((None, key, None)):
            try:
                prepareQuery(re.sub(r"\$(\w+)", r"?\1", str(text)), initNs=declared)
            except Exception:
                owner = next(shapes.subjects(SH.sparql, constraint), constraint)
                return f"shape {owner.n3(shapes.namespace_manager)}"
    return None


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else type(exc).__name__


def _run_sparql(data: Graph, shapes: Graph, ontology: Graph | None = None) -> tuple[list[Finding], Graph, Graph | None]:
    extra = None
    if ontology is not None:
        extra = Graph()
        add_ontology_context(extra, ontology)
    findings = list(sparql.check(data, shapes, context=extra))
    context = Graph()
    for f in findings:
        for term in (f.path, f.source_shape, f.source_constraint):
            copy_description(shapes, term, context)
    return findings, context, extra


# --- the entry point ----------------------------------------------------------------


def validate(
    data: Graph | Dataset | str | os.PathLike[str] | Sequence[Any],
    *,
    shapes: Graph | str | os.PathLike[str] | None = None,
    inference: str = "none",
    engine: str = "auto",
    fail_on: str = "violation",
    ontology: Graph | str | os.PathLike[str] | bool | None = None,
    allow_service_hosts: Iterable[str] = (),
) -> ValidationReport:
    """Validate ``data`` against SHACL shapes and return the findings.

    Parameters
    ----------
    data:
        An rdflib ``Graph`` or ``Dataset`` in any store (its named graphs are
        validated together, as one union graph), an RDF file path, or a list of
        those. The caller's graph is never modified.
    shapes:
        ``None`` for the shipped shapes, a directory of Turtle files, one file, or
        an rdflib ``Graph`` of shapes.
    inference:
        ``"none"`` (default) or ``"rdfs"``: add the RDFS consequences of the data's
        and the ontology's subclass, subproperty, domain and range axioms to the copy
        that is validated (:func:`rdfs_closure`).
    engine:
        ``"auto"`` (default: pySHACL below :data:`AUTO_SPARQL_TRIPLES` triples or with
        RDFS inference, the SPARQL engine otherwise), ``"pyshacl"``, or ``"sparql"``
        (shapes compiled to SPARQL and run in the data's Oxigraph store; data files and
        graphs in other stores are loaded into Oxigraph first). Both give the same findings.
    fail_on:
        The least severe finding that makes the data not conform: ``"violation"``
        (default), ``"warning"`` or ``"info"``.
    ontology:
        The ontology whose class hierarchy (``rdfs:subClassOf`` between named
        classes) and own individuals (roles, label levels, ecosystems) are added to
        the copy that is validated, so that ``sh:class`` and ``sh:targetClass`` see
        subclasses and the data may link to those individuals without repeating
        them; with ``inference="rdfs"`` its axioms are applied too. ``None``
        (default) uses the shipped ontology with the shipped shapes and nothing with
        other shapes; ``True`` the shipped ontology; ``False`` none; or a graph or file.
    allow_service_hosts:
        Hosts that shapes may call with SPARQL ``SERVICE`` (none by default).

    Returns
    -------
    ValidationReport
        Findings sorted by severity and entity; ``report.conforms`` under ``fail_on``.

    Raises
    ------
    ShapesError
        The shapes are unparsable, invalid SHACL, or call a ``SERVICE`` (exit status 3).
    InputError
        A data file is missing or unparsable (exit status 2).

    >>> report = validate(Graph())
    >>> report.conforms, report.summary()
    (True, '0 violations, 0 warnings, 0 info')
    """
    fail_on = check_fail_on(fail_on)
    if engine not in ENGINES:
        raise ClusterGraphError(f"unknown validation engine {engine!r}", fix=f"use one of {', '.join(ENGINES)}")
    if inference not in INFERENCE:
        raise ClusterGraphError(f"unknown inference {inference!r}", fix=f"use one of {', '.join(INFERENCE)}")
    shapes_graph = load_shapes(shapes)
    policy = offline.current_policy()  # --allow-network HOST names hosts for shapes' SERVICE too
    if not policy.any_host:
        check_shapes_safety(shapes_graph, allow_service_hosts=[*allow_service_hosts, *policy.hosts])
    onto = ontology_graph(ontology, shipped=shapes is None)
    files = _files(data)
    if not isinstance(data, Graph):
        data = _loaded(data, "oxigraph")  # files: Oxigraph's strict bulk loader, for either engine
    if engine == "auto":
        remote = _store.is_remote(data)  # a remote store is checked where it is: only the findings travel
        engine = "sparql" if inference == "none" and (remote or _size(data, AUTO_SPARQL_TRIPLES) >= AUTO_SPARQL_TRIPLES) else "pyshacl"
    if engine == "sparql":
        if inference != "none":
            raise ClusterGraphError("the sparql engine does not infer", fix="use --engine pyshacl with --inference rdfs")
        target = data
        findings, context, extra = _run_sparql(target, shapes_graph, onto)
        names_from: Graph = target if extra is None else ReadOnlyGraphAggregate([target, extra])
    else:
        copy = data_graph(data)
        originals = replace_unreadable(copy)  # the literals as the sparql engine sees them
        if onto is not None:
            add_ontology_context(copy, onto)
        if inference == "rdfs":
            rdfs_closure(copy, onto)
        findings, context = _run_pyshacl(copy, shapes_graph)
        if originals:
            findings = [
                f.with_(focus=restore(f.focus, originals), value=restore(f.value, originals), message=restore_text(f.message, originals, copy) or "")
                for f in findings
            ]
        names_from = copy
    dataset = data if isinstance(data, Dataset) else None
    for prefix, ns in shapes_graph.namespaces():  # the report speaks the shapes' prefixes
        context.bind(prefix, ns, override=False)
    with quiet_literals():  # names are read from the data, which may hold ill-typed literals
        findings = _enrich(findings, names_from, shapes_graph, dataset, onto)
    if files:
        findings = _locate(findings, files)
    return ValidationReport(findings, fail_on=fail_on, engine=engine, context=context)
