"""The reconciliation service over HTTP, as OpenRefine calls it (W3C Entity Reconciliation API 0.2).

:func:`asgi_app` is an ASGI application with these routes, relative to where it is
mounted (``clustergraph serve`` mounts it at ``/reconcile``):

=====================  ===============================================================
``GET /``              the manifest; with ``?queries=<JSON>`` a reconciliation batch,
                       with ``?extend=<JSON>`` a data extension
``POST /``             ``queries=`` or ``extend=`` form-encoded (what OpenRefine sends),
                       or the same keys in a JSON object
``/suggest/entity``    ``?prefix=`` auto-completion of organisations (``/suggest/type``,
                       ``/suggest/property`` the same for types and properties)
``/preview``           ``?id=`` a small HTML page about one organisation
``/extend/propose``    ``?type=`` the properties data extension offers
=====================  ===============================================================

Errors are HTTP 400 with ``{"error": ..., "fix": ...}``; bodies above 4 MiB get 413.
The index of organisations is read once, when the application is made.

:class:`ReconciliationServer` serves it alone on this machine (``clustergraph
reconcile-serve``), on the loopback interface unless ``allow_public``.

>>> from clustergraph.ingest import load_embedded
>>> with ReconciliationServer(load_embedded(), port=0) as server:
...     server.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import json
from typing import Any

from rdflib.graph import Graph

from ..errors import ClusterGraphError, ReconciliationError
from ..listener import Listener, host_of
from .index import Index
from .service import (
    extend,
    manifest,
    preview,
    propose_properties,
    reconcile,
    suggest_entities,
    suggest_properties,
    suggest_types,
)

__all__ = ["asgi_app", "mount", "ReconciliationServer", "MAX_BODY_BYTES", "MOUNT_PATH"]

MOUNT_PATH = "/reconcile"
"""Where ``clustergraph serve`` serves the reconciliation service."""

MAX_BODY_BYTES = 4 * 1024 * 1024
"""The largest request body read."""


def _json_param(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReconciliationError(f"'{what}' is not JSON: {exc.msg} at character {exc.pos}", fix=f'send {what}={{"q0": {{"query": "Cap Digital"}}}}') from None
    except RecursionError:
        raise ReconciliationError(f"'{what}' is nested too deeply", fix="send a flat batch of queries") from None


def asgi_app(source: Index | Graph, *, name: str = "clustergraph organisations") -> Any:
    """The reconciliation service as an ASGI application over the organisations of ``source``.

    Mount it under a path of another ASGI application (``app.mount("/reconcile", asgi_app(graph))``);
    the manifest's URLs follow the address it is reached at.
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    index = source if isinstance(source, Index) else Index.from_graph(source)
    cors = {"Access-Control-Allow-Origin": "*"}

    def answer(data: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(data, status_code=status, headers=cors)

    def error(exc: ClusterGraphError, status: int = 400) -> JSONResponse:
        return answer({"error": exc.message, "fix": exc.fix}, status)

    async def params(request: Request) -> dict[str, Any]:
        out: dict[str, Any] = dict(request.query_params)
        if request.method != "POST":
            return out
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise _TooLarge()
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                raise _TooLarge()
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        text = bytes(body).decode("utf-8", errors="replace")
        if kind == "application/json":
            data = _json_param(text, "body")
            if not isinstance(data, dict):
                raise ReconciliationError("the JSON body is not an object", fix='send {"queries": {...}}')
            out.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()})
        elif text:
            from urllib.parse import parse_qsl

            out.update(parse_qsl(text, keep_blank_values=True))
        return out

    async def root(request: Request) -> Any:
        try:
            p = await params(request)
            if "queries" in p:
                queries = _json_param(p["queries"], "queries")
                return answer(await run_in_threadpool(reconcile, index, queries))
            if "extend" in p:
                query = _json_param(p["extend"], "extend")
                return answer(await run_in_threadpool(extend, index, query))
        except _TooLarge:
            return answer({"error": "the request body is larger than 4 MiB", "fix": "send fewer queries per batch"}, 413)
        except ClusterGraphError as exc:
            return error(exc)
        base = str(request.base_url).rstrip("/")
        return answer(manifest(base, name=name))

    def _limit(request: Request, default: int = 10) -> int:
        text = request.query_params.get("limit", "")
        return max(1, min(int(text), 100)) if text.isdigit() else default

    async def suggest_entity(request: Request) -> Any:
        try:
            types = [t for t in request.query_params.getlist("type") if t]
            return answer(await run_in_threadpool(
                lambda: suggest_entities(index, request.query_params.get("prefix", ""), limit=_limit(request), types=types)
            ))
        except ClusterGraphError as exc:
            return error(exc)

    async def suggest_type(request: Request) -> Any:
        return answer(suggest_types(request.query_params.get("prefix", "")))

    async def suggest_property(request: Request) -> Any:
        return answer(suggest_properties(request.query_params.get("prefix", "")))

    async def show(request: Request) -> Any:
        try:
            return HTMLResponse(preview(index, request.query_params.get("id", "")), headers=cors)
        except ClusterGraphError as exc:
            return HTMLResponse(f"<p>{exc.message}</p>", status_code=404, headers=cors)

    async def propose(request: Request) -> Any:
        try:
            return answer(propose_properties(request.query_params.get("type") or None, _limit(request, 0) or None))
        except ClusterGraphError as exc:
            return error(exc)

    routes = [
        Route("/", root, methods=["GET", "POST"]),
        Route("/suggest/entity", suggest_entity),
        Route("/suggest/type", suggest_type),
        Route("/suggest/property", suggest_property),
        Route("/preview", show),
        Route("/extend/propose", propose),
    ]
    return Starlette(routes=routes)


class _TooLarge(Exception):
    pass


class _Mounted:
    """``inner`` with the reconciliation service answering under ``prefix`` (``/reconcile`` and ``/reconcile/...``)."""

    def __init__(self, inner: Any, service: Any, prefix: str) -> None:
        self.inner, self.service, self.prefix = inner, service, prefix.rstrip("/")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == self.prefix or path.startswith(self.prefix + "/")):
            root = scope.get("root_path", "") + self.prefix
            full = path if path != self.prefix else self.prefix + "/"  # OpenRefine posts to the URL as typed: no redirect
            await self.service({**scope, "root_path": root, "path": full}, receive, send)
            return
        await self.inner(scope, receive, send)

    def __getattr__(self, name: str) -> Any:  # the wrapped application's own attributes (close, ...)
        return getattr(self.inner, name)


def mount(inner: Any, source: Index | Graph, *, prefix: str = MOUNT_PATH) -> Any:
    """``inner`` (any ASGI application, e.g. the SPARQL endpoint's) with the reconciliation service under ``prefix``.

    This is the hook ``clustergraph serve`` uses: the endpoint applies it to its application
    before its own host-name and size checks, so the service shares the port and the checks.

    >>> from clustergraph.ingest import load_embedded
    >>> app = mount(lambda scope, receive, send: None, load_embedded())
    >>> app.prefix
    '/reconcile'
    """
    return _Mounted(inner, asgi_app(source), prefix)


class _HostCheck:
    """Answer only requests whose ``Host`` header names this server (no DNS rebinding)."""

    def __init__(self, inner: Any, names: frozenset[str]) -> None:
        self.inner, self.names = inner, names

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if host_of(host) not in self.names:
                from starlette.responses import JSONResponse

                await JSONResponse({"error": f"this service does not answer to the host name {host[:80]!r}", "fix": "use the address the server announced"}, 400)(scope, receive, send)
                return
        await self.inner(scope, receive, send)


class ReconciliationServer(Listener):
    """The reconciliation service alone, bound to its port (``port=0`` picks a free one); a context manager runs it in a thread.

    The checks of the host and the port and the life cycle are
    :class:`clustergraph.listener.Listener`'s.
    """

    kind = "reconciliation service"

    def __init__(self, source: Index | Graph, host: str = "127.0.0.1", port: int = 8892, *, allow_public: bool = False,
                 log_level: str = "warning") -> None:
        super().__init__(host, port, allow_public=allow_public)
        try:
            inner = asgi_app(source)
        except BaseException:
            self.socket.close()
            raise
        self.serving(_HostCheck(inner, self.names), log_level=log_level)
