"""Messages in pySHACL's wording: nodes written as pySHACL writes them."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph
from rdflib.term import Node

from .checks import MessageFn

__all__ = ["static_message", "stringify"]


def stringify(graph: Graph, node: Node) -> str:
    """``node`` written as pySHACL writes it in messages, with the prefixes of ``graph``.

    >>> from rdflib import URIRef
    >>> g = Graph()
    >>> g.bind("ex", "http://ex.org/")
    >>> stringify(g, URIRef("http://ex.org/a"))
    'ex:a'
    """
    from pyshacl.rdfutil import stringify_node

    try:
        return stringify_node(graph, node)
    except (LookupError, ValueError):
        return str(node)


def static_message(text: Callable[[Graph, Graph], str]) -> MessageFn:
    """A message builder that does not read the row: ``text(data graph, shapes graph)``."""
    return lambda dg, sg, row: [text(dg, sg)]
