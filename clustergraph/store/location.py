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

__all__ = ["Location", "download", "graph_ntriples", "locate", "open_location"]


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


def download(endpoint: Endpoint, *, kind: str = "oxigraph", page: int | None = None) -> Dataset:
    """A local dataset with a copy of the remote store's data graphs, each under its own name.

    Each graph of :func:`clustergraph.store.remote.data_graphs` comes as one N-Triples
    ``CONSTRUCT`` answer loaded by Oxigraph as it arrives (no rdflib term per triple on
    an Oxigraph dataset; ``kind="memory"`` parses it with rdflib). The graph is counted
    first: a server that cuts answers short (Virtuoso stops at its ``ResultSetMaxRows``,
    100,000 by default, without saying so) is asked again page by page (``LIMIT`` and
    ``OFFSET``, pages the size of the cut answer), and a copy whose distinct triples
    differ from the count is an :class:`~clustergraph.errors.EndpointError`, never a
    silent part. Blank nodes keep their identity within a graph. Data in the store's own
    default graph (``--graph default``) goes to the copy's default graph. ``page`` forces pages
    of that many triples. For the commands that need the data in this process
    (``serve``, ``publish``, OWL reasoning); validation, network analysis and rules run
    in the store instead.
    """
    from rdflib import URIRef

    from .dataset import open_dataset, oxigraph
    from .remote import DEFAULT, data_graphs

    local = open_dataset(kind)
    native = oxigraph(local)
    for name in data_graphs(endpoint):
        kind_of, body = graph_ntriples(endpoint, name, page=page)
        if native is not None:
            import pyoxigraph as ox

            if body:
                fmt = ox.RdfFormat.TURTLE if kind_of == "text/turtle" else ox.RdfFormat.N_TRIPLES
                native.bulk_load(body, format=fmt, to_graph=ox.DefaultGraph() if name == DEFAULT else ox.NamedNode(name))
        else:
            from .remote import plain

            from rdflib import Graph

            parsed = Graph()
            parsed.parse(data=body, format="turtle" if kind_of == "text/turtle" else "nt")
            target = local.default_graph if name == DEFAULT else local.graph(URIRef(name))
            target.addN((s, p, plain(o), target) for s, p, o in parsed)
    return local


def graph_ntriples(endpoint: Endpoint, name: str, *, page: int | None = None) -> tuple[str, bytes]:
    """The triples of the graph ``name`` of a remote store as one N-Triples document: ``(content type, body)``.

    Counted, fetched in one ``CONSTRUCT`` (or in pages, see :func:`download`), and
    checked against the count.
    """
    from ..errors import EndpointError
    from .remote import construct_bytes, count_triples, graph_pattern

    expected = count_triples(endpoint, name)
    pattern = graph_pattern(name)
    if expected == 0:
        return "application/n-triples", b""
    if page is None:
        kind, body = construct_bytes(endpoint, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}", graphs=(name,))
        got = _triples_in(kind, body)
        if got == expected:
            return kind, body
        page = got  # the server's own cap on an answer
        if page <= 0:
            raise EndpointError(f"{endpoint.url} sent no triples of graph <{name}>, which holds {expected}", fix="check the server's limits on result sizes")
    bodies: list[bytes] = []
    kind = "application/n-triples"
    for offset in range(0, expected, page):
        # No ORDER BY: Virtuoso refuses to sort past its ResultSetMaxRows ("Sorted TOP
        # clause", SR353). An unsorted scan of an unchanged graph comes in the same order;
        # the distinct triples are counted below, so a page that shifted is an error.
        kind, body = construct_bytes(endpoint, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }} LIMIT {page} OFFSET {offset}", graphs=(name,))
        bodies.append(body if body.endswith(b"\n") or not body else body + b"\n")
    body = b"".join(bodies)
    got = _triples_in(kind, body, distinct=True)
    if got != expected:
        raise EndpointError(
            f"{endpoint.url} sent {got} distinct triples of graph <{name}>, which holds {expected}",
            fix="raise the server's limit on result rows (Virtuoso: ResultSetMaxRows in virtuoso.ini), or retry if the graph was being changed",
        )
    return kind, body


def _triples_in(kind: str, body: bytes, *, distinct: bool = False) -> int:
    """How many triples (``distinct``: different triples) an N-Triples (or Turtle) answer holds."""
    import pyoxigraph as ox

    if kind != "text/turtle":
        lines = [line.strip() for line in body.splitlines() if line.strip() and not line.lstrip().startswith(b"#")]
        return len(set(lines)) if distinct else len(lines)
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    return len(set(triples)) if distinct else len(triples)
