"""The compiled checks on a remote store: run where the data is, split when a query times out.

:func:`remote_native` gives :func:`~clustergraph.validation.sparql.execution.validate_sparql`
a :class:`~clustergraph.store.endpoint.RemoteQueries` in place of a local Oxigraph
store, so every check runs on the endpoint and only the findings travel. Context
triples (the ontology's class hierarchy and individuals) are sent only if the store
does not already hold them, into a temporary graph that is dropped afterwards.

A check that times out is split (:func:`solutions_in_parts`): its focus nodes are
listed, and the check runs again on halves of them (``VALUES ?this``), halving again
on each timeout, until the time budget (:data:`BUDGET`, seconds) is spent; then the
error names the check and says what to raise.

Shapes the compiler cannot translate (:attr:`Plan.fallback`) are validated by pySHACL on
their focus nodes' neighbourhoods (:func:`neighbourhood`): the focus nodes are found on
the endpoint, and their triples, and those of the nodes their shapes' paths reach, are
fetched by CONSTRUCT in batches of :data:`BATCH` nodes, so the findings are the ones
local validation gives without downloading the graph.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ...errors import EndpointError
from ...store.endpoint import RemoteQueries, values_block, with_values
from ...store.remote import is_timeout, update
from ...store.upload import lines_of

__all__ = ["BATCH", "BUDGET", "Extents", "local_subset", "neighbourhood", "refused", "remote_native", "solutions_in_parts"]

BUDGET = 600.0
"""Seconds a timed-out check may spend in smaller parts before validation gives up."""

BATCH = 400
"""Nodes named in one ``VALUES`` block when neighbourhoods are fetched for pySHACL."""


def remote_native(dataset: Graph, context: Graph | None) -> tuple[RemoteQueries, Callable[[], None]]:
    """The remote store behind ``dataset`` as a query target, with ``context`` visible to the queries."""
    store = dataset.store  # a clustergraph.store.remote.RemoteStore
    native = RemoteQueries(store.endpoint, store.graphs)
    triples = [t for t in (context or ())]
    if not triples or _all_present(native, triples):
        return native, lambda: None
    name = f"urn:clustergraph:tmp:context:{uuid.uuid4()}"
    lines, _ = lines_of(triples)
    try:
        for i in range(0, len(lines), 400):
            update(store.endpoint, f"INSERT DATA {{ GRAPH <{name}> {{\n" + "\n".join(lines[i : i + 400]) + "\n} }")
    except EndpointError as exc:
        update_silently(store.endpoint, f"DROP SILENT GRAPH <{name}>")
        raise EndpointError(
            f"the store at {store.endpoint.url} lacks the ontology's class hierarchy the shapes need, and it could not be added for the check: {exc.message}",
            fix="load the ontology into the store beside the data (clustergraph push and build --endpoint send it in a graph of its own), "
            "or give --update-endpoint (with credentials) where a temporary graph may be written",
        ) from None
    return native.with_graphs([name]), lambda: update_silently(store.endpoint, f"DROP SILENT GRAPH <{name}>")


def update_silently(endpoint: Any, text: str) -> None:
    try:
        update(endpoint, text)
    except EndpointError:
        pass  # best effort: a temporary graph left behind is excluded from the data graphs


def _all_present(native: RemoteQueries, triples: list[Any]) -> bool:
    from ...store.dataset import to_oxigraph

    rows = [[to_oxigraph(t) for t in triple] for triple in triples]
    found = 0
    for i in range(0, len(rows), 300):
        chunk = rows[i : i + 300]
        query = "SELECT (COUNT(*) AS ?n) WHERE { " + values_block(["s", "p", "o"], chunk) + " FILTER EXISTS { ?s ?p ?o } }"
        sol = native.query(query)
        found += int(sol[0][0].value) if sol and sol[0][0] is not None else 0
    return found >= len(rows)


def solutions_in_parts(native: RemoteQueries, query: str, focus_query: str, run: Callable[[str], list[Any]], budget: float = BUDGET) -> list[Any]:
    """``run(query)``, or, if it times out, ``run`` on parts of the focus nodes until done or ``budget`` is spent."""
    try:
        return run(query)
    except EndpointError as exc:
        if not is_timeout(exc) or "?this" not in query:
            raise
        first = exc
    deadline = time.monotonic() + budget
    nodes = [row[0] for row in native.query(focus_query) if row[0] is not None]
    out: list[Any] = []
    parts = [nodes[: len(nodes) // 2], nodes[len(nodes) // 2 :]]
    while parts:
        part = parts.pop()
        if not part:
            continue
        if time.monotonic() > deadline:
            raise EndpointError(
                f"{native.endpoint.url}: a validation query still timed out in parts of {len(part)} focus nodes after {budget:g} s ({first.message})",
                fix="raise the timeout (--timeout) or the server's query time limit",
            )
        try:
            out.extend(run(with_values(query, values_block(["this"], [[n] for n in part]))))
        except EndpointError as exc:
            if not is_timeout(exc) or len(part) == 1:
                raise
            parts += [part[: len(part) // 2], part[len(part) // 2 :]]
    return out


_IRI = re.compile(r"<([^<>\s\"{}|^`\\]+)>")
_PREFIXED = re.compile(r"(?<![\w<?$:/#-])([A-Za-z][\w-]*)?:([A-Za-z_][\w-]*)")


def refused(error: BaseException) -> bool:
    """True if the server answered but could not run a query it was sent (its SPARQL lacks something).

    Not for timeouts, refused credentials or a server that is down: those are reported.
    """
    return isinstance(error, EndpointError) and getattr(error, "status", 0) in (400, 500, 501) and not is_timeout(error)


def local_subset(native: RemoteQueries, query: str, prefixes: dict[str, str] | None = None) -> ox.Store:
    """A local Oxigraph store with the data a query can touch: every triple whose predicate the query names.

    For a compiled check the server refuses (Virtuoso 7.2 lacks parts of SPARQL 1.1,
    e.g. ``EXISTS`` inside ``BIND`` or ``$this p+ $this``): the check then runs here on
    those triples only, with the same answer as on the whole data (the compiled
    checks name their predicates; none uses a variable or negated predicate).
    Each predicate's triples are fetched once per validation and shared by every
    check run here (:class:`Extents`); the store may hold other predicates too.
    """
    text = native.prepare(query, prefixes)
    declared = {m.group(1): m.group(2) for m in re.finditer(r"(?i)PREFIX\s+([\w.-]*):\s*<([^>]*)>", text)}
    body = re.sub(r"(?i)PREFIX\s+[\w.-]*:\s*<[^>]*>", " ", text)
    body = re.sub(r'"(?:[^"\\]|\\.)*"', '""', body)  # no IRIs from inside strings
    iris = set(_IRI.findall(body))
    for prefix, local in _PREFIXED.findall(body):
        if (prefix or "") in declared:
            iris.add(declared[prefix or ""] + local)
    with _EXTENTS_LOCK:
        extents = _EXTENTS.get(native)
        if extents is None:
            extents = _EXTENTS[native] = Extents(native)
    return extents.covering(iris)


class Extents:
    """Predicates' triples fetched from a remote store once, into one local store that checks share.

    Each batch of predicates is counted on the server and fetched by CONSTRUCT; a server
    that caps its answers (Virtuoso's ``ResultSetMaxRows``) is asked again in ordered
    pages until every triple has arrived, so a cap never silently drops data.
    """

    def __init__(self, native: RemoteQueries) -> None:
        self.native = native
        self.store = ox.Store()
        self.fetched: set[str] = set()
        self.lock = threading.Lock()

    def covering(self, predicates: set[str]) -> ox.Store:
        """The shared store, after fetching the triples of ``predicates`` not fetched yet."""
        with self.lock:
            missing = sorted(set(predicates) - self.fetched)
            for i in range(0, len(missing), 200):
                self._fetch(missing[i : i + 200])
            self.fetched.update(missing)
        return self.store

    def _fetch(self, predicates: list[str]) -> None:
        where = values_block(["p"], [[ox.NamedNode(n)] for n in predicates]) + " ?s ?p ?o"
        rows = self.native.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} }}")
        expected = int(rows[0][0].value) if rows and rows[0][0] is not None else 0
        if not expected:
            return
        triples = self.native.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}")
        got = {(t.subject, t.predicate, t.object) for t in triples}
        page = len(triples)
        offset = 0
        while len(got) < expected and page > 0:  # the server capped the answer: fetch it in ordered pages
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} ORDER BY ?s ?p ?o LIMIT {page} OFFSET {offset} }}"
            part = self.native.query(query)
            if not part:
                break
            got.update((t.subject, t.predicate, t.object) for t in part)
            offset += page
        if len(got) < expected:
            raise EndpointError(
                f"{self.native.endpoint.url} sent {len(got)} of the {expected} triples asked for a check it cannot run itself",
                fix="raise the server's limit on result rows (Virtuoso: ResultSetMaxRows in [SPARQL] of virtuoso.ini)",
            )
        self.store.extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in got)


_EXTENTS: weakref.WeakKeyDictionary[RemoteQueries, Extents] = weakref.WeakKeyDictionary()
_EXTENTS_LOCK = threading.Lock()


# --- shapes the compiler cannot translate: pySHACL on the focus nodes' neighbourhoods ------


def _reachable_shapes(sg: Graph, keep: set[Node]) -> set[Node]:
    """Every node of the shapes graph reachable from ``keep`` (nested shapes, lists, paths)."""
    seen: set[Node] = set()
    todo = list(keep)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, o in sg.predicate_objects(node):
            if isinstance(o, (URIRef, BNode)) and o not in seen and (o, None, None) in sg:
                todo.append(o)
    return seen


def _path_predicates(sg: Graph, path: Node, inverse: bool, forward: set[str], backward: set[str]) -> None:
    """The predicates a SHACL property path follows, forwards and backwards."""
    if isinstance(path, URIRef):
        (backward if inverse else forward).add(str(path))
        return
    if (path, RDF.first, None) in sg:
        for item in Collection(sg, path):
            _path_predicates(sg, item, inverse, forward, backward)
        return
    for p, o in sg.predicate_objects(path):
        if p == SH.inversePath:
            _path_predicates(sg, o, not inverse, forward, backward)
        elif p in (SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
            _path_predicates(sg, o, inverse, forward, backward)


def _sparql_predicates(sg: Graph, shapes: set[Node]) -> set[str]:
    """IRIs named in the SPARQL of these shapes and of every constraint component (SHACL-SPARQL)."""
    texts: list[tuple[str, dict[str, str]]] = []
    owners = set(shapes) | set(sg.subjects(RDF.type, SH.ConstraintComponent))
    for owner in _reachable_shapes(sg, owners):
        for p in (SH.select, SH.ask):
            for text in sg.objects(owner, p):
                declared: dict[str, str] = {}
                for decl_owner in sg.objects(owner, SH.prefixes):
                    for decl in sg.objects(decl_owner, SH.declare):
                        prefix, ns = sg.value(decl, SH.prefix), sg.value(decl, SH.namespace)
                        if prefix is not None and ns is not None:
                            declared[str(prefix)] = str(ns)
                texts.append((str(text), declared))
    found: set[str] = set()
    for text, declared in texts:
        declared.update({m.group(1): m.group(2) for m in re.finditer(r"(?i)PREFIX\s+([\w.-]*):\s*<([^>]*)>", text)})
        body = re.sub(r"(?i)PREFIX\s+[\w.-]*:\s*<[^>]*>", " ", text)
        body = re.sub(r'"(?:[^"\\]|\\.)*"', '""', body)
        found.update(_IRI.findall(body))
        for prefix, local in _PREFIXED.findall(body):
            if (prefix or "") in declared:
                found.add(declared[prefix or ""] + local)
    return found


def _batches(nodes: list[Any], size: int) -> list[list[Any]]:
    return [nodes[i : i + size] for i in range(0, len(nodes), size)]


def neighbourhood(native: RemoteQueries, sg: Graph, keep: set[Node], batch: int = BATCH) -> ox.Store:
    """A local Oxigraph store with the triples pySHACL needs to validate the shapes ``keep`` as on the whole data.

    Found on the endpoint: the focus nodes of ``keep`` (``sh:targetNode``, ``sh:targetClass``
    and implicit class targets with the subclasses the store declares, ``sh:targetSubjectsOf``,
    ``sh:targetObjectsOf``). Fetched by CONSTRUCT, ``batch`` nodes at a time: every triple of
    a focus node (and of the blank nodes it points to), and, to a fixpoint, every triple of
    the nodes reached along the predicates of the shapes' paths (backwards for inverse
    paths); the class hierarchy (``rdfs:subClassOf``); and every triple whose predicate the
    shapes' SPARQL names (SHACL-SPARQL constraints see those whole). Blank nodes cannot be
    named in a query, so a blank node is followed one level from the node that points to it,
    and a blank focus node has only the triples that other fetches bring (clustergraph's own
    data gives every resource an IRI).
    """
    shapes = _reachable_shapes(sg, keep)
    forward: set[str] = set()
    backward: set[str] = set()
    for shape in shapes:
        for path in sg.objects(shape, SH.path):
            _path_predicates(sg, path, False, forward, backward)
    store = ox.Store()

    def add(triples: list[Any]) -> list[Any]:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        return triples

    def extent(predicates: set[str]) -> list[Any]:
        out: list[Any] = []
        for chunk in _batches(sorted(predicates), 200):
            out += add(native.query("CONSTRUCT { ?s ?p ?o } WHERE { " + values_block(["p"], [[ox.NamedNode(p)] for p in chunk]) + " ?s ?p ?o }"))
        return out

    hierarchy = extent({str(RDFS.subClassOf)})
    below: dict[str, set[str]] = {}
    for t in hierarchy:
        if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
            below.setdefault(t.object.value, set()).add(t.subject.value)
    extent(_sparql_predicates(sg, shapes) - {str(RDFS.subClassOf)})

    focus: set[Any] = set()
    classes: set[str] = set()
    class_like = set(sg.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    for shape in keep:
        focus.update(ox.NamedNode(str(n)) for n in sg.objects(shape, SH.targetNode) if isinstance(n, URIRef))
        classes.update(str(c) for c in sg.objects(shape, SH.targetClass) if isinstance(c, URIRef))
        if isinstance(shape, URIRef) and set(sg.objects(shape, RDF.type)) & class_like:
            classes.add(str(shape))
        for p in sg.objects(shape, SH.targetSubjectsOf):
            focus.update(t.subject for t in extent({str(p)}))
        for p in sg.objects(shape, SH.targetObjectsOf):
            focus.update(t.object for t in extent({str(p)}))
    todo, closure = list(classes), set(classes)
    while todo:
        for sub in below.get(todo.pop(), ()):
            if sub not in closure:
                closure.add(sub)
                todo.append(sub)
    for chunk in _batches(sorted(closure), 200):
        found = native.query(f"SELECT DISTINCT ?this WHERE {{ {values_block(['c'], [[ox.NamedNode(c)] for c in chunk])} ?this <{RDF.type}> ?c }}")
        focus.update(row[0] for row in found if row[0] is not None)

    seen: set[Any] = set()
    frontier = [n for n in focus if isinstance(n, ox.NamedNode)]
    inverse = [[ox.NamedNode(p)] for p in sorted(backward)]
    while frontier:
        seen.update(frontier)
        reached: set[Any] = set()
        for chunk in _batches(sorted(frontier, key=str), batch):
            nodes = values_block(["s"], [[n] for n in chunk])
            for t in add(native.query(f"CONSTRUCT {{ ?s ?p ?o . ?o ?q ?v }} WHERE {{ {nodes} ?s ?p ?o OPTIONAL {{ ?o ?q ?v FILTER(isBlank(?o)) }} }}")):
                if t.predicate.value in forward:
                    reached.add(t.object)
            if inverse:
                query = f"CONSTRUCT {{ ?o ?p ?s }} WHERE {{ {nodes} {values_block(['p'], inverse)} ?o ?p ?s }}"
                reached.update(t.subject for t in add(native.query(query)))
        frontier = [n for n in reached if isinstance(n, ox.NamedNode) and n not in seen]
    return store
