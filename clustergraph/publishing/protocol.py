"""The SPARQL 1.1 Protocol as the clustergraph endpoint answers it: requests, limits, answers.

:mod:`clustergraph.publishing.server` reads HTTP; this module says what a request asks
(:func:`read_request`), what is refused (:func:`refusal`: ``SERVICE`` and ``LOAD``, because
the server fetches nothing for its clients), how big and how long a request may be
(:class:`Limits`), and computes the answer to a query (:func:`answer_query`, run in a
forked worker process that the server kills at the timeout).

``FROM`` and ``FROM NAMED`` are confined to the local dataset: they pick graphs the
server holds and never load a URL or a file (rdflib's engine would, so graph loading is
switched off in the worker, and Oxigraph never loads).

>>> refusal("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
'SERVICE is refused: this endpoint does not call other endpoints for its clients (the query asks for <http://example.org/sparql>)'
>>> refusal("SELECT * FROM <http://example.org/g> { ?s ?p ?o }") is None
True
>>> read_request("GET", b"query=ASK%20%7B%7D", "", b"")
('ASK {}', None)
>>> Limits(timeout=0)
Traceback (most recent call last):
...
clustergraph.errors.ClusterGraphError: the query timeout must be a positive number of seconds (got 0); fix: give e.g. --timeout 30
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..errors import ClusterGraphError
from ..namespaces import GRAPH, PREFIXES, bind_prefixes
from ..store import offline
from ..store.dataset import oxigraph
from .negotiation import choose

__all__ = [
    "DEFAULT_TIMEOUT",
    "SPARQL_PATHS",
    "Limits",
    "Answer",
    "RequestRefused",
    "read_request",
    "read_graphs",
    "RESULT_TYPES",
    "GRAPH_TYPES",
    "VOCABULARY_GRAPHS",
    "graph_names",
    "data_graphs",
    "run_query",
    "refusal",
    "check_size",
    "choose_format",
    "answer_query",
    "run_update",
    "TextQuery",
    "ServedDataset",
    "served_dataset",
    "warm_up",
]

#: Seconds a query may run before its worker is killed.
DEFAULT_TIMEOUT = 30.0
#: Paths that answer the protocol (the rest is the service description and the editor).
SPARQL_PATHS = frozenset({"/", "/sparql", "/sparql/"})
#: Graphs left out of the served default graph: the vocabulary, not the data.
VOCABULARY_GRAPHS = frozenset({GRAPH.ontology})

JSON_TYPE = "application/json"


def _positive(value: float | int, what: str, example: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ClusterGraphError(f"{what} must be a positive number (got {value!r})", fix=f"give e.g. {example}")


@dataclass(frozen=True)
class Limits:
    """What one client may ask of the endpoint.

    Parameters
    ----------
    timeout:
        Seconds a query may run (parsing, evaluation and serialisation) before its
        worker process is killed and the client gets HTTP 503.
    max_query_bytes:
        Longest query or update text, in UTF-8 bytes (HTTP 413 beyond).
    max_body_bytes:
        Largest request body (HTTP 413 beyond); a form-encoded query takes up to three
        bytes per character.
    max_answer_bytes:
        Largest answer a worker may send back (HTTP 500 with a message beyond).
    workers:
        Queries evaluated at the same time; more wait for a free worker (the wait counts
        against their timeout).
    memory:
        Bytes by which one worker may grow (``None``: no limit); beyond it its query fails.
    """

    timeout: float = DEFAULT_TIMEOUT
    max_query_bytes: int = 1 << 20
    max_body_bytes: int = 4 << 20
    max_answer_bytes: int = 256 << 20
    workers: int = field(default_factory=lambda: max(4, os.cpu_count() or 1))
    memory: int | None = 2 << 30

    def __post_init__(self) -> None:
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)) or not math.isfinite(self.timeout) or self.timeout <= 0:
            raise ClusterGraphError(f"the query timeout must be a positive number of seconds (got {self.timeout!r})", fix="give e.g. --timeout 30")
        _positive(self.max_query_bytes, "max_query_bytes", "1048576")
        _positive(self.max_body_bytes, "max_body_bytes", "4194304")
        _positive(self.max_answer_bytes, "max_answer_bytes", "268435456")
        _positive(self.workers, "workers", "4")
        if self.memory is not None:
            _positive(self.memory, "memory", "2147483648")


class RequestRefused(ClusterGraphError):
    """A request the endpoint will not run; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str, *, fix: str | None = None) -> None:
        self.status = status
        super().__init__(message, fix=fix)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, media type, body and any further headers."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def error(cls, status: int, message: str, fix: str | None = None) -> Answer:
        """A JSON error answer ``{"message": "...; fix: ..."}`` (rdflib-endpoint's shape).

        >>> Answer.error(413, "too big", fix="send less").body
        b'{"message": "too big; fix: send less"}'
        """
        text = message + (f"; fix: {fix}" if fix else "")
        return cls(status, JSON_TYPE, json.dumps({"message": text}).encode("utf-8"))

    @classmethod
    def refused(cls, exc: RequestRefused) -> Answer:
        """The answer for a refused request."""
        return cls.error(exc.status, exc.message, exc.fix)


def check_size(text: str, limit: int, what: str) -> None:
    """Raise :class:`RequestRefused` (413) if ``text`` is longer than ``limit`` UTF-8 bytes."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise RequestRefused(413, f"the {what} is {size:,} bytes; this endpoint accepts at most {limit:,}",
                             fix=f"send a shorter {what} (split it, or use VALUES with fewer rows)")


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestRefused(400, f"the request body is not UTF-8 (byte {exc.start})", fix="send the query as UTF-8") from None


def read_request(method: str, query_string: bytes, content_type: str, body: bytes) -> tuple[str | None, str | None]:
    """``(query, update)`` asked by a protocol request (either may be None).

    ``GET`` takes ``query`` from the URL; ``POST`` takes it from the body as
    ``application/sparql-query``, ``application/sparql-update`` or a form, or from the
    URL when the body is empty. Both a query and an update is a 400.

    >>> read_request("POST", b"", "application/sparql-update", b"CLEAR ALL")
    (None, 'CLEAR ALL')
    """
    url = parse_qs(query_string.decode("utf-8", "replace"), keep_blank_values=True)
    query = update = None
    if method == "GET":
        query = (url.get("query") or [None])[0]
    else:
        ctype = content_type.split(";")[0].strip().lower()
        if ctype == "application/sparql-query":
            query = _decode(body)
        elif ctype == "application/sparql-update":
            update = _decode(body)
        elif ctype == "application/x-www-form-urlencoded":
            form = parse_qs(_decode(body), keep_blank_values=True)
            query = (form.get("query") or [None])[0]
            update = (form.get("update") or [None])[0]
        elif not body:
            query = (url.get("query") or [None])[0]
            update = (url.get("update") or [None])[0]
    if query is not None and update is not None:
        raise RequestRefused(400, "the request has both a query and an update", fix="send one at a time")
    return query, update


def read_graphs(method: str, query_string: bytes, content_type: str, body: bytes) -> tuple[list[str], list[str]]:
    """The protocol's ``default-graph-uri`` and ``named-graph-uri`` parameters (URL or form).

    >>> read_graphs("GET", b"query=ASK%7B%7D&default-graph-uri=urn%3Ag1&named-graph-uri=urn%3Ag2", "", b"")
    (['urn:g1'], ['urn:g2'])
    """
    fields = parse_qs(query_string.decode("utf-8", "replace"), keep_blank_values=True)
    if method == "POST" and content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        for name, values in parse_qs(_decode(body), keep_blank_values=True).items():
            fields.setdefault(name, []).extend(values)
    return fields.get("default-graph-uri", []), fields.get("named-graph-uri", [])


def _refused_in(text: str, prefixes: Mapping[str, Any] | None = None) -> str | None:
    """The refusal for the first ``SERVICE`` or ``LOAD`` of ``text``, read by :func:`clustergraph.store.offline.clauses`."""
    for clause in offline.clauses(text, prefixes=prefixes):
        shown = f"<{clause.target}>" if clause.target else clause.written or "(nothing)"
        if clause.keyword == "SERVICE":
            return f"SERVICE is refused: this endpoint does not call other endpoints for its clients (the query asks for {shown})"
        if clause.keyword == "LOAD":
            return f"LOAD is refused: this endpoint does not fetch data for its clients (the update asks for {shown})"
    return None


def refusal(text: str, *, update: bool = False, prefixes: Mapping[str, Any] | None = None) -> str | None:
    """Why the endpoint refuses the query (or update) ``text``, or None if it may run.

    ``SERVICE`` (the server would call another endpoint) and ``LOAD`` (it would fetch a
    URL or read a file) are refused, whatever ``--allow-network`` says: the clauses are
    found by the same reader that keeps the command line offline
    (:func:`clustergraph.store.offline.clauses`: comments, strings and ``\\u`` escapes
    handled as SPARQL does). ``FROM`` is left to the store: it picks local graphs only.
    ``update`` is kept for callers; queries and updates are read alike.
    """
    return _refused_in(text, prefixes)


#: Media types for SELECT and ASK results, in the server's order of preference, and
#: their serialisers (``application/json`` and ``application/xml`` are the SPARQL formats).
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: Media types for CONSTRUCT and DESCRIBE results (RDF), in order of preference, and their
#: serialisers (``application/json`` is JSON-LD, ``text/plain`` N-Triples).
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "text/n3": "n3",
    "application/json": "json-ld",
    "application/xml": "xml",
    "text/plain": "nt",
}


def choose_format(kind: str, accept: str | None) -> tuple[str, str]:
    """``(media type, serialiser)`` for a query of ``kind`` and an ``Accept`` header.

    SELECT and ASK answer SPARQL JSON by default, CONSTRUCT and DESCRIBE Turtle; the
    choice follows q-values (:func:`clustergraph.publishing.negotiation.choose`), and a
    header that accepts none of the formats is refused with 406.

    >>> choose_format("SelectQuery", "text/csv")
    ('text/csv', 'csv')
    >>> choose_format("DescribeQuery", "application/n-triples;q=0.9, application/rdf+xml;q=0.5")
    ('application/n-triples', 'nt')
    >>> choose_format("ConstructQuery", None)
    ('text/turtle', 'turtle')
    >>> choose_format("AskQuery", "image/png")
    Traceback (most recent call last):
    ...
    clustergraph.publishing.protocol.RequestRefused: no acceptable format: the Accept header asks for image/png; fix: ask for one of application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values, application/json, application/xml, text/xml
    """
    formats = GRAPH_TYPES if kind in ("ConstructQuery", "DescribeQuery") else RESULT_TYPES
    media = choose(accept, list(formats))
    if media is None:
        raise RequestRefused(406, f"no acceptable format: the Accept header asks for {(accept or '')[:200]}",
                             fix="ask for one of " + ", ".join(formats))
    return media, formats[media]


class TextQuery:
    """A query parsed by rdflib (so its kind is known) that still carries its text."""

    def __init__(self, text: str, prepared: Any) -> None:
        self.text = text
        self.prepared = prepared
        self.algebra = prepared.algebra
        self.prologue = prepared.prologue


class ServedDataset(Dataset):
    """The served dataset: what the endpoint's default graph and named graphs are.

    The **default graph is the union of the data's graphs**: every graph except the
    vocabulary (:data:`VOCABULARY_GRAPHS`, the ontology), each triple once, so that
    ``COUNT(*)`` counts what the dumps hold. **Every graph, the ontology included, is a
    named graph** (``GRAPH``, ``FROM``, ``FROM NAMED``, or the protocol's
    ``default-graph-uri`` and ``named-graph-uri`` parameters query the ontology, or
    both). The served dataset is a copy made when the server starts (Oxigraph in
    memory, or rdflib's memory store for a memory-store dataset), in which the default
    graph holds that union; :meth:`refresh` makes it again after an update.
    """

    source: Graph | None = None

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, TextQuery):
            query_object = query_object.prepared
        return super().query(query_object, *args, **kwargs)

    def refresh(self) -> None:
        """Copy the source dataset again (after an update changed it)."""
        if self.source is None:
            return
        native, source = oxigraph(self), oxigraph(self.source)
        if native is not None and source is not None:
            native.clear()
            _copy_oxigraph(source, native)


def _copy_oxigraph(source: Any, target: Any) -> None:
    import pyoxigraph as ox

    target.bulk_extend(source)
    default = ox.DefaultGraph()
    vocabulary = {ox.NamedNode(str(g)) for g in VOCABULARY_GRAPHS}
    target.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in source if q.graph_name not in vocabulary)


def served_dataset(graph: Graph) -> Graph:
    """``graph`` as the endpoint queries it: a :class:`ServedDataset` copy (see there)."""
    if isinstance(graph, ServedDataset) or not isinstance(graph, Dataset):
        return graph
    source = oxigraph(graph)
    if source is not None:
        import pyoxigraph as ox

        from ..store.dataset import OxigraphStore

        native = ox.Store()
        _copy_oxigraph(source, native)
        served = bind_prefixes(ServedDataset(store=OxigraphStore(store=native), default_union=False))
        served.source = graph
        return served
    served = bind_prefixes(ServedDataset(default_union=False))
    default = served.default_graph if hasattr(Dataset, "default_graph") else served.default_context
    for context in (graph.graphs() if hasattr(graph, "graphs") else graph.contexts()):
        name = context.identifier
        target = default if name == DATASET_DEFAULT_GRAPH_ID else served.graph(name)
        data = name not in VOCABULARY_GRAPHS and name != DATASET_DEFAULT_GRAPH_ID
        for triple in context:
            target.add(triple)
            if data:
                default.add(triple)
    return served


def graph_names(graph: Graph) -> list[str]:
    """The named graphs of the served dataset, sorted.

    >>> from clustergraph.store import open_dataset
    >>> graph_names(served_dataset(open_dataset()))
    []
    """
    native = oxigraph(graph)
    if native is not None:
        return sorted(g.value for g in native.named_graphs() if hasattr(g, "value") and not str(g).startswith("_:"))
    if isinstance(graph, Dataset):
        graphs = graph.graphs() if hasattr(graph, "graphs") else graph.contexts()
        return sorted(str(c.identifier) for c in graphs if c.identifier != DATASET_DEFAULT_GRAPH_ID and isinstance(c.identifier, URIRef))
    return []


def data_graphs(graph: Graph) -> list[str]:
    """The named graphs whose union is the default graph (every one but the vocabulary)."""
    return [g for g in graph_names(graph) if URIRef(g) not in VOCABULARY_GRAPHS]


def run_query(graph: Graph, text: str, prepared: Any = None, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> tuple[str, Any]:
    """Run a query on the served dataset; ``(engine, result)``, engine ``"oxigraph"`` or ``"rdflib"``.

    ``default_graphs`` and ``named_graphs`` (the protocol parameters) replace the
    dataset; otherwise a query's own ``FROM``/``FROM NAMED`` do, else the default graph
    is the data's union. Results are pyoxigraph's or rdflib's.
    """
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    given = bool(default_graphs or named_graphs)
    native = oxigraph(graph)
    if native is None and prepared is None:
        prepared = prepareQuery(text, initNs=dict(graph.namespaces()))
    if native is not None:
        import pyoxigraph as ox

        options: dict[str, Any] = {}
        if given:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []] or [ox.DefaultGraph()]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
        return "oxigraph", native.query(text, **options)
    if given:
        clauses = [CompValue("DatasetClause", default=URIRef(g)) for g in default_graphs or []]
        clauses += [CompValue("DatasetClause", named=URIRef(g)) for g in named_graphs or []]
        prepared.algebra["datasetClause"] = clauses
    return "rdflib", graph.query(prepared)


def answer_query(graph: Graph, text: str, accept: str | None, graphs: tuple[list[str], list[str]] | None = None) -> Answer:
    """Parse, check, run and serialise one query: what a worker process does.

    ``graph`` should come from :func:`served_dataset`; ``graphs`` are the protocol's
    ``(default-graph-uri, named-graph-uri)``. While it runs, rdflib's engine does not
    load graphs for ``FROM`` (a process-wide switch, restored afterwards).

    >>> from clustergraph.store import open_dataset
    >>> answer_query(served_dataset(open_dataset()), "ASK { ?s ?p ?o }", "application/sparql-results+json").body
    b'{"head":{},"boolean":false}'
    """
    import rdflib.plugins.sparql as rdflib_sparql

    before = rdflib_sparql.SPARQL_LOAD_GRAPHS
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <x> picks a local graph, never loads x
    try:
        return _answer(graph, text, accept, graphs or ([], []))
    finally:
        rdflib_sparql.SPARQL_LOAD_GRAPHS = before


_OX_RESULTS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
_OX_GRAPHS = {"turtle": "TURTLE", "json-ld": "JSON_LD", "nt": "N_TRIPLES", "xml": "RDF_XML", "nquads": "N_QUADS", "trig": "TRIG", "n3": "N3"}


def _serialise_oxigraph(result: Any, fmt: str) -> bytes:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryTriples):
        prefixes = {k: str(v) for k, v in PREFIXES.items()} if fmt in ("turtle", "trig", "n3") else None
        return ox.serialize(list(result), format=getattr(ox.RdfFormat, _OX_GRAPHS[fmt]), prefixes=prefixes)
    return result.serialize(format=getattr(ox.QueryResultsFormat, _OX_RESULTS[fmt]))


def _tsv(result: Any) -> bytes:
    """SPARQL 1.1 TSV results from an rdflib result (rdflib has no TSV writer)."""
    names = [str(v) for v in result.vars]
    lines = ["\t".join("?" + n for n in names)]
    for row in result:
        lines.append("\t".join(term.n3() if term is not None else "" for term in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _answer(graph: Graph, text: str, accept: str | None, graphs: tuple[list[str], list[str]]) -> Answer:
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(text, initNs=dict(graph.namespaces()))
    except Exception as exc:  # pyparsing and rdflib raise several types
        return Answer.error(400, f"the query does not parse: {exc}", fix="check the SPARQL syntax (an update goes in an 'update' parameter)")
    refused = _refused_in(text, dict(graph.namespaces()))
    if refused:
        return Answer.error(400, refused, fix="run federated queries from your own client")
    kind = prepared.algebra.name
    try:
        media, fmt = choose_format(kind, accept)
    except RequestRefused as exc:
        return Answer.refused(exc)
    try:
        engine, result = run_query(graph, text, prepared, default_graphs=graphs[0], named_graphs=graphs[1])
    except Exception as exc:  # the engines raise SyntaxError, ValueError, OSError, SPARQLError...
        return Answer.error(400, f"the query failed: {type(exc).__name__}: {exc}")
    try:
        if engine == "oxigraph":
            body = _serialise_oxigraph(result, fmt)
        elif fmt in ("csv", "tsv") and result.type == "ASK":  # as Oxigraph writes it (rdflib cannot)
            body = b"true" if result.askAnswer else b"false"
        elif fmt == "tsv":
            body = _tsv(result)
        else:
            body = result.serialize(format=fmt)
    except Exception as exc:  # a serialiser that cannot write this result
        return Answer.error(422, f"the result cannot be written as {media}: {exc}", fix="ask for another format in the Accept header")
    finally:
        result = None  # pyoxigraph results must be dropped in the thread that made them
    if isinstance(body, str):  # pragma: no cover - rdflib gives bytes
        body = body.encode("utf-8")
    return Answer(200, media, body or b"", (("Vary", "Accept"),))


_WARM = "<urn:clustergraph:warm-up>"  # a subject no dataset holds: every warm-up query costs nothing
_WARM_UP = (
    (f"SELECT * WHERE {{ {_WARM} ?p ?o OPTIONAL {{ ?o ?q ?r }} FILTER(BOUND(?p)) }} ORDER BY ?p LIMIT 1",
     ("application/sparql-results+json", "application/sparql-results+xml", "text/csv")),
    (f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {_WARM} ?p ?o }} GROUP BY ?p", ("application/json",)),
    (f"ASK {{ {_WARM} ?p ?o }}", ("application/sparql-results+json",)),
    (f"CONSTRUCT {{ {_WARM} ?p ?o }} WHERE {{ {_WARM} ?p ?o }}",
     ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")),
)


def warm_up(graph: Graph) -> None:
    """Answer a few empty queries (about a subject no dataset holds) in every common format.

    rdflib builds its SPARQL parser and loads its result writers on first use, which
    costs about a second; a server does it once before it forks workers, so that every
    worker starts warm. Errors are ignored: warming up must never stop a server.
    """
    for text, media_types in _WARM_UP:
        for media in media_types:
            try:
                answer_query(graph, text, media)
            except Exception:  # noqa: BLE001 - an odd store may refuse one of these; serve anyway
                pass


def run_update(native: Any, text: str) -> None:
    """Run the SPARQL Update ``text`` in the Oxigraph store ``native``, all or nothing.

    Raises :class:`RequestRefused` (400) if it does not parse or asks for ``LOAD`` or
    ``SERVICE`` (the server fetches nothing).
    """
    refused = refusal(text, update=True)
    if refused:
        raise RequestRefused(400, refused, fix="load the data with 'clustergraph import' and serve that store")
    try:
        native.update(text)
    except (SyntaxError, ValueError, OSError) as exc:
        raise RequestRefused(400, f"the update failed: {exc}") from None
