"""Queries: the named-query library and running queries into tables.

Owns the ``queries/*.rq`` library with its typed parameters (:mod:`.library`) and running
any query on any store into a :class:`QueryResult` (:mod:`.execution`), and the
vocabulary the queries rely on whatever data is loaded (:mod:`.vocabulary`), and big results
straight to files and DataFrames through Oxigraph's own serialisers (:mod:`.results`).

Imports from: core, :mod:`clustergraph.store` and :mod:`clustergraph.ingest` (``open_data`` loads the
embedded dataset).
"""

from __future__ import annotations

from .library import (
    NamedQuery,
    Parameter,
    TYPES,
    get,
    parse,
    read,
    to_term,
)
from .execution import (
    FORMATS,
    QueryResult,
    compact,
    list_queries,
    open_data,
    resolve_query,
    run,
)
from .results import dataframe, stream
from .vocabulary import VOCABULARY_GRAPH, add_vocabulary, vocabulary

__all__ = [
    "FORMATS",
    "NamedQuery",
    "Parameter",
    "QueryResult",
    "TYPES",
    "VOCABULARY_GRAPH",
    "add_vocabulary",
    "compact",
    "dataframe",
    "get",
    "list_queries",
    "open_data",
    "parse",
    "read",
    "resolve_query",
    "run",
    "stream",
    "to_term",
    "vocabulary",
]
