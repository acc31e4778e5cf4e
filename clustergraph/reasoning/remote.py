"""The lightweight rules run in a remote store: SPARQL Update into its inferred graph.

:func:`infer_in_store` turns each rule (a ``CONSTRUCT``, :mod:`clustergraph.reasoning.rules`)
into ``INSERT { GRAPH <temporary> { head } } USING <g>... WHERE { body }``, where the
``USING`` graphs are the store's data graphs and the temporary graph itself (SPARQL 1.1
Update names the dataset the same way on every server), and repeats the rules until
the temporary graph stops growing (a fixpoint). It then removes what was already
asserted and what the output conventions leave out, and replaces the store's
inferred graph with the temporary one in a single ``MOVE``: the inferred graph is
always the old or the new one, never a part. Only counts travel back.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from os import PathLike
from typing import Any

from rdflib import Graph

from ..errors import ReasonerError
from ..namespaces import GRAPH
from ..store.remote import Endpoint, EndpointError, data_graphs, sparql, update
from .rules import GROUPS, HIDDEN_PROPERTIES, IRREFLEXIVE_OUTPUT, compile_rules, ontology_graph

__all__ = ["StoreRun", "infer_in_store"]


@dataclass(frozen=True)
class StoreRun:
    """What :func:`infer_in_store` did: the graph replaced, its triples, the rounds and the time."""

    graph: str
    triples: int
    rounds: int
    seconds: float

    def summary(self) -> list[str]:
        return [f"replaced <{self.graph}> with {self.triples} inferred triples ({self.rounds} rounds of the rules in the store, {self.seconds:.1f} s)"]


def _count(endpoint: Endpoint, graph: str) -> int:
    rows = list(sparql(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", graphs=(graph,)))
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _as_insert(rule_sparql: str, target: str, using: list[str]) -> str:
    prologue, _, rest = rule_sparql.partition("CONSTRUCT")
    m = re.match(r"\s*\{(.*?)\}\s*WHERE\s*", rest, re.S)
    if m is None:
        raise ReasonerError("a rule is not CONSTRUCT { ... } WHERE { ... }", fix="a bug in the rule compiler")
    head, body = m.group(1), rest[m.end() :]
    clauses = " ".join(f"USING <{g}>" for g in using)
    return f"{prologue}INSERT {{ GRAPH <{target}> {{ {head} }} }} {clauses} WHERE {body}"


def infer_in_store(
    endpoint: Endpoint,
    *,
    ontology: str | PathLike[str] | Graph | None = None,
    groups: Any = GROUPS,
    graph: str = str(GRAPH.inferred),
    max_rounds: int = 50,
) -> StoreRun:
    """Run the rules in the remote store and replace its graph ``graph`` (all or nothing) with the inferences.

    The inferences are those :func:`clustergraph.reasoning.rules.materialise` adds
    locally on the same data. Needs an endpoint that accepts updates (credentials as
    for ``push``).
    """
    started = time.monotonic()
    onto = ontology_graph(ontology)
    rules = compile_rules(onto, groups)
    sources = [g for g in data_graphs(endpoint) if g != graph]
    temporary = f"urn:clustergraph:tmp:inferred:{uuid.uuid4()}"
    using = [*sources, temporary]
    inserts = [_as_insert(rule.sparql, temporary, using) for rule in rules]
    try:
        before, rounds = -1, 0
        size = 0
        while size != before:
            rounds += 1
            if rounds > max_rounds:
                raise ReasonerError(f"the rules found new triples after {max_rounds} rounds", fix="check the ontology for cyclic rules")
            before = size
            for text in inserts:
                update(endpoint, text)
            size = _count(endpoint, temporary)
        # What the rules' own filter leaves out locally: asserted triples, technical links,
        # reflexive collaboration, statements about the ontology's own terms.
        values = " ".join(f"<{g}>" for g in sources)
        tidy = [f"DELETE {{ GRAPH <{temporary}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{temporary}> {{ ?s ?p ?o }} VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"] if sources else []
        tidy += [f"DELETE WHERE {{ GRAPH <{temporary}> {{ ?s <{p}> ?o }} }}" for p in sorted(HIDDEN_PROPERTIES)]
        tidy += [f"DELETE {{ GRAPH <{temporary}> {{ ?s <{p}> ?s }} }} WHERE {{ GRAPH <{temporary}> {{ ?s <{p}> ?s }} }}" for p in sorted(IRREFLEXIVE_OUTPUT)]
        own = sorted({str(s) for s in onto.subjects() if not isinstance(s, type(None)) and str(s).startswith(("http://", "https://", "urn:"))})
        for i in range(0, len(own), 300):
            block = " ".join(f"<{s}>" for s in own[i : i + 300])
            tidy.append(f"DELETE {{ GRAPH <{temporary}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {block} }} GRAPH <{temporary}> {{ ?s ?p ?o }} }}")
        for text in tidy:
            update(endpoint, text)
        triples = _count(endpoint, temporary)
        # One request: the target is dropped and replaced together.
        update(endpoint, f"DROP SILENT GRAPH <{graph}> ;\nMOVE SILENT GRAPH <{temporary}> TO GRAPH <{graph}>")
    except BaseException:
        try:
            update(endpoint, f"DROP SILENT GRAPH <{temporary}>")
        except EndpointError:
            pass
        raise
    return StoreRun(graph, triples, rounds, time.monotonic() - started)
