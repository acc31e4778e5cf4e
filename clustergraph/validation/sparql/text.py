"""SPARQL text for the constants, property paths and datatype tests of a shapes graph."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from ...errors import ShapesError
from ...store.dataset import to_oxigraph
from .shapes import Unsupported

__all__ = ["CASTABLE", "RDF_TYPE", "datatype_ok", "property_path", "string_key", "term"]


def term(t: Node) -> str:
    """A constant of the shapes graph as SPARQL text (N-Triples syntax).

    >>> term(URIRef("http://ex.org/a")), term(Literal("x", lang="en"))
    ('<http://ex.org/a>', '"x"@en')
    """
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        return str(to_oxigraph(t))
    raise Unsupported(f"the blank node {t} cannot be a constant in a query")


def property_path(sg: Graph, p: Node, depth: int = 0) -> str:
    """A SHACL property path as a SPARQL property path.

    >>> sg = Graph().parse(data="<http://ex.org/s> <http://ex.org/p> "
    ...     "[ <http://www.w3.org/ns/shacl#inversePath> <http://ex.org/parent> ] .", format="turtle")
    >>> property_path(sg, sg.value(URIRef("http://ex.org/s"), URIRef("http://ex.org/p")))
    '^(<http://ex.org/parent>)'
    """
    if depth > 20:
        raise Unsupported("the property path is nested too deeply")
    if isinstance(p, URIRef):
        return f"<{p}>"
    if not isinstance(p, BNode):
        raise ShapesError(f"{p!r} is not a property path", fix="use an IRI or a SHACL path blank node as sh:path")
    if (p, RDF.first, None) in sg:
        items = list(sg.items(p))
        if len(items) < 2:
            raise ShapesError("a sequence path needs at least two members", fix="list two or more paths")
        return "(" + "/".join(property_path(sg, i, depth + 1) for i in items) + ")"
    for pred, fmt in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = sg.value(p, pred)
        if inner is not None:
            return fmt.format(property_path(sg, inner, depth + 1))
    alt = sg.value(p, SH.alternativePath)
    if alt is not None:
        items = list(sg.items(alt))
        if len(items) < 2:
            raise ShapesError("an alternative path needs at least two members", fix="list two or more paths")
        return "(" + "|".join(property_path(sg, i, depth + 1) for i in items) + ")"
    raise ShapesError(f"unknown property path {p}", fix="use sh:inversePath, sh:alternativePath, sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath or an RDF list")


RDF_TYPE = f"<{RDF.type}>"

#: Datatypes whose lexical forms are checked: Oxigraph casts the text to the type, and the
#: value must be one rdflib reads too (see :mod:`.literals`).
CASTABLE = {
    XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime, XSD.time,
    XSD.gYear, XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration,
}
# Integer types derived from xsd:integer: Oxigraph stores their literals as xsd:integer.
_DERIVED_INTEGERS = {
    XSD.long, XSD.int, XSD.short, XSD.byte, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.nonPositiveInteger,
    XSD.negativeInteger, XSD.unsignedLong, XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte,
}


# What Oxigraph reads but Python's date and datetime do not: years outside 1-9999. (Oxigraph
# stores 24:00:00, which Python does not read either, as 00:00:00 of the next day.)
_YEARS = " && YEAR({v}) >= 1 && YEAR({v}) <= 9999"
_PYTHON_LIMITS = {XSD.date: _YEARS, XSD.dateTime: _YEARS}


def datatype_ok(v: str, dt: Node) -> str:
    """A SPARQL expression that is true when ``v`` is a well-formed literal of ``dt`` (pySHACL's rules).

    For the datatypes in :data:`CASTABLE` it is true for the literals that both Oxigraph
    and rdflib read (:func:`clustergraph.validation.sparql.literals.unreadable` is the
    other side of the same rule): ``"2023-13-45"^^xsd:date`` and ``"99999-01-01"^^xsd:date``
    are not dates to both engines.
    """
    if dt == RDFS.Literal:
        return f"isLiteral({v})"
    if dt == RDFS.Datatype:
        return f"(isLiteral({v}) && lang({v}) = \"\")"
    if dt == RDF.langString:
        return f"(isLiteral({v}) && lang({v}) != \"\")"
    if not isinstance(dt, URIRef):
        raise Unsupported(f"sh:datatype {dt!r} is not an IRI")
    same = f"(isLiteral({v}) && lang({v}) = \"\" && datatype({v}) = <{dt}>)"
    if dt == XSD.string:
        return same
    if dt in CASTABLE:
        return f"({same} && COALESCE(isLiteral(<{dt}>(STR({v}))), false){_PYTHON_LIMITS.get(dt, '').format(v=v)})"
    if dt in _DERIVED_INTEGERS:
        raise Unsupported(f"sh:datatype {dt}: Oxigraph stores every integer type derived from xsd:integer as xsd:integer")
    return same


def string_key(v: str) -> str:
    """pySHACL compares IRIs and string literals as plain strings in sh:lessThan."""
    return f"IF(isIRI({v}) || (isLiteral({v}) && (lang({v}) != \"\" || datatype({v}) = <{XSD.string}>)), STR({v}), {v})"
