"""The named query library: ``queries/*.rq`` files and their header comments.

Each file holds one SPARQL query. Its leading comment lines describe it::

    # title: Clusters holding a label on a date
    # description: Label awards valid on ?date (awarded on or before it, and not
    #   expired), by level.
    # param: date xsd:date = 2016-12-31 -- the day on which the label must be valid
    # param: level IRI optional -- cg:Bronze, cg:Silver or cg:Gold; every level when omitted
    # example: clustergraph query labels-on-date --param date=2016-12-31 --param level=cg:Bronze

A parameter line is ``# param: NAME TYPE [= DEFAULT | optional | required] [-- description]``.
``NAME`` is the query variable it binds (``?date``); ``TYPE`` is one of
:data:`TYPES`. A default is bound when the caller gives no value; an ``optional``
parameter without a value leaves its variable free (every value matches); a
``required`` one must be given. Indented comment lines continue the previous field.

Values are converted to RDF terms and checked here; :mod:`clustergraph.query`
binds them (never pasting text into the query).

>>> q = parse('''# title: Projects of a call
... # param: call IRI optional -- the call
... # param: min xsd:integer = 2
... SELECT ?p WHERE { ?p <https://w3id.org/clustergraph/ontology#call> ?call ; <https://w3id.org/clustergraph/ontology#ordinal> ?n
...   FILTER(?n >= ?min) }''', name="demo")
>>> [p.name for p in q.parameters], q.form
(['call', 'min'], 'SELECT')
>>> q.bindings({"call": "cgid:call/x"})
{'call': rdflib.term.URIRef('https://w3id.org/clustergraph/id/call/x'), 'min': rdflib.term.Literal('2', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))}
>>> q.bindings({"min": "two"})
Traceback (most recent call last):
...
clustergraph.errors.ParameterError: parameter 'min' of query 'demo' must be an xsd:integer (a whole number), not 'two'; fix: e.g. --param min=2
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..errors import ParameterError, QueryError
from ..namespaces import PREFIXES
from ..resources import queries_dir

__all__ = [
    "TYPES",
    "Parameter",
    "NamedQuery",
    "parse",
    "read",
    "list_queries",
    "get",
    "to_term",
]

#: Parameter types a header may declare, with what a value must look like and an example.
TYPES: dict[str, tuple[str, str]] = {
    "IRI": ("an IRI (http://..., <http://...> or a prefixed name such as cgid:project/cecil)", "cgid:project/cecil"),
    "string": ("a string", '"Cap Digital"'),
    "xsd:string": ("a string", '"Cap Digital"'),
    "xsd:integer": ("an xsd:integer (a whole number)", "2"),
    "xsd:decimal": ("an xsd:decimal (a number such as 250000 or 0.75)", "250000"),
    "xsd:double": ("an xsd:double (a number)", "0.75"),
    "xsd:date": ("an xsd:date (YYYY-MM-DD)", "2016-12-31"),
    "xsd:gYear": ("an xsd:gYear (a year such as 2016)", "2016"),
    "xsd:boolean": ("an xsd:boolean (true or false)", "true"),
    "any": ("an IRI (<...> or http://...) or a string", '"text" or <http://...>'),
}

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s<>\"{}|^`\\]*)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_YEAR = re.compile(r"^-?\d{4,}$")


def _fail(query: str, name: str, kind: str, value: Any) -> ParameterError:
    what, example = TYPES[kind]
    return ParameterError(f"parameter {name!r} of query {query!r} must be {what}, not {value!r}", fix=f"e.g. --param {name}={example}")


def _iri(text: str) -> URIRef | None:
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    m = _PREFIXED.match(text)
    if m and (m.group(1) or "") in PREFIXES:
        return URIRef(str(PREFIXES[m.group(1) or ""]) + m.group(2))
    if _IRI.match(text) and ("://" in text or text.startswith(("urn:", "mailto:", "tag:"))):
        return URIRef(text)
    return None


def to_term(value: Any, kind: str, *, name: str = "value", query: str = "query") -> Node:
    """Convert ``value`` (text from the command line, or a Python/rdflib value) to an RDF term of ``kind``.

    Raises :class:`~clustergraph.errors.ParameterError` naming the parameter, the
    expected type and an example when the value does not fit.

    >>> to_term("2016-12-31", "xsd:date")
    rdflib.term.Literal('2016-12-31', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    >>> to_term("cg:Gold", "IRI")
    rdflib.term.URIRef('https://w3id.org/clustergraph/ontology#Gold')
    >>> to_term('x"} UNION {', "string")
    rdflib.term.Literal('x"} UNION {')
    """
    if kind not in TYPES:
        raise QueryError(f"unknown parameter type {kind!r} for {name!r} in query {query!r}", fix=f"use one of {', '.join(TYPES)}")
    if isinstance(value, Literal) and kind not in ("IRI", "any"):
        expected = None if kind in ("string", "xsd:string") else URIRef(str(XSD) + kind.split(":", 1)[1])
        if value.datatype == expected or (expected is None and value.datatype in (None, XSD.string)):
            if getattr(value, "ill_typed", False):
                raise _fail(query, name, kind, str(value))
            return value
        raise _fail(query, name, kind, value.n3())
    if kind == "IRI":
        if isinstance(value, URIRef):
            return value
        iri = _iri(value) if isinstance(value, str) else None
        if iri is None:
            raise _fail(query, name, kind, value)
        return iri
    if kind == "any":
        if isinstance(value, Node):
            return value
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("<") and text.endswith(">") and _iri(text):
                return _iri(text)  # type: ignore[return-value]
            if re.match(r"^https?://\S+$", text):
                return URIRef(text)
            return Literal(value)
        kind = {bool: "xsd:boolean", int: "xsd:integer", float: "xsd:double", Decimal: "xsd:decimal", _dt.date: "xsd:date"}.get(type(value), "")
        if not kind:
            raise _fail(query, name, "any", value)
    if isinstance(value, URIRef):
        raise _fail(query, name, kind, value.n3())
    if kind in ("string", "xsd:string"):
        if not isinstance(value, str):
            raise _fail(query, name, kind, value)
        return Literal(value)
    if kind == "xsd:boolean":
        if isinstance(value, bool):
            return Literal(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
            return Literal(value.strip().lower() in ("true", "1"))
        raise _fail(query, name, kind, value)
    if isinstance(value, bool):
        raise _fail(query, name, kind, value)
    if kind == "xsd:integer":
        if isinstance(value, int) or (isinstance(value, str) and _INTEGER.match(value.strip())):
            return Literal(int(value), datatype=XSD.integer)
        raise _fail(query, name, kind, value)
    if kind == "xsd:decimal":
        if isinstance(value, (int, Decimal)) or (isinstance(value, str) and _DECIMAL.match(value.strip())):
            try:
                return Literal(Decimal(str(value).strip()), datatype=XSD.decimal)
            except InvalidOperation:
                pass
        raise _fail(query, name, kind, value)
    if kind == "xsd:double":
        try:
            if isinstance(value, (int, float, Decimal)) or isinstance(value, str):
                return Literal(float(value), datatype=XSD.double)
        except ValueError:
            pass
        raise _fail(query, name, kind, value)
    if kind == "xsd:date":
        if isinstance(value, _dt.datetime):
            raise _fail(query, name, kind, value)
        if isinstance(value, _dt.date):
            return Literal(value.isoformat(), datatype=XSD.date)
        if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
            try:
                return Literal(_dt.date.fromisoformat(value.strip()).isoformat(), datatype=XSD.date)
            except ValueError:
                pass
        raise _fail(query, name, kind, value)
    if kind == "xsd:gYear":
        if isinstance(value, int) or (isinstance(value, str) and _YEAR.match(value.strip())):
            return Literal(f"{int(value):04d}", datatype=XSD.gYear)
        raise _fail(query, name, kind, value)
    raise _fail(query, name, kind, value)  # pragma: no cover - every type handled above


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: the variable it binds, its type, default and meaning."""

    name: str
    type: str
    default: str | None = None
    required: bool = False
    description: str = ""

    @property
    def example(self) -> str:
        """A value that fits, for error messages and ``--list``: the default, the description's "e.g." or the type's."""
        if self.default is not None:
            return self.default
        m = re.search(r"\be\.g\. *([^\s,;]+)", self.description)
        if m:
            return m.group(1).rstrip(".)")
        return TYPES[self.type][1]

    def convert(self, value: Any, query: str = "query") -> Node:
        """The RDF term for ``value`` (see :func:`to_term`)."""
        return to_term(value, self.type, name=self.name, query=query)

    def describe(self) -> str:
        """One line: ``date (xsd:date, default 2016-12-31): the day ...``."""
        if self.required:
            how = "required"
        elif self.default is not None:
            how = f"default {self.default}"
        else:
            how = "optional"
        return f"{self.name} ({self.type}, {how})" + (f": {self.description}" if self.description else "")


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


@dataclass(frozen=True)
class NamedQuery:
    """A query with its header: name, title, description, parameters, examples and text."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    examples: tuple[str, ...] = ()
    path: Path | None = None
    declared: bool = True
    """False for ad-hoc text without ``# param:`` lines: any variable of the query may then be bound."""
    _variables: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def form(self) -> str:
        """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``."""
        body = re.sub(r"#[^\n]*", "", self.text)
        body = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|<[^<>\s]*>", " ", body)
        m = _FORM.search(body)
        return m.group(1).upper() if m else "SELECT"

    def parameter(self, name: str) -> Parameter:
        """The parameter ``name``; :class:`ParameterError` if the query has none by that name."""
        name = name.lstrip("?$")
        for p in self.parameters:
            if p.name == name:
                return p
        if not self.declared and name in self._variables:
            return Parameter(name, "any")
        known = ", ".join(p.describe() for p in self.parameters) if self.declared else ", ".join(sorted(self._variables))
        raise ParameterError(
            f"query {self.name!r} has no parameter {name!r}",
            fix=f"its parameters are: {known or 'none'}; see 'clustergraph query --list'",
        )

    def bindings(self, params: Mapping[str, Any] | None = None) -> dict[str, Node]:
        """Check ``params`` against the header and return the terms to bind (defaults filled in).

        Raises :class:`~clustergraph.errors.ParameterError` for an unknown parameter,
        a value of the wrong type, or a missing required one.
        """
        given: dict[str, Any] = {}
        for key, value in (params or {}).items():
            p = self.parameter(str(key))
            given[p.name] = value
        out: dict[str, Node] = {}
        for p in self.parameters:
            if p.name in given and given[p.name] is not None:
                out[p.name] = p.convert(given.pop(p.name), self.name)
            elif p.default is not None:
                given.pop(p.name, None)
                out[p.name] = p.convert(p.default, self.name)
            elif p.required:
                raise ParameterError(f"query {self.name!r} needs the parameter {p.name!r} ({p.type})", fix=f"e.g. --param {p.name}={p.example}")
        for key, value in given.items():  # ad-hoc queries: variables without declarations
            if value is not None:
                out[key] = self.parameter(key).convert(value, self.name)
        return out

    def summary(self) -> str:
        """``name — title`` for listings."""
        return f"{self.name} — {self.title}" if self.title else self.name


_FIELD = re.compile(r"^#\s?(title|description|param|example|returns)\s*:\s*(.*)$", re.I)
_PARAM = re.compile(
    r"^\??(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[A-Za-z:]+)"
    r"(?:\s*=\s*(?:\"(?P<qdefault>(?:[^\"\\]|\\.)*)\"|(?P<default>[^\s\"]+))|\s+(?P<flag>optional|required))?"
    r"\s*(?:--\s*(?P<desc>.*))?$"
)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def parse(text: str, *, name: str = "query", path: Path | None = None) -> NamedQuery:
    """Read a query and its header comment.

    Raises :class:`~clustergraph.errors.QueryError` for a malformed ``# param:``
    line or a parameter that names no variable of the query.
    """
    fields: dict[str, list[str]] = {"title": [], "description": [], "example": [], "returns": []}
    params: list[Parameter] = []
    current: str | None = None
    where = str(path) if path else name
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        if not stripped.startswith("#"):
            break
        m = _FIELD.match(stripped)
        if m:
            key, value = m.group(1).lower(), m.group(2).strip()
            if key == "param":
                pm = _PARAM.match(value)
                if not pm:
                    raise QueryError(
                        f"{where}:{lineno}: malformed parameter line {value!r}",
                        fix="write '# param: NAME TYPE [= DEFAULT | optional | required] [-- description]'",
                    )
                kind = pm.group("type")
                if kind not in TYPES or kind == "any":
                    raise QueryError(f"{where}:{lineno}: unknown parameter type {kind!r}", fix=f"use one of {', '.join(t for t in TYPES if t != 'any')}")
                default = pm.group("qdefault") if pm.group("qdefault") is not None else pm.group("default")
                params.append(Parameter(pm.group("name"), kind, default, pm.group("flag") == "required", (pm.group("desc") or "").strip()))
                current = "param"
            else:
                fields[key].append(value)
                current = key
        elif current and re.match(r"^#\s{2,}\S", stripped):
            cont = stripped[1:].strip()
            if current == "param" and params:
                last = params[-1]
                params[-1] = Parameter(last.name, last.type, last.default, last.required, (last.description + " " + cont).strip())
            elif current == "example":
                fields["example"][-1] += " " + cont
            else:
                fields[current].append(cont)
        else:
            current = None
    variables = frozenset(_VARIABLE.findall(re.sub(r"(?m)^\s*#[^\n]*$", "", text)))
    for p in params:
        if p.name not in variables:
            raise QueryError(f"{where}: parameter {p.name!r} binds no variable of the query", fix=f"use ?{p.name} in the query or remove the '# param:' line")
        if p.default is not None:
            p.convert(p.default, name)
    return NamedQuery(
        name=name,
        text=text,
        title=" ".join(fields["title"]),
        description=" ".join(fields["description"]),
        parameters=tuple(params),
        examples=tuple(fields["example"]),
        path=path,
        declared=bool(params) or bool(fields["title"]),
        _variables=variables,
    )


def read(path: str | Path) -> NamedQuery:
    """Read one ``.rq`` file (the query is named after the file).

    Raises :class:`~clustergraph.errors.QueryError` if the file cannot be read.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"{p}: query file not found", fix="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{p}: cannot read the query file: {exc}", fix="save it as UTF-8 text") from None
    return parse(text, name=p.stem, path=p)


def list_queries(directory: str | Path | None = None) -> list[NamedQuery]:
    """Every named query of the library (or of ``directory``), sorted by name.

    >>> qs = list_queries()
    >>> len(qs) >= 18 and all(q.title and q.description for q in qs)
    True
    """
    root = Path(directory) if directory is not None else queries_dir()
    return [read(p) for p in sorted(root.glob("*.rq"))]


def get(name: str, directory: str | Path | None = None) -> NamedQuery:
    """The named query ``name`` (file ``queries/NAME.rq``).

    >>> get("projects-per-call").parameters[0].name
    'call'
    """
    root = Path(directory) if directory is not None else queries_dir()
    path = root / f"{name}.rq"
    if not re.match(r"^[\w.-]+$", name) or not path.is_file():
        names = [p.stem for p in sorted(root.glob("*.rq"))]
        close = [n for n in names if name.lower() in n or n in name.lower()][:3]
        raise QueryError(
            f"no query named {name!r} in the library",
            fix=(f"did you mean {', '.join(close)}? " if close else "") + "list them with 'clustergraph query --list', or run a file with --file",
        )
    return read(path)
