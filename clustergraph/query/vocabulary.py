"""The vocabulary the named queries rely on, whatever data is loaded.

Label levels and their ranks (``cg:Gold cg:rank 3``), the roles in projects, the EU
industrial ecosystems and their concept schemes are defined in the ontology, not in
the data: a user's own tables (a 3rd-call sample with its own label awards) carry
``cg:level cg:Gold`` but not the rank that puts Gold first. :func:`vocabulary` is that
part of the ontology (every concept of a clustergraph concept scheme, with its labels,
rank and scheme). The named queries that order by rank fall back on the same ranks in
their own text (``labels-on-date``, ``label-progression``), so they put Gold first on
any data and any store; :meth:`clustergraph.query.QueryResult.labels` names concepts
from it when the data does not. :func:`add_vocabulary` adds it to a dataset, in its
own named graph (``cggraph:vocabulary``), for a user's own queries; the data a user
loads is never changed behind their back.

>>> g = vocabulary()
>>> from clustergraph.namespaces import CG
>>> int(g.value(CG.Gold, CG.rank)), str(g.value(CG.Coordinator, RDFS.label))
(3, 'Coordinator')
>>> from clustergraph.store import open_dataset
>>> ds = open_dataset()
>>> add_vocabulary(ds), add_vocabulary(ds)
(True, False)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS

from ..namespaces import CG, GRAPH, bind_prefixes
from ..resources import ontology_path

__all__ = ["VOCABULARY_GRAPH", "add_vocabulary", "vocabulary"]

#: The named graph :func:`add_vocabulary` writes.
VOCABULARY_GRAPH = GRAPH.vocabulary

_SCHEMES = (CG.RoleScheme, CG.LabelLevelScheme, CG.SectorScheme, CG.EcosystemScheme)
_KEPT = (RDF.type, RDFS.label, RDFS.comment, SKOS.prefLabel, SKOS.altLabel, SKOS.inScheme, SKOS.topConceptOf, SKOS.hasTopConcept, CG.rank)


@lru_cache(maxsize=1)
def _cached() -> Graph:
    ontology = Graph()
    ontology.parse(ontology_path(), format="turtle")
    out = bind_prefixes(Graph())
    concepts = set(_SCHEMES)
    for scheme in _SCHEMES:
        concepts.update(ontology.subjects(SKOS.inScheme, scheme))
        concepts.update(ontology.subjects(SKOS.topConceptOf, scheme))
    for concept in concepts:
        for p in _KEPT:
            for o in ontology.objects(concept, p):
                out.add((concept, p, o))
    return out


def vocabulary() -> Graph:
    """The concept schemes of the ontology and their concepts (labels, ranks, schemes), as a new graph."""
    out = bind_prefixes(Graph())
    for triple in _cached():
        out.add(triple)
    return out


def add_vocabulary(dataset: Any) -> bool:
    """Add :func:`vocabulary` to ``dataset`` in :data:`VOCABULARY_GRAPH` unless it has the label ranks.

    Returns whether it was added. A dataset that already holds the ontology (or an
    earlier vocabulary) is left as it is.
    """
    if (CG.Gold, CG.rank, None) in dataset:
        return False
    from ..store import dataset as store

    store.load(dataset, _cached().serialize(format="nt").encode("utf-8"), format="nt", graph=VOCABULARY_GRAPH)
    return True
