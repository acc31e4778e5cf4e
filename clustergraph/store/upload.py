"""Uploading a built graph to a named graph of a remote SPARQL 1.1 store, all or nothing.

:func:`push` replaces one named graph of the store with the triples of a dataset
(the union of its graphs). It never writes to the target graph directly:

1. the triples go to a new temporary graph (``urn:clustergraph:upload:<uuid>``),
   through the SPARQL 1.1 Graph Store HTTP Protocol (N-Triples bodies of
   :data:`GSP_CHUNK` triples: one ``PUT``, then ``POST`` s) where the store has it,
   else through SPARQL 1.1 Update (``INSERT DATA`` in batches);
2. the temporary graph is counted: it must hold exactly the triples sent;
3. one SPARQL Update, ``DROP SILENT GRAPH <target> ; ADD GRAPH <temporary> TO GRAPH
   <target>``, replaces the target in a single request (for several graphs, all of them
   in that one request); the temporary graph is deleted afterwards;
4. on any failure the temporary graph is dropped and the target is left as it was.

Step 1 matters: Virtuoso 7.2 answers a Graph Store ``PUT`` whose payload breaks
off half-way with HTTP 500 *after* replacing the graph with the part it had read,
so a direct ``PUT`` to the target is not atomic there.

The N-Triples are written by Oxigraph (``Store.dump`` of each graph) when the
dataset is Oxigraph-backed: no rdflib term is made per triple. Graph Store uploads
carry Oxigraph's ``no_transaction`` parameter (:data:`BULK_PARAMETERS`), with which
Oxigraph's server bulk-loads instead of building one large transaction; it changes
nothing about all or nothing, since the temporary graph is counted before it replaces
the target. A server that does not know the parameter ignores it (Virtuoso does);
one that refuses it (HTTP 400 on the first request) gets the upload again without it.

Writes need credentials (from the environment or the endpoints file, see
:mod:`clustergraph.endpoint`); HTTP Digest and Basic both work.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from . import dataset as _store
from .remote import Endpoint, drop_graph, request, resolve, sparql, update
from ..errors import EndpointError, StoreError
from .. import progress

__all__ = ["PushResult", "push", "push_graphs", "ntriples", "lines_of", "DEFAULT_GRAPH", "METHODS", "BATCH_SIZE", "GSP_CHUNK", "BULK_PARAMETERS"]

DEFAULT_GRAPH = "https://w3id.org/clustergraph/graph/default"
"""Where :func:`push_graphs` puts the triples of a dataset's default graph (a store's graphs all have names)."""

METHODS = ("auto", "gsp", "update")
BATCH_SIZE = 500
"""Triples per ``INSERT DATA`` request when uploading through SPARQL Update (Virtuoso 7.2
refuses about 2,000: "generated SQL text has exceeded 10000 lines")."""

_RETRYABLE_GSP = (404, 405, 415, 501)


@dataclass(frozen=True)
class PushResult:
    """What :func:`push` did: the target graph, the triples now in it, how and how long."""

    graph: str
    triples: int
    method: str
    seconds: float

    def summary(self) -> str:
        return f"replaced <{self.graph}> with {self.triples} triples ({self.method}, {self.seconds:.1f} s)"

    def __repr__(self) -> str:
        return f"<PushResult: {self.summary()}>"

    def _repr_html_(self) -> str:
        from ..display import key_values_html

        return key_values_html([("graph", self.graph), ("triples", self.triples), ("method", self.method), ("seconds", round(self.seconds, 2))], caption="Push")


def _nt_term(term: Node, decimal_point: bool = False) -> str:
    if isinstance(term, Literal):
        lexical = str(term)
        if decimal_point and term.datatype == XSD.decimal and re.fullmatch(r"[+-]?\d+", lexical):
            lexical += ".0"
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return str(ox.Literal(lexical, language=term.language, datatype=datatype))
    if isinstance(term, BNode):
        return "_:b" + "".join(c for c in str(term) if c.isalnum())
    if isinstance(term, URIRef):
        try:
            return str(ox.NamedNode(str(term)))
        except ValueError:
            raise StoreError(f"{str(term)!r} is not a valid IRI", fix="correct or percent-encode the IRI in the data before pushing") from None
    raise StoreError(f"cannot upload the term {term!r}", fix="only IRIs, blank nodes and literals can be uploaded")


def lines_of(triples: Any, *, decimal_point: bool = False) -> tuple[list[str], int]:
    """Distinct ``(s, p, o)`` rdflib triples as sorted N-Triples lines (those with blank nodes last), and their count.

    >>> lines_of([(URIRef("urn:a"), URIRef("urn:p"), Literal(1))])
    (['<urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'], 1)
    """
    triples = set(triples)
    plain, with_bnodes = [], []
    for s, p, o in triples:
        line = f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o, decimal_point)} ."
        (with_bnodes if isinstance(s, BNode) or isinstance(o, BNode) else plain).append(line)
    plain.sort()
    with_bnodes.sort()
    return plain + with_bnodes, len(triples)


def ntriples(graph: Graph, *, decimal_point: bool = False) -> tuple[list[str], int]:
    """The distinct triples of ``graph`` (all named graphs merged) as N-Triples lines.

    Returns ``(lines, count)``; lines with blank nodes come last. With
    ``decimal_point``, whole xsd:decimal values are written ``"247283.0"``: the same
    value, but Virtuoso's SPARQL parser turns ``"247283"^^xsd:decimal`` into an
    xsd:integer (then ``/`` divides as integers), and keeps the first a decimal.

    >>> from clustergraph.store import open_dataset, load
    >>> ds = open_dataset()
    >>> _ = load(ds, b'<http://ex.org/a> <http://ex.org/p> "x", "x" .', format="turtle", graph="http://ex.org/g")
    >>> ntriples(ds)
    (['<http://ex.org/a> <http://ex.org/p> "x" .'], 1)
    """
    native = _store.oxigraph(graph)
    if native is None:
        triples = set(_store.union(graph)) if hasattr(graph, "quads") else set(graph)
        return lines_of(triples, decimal_point=decimal_point)
    merged = ox.Store()
    merged.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in native)
    lines = [line.decode("utf-8") for line in _graph_lines(merged, ox.DefaultGraph(), decimal_point)]
    plain = sorted(line for line in lines if "_:" not in line)
    return plain + sorted(line for line in lines if "_:" in line), len(lines)


_WHOLE_DECIMAL = re.compile(rb' "([+-]?[0-9]+)"(\^\^<http://www\.w3\.org/2001/XMLSchema#decimal> \.)$')


def _graph_lines(native: ox.Store, name: Any, decimal_point: bool = False) -> list[bytes]:
    """The triples of one graph of an Oxigraph store as N-Triples lines, written by Oxigraph (distinct, no rdflib terms)."""
    lines = native.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name).splitlines()
    if decimal_point:
        lines = [_WHOLE_DECIMAL.sub(rb' "\1.0"\2', line) if line.endswith(b"#decimal> .") else line for line in lines]
    return lines


def _count(endpoint: Endpoint, graph: str) -> int:
    result = sparql(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    rows = list(result)
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


GSP_CHUNK = 50_000
"""Triples per Graph Store request: a larger upload is one ``PUT`` and then ``POST`` s that
append. Oxigraph's server holds a whole request in one transaction unless asked not to
(:data:`BULK_PARAMETERS`): one ``PUT`` of 1M triples had not been answered after 600 s,
100,000 triples took 40 s in one request and 14 s in requests of 5,000 (load average 8).
The temporary graph is counted before it replaces the target, so the chunks change
nothing about all or nothing."""

BULK_PARAMETERS = {"no_transaction": ""}
"""Extra URL parameters of every Graph Store upload: Oxigraph's server then bulk-loads the
body (measured 6 s instead of 40 s for 100,000 triples in one request). Other servers
ignore parameters they do not know; a server that refuses them gets the upload again
without them. Only bodies of :data:`BULK_FROM` triples or more carry them: a bulk load
costs Oxigraph's server about 0.3 s however small the body."""

BULK_FROM = 10_000


def _chunks(lines: list[bytes], size: int) -> list[bytes]:
    """N-Triples bodies of ``size`` lines; every line with a blank node goes in the last one (a label holds within one request only)."""
    plain = [line for line in lines if b"_:" not in line]
    blank = [line for line in lines if b"_:" in line]
    bodies = [plain[i : i + size] for i in range(0, len(plain), size)] or [[]]
    bodies[-1] = bodies[-1] + blank
    return [b"\n".join(body) + b"\n" if body else b"" for body in bodies]


def _gsp_put(endpoint: Endpoint, graph: str, lines: list[bytes], bulk: bool = True) -> bool:
    """Fill ``graph`` through the Graph Store protocol; return whether the bulk parameters were kept."""
    large = len(lines) >= BULK_FROM
    for start, body in enumerate(_chunks(lines, GSP_CHUNK)):
        params = {"graph": graph, **(BULK_PARAMETERS if bulk and large else {})}
        try:
            request(endpoint, "PUT" if start == 0 else "POST", endpoint.graph_store_url, params=params, data=body, headers={"Content-Type": "application/n-triples; charset=utf-8"})  # type: ignore[arg-type]
        except EndpointError as exc:
            if not (bulk and large and start == 0 and getattr(exc, "status", None) == 400):
                raise
            bulk = False  # the server refuses a parameter it does not know: the protocol alone
            request(endpoint, "PUT", endpoint.graph_store_url, params={"graph": graph}, data=body, headers={"Content-Type": "application/n-triples; charset=utf-8"})  # type: ignore[arg-type]
    return bulk


def _blank_groups(lines: list[str]) -> list[list[str]]:
    """Lines with blank nodes, grouped so that lines sharing a blank node stay together."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    labels = [re.findall(r"(?:^| )(_:\w+)", line) for line in lines]
    for found in labels:
        for other in found[1:]:
            parent[find(other)] = find(found[0])
    groups: dict[str, list[str]] = {}
    for line, found in zip(lines, labels):
        groups.setdefault(find(found[0]), []).append(line)
    return list(groups.values())


def _update_insert(endpoint: Endpoint, graph: str, lines: list[bytes], batch_size: int) -> None:
    text = [line.decode("utf-8") for line in lines]
    plain = [line for line in text if "_:" not in line]
    for i in progress.iterate(range(0, len(plain), batch_size), f"pushing to {endpoint.url}", unit="batch"):
        chunk = "\n".join(plain[i : i + batch_size])
        update(endpoint, f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk}\n}} }}")
    # Blank nodes keep their identity only within one request, and some stores
    # (Virtuoso) refuse them in INSERT DATA: INSERT ... WHERE {} with every triple
    # of a blank node's neighbourhood in the same request.
    batch: list[str] = []
    for group in _blank_groups([line for line in text if "_:" in line]):
        if batch and len(batch) + len(group) > batch_size:
            update(endpoint, f"INSERT {{ GRAPH <{graph}> {{\n" + "\n".join(batch) + "\n} } WHERE {}")
            batch = []
        batch += group
    if batch:
        update(endpoint, f"INSERT {{ GRAPH <{graph}> {{\n" + "\n".join(batch) + "\n} } WHERE {}")


def _replace_all(pairs: list[tuple[str, str]]) -> str:
    """One update that replaces each target graph with its temporary graph: the targets change together or not at all.

    ``DROP`` and ``ADD`` rather than ``MOVE``: a ``MOVE`` also deletes the temporary graph
    inside the same request, and on Oxigraph's server a request is one transaction whose
    cost grows faster than its size (``MOVE`` of 100,000 triples: 48-66 s at load average
    8). The temporary graphs are deleted afterwards, in parts (:func:`_clean_up`).
    """
    return " ;\n".join(f"DROP SILENT GRAPH <{target}> ;\nADD SILENT GRAPH <{temporary}> TO GRAPH <{target}>" for target, temporary in pairs)


def _clean_up(endpoint: Endpoint, temporaries: list[tuple[str, int]]) -> None:
    """Delete the temporary graphs after the targets were replaced (best effort: they are not data)."""
    for graph, count in temporaries:
        try:
            drop_graph(endpoint, graph, count)
        except EndpointError:
            pass  # a temporary graph left behind is excluded from the data graphs


def _drop(endpoint: Endpoint, graph: str, via_gsp: bool) -> None:
    try:
        if via_gsp:
            request(endpoint, "DELETE", endpoint.graph_store_url, params={"graph": graph})  # type: ignore[arg-type]
        else:
            update(endpoint, f"DROP SILENT GRAPH <{graph}>")
    except EndpointError:
        pass  # best effort: the target graph is untouched either way


def push(
    graph: Graph,
    endpoint: str | Endpoint,
    target: str | URIRef,
    *,
    method: str = "auto",
    batch_size: int = BATCH_SIZE,
) -> PushResult:
    """Replace the named graph ``target`` of a remote store with the triples of ``graph``.

    Parameters
    ----------
    graph:
        The data: a dataset from :func:`clustergraph.store.open_dataset` (all its
        named graphs are merged) or any rdflib graph.
    endpoint:
        An :class:`~clustergraph.endpoint.Endpoint`, or a URL or name resolved with
        :func:`clustergraph.endpoint.resolve` (credentials from the environment or
        the endpoints file).
    target:
        The IRI of the named graph to replace.
    method:
        ``"gsp"`` (Graph Store HTTP Protocol), ``"update"`` (SPARQL Update) or
        ``"auto"``: the Graph Store protocol when the endpoint has a
        ``graph_store`` URL and answers it, else SPARQL Update.
    batch_size:
        Triples per ``INSERT DATA`` request with SPARQL Update.

    Returns
    -------
    PushResult

    Raises
    ------
    EndpointError
        If the store cannot be reached, refuses the credentials, rejects the data,
        or holds other triples than were sent; the target graph is then unchanged.
    """
    if method not in METHODS:
        raise StoreError(f"unknown upload method {method!r}", fix=f"use one of {', '.join(METHODS)}")
    ep = endpoint if isinstance(endpoint, Endpoint) else resolve(endpoint)
    target = str(target)
    if not target.startswith(("http://", "https://", "urn:")) or any(c in target for c in " <>\"{}|^`\\"):
        raise StoreError(f"{target!r} is not an IRI for a named graph", fix="give --graph as http(s)://... or urn:...")
    if method == "gsp" and not ep.graph_store_url:
        raise EndpointError(f"no Graph Store HTTP Protocol URL for {ep.url}", fix="give --graph-store URL (or graph_store in the endpoints file), or use --method update")
    started = time.monotonic()
    lines, count = ntriples(graph)
    temporary = f"urn:clustergraph:upload:{uuid.uuid4()}"
    how = _Upload(method == "gsp" or (method == "auto" and bool(ep.graph_store_url)))
    try:
        _upload(ep, temporary, [line.encode("utf-8") for line in lines], count, method, how, batch_size, lambda: [line.encode("utf-8") for line in ntriples(graph, decimal_point=True)[0]])
        update(ep, _replace_all([(target, temporary)]))
    except BaseException:
        _drop(ep, temporary, how.gsp)
        raise
    _clean_up(ep, [(temporary, count)])
    return PushResult(target, count, "gsp" if how.gsp else "update", time.monotonic() - started)


@dataclass
class _Upload:
    """How the uploads of one push go: Graph Store or SPARQL Update, with or without the bulk parameters."""

    gsp: bool
    bulk: bool = True


def _upload(ep: Endpoint, temporary: str, lines: list[bytes], count: int, method: str, how: _Upload, batch_size: int, decimal_lines: Any) -> None:
    """Fill the graph ``temporary`` with ``lines`` and check it holds ``count`` triples (``how`` records the fallbacks taken)."""
    if how.gsp:
        try:
            how.bulk = _gsp_put(ep, temporary, lines, how.bulk)
        except EndpointError as exc:
            if method == "auto" and getattr(exc, "status", None) in _RETRYABLE_GSP:
                how.gsp = False  # the store has no Graph Store protocol there: fall back to SPARQL Update
            else:
                raise
    if not how.gsp:
        _update_insert(ep, temporary, decimal_lines(), batch_size)
    stored = _count(ep, temporary)
    if stored != count:
        raise EndpointError(
            f"{ep.url} holds {stored} triples of the {count} sent; the upload was cut short or altered",
            fix="retry the push; the target graph was not changed",
        )


def push_graphs(
    dataset: Graph,
    endpoint: str | Endpoint,
    *,
    graphs: Any = None,
    method: str = "auto",
    batch_size: int = BATCH_SIZE,
) -> list[PushResult]:
    """Copy every named graph of ``dataset`` to the graph of the same name in a remote store.

    Sources, provenance, the ontology, inferred triples and metrics keep their own
    graphs (triples of the local default graph go to :data:`DEFAULT_GRAPH`). Each
    graph is uploaded to a temporary graph and counted first; then one SPARQL
    Update request moves every temporary graph onto its target, so each target
    graph holds either its old or its new content, never a part. Graphs of the
    store that are not pushed are left alone.

    Parameters
    ----------
    dataset:
        A dataset (any rdflib dataset; Oxigraph-backed is fastest).
    endpoint:
        An :class:`~clustergraph.store.remote.Endpoint`, URL or name (see :func:`push`).
    graphs:
        Push only these named graphs (IRIs); default every graph of ``dataset``.
    method, batch_size:
        As for :func:`push`.

    Returns
    -------
    list[PushResult]
        One per graph, in the order of their IRIs.
    """
    if method not in METHODS:
        raise StoreError(f"unknown upload method {method!r}", fix=f"use one of {', '.join(METHODS)}")
    ep = endpoint if isinstance(endpoint, Endpoint) else resolve(endpoint)
    if method == "gsp" and not ep.graph_store_url:
        raise EndpointError(f"no Graph Store HTTP Protocol URL for {ep.url}", fix="give --graph-store-endpoint URL (or graph_store in the endpoints file), or use --method update")
    started = time.monotonic()
    source = _Graphs(dataset)
    wanted = source.names if graphs is None else [str(g) for g in graphs]
    missing = [g for g in wanted if g not in source.names]
    if missing:
        raise StoreError(f"the data has no named graph {missing[0]}", fix=f"push one of {', '.join(source.names) or 'its graphs (the data is empty)'}")
    how = _Upload(method == "gsp" or (method == "auto" and bool(ep.graph_store_url)))
    staged: list[tuple[str, str, int, bool]] = []
    try:
        for name in progress.iterate(wanted, f"pushing to {ep.url}", unit="graph"):
            temporary = f"urn:clustergraph:upload:{uuid.uuid4()}"
            lines = source.lines(name)
            staged.append((name, temporary, len(lines), how.gsp))
            _upload(ep, temporary, lines, len(lines), method, how, batch_size, lambda n=name: source.lines(n, decimal_point=True))
            staged[-1] = (name, temporary, len(lines), how.gsp)
        if staged:
            update(ep, _replace_all([(name, tmp) for name, tmp, _, _ in staged]))
    except BaseException:
        for _, tmp, _, via in staged:
            _drop(ep, tmp, via)
        raise
    _clean_up(ep, [(tmp, count) for _, tmp, count, _ in staged])
    seconds = time.monotonic() - started
    return [PushResult(name, count, "gsp" if via else "update", seconds) for name, _, count, via in staged]


class _Graphs:
    """The graphs of a dataset by name (its default graph as :data:`DEFAULT_GRAPH`), each as distinct N-Triples lines.

    On an Oxigraph-backed dataset Oxigraph writes the lines (no rdflib term per triple);
    on any other store the triples are grouped by graph once.
    """

    def __init__(self, dataset: Graph) -> None:
        self.native = _store.oxigraph(dataset)
        self.by_graph: dict[str, set] = {}
        self.native_names: dict[str, Any] = {}
        if self.native is not None:
            for g in self.native.named_graphs():
                if isinstance(g, ox.NamedNode) and next(iter(self.native.quads_for_pattern(None, None, None, g)), None) is not None:
                    self.native_names[g.value] = g
            if next(iter(self.native.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
                self.native_names[DEFAULT_GRAPH] = ox.DefaultGraph()
            self.names = sorted(self.native_names)
            return
        from .dataset import quads

        for s, p, o, g in quads(dataset):
            name = str(getattr(g, "identifier", g))
            if isinstance(g, BNode) or name.startswith("urn:x-rdflib:"):
                name = DEFAULT_GRAPH
            self.by_graph.setdefault(name, set()).add((s, p, o))
        self.names = sorted(self.by_graph)

    def lines(self, name: str, *, decimal_point: bool = False) -> list[bytes]:
        if self.native is not None:
            return _graph_lines(self.native, self.native_names[name], decimal_point)
        return [line.encode("utf-8") for line in lines_of(self.by_graph[name], decimal_point=decimal_point)[0]]
