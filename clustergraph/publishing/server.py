"""Serving a dataset on this machine: a SPARQL 1.1 Protocol endpoint and a linked-data server.

An ASGI application served by uvicorn. ``GET``/``POST`` at ``/`` (and ``/sparql``) answer
queries in the format the ``Accept`` header asks for, by q-values (SPARQL JSON, XML, CSV,
TSV; Turtle, JSON-LD, N-Triples, RDF/XML for CONSTRUCT and DESCRIBE; 406 when none fits);
without a query, a browser gets the query page (YASGUI shipped with the package, the
library's queries as examples) and an RDF client the service description, which lists
the default graph (the data's union, without the ontology) and every named graph. The
dataset's resource paths (``/id/...``, ``/graph/...``, ``/ontology``, ``/ontology/TERM``)
answer HTML, Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept``
(:mod:`clustergraph.publishing.linkeddata`), and ``/search?q=`` finds labels. Any other
path goes to a FastAPI application that serves the static assets and the routes that
``extensions`` add. The endpoint is read-only unless ``writable=True``: updates are
refused with HTTP 403 (writable endpoints run updates in Oxigraph).

It listens on the loopback interface; any other address must be asked for
explicitly (``allow_public=True``, ``clustergraph serve --public``), because the
server has no authentication.

The server survives its clients:

* **Every query runs in a worker process** forked from the server (it shares the data
  copy-on-write and is kept for later queries), so the server keeps answering while
  queries run, up to :attr:`Limits.workers` at a time. A query that runs past
  :attr:`Limits.timeout` (30 s by default, ``clustergraph serve --timeout``) is
  *killed* with its worker, not abandoned: its client gets HTTP 503 saying so, and the
  CPU is free again at once. So is a query whose client disconnects. After an update the
  idle workers are replaced, so that later queries see it.
* **Request sizes are limited**: query or update text (1 MiB) and body (4 MiB) give HTTP
  413 beyond; a worker may grow by 2 GiB and send back 256 MiB at most (:class:`Limits`).
* **Nothing is fetched for a client**: ``SERVICE`` and ``LOAD`` are refused (HTTP 400);
  ``FROM``/``FROM NAMED`` pick graphs of the local dataset and never load a URL or a file;
  and a worker process cannot open an Internet socket at all
  (:func:`~clustergraph.publishing.isolation.deny_network`).
* **Host names are checked**: a request whose ``Host`` header is not a name the server
  serves (loopback names, the address it is bound to, and any ``host_names`` /
  ``--host-name`` given) gets HTTP 400, so a web page cannot reach it by DNS rebinding.
* **It stops promptly**: SIGTERM or Ctrl-C ends it within about two seconds, killing
  running queries; :meth:`Server.stop` does the same for a server in a thread.
* **The port is the port**: it is checked (1–65535, or 0 for any free port), bound
  before it is announced (a port in use is a one-line error), and the service
  description advertises the address actually bound.

Queries on an Oxigraph-backed dataset run in Oxigraph (the query text is handed
to the store), not in rdflib's engine, so aggregates stay fast. Updates
(``writable=True``) run one at a time in the server process; Oxigraph cannot stop one
once it has started, so they have no timeout: open a writable endpoint to trusted
clients only.

>>> from clustergraph.store import open_dataset
>>> from clustergraph.listener import check_host, check_port
>>> check_host("0.0.0.0")
Traceback (most recent call last):
...
clustergraph.errors.ClusterGraphError: refusing to listen on 0.0.0.0: it is reachable from other machines and the endpoint has no authentication; fix: serve on 127.0.0.1 (the default), or pass --public (allow_public=True) if you mean it
>>> check_port(99999)
Traceback (most recent call last):
...
clustergraph.errors.ClusterGraphError: port 99999 is out of range; fix: give a port between 1 and 65535 (or 0 for any free port)
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from rdflib import Graph, URIRef

from ..errors import ClusterGraphError
from ..listener import Listener, host_of, served_names
from ..namespaces import ID
from ..store.dataset import oxigraph
from .isolation import (
    WorkerGone,
    WorkerPool,
    WorkFailed,
    WorkTimeout,
    forking_available,
    run_forked,
)
from .linkeddata import PageRenderer, answer_resource, answer_search, data_graph, resolve
from .negotiation import RDFLIB_FORMATS, RESOURCE_TYPES, choose
from .protocol import (
    DEFAULT_TIMEOUT,
    SPARQL_PATHS,
    Answer,
    Limits,
    RequestRefused,
    answer_query,
    check_size,
    read_graphs,
    read_request,
    run_update,
    served_dataset,
    warm_up,
)
from .service import STATIC_PATH, query_page, service_description
from .service import examples as service_examples

__all__ = [
    "app",
    "serve",
    "Server",
    "Extension",
    "default_renderer",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
]

DEFAULT_PORT = 8890 + 1  # next to Virtuoso's customary 8890
def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


_UTF8_TYPES = ("text/", "application/ld+json", "application/n-triples", "application/json", "application/sparql-results+json")


async def _send(send: Any, answer: Answer, head: bool = False) -> None:
    media = answer.media_type
    if media.startswith(_UTF8_TYPES) and "charset" not in media:
        media += "; charset=utf-8"
    headers = [(b"x-content-type-options", b"nosniff")]
    headers += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers]
    if answer.status != 204:  # "No Content" has neither a type nor a length
        headers += [(b"content-type", media.encode("latin-1")), (b"content-length", str(len(answer.body)).encode())]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else answer.body})


async def _in_thread(fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` in a daemon thread (it never holds up the process's exit)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if not done.done():
            done.set_exception(error) if error is not None else done.set_result(value)

    def work() -> None:
        try:
            value = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, value, None)

    threading.Thread(target=work, name="clustergraph-update", daemon=True).start()
    return await done


class _Endpoint:
    """The ASGI application: checks, limits and isolation in front of every route.

    It answers the SPARQL protocol (``/``, ``/sparql``), the service description and the
    query page, resource paths (:mod:`.linkeddata`) and ``/search`` itself, running
    everything that reads the data in a worker; any other path goes to ``inner``, the
    FastAPI application that serves the static assets and any extensions.
    """

    def __init__(self, inner: Any, served: Graph, *, names: frozenset[str], limits: Limits, native: Any, writable: bool,
                 url: str = "", title: str = "", named_queries: dict[str, dict[str, str]] | None = None,
                 renderer: PageRenderer | None = None) -> None:
        self.inner = inner
        self.served = served
        self.names = names
        self.limits = limits
        self.native = native
        self.writable = writable
        self.url = url
        self.title = title
        self.named_queries = named_queries or {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._writing: asyncio.Lock | None = None
        self.pool = WorkerPool(
            functools.partial(_answer, served, renderer, writable, title), idle=limits.workers, memory=limits.memory,
            max_bytes=limits.max_answer_bytes,
        )

    def close(self) -> None:
        """Retire the idle query workers (running ones end with their requests)."""
        self.pool.close()

    def _primitives(self) -> tuple[asyncio.Semaphore, asyncio.Lock]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None or self._writing is None:
            self._loop, self._slots, self._writing = loop, asyncio.Semaphore(self.limits.workers), asyncio.Lock()
        return self._slots, self._writing

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self.inner(scope, receive, send)
            return
        if kind != "http":  # websockets: nothing here speaks them
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
        host = _header(scope, b"host")
        if host is None or host_of(host) not in self.names:
            shown = (host or "")[:80]
            await _send(send, Answer.error(
                400,
                f"this endpoint does not answer to the host name {shown!r}" if host else "the request has no Host header",
                fix="use the address the server announced, or start it with --host-name NAME (host_names=[...]) for this name",
            ))
            return
        path, method = scope["path"], scope["method"]
        head = method == "HEAD"
        if path not in SPARQL_PATHS or method not in ("GET", "POST"):
            request: tuple[Any, ...] | None = None
            if method in ("GET", "HEAD") and resolve(path) is not None:
                request = ("resource", path, _header(scope, b"accept"))
            elif method in ("GET", "HEAD") and path in ("/search", "/search/"):
                fields = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"))
                request = ("search", (fields.get("q") or [""])[0][:500], _header(scope, b"accept"))
            if request is None:
                await self.inner(scope, receive, send)
                return
            answer = await self._watching(self._work(request), receive)
            if answer is not None:
                await _send(send, answer, head)
            return
        query_string = scope.get("query_string", b"")
        try:
            if len(query_string) > 3 * self.limits.max_query_bytes + 4096:
                raise RequestRefused(413, f"the URL is {len(query_string):,} bytes long", fix="send the query with POST")
            body = await self._body(scope, receive) if scope["method"] == "POST" else b""
            if body is None:  # the client went away
                return
            query, update = read_request(scope["method"], query_string, _header(scope, b"content-type") or "", body)
            if query is not None:
                check_size(query, self.limits.max_query_bytes, "query")
            if update is not None:
                check_size(update, self.limits.max_query_bytes, "update")
        except RequestRefused as exc:
            await _send(send, Answer.refused(exc))
            return
        if query is None and update is None:  # the service description or the query page
            if scope["method"] == "POST":
                await _send(send, Answer.error(400, "the request has no query and no update",
                                               fix="send 'query' or 'update' (form fields or the request body)"))
                return
            answer = await self._about(path, query_string, _header(scope, b"accept"), receive)
            if answer is not None:
                await _send(send, answer)
            return
        if update is not None:
            answer = await self._update(update)
        else:
            graphs = read_graphs(scope["method"], query_string, _header(scope, b"content-type") or "", body)
            request = ("query", query, _header(scope, b"accept"), graphs)
            answer = await self._watching(self._work(request), receive)  # type: ignore[arg-type]
            if answer is None:  # the client went away: its query was stopped
                return
        await _send(send, answer)

    async def _about(self, path: str, query_string: bytes, accept: str | None, receive: Any) -> Answer | None:
        """``GET /sparql`` without a query: the query page (HTML) or the service description (RDF)."""
        fields = parse_qs(query_string.decode("utf-8", "replace"), keep_blank_values=True)
        offers = list(RESOURCE_TYPES) if "service-description" not in fields else list(RESOURCE_TYPES[1:])
        media = choose(accept, offers)
        if media is None:
            return Answer.error(406, "no acceptable format for the query page or the service description",
                                fix="ask for text/html, or an RDF type such as text/turtle")
        if media == "text/html":
            selected = (fields.get("example") or [""])[0]
            page = query_page(path, self.named_queries, title=self.title, selected=selected or None,
                              run=(fields.get("run") or [""])[0] not in ("", "0", "false"))
            return Answer(200, "text/html", page.encode("utf-8"), (("Vary", "Accept"),))
        return await self._watching(self._work(("description", self.url.rstrip("/") + path, media)), receive)

    async def _watching(self, work: Any, receive: Any) -> Answer | None:
        """Await ``work``; stop it if the client disconnects or the server shuts down."""
        task = asyncio.ensure_future(work)
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            done, _pending = await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
            return task.result() if task in done else None
        except asyncio.CancelledError:  # uvicorn cancels requests still running at shutdown
            return Answer.error(503, "the server is shutting down; the query was stopped", fix="send it again once the server is back")
        finally:  # a cancelled query kills its worker as soon as it runs again (no await here:
            task.cancel()  # at shutdown this task may be cancelled a second time)
            gone.cancel()

    async def _body(self, scope: dict[str, Any], receive: Any) -> bytes | None:
        limit = self.limits.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            raise RequestRefused(413, f"the request body is {int(declared):,} bytes; this endpoint accepts at most {limit:,}",
                                 fix="send a shorter query")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise RequestRefused(413, f"the request body is over {limit:,} bytes, the most this endpoint accepts",
                                     fix="send a shorter query")
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    async def _work(self, request: tuple[Any, ...]) -> Answer:
        """Answer ``request`` (see :func:`_answer`) in a worker, within the timeout."""
        limits = self.limits
        slots, writing = self._primitives()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limits.timeout
        timed_out = Answer.error(
            503,
            f"the query ran longer than {limits.timeout:g} s and was stopped",
            fix="make it more selective (constants, LIMIT, no unconnected patterns), or start the server with a larger --timeout",
        )
        try:
            await asyncio.wait_for(slots.acquire(), limits.timeout)
        except asyncio.TimeoutError:
            return Answer.error(503, f"all {limits.workers} query workers stayed busy for {limits.timeout:g} s", fix="try again later")
        try:
            if not forking_available():  # pragma: no cover - no fork on this platform
                return await run_forked(functools.partial(self.pool.handler, request), limits.timeout)
            for attempt in (1, 2):
                try:  # no worker is forked while an update holds the store
                    await asyncio.wait_for(writing.acquire(), max(deadline - loop.time(), 0.001))
                except asyncio.TimeoutError:
                    return timed_out
                try:
                    worker = self.pool.take()
                finally:
                    writing.release()
                try:
                    answer = await worker.ask(request, max(deadline - loop.time(), 0.001))
                except WorkerGone:  # it had died while idle; nothing ran
                    if attempt == 2:
                        raise
                    continue
                except WorkTimeout:
                    return timed_out
                except WorkFailed as exc:
                    return Answer.error(500, f"the query failed: {exc.message}", exc.fix)
                self.pool.give_back(worker)
                return answer
            raise AssertionError("unreachable")  # pragma: no cover
        except WorkFailed as exc:
            return Answer.error(500, f"the query failed: {exc.message}", exc.fix)
        finally:
            slots.release()

    async def _update(self, text: str) -> Answer:
        if not self.writable:
            return Answer.error(403, "INSERT and DELETE queries are not allowed: this endpoint is read-only",
                                fix="start it with --writable (writable=True) to accept SPARQL Update")
        _slots, writing = self._primitives()
        async with writing:
            try:
                await _in_thread(run_update, self.native, text)
            except RequestRefused as exc:
                return Answer.refused(exc)
            finally:
                if hasattr(self.served, "refresh"):
                    await _in_thread(self.served.refresh)  # the served copy's default graph is the data's union
                self.pool.refresh()  # idle workers hold the data as it was: later queries get fresh ones
        return Answer(204, "text/plain", b"")


async def _disconnected(receive: Any) -> None:
    """Return when the client disconnects (the request body has been read already)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def _answer(served: Graph, renderer: PageRenderer | None, writable: bool, title: str, request: tuple[Any, ...]) -> Answer:
    """What a worker does with one request.

    ``("query", text, accept, (default graphs, named graphs))``, ``("resource", path,
    accept)``, ``("search", text, accept)`` or ``("description", endpoint URL, media type)``.
    """
    kind = request[0]
    if kind == "query":
        _kind, text, accept, graphs = request
        return answer_query(served, text, accept, graphs)
    if kind == "resource":
        answer = answer_resource(served, request[1], request[2], renderer)
        return answer if answer is not None else Answer.error(404, "not a resource path")
    if kind == "search":
        return answer_search(served, request[1], request[2])
    if kind == "description":
        _kind, url, media = request
        body = service_description(served, url, writable=writable, title=title).serialize(format=RDFLIB_FORMATS[media], encoding="utf-8")
        return Answer(200, media, body, (("Vary", "Accept"),))
    raise ValueError(f"unknown request {kind!r}")


#: Adds routes to the server: called with the FastAPI application (and nothing else) when
#: the server is built, e.g. ``lambda api: api.include_router(router)``. Its routes answer
#: behind the Host check, in the server process (not in a query worker): keep them quick.
Extension = Callable[[Any], None]


def app(
    graph: Graph,
    *,
    writable: bool = False,
    title: str = "clustergraph SPARQL endpoint",
    url: str | None = None,
    limits: Limits | None = None,
    host_names: Iterable[str] | None = None,
    examples: Mapping[str, Mapping[str, str]] | None = None,
    renderer: PageRenderer | None = None,
    extensions: Iterable[Extension] = (),
    wrap: Any = None,
) -> Any:
    """An ASGI application: the SPARQL 1.1 Protocol and the linked-data paths over ``graph``.

    Parameters
    ----------
    graph:
        The dataset to serve (any store from :func:`clustergraph.store.open_dataset`).
        The SPARQL default graph is the union of its graphs but the ontology; every graph
        is a named graph (see :class:`~clustergraph.publishing.protocol.ServedDataset`).
    writable:
        Accept SPARQL 1.1 Update requests (refused with HTTP 403 by default). Updates
        run in Oxigraph, all or nothing, so this needs an Oxigraph-backed dataset.
    title:
        Shown in the service description and on the query page.
    url:
        The server's address, advertised in the service description (:class:`Server`
        passes the one it bound; default ``http://127.0.0.1:8891/``).
    limits:
        Timeout and sizes (:class:`~clustergraph.publishing.protocol.Limits`).
    host_names:
        Every name accepted in the ``Host`` header (default: the loopback names; see
        :func:`clustergraph.listener.served_names`).
    examples:
        The example queries of the query page, ``{name: {"title", "query"}}``; default:
        the library's named queries (:func:`clustergraph.publishing.service.examples`).
    renderer:
        Renders a resource's HTML page (:data:`~clustergraph.publishing.linkeddata.PageRenderer`);
        default: the static site's page renderer when there is one, else a plain page.
    extensions:
        Functions called with the FastAPI application to add routes (:data:`Extension`).
    wrap:
        A function applied to the inner ASGI application behind the checks, to serve more
        under other paths (``clustergraph serve`` passes the reconciliation service's
        ``clustergraph.reconciliation.mount``, answering under ``/reconcile``).
    """
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    native = oxigraph(graph)
    if writable and native is None:
        raise ClusterGraphError("a writable endpoint needs the Oxigraph store", fix="drop --memory-store, or serve read-only")
    base = (url or f"http://127.0.0.1:{DEFAULT_PORT}/").rstrip("/")
    served = served_dataset(graph)
    application = FastAPI(title=title, description="The clustergraph knowledge graph: SPARQL 1.1 Protocol and linked data.",
                          docs_url=None, redoc_url=None, openapi_url=None)
    application.mount(STATIC_PATH.rstrip("/"), StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    for extend in extensions:
        extend(application)
    if wrap is not None:
        application = wrap(application)
    warm_up(served)  # workers are forked from this process: let them start with rdflib's parser built
    for fmt in RDFLIB_FORMATS.values():  # and with the writers of every resource representation loaded
        Graph().serialize(format=fmt)
    names = frozenset(host_names) if host_names is not None else served_names("127.0.0.1")
    named = {k: dict(v) for k, v in (examples if examples is not None else service_examples()).items()}
    return _Endpoint(application, served, names=names, limits=limits or Limits(), native=native, writable=writable,
                     url=base, title=title, named_queries=named, renderer=renderer if renderer is not None else default_renderer())


def default_renderer() -> PageRenderer | None:
    """The static site's page renderer for data resources, adapted to the server, if there is one.

    The site's ``pages.render_resource(graph, iri, ontology=..., root="/")`` renders a
    data resource (``/id/...``) from the served data; the ontology is read once, here.
    Other resources, and a page the renderer cannot make, get
    :func:`~clustergraph.publishing.linkeddata.fallback_page`.
    """
    try:
        pages = importlib.import_module(f"{__package__}.pages")
    except ImportError:
        return None
    render = getattr(pages, "render_resource", None)
    if render is None:
        return None
    ontology = None
    try:
        ontology = importlib.import_module(f"{__package__}.vocabulary").load_ontology()
    except (ImportError, AttributeError):
        pass

    def renderer(served: Graph, iri: URIRef, description: Graph) -> str | None:
        if not str(iri).startswith(str(ID)):
            return None
        try:
            return render(data_graph(served), iri, ontology=ontology, root="/")  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - a page the site cannot render still gets the plain description
            return None

    return renderer


class Server(Listener):
    """An endpoint bound to its port: run it in this thread (:meth:`run`) or in the background.

    The checks of the host and the port, the ``Host`` names and the life cycle are
    :class:`clustergraph.listener.Listener`'s.

    The port is bound when the server is made, so :attr:`url` and :attr:`port` are the
    real ones (``port=0`` picks a free port) and a port in use fails here.

    >>> from clustergraph.store import open_dataset
    >>> with Server(open_dataset(), port=0) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(
        self,
        graph: Graph,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        writable: bool = False,
        allow_public: bool = False,
        timeout: float | None = None,
        limits: Limits | None = None,
        host_names: Iterable[str] = (),
        log_level: str = "warning",
        examples: Mapping[str, Mapping[str, str]] | None = None,
        renderer: PageRenderer | None = None,
        extensions: Iterable[Extension] = (),
        wrap: Any = None,
    ) -> None:
        self.kind = "SPARQL endpoint"
        limits = limits if limits is not None else Limits()
        if timeout is not None:
            limits = replace(limits, timeout=timeout)
        self.limits = limits
        super().__init__(host, port, allow_public=allow_public, host_names=host_names)
        try:
            app_ = app(graph, writable=writable, url=self.url, limits=limits, host_names=self.names,
                       examples=examples, renderer=renderer, extensions=extensions, wrap=wrap)
        except BaseException:
            self.socket.close()
            raise
        self.serving(app_, log_level=log_level, limit_concurrency=256)


def serve(
    graph: Graph,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    writable: bool = False,
    allow_public: bool = False,
    timeout: float | None = None,
    limits: Limits | None = None,
    host_names: Iterable[str] = (),
) -> None:
    """Serve ``graph`` until SIGTERM or Ctrl-C (what ``clustergraph serve`` runs).

    Raises :class:`~clustergraph.errors.ClusterGraphError` for a non-loopback
    ``host`` unless ``allow_public`` is true, for a port out of range, and for a port
    that is in use. See :class:`Server` for the other parameters.
    """
    Server(graph, host, port, writable=writable, allow_public=allow_public, timeout=timeout,
           limits=limits, host_names=host_names, log_level="info").run()
