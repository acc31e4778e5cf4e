"""The one way RDF comes in: every input is checked before a parser sees it, with the same limits.

Every path that parses RDF (:func:`clustergraph.store.load` for every store kind,
:mod:`clustergraph.ingest.rdfsource`, the data of ``clustergraph query``) first calls
:func:`check_input`, then parses what it returns inside :func:`parser_errors`;
:func:`parse` does the three steps for callers that want Oxigraph quads. The checks:

* **size**: an input larger than :attr:`Limits.max_input_bytes` is refused before it is read;
* **RDF/XML**: a DTD (``<!DOCTYPE``, ``<!ENTITY``) is refused before any parser expands it,
  which stops "billion laughs" (a few hundred bytes that expand to gigabytes) and
  external entities that read local files;
* **JSON-LD**: nesting deeper than :attr:`Limits.max_json_depth` is refused by a small
  scan of the text before any parser recurses into it (deep nesting crashes Oxigraph's
  parser and exhausts Python's stack); a ``@context``, scoped ``@context`` or ``@import``
  given by IRI is taken only from the bundled contexts (:data:`CONTEXTS`, copied in
  inline) and refused otherwise: nothing is fetched over the network, nothing read
  from a ``file:`` IRI;
* **literals**: a literal longer than :attr:`Limits.max_literal_bytes` is refused, and the
  ``MemoryError`` Oxigraph raises for a term longer than its 16 MiB buffer becomes the
  same kind of error.

Every refusal is an :class:`~clustergraph.errors.InputError` naming the file (and the line
where it is known), the limit and the fix. The limits are configurable per call
(``limits=Limits(...)``) or for a process through environment variables
(:data:`ENVIRONMENT`).

>>> quads = parse(b'<http://ex.org/a> <http://ex.org/p> "x" .', format="nt")
>>> len(quads)
1
>>> parse(b'<?xml version="1.0"?>\\n<!DOCTYPE r [<!ENTITY a "b">]><r/>', format="xml", name="x.rdf")
Traceback (most recent call last):
...
clustergraph.errors.InputError: x.rdf:2: DTDs are refused because their entity declarations can expand a few bytes into gigabytes (billion laughs) or pull in local files (external entities); fix: remove the <!DOCTYPE ...> declaration and write each entity's text out in full (RDF/XML needs no DTD)
>>> parse(b'{"@context": "https://example.org/ctx.jsonld", "@id": "http://ex.org/a"}', format="json-ld", name="a.jsonld")
Traceback (most recent call last):
...
clustergraph.errors.InputError: a.jsonld:1: the JSON-LD @context <https://example.org/ctx.jsonld> is remote, and clustergraph never fetches contexts; fix: put the context's content inline ("@context": {...}), or name a bundled context: https://w3id.org/clustergraph/context.jsonld
>>> Limits(max_json_depth=5).max_json_depth
5
"""

from __future__ import annotations

import copy
import json
import mmap
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.term import Literal as RdflibLiteral

from ..errors import ClusterGraphError, InputError
from ..namespaces import PREFIXES
from .offline import guard

__all__ = [
    "Limits",
    "DEFAULT_MAX_INPUT_BYTES",
    "DEFAULT_MAX_LITERAL_BYTES",
    "DEFAULT_MAX_JSON_DEPTH",
    "HARD_MAX_JSON_DEPTH",
    "PARSER_TOKEN_LIMIT",
    "ENVIRONMENT",
    "CONTEXT_IRI",
    "CONTEXTS",
    "RDF_FORMATS",
    "rdf_format",
    "Checked",
    "check_input",
    "check_xml",
    "check_json",
    "json_depth",
    "check_literals",
    "parser_errors",
    "parse",
    "syntax_error",
    "xml_position",
    "CHECKED_DATATYPES",
    "INTEGER_RANGES",
    "ill_typed",
]

DEFAULT_MAX_INPUT_BYTES = 2 * 1024**3
"""Largest input read: 2 GiB."""

PARSER_TOKEN_LIMIT = 16 * 1024**2
"""Oxigraph reads at most this many bytes (16 MiB) as one term in Turtle, N-Triples, N-Quads,
TriG and JSON-LD; a longer literal or IRI cannot be read, whatever the limits say."""

DEFAULT_MAX_LITERAL_BYTES = PARSER_TOKEN_LIMIT
"""Longest literal accepted (UTF-8 bytes): 16 MiB, Oxigraph's own limit, so every store and
format refuses the same literals."""

DEFAULT_MAX_JSON_DEPTH = 100
"""Deepest nesting of JSON objects and arrays accepted in JSON-LD (and JSON tables)."""

HARD_MAX_JSON_DEPTH = 1000
"""The most :attr:`Limits.max_json_depth` may be raised to: deeper, the parsers' stacks overflow."""

ENVIRONMENT = {
    "max_input_bytes": "CLUSTERGRAPH_MAX_INPUT_BYTES",
    "max_literal_bytes": "CLUSTERGRAPH_MAX_LITERAL_BYTES",
    "max_json_depth": "CLUSTERGRAPH_MAX_JSON_DEPTH",
}
"""Environment variables that set the default limits (``0`` or ``none``: no byte limit)."""


@dataclass(frozen=True)
class Limits:
    """How much an input may hold; ``None`` for a byte limit means none.

    >>> Limits.from_env({"CLUSTERGRAPH_MAX_LITERAL_BYTES": "1000"}).max_literal_bytes
    1000
    >>> Limits.from_env({"CLUSTERGRAPH_MAX_INPUT_BYTES": "none"}).max_input_bytes is None
    True
    """

    max_input_bytes: int | None = DEFAULT_MAX_INPUT_BYTES
    max_literal_bytes: int | None = DEFAULT_MAX_LITERAL_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH

    def __post_init__(self) -> None:
        for name in ("max_input_bytes", "max_literal_bytes"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ClusterGraphError(f"the limit {name} must be a positive number of bytes or None, not {value!r}", fix=f"e.g. Limits({name}={DEFAULT_MAX_LITERAL_BYTES})")
        depth = self.max_json_depth
        if not isinstance(depth, int) or not 1 <= depth <= HARD_MAX_JSON_DEPTH:
            raise ClusterGraphError(
                f"the limit max_json_depth must be a whole number from 1 to {HARD_MAX_JSON_DEPTH}, not {depth!r}",
                fix=f"e.g. Limits(max_json_depth={DEFAULT_MAX_JSON_DEPTH}); deeper nesting overflows the parsers' stacks",
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, changed by the variables of :data:`ENVIRONMENT` that are set."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, var in ENVIRONMENT.items():
            text = env.get(var, "").strip()
            if not text:
                continue
            if name != "max_json_depth" and text.lower() in ("0", "none", "unlimited"):
                values[name] = None
                continue
            try:
                values[name] = int(text.replace("_", ""))
            except ValueError:
                raise ClusterGraphError(f"{var}={text!r} is not a whole number", fix=f"set {var} to a number, e.g. {var}={getattr(cls(), name)}") from None
        return cls(**values)


def _limits(limits: Limits | None) -> Limits:
    return limits if limits is not None else Limits.from_env()


# --- formats ------------------------------------------------------------------------

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "n-quads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf/xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
    "jsonld": ox.RdfFormat.JSON_LD,
}
"""The format names the store and the importer use, and the Oxigraph format of each."""

_FORMAT_LABEL = {
    ox.RdfFormat.TURTLE: "Turtle",
    ox.RdfFormat.N_TRIPLES: "N-Triples",
    ox.RdfFormat.N_QUADS: "N-Quads",
    ox.RdfFormat.TRIG: "TriG",
    ox.RdfFormat.RDF_XML: "RDF/XML",
    ox.RdfFormat.JSON_LD: "JSON-LD",
}


def rdf_format(format: str | ox.RdfFormat) -> ox.RdfFormat:
    """The Oxigraph format for a name (``"turtle"``, ``"nt"``, ``"rdfxml"``, ``"json-ld"``...).

    >>> rdf_format("rdfxml") == rdf_format("xml") == ox.RdfFormat.RDF_XML
    True
    """
    if isinstance(format, ox.RdfFormat):
        return format
    try:
        return RDF_FORMATS[format.lower()]
    except KeyError:
        raise InputError(f"unknown RDF format {format!r}", value=format, fix=f"use one of {', '.join(sorted(set(RDF_FORMATS)))}") from None


# --- bundled JSON-LD contexts ----------------------------------------------------------

CONTEXT_IRI = "https://w3id.org/clustergraph/context.jsonld"
"""The clustergraph JSON-LD context: its prefixes (``cg:``, ``cgid:``, ``schema:``...)."""

CONTEXTS: dict[str, dict[str, Any]] = {
    CONTEXT_IRI: {"@context": {prefix: str(ns) for prefix, ns in PREFIXES.items()}},
}
"""The contexts a JSON-LD input may name by IRI: the allow-list. Their content ships
with clustergraph and is copied into the document; nothing else is fetched."""


# --- what a parser gets ------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """An input that passed :func:`check_input`: what to give the parser, and for which file.

    ``path`` is set when the parser may read the file itself; otherwise ``data`` holds
    the bytes to parse (the content given, or a JSON-LD document with its bundled
    contexts copied in).
    """

    name: str
    format: ox.RdfFormat
    size: int
    limits: Limits = field(default_factory=Limits)
    path: Path | None = None
    data: bytes | None = None

    @property
    def source(self) -> dict[str, Any]:
        """``path=`` or ``input=`` keyword for :func:`pyoxigraph.parse` and ``Store.load``."""
        return {"path": os.fspath(self.path)} if self.path is not None else {"input": self.data}

    @property
    def label(self) -> str:
        """The format's name, for messages."""
        return _FORMAT_LABEL.get(self.format, str(self.format))

    @property
    def literal_limit(self) -> int | None:
        """The literal limit when a literal of this input could exceed it, else ``None``."""
        limit = self.limits.max_literal_bytes
        return limit if limit is not None and self.size > limit else None

    @property
    def parser_checks_literals(self) -> bool:
        """True if Oxigraph's own buffer enforces the literal limit for this input."""
        limit = self.limits.max_literal_bytes
        return self.format != ox.RdfFormat.RDF_XML and (limit is None or limit >= PARSER_TOKEN_LIMIT)


def check_input(
    source: bytes | str | os.PathLike[str],
    *,
    format: str | ox.RdfFormat,
    name: str | None = None,
    limits: Limits | None = None,
    contexts: Mapping[str, Mapping[str, Any]] | None = None,
) -> Checked:
    """Check an input before any parser reads it; return what the parser should read.

    Parameters
    ----------
    source:
        A path (:class:`os.PathLike`), or the content itself (``bytes`` or ``str``).
    format:
        A name of :data:`RDF_FORMATS` or a :class:`pyoxigraph.RdfFormat`.
    name:
        The file name for messages (default: the path, or ``<data>``).
    limits:
        Default :meth:`Limits.from_env`.
    contexts:
        JSON-LD contexts allowed by IRI besides :data:`CONTEXTS` (IRI to a document
        with an ``@context``), for contexts kept locally.

    Raises
    ------
    InputError
        A file that is missing or too large, a DTD, JSON-LD nested too deeply or naming a
        context that is not bundled, malformed JSON.

    >>> check_input(b"<a> <b> <c> .", format="nt").size
    13
    >>> check_input(b"<a> <b> <c> .", format="nt", limits=Limits(max_input_bytes=10))
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: <data>: the input is 13 bytes, more than the limit of 10 bytes; fix: split the input into smaller files, or raise the limit with CLUSTERGRAPH_MAX_INPUT_BYTES=BYTES (Limits(max_input_bytes=...) in Python)
    """
    fmt = rdf_format(format)
    lim = _limits(limits)
    path: Path | None = None
    data: bytes | None = None
    if isinstance(source, os.PathLike):
        path = Path(source)
        name = name or str(source)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise InputError("file not found", file=name, fix="check the path and the current directory") from None
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name, fix="check the path and its permissions") from None
        if path.is_dir():
            raise InputError("is a directory, not an RDF file", file=name, fix="give the file, not its folder")
    else:
        data = source.encode("utf-8") if isinstance(source, str) else bytes(source)
        name = name or "<data>"
        size = len(data)
    if lim.max_input_bytes is not None and size > lim.max_input_bytes:
        raise InputError(
            f"the input is {size:,} bytes, more than the limit of {lim.max_input_bytes:,} bytes",
            file=name,
            fix=f"split the input into smaller files, or raise the limit with {ENVIRONMENT['max_input_bytes']}=BYTES (Limits(max_input_bytes=...) in Python)",
        )
    if fmt == ox.RdfFormat.RDF_XML:
        if data is not None:
            check_xml(data, name=name)
        else:
            assert path is not None
            with _mapped(path, name) as mapped:
                check_xml(mapped, name=name)
    elif fmt == ox.RdfFormat.JSON_LD:
        if data is None:
            assert path is not None
            data = _read(path, name)
            path = None
        data = check_json(data, name=name, limits=lim, contexts=contexts, jsonld=True)
        size = len(data)
    elif _starts_with_bom(data, path):  # as Windows editors save UTF-8; no part of the syntax
        data = (data if data is not None else _read(path, name))[len(_UTF8_BOM) :]  # type: ignore[arg-type]
        path, size = None, len(data)
    return Checked(name=name, format=fmt, size=size, limits=lim, path=path, data=data)


_UTF8_BOM = b"\xef\xbb\xbf"


def _starts_with_bom(data: bytes | None, path: Path | None) -> bool:
    """True if the input starts with a UTF-8 byte-order mark, which Oxigraph's text parsers refuse.

    >>> _starts_with_bom(_UTF8_BOM + b"<a> <b> <c> .", None), _starts_with_bom(b"<a> <b> <c> .", None)
    (True, False)
    """
    if data is not None:
        return data.startswith(_UTF8_BOM)
    if path is None:
        return False
    with open(path, "rb") as fh:
        return fh.read(len(_UTF8_BOM)) == _UTF8_BOM


def _read(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name, fix="check the path and its permissions") from None


@contextmanager
def _mapped(path: Path, name: str) -> Iterator[bytes | mmap.mmap]:
    """The file's bytes without reading them into memory (an empty file gives ``b""``)."""
    try:
        with path.open("rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                yield b""
                return
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                yield mapped
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name, fix="check the path and its permissions") from None


def _line(data: bytes | mmap.mmap, pos: int) -> int:
    return data[:pos].count(b"\n") + 1


# --- RDF/XML ---------------------------------------------------------------------------

_XML_MARKUP = re.compile(rb"<!--|<!\[CDATA\[|<\?|<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_XML_END = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}


def check_xml(data: bytes | mmap.mmap, *, name: str = "<data>") -> None:
    """Refuse an XML document with a DTD (``<!DOCTYPE``, ``<!ENTITY``...), wherever it is.

    Comments, CDATA sections and processing instructions are skipped, so a literal
    that quotes ``<!DOCTYPE html>`` in a CDATA section passes. UTF-16 documents are
    read as such; other encodings that are not ASCII-compatible are refused.

    >>> check_xml(b'<r><![CDATA[<!DOCTYPE html>]]></r>')
    >>> check_xml(b'<r/>\\n<!-- x -->\\n<!ENTITY a "b">', name="f.rdf")
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: f.rdf:3: DTDs are refused because their entity declarations can expand a few bytes into gigabytes (billion laughs) or pull in local files (external entities); fix: remove the <!DOCTYPE ...> declaration and write each entity's text out in full (RDF/XML needs no DTD)
    """
    head = bytes(data[:4])
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 2 and 0 in head[:2] and b"<" in head[:2]):
        try:
            data = bytes(data).decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the XML is neither UTF-8 nor valid UTF-16", file=name, fix="save the file as UTF-8") from None
    elif head.startswith((b"\x00\x00", b"\x4c\x6f\xa7\x94")):  # UTF-32, EBCDIC
        raise InputError("the XML is not in an ASCII-compatible encoding", file=name, fix="save the file as UTF-8")
    pos = 0
    while True:
        m = _XML_MARKUP.search(data, pos)
        if m is None:
            return
        token = bytes(m.group())
        end_mark = _XML_END.get(token)
        if end_mark is None:
            raise _dtd_error(name, _line(data, m.start()))
        end = data.find(end_mark, m.end())
        if end < 0:
            # an unterminated comment or CDATA: the parser fails on it, but look past it anyway
            rest = _XML_DECLARATION.search(data, m.end())
            if rest is not None:
                raise _dtd_error(name, _line(data, rest.start()))
            return
        pos = end + len(end_mark)


def _dtd_error(name: str, line: int) -> InputError:
    return InputError(
        "DTDs are refused because their entity declarations can expand a few bytes into gigabytes "
        "(billion laughs) or pull in local files (external entities)",
        file=name,
        line=line,
        fix="remove the <!DOCTYPE ...> declaration and write each entity's text out in full (RDF/XML needs no DTD)",
    )


# --- JSON and JSON-LD ----------------------------------------------------------------------

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(data: bytes, limit: int | None = None) -> tuple[int, int | None]:
    """How deeply JSON ``data`` nests objects and arrays, read without parsing it.

    Returns ``(depth, position)``: with a ``limit``, the scan stops at the first bracket
    deeper than it and gives its byte offset; otherwise the position is ``None``.
    Brackets inside strings do not count. Runs in time linear in the input, with no
    recursion, so any input is safe to measure.

    >>> json_depth(b'{"a": [1, {"b": "[[["}]}')
    (3, None)
    >>> json_depth(b'[[[[]]]]', limit=2)
    (3, 2)
    """
    openers = data.count(b"[") + data.count(b"{")
    if limit is not None and openers <= limit:
        return 0, None
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0, None
    import numpy as np

    steps = np.frombuffer(brackets, dtype=np.uint8)
    depths = np.cumsum(np.where((steps == ord("[")) | (steps == ord("{")), 1, -1), dtype=np.int64)
    deepest = int(depths.max())
    if limit is None or deepest <= limit:
        return deepest, None
    depth = 0
    for m in _JSON_TOKEN.finditer(data):
        token = m.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return depth, m.start()
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest, None  # pragma: no cover - the two scans agree


def check_json(
    data: bytes,
    *,
    name: str = "<data>",
    limits: Limits | None = None,
    contexts: Mapping[str, Mapping[str, Any]] | None = None,
    jsonld: bool = True,
) -> bytes:
    """Check JSON (or JSON-LD) text; return it, with bundled contexts copied in for JSON-LD.

    The nesting depth is measured first (:func:`json_depth`); only then is the text
    parsed, and for JSON-LD every ``@context`` (also scoped ones and ``@import``)
    named by IRI is replaced by the bundled context or refused.

    >>> check_json(b'[[[1]]]', limits=Limits(max_json_depth=2), name="t.json", jsonld=False)
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: t.json:1: the JSON is nested more than 2 levels deep at line 1, column 3 (objects and arrays count alike); fix: flatten the document (give nested nodes an @id and list them side by side), or raise the limit with CLUSTERGRAPH_MAX_JSON_DEPTH (at most 1000)
    >>> json.loads(check_json(b'{"@context": "https://w3id.org/clustergraph/context.jsonld"}'))["@context"]["cg"]
    'https://w3id.org/clustergraph/ontology#'
    """
    lim = _limits(limits)
    depth, pos = json_depth(data, lim.max_json_depth)
    if pos is not None:
        line = _line(data, pos)
        column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
        raise InputError(
            f"the JSON is nested more than {lim.max_json_depth} levels deep at line {line}, column {column} (objects and arrays count alike)",
            file=name,
            line=line,
            fix="flatten the document (give nested nodes an @id and list them side by side), or raise the limit "
            f"with {ENVIRONMENT['max_json_depth']} (at most {HARD_MAX_JSON_DEPTH})",
        )
    if not jsonld or (b"@context" not in data and b"\\u" not in data):
        return data
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("JSON-LD must be UTF-8", file=name, fix="save the file as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON-LD at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=name,
            line=exc.lineno,
            fix="correct the JSON syntax on that line",
        ) from None
    allowed = {**CONTEXTS, **(contexts or {})}
    if _inline_contexts(doc, data, name, allowed):
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return data


def _inline_contexts(doc: Any, data: bytes, name: str, allowed: Mapping[str, Mapping[str, Any]]) -> bool:
    """Replace every context named by IRI in ``doc`` with its bundled content; True if any was."""
    changed = False
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    new, did = _context(value, data, name, allowed, "@context")
                    if did:
                        node[key] = new
                        changed = True
                else:
                    stack.append(value)
    return changed


def _context(value: Any, data: bytes, name: str, allowed: Mapping[str, Mapping[str, Any]], what: str) -> tuple[Any, bool]:
    if isinstance(value, str):
        return _bundled(value, data, name, allowed, what), True
    if isinstance(value, list):
        out, changed = [], False
        for item in value:
            new, did = _context(item, data, name, allowed, what)
            out.append(new)
            changed = changed or did
        return out, changed
    if not isinstance(value, dict):
        return value, False
    changed = False
    if isinstance(value.get("@import"), str):
        imported = _bundled(value["@import"], data, name, allowed, "@import")
        value = {**(imported if isinstance(imported, dict) else {}), **{k: v for k, v in value.items() if k != "@import"}}
        changed = True
    for term, definition in list(value.items()):
        if isinstance(definition, dict) and "@context" in definition:
            new, did = _context(definition["@context"], data, name, allowed, f"scoped @context of the term '{term}'")
            if did:
                value[term] = {**definition, "@context": new}
                changed = True
    return value, changed


def _bundled(iri: str, data: bytes, name: str, allowed: Mapping[str, Mapping[str, Any]], what: str) -> Any:
    document = allowed.get(iri)
    if document is not None:
        return copy.deepcopy(document.get("@context", {}))
    at = data.find(json.dumps(iri)[1:-1].encode("utf-8"))
    line = _line(data, at) if at >= 0 else None
    scheme = iri.split(":", 1)[0].lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri) else ""
    if scheme in ("http", "https"):
        why = "is remote, and clustergraph never fetches contexts"
    else:
        why = "would be read from a file, and clustergraph reads only the files you name"
    bundled = ", ".join(sorted(allowed))
    raise InputError(
        f"the JSON-LD {what} <{iri}> {why}",
        file=name,
        line=line,
        fix="put the context's content inline (\"@context\": {...})" + (f", or name a bundled context: {bundled}" if bundled else ""),
    )


# --- literals and parser failures -------------------------------------------------------------


def _literal_text(term: Any) -> str | None:
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, RdflibLiteral):
        return str(term)
    return None


def check_literals(triples: Iterable[tuple[Any, ...]], checked: Checked) -> None:
    """Refuse the first literal (object of a triple or quad) longer than the literal limit.

    Cheap when the input is smaller than the limit: nothing is looked at then.

    >>> c = check_input(b'<http://a> <http://b> "abcdef" .', format="nt", limits=Limits(max_literal_bytes=4))
    >>> check_literals(((q.subject, q.predicate, q.object) for q in parse(c)), c)
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: <data>: a literal of 6 bytes is longer than the limit of 4 bytes (subject <http://a>, predicate <http://b>); fix: split the text into smaller literals or keep it outside the graph (link to a file), or raise the limit with CLUSTERGRAPH_MAX_LITERAL_BYTES=BYTES (Limits(max_literal_bytes=...) in Python)
    """
    limit = checked.literal_limit
    if limit is None:
        return
    for triple in triples:
        text = _literal_text(triple[2])
        if text is None or len(text) * 4 <= limit:
            continue
        size = len(text) if len(text) > limit else len(text.encode("utf-8"))
        if size > limit:
            subject = getattr(triple[0], "value", triple[0])
            predicate = getattr(triple[1], "value", triple[1])
            raise InputError(
                f"a literal of {size:,} bytes is longer than the limit of {limit:,} bytes (subject <{subject}>, predicate <{predicate}>)",
                file=checked.name,
                fix="split the text into smaller literals or keep it outside the graph (link to a file), or raise the limit with "
                f"{ENVIRONMENT['max_literal_bytes']}=BYTES (Limits(max_literal_bytes=...) in Python)",
            )


@contextmanager
def parser_errors(checked: Checked) -> Iterator[None]:
    """Turn what a parser raises on hostile input into an :class:`InputError` naming the file.

    ``MemoryError`` (Oxigraph's buffer limit, or memory running out) and
    ``RecursionError`` (rdflib's recursive parsers) are translated; a ``SyntaxError``
    is left for the caller, who knows how to point at its line. No socket may be
    opened inside the block (:func:`clustergraph.store.offline.guard`).
    """
    try:
        with guard(False):
            yield
    except MemoryError as exc:
        text = str(exc)
        if "buffer maximal size" in text:
            raise InputError(
                f"a literal or IRI is longer than {PARSER_TOKEN_LIMIT:,} bytes, the most the {checked.label} parser reads as one term",
                file=checked.name,
                fix="split the long value into several literals, or keep large text outside the graph and link to it; "
                "this limit of the parser cannot be raised",
            ) from None
        raise InputError(
            f"ran out of memory while parsing the {checked.label} ({text or 'MemoryError'})",
            file=checked.name,
            fix="give a smaller file, or load it into an on-disk store (--store DIR)",
        ) from None
    except RecursionError:
        raise InputError(
            f"the {checked.label} is nested too deeply for the parser",
            file=checked.name,
            fix="flatten the nesting (name nested nodes instead of nesting [ ] or ( ) or JSON objects inside each other)",
        ) from None


def parse(
    source: bytes | str | os.PathLike[str] | Checked,
    *,
    format: str | ox.RdfFormat | None = None,
    name: str | None = None,
    base: str | None = None,
    limits: Limits | None = None,
    rename_blank_nodes: bool = False,
) -> list[ox.Quad]:
    """Check ``source`` (:func:`check_input`), parse it with Oxigraph and check its literals.

    Returns the quads; a ``SyntaxError`` from the parser is raised as it is (with its
    line and column) for the caller to word.

    >>> [str(q.object) for q in parse('<http://ex.org/a> <http://ex.org/p> "x" .', format="turtle")]
    ['"x"']
    """
    if isinstance(source, Checked):
        checked = source
    else:
        if format is None:
            raise InputError("no RDF format given", file=name, fix="pass format=, e.g. format='turtle'")
        checked = check_input(source, format=format, name=name, limits=limits)
    with parser_errors(checked):
        quads = list(ox.parse(**checked.source, format=checked.format, base_iri=base, rename_blank_nodes=rename_blank_nodes))
    if not checked.parser_checks_literals:  # otherwise Oxigraph's buffer held the limit while parsing
        check_literals(((q.subject, q.predicate, q.object) for q in quads), checked)
    return quads


_PARSER_PREFIX = re.compile(r"^Parser error (?:at|between) line (\d+)(?: column| between columns) (\d+)[^:]*: ")


def syntax_error(exc: Exception, name: str, label: str, data: bytes | None = None) -> InputError:
    """The :class:`InputError` for a parser's ``SyntaxError``: ``malformed LABEL at line L, column C: why``.

    The position is read from the exception (Oxigraph sets ``lineno`` and ``offset``),
    from its text, or, for RDF/XML without one, from Python's XML parser reading ``data``;
    the error's ``line`` is set, so messages read ``file:L: malformed ...``.

    >>> try:
    ...     parse(b"<http://ex.org/a> <http://ex.org/p> .", format="nt")
    ... except SyntaxError as exc:
    ...     print(syntax_error(exc, "a.nt", "N-Triples"))
    a.nt:1: malformed N-Triples at line 1, column 37: The object of a triple must be an IRI, a blank node or a literal; fix: correct the N-Triples syntax on line 1, or check that the file really is N-Triples
    """
    text = str(exc.msg if isinstance(exc, SyntaxError) and exc.msg else exc).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    line, column = getattr(exc, "lineno", None), getattr(exc, "offset", None)
    m = _PARSER_PREFIX.match(text)
    if m:
        text = text[m.end() :]
        if line is None:
            line, column = int(m.group(1)), int(m.group(2))
    if line is None:
        m = re.search(r"line (\d+)(?:,? column (\d+))?", text, re.IGNORECASE) or re.search(r"(?:at|on) (\d+):(\d+)", text)
        if m:
            line, column = int(m.group(1)), int(m.group(2)) if m.group(2) else None
    if line is None and data is not None and label == "RDF/XML":
        line, column = xml_position(data)
    where = f" at line {line}" + (f", column {column}" if column else "") if line else ""
    return InputError(
        f"malformed {label}{where}: {text}",
        file=name,
        line=line,
        fix=f"correct the {label} syntax{' on line ' + str(line) if line else ''}, or check that the file really is {label}",
    )


def xml_position(data: bytes) -> tuple[int | None, int | None]:
    """Line and column (from 1) of the first XML well-formedness error in ``data``, or ``(None, None)``.

    >>> xml_position(b"<a>\\n<b></a>")
    (2, 6)
    """
    import xml.sax

    class _Quiet(xml.sax.handler.ContentHandler):
        pass

    try:
        xml.sax.parseString(bytes(data), _Quiet())
    except xml.sax.SAXParseException as exc:
        return exc.getLineNumber(), exc.getColumnNumber() + 1
    except (xml.sax.SAXException, LookupError, ValueError):  # e.g. an encoding Python does not know
        return None, None
    return None, None


# --- ill-typed literals ---------------------------------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"

CHECKED_DATATYPES = tuple(
    _XSD + name
    for name in (
        "integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time", "gYear",
        "duration", "dayTimeDuration", "yearMonthDuration",
    )
)
"""Datatypes whose literals :func:`ill_typed` checks with Oxigraph's own reading of XML Schema
(the types the validator reads too), besides the integer types of :data:`INTEGER_RANGES`."""

INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    _XSD + "long": (-(2**63), 2**63 - 1),
    _XSD + "int": (-(2**31), 2**31 - 1),
    _XSD + "short": (-(2**15), 2**15 - 1),
    _XSD + "byte": (-128, 127),
    _XSD + "nonNegativeInteger": (0, None),
    _XSD + "positiveInteger": (1, None),
    _XSD + "nonPositiveInteger": (None, 0),
    _XSD + "negativeInteger": (None, -1),
    _XSD + "unsignedLong": (0, 2**64 - 1),
    _XSD + "unsignedInt": (0, 2**32 - 1),
    _XSD + "unsignedShort": (0, 2**16 - 1),
    _XSD + "unsignedByte": (0, 255),
}
"""The integer types derived from ``xsd:integer`` and their ranges. They are checked in Python:
the Oxigraph store keeps their literals as ``xsd:integer`` (so ``"300"^^xsd:byte`` would come out
a valid integer), which is why they must be checked before a store sees them."""

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


def _integer_ok(text: str, datatype: str) -> bool:
    if not _INTEGER_TEXT.fullmatch(text):
        return False
    low, high = INTEGER_RANGES[datatype]
    value = int(text)
    return (low is None or value >= low) and (high is None or value <= high)


def ill_typed(quads: Iterable[ox.Quad | ox.Triple]) -> list[ox.Quad | ox.Triple]:
    """The quads (or triples) whose object is a literal its datatype cannot read: ``"nineteen"^^xsd:integer``.

    The XML Schema types of :data:`CHECKED_DATATYPES` are read the way Oxigraph (and the
    compiled validator) reads them: a cast of the lexical form to the datatype must succeed,
    so ``"2023-13-45"^^xsd:date`` and ``" 19 "^^xsd:integer`` (spaces) are ill-typed; the
    derived integer types must also be in range (:data:`INTEGER_RANGES`). Other datatypes
    are not checked. Each distinct literal is read once, inside Oxigraph.

    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> q = lambda v, t: ox.Quad(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"), ox.Literal(v, datatype=ox.NamedNode(xsd + t)))
    >>> [x.object.value for x in ill_typed([q("19", "integer"), q("nineteen", "integer"), q("2023-13-45", "date"), q("300", "byte"), q("x", "string")])]
    ['nineteen', '2023-13-45', '300']
    """
    items = list(quads)
    checked: set[ox.Literal] = set()
    bad: set[ox.Literal] = set()
    known = set(CHECKED_DATATYPES)
    for item in items:
        term = item.object
        if not isinstance(term, ox.Literal) or term.language or term in checked or term in bad:
            continue
        datatype = term.datatype.value
        if datatype in known:
            checked.add(term)
        elif datatype in INTEGER_RANGES and not _integer_ok(term.value, datatype):
            bad.add(term)
    if checked:
        bad |= _unreadable(checked)
    if not bad:
        return []
    return [item for item in items if item.object in bad]


def _unreadable(literals: set[ox.Literal]) -> set[ox.Literal]:
    """The literals among ``literals`` that Oxigraph cannot cast to their own datatype."""
    scratch = ox.Store()
    value = ox.NamedNode("urn:clustergraph:value")
    scratch.extend(ox.Quad(value, value, term) for term in literals)
    readable = " || ".join(f"(?d = <{dt}> && isLiteral(<{dt}>(STR(?o))))" for dt in CHECKED_DATATYPES)
    query = f"SELECT ?o WHERE {{ ?s ?p ?o BIND(datatype(?o) AS ?d) FILTER(!COALESCE({readable}, false)) }}"
    return {solution[0] for solution in scratch.query(query)}  # type: ignore[misc]
