"""The lightweight rules run in a remote store: SPARQL Update into its inferred graph.

:func:`infer_in_store` turns each rule (a ``CONSTRUCT``, :mod:`clustergraph.reasoning.rules`)
into ``INSERT { GRAPH <batch> { head } } USING <g>... WHERE { body }``, where the
``USING`` graphs are the store's data graphs and the earlier batches (SPARQL 1.1 Update
names the dataset the same way on every server), and repeats the rules, semi-naively,
until a round finds nothing new (a fixpoint). It then removes from the batches what
the output conventions leave out, and replaces the store's inferred graph with the
batches in a single request (``DROP`` and one ``ADD`` per batch): the inferred graph is
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
from rdflib.namespace import RDF

from ..errors import EndpointError, ReasonerError
from ..namespaces import GRAPH
from ..store.remote import DEFAULT, Endpoint, data_graphs, drop_graph, sparql, update
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


def _as_insert(rule_sparql: str, target: str, using: list[str], named: list[str] = ()) -> str:  # type: ignore[assignment]
    prologue, _, rest = rule_sparql.partition("CONSTRUCT")
    m = re.match(r"\s*\{(.*?)\}\s*WHERE\s*", rest, re.S)
    if m is None:
        raise ReasonerError("a rule is not CONSTRUCT { ... } WHERE { ... }", fix="a bug in the rule compiler")
    head, body = m.group(1), rest[m.end() :]
    clauses = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in named])
    return f"{prologue}INSERT {{ GRAPH <{target}> {{ {head} }} }} {clauses} WHERE {body}"


def _keys(endpoint: Endpoint, batch: str) -> frozenset[str]:
    """Predicates and classes that have triples in ``batch`` (what makes a rule worth running again)."""
    keys = {str(r[0]) for r in sparql(endpoint, f"SELECT DISTINCT ?p WHERE {{ GRAPH <{batch}> {{ ?s ?p ?o }} }}", graphs=(batch,))}
    if str(RDF.type) in keys:
        keys |= {str(r[0]) for r in sparql(endpoint, f"SELECT DISTINCT ?c WHERE {{ GRAPH <{batch}> {{ ?s a ?c }} }}", graphs=(batch,))}
    return frozenset(keys)


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
    locally on the same data. Semi-naive, as locally: each round's new triples go into a
    batch graph of their own; afterwards a rule runs again only if that batch holds what
    it reads, and a rule with a premise per batch reads that premise from the batch
    alone (``GRAPH <batch>``). Needs an endpoint that accepts updates (credentials as for
    ``push``). Data in the store's own default graph (``--graph default``) is first
    copied into a temporary named graph (``ADD DEFAULT TO GRAPH``), since ``USING``
    cannot name the default graph; the copy costs one pass over the data.
    """
    started = time.monotonic()
    onto = ontology_graph(ontology)
    rules = compile_rules(onto, groups)
    sources = [g for g in data_graphs(endpoint) if g != graph]
    run_id = uuid.uuid4()
    copied = None
    if sources == [DEFAULT]:
        # The data is the store's own default graph, which USING cannot name beside the
        # batches: the rules read a copy of it in a temporary named graph.
        copied = f"urn:clustergraph:tmp:source:{run_id}"
        update(endpoint, f"ADD SILENT DEFAULT TO GRAPH <{copied}>")
        sources = [copied]
    batches: list[str] = []
    reads = [frozenset(str(r) for r in rule.reads) if rule.reads is not None else None for rule in rules]
    try:
        keys: frozenset[str] = frozenset()
        rounds = 0
        while True:
            rounds += 1
            if rounds > max_rounds:
                raise ReasonerError(f"the rules found new triples after {max_rounds} rounds", fix="check the ontology for cyclic rules")
            batch = f"urn:clustergraph:tmp:batch:{run_id}:{rounds}"
            using = [*sources, *batches]
            for rule, read in zip(rules, reads):
                if not batches:
                    update(endpoint, _as_insert(rule.sparql, batch, using))
                    continue
                if read is not None and not (read & keys):
                    continue
                if rule.delta:
                    last = batches[-1]
                    for text in rule.delta:
                        update(endpoint, _as_insert(text.replace("GRAPH ?g {", f"GRAPH <{last}> {{"), batch, using, [last]))
                else:
                    update(endpoint, _as_insert(rule.sparql, batch, using))
            # Only what is new: not asserted, not found in an earlier round.
            known = " ".join(f"<{g}>" for g in [*sources, *batches])
            if known:
                update(endpoint, f"DELETE {{ GRAPH <{batch}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{batch}> {{ ?s ?p ?o }} VALUES ?g {{ {known} }} GRAPH ?g {{ ?s ?p ?o }} }}")
            if _count(endpoint, batch) == 0:
                break
            batches.append(batch)
            keys = _keys(endpoint, batch)
        # The output conventions, applied to each batch (after the fixpoint: the rules
        # needed these triples): no technical links, no reflexive collaboration,
        # nothing about the ontology's own terms.
        own = sorted({str(s) for s in onto.subjects() if str(s).startswith(("http://", "https://", "urn:"))})
        for b in batches:
            tidy = [f"DELETE WHERE {{ GRAPH <{b}> {{ ?s <{p}> ?o }} }}" for p in sorted(HIDDEN_PROPERTIES)]
            tidy += [f"DELETE {{ GRAPH <{b}> {{ ?s <{p}> ?s }} }} WHERE {{ GRAPH <{b}> {{ ?s <{p}> ?s }} }}" for p in sorted(IRREFLEXIVE_OUTPUT)]
            for i in range(0, len(own), 300):
                block = " ".join(f"<{s}>" for s in own[i : i + 300])
                tidy.append(f"DELETE {{ GRAPH <{b}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {block} }} GRAPH <{b}> {{ ?s ?p ?o }} }}")
            update(endpoint, " ;\n".join(tidy))
        triples = sum(_count(endpoint, b) for b in batches)
        # One request: the target is dropped and refilled from the batches together (the
        # batches are disjoint). One copy of the inferences: a MOVE from a gathering graph
        # would copy them twice and delete them once more, each a transaction on the server.
        update(endpoint, " ;\n".join([f"DROP SILENT GRAPH <{graph}>"] + [f"ADD SILENT GRAPH <{b}> TO GRAPH <{graph}>" for b in batches]))
    finally:
        for b in [*batches, f"urn:clustergraph:tmp:batch:{run_id}:{len(batches) + 1}", *([copied] if copied else [])]:
            try:
                drop_graph(endpoint, b)  # in parts: one large delete costs Oxigraph's server more than several
            except EndpointError:
                pass
    return StoreRun(graph, triples, rounds, time.monotonic() - started)
