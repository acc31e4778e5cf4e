"""Running named and ad-hoc SPARQL queries, with parameters, and turning results into tables.

:func:`run` takes any dataset from :func:`clustergraph.store.open_dataset`
(Oxigraph in memory or on disk, rdflib's memory store) or from
:func:`clustergraph.endpoint.open_remote`, and a query: the name of a library
query (``queries/NAME.rq``), a :class:`~clustergraph.library.NamedQuery`, a path
to an ``.rq`` file, or SPARQL text. Parameters are checked against the query's
header and bound as RDF terms in a ``VALUES`` block at the start of the
query's WHERE group (:func:`clustergraph.bindings.inject_values`), never pasted
into the text as strings. The same block is used on every store, because
rdflib's ``initBindings`` do not restrict variables bound by a sub-query or
``BIND`` and would give other answers than Oxigraph or a remote store.

>>> from clustergraph.store import open_dataset, load
>>> ds = open_dataset()
>>> _ = load(ds, b'''@prefix cg: <https://w3id.org/clustergraph/ontology#> .
... @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
... <https://w3id.org/clustergraph/id/project/cecil> cg:acronym "CECIL" ;
...     cg:startDate "2016-01-01"^^xsd:date ; cg:totalBudget "247283"^^xsd:decimal .
... ''', format="turtle", graph="https://w3id.org/clustergraph/graph/demo")
>>> result = run(ds, '''PREFIX cg: <https://w3id.org/clustergraph/ontology#>
... SELECT ?acronym ?start ?budget WHERE { ?p cg:acronym ?acronym ; cg:startDate ?start ; cg:totalBudget ?budget }''')
>>> df = result.to_dataframe()
>>> df.dtypes.astype(str).tolist()
['string', 'datetime64[ns]', 'float64']
>>> print(result.to_table())
acronym  start       budget
-------  ----------  ------
CECIL    2016-01-01  247283
>>> run(ds, "SELECT ?p WHERE { ?p ?x ?acronym }", {"acronym": 'CECIL"} UNION {?p ?x ?y'}).rows
[]
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD
from rdflib.term import Node

from ..bindings import inject_values
from ..display import MAX_ROWS, key_values_html, plural, table_html, term_html
from ..display import compact as compact_iri
from ..errors import ClusterGraphError, QueryError
from ..namespaces import CG, bind_prefixes
from ..spreadsheet import safe_cell
from ..store import dataset as _store
from ..store import offline
from ..store.parsing import Limits
from . import library
from .library import NamedQuery
from .columns import typed_series

__all__ = ["QueryResult", "run", "list_queries", "resolve_query", "open_data", "FORMATS", "compact"]

#: Output formats of :meth:`QueryResult.serialize` (and ``clustergraph query --format``).
FORMATS = ("table", "csv", "tsv", "json", "turtle")

list_queries = library.list_queries

_INTEGER_TYPES = {
    XSD[t]
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}
_FLOAT_TYPES = {XSD.decimal, XSD.double, XSD.float}
_STRING_TYPES = {None, XSD.string, XSD.normalizedString, XSD.token, XSD.anyURI}


def compact(iri: str) -> str:
    """Shorten ``iri`` with the clustergraph prefixes (longest namespace wins).

    >>> compact("https://w3id.org/clustergraph/id/project/cecil")
    'cgid:project/cecil'
    >>> compact("http://example.org/x")
    'http://example.org/x'
    """
    return compact_iri(iri)


_LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, CG.acronym, DCTERMS.title)


def _labels_of(graph: Any, iris: set[Node], chunk: int = 400) -> dict[Node, str]:
    """The best label of each IRI (see :meth:`QueryResult.labels`), asked in chunks of ``chunk``."""
    terms = []
    for iri in iris:
        try:
            terms.append((iri, iri.n3()))
        except Exception:  # an IRI rdflib cannot write (spaces...): no label
            continue
    best: dict[Node, tuple[int, str]] = {}
    predicates = " ".join(p.n3() for p in _LABEL_PREDICATES)
    for start in range(0, len(terms), chunk):
        values = " ".join(text for _, text in terms[start : start + chunk])
        text = f"SELECT ?s ?p ?label WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {predicates} }} ?s ?p ?label }}"
        try:
            _, rows = _store.select(graph, text)
        except ClusterGraphError:
            return {}
        for s, p, label in rows:
            if not isinstance(label, Literal):
                continue
            rank = _LABEL_PREDICATES.index(p) * 2 + (0 if label.language in (None, "en") else 1)
            if s not in best or rank < best[s][0] or (rank == best[s][0] and str(label) < best[s][1]):
                best[s] = (rank, str(label))
    return {s: label for s, (_, label) in best.items()}


@dataclass
class QueryResult:
    """What a query returned: rows of RDF terms (SELECT), a boolean (ASK) or a graph (CONSTRUCT/DESCRIBE).

    Iterating gives the rows; ``len()`` counts them (or the triples of a graph).
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    query: NamedQuery | None = None
    bindings: dict[str, Node] = field(default_factory=dict)
    #: The dataset the query ran on (for the labels of the IRIs in the rows); not compared.
    source: Any = field(default=None, repr=False, compare=False)
    _labels: dict[Node, str] | None = field(default=None, init=False, repr=False, compare=False)

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ASK" else len(self) > 0

    # --- tables -----------------------------------------------------------------

    def column(self, name: str) -> list[Node | None]:
        """The terms of one variable, row by row."""
        i = self._index(name)
        return [row[i] for row in self.rows]

    def _index(self, name: str) -> int:
        try:
            return self.variables.index(name.lstrip("?"))
        except ValueError:
            raise QueryError(f"the result has no column {name!r}", fix=f"its columns are: {', '.join(self.variables)}") from None

    def records(self) -> list[dict[str, Any]]:
        """Rows as dictionaries of Python values (``int``, ``Decimal``, ``date``, ``str``; IRIs as ``str``)."""
        return [{v: _python(t) for v, t in zip(self.variables, row)} for row in self.rows]

    def to_dataframe(self, *, labels: bool = False, compact: bool = False) -> Any:
        """A pandas DataFrame with one column per variable and dtypes from the RDF datatypes.

        xsd integers become ``Int64``; xsd:decimal, double and float ``float64``;
        xsd:date and dateTime ``datetime64[ns]``; xsd:gYear ``Int64`` (the year);
        xsd:boolean ``boolean``; strings, language-tagged strings and IRIs ``string``.
        A column mixing kinds is ``string``. Unbound values are missing values.
        ASK gives one ``boolean`` column ``ask``; CONSTRUCT gives columns ``s``, ``p``, ``o``.

        ``labels=True`` puts a ``<column>_label`` column (``string``) beside every column
        of IRIs: the ``rdfs:label``, ``skos:prefLabel``, ``cg:acronym`` or ``dcterms:title``
        of each IRI in the dataset the query ran on. ``compact=True`` writes IRIs with
        the clustergraph prefixes (``cgid:project/cecil``) instead of in full.

        >>> df = run(open_data(), "coordinators").to_dataframe(labels=True, compact=True)
        >>> df[["project", "project_label"]].iloc[0].tolist()
        ['cgid:project/inno-drop', 'INNO-DROP']
        """
        import pandas as pd

        if self.kind == "ASK":
            return pd.DataFrame({"ask": pd.array([self.boolean], dtype="boolean")})
        if self.graph is not None:
            variables = ["s", "p", "o"]
            rows: list[tuple[Node | None, ...]] = sorted(self.graph)  # type: ignore[arg-type]
        else:
            variables, rows = self.variables, self.rows
        names = self.labels() if labels else {}
        data: dict[str, Any] = {}
        for i, name in enumerate(variables):
            values = [row[i] for row in rows]
            iris = any(isinstance(v, URIRef) for v in values)
            if compact and iris:
                data[name] = pd.array([None if v is None else (compact_iri(str(v)) if isinstance(v, URIRef) else str(v)) for v in values], dtype="string")
            else:
                data[name] = _series(values)
            if labels and iris and all(v is None or isinstance(v, (URIRef, BNode)) for v in values):
                data[f"{name}_label"] = pd.array([names.get(v) if v is not None else None for v in values], dtype="string")
        return pd.DataFrame(data, columns=list(data))

    def labels(self) -> dict[Node, str]:
        """The readable name of each IRI in the rows, from the dataset the query ran on.

        The first of ``rdfs:label``, ``skos:prefLabel``, ``cg:acronym`` and
        ``dcterms:title`` (English or untagged first); the ontology's concepts (label
        levels, roles, ecosystems) are named even when the data does not hold the
        ontology (:func:`clustergraph.query.vocabulary.vocabulary`); IRIs without a
        name are left out. Asked of the store once, when first needed.
        """
        if self._labels is None:
            iris: set[Node] = set()
            if self.graph is not None:
                for triple in self.graph:
                    iris.update(t for t in triple if isinstance(t, URIRef))
            else:
                iris.update(t for row in self.rows for t in row if isinstance(t, URIRef))
            from .vocabulary import vocabulary

            known = _labels_of(self.source, iris) if self.source is not None else {}
            concepts = _labels_of(vocabulary(), iris - set(known))
            self._labels = {**concepts, **known}
        return self._labels

    def __repr__(self) -> str:
        name = f" {self.query.name}" if self.query is not None and self.query.name != "query" else ""
        if self.kind == "ASK":
            return f"<QueryResult ASK{name}: {'true' if self.boolean else 'false'}>"
        if self.graph is not None:
            return f"<QueryResult {self.kind}{name}: {plural(len(self.graph), 'triple')}>"
        return f"<QueryResult SELECT{name}: {plural(len(self.rows), 'row')} × {', '.join(self.variables)}>"

    def _repr_html_(self) -> str:
        """Jupyter's view: a table with the labels of IRIs as links to them (at most 50 rows)."""
        title = self.query.title if self.query is not None and self.query.title else self.kind
        if self.kind == "ASK":
            return key_values_html({title: "true" if self.boolean else "false"})
        if self.graph is not None:
            triples = sorted(self.graph)[:MAX_ROWS]  # type: ignore[type-var]
            names = self.labels()
            body = [[term_html(t, names.get(t)) for t in triple] for triple in triples]
            return table_html(["subject", "predicate", "object"], body, caption=f"{title}: {plural(len(self.graph), 'triple')}", total=len(self.graph))
        names = self.labels()
        # numbers stay literals, so that the table aligns them right
        body = [[t if isinstance(t, Literal) and _kind(t) in ("integer", "float") else term_html(t, names.get(t)) for t in row] for row in self.rows[:MAX_ROWS]]
        return table_html(self.variables, body, caption=f"{title}: {plural(len(self.rows), 'row')}", total=len(self.rows))

    # --- serialisations -----------------------------------------------------------

    def to_csv(self, *, spreadsheet_safe: bool = True) -> str:
        """SPARQL 1.1 Query Results CSV: a header of variable names, then plain values (CRLF lines).

        A value that a spreadsheet program would run as a formula (``=``, ``+``,
        ``-``, ``@`` first, not a number) gets a leading ``'`` unless
        ``spreadsheet_safe`` is false (:mod:`clustergraph.spreadsheet`).
        """
        self._need_rows("csv")
        cell = safe_cell if spreadsheet_safe else (lambda value: value)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else cell(str(t))) for t in row])
        return out.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 Query Results TSV: ``?var`` header, terms in N-Triples syntax."""
        self._need_rows("tsv")
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        for row in self.rows:
            lines.append("\t".join("" if t is None else _nt(t) for t in row))
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON (SELECT, ASK); JSON-LD for a graph."""
        if self.graph is not None:
            return bind_prefixes(self.graph).serialize(format="json-ld")
        if self.kind == "ASK":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}, indent=2)
        bindings = [{v: _json_term(t) for v, t in zip(self.variables, row) if t is not None} for row in self.rows]
        return json.dumps({"head": {"vars": self.variables}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False)

    def to_turtle(self) -> str:
        """The graph of a CONSTRUCT or DESCRIBE query as Turtle."""
        if self.graph is None:
            raise QueryError(f"a {self.kind} result is a table, not a graph", fix="use --format table, csv, tsv or json; turtle is for CONSTRUCT queries")
        return bind_prefixes(self.graph).serialize(format="turtle")

    def to_table(self, max_width: int = 60) -> str:
        """An aligned text table for a terminal (IRIs shortened with prefixes, long cells cut)."""
        if self.kind == "ASK":
            return "true" if self.boolean else "false"
        if self.graph is not None:
            return self.to_turtle()
        cells = [[_cell(t, max_width) for t in row] for row in self.rows]
        widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(self.variables)]
        lines = ["  ".join(v.ljust(w) for v, w in zip(self.variables, widths)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
        return "\n".join(lines)

    def serialize(self, format: str = "table", *, spreadsheet_safe: bool = True) -> str:
        """The result in one of :data:`FORMATS` (``spreadsheet_safe``: see :meth:`to_csv`)."""
        writers = {
            "table": self.to_table,
            "csv": lambda: self.to_csv(spreadsheet_safe=spreadsheet_safe),
            "tsv": self.to_tsv,
            "json": self.to_json,
            "turtle": self.to_turtle,
        }
        if format not in writers:
            raise QueryError(f"unknown output format {format!r}", fix=f"use one of {', '.join(FORMATS)}")
        return writers[format]()

    def _need_rows(self, fmt: str) -> None:
        if self.graph is not None:
            raise QueryError(f"a {self.kind} result is a graph; {fmt} is for tables", fix="use --format turtle or json")
        if self.kind == "ASK":
            raise QueryError(f"an ASK result is one boolean; {fmt} is for tables", fix="use --format json or table")


def _python(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return str(term)


def _nt(term: Node) -> str:
    if isinstance(term, Literal):  # N-Triples escapes (rdflib's n3() writes long strings in triple quotes)
        return str(_store.to_oxigraph(term)).replace("\t", "\\t")
    if isinstance(term, BNode):
        return f"_:{term}"
    return term.n3()


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        out["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _cell(term: Node | None, width: int) -> str:
    if term is None:
        text = ""
    elif isinstance(term, URIRef):
        text = compact(str(term))
    elif isinstance(term, BNode):
        text = f"_:{term}"
    else:
        text = str(term)
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _kind(term: Node) -> str:
    if isinstance(term, Literal):
        dt = term.datatype
        if term.language or dt in _STRING_TYPES:
            return "string"
        if dt in _INTEGER_TYPES:
            return "integer"
        if dt in _FLOAT_TYPES:
            return "float"
        if dt == XSD.date:
            return "date"
        if dt == XSD.dateTime:
            return "datetime"
        if dt == XSD.gYear:
            return "year"
        if dt == XSD.boolean:
            return "boolean"
        return "string"
    return "string"


def _series(values: list[Node | None]) -> Any:
    kinds = {_kind(v) for v in values if v is not None}
    texts = [None if v is None else str(v) for v in values]
    strings = [None if v is None else (f"_:{v}" if isinstance(v, BNode) else str(v)) for v in values]
    return typed_series(kinds, texts, strings)


# --- running ----------------------------------------------------------------------


def resolve_query(query: str | os.PathLike[str] | NamedQuery) -> NamedQuery:
    """Turn a library name, an ``.rq`` path or SPARQL text into a :class:`~clustergraph.library.NamedQuery`.

    >>> resolve_query("projects-per-call").name
    'projects-per-call'
    >>> resolve_query("ASK { ?s ?p ?o }").form
    'ASK'
    """
    if isinstance(query, NamedQuery):
        return query
    if isinstance(query, os.PathLike):
        return library.read(query)
    text = str(query)
    if re.match(r"^[\w.-]+$", text) and not text.endswith(".rq"):
        return library.get(text)
    if text.endswith(".rq") and "\n" not in text and "{" not in text:
        return library.read(Path(text))
    return library.parse(text, name="query")


def run(
    graph: Graph,
    query: str | os.PathLike[str] | NamedQuery,
    params: Mapping[str, Any] | None = None,
    *,
    allow_network: offline.AllowNetwork = None,
) -> QueryResult:
    """Run a named or ad-hoc query on ``graph`` with parameters bound.

    Parameters
    ----------
    graph:
        A dataset from :func:`clustergraph.store.open_dataset` or
        :func:`clustergraph.endpoint.open_remote` (any rdflib graph works).
    query:
        A library query name (``"projects-per-call"``), a
        :class:`~clustergraph.library.NamedQuery`, a path to an ``.rq`` file, or SPARQL text.
    params:
        Values for the query's parameters, as text (``"2016-12-31"``,
        ``"cgid:project/cecil"``) or Python/rdflib values; defaults from the header
        fill the rest.
    allow_network:
        Hosts a ``SERVICE`` (or ``LOAD``) of the query may reach: a host, a list, or
        ``True`` for any. ``None`` (default) keeps the enclosing
        :func:`clustergraph.store.offline.allow_network` block, offline outside one.
        ``FROM`` and ``FROM NAMED`` may only name graphs of the dataset; nothing is
        fetched for them (:func:`clustergraph.store.offline.check_query`).

    Returns
    -------
    QueryResult

    Raises
    ------
    ParameterError
        For an unknown parameter, a value of the wrong type or a missing required one.
    QueryError
        For an unknown query name or malformed SPARQL, and for a ``SERVICE``,
        ``LOAD`` or ``FROM`` that would reach outside the dataset without leave.
    EndpointError
        When a remote store fails or does not answer in time.

    >>> from clustergraph.store import open_dataset
    >>> run(open_dataset(), "projects-per-call", {"call": 3})
    Traceback (most recent call last):
    ...
    clustergraph.errors.ParameterError: parameter 'call' of query 'projects-per-call' must be an IRI (http://..., <http://...> or a prefixed name such as cgid:project/cecil), not 3; fix: e.g. --param call=cgid:project/cecil
    """
    named = resolve_query(query)
    bindings = named.bindings(params)
    # One VALUES block at the start of WHERE on every store: rdflib's initBindings
    # do not restrict variables that a sub-query or BIND produces, so they would
    # give other answers than Oxigraph and remote stores for the same parameters.
    text = inject_values(named.text, bindings)
    remote = _store.is_remote(graph)
    if not remote:  # a remote store decides for itself what its SERVICE and FROM may reach
        native = _store.oxigraph(graph)
        offline.check_query(
            text,
            allow_network=allow_network,
            graphs=_store.graph_test(native if native is not None else graph),
            prefixes={k: str(v) for k, v in graph.namespaces()},
            where=_where(named),
        )
    try:
        if named.form == "SELECT":
            names, rows = _store.select(graph, text, allow_network=allow_network)
            return QueryResult("SELECT", list(names), list(rows), query=named, bindings=bindings, source=graph)
        if remote:
            result = graph.query(text)
        else:
            # ASK, CONSTRUCT and DESCRIBE are evaluated by the time query() returns
            with offline.guard(allow_network), offline.allow_network(offline.policy_for(allow_network)):
                result = graph.query(text)
    except ClusterGraphError:
        raise
    except Exception as exc:  # parsers and engines raise many types
        raise _query_error(named, exc) from None
    if result.type == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer), query=named, bindings=bindings, source=graph)
    out = bind_prefixes(Graph())
    for s, p, o in result.graph or ():  # type: ignore[union-attr]
        out.add((s, p, o))
    return QueryResult(named.form, graph=out, query=named, bindings=bindings, source=graph)


def _where(named: NamedQuery) -> str:
    return str(named.path) if named.path else named.name


def _query_error(named: NamedQuery, exc: Exception) -> QueryError:
    where = _where(named)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if type(exc).__name__ in ("ParseException", "SyntaxError", "ParseSyntaxException"):
        return QueryError(f"{where}: malformed SPARQL: {text}", fix="correct the query text")
    return QueryError(f"{where}: the query failed: {text}", fix="check the query against the data and the store")


# --- data to query ----------------------------------------------------------------


def open_data(
    data: list[str | os.PathLike[str]] | tuple[str | os.PathLike[str], ...] | None = None,
    *,
    kind: str = "oxigraph",
    path: str | os.PathLike[str] | None = None,
    ontology: bool = True,
    limits: Limits | None = None,
) -> Any:
    """The dataset that ``clustergraph query``, ``push`` and ``serve`` work on.

    Parameters
    ----------
    data:
        RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD), each loaded
        into its own named graph; ``None`` or empty: the embedded dataset.
    kind, path:
        The store (see :func:`clustergraph.store.open_dataset`). An on-disk store
        that already holds data is used as it is when no ``data`` is given; an
        empty one receives the embedded dataset.
    ontology:
        Also load the shipped ontology (graph ``cggraph:ontology``) with the embedded
        dataset, so that queries see label ranks and concept labels. Other data is
        loaded as it is: the named queries know the label ranks without the ontology,
        and :meth:`QueryResult.labels` names the ontology's concepts
        (:mod:`clustergraph.query.vocabulary`).
    limits:
        Input limits for the ``data`` files (:class:`clustergraph.store.parsing.Limits`);
        every file passes the same checks as :func:`clustergraph.store.load`.

    >>> ds = open_data()
    >>> len(run(ds, "projects-per-call"))
    12
    """
    from ..iri import slug
    from ..namespaces import GRAPH
    from ..resources import ontology_path

    dataset = _store.open_dataset(kind, path)
    if data:
        for item in data:
            _store.load(dataset, item, graph=GRAPH["data/" + slug(Path(item).name)], limits=limits)
        return dataset
    if path is not None and _store.select(dataset, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")[1]:
        return dataset
    from ..ingest.importer import load_embedded

    load_embedded(dataset)
    if ontology and (CG.Gold, CG.rank, None) not in dataset:
        _store.load(dataset, ontology_path(), graph=GRAPH.ontology)
    return dataset
