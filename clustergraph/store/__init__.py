"""Where the graph lives: local stores, remote SPARQL stores, and pushing to them.

Owns opening a dataset (Oxigraph in memory or on disk, rdflib's memory store, a remote
SPARQL 1.1 store), all-or-nothing loads, atomic dumps, pushed-down ``select``
(:mod:`.dataset`); the SPARQL 1.1 Protocol and Graph Store Protocol client and the
configured endpoints (:mod:`.remote`); compiled SPARQL run on an endpoint as on a local
store (:mod:`.endpoint`); naming a store the same way everywhere (:mod:`.location`);
uploading a dataset to a store, graph by graph (:mod:`.upload`).
Every RDF input passes one boundary with the same limits (:mod:`.parsing`: DTDs refused,
JSON-LD depth and contexts checked, sizes limited), and whether anything may reach the
network is decided in one place (:mod:`.offline`: offline unless the user allows a host).

Imports from: the core modules only (errors, namespaces, iri, resources, atomic, bindings).
"""

from __future__ import annotations

from .dataset import (
    FORMATS,
    STORE_KINDS,
    creating_store,
    dump,
    from_oxigraph,
    graph_test,
    is_remote,
    load,
    open_dataset,
    oxigraph,
    quads,
    read_graph,
    replace_graph,
    select,
    remove_created,
    store_folder,
    store_target,
    to_memory,
    to_oxigraph,
    union,
)
from .endpoint import RemoteQueries, portable
from .location import Location, download, locate, open_location
from .offline import AllowNetwork, NetworkPolicy, allow_network, check_query
from .parsing import Limits, check_input
from .remote import (
    CONFIG_ENV,
    DEFAULT_TIMEOUT,
    PASSWORD_ENV,
    USER_ENV,
    Endpoint,
    RemoteStore,
    config_path,
    open_remote,
    body_message,
    config_table,
    data_graphs,
    is_timeout,
    request,
    resolve,
    sparql,
    update,
)
from .upload import (
    BATCH_SIZE,
    METHODS,
    PushResult,
    lines_of,
    ntriples,
    push,
    push_graphs,
)

__all__ = [
    "AllowNetwork",
    "BATCH_SIZE",
    "CONFIG_ENV",
    "DEFAULT_TIMEOUT",
    "Endpoint",
    "FORMATS",
    "Limits",
    "Location",
    "METHODS",
    "NetworkPolicy",
    "PASSWORD_ENV",
    "PushResult",
    "RemoteQueries",
    "RemoteStore",
    "STORE_KINDS",
    "USER_ENV",
    "allow_network",
    "body_message",
    "check_input",
    "check_query",
    "config_path",
    "config_table",
    "creating_store",
    "data_graphs",
    "download",
    "dump",
    "from_oxigraph",
    "graph_test",
    "is_remote",
    "is_timeout",
    "lines_of",
    "load",
    "locate",
    "ntriples",
    "open_dataset",
    "open_location",
    "open_remote",
    "oxigraph",
    "portable",
    "push",
    "push_graphs",
    "quads",
    "read_graph",
    "remove_created",
    "replace_graph",
    "request",
    "resolve",
    "select",
    "sparql",
    "store_folder",
    "store_target",
    "to_memory",
    "to_oxigraph",
    "union",
    "update",
]
