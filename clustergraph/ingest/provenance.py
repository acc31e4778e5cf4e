"""Provenance of imported sources, in PROV-O, kept in the named graph ``GRAPH.provenance``.

Each source file lands in its own named graph ``GRAPH["source/<slug of its relative path>"]``.
That graph IRI is described as a ``prov:Entity`` with

* ``cg:sourceFile`` -- the file's relative path (a string),
* ``cg:checksum`` -- ``"sha256:<hex>"`` of the file's bytes,
* ``prov:generatedAtTime`` -- when it was imported (``xsd:dateTime``),
* ``cg:mapping`` -- the relative path of the CSVW mapping used (tables only),

and every entity a table row defines (the subject of the table's ``aboutUrl``; rows of
link tables such as ``event_participants.csv`` add facts to entities defined elsewhere
and get no derivation) gets

``<entity> prov:qualifiedDerivation <graph#row-N> . <graph#row-N> a prov:Derivation ;
prov:entity <graph> ; cg:sourceRow N .``

where ``N`` is the row number a spreadsheet shows (the header is row 1). The
derivation nodes are IRIs (not blank nodes), so importing the same file twice
gives exactly the same triples.

>>> g = source_graph("data/projects.csv")
>>> str(g)
'https://w3id.org/clustergraph/graph/source/data-projects-csv'
>>> str(row_node(g, 7))
'https://w3id.org/clustergraph/graph/source/data-projects-csv#row-7'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from ..iri import slug
from ..namespaces import CG, GRAPH

__all__ = [
    "PROVENANCE_GRAPH",
    "source_graph",
    "row_node",
    "checksum",
    "source_triples",
    "row_triples",
    "remove_source",
]

PROVENANCE_GRAPH = GRAPH.provenance
"""The named graph that holds the provenance of every imported source."""


def source_graph(relative_path: str) -> URIRef:
    """The named graph IRI for a source file, from its relative path."""
    return GRAPH["source/" + slug(str(relative_path).replace("\\", "/"))]


def row_node(graph: URIRef, row: int) -> URIRef:
    """The IRI of the ``prov:Derivation`` for row ``row`` of the source ``graph``."""
    return URIRef(f"{graph}#row-{int(row)}")


def checksum(data: bytes) -> str:
    """``"sha256:<hex>"`` of ``data``.

    >>> checksum(b"")
    'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _when(time: _dt.datetime | None) -> Literal:
    moment = time or _dt.datetime.now(_dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    # "Z" for UTC, as Oxigraph stores it: the same literal on every store (not "+00:00").
    text = moment.isoformat(timespec="seconds")
    text = text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text
    return Literal(text, datatype=XSD.dateTime, normalize=False)


def source_triples(
    graph: URIRef,
    *,
    source_file: str,
    digest: str,
    time: _dt.datetime | None = None,
    mapping: str | None = None,
) -> list[tuple[URIRef, URIRef, Any]]:
    """The provenance triples describing one imported source graph."""
    triples: list[tuple[URIRef, URIRef, Any]] = [
        (graph, RDF.type, PROV.Entity),
        (graph, CG.sourceFile, Literal(source_file)),
        (graph, CG.checksum, Literal(digest)),
        (graph, PROV.generatedAtTime, _when(time)),
    ]
    if mapping:
        triples.append((graph, CG.mapping, Literal(mapping)))
    return triples


def row_triples(graph: URIRef, subjects: Mapping[int, Iterable[URIRef]]) -> list[tuple[URIRef, URIRef, Any]]:
    """``prov:qualifiedDerivation`` triples for the entities each row number describes."""
    triples: list[tuple[URIRef, URIRef, Any]] = []
    for row, entities in sorted(subjects.items()):
        entities = list(entities)
        if not entities:
            continue
        node = row_node(graph, row)
        triples += [
            (node, RDF.type, PROV.Derivation),
            (node, PROV.entity, graph),
            (node, CG.sourceRow, Literal(int(row))),
        ]
        triples += [(entity, PROV.qualifiedDerivation, node) for entity in entities]
    return triples


def remove_source(provenance: Graph, graph: URIRef) -> None:
    """Remove everything ``provenance`` says about the source ``graph`` (before re-importing it)."""
    nodes = set(provenance.subjects(PROV.entity, graph))
    for node in nodes:
        provenance.remove((None, PROV.qualifiedDerivation, node))
        provenance.remove((node, None, None))
    provenance.remove((graph, None, None))
