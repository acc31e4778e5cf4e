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
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from ...errors import EndpointError
from ...store.endpoint import RemoteQueries, values_block, with_values
from ...store.remote import is_timeout, update
from ...store.upload import lines_of

__all__ = ["BUDGET", "local_subset", "refused", "remote_native", "solutions_in_parts"]

BUDGET = 600.0
"""Seconds a timed-out check may spend in smaller parts before validation gives up."""


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
            fix="push the data with its ontology graph (clustergraph push), or give credentials that may write a temporary graph",
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
    """
    text = native.prepare(query, prefixes)
    declared = {m.group(1): m.group(2) for m in re.finditer(r"(?i)PREFIX\s+([\w.-]*):\s*<([^>]*)>", text)}
    body = re.sub(r"(?i)PREFIX\s+[\w.-]*:\s*<[^>]*>", " ", text)
    body = re.sub(r'"(?:[^"\\]|\\.)*"', '""', body)  # no IRIs from inside strings
    iris = set(_IRI.findall(body))
    for prefix, local in _PREFIXED.findall(body):
        if (prefix or "") in declared:
            iris.add(declared[prefix or ""] + local)
    store = ox.Store()
    if not iris:
        return store
    names = sorted(iris)
    for i in range(0, len(names), 200):
        chunk = names[i : i + 200]
        triples = native.query("CONSTRUCT { ?s ?p ?o } WHERE { " + values_block(["p"], [[ox.NamedNode(n)] for n in chunk]) + " ?s ?p ?o }")
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return store
