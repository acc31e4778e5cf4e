"""Literals as the data writes them, and the ones the validator cannot read.

Both engines must judge the same terms the same way. Two things stand in the way,
and this module removes them:

* **Normalisation.** rdflib rewrites a literal's lexical form when it makes a term
  (``"maybe"^^xsd:boolean`` becomes ``"false"``, ``" 19 "^^xsd:integer`` becomes
  ``"19"``), which turns a mistake into a different, valid value. :func:`as_written`
  converts an Oxigraph term to rdflib keeping the text exactly as stored.
* **Two readers.** pySHACL reads a value with rdflib (Python's ``int``, ``Decimal``,
  ``datetime``), the compiled engine with Oxigraph (XML Schema's lexical rules, 64-bit
  integers, 18 decimal places). They disagree at the edges: rdflib reads
  ``"1_000"^^xsd:integer`` and ``123456789012345678901234567890``, Oxigraph does not;
  Oxigraph reads ``"99999-01-01"^^xsd:date``, Python's ``date`` does not. A literal is
  **readable** when both read it (:func:`unreadable` lists those that are not), and
  the compiled ``sh:datatype`` check (:func:`clustergraph.validation.sparql.text.datatype_ok`)
  accepts exactly the readable literals. For pySHACL, :func:`replace_unreadable` puts a
  stand-in in the copy it validates: the same text with a datatype of its own
  (:data:`STAND_IN`), which fails ``sh:datatype`` and is an unknown type to every SPARQL
  function, as the ill-typed literal is to Oxigraph; :func:`restore` puts the literal
  back into the findings.

rdflib logs a traceback for every literal it cannot read; :func:`quiet_literals` keeps
those off the terminal (the literals are reported as findings instead).

>>> import pyoxigraph as ox
>>> from rdflib import XSD
>>> with quiet_literals():
...     as_written(ox.Literal("maybe", datatype=ox.NamedNode(str(XSD.boolean))))
rdflib.term.Literal('maybe', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#boolean'))
>>> with quiet_literals():
...     sorted(str(x) for x in unreadable([Literal("19", datatype=XSD.integer), Literal("nineteen", datatype=XSD.integer),
...                                         Literal("99999-01-01", datatype=XSD.date)]))
['99999-01-01', 'nineteen']
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ...store.dataset import from_oxigraph, to_oxigraph
from .text import CASTABLE, datatype_ok

__all__ = ["STAND_IN", "as_written", "quiet_literals", "unreadable", "replace_unreadable", "restore", "restore_text"]

#: Stand-in datatypes are this prefix followed by the literal's own datatype IRI.
STAND_IN = "urn:clustergraph:unreadable:"
_XSD_STRING = str(XSD.string)
# What pySHACL requires of a value besides rdflib reading it (pyshacl's DatatypeConstraintComponent).
_PYTHON_TYPES: dict[URIRef, Any] = {
    XSD.integer: int, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date,
    XSD.dateTime: datetime, XSD.time: time, XSD.float: float, XSD.double: float,
}


class _NoCastTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


_FILTER = _NoCastTraceback()
_WARNING = ("ignore", re.compile("Parsing weird boolean", re.I), UserWarning, re.compile(""), 0)
_LOCK = threading.Lock()
_DEPTH = [0]


def _filters_changed() -> None:
    """Tell the warnings machinery that ``warnings.filters`` changed (what ``filterwarnings`` does)."""
    changed = getattr(warnings, "_filters_mutated", None)
    if changed is not None:
        changed()


@contextmanager
def quiet_literals() -> Iterator[None]:
    """Inside the block, rdflib does not log a traceback (or warn) for a literal it cannot read.

    Safe to nest and to use from several threads at once (the compiled engine converts
    query results in worker threads): the filters are in place while any block is open.
    """
    with _LOCK:
        _DEPTH[0] += 1
        if _DEPTH[0] == 1:
            logging.getLogger("rdflib.term").addFilter(_FILTER)
            warnings.filters.insert(0, _WARNING)  # type: ignore[attr-defined]
            _filters_changed()
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH[0] -= 1
            if _DEPTH[0] == 0:
                logging.getLogger("rdflib.term").removeFilter(_FILTER)
                if _WARNING in warnings.filters:  # type: ignore[attr-defined]
                    warnings.filters.remove(_WARNING)  # type: ignore[attr-defined]
                    _filters_changed()


def as_written(term: Any) -> Node | None:
    """A pyoxigraph term as an rdflib term, a literal keeping its text as stored (no normalisation).

    Plain literals stay plain (Oxigraph reports them as ``xsd:string``); this is
    :func:`clustergraph.store.from_oxigraph`. Call inside :func:`quiet_literals` when
    the data may hold ill-typed literals.
    """
    return from_oxigraph(term)


def _rdflib_reads(lit: Literal) -> bool:
    if lit.ill_typed or str(lit.datatype).startswith(STAND_IN):
        return False
    kind = _PYTHON_TYPES.get(lit.datatype)  # type: ignore[call-overload]
    return kind is None or isinstance(lit.value, kind)


def _typed(node: Node) -> bool:
    return isinstance(node, Literal) and node.datatype in CASTABLE


def _as_stored(literals: Iterable[Literal]) -> dict[Literal, tuple[Literal, bool]]:
    """Each literal of a checked datatype with the text Oxigraph stores it with
    (``"019"^^xsd:integer`` as ``"19"``) and whether both engines read it."""
    literals = list(dict.fromkeys(lit for lit in literals if _typed(lit)))
    if not literals:
        return {}
    store = ox.Store()
    predicate = ox.NamedNode("urn:clustergraph:p")
    store.extend([ox.Quad(ox.NamedNode(f"urn:clustergraph:{i}"), predicate, to_oxigraph(lit), ox.DefaultGraph()) for i, lit in enumerate(literals)])
    checks = [f"(datatype(?v) = <{dt}> && {datatype_ok('?v', dt)})" for dt in sorted(CASTABLE, key=str)]
    others = "!(datatype(?v) IN (" + ", ".join(f"<{dt}>" for dt in sorted(CASTABLE, key=str)) + "))"
    query = f"SELECT ?s ?v (COALESCE({' || '.join(checks)} || {others}, false) AS ?ok) WHERE {{ ?s ?p ?v }}"
    out: dict[Literal, tuple[Literal, bool]] = {}
    with quiet_literals():
        for row in store.query(query):
            lit = literals[int(row[0].value.rsplit(":", 1)[1])]
            stored = as_written(row[1])
            if not isinstance(stored, Literal) or stored.datatype != lit.datatype:
                stored = lit  # not a rewrite of the same type: keep what was written
            out[lit] = (stored, row[2].value == "true" and _rdflib_reads(stored))
    return out


def unreadable(literals: Iterable[Literal]) -> set[Literal]:
    """The literals that rdflib or Oxigraph cannot read: ill-typed, or beyond what one of
    them holds (only the datatypes of :data:`~.text.CASTABLE` are checked)."""
    return {lit for lit, (_stored, ok) in _as_stored(literals).items() if not ok}


def replace_unreadable(graph: Graph) -> dict[Literal, Literal]:
    """Prepare ``graph`` for pySHACL: every typed literal in the form Oxigraph stores it, and
    every literal that is not readable replaced by its stand-in; return stand-in → literal."""
    originals: dict[Literal, Literal] = {}
    for lit, (stored, ok) in _as_stored(o for o in set(graph.objects()) if _typed(o)).items():
        if ok:
            if stored == lit:
                continue
            new = stored
        else:
            new = Literal(str(stored), datatype=URIRef(STAND_IN + str(stored.datatype)))
            originals[new] = stored
        for s, p in list(graph.subject_predicates(lit)):
            graph.remove((s, p, lit))
            graph.add((s, p, new))
    return originals


def restore(term: Node | None, originals: dict[Literal, Literal]) -> Node | None:
    """``term``, or the literal it stands in for."""
    if isinstance(term, Literal) and originals:
        return originals.get(term, term)
    return term


def restore_text(text: str | None, originals: dict[Literal, Literal], graph: Graph) -> str | None:
    """``text`` (a message pySHACL wrote) with each stand-in written as its literal would be."""
    if not text or not originals or STAND_IN not in text:
        return text
    from .messages import stringify

    with quiet_literals():
        for stand_in, original in originals.items():
            text = text.replace(stringify(graph, stand_in), stringify(graph, original))
    return text
