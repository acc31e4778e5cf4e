"""Running a plan in Oxigraph: the results, the shapes left to pySHACL, and findings for the engine."""

from __future__ import annotations

import itertools
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ...errors import EndpointError, ShapesError
from ... import progress
from ...store.dataset import is_remote, oxigraph, to_oxigraph
from .checks import (
    PLACEHOLDER,
    Check,
    Plan,
    Result,
    Row,
    SparqlReport,
    resolve_placeholders,
)
from .compilation import compile_shapes
from .literals import (
    as_written,
    quiet_literals,
    replace_unreadable,
    restore,
    restore_text,
)
from .shapes import TARGETS, Shape, read_shapes

__all__ = ["check", "fix_pyshacl_messages", "restricted", "results_from_report", "validate_sparql"]


def _native(dataset: Graph, context: Graph | None = None) -> tuple[ox.Store, Callable[[], None]]:
    """The Oxigraph store to query (the dataset's own, or a copy) and a clean-up function.

    ``context`` triples are visible to the queries: in a copy they are simply added;
    in the caller's own store they go into a temporary named graph that the
    clean-up function removes.
    """
    native = oxigraph(dataset)
    extra = [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.DefaultGraph()) for s, p, o in (context or ())]
    if native is not None:
        if not extra:
            return native, lambda: None
        name = ox.NamedNode(f"urn:clustergraph:shaclsparql:context:{uuid.uuid4()}")
        native.extend([ox.Quad(q.subject, q.predicate, q.object, name) for q in extra])
        return native, lambda: native.remove_graph(name)
    store = ox.Store()
    quads = []
    if hasattr(dataset, "quads"):
        for s, p, o, g in dataset.quads((None, None, None, None)):  # type: ignore[attr-defined]
            name = getattr(g, "identifier", g)
            quads.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(name) if isinstance(name, (URIRef, BNode)) else ox.DefaultGraph()))
    else:
        for s, p, o in dataset:
            quads.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.DefaultGraph()))
    store.extend(quads + extra)
    return store, lambda: None


def _result(focus: Node, path: Node | None, value: Node | None, shape: Shape, component: URIRef, messages: list[Literal], source_constraint: Node | None = None) -> Result:
    unique = sorted(set(messages), key=lambda m: (str(m), m.language or ""))
    return Result(focus, path, value, shape.severity, shape.node, component, "\n".join(sorted({str(m) for m in unique})) or None, source_constraint, tuple(unique))  # type: ignore[arg-type]


def _substitute(message: str, values: dict[str, Node]) -> str:
    for var, val in values.items():
        message = re.sub("{{[?$]{}}}".format(var), str(val).replace("\\", "\\\\"), message)
    return message


_Fetched = list[tuple[Node | None, list[dict[str, Node]]]]


def _solutions(native: ox.Store, query: str, **kwargs: Any) -> list[dict[str, Node]]:
    """Run ``query`` and return its solutions as dicts of rdflib terms (unbound variables left out)."""
    solutions = native.query(query, use_default_graph_as_union=True, **kwargs)
    names = [v.value for v in solutions.variables]
    with quiet_literals():  # values keep their text: "maybe"^^xsd:boolean is not reported as "false"
        return [{n: as_written(sol[i]) for i, n in enumerate(names) if sol[i] is not None} for sol in solutions]


def _rows(native: Any, query: str, check: Check, resolve: Callable[[str], str], **kwargs: Any) -> list[dict[str, Node]]:
    """The solutions of a check; on a remote store a query that times out is run in parts of its focus nodes."""
    if not hasattr(native, "endpoint"):
        return _solutions(native, query, **kwargs)
    from .remote import solutions_in_parts

    focus = resolve("SELECT DISTINCT ?this WHERE { " + check.route.focus("?this") + " }")
    return solutions_in_parts(native, query, focus, lambda q: _solutions(native, q, **kwargs))


def _fetch(native: ox.Store, check: Check, resolve: Callable[[str], str], prefixes: dict[str, str]) -> _Fetched:
    """The rows of one check (the part that runs in Oxigraph; safe to run in a thread).

    Returns (pre-bound focus node, rows) pairs: one pair with ``None`` for a check that
    runs once, one per focus node for a SPARQL constraint that needs ``$this`` substituted.
    """
    info = check.sparql
    if info is None:
        return [(None, _rows(native, resolve(check.query), check, resolve))]
    if info.per_focus is None:
        return [(None, _rows(native, resolve(check.query), check, resolve, prefixes=prefixes))]
    out: _Fetched = []
    focus_query = resolve("SELECT ?this WHERE { " + check.route.focus("?this") + " }")
    for sol in native.query(focus_query, use_default_graph_as_union=True):
        node = sol[0]
        rows = _solutions(native, info.per_focus, prefixes=prefixes, substitutions={ox.Variable("this"): node})
        out.append((as_written(node), rows))
    return out


def _sparql_results(rows: list[dict[str, Node]], prebound: Node | None, check: Check, shape: Shape) -> list[Result]:
    info = check.sparql
    assert info is not None
    seen: set[Any] = set()
    results = []
    failure_seen: set[Node] = set()
    this_projected = "this" in info.projects or "*" in info.projects
    for found in rows:
        row = dict(found)
        focus = row.pop("this", None) if prebound is None else prebound
        if prebound is not None:
            row.pop("this", None)
        extra = dict(row)
        if "failure" in extra:
            extra.pop("failure")
            if focus in failure_seen:
                continue
            failure_seen.add(focus)
            t, p, v = None, None, (None if shape.is_property else focus)
            bound: dict[str, Node] = dict(extra)
        else:
            p = extra.pop("path", None)
            v = extra.pop("value", None)
            t = focus if this_projected else None
            if p is None and v is None and t is None:
                continue
            key = (focus, t, p, v, frozenset(extra.items()))
            if key in seen:
                continue
            seen.add(key)
            if v is None:
                v = None if shape.is_property else focus
            bound = dict(extra)
            if t is not None:
                bound["this"] = t
            if p is not None:
                bound["path"] = p
            if v is not None:
                bound["value"] = v
        texts = [Literal(_substitute(str(m), bound), lang=m.language) for m in (*info.messages, *shape.messages)]
        path = p if p is not None else shape.path
        results.append(_result(t or focus, path, v, shape, SH.SPARQLConstraintComponent, texts, info.node))  # type: ignore[arg-type]
    return results


def _build(check: Check, fetched: _Fetched, shapes: dict[Node, Shape], dg: Graph, sg: Graph) -> list[Result]:
    """Results (with pySHACL's messages) from the rows of one check."""
    if check.sparql is not None:
        shape = shapes[check.shape.node]
        return [r for prebound, rows in fetched for r in _sparql_results(rows, prebound, check, shape)]
    results = []
    seen: set[tuple[int, Node]] = set()
    for _, rows in fetched:
        for row in rows:
            focus = row["this"]
            value = row.get("value")
            rpath = row.get("rpath")
            for k, part in enumerate(check.parts):
                if part.flag is not None:
                    flag = row.get(part.flag[1:])
                    if flag is None or str(flag) not in ("true", "1"):  # a store may answer booleans as 1/0 (Virtuoso)
                        continue
                if part.per_focus:
                    if (k, focus) in seen:
                        continue
                    seen.add((k, focus))
                shape = shapes[part.shape.node]
                r = Row(focus, None if part.per_focus else value, rpath, row)
                path = rpath if rpath is not None else shape.path
                msgs = list(shape.messages) or [Literal(m) for m in (part.message(dg, sg, r) if part.message else [])]
                results.append(_result(focus, path, r.value, shape, part.component, msgs))
    return results


def _closure(native: ox.Store, queries: Sequence[str]) -> dict[str, list[str]]:
    """Each class named in a placeholder with its subclasses in the data (rdfs:subClassOf*)."""
    classes = sorted({m.group(3) for q in queries for m in PLACEHOLDER.finditer(q)})
    out: dict[str, list[str]] = {c: [] for c in classes}
    if not classes:
        return out
    if hasattr(native, "endpoint"):
        # A remote store: the hierarchy's pairs, closed here. Stores differ on paths with an
        # unbound start (Virtuoso refuses ?sub rdfs:subClassOf* ?c: "transitive start not given").
        below: dict[str, set[str]] = {}
        for sol in native.query(f"SELECT DISTINCT ?sub ?c WHERE {{ ?sub <{RDFS.subClassOf}> ?c }}"):
            if isinstance(sol[0], ox.NamedNode) and isinstance(sol[1], ox.NamedNode):
                below.setdefault(sol[1].value, set()).add(sol[0].value)
        for c in classes:
            seen, todo = {c}, [c]
            while todo:
                for sub in below.get(todo.pop(), ()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            out[c] = sorted(seen)
    else:
        query = f"SELECT ?c ?sub WHERE {{ VALUES ?c {{ {' '.join(f'<{c}>' for c in classes)} }} ?sub <{RDFS.subClassOf}>* ?c }}"
        for sol in native.query(query, use_default_graph_as_union=True):
            sub = sol[1]
            if isinstance(sub, ox.NamedNode):
                out[sol[0].value].append(sub.value)
    for c, subs in out.items():
        subs.sort(key=lambda x: (x != c, x))
        if c not in subs:
            subs.insert(0, c)
    return out


def restricted(sg: Graph, keep: set[Node]) -> Graph:
    """``sg`` with only the shapes in ``keep`` targeting anything (the others stay, to be referenced).

    >>> sg = Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
    ...     "<http://ex.org/A> sh:targetNode <http://ex.org/a> . <http://ex.org/B> sh:targetNode <http://ex.org/b> .", format="turtle")
    >>> [str(s) for s in restricted(sg, {URIRef("http://ex.org/A")}).subjects(SH.targetNode, None)]
    ['http://ex.org/A']
    """
    reduced = Graph(namespace_manager=sg.namespace_manager)
    class_like = set(sg.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    for s, p, o in sg:
        if s not in keep and (p in TARGETS or p == SH.target or (p == RDF.type and o in class_like)):
            continue
        reduced.add((s, p, o))
    return reduced


_MESSAGE_FIX: list[bool] = []


def fix_pyshacl_messages() -> None:
    """Let pySHACL put any text into a SHACL-SPARQL message (installed once).

    pySHACL 0.40 fills ``{?var}`` with ``re.sub(pattern, str(value), message)``, which
    reads a backslash in the value as a group reference: a value such as ``7\\1``
    raises ``re.error`` and aborts the whole validation. The values are escaped for it,
    so the message gets their text unchanged.
    """
    if _MESSAGE_FIX:
        return
    from pyshacl.constraints.constraint_component import ConstraintComponent

    original = ConstraintComponent._format_sparql_based_result_message

    def escaped(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: escaped(v) for k, v in value.items()}
        if isinstance(value, (tuple, list)):
            return type(value)(escaped(v) for v in value)
        return None if value is None else str(value).replace("\\", "\\\\")

    def format_message(self: Any, msg: Any, bound_vars: Any) -> Any:
        return original(self, msg, escaped(bound_vars))

    ConstraintComponent._format_sparql_based_result_message = format_message  # type: ignore[method-assign]
    _MESSAGE_FIX.append(True)


def _pyshacl_fallback(dataset: Graph, sg: Graph, keep: set[Node], context: Graph | None = None) -> list[Result]:
    """Validate only the shapes in ``keep`` with pySHACL on an in-memory copy of the data."""
    import pyshacl

    from ...store.dataset import union

    reduced = restricted(sg, keep)
    native = oxigraph(dataset)
    if native is None:
        data = union(dataset)
    else:  # literals as the store holds them (rdflib would normalise "maybe"^^xsd:boolean to "false")
        data = Graph()
        with quiet_literals():
            for t in native.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True):
                data.add((as_written(t.subject), as_written(t.predicate), as_written(t.object)))  # type: ignore[arg-type]
    data.namespace_manager = dataset.namespace_manager
    originals = replace_unreadable(data)  # the literals the compiled checks cannot read fail as they do there
    fix_pyshacl_messages()
    for t in context or ():
        data.add(t)
    try:
        with quiet_literals():
            _conforms, report, _text = pyshacl.validate(data, shacl_graph=reduced, inference="none", advanced=False)
    except Exception as exc:  # pySHACL raises many types for shapes it cannot use
        raise ShapesError(f"pySHACL could not validate the shapes left to it ({', '.join(sorted(map(str, keep)))}): {type(exc).__name__}: {exc}", fix="correct or simplify those shapes") from None
    if not isinstance(report, Graph):
        raise ShapesError(f"pySHACL could not validate the shapes left to it: {report}", fix="correct or simplify those shapes")
    results = results_from_report(report)
    if originals:
        results = [
            r._replace(
                focus=restore(r.focus, originals),
                value=restore(r.value, originals),
                message=restore_text(r.message, originals, data),
                messages=tuple(Literal(restore_text(str(m), originals, data), lang=m.language) for m in r.messages),
            )
            for r in results
        ]
    return results


def results_from_report(report: Graph) -> list[Result]:
    """Read pySHACL's (or any SHACL) validation report graph into :class:`Result` tuples.

    >>> results_from_report(Graph())
    []
    """
    out = []
    for r in report.objects(None, SH.result):
        literals = sorted({m for m in report.objects(r, SH.resultMessage) if isinstance(m, Literal)}, key=lambda m: (str(m), m.language or ""))
        out.append(
            Result(
                report.value(r, SH.focusNode),
                report.value(r, SH.resultPath),
                report.value(r, SH.value),
                report.value(r, SH.resultSeverity),
                report.value(r, SH.sourceShape),
                report.value(r, SH.sourceConstraintComponent),
                "\n".join(sorted({str(m) for m in literals})) or None,
                report.value(r, SH.sourceConstraint),
                tuple(literals),
            )  # type: ignore[arg-type]
        )
    return out


def validate_sparql(
    dataset: Graph,
    shapes_graph: Graph,
    *,
    plan: Plan | None = None,
    fallback: str = "pyshacl",
    context: Graph | None = None,
) -> SparqlReport:
    """Validate ``dataset`` against ``shapes_graph`` with SPARQL queries run in Oxigraph.

    The results are those pySHACL would give: the same focus node, result path,
    value, severity, source shape, source constraint component and message
    (pySHACL's own wording, written with pySHACL's node formatting). Semantics follow
    pySHACL 0.40 where it departs from the letter of the specification (for example
    ``sh:languageIn`` compares the primary subtag, ``sh:lessThan`` compares IRIs as
    strings, messages of ``sh:lessThan`` and ``sh:lessThanOrEquals`` are pySHACL's).
    Where a construct cannot be compiled (recursive shapes, blank nodes as constants,
    SPARQL-based targets, custom constraint components, ``sh:sparql`` inside
    ``sh:node``/``sh:not``/…), that shape alone is validated by pySHACL on an
    in-memory copy of the data (on a remote store, of its focus nodes' neighbourhoods,
    :func:`clustergraph.validation.sparql.remote.neighbourhood`) and the report says so
    (:attr:`SparqlReport.fallback`); nothing is skipped silently.

    Parameters
    ----------
    dataset:
        The data: an Oxigraph-backed dataset from :func:`clustergraph.store.open_dataset`
        is queried in place; any other rdflib graph or dataset is copied into a
        temporary Oxigraph store first. The default graph is the union of all graphs.
    shapes_graph:
        The SHACL shapes (rdflib graph). Its prefixes, and the dataset's, are used
        in messages exactly as pySHACL uses them.
    plan:
        A :class:`Plan` from :func:`compile_shapes` to reuse.
    fallback:
        ``"pyshacl"`` (default) validates shapes the compiler cannot translate
        with pySHACL; ``"error"`` raises :class:`~clustergraph.errors.ShapesError` instead.
    context:
        Extra triples the data is validated with, as if they were part of it (for
        example the ontology's class hierarchy and its individuals). The caller's
        store is not changed for good: in an Oxigraph-backed dataset they sit in a
        temporary named graph that is removed afterwards.

    Returns
    -------
    SparqlReport
        ``results`` (a list of :class:`Result`), ``conforms``, ``fallback`` (shape → reason).

    Literal values come back as Oxigraph stores them: numbers in canonical form
    (``"1.50"^^xsd:decimal`` is reported as ``"1.5"``) and language tags in lower case.

    >>> from clustergraph.store import open_dataset, load
    >>> shapes = Graph().parse(data='''
    ...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
    ...   ex:S a sh:NodeShape ; sh:targetClass ex:Project ;
    ...     sh:property [ sh:path ex:budget ; sh:minCount 1 ] .''', format="turtle")
    >>> ds = open_dataset()
    >>> _ = load(ds, b"<http://ex.org/p1> a <http://ex.org/Project> .", format="turtle", graph="http://ex.org/g")
    >>> report = validate_sparql(ds, shapes)
    >>> report.conforms, len(report.results)
    (False, 1)
    >>> r = report.results[0]
    >>> str(r.focus), str(r.path), r.component.split("#")[1]
    ('http://ex.org/p1', 'http://ex.org/budget', 'MinCountConstraintComponent')
    """
    started = time.perf_counter()
    plan = plan or compile_shapes(shapes_graph)
    if plan.fallback and fallback == "error":
        shape, reason = next(iter(plan.fallback.items()))
        raise ShapesError(f"the shape {shape} cannot be validated with SPARQL: {reason}", fix="validate with pySHACL (engine='pyshacl') or simplify the shape")
    if fallback not in ("pyshacl", "error"):
        raise ShapesError(f"unknown fallback {fallback!r}", fix="use 'pyshacl' or 'error'")
    if is_remote(dataset):
        from .remote import remote_native

        native, cleanup = remote_native(dataset, context)
    else:
        native, cleanup = _native(dataset, context)
    try:
        return _validate(native, dataset, plan, fallback, context, started)
    finally:
        cleanup()


def _weight(check: Check) -> int:
    """A rough cost rank of a check, for scheduling: SHACL-SPARQL constraints (joins written
    by hand) first, then checks whose focus nodes are a union of targets, then the rest."""
    return (2 if check.sparql is not None else 0) + (1 if " UNION " in check.route.targets else 0)


def _validate(native: ox.Store, dataset: Graph, plan: Plan, fallback: str, context: Graph | None, started: float) -> SparqlReport:
    shapes = read_shapes(plan.shapes_graph)
    closure = _closure(native, [c.query for c in plan.checks] + [c.route.multiplicity() or "" for c in plan.checks] + [c.route.focus("?this") for c in plan.checks])
    counter = itertools.count()

    def resolve(query: str) -> str:
        return resolve_placeholders(query, closure, counter)

    by_top: dict[Node, list[Result]] = {}
    fallen = dict(plan.fallback)
    multiplicities: dict[str, Counter] = {}
    prefixes = {p: str(ns) for p, ns in dataset.namespaces()}  # rdflib lets queries use the data graph's prefixes
    todo = [c for c in plan.checks if c.route.top not in fallen]
    if hasattr(native, "endpoint"):  # a remote store: the SHACL-SPARQL checks (the longest there) first, so no long one runs alone at the end
        todo.sort(key=lambda c: c.sparql is None)

    def fetch(check: Check) -> Any:
        try:
            try:
                return _fetch(native, check, resolve, prefixes)
            except EndpointError as exc:
                from .remote import local_subset, refused

                if not refused(exc):
                    raise
                # The server cannot run this check: run it here on the triples it names.
                queries = " ".join(q for q in (check.query, check.sparql.per_focus if check.sparql else None, check.route.focus("?this")) if q)
                return _fetch(local_subset(native, resolve(queries), prefixes), check, resolve, prefixes)
        except (SyntaxError, OSError, ValueError, EndpointError) as exc:
            return exc

    # Oxigraph evaluates queries without the GIL: run them on every core, the costliest first
    # (so that no long check is left running alone at the end); results are built here while
    # the other checks run, and kept in plan order.
    order = sorted(range(len(todo)), key=lambda i: -_weight(todo[i]))
    fetched: list[Any] = [None] * len(todo)
    built: list[list[Result]] = [[] for _ in todo]
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        for i, rows in progress.iterate(zip(order, pool.map(fetch, [todo[i] for i in order])), "validating", total=len(todo), unit="check"):
            fetched[i] = rows
            if not isinstance(rows, Exception) and todo[i].route.top not in fallen:
                built[i] = _build(todo[i], rows, shapes, dataset, plan.shapes_graph)
    for check, rows, found in zip(todo, fetched, built):
        top = check.route.top
        if top in fallen:
            continue
        shape = shapes[check.shape.node]
        if isinstance(rows, EndpointError):
            raise rows  # the remote store failed: one line naming it (never a silent download)
        if isinstance(rows, Exception):
            reason = f"Oxigraph could not run the {check.component.split('#')[-1]} check of {shape.node}: {rows}"
            if fallback == "error":
                raise ShapesError(reason, fix="validate with pySHACL (engine='pyshacl') or rewrite the constraint")
            fallen[top] = reason
            by_top.pop(top, None)
            continue
        mq = check.route.multiplicity()
        if mq is not None and found:
            if mq not in multiplicities:
                counts: Counter = Counter()
                for sol in native.query(resolve(mq), use_default_graph_as_union=True):
                    counts[as_written(sol[0])] = int(sol[1].value)
                multiplicities[mq] = counts
            counts = multiplicities[mq]
            found = [r for r in found for _ in range(max(1, counts.get(r.focus, 1)))]
        by_top.setdefault(top, []).extend(found)
    results = [r for found in by_top.values() for r in found]
    if fallen:
        results.extend(_pyshacl_fallback(_fallback_data(native, dataset, plan.shapes_graph, set(fallen)), plan.shapes_graph, set(fallen), context))
    return SparqlReport(results, fallen, len(plan.checks), time.perf_counter() - started)


def _fallback_data(native: Any, dataset: Graph, sg: Graph, keep: set[Node]) -> Graph:
    """The data pySHACL validates the shapes in ``keep`` on: ``dataset``, or on a remote store the focus nodes' neighbourhoods."""
    if not hasattr(native, "endpoint"):
        return dataset
    from ...store.dataset import open_dataset
    from .remote import neighbourhood

    local = open_dataset()
    oxigraph(local).extend(neighbourhood(native, sg, keep))  # type: ignore[union-attr]
    for prefix, ns in dataset.namespaces():
        local.bind(prefix, ns, override=True)
    return local


def _pick_message(messages: Sequence[Literal]) -> str:
    """The message a report shows: English or untagged first, as :mod:`clustergraph.validation.engine` picks it."""
    if not messages:
        return ""
    return str(sorted(messages, key=lambda m: (m.language not in (None, "en"), str(m)))[0])


def check(data: Graph, shapes_graph: Graph, *, context: Graph | None = None, fallback: str = "pyshacl") -> list[Any]:
    """Validate with the SPARQL engine and return :class:`clustergraph.validation.report.Finding` objects.

    This is the ``engine="sparql"`` back end of :func:`clustergraph.validation.engine.validate`,
    which adds names, sources and sorting. Parameters as for :func:`validate_sparql`.

    >>> from rdflib import Graph
    >>> shapes = Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
    ...     "<http://ex.org/S> sh:targetNode <http://ex.org/a> ; sh:nodeKind sh:Literal .", format="turtle")
    >>> [(str(f.focus), f.severity, f.constraint.split("#")[1]) for f in check(Graph(), shapes)]
    [('http://ex.org/a', 'Violation', 'NodeKindConstraintComponent')]
    """
    from ..report import Finding, severity_name

    report = validate_sparql(data, shapes_graph, context=context, fallback=fallback)
    return [
        Finding(
            focus=r.focus,
            path=r.path,
            severity=severity_name(r.severity),
            message=_pick_message(r.messages),
            value=r.value,
            source_shape=r.source_shape,
            constraint=r.component,
            source_constraint=r.source_constraint,
        )
        for r in report.results
    ]
