"""Binding parameters into SPARQL as a ``VALUES`` block, never by pasting text.

Values are serialised as RDF terms (escaped by rdflib), so a name such as
``"} UNION {`` stays a string literal. The block is placed at the start of the
query's WHERE group, so the same parameters mean the same thing on every store
(Oxigraph, rdflib, a remote endpoint); rdflib's own ``initBindings`` do not reach
variables bound in sub-queries or ``BIND``, which is why they are not used.

>>> from rdflib import Literal, URIRef
>>> print(inject_values("SELECT ?p WHERE { ?p ?x ?name }", {"name": Literal('x"} UNION {')}))
SELECT ?p WHERE { VALUES (?name) { ("x\\"} UNION {") } ?p ?x ?name }
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib.term import Node

from .errors import QueryError

__all__ = ["inject_values", "where_group_start"]

_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _skip(query: str, i: int) -> int:
    """Return the index after a string, IRI or comment starting at ``i``, else ``i``."""
    ch = query[i]
    if ch == "#":
        end = query.find("\n", i)
        return len(query) if end < 0 else end + 1
    if ch == "<":
        m = re.match(r"<[^<>\"{}|^`\\\s]*>", query[i:])
        return i + m.end() if m else i + 1
    if ch in "\"'":
        triple = query[i : i + 3]
        if triple in ('"""', "'''"):
            end = query.find(triple, i + 3)
            while end > 0 and query[end - 1] == "\\":
                end = query.find(triple, end + 1)
            return len(query) if end < 0 else end + 3
        j = i + 1
        while j < len(query) and query[j] != ch:
            j += 2 if query[j] == "\\" else 1
        return j + 1
    return i


def _groups(query: str) -> list[tuple[int, int]]:
    """Top-level ``{...}`` groups as (open index, close index)."""
    out, depth, start, i = [], 0, -1, 0
    while i < len(query):
        j = _skip(query, i)
        if j != i:
            i = j
            continue
        ch = query[i]
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                out.append((start, i))
        i += 1
    return out


def where_group_start(query: str) -> int:
    """Index of the ``{`` that opens the query's WHERE group.

    >>> where_group_start("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    29
    """
    groups = _groups(query)
    if not groups:
        raise QueryError("the query has no WHERE group", fix="write the query as SELECT ... WHERE { ... }")
    head = re.sub(r"#[^\n]*", "", query[: groups[0][0]])
    head = re.sub(r"<[^>]*>", "<>", head)
    if re.search(r"\bCONSTRUCT\b", head, re.I) and not re.search(r"\bWHERE\s*$", head, re.I) and len(groups) > 1:
        return groups[1][0]
    return groups[0][0]


def inject_values(query: str, bindings: Mapping[str, Node]) -> str:
    """Return ``query`` with ``bindings`` as a one-row ``VALUES`` block at the start of WHERE.

    Raises :class:`~clustergraph.errors.QueryError` for a variable name that is not a
    SPARQL variable name.
    """
    if not bindings:
        return query
    names = []
    for name in bindings:
        if not _VAR.match(name):
            raise QueryError(f"{name!r} is not a SPARQL variable name", fix="use letters, digits and underscores")
        names.append(name)
    at = where_group_start(query) + 1
    values = "VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(bindings[n].n3() for n in names) + ") }"
    return f"{query[:at]} {values}{query[at:]}"
