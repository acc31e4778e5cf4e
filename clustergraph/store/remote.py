"""Remote SPARQL 1.1 stores: settings, HTTP with a timeout, queries and updates.

An :class:`Endpoint` names the URLs of a remote store (query, update, Graph Store
HTTP Protocol), its credentials and a timeout. Credentials never come from the
command line: they come from the environment (``CLUSTERGRAPH_ENDPOINT_USER``,
``CLUSTERGRAPH_ENDPOINT_PASSWORD``) or from a TOML file
(``$CLUSTERGRAPH_CONFIG``, else ``~/.config/clustergraph/endpoints.toml``)::

    [endpoints.local]                       # use as --endpoint local
    url = "http://127.0.0.1:8890/sparql"    # or --endpoint http://127.0.0.1:8890/sparql
    update = "http://127.0.0.1:8890/sparql-auth"
    graph_store = "http://127.0.0.1:8890/sparql-graph-crud-auth"
    user = "dba"
    password = "dba"
    auth = "digest"                          # "auto" (default), "digest" or "basic"
    timeout = 30

``flavour = "virtuoso"`` fills in Virtuoso's authenticated update and Graph Store
URLs next to ``/sparql``.

Queries go through SPARQLWrapper (JSON results for SELECT/ASK, N-Triples or
Turtle for CONSTRUCT); :func:`open_remote` wraps the same calls in an rdflib
:class:`~rdflib.Dataset`, so library code runs unchanged on a remote store.
Every failure (refused connection, timeout, HTTP error) becomes one
:class:`~clustergraph.errors.EndpointError` that names the URL and says how to fix it.

>>> ep = Endpoint("http://127.0.0.1:9/sparql", timeout=2)
>>> ep.update_url, ep.graph_store_url
('http://127.0.0.1:9/sparql', None)
>>> sparql(ep, "ASK {}")
Traceback (most recent call last):
...
clustergraph.errors.EndpointError: cannot connect to http://127.0.0.1:9/sparql: connection refused; fix: check the URL and that the SPARQL server is running
"""

from __future__ import annotations

import html
import io
import os
import re
import socket
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal
from rdflib.namespace import XSD
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from rdflib.query import Result
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from ..bindings import inject_values
from ..errors import EndpointError
from ..namespaces import GRAPH, bind_prefixes

__all__ = [
    "Endpoint",
    "RemoteStore",
    "DEFAULT_TIMEOUT",
    "USER_ENV",
    "PASSWORD_ENV",
    "CONFIG_ENV",
    "config_path",
    "resolve",
    "open_remote",
    "sparql",
    "update",
    "request",
    "data_graphs",
    "config_table",
    "body_message",
    "is_timeout",
    "SERVER_GRAPHS",
    "EMPTY_GRAPH",
    "construct_bytes",
    "count_triples",
    "dataset_parameters",
    "drop_graph",
    "DROP_PART",
    "graph_pattern",
    "DEFAULT",
    "plain",
]

DEFAULT_TIMEOUT = 30.0
USER_ENV = "CLUSTERGRAPH_ENDPOINT_USER"
PASSWORD_ENV = "CLUSTERGRAPH_ENDPOINT_PASSWORD"
CONFIG_ENV = "CLUSTERGRAPH_CONFIG"
_AUTH = ("auto", "digest", "basic")
_CREDENTIALS_FIX = (
    f"set {USER_ENV} and {PASSWORD_ENV}, or add user and password for this endpoint to "
    "~/.config/clustergraph/endpoints.toml (never on the command line)"
)


@dataclass(frozen=True)
class Endpoint:
    """Where a remote store answers, and how to authenticate.

    Parameters
    ----------
    url:
        The SPARQL 1.1 query endpoint.
    update_url:
        The SPARQL 1.1 Update endpoint; defaults to ``url``.
    graph_store_url:
        The SPARQL 1.1 Graph Store HTTP Protocol endpoint, if the store has one
        (``None``: uploads use SPARQL Update).
    graphs:
        The named graphs that make up the data (``()``: every graph the store
        lists, except the server's own, see :func:`data_graphs`). Queries see their
        merge as the default graph and only them as named graphs. ``("default",)``
        (:data:`DEFAULT`) is the store's own default graph: queries then name no
        dataset and see what the server shows without one.
    user, password:
        Credentials for HTTP Digest or Basic authentication.
    auth:
        ``"auto"`` answers whichever challenge the server sends (Digest or Basic),
        ``"basic"`` sends Basic credentials up front, ``"digest"`` only Digest.
    timeout:
        Seconds to wait for the server to connect and to answer.

    >>> Endpoint("http://127.0.0.1:8890/sparql", password="secret")
    Endpoint(url='http://127.0.0.1:8890/sparql', update_url='http://127.0.0.1:8890/sparql', graph_store_url=None, user=None, auth='auto', timeout=30.0, graphs=())
    """

    url: str
    update_url: str | None = None
    graph_store_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "auto"
    timeout: float = DEFAULT_TIMEOUT
    graphs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "graphs", tuple(str(g) for g in (self.graphs or ())))
        if DEFAULT in self.graphs and len(self.graphs) > 1:
            raise EndpointError("--graph default cannot be combined with named graphs", fix="give either --graph default or the IRIs of named graphs")
        for g in self.graphs:
            if g == DEFAULT:
                continue
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+", g):
                raise EndpointError(f"{g!r} is not an IRI for a named graph", fix="give --graph as http(s)://... or urn:...")
        for name in ("url", "update_url", "graph_store_url"):
            value = getattr(self, name)
            if value is not None and urllib.parse.urlsplit(value).scheme not in ("http", "https"):
                raise EndpointError(f"{value!r} is not an http(s) URL", fix="give the endpoint as http://host:port/path")
        if self.update_url is None:
            object.__setattr__(self, "update_url", self.url)
        if self.auth not in _AUTH:
            raise EndpointError(f"unknown authentication scheme {self.auth!r}", fix=f"use one of {', '.join(_AUTH)}")
        if not self.timeout or self.timeout <= 0:
            raise EndpointError(f"timeout must be a positive number of seconds, not {self.timeout!r}", fix="give e.g. timeout=30")

    @property
    def has_credentials(self) -> bool:
        return bool(self.user) and self.password is not None


# --- settings ----------------------------------------------------------------------


def config_path() -> Path:
    """The endpoints file: ``$CLUSTERGRAPH_CONFIG``, else ``~/.config/clustergraph/endpoints.toml``."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "clustergraph" / "endpoints.toml"


def config_table(section: str) -> dict[str, dict[str, Any]]:
    """The ``[SECTION.NAME]`` tables of the endpoints file (``{}`` without a file).

    >>> isinstance(config_table("stores"), dict)
    True
    """
    path = config_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EndpointError(f"{path}: not valid TOML: {exc}", fix="correct the file (see clustergraph.store.remote for the layout)") from None
    tables = data.get(section, {})
    if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
        raise EndpointError(f"{path}: [{section}.NAME] tables expected", fix=f"write one [{section}.NAME] table per entry")
    return tables


def _read_config() -> dict[str, dict[str, Any]]:
    path = config_path()
    if not path.is_file():
        if os.environ.get(CONFIG_ENV):
            raise EndpointError(f"{path}: configuration file not found", fix=f"create it or unset {CONFIG_ENV}")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EndpointError(f"{path}: not valid TOML: {exc}", fix="correct the file (see clustergraph.endpoint for the layout)") from None
    endpoints = data.get("endpoints", {})
    if not isinstance(endpoints, dict) or not all(isinstance(v, dict) for v in endpoints.values()):
        raise EndpointError(f"{path}: [endpoints.NAME] tables expected", fix="write one [endpoints.NAME] table per endpoint with url = ...")
    return endpoints


_VIRTUOSO_PATHS = {"update": "/sparql-auth", "graph_store": "/sparql-graph-crud-auth"}


def resolve(
    name_or_url: str,
    *,
    update: str | None = None,
    graph_store: str | None = None,
    timeout: float | None = None,
    auth: str | None = None,
    flavour: str | None = None,
    graphs: tuple[str, ...] | list[str] | None = None,
) -> Endpoint:
    """Build an :class:`Endpoint` from a URL or a name in the endpoints file, with credentials.

    Credentials come from the environment (``CLUSTERGRAPH_ENDPOINT_USER`` and
    ``_PASSWORD``, which win) or from the file's entry whose name or ``url`` matches.

    Parameters
    ----------
    name_or_url:
        ``http(s)://...`` or the name of an ``[endpoints.NAME]`` table.
    update, graph_store, timeout, auth:
        Override the file's values.
    graphs:
        Restrict the data to these named graphs (overrides ``graphs = [...]`` in the file).
    flavour:
        ``"virtuoso"`` derives the authenticated update (``/sparql-auth``) and Graph
        Store (``/sparql-graph-crud-auth``) URLs from the query URL, with Digest.

    >>> resolve("http://127.0.0.1:8890/sparql", flavour="virtuoso").graph_store_url
    'http://127.0.0.1:8890/sparql-graph-crud-auth'
    """
    entries = _read_config()
    entry: dict[str, Any] = {}
    if name_or_url in entries:
        entry = dict(entries[name_or_url])
        if "url" not in entry:
            raise EndpointError(f"{config_path()}: [endpoints.{name_or_url}] has no url", fix='add url = "http://..."')
    else:
        if not name_or_url.startswith(("http://", "https://")):
            known = ", ".join(sorted(entries)) or "none"
            raise EndpointError(
                f"{name_or_url!r} is neither an http(s) URL nor an endpoint named in {config_path()} (known: {known})",
                fix="give the endpoint URL, or add [endpoints.NAME] to the file",
            )
        entry = next((dict(e) for e in entries.values() if e.get("url") == name_or_url), {"url": name_or_url})
    flavour = flavour or entry.get("flavour")
    if flavour is not None:
        if flavour != "virtuoso":
            raise EndpointError(f"unknown endpoint flavour {flavour!r}", fix='use flavour = "virtuoso" or give the URLs')
        parts = urllib.parse.urlsplit(entry["url"])
        root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        entry.setdefault("update", root + _VIRTUOSO_PATHS["update"])
        entry.setdefault("graph_store", root + _VIRTUOSO_PATHS["graph_store"])
        entry.setdefault("auth", "digest")
    user = os.environ.get(USER_ENV) or entry.get("user")
    password = os.environ.get(PASSWORD_ENV) if os.environ.get(USER_ENV) else entry.get("password")
    if password is None:
        password = os.environ.get(PASSWORD_ENV)
    return Endpoint(
        url=entry["url"],
        update_url=update or entry.get("update"),
        graph_store_url=graph_store or entry.get("graph_store"),
        user=user,
        password=password,
        auth=auth or entry.get("auth", "auto"),
        timeout=float(timeout if timeout is not None else entry.get("timeout", DEFAULT_TIMEOUT)),
        graphs=tuple(graphs) if graphs else tuple(entry.get("graphs", ())),
    )


# --- HTTP --------------------------------------------------------------------------


def _opener(endpoint: Endpoint) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if endpoint.has_credentials:
        if endpoint.auth == "basic":
            prior = urllib.request.HTTPPasswordMgrWithPriorAuth()
            for url in _urls(endpoint):
                prior.add_password(None, url, endpoint.user, endpoint.password, is_authenticated=True)
            handlers.append(urllib.request.HTTPBasicAuthHandler(prior))
        else:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in _urls(endpoint):
                manager.add_password(None, url, endpoint.user, endpoint.password)
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
            if endpoint.auth == "auto":
                handlers.append(urllib.request.HTTPBasicAuthHandler(manager))
    return urllib.request.build_opener(*handlers)


def _urls(endpoint: Endpoint) -> list[str]:
    return [u for u in (endpoint.url, endpoint.update_url, endpoint.graph_store_url) if u]


def _body_message(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style|title|h1)[^>]*>.*?</\1>", " ", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\s+", " ", text).strip()
    return text[:300] + ("…" if len(text) > 300 else "")


def body_message(body: bytes) -> str:
    """The text of a server's answer body, HTML tags removed, cut to 300 characters.

    >>> body_message(b"<html><title>x</title><p>Bad &amp; worse</p></html>")
    'Bad & worse'
    """
    return _body_message(body)


def _is_timeout(exc: BaseException | None) -> bool:
    return isinstance(exc, (TimeoutError, socket.timeout))


_LARGE_BODY = 1 << 16
"""A request body from this size on is sent with Digest credentials at once (see :func:`_authorise_first`)."""


def _authorise_first(endpoint: Endpoint, req: urllib.request.Request) -> None:
    """Add the Digest ``Authorization`` to a request with a large body before it is sent.

    Digest authentication answers the first request 401 and asks for it again with
    the credentials; Virtuoso closes the connection while a large body (a Graph Store
    upload of 50,000 triples) is still being sent ("connection reset by peer"). A
    ``HEAD`` to the same URL (safe: it changes nothing) fetches the challenge first.
    """
    if not endpoint.has_credentials or endpoint.auth == "basic" or not isinstance(req.data, bytes) or len(req.data) < _LARGE_BODY:
        return
    try:
        with urllib.request.build_opener().open(urllib.request.Request(req.full_url, method="HEAD"), timeout=endpoint.timeout):
            return  # no challenge: the URL needs no credentials
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
    except (urllib.error.URLError, OSError):
        return  # the request itself will say what is wrong
    if not challenge.lower().startswith("digest "):
        return
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, req.full_url, endpoint.user, endpoint.password)
    fields = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(challenge.split(" ", 1)[1])))
    value = urllib.request.HTTPDigestAuthHandler(manager).get_authorization(req, fields)
    if value:
        req.add_unredirected_header("Authorization", "Digest " + value)


def _open(endpoint: Endpoint, req: urllib.request.Request) -> tuple[int, Mapping[str, str], bytes]:
    url = req.full_url.split("?", 1)[0]
    try:
        _authorise_first(endpoint, req)
        with _opener(endpoint).open(req, timeout=endpoint.timeout) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as exc:
        try:
            detail = _body_message(exc.read())
        except Exception:  # the body may be cut short; the status says enough
            detail = ""
        code = exc.code
        if code in (401, 403):
            who = f"as {endpoint.user!r}" if endpoint.has_credentials else "without credentials"
            raise EndpointError(f"{url} refused the request {who} (HTTP {code})" + (f": {detail}" if detail else ""), fix=_CREDENTIALS_FIX) from None
        fix = {
            400: "check the request: the server could not parse it (see its message)",
            404: "check the endpoint URL",
            405: "the server does not accept this method here; check the URL (query, update or graph store endpoint)",
            501: "this URL does not answer SPARQL requests; check that it is the store's SPARQL endpoint (Virtuoso: …/sparql, Oxigraph: …/query)",
        }.get(code, "see the server's message; retry later if the server is overloaded")
        err = EndpointError(f"{url} answered HTTP {code} {exc.reason}" + (f": {detail}" if detail else ""), fix=fix)
        err.status = code  # type: ignore[attr-defined]
        raise err from None
    except urllib.error.URLError as exc:
        if _is_timeout(exc.reason):
            raise _timeout_error(endpoint, url) from None
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            text = "connection refused"
        elif isinstance(reason, socket.gaierror):
            text = f"unknown host ({reason.strerror})"
        else:
            text = str(getattr(reason, "strerror", None) or reason)
        raise EndpointError(f"cannot connect to {url}: {text}", fix="check the URL and that the SPARQL server is running") from None
    except (TimeoutError, socket.timeout):
        raise _timeout_error(endpoint, url) from None
    except (ConnectionError, OSError) as exc:
        raise EndpointError(f"connection to {url} failed: {exc}", fix="check that the SPARQL server is running and reachable") from None


def _timeout_error(endpoint: Endpoint, url: str) -> EndpointError:
    err = EndpointError(
        f"{url} did not answer within {endpoint.timeout:g} s",
        fix="check that the server is up and not overloaded, or raise the timeout (timeout= in the endpoints file, or --timeout)",
    )
    err.timeout = True  # type: ignore[attr-defined]
    return err


_SERVER_TIMEOUT = re.compile(r"(?i)time.?out|timed out|S1T00|SR171|estimated execution time|exceeds the limit")


def is_timeout(error: BaseException) -> bool:
    """True if ``error`` says a request took too long: our timeout, or the server's own limit (HTTP 5xx naming it).

    >>> is_timeout(EndpointError("x")), is_timeout(_timeout_error(Endpoint("http://h/q"), "http://h/q"))
    (False, True)
    """
    if getattr(error, "timeout", False):
        return True
    return isinstance(error, EndpointError) and getattr(error, "status", 0) in (500, 503, 504) and bool(_SERVER_TIMEOUT.search(str(error)))


def request(
    endpoint: Endpoint,
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
) -> tuple[int, Mapping[str, str], bytes]:
    """Send one HTTP request with the endpoint's credentials and timeout.

    Returns ``(status, headers, body)``; raises :class:`EndpointError` for a
    refused connection, a timeout, or an HTTP error status.
    """
    if params:
        url = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    return _open(endpoint, req)


# --- queries and updates -------------------------------------------------------------


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper that sends its request through our opener (credentials, timeout, errors)."""

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint.url, updateEndpoint=endpoint.update_url)
        self._endpoint = endpoint

    def _getAcceptHeader(self) -> str:  # noqa: N802
        if self.queryType in ("CONSTRUCT", "DESCRIBE"):
            return "application/n-triples,text/turtle;q=0.9,application/rdf+xml;q=0.5"
        return super()._getAcceptHeader()

    def _query(self) -> tuple[Any, str]:
        status, headers, body = _open(self._endpoint, self._createRequest())
        return _Response(status, headers, body), self.returnFormat


class _Response(io.BytesIO):
    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        super().__init__(body)
        self.status = status
        self.headers = headers

    def info(self) -> Mapping[str, str]:
        return self.headers


def sparql(endpoint: Endpoint, query: str, default_graph: str | None = None, *, graphs: tuple[str, ...] | list[str] | None = None) -> Result:
    """Run a SPARQL query on a remote endpoint; return an rdflib :class:`~rdflib.query.Result`.

    SELECT and ASK ask for SPARQL JSON results, CONSTRUCT and DESCRIBE for
    N-Triples (Turtle or RDF/XML if that is what the server sends). Plain literals
    that the server reports as ``xsd:string`` come back plain, as in
    :mod:`clustergraph.store`. The query is sent as it is: bind parameters with
    :func:`clustergraph.bindings.inject_values` first.

    ``graphs`` sets the query's dataset through the protocol: their merge is the
    default graph and they are the only named graphs (``default-graph-uri`` and
    ``named-graph-uri``, the same on every server). ``default_graph`` alone names
    the default graph and leaves the named graphs to the server.
    """
    wrapper = _Wrapper(endpoint)
    wrapper.setQuery(query)
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    wrapper.setOnlyConneg(True)  # Accept header only: a format= parameter makes Virtuoso refuse CONSTRUCT
    if graphs is not None and tuple(graphs) == (DEFAULT,):
        pass  # the store's own default graph: the query names no dataset
    elif graphs is not None:
        chosen = [str(g) for g in graphs] or [EMPTY_GRAPH]
        for g in [str(default_graph)] if default_graph is not None else chosen:
            wrapper.addDefaultGraph(g)
        for g in chosen:
            wrapper.addNamedGraph(g)
    elif default_graph is not None:
        wrapper.addDefaultGraph(str(default_graph))
    response, _ = wrapper._query()
    body = response.getvalue()
    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if wrapper.queryType in ("CONSTRUCT", "DESCRIBE"):
        fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}.get(content_type, "nt")
        if content_type in ("text/plain", "application/n-triples"):
            fmt = "nt"
        graph = Graph()
        try:
            graph.parse(data=body, format=fmt)
        except Exception as exc:  # rdflib raises parser-specific types
            raise EndpointError(f"{endpoint.url} sent an unreadable {content_type or 'RDF'} answer: {exc}", fix="check the endpoint is a SPARQL 1.1 endpoint") from None
        out = Result("CONSTRUCT")
        out.graph = bind_prefixes(Graph())
        for s, p, o in graph:
            out.graph.add((s, p, _plain(o)))
        return out
    try:
        result = Result.parse(io.BytesIO(body), format="json")
    except Exception as exc:  # the server answered something that is not SPARQL JSON
        raise EndpointError(
            f"{endpoint.url} did not answer with SPARQL JSON results ({content_type or 'no content type'}): {_body_message(body)[:120] or exc}",
            fix="check the URL points at a SPARQL 1.1 query endpoint",
        ) from None
    if result.type == "SELECT":
        result.bindings = [{k: _plain(v) for k, v in row.items()} for row in result.bindings]
    return result


_XSD_STRING = XSD.string


def plain(term: Node) -> Node:
    """``term``, a plain literal if it is an ``xsd:string`` one (as everywhere in :mod:`clustergraph.store`).

    >>> plain(Literal("a", datatype=XSD.string)) == Literal("a")
    True
    """
    return _plain(term)


def _plain(term: Node) -> Node:
    if isinstance(term, Literal) and term.datatype == _XSD_STRING:
        return Literal(str(term))
    return term


_INFERRED = str(GRAPH.inferred)

DEFAULT = "default"
"""The store's own default graph, as ``--graph default`` names it (it has no IRI)."""

EMPTY_GRAPH = "urn:clustergraph:empty"
"""A graph nobody writes: the dataset of a store that holds no data graph."""

SERVER_GRAPHS = (
    "urn:clustergraph:upload:",
    "urn:clustergraph:tmp:",
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/",
    "http://www.openlinksw.com/",
    "http://localhost:8890/",
)
"""IRI prefixes of graphs that are not data: clustergraph's temporary graphs and the
graphs a server keeps about itself (Virtuoso's). For any other server, name the data
graphs: ``--graph IRI`` or ``graphs = [...]`` in the endpoint's entry."""


def construct_bytes(endpoint: Endpoint, query: str, *, graphs: tuple[str, ...] | list[str] = ()) -> tuple[str, bytes]:
    """Run a ``CONSTRUCT`` and return the answer as it came: ``(content type, body)``, N-Triples asked for.

    ``graphs`` names the query's dataset as :func:`sparql` does. Nothing is parsed here:
    the caller hands the bytes to Oxigraph.
    """
    params = [("query", query)] + dataset_parameters(graphs)
    _, headers, body = request(
        endpoint,
        "POST",
        endpoint.url,
        data=urllib.parse.urlencode(params).encode("utf-8"),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/n-triples, text/turtle;q=0.9"},
    )
    kind = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if kind not in ("application/n-triples", "text/plain", "text/turtle", "application/x-turtle"):
        raise EndpointError(f"{endpoint.url} answered a CONSTRUCT with {kind or 'no content type'}, not N-Triples: {_body_message(body)[:120]}", fix="check the URL points at a SPARQL 1.1 query endpoint")
    return ("text/turtle" if "turtle" in kind else "application/n-triples"), body


def dataset_parameters(graphs: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """The SPARQL Protocol parameters that make ``graphs`` a query's dataset (none for :data:`DEFAULT`).

    >>> dataset_parameters(["urn:g"])
    [('default-graph-uri', 'urn:g'), ('named-graph-uri', 'urn:g')]
    >>> dataset_parameters([DEFAULT])
    []
    """
    if tuple(graphs) == (DEFAULT,):
        return []
    return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]


def graph_pattern(graph: str) -> str:
    """``?s ?p ?o`` in the graph ``graph``: ``GRAPH <graph> {...}``, or the bare pattern for :data:`DEFAULT`.

    >>> graph_pattern(DEFAULT), graph_pattern("urn:g")
    ('?s ?p ?o', 'GRAPH <urn:g> { ?s ?p ?o }')
    """
    return "?s ?p ?o" if graph == DEFAULT else f"GRAPH <{graph}> {{ ?s ?p ?o }}"


def count_triples(endpoint: Endpoint, graph: str) -> int:
    """The number of triples in the named graph ``graph`` of the store (or its default graph, :data:`DEFAULT`)."""
    rows = list(sparql(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ {graph_pattern(graph)} }}", graphs=(graph,)))
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


DROP_PART = 50_000
"""Triples deleted per request by :func:`drop_graph` (Oxigraph's server takes 5.5 s to copy
50,000 triples in one update, about 24 s for 100,000: a large transaction costs more
than its size)."""


def drop_graph(endpoint: Endpoint, graph: str, triples: int | None = None) -> None:
    """Remove the named graph ``graph`` from the store, a large one in parts of :data:`DROP_PART` triples.

    For clustergraph's own temporary graphs, which no query reads: deleting them in parts
    is as good as at once. ``triples`` is how many the graph holds, if known.
    """
    if triples is None or triples > 2 * DROP_PART:
        for _ in range((triples or count_triples(endpoint, graph)) // DROP_PART):
            update(endpoint, f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT {DROP_PART} }} }}")
    update(endpoint, f"DROP SILENT GRAPH <{graph}>")


def data_graphs(endpoint: Endpoint) -> tuple[str, ...]:
    """The named graphs that make up the data of the store, sorted.

    ``endpoint.graphs`` if given; else every graph the store lists
    (``SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }``), except temporary
    graphs and the server's own (:data:`SERVER_GRAPHS`); if there is none and the
    store's own default graph holds triples that no named graph holds (data loaded
    without a graph name), ``("default",)`` (:data:`DEFAULT`). Servers differ on the
    default graph (Virtuoso: the union of every graph, its own included; Oxigraph's
    server: a graph of its own), so clustergraph always names its dataset.
    """
    if endpoint.graphs:
        return endpoint.graphs
    rows = sparql(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    found = {str(row[0]) for row in rows if row[0] is not None}
    named = tuple(sorted(g for g in found if not g.startswith(SERVER_GRAPHS)))
    if any(g != _INFERRED for g in named):
        return named
    # No named data graph: the data may sit in the store's own default graph (a dump
    # loaded without a graph name). It counts only if it holds triples no named graph
    # holds: Virtuoso's default graph is the union of its graphs (its own included).
    # (The inferred graph that `reason` wrote next to such data does not count as data.)
    own = sparql(endpoint, "ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
    return (DEFAULT,) if bool(own.askAnswer) else named


def update(endpoint: Endpoint, text: str) -> None:
    """Run a SPARQL 1.1 Update on the endpoint's update URL (POST ``application/sparql-update``)."""
    request(
        endpoint,
        "POST",
        endpoint.update_url or endpoint.url,
        data=text.encode("utf-8"),
        headers={"Content-Type": "application/sparql-update; charset=UTF-8", "Accept": "application/sparql-results+json, */*;q=0.1"},
    )


# --- an rdflib Dataset over a remote store ---------------------------------------------


class RemoteStore(SPARQLUpdateStore):
    """rdflib's SPARQL update store, talking through :func:`sparql` and :func:`update`.

    Adds what the plain store lacks: a timeout, HTTP Digest, one clear error per
    failure, parameters bound at the start of WHERE (not appended after the query),
    and a graph listing that Virtuoso answers.
    """

    def __init__(self, endpoint: Endpoint, graph: str | None = None) -> None:
        super().__init__(query_endpoint=endpoint.url, update_endpoint=endpoint.update_url, returnFormat="json", autocommit=True)
        if graph is not None and not endpoint.graphs:
            endpoint = replace(endpoint, graphs=(str(graph),))
        self.endpoint = endpoint
        self.graph = graph
        self._graphs: tuple[str, ...] | None = None

    @property
    def graphs(self) -> tuple[str, ...]:
        """The named graphs the queries see (listed once, at the first query)."""
        if self._graphs is None:
            self._graphs = data_graphs(self.endpoint)
        return self._graphs

    def refresh(self) -> None:
        """List the store's graphs again at the next query (after graphs were added or dropped)."""
        self._graphs = None

    def _query(self, query: str, default_graph: str | None = None, named_graph: str | None = None) -> Result:  # type: ignore[override]
        self._queries += 1
        graph = None if default_graph is None or isinstance(default_graph, BNode) else str(default_graph)
        return sparql(self.endpoint, query, graph, graphs=self.graphs)

    def query(self, query: Any, initNs: Mapping[str, Any] | None = None, initBindings: Mapping[Any, Node] | None = None, queryGraph: Any = None, DEBUG: bool = False) -> Result:  # type: ignore[override]  # noqa: N803
        if not isinstance(query, str):
            raise EndpointError("a remote store runs SPARQL text, not prepared queries", fix="pass the query as a string")
        if initBindings:
            query = inject_values(query, {str(k): v for k, v in initBindings.items()})
        if initNs:
            used = {k: v for k, v in initNs.items() if re.search(rf"(?<![\w-]){re.escape(k)}:", query)}
            query = self._inject_prefixes(query, used)
        return self._query(query, default_graph=queryGraph if self._is_contextual(queryGraph) else None)

    def contexts(self, triple: Any = None) -> Any:  # type: ignore[override]
        pattern = "?s ?p ?o"
        if triple:
            pattern = " ".join(self.node_to_sparql(t) if t is not None else f"?{v}" for t, v in zip(triple, "spo"))
        result = self._query(f"SELECT DISTINCT ?name WHERE {{ GRAPH ?name {{ {pattern} }} }}")
        return (row[0] for row in result)

    def add_graph(self, graph: Graph) -> None:
        """Graphs exist once they hold triples; nothing to create (stores differ on empty graphs)."""

    def _update(self, text: str) -> None:  # type: ignore[no-redef]
        self._updates += 1
        update(self.endpoint, text)
        if not self.endpoint.graphs:
            self._graphs = None  # a write may have made a new graph


def open_remote(
    url: str | Endpoint,
    *,
    update: str | None = None,
    graph_store: str | None = None,
    timeout: float | None = None,
    auth: str | None = None,
    flavour: str | None = None,
    graph: str | None = None,
    graphs: tuple[str, ...] | list[str] | None = None,
) -> Dataset:
    """Open a remote SPARQL 1.1 store as an rdflib :class:`~rdflib.Dataset`.

    The default graph is what the store's queries see without ``FROM`` (on
    Virtuoso, every graph, counted once per graph that holds a triple), or the named
    ``graph`` (sent as ``default-graph-uri``): give the graph that
    :func:`clustergraph.push.push` loaded to query exactly that data. Reads, :func:`clustergraph.query.run` and
    :func:`clustergraph.store.select` work as on a local store; writes go to the
    update endpoint. Nothing is sent until the first query.

    Parameters
    ----------
    url:
        The query endpoint URL, a name from the endpoints file, or an :class:`Endpoint`.
    update, graph_store, timeout, auth, flavour:
        See :func:`resolve`.
    graph:
        The IRI of the named graph that queries read as their default graph.
    graphs:
        Restrict the data to these named graphs (see :class:`Endpoint`); without
        ``graph`` or ``graphs``, every data graph of the store (:func:`data_graphs`).

    >>> ds = open_remote("http://127.0.0.1:9/sparql", timeout=1)
    >>> ds.store.endpoint.url
    'http://127.0.0.1:9/sparql'
    """
    endpoint = url if isinstance(url, Endpoint) else resolve(url, update=update, graph_store=graph_store, timeout=timeout, auth=auth, flavour=flavour, graphs=graphs)
    if isinstance(url, Endpoint) and timeout is not None:
        endpoint = replace(endpoint, timeout=float(timeout))
    if isinstance(url, Endpoint) and graphs:
        endpoint = replace(endpoint, graphs=tuple(graphs))
    ds = Dataset(store=RemoteStore(endpoint, graph), default_union=True)
    return bind_prefixes(ds)  # type: ignore[return-value]
