"""Reconciliation: matching names of organisations against the graph, for people and for OpenRefine.

* :mod:`.matching` — words of a name, multilingual stand-ins, the similarity score;
* :mod:`.index` — the organisations of a graph read once (names, types, places, identifiers);
* :mod:`.service` — the W3C Entity Reconciliation API 0.2 as functions returning its JSON
  (:func:`reconcile`, :func:`extend`, :func:`manifest`, suggest, preview);
* :mod:`.server` — the same over HTTP: :func:`asgi_app` (mounted at ``/reconcile`` by
  ``clustergraph serve``) and a standalone :class:`ReconciliationServer`;
* :mod:`.table` — a table's column reconciled at once (:func:`reconcile_table`,
  ``clustergraph reconcile``).

Errors are :class:`clustergraph.errors.ReconciliationError` (exit status 2).

Imports from: core, store, ingest (name normalisation).
"""

from __future__ import annotations

from .index import ORGANISATION_TYPES, Entity, Index
from .matching import similarity, tokens
from .server import MOUNT_PATH, ReconciliationServer, asgi_app, mount
from .service import (
    MATCH_MARGIN,
    MATCH_SCORE,
    PROPERTIES,
    extend,
    manifest,
    preview,
    propose_properties,
    reconcile,
    suggest_entities,
    suggest_properties,
    suggest_types,
)
from .table import ReconciledTable, reconcile_table

__all__ = [
    "Entity",
    "Index",
    "MATCH_MARGIN",
    "MATCH_SCORE",
    "MOUNT_PATH",
    "ORGANISATION_TYPES",
    "PROPERTIES",
    "ReconciledTable",
    "ReconciliationServer",
    "asgi_app",
    "extend",
    "manifest",
    "mount",
    "preview",
    "propose_properties",
    "reconcile",
    "reconcile_table",
    "similarity",
    "suggest_entities",
    "suggest_properties",
    "suggest_types",
    "tokens",
]
