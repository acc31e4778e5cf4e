"""Compiling a shapes graph: every shape with targets, along every route, into a plan of checks."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from rdflib import BNode, Graph
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ...errors import ShapesError
from .checks import Check, Part, Plan, Route, Violation
from .compiler import Compiler
from .shapes import Shape, Unsupported, read_shapes
from .sparqlconstraints import compile_sparql
from .text import property_path, term

__all__ = ["compile_shapes"]


def _targets(sg: Graph, node: Node) -> str | None:
    parts = []
    nodes = list(sg.objects(node, SH.targetNode))
    if nodes:
        parts.append("VALUES ?__T { " + " ".join(term(n) for n in nodes) + " }")
    classes = set(sg.objects(node, SH.targetClass))
    types = set(sg.objects(node, RDF.type))
    class_like = set(sg.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    if types & class_like:
        classes.add(node)
    for c in sorted(classes, key=str):
        parts.append(f"%%ISA ?__T {term(c)}%%")
    for p in sorted(set(sg.objects(node, SH.targetSubjectsOf)), key=str):
        parts.append(f"?__T {term(p)} ?cg_any .")
    for p in sorted(set(sg.objects(node, SH.targetObjectsOf)), key=str):
        parts.append(f"?cg_any {term(p)} ?__T .")
    if (node, SH.target, None) in sg:
        raise Unsupported("SPARQL-based targets (sh:target)")
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " UNION ".join("{ " + p + " }" for p in parts)


class _Pending(NamedTuple):
    """A compiled constraint waiting to become (part of) a :class:`Check` in :func:`_assemble`."""

    route: Route
    shape: Shape
    violation: Violation


def _compile_route(compiler: Compiler, shape: Shape, route: Route, seen: tuple[Node, ...]) -> list[Check | _Pending]:
    """Checks for ``shape`` reached along ``route``, then its sh:property shapes along the extended route."""
    if shape.deactivated:
        return []
    if shape.node in seen:
        raise Unsupported(f"the shape {shape.node} reaches itself through sh:property")
    checks: list[Check | _Pending] = [_Pending(route, shape, v) for v in compiler.violations(shape, "?this")]
    checks += compile_sparql(compiler, shape, route)
    sg = compiler.sg
    for ps in sg.objects(shape.node, SH.property):
        prop = compiler.shape(ps, "sh:property")
        if not prop.is_property:
            raise ShapesError(f"the shape {ps} in sh:property of {shape.node} has no sh:path", fix="give it a sh:path")
        child = route.extend(property_path(sg, shape.path)) if shape.is_property else route  # type: ignore[arg-type]
        checks += _compile_route(compiler, prop, child, seen + (shape.node,))
    return checks


def _single(route: Route, shape: Shape, v: Violation) -> Check:
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


def _merged(route: Route, path: str | None, items: list[tuple[Shape, Violation]]) -> Check:
    """One query for the cardinality and per-value constraints on one path of the same focus nodes."""
    parts: list[Part] = []
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
        parts.append(Part(shape, v.component, v.message, flag, per_focus=v.count is not None))
    # A value on a path the focus nodes are the subjects of makes its subject a focus node:
    # without a minimum count to check, the focus nodes need not be found first.
    implied = not has_min and not route.steps and path is not None and path in (_subjects_of(route.targets) or ())
    body = "" if implied else route.focus("?this")
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


_SUBJECTS_OF = re.compile(r"\?__T (<[^<>\s]+>) \?cg_any \.")


def _subjects_of(targets: str) -> set[str] | None:
    """The predicates of targets that are only ``sh:targetSubjectsOf`` (as :func:`_targets` writes them), else None."""
    parts = targets[2:-2].split(" } UNION { ") if targets.startswith("{ ") else [targets]
    found = [_SUBJECTS_OF.fullmatch(p) for p in parts]
    if not all(found):
        return None
    return {m.group(1) for m in found if m}


def _assemble(items: list[Check | _Pending], sg: Graph) -> list[Check]:
    """Turn compiled constraints into checks, merging those on the same path of the same focus nodes."""
    checks: list[Check] = []
    groups: dict[tuple[Any, ...], list[tuple[Shape, Violation]]] = {}
    routes: dict[tuple[Any, ...], Route] = {}
    for item in items:
        if isinstance(item, Check):
            checks.append(item)
            continue
        route, shape, v = item
        if v.query is None and (v.cond is not None or v.count is not None) and (shape.is_property or v.count is None):
            path = property_path(sg, shape.path) if shape.is_property else None  # type: ignore[arg-type]
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
    shapes = read_shapes(shapes_graph)
    compiler = Compiler(shapes_graph, shapes)
    checks: list[Check | _Pending] = []
    fallback: dict[Node, str] = {}
    for node in sorted(shapes, key=lambda n: (isinstance(n, BNode), str(n))):
        shape = shapes[node]
        try:
            targets = _targets(shapes_graph, node)
            if targets is None:
                continue
            checks += _compile_route(compiler, shape, Route(node, targets), ())
        except Unsupported as exc:
            fallback[node] = str(exc)
    # a shape left to pySHACL takes all its routes with it
    return Plan(_assemble([c for c in checks if c.route.top not in fallback], shapes_graph), fallback, shapes_graph)
