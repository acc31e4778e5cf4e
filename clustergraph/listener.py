"""A web application bound to a port of this machine: the checks and the life cycle every server shares.

``clustergraph serve`` (:class:`clustergraph.publishing.server.Server`) and
``clustergraph reconcile-serve`` (:class:`clustergraph.reconciliation.ReconciliationServer`)
are both a :class:`Listener`: the host is checked (loopback unless the user allows
otherwise, since neither has authentication), the port is bound when the object is made
(so a port in use fails at once, and ``port=0`` gives a real free port), requests must
name this server in their ``Host`` header (no DNS rebinding), and the application runs
under uvicorn in this thread (:meth:`Listener.run`, until SIGTERM or Ctrl-C) or in the
background (:meth:`Listener.start`, or ``with``).

>>> async def hello(scope, receive, send):
...     await send({"type": "http.response.start", "status": 200, "headers": []})
...     await send({"type": "http.response.body", "body": b"hello"})
>>> import urllib.request
>>> with Listener(port=0).serving(hello) as server:
...     urllib.request.urlopen(server.url).read()
b'hello'
"""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any, Self

from .errors import ClusterGraphError

__all__ = ["Listener", "check_host", "check_port", "served_names", "host_of", "listen", "SHUTDOWN_GRACE"]

#: Seconds a stopping server waits for requests in flight before it cancels them.
SHUTDOWN_GRACE = 1.0
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_WILDCARDS = ("0.0.0.0", "::", "")


def check_host(host: str, allow_public: bool = False) -> str:
    """Return ``host`` if it is a loopback address (or ``allow_public``), else raise.

    >>> check_host("127.0.0.1"), check_host("localhost"), check_host("::1")
    ('127.0.0.1', 'localhost', '::1')
    """
    if allow_public or host == "localhost":
        return host
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ClusterGraphError(
            f"refusing to listen on {host}: it is reachable from other machines and the endpoint has no authentication",
            fix="serve on 127.0.0.1 (the default), or pass --public (allow_public=True) if you mean it",
        )
    return host


def check_port(port: Any) -> int:
    """Return ``port`` if it is a TCP port number (0 means any free port), else raise.

    >>> check_port(8891), check_port(0)
    (8891, 0)
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ClusterGraphError(f"port {port!r} is out of range", fix="give a port between 1 and 65535 (or 0 for any free port)")
    return port


def _normal_name(name: str) -> str:
    text = name.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.rstrip(".")
    if not text or any(c.isspace() or c in "/@?#[]" for c in text) or (text.count(":") == 1):
        raise ClusterGraphError(
            f"{name!r} is not a host name",
            fix="give a bare name or address such as sparql.example.org or 192.0.2.7 (no scheme, no port)",
        )
    return text


def served_names(host: str, bound: str | None = None, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a client may put in the ``Host`` header: loopback, ``host``, ``bound``, ``extra``.

    A server bound to every interface (``0.0.0.0``, ``::``) also answers to this
    machine's host name.

    >>> sorted(served_names("127.0.0.1", "127.0.0.1", ["sparql.example.org"]))
    ['127.0.0.1', '::1', 'localhost', 'sparql.example.org']
    """
    names = set(_LOOPBACK_NAMES)
    for name in (host, bound):
        if name and name not in _WILDCARDS:
            names.add(_normal_name(name))
    if host in _WILDCARDS or bound in _WILDCARDS:
        names.add(socket.gethostname().lower())
    names.update(_normal_name(n) for n in extra)
    return frozenset(names)


def host_of(header: str) -> str:
    """The name in a ``Host`` header, without port, brackets or trailing dot, lower case.

    >>> host_of("Example.org:8891"), host_of("[::1]:80"), host_of("localhost.")
    ('example.org', '::1', 'localhost')
    """
    text = header.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        return text[1:end] if end > 0 else ""
    name, sep, port = text.rpartition(":")
    if sep and ":" not in name and (port.isdigit() or not port):
        text = name
    return text.rstrip(".")


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening, or a one-line error naming the fix.

    >>> sock = listen("127.0.0.1", 0)
    >>> sock.getsockname()[1] > 0
    True
    >>> sock.close()
    """
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise ClusterGraphError(f"cannot listen on {host}: {exc.strerror}", fix="give an IP address or a name this machine resolves") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ClusterGraphError(f"cannot listen on {host} port {port}: the port is already in use",
                                    fix="choose another --port (0 picks a free one), or stop the program using it") from None
        if exc.errno == errno.EACCES:
            raise ClusterGraphError(f"cannot listen on {host} port {port}: permission denied",
                                    fix="choose a port above 1023, or one you may use") from None
        raise ClusterGraphError(f"cannot listen on {host} port {port}: {exc.strerror or exc}", fix="choose another --host or --port") from None
    return sock


class Listener:
    """A port of this machine, bound when made, and the ASGI application served on it.

    ``host`` must be a loopback address unless ``allow_public``; ``port=0`` picks a free
    port (:attr:`port` is the real one). ``host_names`` are further names clients may put
    in the ``Host`` header (:attr:`names` holds them all). :meth:`serving` sets the
    application; then :meth:`run` serves in this thread and :meth:`start` (or ``with``)
    in a background thread.
    """

    #: What the errors call this server.
    kind = "server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, allow_public: bool = False, host_names: Iterable[str] = ()) -> None:
        self.host = check_host(host, allow_public)
        check_port(port)
        self.socket = listen(self.host, port)
        try:
            bound = self.socket.getsockname()
            self.port: int = bound[1]
            self.names = served_names(self.host, bound[0], host_names)
        except BaseException:
            self.socket.close()
            raise
        self.app: Any = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The server's address, ending in ``/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serving(self, app: Any, *, log_level: str = "warning", **config: Any) -> Self:
        """Serve ``app`` (an ASGI application; ``config`` goes to ``uvicorn.Config``); return this listener."""
        import uvicorn

        self.app = app
        options = {"lifespan": "off", "timeout_keep_alive": 5, "timeout_graceful_shutdown": SHUTDOWN_GRACE, **config}
        self._server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, **options))
        return self

    def run(self) -> None:
        """Serve in this thread until SIGTERM, Ctrl-C or :meth:`stop`; then return.

        On SIGTERM, requests in flight get :data:`SHUTDOWN_GRACE` seconds; Ctrl-C ends in
        :class:`KeyboardInterrupt`. The socket is closed, and so is the application if it
        has a ``close`` method.
        """
        if self._server is None:
            self.socket.close()
            raise ClusterGraphError(f"the {self.kind} on {self.url} has no application to serve", fix="call serving(app) first")
        on_main = threading.current_thread() is threading.main_thread()
        previous: Any = None
        if on_main:  # uvicorn re-raises SIGTERM after its shutdown: land here, not in SIG_DFL

            def terminate(_signum: int, _frame: Any) -> None:
                self._server.should_exit = True

            previous = signal.signal(signal.SIGTERM, terminate)
        try:
            self._server.run(sockets=[self.socket])
        finally:
            if on_main:
                signal.signal(signal.SIGTERM, previous)
            self.socket.close()
            close = getattr(self.app, "close", None)
            if callable(close):
                close()

    def start(self, timeout: float = 10.0) -> Self:
        """Serve in a background thread; return once the server accepts connections."""
        self._thread = threading.Thread(target=self.run, name=f"clustergraph-{self.kind.replace(' ', '-')}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while self._server is None or not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ClusterGraphError(f"the {self.kind} did not start on {self.url}", fix="check that the port is free")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving (requests still running are cancelled) and wait for the thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=SHUTDOWN_GRACE + 10)
        self.socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
