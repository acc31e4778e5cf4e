"""Where the graph lives: local stores, remote SPARQL stores, and pushing to them.

Owns opening a dataset (Oxigraph in memory or on disk, rdflib's memory store, a remote
SPARQL 1.1 store), all-or-nothing loads, atomic dumps, pushed-down ``select``
(:mod:`.dataset`); the SPARQL 1.1 Protocol and Graph Store Protocol client and the
configured endpoints (:mod:`.remote`); uploading a dataset to a store (:mod:`.upload`).

Imports from: the core modules only (errors, namespaces, iri, resources, atomic, bindings).
"""

from __future__ import annotations

from .dataset import (
    FORMATS,
    STORE_KINDS,
    dump,
    from_oxigraph,
    is_remote,
    load,
    open_dataset,
    quads,
    oxigraph,
    replace_graph,
    select,
    to_memory,
    to_oxigraph,
    union,
)
from .remote import (
    CONFIG_ENV,
    DEFAULT_TIMEOUT,
    Endpoint,
    PASSWORD_ENV,
    RemoteStore,
    USER_ENV,
    config_path,
    open_remote,
    request,
    resolve,
    sparql,
    update,
)
from .upload import (
    BATCH_SIZE,
    METHODS,
    PushResult,
    ntriples,
    push,
)

__all__ = [
    "BATCH_SIZE",
    "CONFIG_ENV",
    "DEFAULT_TIMEOUT",
    "Endpoint",
    "FORMATS",
    "METHODS",
    "PASSWORD_ENV",
    "PushResult",
    "RemoteStore",
    "STORE_KINDS",
    "USER_ENV",
    "config_path",
    "dump",
    "from_oxigraph",
    "is_remote",
    "load",
    "ntriples",
    "open_dataset",
    "open_remote",
    "oxigraph",
    "push",
    "quads",
    "replace_graph",
    "request",
    "resolve",
    "select",
    "sparql",
    "to_memory",
    "to_oxigraph",
    "union",
    "update",
]
