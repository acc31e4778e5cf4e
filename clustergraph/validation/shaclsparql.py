"""SHACL validation at scale: shapes compiled to SPARQL and run inside Oxigraph.

:func:`compile_shapes` turns a SHACL shapes graph (SHACL Core and SHACL-SPARQL
``sh:sparql`` constraints) into SPARQL SELECT queries, one per constraint and
route to its focus nodes; :func:`validate_sparql` runs them in the Oxigraph
store behind a dataset (the default graph is the union of the named graphs)
and returns the same results as pySHACL would: the same focus node, result
path, value, severity, source shape, source constraint component and message
(pySHACL's own wording, written with pySHACL's node formatting).

Semantics follow pySHACL 0.40 where it departs from the letter of the
specification (for example ``sh:languageIn`` compares the primary subtag,
``sh:lessThan`` compares IRIs as strings, messages of ``sh:lessThan`` and
``sh:lessThanOrEquals`` are pySHACL's), so that the fast path and the reference
path agree result for result. Where a construct cannot be compiled (recursive
shapes, blank nodes as constants, SPARQL-based targets, custom constraint
components, ``sh:sparql`` inside ``sh:node``/``sh:not``/…), that shape alone is
validated by pySHACL on an in-memory copy of the data and the report says so
(:attr:`SparqlReport.fallback`); nothing is skipped silently.

Literal values come back as Oxigraph stores them: numbers in canonical form
(``"1.50"^^xsd:decimal`` is reported as ``"1.5"``) and language tags in lower case.

>>> from rdflib import Graph
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

from __future__ import annotations

import itertools
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from ..bindings import where_group_start
from ..errors import ShapesError
from ..store.dataset import from_oxigraph, oxigraph, to_oxigraph

__all__ = [
    "Result",
    "Check",
    "Plan",
    "SparqlReport",
    "compile_shapes",
    "validate_sparql",
    "check",
    "results_from_report",
]


class Result(NamedTuple):
    """One validation result, as pySHACL reports it.

    ``path`` is the shape's ``sh:path`` node (a blank node of the shapes graph
    for complex paths), the predicate for ``sh:closed`` results, or ``None`` for
    node shapes. ``message`` joins the result's messages (sorted) with newlines,
    or is ``None`` when there is none; ``messages`` keeps them as literals (with
    their language tags). ``source_constraint`` is the ``sh:sparql`` node of a
    SPARQL-based constraint.
    """

    focus: Node
    path: Node | None
    value: Node | None
    severity: URIRef
    source_shape: Node
    component: URIRef
    message: str | None
    source_constraint: Node | None = None
    messages: tuple[Literal, ...] = ()


class _Unsupported(Exception):
    """A construct that the compiler does not translate; the shape falls back to pySHACL."""


# --- the shapes ------------------------------------------------------------------


@dataclass(eq=False)
class _Shape:
    node: Node
    is_property: bool
    path: Node | None
    severity: Node
    messages: tuple[Literal, ...]
    deactivated: bool


_SHAPE_EXPECTING = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_LIST_SHAPE_EXPECTING = (SH["and"], SH["or"], SH.xone)
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def _load_shapes(sg: Graph) -> dict[Node, _Shape]:
    """Find the shapes of ``sg`` the way pySHACL does (declared, implied by targets, or referenced)."""
    node_shapes = set(sg.subjects(RDF.type, SH.NodeShape))
    prop_shapes = set(sg.subjects(RDF.type, SH.PropertyShape))
    for s in node_shapes:
        if (s, SH.path, None) in sg:
            raise ShapesError(f"the node shape {s} has a sh:path", fix="declare it as sh:PropertyShape or drop sh:path")
    candidates: set[Node] = set()
    for p in (*_TARGETS, SH.property, SH.node):
        candidates.update(sg.subjects(p, None))
    for p in _SHAPE_EXPECTING:
        candidates.update(sg.objects(None, p))
    for p in _LIST_SHAPE_EXPECTING:
        for lst in sg.objects(None, p):
            candidates.update(sg.items(lst))
    shapes: dict[Node, _Shape] = {}
    for s in node_shapes | prop_shapes | candidates:
        paths = list(sg.objects(s, SH.path))
        if s in node_shapes:
            is_property = False
        elif s in prop_shapes:
            if len(paths) != 1:
                raise ShapesError(f"the property shape {s} needs exactly one sh:path (has {len(paths)})", fix="give it one sh:path")
            is_property = True
        else:
            if len(paths) > 1:
                raise ShapesError(f"the shape {s} has {len(paths)} sh:path values", fix="give it one sh:path")
            is_property = bool(paths)
        deactivated = [d for d in sg.objects(s, SH.deactivated)]
        severity = next(iter(set(sg.objects(s, SH.severity))), SH.Violation)
        shapes[s] = _Shape(
            node=s,
            is_property=is_property,
            path=paths[0] if is_property else None,
            severity=severity,
            messages=tuple(m for m in set(sg.objects(s, SH.message)) if isinstance(m, Literal)),
            deactivated=bool(deactivated and isinstance(deactivated[0], Literal) and deactivated[0].value is True),
        )
    return shapes


# --- SPARQL text -----------------------------------------------------------------


def _term(t: Node) -> str:
    """A constant of the shapes graph as SPARQL text (N-Triples syntax)."""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        return str(to_oxigraph(t))
    raise _Unsupported(f"the blank node {t} cannot be a constant in a query")


def _path(sg: Graph, p: Node, depth: int = 0) -> str:
    """A SHACL property path as a SPARQL property path."""
    if depth > 20:
        raise _Unsupported("the property path is nested too deeply")
    if isinstance(p, URIRef):
        return f"<{p}>"
    if not isinstance(p, BNode):
        raise ShapesError(f"{p!r} is not a property path", fix="use an IRI or a SHACL path blank node as sh:path")
    if (p, RDF.first, None) in sg:
        items = list(sg.items(p))
        if len(items) < 2:
            raise ShapesError("a sequence path needs at least two members", fix="list two or more paths")
        return "(" + "/".join(_path(sg, i, depth + 1) for i in items) + ")"
    for pred, fmt in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = sg.value(p, pred)
        if inner is not None:
            return fmt.format(_path(sg, inner, depth + 1))
    alt = sg.value(p, SH.alternativePath)
    if alt is not None:
        items = list(sg.items(alt))
        if len(items) < 2:
            raise ShapesError("an alternative path needs at least two members", fix="list two or more paths")
        return "(" + "|".join(_path(sg, i, depth + 1) for i in items) + ")"
    raise ShapesError(f"unknown property path {p}", fix="use sh:inversePath, sh:alternativePath, sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath or an RDF list")


_RDF_TYPE = f"<{RDF.type}>"

# Datatypes whose lexical forms Oxigraph can check with a cast to themselves.
_CASTABLE = {
    XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime, XSD.time,
    XSD.gYear, XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration,
}
# Integer types derived from xsd:integer: Oxigraph stores their literals as xsd:integer.
_DERIVED_INTEGERS = {
    XSD.long, XSD.int, XSD.short, XSD.byte, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.nonPositiveInteger,
    XSD.negativeInteger, XSD.unsignedLong, XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte,
}


def _datatype_ok(v: str, dt: Node) -> str:
    """A SPARQL expression that is true when ``v`` is a well-formed literal of ``dt`` (pySHACL's rules)."""
    if dt == RDFS.Literal:
        return f"isLiteral({v})"
    if dt == RDFS.Datatype:
        return f"(isLiteral({v}) && lang({v}) = \"\")"
    if dt == RDF.langString:
        return f"(isLiteral({v}) && lang({v}) != \"\")"
    if not isinstance(dt, URIRef):
        raise _Unsupported(f"sh:datatype {dt!r} is not an IRI")
    same = f"(isLiteral({v}) && lang({v}) = \"\" && datatype({v}) = <{dt}>)"
    if dt == XSD.string:
        return same
    if dt in _CASTABLE:
        return f"({same} && COALESCE(isLiteral(<{dt}>(STR({v}))), false))"
    if dt in _DERIVED_INTEGERS:
        raise _Unsupported(f"sh:datatype {dt}: Oxigraph stores every integer type derived from xsd:integer as xsd:integer")
    return same


def _string_key(v: str) -> str:
    """pySHACL compares IRIs and string literals as plain strings in sh:lessThan."""
    return f"IF(isIRI({v}) || (isLiteral({v}) && (lang({v}) != \"\" || datatype({v}) = <{XSD.string}>)), STR({v}), {v})"


# --- compiled checks -------------------------------------------------------------

# Message builders receive (data graph, shapes graph, row) and return message strings.
MessageFn = Callable[[Graph, Graph, "_Row"], list[str]]


@dataclass
class _Row:
    focus: Node
    value: Node | None
    path: Node | None
    extra: dict[str, Node]


@dataclass
class _Violation:
    """One constraint of one shape: a pattern with a solution for each result at focus ``x``."""

    component: URIRef
    pattern: str
    value: str | None  # the variable holding sh:value, if any
    extra: tuple[str, ...] = ()  # more variables to project (kept distinct)
    message: MessageFn | None = None
    result_path: str | None = None  # variable holding sh:resultPath (sh:closed)
    query: Callable[[str], str] | None = None  # a whole reporting query for aggregates, given the focus pattern
    exists: str | None = None  # pattern for conformance checks when it differs from `pattern`
    cond: str | None = None  # per-value checks: the condition on `value` that makes a result (merged per path)
    count: str | None = None  # "min" or "max" for sh:minCount 1 / sh:maxCount 1 (merged per path)


@dataclass
class _Part:
    """One constraint of one shape answered by a :class:`Check` (several share a query)."""

    shape: Any
    component: URIRef
    message: MessageFn | None
    flag: str | None = None  # the column that is true for this constraint's results; None: every row
    per_focus: bool = False  # one result per focus node, without a value (cardinality)


@dataclass
class Check:
    """One compiled query along one route to focus nodes: the results of one or more constraints.

    Constraints on the same path of the same focus nodes (sh:minCount 1, sh:maxCount 1
    and the per-value ones: class, datatype, range, pattern…) share one query,
    with one boolean column per constraint.
    """

    shape: Any
    component: URIRef
    query: str
    route: "_Route"
    message: MessageFn | None = None
    sparql: "_SparqlInfo | None" = None
    parts: list[_Part] = field(default_factory=list)

    @property
    def source_shape(self) -> Node:
        return self.shape.node

    def __post_init__(self) -> None:
        if not self.parts:
            self.parts = [_Part(self.shape, self.component, self.message)]


@dataclass
class _SparqlInfo:
    node: Node
    messages: tuple[Literal, ...]
    projects: frozenset[str]
    per_focus: str | None = None  # the query to run once per focus node, when a join cannot pre-bind $this


@dataclass
class _Route:
    """How focus nodes are reached: the targets of a top-level shape, then property paths of enclosing property shapes."""

    top: Node
    targets: str  # pattern over ?__T binding the top focus nodes
    steps: tuple[str, ...] = ()

    def focus(self, var: str, barrier: bool = False) -> str:
        """The distinct focus nodes bound to ``var``: a subquery, or a plain pattern for one class target.

        ``barrier`` keeps the subquery: Oxigraph then evaluates the focus nodes first
        instead of reordering them into the patterns of a SHACL-SPARQL query.
        """
        single = _TOKEN.fullmatch(self.targets)
        if not self.steps and single and single.group(1) == "ISA" and not barrier:
            return f"%%FOCUS {var} <{single.group(3)}>%%"
        if not self.steps:
            return "{ SELECT DISTINCT " + var + " WHERE { " + self.targets.replace("?__T", var) + " } }"
        chain = [f"?cg_c{i}" for i in range(len(self.steps))] + [var]
        body = self.targets.replace("?__T", chain[0]) + " " + " ".join(f"{chain[i]} {s} {chain[i + 1]} ." for i, s in enumerate(self.steps))
        return "{ SELECT DISTINCT " + var + " WHERE { " + body + " } }"

    def multiplicity(self) -> str | None:
        """A query counting, per focus node, the distinct chains that reach it (pySHACL reports once per chain)."""
        if not self.steps:
            return None
        chain = [f"?cg_c{i}" for i in range(len(self.steps))] + ["?this"]
        body = self.targets.replace("?__T", chain[0]) + " " + " ".join(f"{chain[i]} {s} {chain[i + 1]} ." for i, s in enumerate(self.steps))
        return f"SELECT ?this (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT {' '.join(chain)} WHERE {{ {body} }} }} GROUP BY ?this"

    def extend(self, step: str) -> "_Route":
        return _Route(self.top, self.targets, self.steps + (step,))

    @property
    def key(self) -> tuple[Node, str, tuple[str, ...]]:
        return (self.top, self.targets, self.steps)


#: Placeholders for "instance of a class or of its subclasses", resolved with the data's class hierarchy.
_TOKEN = re.compile(r"%%(ISA|FOCUS) (\?\w+) <([^>]*)>%%")


def _resolve(query: str, closure: dict[str, list[str]], counter: Iterator[int]) -> str:
    """Replace class placeholders: a plain rdf:type pattern when the class has no subclasses."""

    def sub(m: re.Match[str]) -> str:
        kind, var, cls = m.groups()
        classes = closure.get(cls, [cls])
        if len(classes) == 1:
            return f"{var} {_RDF_TYPE} <{classes[0]}> ."
        t = f"?cg_t{next(counter)}"
        values = f"{var} {_RDF_TYPE} {t} . VALUES {t} {{ " + " ".join(f"<{c}>" for c in classes) + " }"
        if kind == "FOCUS":
            return f"{{ SELECT DISTINCT {var} WHERE {{ {values} }} }}"
        return values

    return _TOKEN.sub(sub, query)


@dataclass
class Plan:
    """Compiled shapes: the queries, and the shapes left to pySHACL with the reason."""

    checks: list[Check]
    fallback: dict[Node, str]
    shapes_graph: Graph

    def queries(self) -> Iterator[str]:
        """The SPARQL text of every check."""
        return (c.query for c in self.checks)


@dataclass
class SparqlReport:
    """The outcome of :func:`validate_sparql`."""

    results: list[Result]
    fallback: dict[Node, str] = field(default_factory=dict)
    queries: int = 0
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        """True if there is no result of any severity (as in SHACL)."""
        return not self.results

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


# --- messages (pySHACL's wording) --------------------------------------------------


def _stringify(graph: Graph, node: Node) -> str:
    from pyshacl.rdfutil import stringify_node

    try:
        return stringify_node(graph, node)
    except (LookupError, ValueError):
        return str(node)


def _static(text: Callable[[Graph, Graph], str]) -> MessageFn:
    return lambda dg, sg, row: [text(dg, sg)]


# --- the compiler ----------------------------------------------------------------


class _Compiler:
    def __init__(self, sg: Graph, shapes: dict[Node, _Shape]) -> None:
        self.sg = sg
        self.shapes = shapes
        self.counter = itertools.count(1)
        self.stack: list[Node] = []

    def var(self, stem: str = "v") -> str:
        return f"?cg_{stem}{next(self.counter)}"

    def shape(self, node: Node, role: str) -> _Shape:
        shape = self.shapes.get(node)
        if shape is None:
            raise ShapesError(f"the shape {node} referenced by {role} is not defined", fix="define the shape or fix the reference")
        return shape

    # value nodes ---------------------------------------------------------------

    def values(self, shape: _Shape, x: str) -> tuple[str, str]:
        if not shape.is_property:
            return "", x
        v = self.var()
        return f"{x} {_path(self.sg, shape.path)} {v} .", v  # type: ignore[arg-type]

    # conformance ---------------------------------------------------------------

    def nonconforming(self, node: Node, x: str, role: str) -> str:
        """A pattern with a solution iff ``x`` does not conform to the shape ``node``."""
        shape = self.shape(node, role)
        if node in self.stack:
            raise _Unsupported(f"the shape {node} refers to itself (recursive shapes are not compiled)")
        if shape.deactivated:
            return "FILTER(false)"
        self.stack.append(node)
        try:
            parts = [v.exists or v.pattern for v in self.violations(shape, x, nested=True)]
        finally:
            self.stack.pop()
        if not parts:
            return "FILTER(false)"
        return " UNION ".join("{ " + p + " }" for p in parts)

    # constraints ---------------------------------------------------------------

    def violations(self, shape: _Shape, x: str, nested: bool = False) -> list[_Violation]:
        sg, node = self.sg, shape.node
        out: list[_Violation] = []
        params = {p for p, _ in sg.predicate_objects(node)}
        path_text = lambda sg_: _stringify(sg_, shape.path) if shape.path is not None else None  # noqa: E731

        # sh:class
        classes = list(sg.objects(node, SH["class"]))
        for c in classes:
            vp, v = self.values(shape, x)
            if len(classes) < 2:
                msg = _static(lambda dg, sg_, c=c: f"Value does not have class {_stringify(sg_, c)}")
            else:
                msg = _static(lambda dg, sg_: "Value class is not in classes ({})".format(", ".join(_stringify(sg_, k) for k in classes)))
            cond = f"NOT EXISTS {{ %%ISA {v} {_term(c)}%% }}"
            out.append(_Violation(SH.ClassConstraintComponent, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        # sh:datatype
        datatypes = list(sg.objects(node, SH.datatype))
        if len(datatypes) > 1:
            raise ShapesError(f"the shape {node} has more than one sh:datatype", fix="keep one sh:datatype")
        for dt in datatypes:
            vp, v = self.values(shape, x)
            msg = _static(lambda dg, sg_, dt=dt: f"Value is not Literal with datatype {_stringify(sg_, dt)}")
            cond = f"!{_datatype_ok(v, dt)}"
            out.append(_Violation(SH.DatatypeConstraintComponent, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        # sh:nodeKind
        kinds = list(sg.objects(node, SH.nodeKind))
        if len(kinds) > 1:
            raise ShapesError(f"the shape {node} has more than one sh:nodeKind", fix="keep one sh:nodeKind")
        for kind in kinds:
            vp, v = self.values(shape, x)
            ok = {
                SH.IRI: f"isIRI({v})",
                SH.BlankNode: f"isBlank({v})",
                SH.Literal: f"isLiteral({v})",
                SH.BlankNodeOrIRI: f"(isBlank({v}) || isIRI({v}))",
                SH.BlankNodeOrLiteral: f"(isBlank({v}) || isLiteral({v}))",
                SH.IRIOrLiteral: f"(isIRI({v}) || isLiteral({v}))",
            }.get(kind, "false")  # type: ignore[call-overload]
            msg = _static(lambda dg, sg_, kind=kind: f"Value is not of Node Kind {_stringify(sg_, kind)}")
            out.append(_Violation(SH.NodeKindConstraintComponent, f"{vp} FILTER(!{ok})", v, message=msg, cond=f"!{ok}"))

        # sh:minCount / sh:maxCount
        for pred, comp in ((SH.minCount, SH.MinCountConstraintComponent), (SH.maxCount, SH.MaxCountConstraintComponent)):
            counts = list(sg.objects(node, pred))
            if len(counts) > 1:
                raise ShapesError(f"the shape {node} has more than one {pred.n3(sg.namespace_manager)}", fix="keep one")
            if not counts:
                continue
            lit = counts[0]
            if not isinstance(lit, Literal) or not isinstance(lit.value, int) or lit.value < 0:
                raise ShapesError(f"{pred.n3(sg.namespace_manager)} of {node} must be a non-negative integer (got {lit!r})", fix="write it as 1, 2…")
            if pred == SH.maxCount and not shape.is_property:
                raise ShapesError(f"sh:maxCount on the node shape {node}", fix="move sh:maxCount into a property shape")
            n = int(lit.value)
            if pred == SH.minCount and n == 0:
                continue
            word = "Less than" if pred == SH.minCount else "More than"

            def msg(dg: Graph, sg_: Graph, row: _Row, n: Any = lit.value, word: str = word) -> list[str]:
                focus = _stringify(dg, row.focus)
                if shape.path is not None:
                    return [f"{word} {n} values on {focus}->{path_text(sg_)}"]
                return [f"{word} {n} values on {focus}"]

            out.append(self._count(shape, x, comp, n, pred == SH.minCount, msg))

        # value ranges
        for pred, comp, op, word in (
            (SH.minExclusive, SH.MinExclusiveConstraintComponent, ">", ">"),
            (SH.minInclusive, SH.MinInclusiveConstraintComponent, ">=", ">="),
            (SH.maxExclusive, SH.MaxExclusiveConstraintComponent, "<", "<"),
            (SH.maxInclusive, SH.MaxInclusiveConstraintComponent, "<=", "<="),
        ):
            bounds = list(sg.objects(node, pred))
            for b in bounds:
                if not isinstance(b, Literal):
                    raise ShapesError(f"the bound {b} of {node} is not a literal", fix="write the bound as a literal")
                vp, v = self.values(shape, x)
                if len(bounds) < 2:
                    msg = _static(lambda dg, sg_, b=b, word=word: f"Value is not {word} {_stringify(sg_, b)}")
                else:
                    msg = _static(lambda dg, sg_, bounds=bounds, word=word: "Value is not {} in ({})".format(word, ", ".join(_stringify(sg_, c) for c in bounds)))
                # pySHACL: a string bound only compares with strings, a non-string bound with non-strings
                b_is_string = isinstance(b.value, str)
                v_string = f"(isLiteral({v}) && (lang({v}) != \"\" || datatype({v}) = <{XSD.string}>))"
                same_kind = v_string if b_is_string else f"!{v_string}"
                cond = f"!(isLiteral({v}) && {same_kind} && COALESCE({v} {op} {_term(b)}, false))"
                out.append(_Violation(comp, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        # string-based
        for pred, comp, op, word in ((SH.minLength, SH.MinLengthConstraintComponent, ">=", ">="), (SH.maxLength, SH.MaxLengthConstraintComponent, "<=", "<=")):
            rules = list(sg.objects(node, pred))
            if len(rules) > 1:
                raise ShapesError(f"the shape {node} has more than one {pred.n3(sg.namespace_manager)}", fix="keep one")
            for r in rules:
                if not isinstance(r, Literal) or not isinstance(r.value, int) or r.value < 0:
                    raise ShapesError(f"{pred.n3(sg.namespace_manager)} of {node} must be a non-negative integer", fix="write it as 1, 2…")
                if pred == SH.minLength and r.value == 0:
                    continue
                vp, v = self.values(shape, x)
                msg = _static(lambda dg, sg_, r=r, word=word: f"String length not {word} {_stringify(dg, r)}")
                cond = f"isBlank({v}) || !(STRLEN(STR({v})) {op} {int(r.value)})"
                out.append(_Violation(comp, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        patterns = list(sg.objects(node, SH.pattern))
        if patterns:
            flags_found = list(sg.objects(node, SH.flags))
            flags = "".join(f for f in "im" if flags_found and f in str(flags_found[0]).lower())
            for pat in patterns:
                if not isinstance(pat, Literal):
                    raise ShapesError(f"sh:pattern of {node} is not a literal", fix="write the pattern as a string")
                vp, v = self.values(shape, x)
                if len(patterns) < 2:
                    msg = _static(lambda dg, sg_, pat=pat: f"Value does not match pattern '{pat.value}'")
                else:
                    msg = _static(lambda dg, sg_: "Value does not match every pattern in ('{}')".format("', '".join(str(c.value) for c in patterns)))
                regex = f"REGEX(STR({v}), {_term(Literal(str(pat)))}, {_term(Literal(flags))})"
                cond = f"isBlank({v}) || !{regex}"
                out.append(_Violation(SH.PatternConstraintComponent, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        lang_lists = list(sg.objects(node, SH.languageIn))
        if len(lang_lists) > 1:
            raise ShapesError(f"the shape {node} has more than one sh:languageIn", fix="keep one list")
        for lst in lang_lists:
            wanted = sorted({str(i).lower() for i in sg.items(lst)})
            vp, v = self.values(shape, x)
            if "*" in wanted:
                ok = f"(isLiteral({v}) && lang({v}) != \"\")"
            else:
                options = ", ".join(_term(Literal(w)) for w in wanted) or '""'
                primary = f"LCASE(STRBEFORE(CONCAT(lang({v}), \"-\"), \"-\"))"
                ok = f"(isLiteral({v}) && lang({v}) != \"\" && (LCASE(lang({v})) IN ({options}) || {primary} IN ({options})))"
            msg = _static(lambda dg, sg_, lst=lst: f"String language is not in {_stringify(sg_, lst)}")
            out.append(_Violation(SH.LanguageInConstraintComponent, f"{vp} FILTER(!{ok})", v, message=msg, cond=f"!{ok}"))

        unique = list(sg.objects(node, SH.uniqueLang))
        if unique:
            if not shape.is_property:
                raise ShapesError(f"sh:uniqueLang on the node shape {node}", fix="move it into a property shape")
            if isinstance(unique[0], Literal) and unique[0].value is True:
                p = _path(sg, shape.path)  # type: ignore[arg-type]
                v1, v2, lang = self.var(), self.var(), self.var("lang")
                pattern = (
                    f"{x} {p} {v1} . {x} {p} {v2} . FILTER(!sameTerm({v1}, {v2}) && isLiteral({v1}) && isLiteral({v2}) && lang({v1}) != \"\" "
                    f"&& LCASE(lang({v1})) = LCASE(lang({v2}))) BIND(LCASE(lang({v1})) AS {lang})"
                )
                out.append(_Violation(SH.UniqueLangConstraintComponent, pattern, None, extra=(lang,), message=_static(lambda dg, sg_: "More than one String shares the same Language")))

        # sh:in
        in_lists = list(sg.objects(node, SH["in"]))
        if len(in_lists) > 1:
            raise ShapesError(f"the shape {node} has more than one sh:in", fix="keep one list")
        for lst in in_lists:
            in_vals: set[Node] = set()
            for item in sg.items(lst):
                in_vals.add(item)
            vp, v = self.values(shape, x)
            cond = " || ".join(f"sameTerm({v}, {_term(i)})" for i in in_vals) or "false"

            def msg_in(dg: Graph, sg_: Graph, row: _Row, in_vals: set[Node] = in_vals) -> list[str]:
                list1 = [_stringify(sg_, val) for val in in_vals]
                return [f"Value {_stringify(dg, row.value)} not in list {list1}"]

            out.append(_Violation(SH.InConstraintComponent, f"{vp} FILTER(!({cond}))", v, message=msg_in, cond=f"!({cond})"))

        # sh:hasValue
        has_values = set(sg.objects(node, SH.hasValue))
        for hv in has_values:

            def msg_hv(dg: Graph, sg_: Graph, row: _Row) -> list[str]:
                the_set = [_stringify(sg_, s) for s in has_values]
                if shape.path is not None:
                    return [f"Node {_stringify(dg, row.focus)}->{path_text(sg_)} does not contain a value in the set: {the_set}"]
                return [f"Node {_stringify(dg, row.focus)} value is not a in the set of values: {the_set}"]

            if shape.is_property:
                pattern = f"FILTER NOT EXISTS {{ {x} {_path(sg, shape.path)} {_term(hv)} }}"  # type: ignore[arg-type]
            else:
                pattern = f"FILTER(!sameTerm({x}, {_term(hv)}))"
            out.append(_Violation(SH.HasValueConstraintComponent, pattern, None, message=msg_hv))

        # property pairs
        for pred, comp, sign in (
            (SH.equals, SH.EqualsConstraintComponent, "!="),
            (SH.disjoint, SH.DisjointConstraintComponent, "=="),
            (SH.lessThan, SH.LessThanConstraintComponent, "<="),  # sic: pySHACL's wording
            (SH.lessThanOrEquals, SH.LessThanOrEqualsConstraintComponent, "<"),  # sic
        ):
            compare_set = set(sg.objects(node, pred))
            if compare_set and pred in (SH.lessThan, SH.lessThanOrEquals) and not shape.is_property:
                raise ShapesError(f"{pred.n3(sg.namespace_manager)} on the node shape {node}", fix="move it into a property shape")
            for other in compare_set:
                if not isinstance(other, URIRef):
                    raise _Unsupported(f"{pred} with a non-IRI value")

                def msg_pair(dg: Graph, sg_: Graph, row: _Row, compare_set: set[Node] = compare_set, sign: str = sign) -> list[str]:
                    if len(compare_set) < 2:
                        rules = _stringify(sg_, next(iter(compare_set)))
                    else:
                        rules = ", ".join(_stringify(sg_, p) for p in compare_set)
                    return [f"Value of {_stringify(dg, row.focus)}->{rules} {sign} {_stringify(dg, row.value)}"]

                o = f"<{other}>"
                if pred == SH.equals:
                    # two checks, no UNION: values that are not objects of `other`, and the reverse
                    vp, v = self.values(shape, x)
                    cond = f"NOT EXISTS {{ {x} {o} {v} }}"
                    out.append(_Violation(comp, f"{vp} FILTER({cond})", v, message=msg_pair, cond=cond))
                    w = self.var("w")
                    if shape.is_property:
                        back = f"FILTER NOT EXISTS {{ {x} {_path(sg, shape.path)} {w} }}"  # type: ignore[arg-type]
                    else:
                        back = f"FILTER(!sameTerm({w}, {x}))"
                    out.append(_Violation(comp, f"{x} {o} {w} . {back}", w, message=msg_pair))
                elif pred == SH.disjoint:
                    vp, v = self.values(shape, x)
                    cond = f"EXISTS {{ {x} {o} {v} }}"
                    out.append(_Violation(comp, f"{vp} {x} {o} {v} .", v, message=msg_pair, cond=cond))
                else:
                    vp, v = self.values(shape, x)
                    w = self.var("w")
                    op = "<" if pred == SH.lessThan else "<="
                    kinds = f"(isIRI({v}) || isLiteral({v})) && (isIRI({w}) || isLiteral({w}))"
                    cond = f"{kinds} && COALESCE({_string_key(v)} {op} {_string_key(w)}, false)"
                    out.append(_Violation(comp, f"{vp} {x} {o} {w} . FILTER(!({cond}))", v, extra=(w,), message=msg_pair))

        # shape-based: sh:node, sh:not, sh:and, sh:or, sh:xone
        node_shapes = list(sg.objects(node, SH.node))
        for ns in node_shapes:
            vp, v = self.values(shape, x)
            inner = self.nonconforming(ns, v, "sh:node")
            if len(node_shapes) < 2:
                msg = _static(lambda dg, sg_, ns=ns: f"Value does not conform to Shape {_stringify(sg_, ns)}. See details for more information.")
            else:
                msg = _static(lambda dg, sg_: "Value must conform to every Shape in ('{}'). See details for more information.".format("', '".join(_stringify(sg_, c) for c in node_shapes)))
            out.append(_Violation(SH.NodeConstraintComponent, f"{vp} FILTER EXISTS {{ {inner} }}", v, message=msg, cond=f"EXISTS {{ {inner} }}"))

        not_list = list(sg.objects(node, SH["not"]))
        for ns in not_list:
            vp, v = self.values(shape, x)
            inner = self.nonconforming(ns, v, "sh:not")

            def msg_not(dg: Graph, sg_: Graph, row: _Row) -> list[str]:
                value = _stringify(dg, row.value)
                if len(not_list) == 1:
                    return [f"Node {value} must not conform to shape {_stringify(sg_, not_list[0])}"]
                return [f"Node {value} must not conform to any shapes in {' , '.join(_stringify(sg_, n) for n in not_list)}"]

            out.append(_Violation(SH.NotConstraintComponent, f"{vp} FILTER NOT EXISTS {{ {inner} }}", v, message=msg_not, cond=f"NOT EXISTS {{ {inner} }}"))

        for pred, comp, phrase in (
            (SH["and"], SH.AndConstraintComponent, "must conform to all shapes in"),
            (SH["or"], SH.OrConstraintComponent, "must conform to one or more shapes in"),
            (SH.xone, SH.XoneConstraintComponent, "must conform to exactly one shape in"),
        ):
            lists = list(sg.objects(node, pred))
            for lst in lists:
                members = list(sg.items(lst))
                vp, v = self.values(shape, x)
                bad = [f"EXISTS {{ {self.nonconforming(m, v, pred.n3(sg.namespace_manager))} }}" for m in members]
                if pred == SH["and"]:
                    cond = " || ".join(bad) or "false"
                elif pred == SH["or"]:
                    cond = " && ".join(bad) or "true"
                else:
                    cond = "(" + " + ".join(f"IF({b}, 0, 1)" for b in bad) + ") != 1" if bad else "true"

                def msg_logic(dg: Graph, sg_: Graph, row: _Row, lists: list[Node] = lists, phrase: str = phrase) -> list[str]:
                    if len(lists) < 2:
                        text = " , ".join(_stringify(sg_, a) for a in sg_.items(lists[0]))
                    else:
                        text = " and ".join("({})".format(" , ".join(_stringify(sg_, a) for a in sg_.items(lst_))) for lst_ in lists)
                    return [f"Node {_stringify(dg, row.value)} {phrase} {text}"]

                out.append(_Violation(comp, f"{vp} FILTER({cond})", v, message=msg_logic, cond=cond))

        # sh:qualifiedValueShape
        qvs = set(sg.objects(node, SH.qualifiedValueShape))
        if qvs and shape.is_property:
            out.extend(self._qualified(shape, x, qvs))

        # sh:closed
        closed = list(sg.objects(node, SH.closed))
        if (SH.ignoredProperties in params) and not closed:
            raise ShapesError(f"sh:ignoredProperties without sh:closed on {node}", fix="add sh:closed true")
        if closed and isinstance(closed[0], Literal) and closed[0].value is True:
            allowed: set[Node] = set()
            for lst in sg.objects(node, SH.ignoredProperties):
                allowed.update(sg.items(lst))
            for ps in sg.objects(node, SH.property):
                prop = self.shape(ps, "sh:property")
                if not prop.is_property:
                    raise ShapesError(f"the shape {ps} in sh:property of {node} has no sh:path", fix="give it a sh:path")
                if isinstance(prop.path, URIRef):
                    allowed.add(prop.path)
            vp, v = self.values(shape, x)
            p, o = self.var("p"), self.var("o")
            keep = " && ".join(f"{p} != {_term(a)}" for a in sorted(allowed, key=str) if isinstance(a, URIRef)) or "true"
            pattern = f"{vp} {v} {p} {o} . FILTER({keep} && !({p} = {_RDF_TYPE} && {o} = <{RDFS.Resource}>))"
            msg_closed = lambda dg, sg_, row: [f"Node {_stringify(dg, row.focus)} is closed. It cannot have value: {_stringify(dg, row.value)}"]  # noqa: E731
            out.append(_Violation(SH.ClosedConstraintComponent, pattern, o, message=msg_closed, result_path=p))

        # sh:property (in conformance checks only; reported results come from the property shape itself)
        if nested:
            for ps in sg.objects(node, SH.property):
                prop = self.shape(ps, "sh:property")
                if not prop.is_property:
                    raise ShapesError(f"the shape {ps} in sh:property of {node} has no sh:path", fix="give it a sh:path")
                if prop.deactivated:
                    continue
                vp, v = self.values(shape, x)
                if node in [prop.node]:
                    raise _Unsupported("a shape that is its own property shape")
                inner = self.nonconforming(ps, v, "sh:property")
                out.append(_Violation(SH.PropertyConstraintComponent, f"{vp} FILTER EXISTS {{ {inner} }}", None))

        # sh:sparql
        if (node, SH.sparql, None) in sg:
            if nested:
                raise _Unsupported("sh:sparql constraints inside sh:node, sh:not, sh:and, sh:or, sh:xone or sh:property checks")
        # constraint components declared in the shapes graph
        custom = self._custom_components(params)
        if custom:
            raise _Unsupported(f"custom constraint components ({', '.join(sorted(str(c) for c in custom))})")
        return out

    def _custom_components(self, params: set[Node]) -> set[Node]:
        found = set()
        for comp in set(self.sg.subjects(SH.parameter, None)):
            if str(comp).startswith(str(SH)):
                continue  # the core components, when the SHACL vocabulary is part of the shapes graph
            for param in self.sg.objects(comp, SH.parameter):
                if self.sg.value(param, SH.path) in params:
                    found.add(comp)
        return found

    def _count(self, shape: _Shape, x: str, comp: URIRef, n: int, is_min: bool, msg: MessageFn) -> _Violation:
        if not shape.is_property:
            # a node shape has exactly one value node: itself
            pattern = "FILTER(false)" if (is_min and n <= 1) or (not is_min and n >= 1) else ""
            return _Violation(comp, pattern, None, message=msg)
        p = _path(self.sg, shape.path)  # type: ignore[arg-type]
        if is_min and n == 1:
            any_ = self.var("any")
            return _Violation(comp, f"FILTER NOT EXISTS {{ {x} {p} {any_} }}", None, message=msg, count="min")
        if not is_min and n == 1:
            v1, v2 = self.var(), self.var()
            return _Violation(comp, f"{x} {p} {v1} . {x} {p} {v2} . FILTER(!sameTerm({v1}, {v2}))", None, message=msg, count="max")
        v, c = self.var(), self.var("n")
        op = "<" if is_min else ">"
        sub = f"{{ SELECT {x} (COUNT(DISTINCT {v}) AS {c}) WHERE {{ {x} {p} {v} }} GROUP BY {x} }}"
        if is_min:
            exists = f"OPTIONAL {sub} FILTER(COALESCE({c}, 0) < {n})"
        else:
            exists = f"{sub} FILTER({c} > {n})"

        def query(focus: str) -> str:
            return (
                f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} {v} }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {op} {n})"
            )

        return _Violation(comp, exists, None, message=msg, query=query)

    def _qualified(self, shape: _Shape, x: str, qvs: set[Node]) -> list[_Violation]:
        sg, node = self.sg, shape.node

        def one(name: URIRef) -> int | None:
            vals = list(sg.objects(node, name))
            if len(vals) > 1:
                raise ShapesError(f"the shape {node} has more than one {name.n3(sg.namespace_manager)}", fix="keep one")
            if not vals:
                return None
            if not isinstance(vals[0], Literal) or not isinstance(vals[0].value, int):
                raise ShapesError(f"{name.n3(sg.namespace_manager)} of {node} must be an integer", fix="write it as 1, 2…")
            return vals[0].value

        min_count, max_count = one(SH.qualifiedMinCount), one(SH.qualifiedMaxCount)
        if min_count is None and max_count is None:
            raise ShapesError(f"sh:qualifiedValueShape on {node} without sh:qualifiedMinCount or sh:qualifiedMaxCount", fix="add one of them")
        disjoint = any(isinstance(d, Literal) and d.value is True for d in sg.objects(node, SH.qualifiedValueShapesDisjoint))
        p = _path(sg, shape.path)  # type: ignore[arg-type]
        out = []
        for q in qvs:
            siblings: set[Node] = set()
            if disjoint:
                for parent in set(sg.subjects(SH.property, node)):
                    for s in set(sg.objects(parent, SH.property)):
                        for sib in set(sg.objects(s, SH.qualifiedValueShape)):
                            if sib != q:
                                siblings.add(sib)
            v = self.var()
            cond = [f"NOT EXISTS {{ {self.nonconforming(q, v, 'sh:qualifiedValueShape')} }}"]
            cond += [f"EXISTS {{ {self.nonconforming(s, v, 'sh:qualifiedValueShape')} }}" for s in sorted(siblings, key=str)]
            counted = f"{x} {p} {v} . FILTER({' && '.join(cond)})"
            shapes_string = lambda sg_: ",".join(_stringify(sg_, s) for s in qvs)  # noqa: E731
            count_message = (f" MinCount {min_count}" if min_count is not None else "") + (f" MaxCount {max_count}" if max_count is not None else "")
            noun = "shapes" if len(qvs) > 1 else "shape"

            def msg(dg: Graph, sg_: Graph, row: _Row, noun: str = noun, count_message: str = count_message) -> list[str]:
                s = shapes_string(sg_)
                return [f"Focus node does not conform to {noun}{count_message}: ({s})" if noun == "shapes" else f"Focus node does not conform to {noun}{count_message}: {s}"]

            for bound, comp, op in ((min_count, SH.QualifiedMinCountConstraintComponent, "<"), (max_count, SH.QualifiedMaxCountConstraintComponent, ">")):
                if bound is None:
                    continue
                c = self.var("n")
                sub = f"{{ SELECT {x} (COUNT(DISTINCT {v}) AS {c}) WHERE {{ {counted} }} GROUP BY {x} }}"
                exists = f"OPTIONAL {sub} FILTER(COALESCE({c}, 0) {op} {bound})"

                def query(focus: str, counted: str = counted, v: str = v, op: str = op, bound: int = bound) -> str:
                    inner = counted.replace(x, "?this")
                    return f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {inner} }} }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {op} {bound})"

                if bound == 0 and op == "<":
                    continue
                out.append(_Violation(comp, exists, None, message=msg, query=query))
        return out


# --- SHACL-SPARQL constraints ----------------------------------------------------------

_PATH_VAR = re.compile(r"([\s{}()])[\$\?]PATH", re.M)
_CURRENT = re.compile(r"([\s{}()])[\$\?]currentShape", re.M)
_SHAPES_GRAPH = re.compile(r"([\s{}()])[\$\?]shapesGraph", re.M)
_MINUS = re.compile(r"^(?:[^#]*|M)(?!#)#?[^\?\$\#]M?INUS[\s\{]", re.M | re.I)
_VALUES = re.compile(r"^(?!\s*#).*?(?<![\w\-\:])VALUES\b(?:\s*(?:\(|[\?\$]\w+|\{|\w|\s))", re.M | re.I)
_SERVICE = re.compile(r"^(?:[^#]*|S)(?!#)#?[^\?\$\#]S?ERVICE[\s\<]", re.M | re.I)
_SELECT = re.compile(r"\bSELECT\b\s*(DISTINCT\b|REDUCED\b)?", re.I)
_PROJECTION_VAR = re.compile(r"[\?\$]([A-Za-z_][A-Za-z0-9_]*)")


def _sparql_prefixes(sg: Graph, constraint: Node) -> dict[str, str]:
    """The prefixes a SPARQL constraint declares through sh:prefixes (pySHACL's rules)."""
    prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    values = set(sg.objects(constraint, SH.prefixes))
    if not values:
        return prefixes
    g_name = sg.identifier
    ng_declares = set(sg.objects(g_name, SH.declare)) if g_name else set()
    onts = set(sg.subjects(RDF.type, OWL.Ontology))
    ont_declares: set[Node] = set()
    for o in onts:
        ont_declares.update(sg.objects(o, SH.declare))
    global_declares = ng_declares | ont_declares
    for pv in values:
        own = set(sg.objects(pv, SH.declare))
        declares = own | ng_declares if own and pv in onts else global_declares | own
        for dec in declares:
            prefix = sg.value(dec, SH.prefix)
            namespace = sg.value(dec, SH.namespace)
            if prefix is None or namespace is None:
                raise ShapesError(f"sh:declare {dec} needs one sh:prefix and one sh:namespace", fix="add both")
            prefixes[str(prefix)] = str(namespace)
    return prefixes


def _compile_sparql(compiler: _Compiler, shape: _Shape, route: _Route) -> list[Check]:
    sg = compiler.sg
    checks = []
    for constraint in set(sg.objects(shape.node, SH.sparql)):
        selects = list(sg.objects(constraint, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise ShapesError(f"the SPARQL constraint {constraint} of {shape.node} needs exactly one sh:select string", fix="give it one sh:select")
        deact = sg.value(constraint, SH.deactivated)
        if isinstance(deact, Literal) and deact.value is True:
            continue
        text = str(selects[0])
        _check_prebindable(text, constraint, shape.node)
        if _SHAPES_GRAPH.search(text):
            raise _Unsupported("$shapesGraph in a SPARQL constraint")
        if shape.path is not None:
            text = _PATH_VAR.sub(lambda m: m.group(1) + _path(sg, shape.path), text)  # type: ignore[arg-type]
        elif _PATH_VAR.search(text):
            raise ShapesError(f"the SPARQL constraint {constraint} uses $PATH but {shape.node} has no sh:path", fix="use it in a property shape")
        if _CURRENT.search(text):
            text = _CURRENT.sub(lambda m: m.group(1) + _term(shape.node), text)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _sparql_prefixes(sg, constraint).items())
        query = prologue + text
        try:
            start = where_group_start(query)
        except Exception as exc:
            raise ShapesError(f"the SPARQL constraint {constraint} of {shape.node} is not a SELECT query: {exc}", fix="write sh:select as SELECT ... WHERE { ... }") from None
        select = _SELECT.search(query, 0, start)
        if select is None:
            raise ShapesError(f"the SPARQL constraint {constraint} of {shape.node} is not a SELECT query", fix="write sh:select as SELECT ... WHERE { ... }")
        projection = query[select.end() : start]
        star = projection.strip().startswith("*")
        projected = frozenset(_PROJECTION_VAR.findall(projection)) if not star else frozenset({"*"})
        focus = route.focus("?this", barrier=True)
        body = query[: start + 1] + " " + focus + " " + query[start + 1 :]
        grouped = re.search(r"\bGROUP\s+BY\b", query[start:], re.I) is not None
        per_focus = None
        if not star and "this" not in projected:
            if grouped:
                per_focus = query
            else:
                body = body[: select.end()] + " ?this " + body[select.end() :]
        if per_focus is None and not _join_prebinds(body):
            per_focus = query
        if per_focus is not None:
            # $this is always bound in SHACL; Oxigraph's substitution leaves BOUND($this) false
            per_focus = _BOUND_THIS.sub("(true)", per_focus)
        messages = tuple(m for m in set(sg.objects(constraint, SH.message)) if isinstance(m, Literal))
        checks.append(Check(shape, SH.SPARQLConstraintComponent, body, route, sparql=_SparqlInfo(constraint, messages, projected, per_focus)))
    return checks


_BOUND_THIS = re.compile(r"\bBOUND\s*\(\s*[?$]this\s*\)", re.I)
_NESTED_SELECT = re.compile(r"SELECT[\s\(\)\$\?\a-z]*\{[^\}]*SELECT\s+((?:(?:[\?\$]\w+\s+)|(?:\*\s+))+)", re.M | re.I)
_AS_VAR = re.compile(r"[^\w]+AS[\s]+[\$\?](\w+)", re.M | re.I)


def _check_prebindable(text: str, constraint: Node, shape: Node) -> None:
    """Refuse the queries pySHACL refuses (SHACL's rules for pre-bound variables)."""
    where = f"the SPARQL constraint {constraint} of {shape}"
    for regex, what in ((_MINUS, "MINUS"), (_VALUES, "VALUES"), (_SERVICE, "SERVICE")):
        if regex.search(text):
            raise ShapesError(f"{where} contains {what}", fix=f"rewrite the query without {what}")
    nested = _NESTED_SELECT.search(text)
    if nested:
        names = [v.lstrip("$?").rstrip() for v in nested.group(1).split()]
        if names == ["*"]:
            raise ShapesError(f"{where} uses SELECT * in a nested SELECT, which does not select the pre-bound $this", fix="select $this explicitly in the nested SELECT")
        if "this" not in names:
            raise ShapesError(f"{where} has a nested SELECT that does not select $this", fix="add $this to the nested SELECT's variables")
    rebound = _AS_VAR.search(text)
    if rebound and rebound.group(1) in ("this", "shapesGraph", "currentShape"):
        raise ShapesError(f"{where} rebinds ${rebound.group(1)} with AS", fix="bind another variable")



def _join_prebinds(query: str) -> bool:
    """True if joining the focus nodes at the start of the WHERE group gives the same
    solutions as pre-binding ``$this`` (SHACL's substitution): every FILTER, BIND and
    OPTIONAL condition that reads ``$this`` sees it bound by the patterns it applies to.
    Otherwise the query runs once per focus node with ``$this`` substituted."""
    from rdflib import Variable
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    from ..namespaces import PREFIXES

    this = Variable("this")
    query = _TOKEN.sub(lambda m: f"{m.group(2)} <{RDF.type}> <{m.group(3)}> .", query)
    try:
        algebra = prepareQuery(query, initNs={k: str(v) for k, v in PREFIXES.items()}).algebra
    except Exception:  # rdflib cannot parse it: run it per focus node in Oxigraph
        return False

    def mentions(node: Any) -> bool:
        if node == this:
            return True
        if isinstance(node, dict):
            return any(mentions(v) for k, v in node.items() if k != "_vars")
        if isinstance(node, (list, tuple, set)):
            return any(mentions(v) for v in node)
        return False

    def binds(node: Any) -> set:
        if not isinstance(node, CompValue):
            return set()
        name = node.name
        if name == "BGP":
            return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
        if name == "Join":
            return binds(node.p1) | binds(node.p2)
        if name in ("LeftJoin", "Minus"):
            return binds(node.p1)
        if name == "Union":
            return binds(node.p1) & binds(node.p2)
        if name == "Extend":
            return binds(node.p) | {node.var}
        if name == "ToMultiSet":
            inner = node.p
            while isinstance(inner, CompValue) and inner.name in ("Distinct", "Reduced", "Slice", "OrderBy"):
                inner = inner.p
            if isinstance(inner, CompValue) and inner.name == "Project":
                return set(inner.PV)
            return set(getattr(inner, "_vars", set()) or set())
        if name == "Graph":
            return binds(node.p) | ({node.term} if isinstance(node.term, Variable) else set())
        if "p" in node:
            return binds(node.p)
        return set()

    def safe(node: Any) -> bool:
        if not isinstance(node, CompValue):
            return True
        name = node.name
        if name in ("Filter", "Extend") and mentions(node.expr) and this not in binds(node.p):
            return False
        if name == "LeftJoin" and node.expr is not None and mentions(node.expr) and this not in (binds(node.p1) | binds(node.p2)):
            return False
        if name == "Group" and node.expr and mentions(node.expr) and this not in binds(node.p):
            return False
        return all(safe(node[k]) for k in ("p", "p1", "p2") if k in node)

    return safe(algebra)



# --- compiling a shapes graph ------------------------------------------------------


def _targets(sg: Graph, node: Node) -> str | None:
    parts = []
    nodes = list(sg.objects(node, SH.targetNode))
    if nodes:
        parts.append("VALUES ?__T { " + " ".join(_term(n) for n in nodes) + " }")
    classes = set(sg.objects(node, SH.targetClass))
    types = set(sg.objects(node, RDF.type))
    class_like = set(sg.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    if types & class_like:
        classes.add(node)
    for c in sorted(classes, key=str):
        parts.append(f"%%ISA ?__T {_term(c)}%%")
    for p in sorted(set(sg.objects(node, SH.targetSubjectsOf)), key=str):
        parts.append(f"?__T {_term(p)} ?cg_any .")
    for p in sorted(set(sg.objects(node, SH.targetObjectsOf)), key=str):
        parts.append(f"?cg_any {_term(p)} ?__T .")
    if (node, SH.target, None) in sg:
        raise _Unsupported("SPARQL-based targets (sh:target)")
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " UNION ".join("{ " + p + " }" for p in parts)


class _Pending(NamedTuple):
    """A compiled constraint waiting to become (part of) a :class:`Check` in :func:`_assemble`."""

    route: _Route
    shape: _Shape
    violation: _Violation


def _compile_route(compiler: _Compiler, shape: _Shape, route: _Route, seen: tuple[Node, ...]) -> list[Check | _Pending]:
    """Checks for ``shape`` reached along ``route``, then its sh:property shapes along the extended route."""
    if shape.deactivated:
        return []
    if shape.node in seen:
        raise _Unsupported(f"the shape {shape.node} reaches itself through sh:property")
    checks: list[Check | _Pending] = [_Pending(route, shape, v) for v in compiler.violations(shape, "?this")]
    checks += _compile_sparql(compiler, shape, route)
    sg = compiler.sg
    for ps in sg.objects(shape.node, SH.property):
        prop = compiler.shape(ps, "sh:property")
        if not prop.is_property:
            raise ShapesError(f"the shape {ps} in sh:property of {shape.node} has no sh:path", fix="give it a sh:path")
        child = route.extend(_path(sg, shape.path)) if shape.is_property else route  # type: ignore[arg-type]
        checks += _compile_route(compiler, prop, child, seen + (shape.node,))
    return checks


def _single(route: _Route, shape: _Shape, v: _Violation) -> Check:
    focus = route.focus("?this")
    if v.query is not None:
        query = v.query(focus)
    else:
        cols = ["?this"]
        if v.value:
            cols.append(f"({v.value} AS ?value)" if v.value != "?this" else "(?this AS ?value)")
        if v.result_path:
            cols.append(f"({v.result_path} AS ?rpath)")
        cols += [f"({e} AS ?x{i})" for i, e in enumerate(v.extra)]
        query = f"SELECT DISTINCT {' '.join(cols)} WHERE {{ {focus} {v.pattern} }}"
    return Check(shape, v.component, query, route, message=v.message)


def _merged(route: _Route, path: str | None, items: list[tuple[_Shape, _Violation]]) -> Check:
    """One query for the cardinality and per-value constraints on one path of the same focus nodes."""
    parts: list[_Part] = []
    binds: list[str] = []
    has_min = any(v.count == "min" for _, v in items)
    has_max = any(v.count == "max" for _, v in items)
    for i, (shape, v) in enumerate(items):
        flag = f"?cg_f{i}"
        if v.count == "min":
            binds.append(f"BIND(!BOUND(?value) AS {flag})")
        elif v.count == "max":
            binds.append(f"BIND(BOUND(?cg_other) AS {flag})")
        else:
            assert v.cond is not None and v.value is not None
            cond = v.cond if v.value == "?this" else re.sub(re.escape(v.value) + r"\b", "?value", v.cond)
            guard = "" if path is None else "BOUND(?value) && "
            binds.append(f"BIND(({guard}COALESCE(({cond}), false)) AS {flag})")
        parts.append(_Part(shape, v.component, v.message, flag, per_focus=v.count is not None))
    body = route.focus("?this")
    if path is None:
        body += " BIND(?this AS ?value)"
    elif has_min:
        body += f" OPTIONAL {{ ?this {path} ?value }}"
    else:
        body += f" ?this {path} ?value ."
    if has_max:
        body += f" OPTIONAL {{ ?this {path} ?cg_other FILTER(!sameTerm(?value, ?cg_other)) }}"
    flags = [p.flag for p in parts]
    query = f"SELECT DISTINCT ?this ?value {' '.join(flags)} WHERE {{ {body} {' '.join(binds)} FILTER({' || '.join(flags)}) }}"  # type: ignore[arg-type]
    first = parts[0]
    return Check(first.shape, first.component, query, route, message=first.message, parts=parts)


def _assemble(items: list[Check | _Pending], sg: Graph) -> list[Check]:
    """Turn compiled constraints into checks, merging those on the same path of the same focus nodes."""
    checks: list[Check] = []
    groups: dict[tuple[Any, ...], list[tuple[_Shape, _Violation]]] = {}
    routes: dict[tuple[Any, ...], _Route] = {}
    for item in items:
        if isinstance(item, Check):
            checks.append(item)
            continue
        route, shape, v = item
        if v.query is None and (v.cond is not None or v.count is not None) and (shape.is_property or v.count is None):
            path = _path(sg, shape.path) if shape.is_property else None  # type: ignore[arg-type]
            key = (route.key, path)
            groups.setdefault(key, []).append((shape, v))
            routes[key] = route
        else:
            checks.append(_single(route, shape, v))
    for key, members in groups.items():
        checks.append(_merged(routes[key], key[1], members))
    return checks


def compile_shapes(shapes_graph: Graph) -> Plan:
    """Compile the shapes of ``shapes_graph`` into SPARQL checks.

    Parameters
    ----------
    shapes_graph:
        A SHACL shapes graph (rdflib).

    Returns
    -------
    Plan
        ``checks``: one SPARQL SELECT per constraint and route; ``fallback``:
        shapes (with targets) that could not be compiled, with the reason.

    >>> from rdflib import Graph
    >>> sg = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ...   <http://ex.org/S> sh:targetClass <http://ex.org/C> ; sh:nodeKind sh:IRI .''', format="turtle")
    >>> plan = compile_shapes(sg)
    >>> len(plan.checks), plan.fallback
    (1, {})
    """
    shapes = _load_shapes(shapes_graph)
    compiler = _Compiler(shapes_graph, shapes)
    checks: list[Check | _Pending] = []
    fallback: dict[Node, str] = {}
    for node in sorted(shapes, key=lambda n: (isinstance(n, BNode), str(n))):
        shape = shapes[node]
        try:
            targets = _targets(shapes_graph, node)
            if targets is None:
                continue
            checks += _compile_route(compiler, shape, _Route(node, targets), ())
        except _Unsupported as exc:
            fallback[node] = str(exc)
    # a shape left to pySHACL takes all its routes with it
    return Plan(_assemble([c for c in checks if c.route.top not in fallback], shapes_graph), fallback, shapes_graph)


# --- running -----------------------------------------------------------------------


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


def _messages(shape: _Shape, check: Check, dg: Graph, sg: Graph, row: _Row) -> list[Literal]:
    if shape.messages:
        return list(shape.messages)
    if check.message is None:
        return []
    return [Literal(m) for m in check.message(dg, sg, row)]


def _result(focus: Node, path: Node | None, value: Node | None, shape: _Shape, component: URIRef, messages: list[Literal], source_constraint: Node | None = None) -> Result:
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
    return [{n: from_oxigraph(sol[i]) for i, n in enumerate(names) if sol[i] is not None} for sol in solutions]


def _fetch(native: ox.Store, check: Check, resolve: Callable[[str], str], prefixes: dict[str, str]) -> _Fetched:
    """The rows of one check (the part that runs in Oxigraph; safe to run in a thread).

    Returns (pre-bound focus node, rows) pairs: one pair with ``None`` for a check that
    runs once, one per focus node for a SPARQL constraint that needs ``$this`` substituted.
    """
    info = check.sparql
    if info is None:
        return [(None, _solutions(native, resolve(check.query)))]
    if info.per_focus is None:
        return [(None, _solutions(native, resolve(check.query), prefixes=prefixes))]
    out: _Fetched = []
    focus_query = resolve("SELECT ?this WHERE { " + check.route.focus("?this") + " }")
    for sol in native.query(focus_query, use_default_graph_as_union=True):
        node = sol[0]
        rows = _solutions(native, info.per_focus, prefixes=prefixes, substitutions={ox.Variable("this"): node})
        out.append((from_oxigraph(node), rows))
    return out


def _sparql_results(rows: list[dict[str, Node]], prebound: Node | None, check: Check, shape: _Shape) -> list[Result]:
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


def _build(check: Check, fetched: _Fetched, shapes: dict[Node, _Shape], dg: Graph, sg: Graph) -> list[Result]:
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
                    if flag is None or str(flag) != "true":
                        continue
                if part.per_focus:
                    if (k, focus) in seen:
                        continue
                    seen.add((k, focus))
                shape = shapes[part.shape.node]
                r = _Row(focus, None if part.per_focus else value, rpath, row)
                path = rpath if rpath is not None else shape.path
                msgs = list(shape.messages) or [Literal(m) for m in (part.message(dg, sg, r) if part.message else [])]
                results.append(_result(focus, path, r.value, shape, part.component, msgs))
    return results


def _closure(native: ox.Store, queries: Sequence[str]) -> dict[str, list[str]]:
    """Each class named in a placeholder with its subclasses in the data (rdfs:subClassOf*)."""
    classes = sorted({m.group(3) for q in queries for m in _TOKEN.finditer(q)})
    out: dict[str, list[str]] = {c: [] for c in classes}
    if not classes:
        return out
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


def _restricted(sg: Graph, keep: set[Node]) -> Graph:
    """``sg`` with only the shapes in ``keep`` targeting anything (the others stay, to be referenced).

    >>> sg = Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
    ...     "<http://ex.org/A> sh:targetNode <http://ex.org/a> . <http://ex.org/B> sh:targetNode <http://ex.org/b> .", format="turtle")
    >>> [str(s) for s in _restricted(sg, {URIRef("http://ex.org/A")}).subjects(SH.targetNode, None)]
    ['http://ex.org/A']
    """
    reduced = Graph(namespace_manager=sg.namespace_manager)
    class_like = set(sg.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    for s, p, o in sg:
        if s not in keep and (p in _TARGETS or p == SH.target or (p == RDF.type and o in class_like)):
            continue
        reduced.add((s, p, o))
    return reduced


def _pyshacl_fallback(dataset: Graph, sg: Graph, keep: set[Node], context: Graph | None = None) -> list[Result]:
    """Validate only the shapes in ``keep`` with pySHACL on an in-memory copy of the data."""
    import pyshacl

    from ..store.dataset import to_memory

    reduced = _restricted(sg, keep)
    data = to_memory(dataset)
    data.namespace_manager = dataset.namespace_manager
    for t in context or ():
        data.default_graph.add(t)
    try:
        _conforms, report, _text = pyshacl.validate(data, shacl_graph=reduced, inference="none", advanced=False)
    except Exception as exc:  # pySHACL raises many types for shapes it cannot use
        raise ShapesError(f"pySHACL could not validate the shapes left to it ({', '.join(sorted(map(str, keep)))}): {type(exc).__name__}: {exc}", fix="correct or simplify those shapes") from None
    if not isinstance(report, Graph):
        raise ShapesError(f"pySHACL could not validate the shapes left to it: {report}", fix="correct or simplify those shapes")
    return results_from_report(report)


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
    """
    started = time.perf_counter()
    plan = plan or compile_shapes(shapes_graph)
    if plan.fallback and fallback == "error":
        shape, reason = next(iter(plan.fallback.items()))
        raise ShapesError(f"the shape {shape} cannot be validated with SPARQL: {reason}", fix="validate with pySHACL (engine='pyshacl') or simplify the shape")
    if fallback not in ("pyshacl", "error"):
        raise ShapesError(f"unknown fallback {fallback!r}", fix="use 'pyshacl' or 'error'")
    native, cleanup = _native(dataset, context)
    try:
        return _validate(native, dataset, plan, fallback, context, started)
    finally:
        cleanup()


def _validate(native: ox.Store, dataset: Graph, plan: Plan, fallback: str, context: Graph | None, started: float) -> SparqlReport:
    shapes = _load_shapes(plan.shapes_graph)
    closure = _closure(native, [c.query for c in plan.checks] + [c.route.multiplicity() or "" for c in plan.checks] + [c.route.focus("?this") for c in plan.checks])
    counter = itertools.count()

    def resolve(query: str) -> str:
        return _resolve(query, closure, counter)

    by_top: dict[Node, list[Result]] = {}
    fallen = dict(plan.fallback)
    multiplicities: dict[str, Counter] = {}
    prefixes = {p: str(ns) for p, ns in dataset.namespaces()}  # rdflib lets queries use the data graph's prefixes
    todo = [c for c in plan.checks if c.route.top not in fallen]

    def fetch(check: Check) -> Any:
        try:
            return _fetch(native, check, resolve, prefixes)
        except (SyntaxError, OSError, ValueError) as exc:
            return exc

    # Oxigraph evaluates queries without the GIL: run them on every core, build results here.
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        fetched = list(pool.map(fetch, todo))
    for check, rows in zip(todo, fetched):
        top = check.route.top
        if top in fallen:
            continue
        shape = shapes[check.shape.node]
        if isinstance(rows, Exception):
            reason = f"Oxigraph could not run the {check.component.split('#')[-1]} check of {shape.node}: {rows}"
            if fallback == "error":
                raise ShapesError(reason, fix="validate with pySHACL (engine='pyshacl') or rewrite the constraint")
            fallen[top] = reason
            by_top.pop(top, None)
            continue
        found = _build(check, rows, shapes, dataset, plan.shapes_graph)
        mq = check.route.multiplicity()
        if mq is not None and found:
            if mq not in multiplicities:
                counts: Counter = Counter()
                for sol in native.query(resolve(mq), use_default_graph_as_union=True):
                    counts[from_oxigraph(sol[0])] = int(sol[1].value)
                multiplicities[mq] = counts
            counts = multiplicities[mq]
            found = [r for r in found for _ in range(max(1, counts.get(r.focus, 1)))]
        by_top.setdefault(top, []).extend(found)
    results = [r for found in by_top.values() for r in found]
    if fallen:
        results.extend(_pyshacl_fallback(dataset, plan.shapes_graph, set(fallen), context))
    return SparqlReport(results, fallen, len(plan.checks), time.perf_counter() - started)


def _pick_message(messages: Sequence[Literal]) -> str:
    """The message a report shows: English or untagged first, as :mod:`clustergraph.validate` picks it."""
    if not messages:
        return ""
    return str(sorted(messages, key=lambda m: (m.language not in (None, "en"), str(m)))[0])


def check(data: Graph, shapes_graph: Graph, *, context: Graph | None = None, fallback: str = "pyshacl") -> list[Any]:
    """Validate with the SPARQL engine and return :class:`clustergraph.report.Finding` objects.

    This is the ``engine="sparql"`` back end of :func:`clustergraph.validate.validate`,
    which adds names, sources and sorting. Parameters as for :func:`validate_sparql`.

    >>> from rdflib import Graph
    >>> shapes = Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
    ...     "<http://ex.org/S> sh:targetNode <http://ex.org/a> ; sh:nodeKind sh:Literal .", format="turtle")
    >>> [(str(f.focus), f.severity, f.constraint.split("#")[1]) for f in check(Graph(), shapes)]
    [('http://ex.org/a', 'Violation', 'NodeKindConstraintComponent')]
    """
    from .report import Finding, severity_name

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
