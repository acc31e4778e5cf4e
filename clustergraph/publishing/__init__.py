"""Linked-data publishing: the static site and the SPARQL/linked-data server.

Owns writing dumps, pages, DCAT and VoID (:mod:`.site`) and serving a dataset over the
SPARQL 1.1 Protocol (:mod:`.server`).

Imports from: core and :mod:`clustergraph.store`.
"""

from __future__ import annotations

from .site import (
    MEDIA_TYPES,
    describe,
    describe_dataset,
    negotiate,
    publish,
)
from .server import (
    DEFAULT_PORT,
    Server,
    app,
    check_host,
    serve,
)

__all__ = [
    "DEFAULT_PORT",
    "MEDIA_TYPES",
    "Server",
    "app",
    "check_host",
    "describe",
    "describe_dataset",
    "negotiate",
    "publish",
    "serve",
]
