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

from rdflib import Dataset, Graph

from ..errors import ClusterGraphError
from ..namespaces import bind_prefixes
from ..store import offline
from ..store.dataset import oxigraph

__all__ = [
    "DEFAULT_TIMEOUT",
    "SPARQL_PATHS",
    "Limits",
    "Answer",
    "RequestRefused",
    "read_request",
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
    """An HTTP answer: status, media type and body."""

    status: int
    media_type: str
    body: bytes

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


def choose_format(kind: str, accept: str | None) -> tuple[str, str]:
    """``(media type, rdflib format)`` for a query of ``kind`` and an ``Accept`` header.

    The same negotiation as rdflib-endpoint: the first acceptable media type listed,
    else SPARQL XML results (SELECT, ASK) or RDF/XML (CONSTRUCT, DESCRIBE).

    >>> choose_format("SelectQuery", "text/csv")
    ('text/csv', 'csv')
    >>> choose_format("ConstructQuery", "application/n-triples, */*")
    ('application/n-triples', 'nt')
    """
    from rdflib_endpoint.utils import (
        GENERIC_CONTENT_TYPE_TO_RDFLIB_FORMAT,
        GRAPH_CONTENT_TYPE_TO_RDFLIB_FORMAT,
        SPARQL_RESULT_CONTENT_TYPE_TO_RDFLIB_FORMAT,
        parse_accept_header,
    )

    graph = kind in ("ConstructQuery", "DescribeQuery")
    formats = {**(GRAPH_CONTENT_TYPE_TO_RDFLIB_FORMAT if graph else SPARQL_RESULT_CONTENT_TYPE_TO_RDFLIB_FORMAT), **GENERIC_CONTENT_TYPE_TO_RDFLIB_FORMAT}
    default = "application/rdf+xml" if graph else "application/sparql-results+xml"
    for media in parse_accept_header(accept or default):
        if media in formats:
            return media, formats[media]
    return default, formats[default]


class TextQuery:
    """A query parsed by rdflib (so its kind is known) that still carries its text."""

    def __init__(self, text: str, prepared: Any) -> None:
        self.text = text
        self.prepared = prepared
        self.algebra = prepared.algebra
        self.prologue = prepared.prologue


class ServedDataset(Dataset):
    """The served dataset: a :class:`TextQuery` goes to Oxigraph as text (it runs it itself)."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, TextQuery):
            if oxigraph(self) is not None:
                return super().query(query_object.text)
            query_object = query_object.prepared
        return super().query(query_object, *args, **kwargs)


def served_dataset(graph: Graph) -> Graph:
    """``graph`` as the endpoint queries it (a :class:`ServedDataset` over the same store)."""
    if isinstance(graph, Dataset) and not isinstance(graph, ServedDataset):
        return bind_prefixes(ServedDataset(store=graph.store, default_union=graph.default_union))
    return graph


def answer_query(graph: Graph, text: str, accept: str | None) -> Answer:
    """Parse, check, run and serialise one query: what a worker process does.

    ``graph`` should come from :func:`served_dataset`. While it runs, rdflib's engine
    does not load graphs for ``FROM`` (a process-wide switch, restored afterwards).

    >>> from clustergraph.store import open_dataset
    >>> answer_query(served_dataset(open_dataset()), "ASK { ?s ?p ?o }", "application/sparql-results+json").body
    b'{"head": {}, "boolean": false}'
    """
    import rdflib.plugins.sparql as rdflib_sparql

    before = rdflib_sparql.SPARQL_LOAD_GRAPHS
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <x> picks a local graph, never loads x
    try:
        return _answer(graph, text, accept)
    finally:
        rdflib_sparql.SPARQL_LOAD_GRAPHS = before


def _answer(graph: Graph, text: str, accept: str | None) -> Answer:
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
        result = graph.query(TextQuery(text, prepared))
        media, fmt = choose_format(kind, accept)
    except Exception as exc:  # the engines raise SyntaxError, ValueError, OSError, SPARQLError...
        return Answer.error(400, f"the query failed: {type(exc).__name__}: {exc}")
    try:
        body = result.serialize(format=fmt)
    except Exception as exc:  # a serialiser that cannot write this result
        return Answer.error(422, f"the result cannot be written as {media}: {exc}", fix="ask for another format in the Accept header")
    if isinstance(body, str):  # pragma: no cover - rdflib gives bytes
        body = body.encode("utf-8")
    return Answer(200, media, body or b"")


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
