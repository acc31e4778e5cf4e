"""Linked-data publishing: the static site and the SPARQL/linked-data server.

Owns writing dumps, pages, DCAT and VoID (:mod:`.site`, confined to the output folder)
and serving a dataset over the SPARQL 1.1 Protocol (:mod:`.server`, with the protocol
rules in :mod:`.protocol` and queries run in killable worker processes by
:mod:`.isolation`).

Imports from: core and :mod:`clustergraph.store`.
"""

from __future__ import annotations

from .hosting import HTACCESS, NGINX_CONF, SOURCE_QUALITY, type_map, write_hosting_files
from .isolation import (
    Worker,
    WorkerGone,
    WorkerPool,
    WorkFailed,
    WorkTimeout,
    deny_network,
    forking_available,
    run_forked,
)
from .negotiation import (
    RDFLIB_FORMATS,
    RESOURCE_FORMATS,
    RESOURCE_TYPES,
    MediaRange,
    choose,
    extension_of,
    parse_accept,
    quality,
)
from .protocol import (
    DEFAULT_TIMEOUT,
    SPARQL_PATHS,
    Answer,
    Limits,
    RequestRefused,
    ServedDataset,
    TextQuery,
    answer_query,
    check_size,
    choose_format,
    read_request,
    refusal,
    run_update,
    served_dataset,
    warm_up,
)
from .server import (
    DEFAULT_PORT,
    SHUTDOWN_GRACE,
    Server,
    app,
    check_host,
    check_port,
    serve,
    served_names,
)
from .site import (
    MAX_DEPTH,
    MAX_SEGMENT_BYTES,
    PublishResult,
    describe,
    describe_dataset,
    publish,
    resource_path,
)

__all__ = [
    "Answer",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "HTACCESS",
    "Limits",
    "MAX_DEPTH",
    "MAX_SEGMENT_BYTES",
    "MediaRange",
    "NGINX_CONF",
    "PublishResult",
    "RDFLIB_FORMATS",
    "RESOURCE_FORMATS",
    "RESOURCE_TYPES",
    "RequestRefused",
    "SHUTDOWN_GRACE",
    "SOURCE_QUALITY",
    "SPARQL_PATHS",
    "ServedDataset",
    "Server",
    "TextQuery",
    "WorkFailed",
    "WorkTimeout",
    "Worker",
    "WorkerGone",
    "WorkerPool",
    "answer_query",
    "app",
    "check_host",
    "check_port",
    "check_size",
    "choose",
    "choose_format",
    "deny_network",
    "describe",
    "describe_dataset",
    "extension_of",
    "forking_available",
    "parse_accept",
    "publish",
    "quality",
    "read_request",
    "refusal",
    "resource_path",
    "run_forked",
    "run_update",
    "serve",
    "served_dataset",
    "served_names",
    "type_map",
    "warm_up",
    "write_hosting_files",
]
