"""Compiled checks: the queries of a plan, the routes to their focus nodes, and the results they give."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .text import RDF_TYPE

__all__ = [
    "Check",
    "MessageFn",
    "PLACEHOLDER",
    "Part",
    "Plan",
    "Result",
    "Route",
    "Row",
    "SparqlInfo",
    "SparqlReport",
    "Violation",
    "resolve_placeholders",
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


# Message builders receive (data graph, shapes graph, row) and return message strings.
MessageFn = Callable[[Graph, Graph, "Row"], list[str]]


@dataclass
class Row:
    """One result row as message builders see it: the focus node, value, result path and other variables."""

    focus: Node
    value: Node | None
    path: Node | None
    extra: dict[str, Node]


@dataclass
class Violation:
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
class Part:
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
    route: "Route"
    message: MessageFn | None = None
    sparql: "SparqlInfo | None" = None
    parts: list[Part] = field(default_factory=list)

    @property
    def source_shape(self) -> Node:
        return self.shape.node

    def __post_init__(self) -> None:
        if not self.parts:
            self.parts = [Part(self.shape, self.component, self.message)]


@dataclass
class SparqlInfo:
    """What a SHACL-SPARQL check needs besides its query: the ``sh:sparql`` node, its messages, the projected variables."""

    node: Node
    messages: tuple[Literal, ...]
    projects: frozenset[str]
    per_focus: str | None = None  # the query to run once per focus node, when a join cannot pre-bind $this


@dataclass
class Route:
    """How focus nodes are reached: the targets of a top-level shape, then property paths of enclosing property shapes."""

    top: Node
    targets: str  # pattern over ?__T binding the top focus nodes
    steps: tuple[str, ...] = ()

    def focus(self, var: str, barrier: bool = False) -> str:
        """The distinct focus nodes bound to ``var``: a subquery, or a plain pattern for one class target.

        ``barrier`` keeps the subquery: Oxigraph then evaluates the focus nodes first
        instead of reordering them into the patterns of a SHACL-SPARQL query.
        """
        single = PLACEHOLDER.fullmatch(self.targets)
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

    def extend(self, step: str) -> "Route":
        return Route(self.top, self.targets, self.steps + (step,))

    @property
    def key(self) -> tuple[Node, str, tuple[str, ...]]:
        return (self.top, self.targets, self.steps)


#: Placeholders for "instance of a class or of its subclasses", resolved with the data's class hierarchy.
PLACEHOLDER = re.compile(r"%%(ISA|FOCUS) (\?\w+) <([^>]*)>%%")


def resolve_placeholders(query: str, closure: dict[str, list[str]], counter: Iterator[int]) -> str:
    """Replace class placeholders: a plain rdf:type pattern when the class has no subclasses."""

    def sub(m: re.Match[str]) -> str:
        kind, var, cls = m.groups()
        classes = closure.get(cls, [cls])
        if len(classes) == 1:
            return f"{var} {RDF_TYPE} <{classes[0]}> ."
        t = f"?cg_t{next(counter)}"
        values = f"{var} {RDF_TYPE} {t} . VALUES {t} {{ " + " ".join(f"<{c}>" for c in classes) + " }"
        if kind == "FOCUS":
            return f"{{ SELECT DISTINCT {var} WHERE {{ {values} }} }}"
        return values

    return PLACEHOLDER.sub(sub, query)


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
