"""The shapes model: each shape of a shapes graph as pySHACL finds it, and what the compiler leaves to pySHACL."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ...errors import ShapesError

__all__ = ["Shape", "TARGETS", "Unsupported", "read_shapes"]


class Unsupported(Exception):
    """A construct that the compiler does not translate; the shape falls back to pySHACL."""


@dataclass(eq=False)
class Shape:
    """One shape as the compiler sees it: its node, whether it is a property shape (and its
    ``sh:path``), its severity and messages, and whether it is deactivated."""

    node: Node
    is_property: bool
    path: Node | None
    severity: Node
    messages: tuple[Literal, ...]
    deactivated: bool


_SHAPE_EXPECTING = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_LIST_SHAPE_EXPECTING = (SH["and"], SH["or"], SH.xone)
#: The predicates that give a shape its focus nodes (SHACL Core targets).
TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def read_shapes(sg: Graph) -> dict[Node, Shape]:
    """Find the shapes of ``sg`` the way pySHACL does (declared, implied by targets, or referenced)."""
    node_shapes = set(sg.subjects(RDF.type, SH.NodeShape))
    prop_shapes = set(sg.subjects(RDF.type, SH.PropertyShape))
    for s in node_shapes:
        if (s, SH.path, None) in sg:
            raise ShapesError(f"the node shape {s} has a sh:path", fix="declare it as sh:PropertyShape or drop sh:path")
    candidates: set[Node] = set()
    for p in (*TARGETS, SH.property, SH.node):
        candidates.update(sg.subjects(p, None))
    for p in _SHAPE_EXPECTING:
        candidates.update(sg.objects(None, p))
    for p in _LIST_SHAPE_EXPECTING:
        for lst in sg.objects(None, p):
            candidates.update(sg.items(lst))
    shapes: dict[Node, Shape] = {}
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
        shapes[s] = Shape(
            node=s,
            is_property=is_property,
            path=paths[0] if is_property else None,
            severity=severity,
            messages=tuple(m for m in set(sg.objects(s, SH.message)) if isinstance(m, Literal)),
            deactivated=bool(deactivated and isinstance(deactivated[0], Literal) and deactivated[0].value is True),
        )
    return shapes
