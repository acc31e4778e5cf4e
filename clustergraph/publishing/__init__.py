"""Linked-data publishing: the static site and the SPARQL/linked-data server.

Owns writing dumps, pages, DCAT and VoID (:mod:`.site`, confined to the output folder;
pages for people in :mod:`.pages` from the templates in ``templates/``, their names and
links in :mod:`.links`, the ontology's pages in :mod:`.vocabulary`, the DCAT-AP record in
:mod:`.catalog`, byte-stable RDF files in :mod:`.serialisation`), the files that make a
static host negotiate (:mod:`.hosting`), content negotiation (:mod:`.negotiation`), and
serving a dataset (:mod:`.server`): the SPARQL 1.1 Protocol (:mod:`.protocol`, its service
description and query page in :mod:`.service`), resources by their IRI paths and a search
(:mod:`.linkeddata`), all run in killable worker processes (:mod:`.isolation`).

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
from .linkeddata import (
    ONTOLOGY,
    SITE,
    answer_resource,
    answer_search,
    data_graph,
    fallback_page,
    path_of,
    resolve,
    resource_graph,
    search,
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
    GRAPH_TYPES,
    RESULT_TYPES,
    VOCABULARY_GRAPHS,
    data_graphs,
    graph_names,
    read_graphs,
    read_request,
    refusal,
    run_query,
    run_update,
    served_dataset,
    warm_up,
)
from .server import (
    DEFAULT_PORT,
    Server,
    app,
    default_renderer,
    serve,
)
from .service import SD, STATIC_PATH, examples, query_page, service_description
from .pages import render_resource
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
    "GRAPH_TYPES",
    "HTACCESS",
    "Limits",
    "MAX_DEPTH",
    "MAX_SEGMENT_BYTES",
    "MediaRange",
    "NGINX_CONF",
    "ONTOLOGY",
    "PublishResult",
    "RDFLIB_FORMATS",
    "RESOURCE_FORMATS",
    "RESOURCE_TYPES",
    "RESULT_TYPES",
    "RequestRefused",
    "SD",
    "SITE",
    "SOURCE_QUALITY",
    "SPARQL_PATHS",
    "STATIC_PATH",
    "ServedDataset",
    "Server",
    "TextQuery",
    "VOCABULARY_GRAPHS",
    "WorkFailed",
    "WorkTimeout",
    "Worker",
    "WorkerGone",
    "WorkerPool",
    "answer_query",
    "answer_resource",
    "answer_search",
    "app",
    "check_size",
    "choose",
    "choose_format",
    "data_graph",
    "data_graphs",
    "default_renderer",
    "deny_network",
    "describe",
    "describe_dataset",
    "examples",
    "extension_of",
    "fallback_page",
    "forking_available",
    "graph_names",
    "parse_accept",
    "path_of",
    "publish",
    "quality",
    "query_page",
    "read_graphs",
    "read_request",
    "refusal",
    "render_resource",
    "resolve",
    "resource_graph",
    "resource_path",
    "run_forked",
    "run_query",
    "run_update",
    "search",
    "serve",
    "served_dataset",
    "service_description",
    "type_map",
    "warm_up",
    "write_hosting_files",
]
