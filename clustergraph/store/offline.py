"""Offline by default: the one place that decides whether clustergraph may reach the network.

Nothing in clustergraph opens a connection, or a file the user did not name, unless the
user allowed it: ``allow_network=`` in Python (a host, a list of hosts, or ``True`` for
any host) and ``--allow-network HOST`` on the command line. This module holds that
decision (:class:`NetworkPolicy`, set for a block of code with :func:`allow_network`)
and enforces it in three ways:

* :func:`check_query` reads a SPARQL query or update before a store runs it. ``SERVICE``
  and ``LOAD`` are refused unless their host is allowed (a ``file:`` IRI or a
  ``SERVICE`` at a variable, never, unless every host is allowed). ``FROM``,
  ``FROM NAMED``, ``USING`` and ``USING NAMED`` only pick graphs the dataset holds:
  one that names anything else is refused, because the query would otherwise
  silently read nothing (Oxigraph) or fetch the URL or read the file (rdflib).
* rdflib's engine never loads a ``FROM`` graph: importing this module turns
  ``rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS`` off for the process.
* :func:`guard` refuses, while it is active, every connection and DNS look-up that
  Python code makes through :mod:`socket` to a host not allowed: a second line for a
  path that slips past the first (rdflib fetching a URL). The parsers and the query
  runners of the store run inside it. Oxigraph's Rust code does not use Python
  sockets: for it the static check is what holds.

>>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
clustergraph.errors.QueryError: the query calls SERVICE <http://example.org/sparql>, but clustergraph reaches no host unless asked; fix: remove the SERVICE clause, or allow the host with --allow-network example.org (allow_network='example.org' in Python)
>>> with allow_network("example.org"):
...     check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
>>> [(c.keyword, c.target) for c in clauses("PREFIX ex: <http://ex.org/> SELECT * FROM ex:g WHERE { ?s ?p 'SERVICE <x>' }")]
[('FROM', 'http://ex.org/g')]
>>> NetworkPolicy.of(["Example.org", "http://127.0.0.1:8890/sparql"]).hosts == {"example.org", "127.0.0.1"}
True
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import rdflib.plugins.sparql

from ..errors import NetworkError, QueryError

__all__ = [
    "NetworkPolicy",
    "OFFLINE",
    "ANY_HOST",
    "AllowNetwork",
    "allow_network",
    "current_policy",
    "policy_for",
    "check_url",
    "Clause",
    "clauses",
    "check_query",
    "guard",
    "DEFAULT_SERVICE_TIMEOUT",
    "SERVICE_TIMEOUT_ENV",
    "service_timeout",
    "current_service_timeout",
    "calls_service",
    "run_with_timeout",
]

# rdflib's engine would fetch the IRI of a FROM graph it does not hold (and read a
# file: IRI); clustergraph confines FROM to the dataset on every store.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


@dataclass(frozen=True)
class NetworkPolicy:
    """Which hosts clustergraph may reach: none (the default), some, or any.

    >>> OFFLINE.allows("example.org"), ANY_HOST.allows("example.org")
    (False, True)
    >>> NetworkPolicy.of("data.europa.eu").allows("DATA.europa.eu")
    True
    """

    hosts: frozenset[str] = frozenset()
    any_host: bool = False

    @classmethod
    def of(cls, value: AllowNetwork) -> NetworkPolicy:
        """The policy for an ``allow_network=`` value: ``False``/``None``/``()`` none,
        ``True`` or ``"*"`` any, a host (or URL) or a list of them those hosts."""
        if isinstance(value, NetworkPolicy):
            return value
        if value is None or value is False:
            return OFFLINE
        if value is True:
            return ANY_HOST
        items = [value] if isinstance(value, str) else list(value)
        if any(str(v).strip() == "*" for v in items):
            return ANY_HOST
        hosts = frozenset(h for h in (_host(str(v)) for v in items) if h)
        return cls(hosts=hosts)

    def allows(self, host: str | None) -> bool:
        """True if ``host`` may be reached."""
        if self.any_host:
            return True
        return host is not None and _host(host) in self.hosts

    def __str__(self) -> str:
        if self.any_host:
            return "any host"
        return ", ".join(sorted(self.hosts)) if self.hosts else "no host (offline)"


OFFLINE = NetworkPolicy()
"""No host may be reached: the default."""

ANY_HOST = NetworkPolicy(any_host=True)
"""Every host may be reached (``allow_network=True``, ``--allow-network '*'``)."""

AllowNetwork = NetworkPolicy | bool | str | Iterable[str] | None
"""What ``allow_network=`` accepts."""

_POLICY: ContextVar[NetworkPolicy] = ContextVar("clustergraph_network_policy", default=OFFLINE)
_GUARDED: ContextVar[NetworkPolicy | None] = ContextVar("clustergraph_network_guard", default=None)


def _host(value: str) -> str:
    """The host of ``value`` (a host name, an address or a URL), lower case, without brackets."""
    value = value.strip()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    elif value.startswith("["):  # [::1]:8890
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # host:port
        value = value.split(":", 1)[0]
    return value.strip("[]").rstrip(".").lower()


def current_policy() -> NetworkPolicy:
    """The policy of the innermost :func:`allow_network` block (offline outside any)."""
    return _POLICY.get()


def policy_for(allow_network: AllowNetwork = None) -> NetworkPolicy:
    """An explicit ``allow_network=`` value as a policy; ``None`` means the current one.

    >>> policy_for(None) == OFFLINE, policy_for(True) == ANY_HOST
    (True, True)
    """
    return current_policy() if allow_network is None else NetworkPolicy.of(allow_network)


@contextmanager
def allow_network(hosts: AllowNetwork) -> Iterator[NetworkPolicy]:
    """Let the code in the block reach ``hosts`` (what ``--allow-network HOST`` does).

    >>> with allow_network(["a.example", "b.example"]) as policy:
    ...     current_policy().allows("b.example")
    True
    >>> current_policy() == OFFLINE
    True
    """
    token = _POLICY.set(NetworkPolicy.of(hosts))
    try:
        yield _POLICY.get()
    finally:
        _POLICY.reset(token)


def _fix_for(host: str | None) -> str:
    if not host:
        return "allow every host with --allow-network '*' (allow_network=True in Python) only if you trust the query"
    return f"allow the host with --allow-network {host} (allow_network={host!r} in Python)"


def check_url(url: str, *, allow_network: AllowNetwork = None, what: str = "reach") -> None:
    """Refuse ``url`` unless it is an http(s) URL whose host the policy allows.

    Raises
    ------
    NetworkError

    >>> check_url("https://example.org/ctx.jsonld", what="fetch the context")
    Traceback (most recent call last):
    ...
    clustergraph.errors.NetworkError: refused to fetch the context <https://example.org/ctx.jsonld>: clustergraph reaches no host unless asked; fix: allow the host with --allow-network example.org (allow_network='example.org' in Python)
    >>> check_url("https://example.org/x", allow_network="example.org")
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise NetworkError(
            f"refused to {what} <{url}>: only http(s) URLs can be allowed, and files are read only when named as inputs",
            fix="give the file as an input instead",
        )
    host = parts.hostname
    if not policy_for(allow_network).allows(host):
        raise NetworkError(f"refused to {what} <{url}>: clustergraph reaches no host unless asked", fix=_fix_for(host))


# --- SPARQL clauses that reach outside the dataset ---------------------------------

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)
    | (?P<pname>(?:[^\W\d][\w.\-\u00b7]*)?:(?:[\w:%\-\u00b7]|\\.|\.(?=[\w:%\\\-]))*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_KEYWORDS = {"FROM", "USING", "SERVICE", "LOAD"}


@dataclass(frozen=True)
class Clause:
    """One clause of a query that names something outside the query: where it points.

    ``target`` is the absolute IRI (``None`` for a variable, or a prefixed name whose
    prefix is not declared); ``written`` is the text as the query has it.
    """

    keyword: str
    target: str | None
    written: str
    line: int


def _unescape(text: str) -> str:
    """SPARQL's ``\\uXXXX`` escapes, which rdflib expands everywhere before it parses."""

    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _ESCAPE.sub(one, text)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    line = 1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        value = m.group()
        if kind not in ("space", "comment"):
            out.append((kind, value, line))
        line += value.count("\n")
    return out


def _scan(text: str, prefixes: Mapping[str, str], base: str | None) -> list[Clause]:
    tokens = _tokens(text)
    found: list[Clause] = []
    declared = {k: str(v) for k, v in prefixes.items()}
    current_base = base

    def resolve(kind: str, value: str) -> str | None:
        if kind == "iri":
            iri = value[1:-1]
            if current_base and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri):
                iri = urljoin(current_base, iri)
            return iri
        if kind == "pname":
            prefix, _, local = value.partition(":")
            ns = declared.get(prefix)
            return ns + re.sub(r"\\(.)", r"\1", local) if ns is not None else None
        return None

    i = 0
    while i < len(tokens):
        kind, value, line = tokens[i]
        word = value.upper() if kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1][0] == "pname" and tokens[i + 2][0] == "iri":
            declared[tokens[i + 1][1].rstrip(":").split(":", 1)[0]] = resolve("iri", tokens[i + 2][1]) or ""
            i += 3
            continue
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            current_base = resolve("iri", tokens[i + 1][1])
            i += 2
            continue
        if word in _KEYWORDS:
            keyword = word
            j = i + 1
            while j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() in ("NAMED", "SILENT"):
                if tokens[j][1].upper() == "NAMED":
                    keyword += " NAMED"
                j += 1
            if j < len(tokens) and tokens[j][0] in ("iri", "pname", "var"):
                target_kind, written = tokens[j][0], tokens[j][1]
                found.append(Clause(keyword, resolve(target_kind, written), written, line))
                i = j + 1
                continue
            if keyword in ("SERVICE", "LOAD"):  # something we cannot read: refuse it as unknown
                found.append(Clause(keyword, None, tokens[j][1] if j < len(tokens) else "", line))
        i += 1
    return found


def clauses(text: str, *, prefixes: Mapping[str, Any] | None = None, base: str | None = None) -> list[Clause]:
    """Every ``FROM``, ``FROM NAMED``, ``USING``, ``SERVICE`` and ``LOAD`` of ``text``, in order.

    Comments, strings and IRIs are skipped as the SPARQL grammar says; prefixed
    names are expanded with the query's ``PREFIX`` declarations and ``prefixes``.
    The text is read twice, as written and with ``\\u`` escapes expanded (rdflib
    expands them before parsing, Oxigraph does not), and the findings of both kept.

    >>> [(c.keyword, c.written) for c in clauses("LOAD SILENT <http://x.org/a.ttl> INTO GRAPH <urn:g>")]
    [('LOAD', '<http://x.org/a.ttl>')]
    >>> [c.keyword for c in clauses("SELECT * { ?s ?p ?o } # SERVICE <http://x.org/>")]
    []
    >>> [c.keyword for c in clauses(r"SELECT * { \\u0053ERVICE <http://x.org/> { ?s ?p ?o } }")]
    ['SERVICE']
    """
    names = {k: str(v) for k, v in (prefixes or {}).items()}
    found = _scan(text, names, base)
    expanded = _unescape(text)
    if expanded != text:
        found += [c for c in _scan(expanded, names, base) if c not in found]
    return found


def check_query(
    text: str,
    *,
    allow_network: AllowNetwork = None,
    graphs: Callable[[str], bool] | None = None,
    prefixes: Mapping[str, Any] | None = None,
    base: str | None = None,
    where: str | None = None,
) -> None:
    """Refuse a query or update that would reach outside the dataset without leave.

    Parameters
    ----------
    text:
        The SPARQL query or update, as it will run (parameters already bound).
    allow_network:
        Hosts that ``SERVICE`` and ``LOAD`` may reach; ``None``: the current
        :func:`allow_network` block (offline by default).
    graphs:
        ``graphs(iri)`` says whether the dataset holds a non-empty graph ``iri``;
        ``FROM`` and ``USING`` may name only those. ``None``: no graph may be named.
    prefixes, base:
        Prefixes and base IRI the store adds to the query (to read prefixed names).
    where:
        What the query is called, for the message (a file, a library name).

    Raises
    ------
    QueryError
        Naming the clause and how to fix it.

    >>> check_query("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    ...
    clustergraph.errors.QueryError: the query reads FROM <file:///etc/passwd>, which is not a graph of this dataset: FROM only picks graphs the dataset holds and never fetches a URL or reads a file; fix: load that data first (--data FILE) and name the graph it gets, or drop the FROM clause to query the whole dataset
    >>> check_query("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", graphs=lambda iri: iri == "urn:g")
    """
    policy = policy_for(allow_network)
    prefix = f"{where}: " if where else ""
    for clause in clauses(text, prefixes=prefixes, base=base):
        target = clause.target
        shown = f"<{target}>" if target else clause.written or "(nothing)"
        if clause.keyword in ("FROM", "FROM NAMED", "USING", "USING NAMED"):
            if target is not None and graphs is not None and graphs(target):
                continue
            raise QueryError(
                f"{prefix}the query reads {clause.keyword} {shown}, which is not a graph of this dataset: "
                f"{clause.keyword.split()[0]} only picks graphs the dataset holds and never fetches a URL or reads a file",
                fix=f"load that data first (--data FILE) and name the graph it gets, or drop the {clause.keyword} clause to query the whole dataset",
            )
        parts = urlsplit(target) if target else None
        host = parts.hostname if parts is not None else None
        if clause.keyword == "SERVICE":
            if target is None:
                if policy.any_host:
                    continue
                raise QueryError(
                    f"{prefix}the query calls SERVICE {shown}, an endpoint chosen while it runs",
                    fix="write the endpoint's IRI and allow its host with --allow-network HOST, or remove the SERVICE clause",
                )
            if parts is not None and parts.scheme.lower() not in ("http", "https"):
                raise QueryError(
                    f"{prefix}the query calls SERVICE {shown}, which is not an http(s) endpoint",
                    fix="remove the SERVICE clause; SERVICE may only call http(s) endpoints whose host you allow",
                )
            if not policy.allows(host):
                raise QueryError(
                    f"{prefix}the query calls SERVICE {shown}, but clustergraph reaches no host unless asked",
                    fix=f"remove the SERVICE clause, or {_fix_for(host)}",
                )
        elif clause.keyword == "LOAD":
            if parts is None or parts.scheme.lower() not in ("http", "https"):
                raise QueryError(
                    f"{prefix}the update LOADs {shown}, a file nobody named as an input",
                    fix="give the file as data instead (--data FILE, or clustergraph.store.load in Python)",
                )
            if not policy.allows(host):
                raise QueryError(
                    f"{prefix}the update LOADs {shown}, but clustergraph reaches no host unless asked",
                    fix=f"download the file and give it as data (--data FILE), or {_fix_for(host)}",
                )


# --- the runtime guard -------------------------------------------------------------

_installed = False


def _refuse_unless_allowed(host: Any, what: str) -> None:
    policy = _GUARDED.get()
    if policy is None or policy.any_host:
        return
    if isinstance(host, bytes):
        host = host.decode("utf-8", "replace")
    if host is not None and policy.allows(str(host)):
        return
    shown = str(host) if host is not None else "a local socket"
    raise NetworkError(
        f"refused to reach {shown} ({what}): clustergraph reaches no host unless asked",
        fix=_fix_for(str(host)) if host else "give the file as an input instead",
    )


def _install() -> None:
    """Wrap the socket functions that reach a host, once per process.

    The wrappers cost one context-variable look-up per connection and look-up, and
    do nothing outside a :func:`guard` block. (An audit hook would see more, but it
    runs on every audited call of the process, ``id()`` included.)
    """
    global _installed
    if _installed:
        return
    import socket

    connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    gethostbyname, gethostbyname_ex = socket.gethostbyname, socket.gethostbyname_ex

    def _address_host(address: Any) -> Any:
        return address[0] if isinstance(address, tuple) and address else None

    def guarded_connect(self: socket.socket, address: Any) -> None:
        _refuse_unless_allowed(_address_host(address), "socket.connect")
        if _GUARDED.get() is not None and self.gettimeout() is None:
            self.settimeout(current_service_timeout())  # an allowed host that never answers must not hang the run
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        _refuse_unless_allowed(_address_host(address), "socket.connect_ex")
        return connect_ex(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "", b""):  # no host: an address to bind to, no look-up
            _refuse_unless_allowed(host, "socket.getaddrinfo")
        return getaddrinfo(host, *args, **kwargs)

    def guarded_gethostbyname(host: str) -> str:
        _refuse_unless_allowed(host, "socket.gethostbyname")
        return gethostbyname(host)

    def guarded_gethostbyname_ex(host: str) -> Any:
        _refuse_unless_allowed(host, "socket.gethostbyname_ex")
        return gethostbyname_ex(host)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo  # type: ignore[assignment]
    socket.gethostbyname = guarded_gethostbyname  # type: ignore[assignment]
    socket.gethostbyname_ex = guarded_gethostbyname_ex  # type: ignore[assignment]
    _installed = True


@contextmanager
def guard(allow_network: AllowNetwork = None) -> Iterator[NetworkPolicy]:
    """While the block runs, Python code in this thread may reach only allowed hosts.

    Connections and DNS look-ups through :mod:`socket` to any other host raise
    :class:`~clustergraph.errors.NetworkError`. A connection to an allowed host that has
    no timeout of its own gets :func:`current_service_timeout` (rdflib's ``SERVICE`` sets
    none), for connecting and for every read. Threads started inside the block are
    not guarded; Rust code (Oxigraph) does not use Python sockets, so for it the
    static checks (:func:`check_query`, :mod:`clustergraph.store.parsing`) are what holds.

    >>> import socket
    >>> with guard():
    ...     socket.getaddrinfo("example.org", 80)
    Traceback (most recent call last):
    ...
    clustergraph.errors.NetworkError: refused to reach example.org (socket.getaddrinfo): clustergraph reaches no host unless asked; fix: allow the host with --allow-network example.org (allow_network='example.org' in Python)
    """
    policy = policy_for(allow_network)
    _install()
    token = _GUARDED.set(policy)
    try:
        yield policy
    finally:
        _GUARDED.reset(token)


# --- how long an allowed host may take ------------------------------------------------------

DEFAULT_SERVICE_TIMEOUT = 30.0
"""Seconds an allowed ``SERVICE`` endpoint (or any allowed host) may take to answer."""

SERVICE_TIMEOUT_ENV = "CLUSTERGRAPH_SERVICE_TIMEOUT"
"""Environment variable that sets the timeout for a process (seconds)."""

_TIMEOUT: ContextVar[float | None] = ContextVar("clustergraph_service_timeout", default=None)

T = TypeVar("T")


def current_service_timeout() -> float:
    """Seconds a call to an allowed host may take: the innermost :func:`service_timeout` block,
    else :data:`SERVICE_TIMEOUT_ENV`, else :data:`DEFAULT_SERVICE_TIMEOUT`.

    >>> current_service_timeout()
    30.0
    >>> with service_timeout(2):
    ...     current_service_timeout()
    2.0
    """
    value = _TIMEOUT.get()
    if value is not None:
        return value
    text = os.environ.get(SERVICE_TIMEOUT_ENV, "").strip()
    if text:
        return _positive_seconds(text, SERVICE_TIMEOUT_ENV)
    return DEFAULT_SERVICE_TIMEOUT


def _positive_seconds(value: Any, what: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise QueryError(f"{what} must be a positive number of seconds, not {value!r}", fix=f"e.g. {what}=30")
    return seconds


@contextmanager
def service_timeout(seconds: float) -> Iterator[float]:
    """Let an allowed ``SERVICE`` (or any allowed host) take at most ``seconds`` in the block."""
    token = _TIMEOUT.set(_positive_seconds(seconds, "the SERVICE timeout"))
    try:
        yield _TIMEOUT.get()  # type: ignore[misc]
    finally:
        _TIMEOUT.reset(token)


def calls_service(text: str) -> list[str]:
    """The endpoints (or the text written) of every ``SERVICE`` in ``text``.

    >>> calls_service("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    ['http://127.0.0.1:9/sparql']
    """
    return [c.target or c.written for c in clauses(text) if c.keyword == "SERVICE"]


def run_with_timeout(work: Callable[[], T], endpoints: list[str], seconds: float | None = None) -> T:
    """Run ``work`` (a query calling the ``SERVICE`` ``endpoints``, fully read) for at most ``seconds``.

    Oxigraph calls a ``SERVICE`` from Rust with no timeout and releases Python's lock while
    it waits: the work runs in a daemon thread, and when the time is up a
    :class:`~clustergraph.errors.QueryError` names the endpoints. The abandoned call ends
    when the endpoint answers or closes, or with the process.

    >>> run_with_timeout(lambda: 42, ["http://127.0.0.1:9/sparql"])
    42
    """
    limit = current_service_timeout() if seconds is None else _positive_seconds(seconds, "the SERVICE timeout")
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            # without its traceback: the frames (and the Oxigraph results they hold, which
            # must be dropped in the thread that made them) are released here
            outcome["error"] = exc.with_traceback(None)

    worker = threading.Thread(target=target, name="clustergraph-service", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        shown = ", ".join(f"<{e}>" for e in endpoints) or "(unknown)"
        raise QueryError(
            f"SERVICE {shown} did not answer within {limit:g} s",
            fix=f"try again later, or give it longer with {SERVICE_TIMEOUT_ENV}=SECONDS (service_timeout(...) in Python)",
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
