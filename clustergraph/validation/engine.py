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
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from ..errors import ClusterGraphError, InputError, ShapesError
from ..namespaces import CG, PREFIXES
from ..resources import ontology_path
from ..store import dataset as _store
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
_PLACEHOLDER = re.compile(r"\{[?$](this|value|path)\}")


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

    return prepareQuery(text, initNs=dict(namespaces))


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
        merged = _store.union(data)
        for prefix, ns in data.namespaces():  # the data's own prefixes, as rdflib's query() would see them
            merged.bind(prefix, ns, override=False)
        return merged
    return _store.union(_loaded(data, "memory"))


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


def _size(data: Graph) -> int:
    """Triples in ``data`` (all graphs of a dataset); 0 where the store cannot count (remote endpoints)."""
    native = _store.oxigraph(data)
    try:
        if native is not None:
            return len(native)
        if isinstance(data, Dataset):
            return sum(len(g) for g in data.graphs())
        return len(data)
    except Exception:  # rdflib's SPARQLStore and others do not implement len()
        return 0


@lru_cache(maxsize=4)
def _ontology(path: str, mtime: int) -> Graph:
    return Graph().parse(path, format="turtle")


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


def add_ontology_context(data: Graph, ontology: Graph) -> None:
    """Add what sh:class and sh:targetClass need from the ontology, without inferring:
    the named-class hierarchy (rdfs:subClassOf between IRIs) and the description of
    the ontology's own individuals of clustergraph classes (roles, label levels, the
    14 industrial ecosystems), which data links to but does not repeat.

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
        if isinstance(s, URIRef) and isinstance(cls, URIRef) and str(cls).startswith(str(CG)):
            for p, o in ontology.predicate_objects(s):
                if not isinstance(o, BNode):
                    data.add((s, p, o))


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
        names = [o for o in graph.objects(node, prop) if isinstance(o, Literal)]
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


def _substitute(message: str, finding: Finding) -> str:
    if "{" not in message:
        return message

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "this":
            return finding.entity_name or str(finding.focus)
        if name == "value":
            return str(finding.value) if finding.value is not None else ""
        return finding.path_text or (str(finding.path) if finding.path is not None else "")

    return _PLACEHOLDER.sub(repl, message)


def _enrich(findings: Iterable[Finding], data: Graph, shapes: Graph, dataset: Any = None) -> list[Finding]:
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
        out.append(f.with_(message=_substitute(f.message, f)))
    return sort_findings(out)


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

    try:
        with _quiet():
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
        raise ShapesError(
            f"a shape failed while validating: {type(exc).__name__}: {_first_line(exc)}",
            fix="check the SPARQL of the shapes (declare prefixes with sh:prefixes/sh:declare) and their constraints",
        ) from None
    if isinstance(graph, ValidationFailure):
        raise ShapesError(f"the shapes failed while validating: {_first_line(graph)}", fix="correct the SPARQL or the constraint of the shape it names")
    return _findings_from_pyshacl(graph)


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
    check_shapes_safety(shapes_graph, allow_service_hosts=allow_service_hosts)
    onto = ontology_graph(ontology, shipped=shapes is None)
    if engine != "pyshacl" and not isinstance(data, Graph):
        data = _loaded(data, "oxigraph")  # files: Oxigraph's strict bulk loader, for either engine
    if engine == "auto":
        engine = "sparql" if inference == "none" and _size(data) >= AUTO_SPARQL_TRIPLES else "pyshacl"
    if engine == "sparql":
        if inference != "none":
            raise ClusterGraphError("the sparql engine does not infer", fix="use --engine pyshacl with --inference rdfs")
        target = data
        findings, context, extra = _run_sparql(target, shapes_graph, onto)
        names_from: Graph = target if extra is None else ReadOnlyGraphAggregate([target, extra])
    else:
        copy = data_graph(data)
        if onto is not None:
            add_ontology_context(copy, onto)
        if inference == "rdfs":
            rdfs_closure(copy, onto)
        findings, context = _run_pyshacl(copy, shapes_graph)
        names_from = copy
    dataset = data if isinstance(data, Dataset) else None
    for prefix, ns in shapes_graph.namespaces():  # the report speaks the shapes' prefixes
        context.bind(prefix, ns, override=False)
    return ValidationReport(_enrich(findings, names_from, shapes_graph, dataset), fail_on=fail_on, engine=engine, context=context)
