"""Serving a dataset as a SPARQL 1.1 Protocol endpoint on this machine.

Built on rdflib-endpoint (FastAPI, served by uvicorn): ``GET``/``POST`` at ``/``
(and ``/sparql``) answer queries in the formats a client asks for (SPARQL JSON,
XML, CSV, TSV; Turtle, N-Triples, JSON-LD for CONSTRUCT), and a browser gets the
YASGUI query editor. The endpoint is read-only unless ``writable=True``: updates
are refused with HTTP 403 (writable endpoints run updates in Oxigraph).

It listens on the loopback interface; any other address must be asked for
explicitly (``allow_public=True``, ``clustergraph serve --public``), because the
server has no authentication.

Queries on an Oxigraph-backed dataset run in Oxigraph (the query text is handed
to the store), not in rdflib's engine, so aggregates stay fast.

>>> from clustergraph.store import open_dataset
>>> check_host("0.0.0.0")
Traceback (most recent call last):
...
clustergraph.errors.ClusterGraphError: refusing to listen on 0.0.0.0: it is reachable from other machines and the endpoint has no authentication; fix: serve on 127.0.0.1 (the default), or pass --public (allow_public=True) if you mean it
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from typing import Any

from rdflib import Dataset, Graph

from ..errors import ClusterGraphError
from ..namespaces import bind_prefixes

__all__ = ["app", "serve", "Server", "check_host", "DEFAULT_PORT"]

DEFAULT_PORT = 8890 + 1  # next to Virtuoso's customary 8890


def check_host(host: str, allow_public: bool = False) -> str:
    """Return ``host`` if it is a loopback address (or ``allow_public``), else raise.

    >>> check_host("127.0.0.1"), check_host("localhost"), check_host("::1")
    ('127.0.0.1', 'localhost', '::1')
    """
    if allow_public:
        return host
    if host == "localhost":
        return host
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ClusterGraphError(
            f"refusing to listen on {host}: it is reachable from other machines and the endpoint has no authentication",
            fix="serve on 127.0.0.1 (the default), or pass --public (allow_public=True) if you mean it",
        )
    return host


class _TextQuery:
    """A query parsed by rdflib (the endpoint reads its kind) that still carries its text."""

    def __init__(self, text: str, prepared: Any) -> None:
        self.text = text
        self.prepared = prepared
        self.algebra = prepared.algebra
        self.prologue = prepared.prologue


class _ServedDataset(Dataset):
    """The served dataset: text queries go to the store (Oxigraph runs them itself)."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, _TextQuery):
            from ..store.dataset import oxigraph

            if oxigraph(self) is not None:
                return super().query(query_object.text)
            query_object = query_object.prepared
        return super().query(query_object, *args, **kwargs)


def _served(graph: Graph) -> Graph:
    if isinstance(graph, Dataset) and not isinstance(graph, _ServedDataset):
        served = _ServedDataset(store=graph.store, default_union=graph.default_union)
        return bind_prefixes(served)
    return graph


def app(graph: Graph, *, writable: bool = False, title: str = "clustergraph SPARQL endpoint") -> Any:
    """An ASGI application answering the SPARQL 1.1 Protocol over ``graph``.

    Parameters
    ----------
    graph:
        The dataset to serve (any store from :func:`clustergraph.store.open_dataset`).
    writable:
        Accept SPARQL 1.1 Update requests (refused with HTTP 403 by default). Updates
        run in Oxigraph, all or nothing, so this needs an Oxigraph-backed dataset
        (rdflib 7.6 cannot apply ``INSERT DATA`` to a union-default ``Dataset``).
    title:
        Shown in the service description and the query editor.
    """
    from fastapi import FastAPI
    from rdflib_endpoint.sparql_router import SparqlRouter

    from ..store.dataset import oxigraph

    native = oxigraph(graph)
    if writable and native is None:
        raise ClusterGraphError("a writable endpoint needs the Oxigraph store", fix="drop --memory-store, or serve read-only")

    class _Router(SparqlRouter):
        def _prepare_query_cached(self, query: str, graph_ns: dict[str, Any]) -> Any:
            return _TextQuery(query, super()._prepare_query_cached(query, graph_ns))

    served = _served(graph)
    application = FastAPI(title=title, description="The clustergraph knowledge graph over the SPARQL 1.1 Protocol.")
    example = "PREFIX cg: <https://w3id.org/clustergraph/ontology#>\nSELECT ?project ?acronym WHERE { ?project cg:acronym ?acronym } LIMIT 20"
    for path in ("/", "/sparql"):
        application.include_router(
            _Router(
                path=path,
                title=title,
                description="The European cluster excellence ecosystem as a knowledge graph.",
                graph=served,
                enable_update=False,
                example_queries={"Projects": {"query": example}},
            )
        )
    return _Updates(application, native) if writable else application


class _Updates:
    """ASGI wrapper that runs SPARQL Update requests (POST) in Oxigraph; the rest goes on."""

    def __init__(self, inner: Any, native: Any) -> None:
        self.inner = inner
        self.native = native

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.inner(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        text = None
        if ctype == "application/sparql-update":
            text = body.decode("utf-8")
        elif ctype == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qs

            text = (parse_qs(body.decode("utf-8")).get("update") or [None])[0]
        if text is None:
            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.inner(scope, replay, send)
            return
        try:
            self.native.update(text)
            status, payload = 204, b""
        except (SyntaxError, ValueError, OSError) as exc:
            status, payload = 400, str(exc).encode("utf-8")
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": payload})


class Server:
    """A running endpoint in a background thread, for notebooks and tests.

    >>> from clustergraph.store import open_dataset
    >>> with Server(open_dataset(), port=0) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, graph: Graph, host: str = "127.0.0.1", port: int = 0, *, writable: bool = False, allow_public: bool = False) -> None:
        import uvicorn

        self.host = check_host(host, allow_public)
        if port == 0:
            with socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET) as s:
                s.bind((self.host, 0))
                port = s.getsockname()[1]
        self.port = port
        config = uvicorn.Config(app(graph, writable=writable), host=self.host, port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self, timeout: float = 10.0) -> "Server":
        """Start serving; return once the server accepts connections."""
        self._thread = threading.Thread(target=self._server.run, name="clustergraph-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ClusterGraphError(f"the SPARQL endpoint did not start on {self.url}", fix="check that the port is free")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve(graph: Graph, host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, writable: bool = False, allow_public: bool = False) -> None:
    """Serve ``graph`` until interrupted (what ``clustergraph serve`` runs).

    Raises :class:`~clustergraph.errors.ClusterGraphError` for a non-loopback
    ``host`` unless ``allow_public`` is true.
    """
    import uvicorn

    check_host(host, allow_public)
    try:
        uvicorn.run(app(graph, writable=writable), host=host, port=port, log_level="info", lifespan="off")
    except OSError as exc:  # pragma: no cover - port in use
        raise ClusterGraphError(f"cannot listen on {host}:{port}: {exc}", fix="choose another --port") from None
