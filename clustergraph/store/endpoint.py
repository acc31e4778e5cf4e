"""Queries on a remote store that answer like :class:`pyoxigraph.Store`: run compiled SPARQL where the data is.

The compiled SHACL checks, the network's edge lists and the rules are SPARQL written
for a local Oxigraph store (``store.query(text, use_default_graph_as_union=True,
prefixes=..., substitutions=...)``). :class:`RemoteQueries` offers the same call on a
remote SPARQL 1.1 store, so that code runs on the server and only the answers travel:

* the dataset is named through the protocol (``default-graph-uri`` and
  ``named-graph-uri`` for each data graph, :func:`~clustergraph.store.remote.data_graphs`),
  so "the default graph is the union of the data graphs" holds on every server, whether
  its own default graph is the union of all graphs (Virtuoso) or a graph of its own
  (Oxigraph's server);
* ``prefixes`` become ``PREFIX`` lines, ``substitutions`` a ``VALUES`` row at the start
  of the WHERE group (blank nodes cannot be sent: they are refused with a clear error);
* SELECT answers come back as SPARQL JSON and are turned into pyoxigraph terms,
  literals with the text the server sends (servers may normalise datatyped values:
  Virtuoso writes ``"1.50"^^xsd:decimal`` as ``"1.5"``, as Oxigraph does locally);
  CONSTRUCT answers as N-Triples, parsed by Oxigraph;
* every request is POSTed (no URL length limit); each failure is one
  :class:`~clustergraph.errors.EndpointError` naming the endpoint.

>>> from clustergraph.store.remote import Endpoint
>>> q = RemoteQueries(Endpoint("http://127.0.0.1:9/query", timeout=1, graphs=("urn:g",)))
>>> q.graphs
('urn:g',)
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from ..bindings import where_group_start
from ..errors import EndpointError
from .remote import DEFAULT, EMPTY_GRAPH, Endpoint, body_message, data_graphs, dataset_parameters, request

__all__ = ["RemoteQueries", "Solutions", "portable", "values_block", "term_text", "with_values"]


def term_text(term: Any) -> str:
    """A pyoxigraph term as SPARQL text (blank nodes refused: a query cannot name one).

    >>> term_text(ox.Literal("a\\"b"))
    '"a\\\\"b"'
    """
    if isinstance(term, ox.BlankNode):
        raise EndpointError("a blank node cannot be sent to a remote store in a query", fix="give the node an IRI in the data (blank nodes are local to one answer)")
    return str(term)


def values_block(variables: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A ``VALUES`` block binding ``variables`` to ``rows`` of pyoxigraph terms (``None``: UNDEF).

    >>> values_block(["this"], [[ox.NamedNode("urn:a")], [ox.NamedNode("urn:b")]])
    'VALUES (?this) { (<urn:a>) (<urn:b>) }'
    """
    head = " ".join(f"?{v}" for v in variables)
    body = " ".join("(" + " ".join("UNDEF" if t is None else term_text(t) for t in row) + ")" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"


def with_values(query: str, block: str) -> str:
    """``query`` with ``block`` at the start of its WHERE group."""
    at = where_group_start(query) + 1
    return f"{query[:at]} {block}{query[at:]}"


class Solutions(list):  # type: ignore[type-arg]
    """The rows of a SELECT, as pyoxigraph's ``QuerySolutions``: ``variables`` and rows indexable by position."""

    def __init__(self, variables: list[ox.Variable], rows: list[tuple[Any, ...]]) -> None:
        super().__init__(rows)
        self.variables = variables


def _term(cell: Mapping[str, str] | None) -> Any:
    if cell is None:
        return None
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", value) or "b")
    if kind in ("literal", "typed-literal"):
        lang = cell.get("xml:lang")
        if lang:
            return ox.Literal(value, language=lang)
        dt = cell.get("datatype")
        return ox.Literal(value, datatype=ox.NamedNode(dt)) if dt else ox.Literal(value)
    if kind == "triple":  # RDF-star: not used by clustergraph's data
        raise EndpointError("the store answered an RDF-star triple term", fix="clustergraph's queries do not use RDF-star")
    raise EndpointError(f"the store answered an unknown term type {kind!r}", fix="check the endpoint speaks SPARQL 1.1 JSON results")


class RemoteQueries:
    """A remote store answering ``query()`` as :class:`pyoxigraph.Store` does (see the module)."""

    def __init__(self, endpoint: Endpoint, graphs: Sequence[str] | None = None) -> None:
        self.endpoint = endpoint
        self._graphs = tuple(graphs) if graphs is not None else None
        self.requests = 0

    @property
    def graphs(self) -> tuple[str, ...]:
        """The data graphs the queries see (listed once)."""
        if self._graphs is None:
            self._graphs = data_graphs(self.endpoint)
        return self._graphs

    def with_graphs(self, extra: Sequence[str]) -> RemoteQueries:
        """The same store with more graphs in the dataset (e.g. a temporary context graph).

        Not on the store's own default graph (:data:`~clustergraph.store.remote.DEFAULT`):
        a query cannot name it beside a named graph.
        """
        if self.graphs == (DEFAULT,):
            raise EndpointError(
                f"the data is the default graph of {self.endpoint.url}, which a query cannot merge with a temporary graph (it has no name)",
                fix="load the ontology into the same default graph, or push the data into named graphs (clustergraph push)",
            )
        return RemoteQueries(self.endpoint, (*self.graphs, *extra))

    def prepare(self, query: str, prefixes: Mapping[str, str] | None = None, substitutions: Mapping[Any, Any] | None = None) -> str:
        """The text sent: ``PREFIX`` lines for ``prefixes`` the query uses, ``substitutions`` as ``VALUES``,
        and the rewrites of :func:`portable`."""
        query = portable(query)
        if substitutions:
            names = [getattr(k, "value", str(k)).lstrip("?$") for k in substitutions]
            query = with_values(query, values_block(names, [list(substitutions.values())]))
        if prefixes:
            declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([\w.-]*):", query)}
            used = [p for p in prefixes if p not in declared and re.search(rf"(?<![\w.:/#-]){re.escape(p)}:", query)]
            query = "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in used) + query
        return query

    def _post(self, query: str, accept: str) -> tuple[str, bytes]:
        graphs = list(self.graphs) or [EMPTY_GRAPH]
        params = [("query", query)] + dataset_parameters(graphs)
        self.requests += 1
        _, headers, body = request(
            self.endpoint,
            "POST",
            self.endpoint.url,
            data=urllib.parse.urlencode(params).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        return (headers.get("Content-Type") or "").split(";")[0].strip().lower(), body

    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = True,
        prefixes: Mapping[str, str] | None = None,
        substitutions: Mapping[Any, Any] | None = None,
        **_: Any,
    ) -> Any:
        """Run ``query`` on the store: :class:`Solutions` for SELECT, a bool for ASK, a list of triples for CONSTRUCT."""
        text = self.prepare(query, prefixes, substitutions)
        form = _form(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            kind, body = self._post(text, "application/n-triples, text/turtle;q=0.9")
            fmt = ox.RdfFormat.TURTLE if kind == "text/turtle" else ox.RdfFormat.N_TRIPLES
            try:
                return list(ox.parse(body, format=fmt))
            except (SyntaxError, ValueError) as exc:
                raise EndpointError(f"{self.endpoint.url} sent an unreadable {kind or 'RDF'} answer: {body_message(body)[:120] or exc}", fix="check the URL points at a SPARQL 1.1 query endpoint") from None
        kind, body = self._post(text, "application/sparql-results+json")
        try:
            data = json.loads(body)
            if "boolean" in data:
                return bool(data["boolean"])
            names = list(data["head"]["vars"])
            variables = [ox.Variable(n) for n in names]
            rows = [tuple(_term(b.get(n)) for n in names) for b in data["results"]["bindings"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise EndpointError(
                f"{self.endpoint.url} did not answer with SPARQL JSON results ({kind or 'no content type'}): {body_message(body)[:120] or exc}",
                fix="check the URL points at a SPARQL 1.1 query endpoint",
            ) from None
        return Solutions(variables, rows)

    def __iter__(self) -> Iterator[Any]:  # pragma: no cover - not a store of quads
        raise TypeError("a remote store is queried, not iterated")


_XSD_STRING = "<http://www.w3.org/2001/XMLSchema#string>"
_SAME_PLAIN = re.compile(r'sameTerm\((\?\w+), ("(?:[^"\\]|\\.)*")\)(?!\^|@)')
_DOUBLE_NOT = re.compile(r"NOT EXISTS \{\s*\{\s*FILTER\s*\(\s*NOT EXISTS \{")


def _group_end(text: str, start: int) -> int:
    """Index just past the ``}`` closing the group whose ``{`` is at ``start`` (strings and IRIs skipped)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i = text.index(">", i)
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _close(text: str, start: int, opening: str, closing: str) -> int:
    """Index just past the ``closing`` that matches the ``opening`` at ``start`` (strings and IRIs skipped)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i = text.index(">", i)
        elif c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


_EXISTS = re.compile(r"(NOT\s+)?EXISTS\s*\{")


def _filter_only_exists(query: str) -> str:
    """``EXISTS { { FILTER(A) } UNION { FILTER(B) } }`` as ``(COALESCE(A, false) || COALESCE(B, false))``."""
    pos = 0
    while True:
        m = _EXISTS.search(query, pos)
        if m is None:
            return query
        group = m.end() - 1
        end = _close(query, group, "{", "}")
        expressions: list[str] = []
        i = group + 1
        ok = end > 0
        while ok:
            i = len(query[:i]) + (len(query[i:]) - len(query[i:].lstrip()))
            if query[i] == "}" and i == end - 1:
                break
            if expressions:
                u = re.match(r"UNION\s*", query[i:])
                if u is None:
                    ok = False
                    break
                i += u.end()
            if query[i] != "{":
                ok = False
                break
            inner_end = _close(query, i, "{", "}")
            f = re.fullmatch(r"\s*FILTER\s*(\(.*\))\s*", query[i + 1 : inner_end - 1], re.S)
            if inner_end < 0 or f is None or _close(f.group(1), 0, "(", ")") != len(f.group(1)):
                ok = False
                break
            expressions.append(f.group(1))
            i = inner_end
        if not ok or not expressions:
            pos = m.end()
            continue
        condition = "(" + " || ".join(f"COALESCE({e}, false)" for e in expressions) + ")"
        condition = f"(!{condition})" if m.group(1) else f"({condition})"  # bracketed: valid after FILTER too
        query = query[: m.start()] + condition + query[end:]
        pos = m.start()


def portable(query: str) -> str:
    """``query`` rewritten into an equivalent form every server evaluates alike.

    * ``sameTerm(?v, "text")`` is spelt out as "a literal without language whose datatype is
      xsd:string and whose text is ``text``" (the same condition in RDF 1.1; Virtuoso 7.2
      stores plain strings typed and answers ``sameTerm`` false for them);
    * ``NOT EXISTS { { FILTER(NOT EXISTS { P }) } }`` becomes ``EXISTS { P }`` (the same
      condition; Virtuoso 7.2 gets the double negation wrong inside ``OPTIONAL``);
    * ``EXISTS`` over groups that hold only a ``FILTER`` (``EXISTS { { FILTER(A) } UNION
      { FILTER(B) } }``) becomes the condition itself, ``(COALESCE(A, false) || ...)``
      (Virtuoso 7.2 answers such an ``EXISTS`` inside ``BIND`` false).

    >>> portable('FILTER(sameTerm(?v, "a"))')
    'FILTER(COALESCE(isLiteral(?v) && lang(?v) = "" && datatype(?v) = <http://www.w3.org/2001/XMLSchema#string> && STR(?v) = "a", false))'
    >>> portable("FILTER(NOT EXISTS { {  FILTER(NOT EXISTS { ?w a <urn:c> . }) } })")
    'FILTER(EXISTS { ?w a <urn:c> . })'
    >>> portable('BIND(EXISTS { {  FILTER(!isIRI(?v)) } UNION { FILTER(isBlank(?v)) } } AS ?f)')
    'BIND(((COALESCE((!isIRI(?v)), false) || COALESCE((isBlank(?v)), false))) AS ?f)'
    >>> portable("FILTER NOT EXISTS { { FILTER(?x > 1) } }")
    'FILTER (!(COALESCE((?x > 1), false)))'
    """
    query = _SAME_PLAIN.sub(lambda m: f'COALESCE(isLiteral({m.group(1)}) && lang({m.group(1)}) = "" && datatype({m.group(1)}) = {_XSD_STRING} && STR({m.group(1)}) = {m.group(2)}, false)', query)
    return _filter_only_exists(_double_negations(query))


def _double_negations(query: str) -> str:
    while True:
        m = _DOUBLE_NOT.search(query)
        if m is None:
            return query
        outer = m.start() + len("NOT EXISTS ")
        inner = m.end() - 1
        inner_end = _group_end(query, inner)
        outer_end = _group_end(query, outer)
        between = query[inner_end:outer_end] if inner_end > 0 and outer_end > 0 else ""
        if not re.fullmatch(r"\s*\)\s*\}\s*\}", between):
            return query  # not the plain double negation: leave it
        query = query[: m.start()] + "EXISTS " + query[inner:inner_end] + query[outer_end:]


def _form(query: str) -> str:
    text = re.sub(r"#[^\n]*", " ", query)
    text = re.sub(r"(?is)\b(PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)", " ", text)
    m = re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text)
    return m.group(1).upper() if m else "SELECT"
