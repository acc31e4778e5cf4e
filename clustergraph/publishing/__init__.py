"""Linked-data publishing: the static site and the SPARQL/linked-data server.

Owns writing dumps, pages, DCAT and VoID (:mod:`.site`, confined to the output folder;
pages for people in :mod:`.pages` from the templates in ``templates/``, their names and
links in :mod:`.links`, the ontology's pages in :mod:`.vocabulary`, the DCAT-AP record in
:mod:`.catalog`, byte-stable RDF files in :mod:`.serialisation`)
and serving a dataset over the SPARQL 1.1 Protocol (:mod:`.server`, with the protocol
rules in :mod:`.protocol` and queries run in killable worker processes by
:mod:`.isolation`).

Imports from: core and :mod:`clustergraph.store`.
"""

from __future__ import annotations

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
from .pages import render_resource
from .site import (
    MAX_DEPTH,
    MAX_SEGMENT_BYTES,
    MEDIA_TYPES,
    PublishResult,
    describe,
    describe_dataset,
    negotiate,
    publish,
    resource_path,
)

__all__ = [
    "Answer",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "Limits",
    "MAX_DEPTH",
    "MAX_SEGMENT_BYTES",
    "MEDIA_TYPES",
    "PublishResult",
    "RequestRefused",
    "SHUTDOWN_GRACE",
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
    "choose_format",
    "deny_network",
    "describe",
    "describe_dataset",
    "forking_available",
    "negotiate",
    "publish",
    "read_request",
    "refusal",
    "render_resource",
    "resource_path",
    "run_forked",
    "run_update",
    "serve",
    "served_dataset",
    "served_names",
    "warm_up",
]
