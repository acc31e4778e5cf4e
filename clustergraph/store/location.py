"""Naming a store the same way everywhere: a local folder, or a remote SPARQL endpoint and its graphs.

A :class:`Location` is where a command's data lives: an on-disk Oxigraph store (a
folder), or a remote SPARQL 1.1 store (an :class:`~clustergraph.store.remote.Endpoint`
with its update and Graph Store URLs, credentials and the named graphs that make up
the data). :func:`locate` builds one from what the user typed (the command-line
options ``--store``, ``--endpoint``, ``--update-endpoint``, ``--graph-store-endpoint``,
``--graph``, ``--timeout``), :func:`open_location` opens it as an rdflib dataset.

Stores can be named in the endpoints file (``$CLUSTERGRAPH_CONFIG``, else
``~/.config/clustergraph/endpoints.toml``)::

    [stores.archive]            # --store archive
    path = "/data/clustergraph-store"

    [stores.production]         # --store production
    endpoint = "local"          # an [endpoints.NAME] entry, or a URL
    graphs = ["https://w3id.org/clustergraph/graph/embedded"]

>>> locate("http://127.0.0.1:9/sparql", graphs=["urn:g"]).endpoint.graphs
('urn:g',)
>>> locate(None) is None
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from rdflib import Dataset

from ..errors import StoreError
from .remote import Endpoint, config_path, config_table, open_remote, resolve

__all__ = ["Location", "download", "locate", "open_location"]


@dataclass(frozen=True)
class Location:
    """Where the data lives: ``folder`` (an on-disk Oxigraph store) or ``endpoint`` (a remote store)."""

    folder: Path | None = None
    endpoint: Endpoint | None = None

    def __post_init__(self) -> None:
        if (self.folder is None) == (self.endpoint is None):
            raise StoreError("a store is either a folder or an endpoint", fix="give --store DIR or --endpoint URL, not both")

    @property
    def remote(self) -> bool:
        return self.endpoint is not None

    def __str__(self) -> str:
        if self.endpoint is not None:
            graphs = f" (graphs {', '.join(self.endpoint.graphs)})" if self.endpoint.graphs else ""
            return self.endpoint.url + graphs
        return str(self.folder)


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def locate(
    store: str | os.PathLike[str] | None = None,
    *,
    endpoint: str | Endpoint | None = None,
    update: str | None = None,
    graph_store: str | None = None,
    graphs: tuple[str, ...] | list[str] | None = None,
    timeout: float | None = None,
    flavour: str | None = None,
) -> Location | None:
    """The :class:`Location` the user named, or ``None`` when they named none.

    Parameters
    ----------
    store:
        A folder, the name of a ``[stores.NAME]`` entry of the endpoints file, or
        (kept for ``validate --store URL``) an http(s) URL, read as ``endpoint``.
    endpoint:
        A SPARQL query endpoint URL, an ``[endpoints.NAME]`` entry, or an :class:`Endpoint`.
    update, graph_store, timeout, flavour:
        As for :func:`clustergraph.store.remote.resolve`.
    graphs:
        Restrict the data to these named graphs of the remote store.
    """
    if store is not None and endpoint is not None:
        raise StoreError("give either --store or --endpoint, not both", fix="drop one of them")
    graphs = tuple(str(g) for g in graphs or ())
    if store is not None:
        text = os.fspath(store)
        stores = config_table("stores")
        if _is_url(text):
            endpoint = text
        elif text in stores and not Path(text).exists():
            entry = stores[text]
            if "path" in entry:
                return Location(folder=Path(str(entry["path"])).expanduser())
            if "endpoint" not in entry:
                raise StoreError(f"{config_path()}: [stores.{text}] has neither path nor endpoint", fix='add path = "DIR" or endpoint = "URL"')
            endpoint = str(entry["endpoint"])
            graphs = graphs or tuple(entry.get("graphs", ()))
        else:
            if graphs or update or graph_store:
                raise StoreError("--graph only applies with --endpoint (as do --update-endpoint and --graph-store-endpoint)", fix="add --endpoint URL or drop them")
            return Location(folder=Path(text))
    if endpoint is None:
        if graphs or update or graph_store:
            raise StoreError("--graph only applies with --endpoint (as do --update-endpoint and --graph-store-endpoint)", fix="add --endpoint URL or drop them")
        return None
    if isinstance(endpoint, Endpoint):
        ep = endpoint
        changes: dict = {}
        if graphs:
            changes["graphs"] = graphs
        if timeout is not None:
            changes["timeout"] = float(timeout)
        if update:
            changes["update_url"] = update
        if graph_store:
            changes["graph_store_url"] = graph_store
        ep = replace(ep, **changes) if changes else ep
    else:
        ep = resolve(endpoint, update=update, graph_store=graph_store, timeout=timeout, flavour=flavour, graphs=graphs or None)
    return Location(endpoint=ep)


def open_location(location: Location, *, create: bool = False) -> Dataset:
    """Open the store at ``location`` as an rdflib dataset (default graph: the union of its graphs).

    A folder must hold a store already unless ``create`` (then a new or empty folder
    is made a store; a folder of other files is refused). A remote store is opened
    with :func:`clustergraph.store.remote.open_remote` (nothing is sent yet).

    >>> ds = open_location(locate(endpoint="http://127.0.0.1:9/sparql", timeout=1))
    >>> ds.store.endpoint.url
    'http://127.0.0.1:9/sparql'
    """
    from .dataset import open_dataset, store_folder

    if location.endpoint is not None:
        return open_remote(location.endpoint)
    assert location.folder is not None
    store_folder(location.folder, create=create)
    return open_dataset("oxigraph", location.folder)


def download(endpoint: Endpoint, *, kind: str = "oxigraph") -> Dataset:
    """A local dataset with a copy of the remote store's data graphs, each under its own name.

    One ``CONSTRUCT`` per graph of :func:`clustergraph.store.remote.data_graphs`
    (blank nodes keep their identity within a graph). For the commands that need the
    data in this process (``serve``, ``publish``, OWL reasoning); validation, network
    analysis and rules run in the store instead.
    """
    from rdflib import URIRef

    from .dataset import open_dataset
    from .remote import data_graphs, sparql

    local = open_dataset(kind)
    for name in data_graphs(endpoint):
        result = sparql(endpoint, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}", graphs=(name,))
        target = local.graph(URIRef(name))
        target.addN((s, p, o, target) for s, p, o in result.graph)  # type: ignore[union-attr]
    return local
