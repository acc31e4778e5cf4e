"""Reading RDF files: the format is detected from the content, the base IRI is always explicit.

Turtle, N-Triples, N-Quads, TriG, RDF/XML and JSON-LD are read with Oxigraph's
parsers, whose errors give line and column. The file name's ending is only a
hint: a ``.ttl`` file that is really RDF/XML or JSON-LD is read as what it is.
Relative IRIs resolve against an explicit base (by default the clustergraph
data namespace), so no ``file:///`` IRI ever leaks into the data.

Every input passes the store's input boundary (:mod:`clustergraph.store.parsing`)
with the same limits as :func:`clustergraph.store.load`: DTDs are refused in RDF/XML,
JSON-LD nesting is limited before any parser sees it and its contexts come only from
the bundled ones (nothing is fetched from the network or read from a ``file:`` IRI),
and input and literal sizes are limited.

>>> quads, fmt = parse_rdf(b'@prefix cg: <https://w3id.org/clustergraph/ontology#> . <project/x> a cg:Project .', name="x.nt")
>>> fmt, str(quads[0][0])
('turtle', 'https://w3id.org/clustergraph/id/project/x')
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import InputError, Problem
from ..namespaces import ID
from ..store.parsing import (
    INTEGER_RANGES,
    Limits,
    check_input,
    ill_typed,
    parse,
    syntax_error,
)

__all__ = ["FORMATS", "SUFFIXES", "detect_format", "ill_typed_problems", "literal_line", "parse_native", "parse_rdf", "read_rdf", "read_source"]

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
"""The RDF formats read, by short name."""

SUFFIXES: dict[str, str] = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "ntriples", ".ntriples": "ntriples", ".nq": "nquads",
    ".nquads": "nquads", ".trig": "trig", ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml",
    ".jsonld": "jsonld", ".json-ld": "jsonld",
}
"""File endings and the format they suggest (a hint only)."""

_TEXT_ORDER = ("turtle", "trig", "ntriples", "nquads")


def detect_format(data: bytes, name: str = "") -> str:
    """Guess the format from the first bytes, then from the file name.

    >>> detect_format(b'<?xml version="1.0"?><rdf:RDF/>', "data.ttl")
    'rdfxml'
    >>> detect_format(b'{"@id": "x"}', "data.ttl")
    'jsonld'
    >>> detect_format(b'<http://a> <http://b> <http://c> <http://g> .', "data.ttl")
    'nquads'
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, which only XML declares for itself
        return "rdfxml"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    if head.startswith((b"<?xml", b"<rdf:RDF", b"<!DOCTYPE", b"<RDF")):
        return "rdfxml"
    if head.startswith(b"{") or (head.startswith(b"[") and _is_json_array(data)):
        return "jsonld"
    text = head.decode("utf-8", errors="replace")
    hinted = SUFFIXES.get(Path(name).suffix.lower())
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if re.search(r"(?im)^\s*(@prefix|@base|prefix|base)\b", text):
        return "trig" if re.search(r"(?m)(^|\s)(GRAPH\s+)?(<[^>]*>|\w*:\w*)\s*\{", text) or hinted == "trig" else "turtle"
    term = r'(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?)'
    if lines and all(re.fullmatch(rf"{term}\s+{term}\s+{term}\s+{term}\s*\.", ln) for ln in lines[:20]):
        return "nquads"
    if lines and all(re.fullmatch(rf"{term}\s+{term}\s+{term}\s*\.", ln) for ln in lines[:20]):
        return "ntriples"
    if hinted in _TEXT_ORDER:
        return hinted
    if "{" in text:
        return "trig"
    return "turtle"


_JSON_PARSE_LIMIT = 1024 * 1024  # bytes; up to this size a document starting with '[' is parsed as JSON to tell


def _is_json_array(data: bytes) -> bool:
    """Whether ``data``, which starts with ``[``, is JSON (JSON-LD) rather than Turtle or TriG (``[] :p :o .``).

    A document up to :data:`_JSON_PARSE_LIMIT` bytes is parsed as JSON; a larger one is
    judged by its first tokens: ``[`` then ``{``, ``[`` or a string opens a JSON array
    (none of them may follow ``[`` in Turtle), and ``[]`` is JSON only if nothing follows.

    >>> _is_json_array(b'[{"@id": "http://ex.org/a"}]'), _is_json_array(b'[] <http://ex.org/p> 1 .')
    (True, False)
    """
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if len(text) <= _JSON_PARSE_LIMIT:
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            return True
    rest = text[1:].lstrip(b" \t\r\n")
    if rest.startswith((b"{", b"[", b'"')):
        return True
    return rest.startswith(b"]") and not rest[1:].strip(b" \t\r\n")


def _term(node: Any, bnodes: dict[str, BNode]) -> Any:
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return bnodes.setdefault(node.value, BNode())
    if isinstance(node, ox.Literal):
        if node.language:
            return Literal(node.value, lang=node.language)
        if node.datatype.value == str(XSD.string):
            return Literal(node.value)
        return Literal(node.value, datatype=URIRef(node.datatype.value), normalize=False)
    if isinstance(node, ox.DefaultGraph) or node is None:
        return None
    raise InputError(f"unsupported RDF term {node!r}", fix="use plain RDF 1.1 (no RDF-star triple terms)")


_LABELS = {"turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads", "trig": "TriG", "rdfxml": "RDF/XML", "jsonld": "JSON-LD"}


def parse_rdf(
    data: bytes,
    *,
    name: str = "<data>",
    base: str | None = None,
    format: str | None = None,
    limits: Limits | None = None,
) -> tuple[list[tuple[Any, Any, Any, Any]], str]:
    """Parse RDF ``data`` into quads of rdflib terms.

    Parameters
    ----------
    data:
        the file's bytes.
    name:
        the file name (for the format hint and for errors).
    base:
        base IRI for relative IRIs; default ``https://w3id.org/clustergraph/id/``.
    format:
        force a format (a key of :data:`FORMATS`) instead of detecting it.
    limits:
        input, literal and JSON nesting limits (:class:`clustergraph.store.parsing.Limits`);
        default from the environment, else the built-in ones.

    Returns
    -------
    (quads, format)
        ``(subject, predicate, object, graph_or_None)`` and the format that was read.

    Raises
    ------
    InputError
        malformed RDF (with line and column), an empty file, and what the input
        boundary refuses: a DTD, a JSON-LD context that is not bundled, JSON nested
        too deeply, an input or a literal over its limit.
    """
    raw, fmt = parse_native(data, name=name, base=base, format=format, limits=limits)
    bnodes: dict[str, BNode] = {}
    quads = [
        (_term(q.subject, bnodes), _term(q.predicate, bnodes), _term(q.object, bnodes), _term(q.graph_name, bnodes))
        for q in raw
    ]
    return quads, fmt


def parse_native(
    data: bytes,
    *,
    name: str = "<data>",
    base: str | None = None,
    format: str | None = None,
    limits: Limits | None = None,
) -> tuple[list[ox.Quad], str]:
    """:func:`parse_rdf`, but the quads are Oxigraph's (blank nodes renamed apart), for loading into a store.

    Converting every term to rdflib and back costs more than parsing; the importer keeps
    Oxigraph's terms from the parser to the store.

    >>> quads, fmt = parse_native(b'<http://ex.org/a> <http://ex.org/p> "x" .')
    >>> fmt, quads[0].object.value
    ('ntriples', 'x')
    """
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputError("the file is empty", file=name, fix="give a file with RDF in it")
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown RDF format {format!r}", file=name, value=format, fix=f"use one of {', '.join(FORMATS)}")
    base_iri = base or str(ID)
    fmt = format or detect_format(data, name)
    candidates = [fmt] if (format or fmt in ("rdfxml", "jsonld")) else [fmt, *[f for f in _TEXT_ORDER if f != fmt]]
    first_error: SyntaxError | None = None
    for candidate in candidates:
        checked = check_input(data, format=FORMATS[candidate], name=name, limits=limits)
        try:
            return parse(checked, base=base_iri, rename_blank_nodes=True), candidate
        except SyntaxError as exc:
            first_error = first_error or exc
            continue
    assert first_error is not None
    raise syntax_error(first_error, name, _LABELS[fmt], data)


ILL_TYPED_LIMIT = 100
"""Ill-typed literals reported per file (the count of the others is given)."""


def literal_line(data: bytes, literal: ox.Literal, start: int = 0) -> tuple[int | None, int]:
    """The line (from 1) where ``literal``'s text is written in ``data`` at or after byte ``start``, and the offset to search on from.

    The text is looked for as written in Turtle, N-Triples and JSON (quoted) and in
    RDF/XML (element text or attribute): ``(None, start)`` when it is not found as is
    (escaped, or split over lines).

    >>> literal_line(b'<a> <p> 1 .\\n<a> <q> "nineteen"^^<http://www.w3.org/2001/XMLSchema#integer> .', ox.Literal("nineteen"))[0]
    2
    """
    text = literal.value
    for written in (json.dumps(text, ensure_ascii=False)[1:-1], text):
        encoded = written.encode("utf-8")
        for quoted in (b'"' + encoded + b'"', b"'" + encoded + b"'", b">" + encoded + b"<", encoded):
            at = data.find(quoted, start)
            if at >= 0:
                return data.count(b"\n", 0, at) + 1, at + len(quoted)
    return None, start


def ill_typed_problems(quads: list[ox.Quad], data: bytes, *, name: str, strict: bool = False) -> list[Problem]:
    """One :class:`~clustergraph.errors.Problem` per ill-typed literal of ``quads`` (:func:`clustergraph.store.parsing.ill_typed`).

    Each names the subject, the predicate and the literal, with the line of ``data``
    (the file's bytes) where it is written when the text is found there; past
    :data:`ILL_TYPED_LIMIT` one more problem gives the count of the rest.

    >>> data = b'@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\\n<http://ex.org/a>\\n  <http://ex.org/age> "nineteen"^^xsd:integer .'
    >>> quads, _ = parse_native(data, name="a.ttl")
    >>> print(ill_typed_problems(quads, data, name="a.ttl")[0])
    a.ttl:3: the literal "nineteen"^^xsd:integer is not a valid xsd:integer (subject <http://ex.org/a>, predicate <http://ex.org/age>); it was imported as written; fix: write a valid xsd:integer (e.g. 19, -4), or give the literal another datatype
    """
    found = ill_typed(quads)
    problems: list[Problem] = []
    resume: dict[ox.Literal, int] = {}
    for quad in found[:ILL_TYPED_LIMIT]:
        literal = quad.object
        line, resume[literal] = literal_line(data, literal, resume.get(literal, 0))
        datatype = literal.datatype.value
        short = "xsd:" + datatype.removeprefix(_XSD) if datatype.startswith(_XSD) else f"<{datatype}>"
        subject = f"<{quad.subject.value}>" if isinstance(quad.subject, ox.NamedNode) else "a blank node"
        problems.append(
            Problem(
                f"the literal {json.dumps(literal.value, ensure_ascii=False)}^^{short} is not a valid {short} "
                f"(subject {subject}, predicate <{quad.predicate.value}>)" + ("" if strict else "; it was imported as written")
                + (", and the Oxigraph store keeps it as an xsd:integer" if not strict and datatype in INTEGER_RANGES else ""),
                file=name,
                line=line,
                fix=f"write a valid {short}" + (f" (e.g. {_EXAMPLES[short]})" if short in _EXAMPLES else "") + ", or give the literal another datatype",
            )
        )
    if len(found) > ILL_TYPED_LIMIT:
        problems.append(Problem(f"{len(found) - ILL_TYPED_LIMIT} more ill-typed literal(s) not listed", file=name, fix="correct the ones above and import again"))
    return problems


_XSD = "http://www.w3.org/2001/XMLSchema#"
_EXAMPLES = {
    "xsd:integer": "19, -4", "xsd:decimal": "258437.50", "xsd:double": "1.5E3", "xsd:float": "1.5",
    "xsd:boolean": "true, false, 1, 0", "xsd:date": "2024-03-31", "xsd:dateTime": "2024-03-31T12:00:00Z",
    "xsd:time": "12:00:00", "xsd:gYear": "2024", "xsd:duration": "P1Y2M", "xsd:int": "19, within ±2147483647",
    "xsd:byte": "-128 to 127", "xsd:nonNegativeInteger": "0, 19", "xsd:positiveInteger": "1, 19",
}


def read_rdf(
    path: str | os.PathLike[str],
    *,
    base: str | None = None,
    format: str | None = None,
    display: str | None = None,
    limits: Limits | None = None,
):
    """Read an RDF file; see :func:`parse_rdf`. A missing file is an :class:`InputError`."""
    name = display or str(path)
    return parse_rdf(read_source(path, name=name, limits=limits), name=name, base=base, format=format, limits=limits)


def read_source(path: str | os.PathLike[str], *, name: str | None = None, limits: Limits | None = None) -> bytes:
    """The bytes of an RDF file, its size checked against ``limits`` before it is read.

    A missing file or a folder is an :class:`InputError` naming ``name`` (default: the path).
    """
    p = Path(path)
    name = name or str(path)
    _check_size(p, name, limits)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=name, fix="check the path") from None
    except IsADirectoryError:
        raise InputError("is a directory, not an RDF file", file=name, fix="give the file, not its folder") from None


def _check_size(path: Path, name: str, limits: Limits | None) -> None:
    """Refuse a file over the input limit before reading it into memory."""
    if path.is_file():
        check_input(path, format="nt", name=name, limits=limits)  # N-Triples: only the size is checked
