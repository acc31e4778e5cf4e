"""Where the graph lives: Oxigraph (default, in memory or on disk) or rdflib's memory store.

Every store is reached through the same rdflib :class:`~rdflib.Dataset` API; the
default is backed by Oxigraph (through a corrected oxrdflib store), so loading,
queries and aggregates run in Rust while users keep rdflib's ``Graph`` calls.
Work that the store can do itself is pushed down with :func:`select` and
:func:`oxigraph`. Remote SPARQL 1.1 stores are opened by :mod:`clustergraph.endpoint`.

Plain literals stay plain: Oxigraph reports ``"gold"`` as ``"gold"^^xsd:string``,
which rdflib 7 treats as a different term; this module turns them back, so the
same data compares equal on both stores.

>>> ds = open_dataset()
>>> n = load(ds, b'<http://ex.org/a> <http://ex.org/p> "gold" .', format="nt",
...          graph="http://ex.org/g")
>>> n
1
>>> from rdflib import Literal
>>> (None, None, Literal("gold")) in ds
True
>>> select(ds, "SELECT ?o WHERE { ?s ?p ?o }")
(['o'], [(rdflib.term.Literal('gold'),)])
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pyoxigraph as ox
from oxrdflib.store import OxigraphStore as _OxrdflibStore
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Identifier, Node

from ..atomic import atomic_write, is_write_error, write_error, writing
from ..bindings import inject_values
from ..errors import ClusterGraphError, InputError, QueryError, StoreError, WriteError
from ..namespaces import PREFIXES, bind_prefixes
from .. import progress
from . import offline
from .parsing import (
    Checked,
    Limits,
    check_input,
    check_literals,
    parse,
    parser_errors,
    syntax_error,
)

__all__ = [
    "STORE_KINDS",
    "FORMATS",
    "open_dataset",
    "remove_created",
    "store_target",
    "store_folder",
    "creating_store",
    "oxigraph",
    "is_remote",
    "load",
    "replace_graph",
    "to_memory",
    "union",
    "dump",
    "select",
    "from_oxigraph",
    "to_oxigraph",
    "quads",
    "graph_test",
    "read_graph",
]

STORE_KINDS = ("oxigraph", "memory")

#: RDF formats by the names users type, with their Oxigraph format and rdflib plugin name.
FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "turtle": (ox.RdfFormat.TURTLE, "turtle"),
    "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    "nquads": (ox.RdfFormat.N_QUADS, "nquads"),
    "trig": (ox.RdfFormat.TRIG, "trig"),
    "xml": (ox.RdfFormat.RDF_XML, "xml"),
    "json-ld": (ox.RdfFormat.JSON_LD, "json-ld"),
}
_ALIASES = {
    "ttl": "turtle",
    "n-triples": "nt",
    "ntriples": "nt",
    "nq": "nquads",
    "n-quads": "nquads",
    "rdf": "xml",
    "rdfxml": "xml",
    "rdf/xml": "xml",
    "owl": "xml",
    "jsonld": "json-ld",
    "json": "json-ld",
}
_DATASET_FORMATS = {"nquads", "trig"}
_BULK_THRESHOLD = 32 * 1024 * 1024  # bytes; above this, Oxigraph's bulk loader is used
#: Formats whose big loads insert leniently while a second thread parses strictly (see _bulk_checked).
_CHECKED_BULK_FORMATS = {"nt"}  # for Turtle the strict parse costs more than it saves (measured)


def _format_name(fmt: str | None, path: str | os.PathLike[str] | None = None) -> str:
    name = (fmt or "").lower()
    if not name and path is not None:
        name = Path(path).suffix.lstrip(".").lower()
    name = _ALIASES.get(name, name)
    if name not in FORMATS:
        raise StoreError(
            f"unknown RDF format {fmt or name!r}" + (f" for {path}" if path else ""),
            fix=f"pass format= one of {', '.join(FORMATS)}",
        )
    return name


# --- term conversion ------------------------------------------------------------


def from_oxigraph(term: Any) -> Node | None:
    """Convert a pyoxigraph term to rdflib, keeping plain literals plain.

    >>> from_oxigraph(ox.Literal("gold"))
    rdflib.term.Literal('gold')
    >>> from_oxigraph(ox.Literal("5", datatype=ox.NamedNode(str(XSD.integer))))
    rdflib.term.Literal('5', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise StoreError(f"unsupported Oxigraph term {term!r}", fix="RDF-star triples are not supported")


def to_oxigraph(term: Any) -> Any:
    """Convert an rdflib term (or a graph name) to pyoxigraph.

    >>> to_oxigraph(URIRef("http://ex.org/a"))
    <NamedNode value=http://ex.org/a>
    """
    if term is None:
        return None
    if isinstance(term, Graph):
        term = term.identifier
    if term == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
            return ox.Literal(str(term), language=term.language, datatype=datatype)
        if isinstance(term, str):
            return ox.NamedNode(term)
    except ValueError as exc:
        raise StoreError(f"cannot store the term {_shown(term)}: {exc}", fix=_TERM_FIX.get(type(term), "give a valid RDF term")) from None
    raise StoreError(f"cannot store {term!r} in Oxigraph", fix="use rdflib URIRef, BNode or Literal terms")


_TERM_FIX = {
    URIRef: "give an absolute IRI without spaces, quotes, angle brackets or braces (percent-encode them)",
    BNode: "give a blank node label of letters, digits, '_', '-' and '.'",
    Literal: "give a language tag as BCP 47 says (e.g. 'en', 'de-AT') and a datatype that is an absolute IRI",
}


def _shown(term: Any) -> str:
    if isinstance(term, URIRef):
        text = f"<{term}>"
    elif isinstance(term, Literal):
        text = f'"{term}"' + (f"@{term.language}" if term.language else f"^^<{term.datatype}>" if term.datatype else "")
    else:
        text = repr(term)
    return text if len(text) <= 120 else text[:117] + "..."


_XSD_STRING = str(XSD.string)


def _graph_node(graph: Any) -> Any:
    """Graph name for Oxigraph: None stays None (all graphs), else NamedNode/BlankNode/DefaultGraph."""
    if graph is None:
        return None
    return to_oxigraph(graph)


class OxigraphStore(_OxrdflibStore):
    """oxrdflib's store with plain literals kept plain and batched inserts.

    Registered as the backend of :func:`open_dataset`; use :func:`oxigraph` to
    reach the native :class:`pyoxigraph.Store` for pushed-down work. ``folder`` is
    where an on-disk store lives (``None`` in memory), named by write errors.
    """

    folder: Path | None = None

    def addN(self, quads: Iterable[tuple[Node, Node, Node, Any]]) -> None:  # noqa: N802
        batch = [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(g)) for s, p, o, g in quads]
        self._inner.extend(batch)

    def add(self, triple: tuple[Node, Node, Node], context: Any, quoted: bool = False) -> None:
        if quoted:
            raise StoreError("Oxigraph stores do not hold formulae", fix="use the memory store for N3 formulae")
        s, p, o = triple
        self._inner.add(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(context)))

    def remove(self, triple: tuple[Any, Any, Any], context: Any = None) -> None:
        pattern = [_graph_node(t) for t in triple]
        graph = None if context is None or getattr(context, "identifier", context) == "__UNION__" else _graph_node(context)
        for quad in list(self._inner.quads_for_pattern(*pattern, graph)):
            self._inner.remove(quad)

    def triples(self, triple_pattern: tuple[Any, Any, Any], context: Any = None) -> Iterator[Any]:
        s, p, o = triple_pattern
        if isinstance(s, Graph) or isinstance(p, Graph) or isinstance(o, Graph):
            return iter(())
        try:
            pattern = [_graph_node(s), _graph_node(p), _graph_node(o)]
        except StoreError:
            return iter(())
        graph = None if context is None else _graph_node(context)
        if isinstance(pattern[0], ox.Literal) or (pattern[1] is not None and not isinstance(pattern[1], ox.NamedNode)):
            return iter(())
        if graph is not None and isinstance(graph, ox.Literal):
            return iter(())
        store = self

        def generate() -> Iterator[Any]:
            for q in store._inner.quads_for_pattern(*pattern, graph):
                name = from_oxigraph(q.graph_name)
                yield (
                    (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object)),
                    iter((Graph(store=store, identifier=name),)),
                )

        return generate()

    def query(self, query: Any, initNs: Mapping[str, Any], initBindings: Mapping[str, Identifier], queryGraph: Any, **kwargs: Any) -> Result:  # noqa: N803
        if not isinstance(query, str) or kwargs:
            raise NotImplementedError("prepared queries run in rdflib's engine")
        offline.check_query(
            query,
            graphs=graph_test(self._inner),
            prefixes={**{k: str(v) for k, v in self._namespace_for_prefix.items()}, **{k: str(v) for k, v in initNs.items()}},
        )
        union = queryGraph == "__UNION__"

        def run() -> Result:
            return _to_result(self._inner.query(
                inject_values(query, {str(k): v for k, v in initBindings.items()}),
                use_default_graph_as_union=union,
                default_graph=None if union or queryGraph is None else to_oxigraph(queryGraph),
                prefixes={**{k: str(v) for k, v in self._namespace_for_prefix.items()}, **{k: str(v) for k, v in initNs.items()}},
            ))

        endpoints = offline.calls_service(query)
        return offline.run_with_timeout(run, endpoints) if endpoints else run()

    def update(self, update: Any, initNs: Mapping[str, Any], initBindings: Mapping[str, Identifier], queryGraph: Any, **kwargs: Any) -> None:  # noqa: N803
        if isinstance(update, str):
            offline.check_query(
                update,
                graphs=graph_test(self._inner),
                prefixes={**{k: str(v) for k, v in self._namespace_for_prefix.items()}, **{k: str(v) for k, v in initNs.items()}},
            )
        super().update(update, initNs, initBindings, queryGraph, **kwargs)


def graph_test(dataset: Any) -> Any:
    """``test(iri)``: whether ``dataset`` holds a non-empty named graph ``iri`` (what FROM may name).

    ``dataset`` is an rdflib Dataset (any local store) or a :class:`pyoxigraph.Store`;
    for anything else (a plain Graph) the answer is ``None``: no graph may be named.

    >>> ds = open_dataset()
    >>> _ = load(ds, b'<http://ex.org/a> <http://ex.org/p> 1 .', format="turtle", graph="http://ex.org/g")
    >>> test = graph_test(ds)
    >>> test("http://ex.org/g"), test("http://ex.org/other")
    (True, False)
    """
    native = dataset if isinstance(dataset, ox.Store) else oxigraph(dataset) if isinstance(dataset, Graph) else None
    if native is not None:

        def in_oxigraph(iri: str) -> bool:
            try:
                name = ox.NamedNode(iri)
            except ValueError:
                return False
            return next(iter(native.quads_for_pattern(None, None, None, name)), None) is not None

        return in_oxigraph
    if isinstance(dataset, Dataset):

        def in_memory(iri: str) -> bool:
            return next(iter(dataset.get_context(URIRef(iri)).triples((None, None, None))), None) is not None

        return in_memory
    return None


def _to_result(result: Any) -> Result:
    if isinstance(result, ox.QueryBoolean):
        out = Result("ASK")
        out.askAnswer = bool(result)
    elif isinstance(result, ox.QuerySolutions):
        out = Result("SELECT")
        out.vars = [Variable(v.value) for v in result.variables]
        names = list(out.vars)
        out.bindings = [
            {v: from_oxigraph(val) for v, val in zip(names, solution) if val is not None} for solution in result
        ]
    else:
        out = Result("CONSTRUCT")
        graph = Graph()
        for t in result:
            graph.add((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)))
        out.graph = graph
    return out


# --- opening --------------------------------------------------------------------


def open_dataset(kind: str = "oxigraph", path: str | os.PathLike[str] | None = None) -> Dataset:
    """Open a dataset whose default graph is the union of its named graphs.

    Parameters
    ----------
    kind:
        ``"oxigraph"`` (default, fast) or ``"memory"`` (rdflib's own store, what
        pySHACL and plain rdflib use). An ``http(s)://`` URL opens a remote SPARQL
        1.1 store through :func:`clustergraph.endpoint.open_remote`.
    path:
        A directory for an on-disk Oxigraph store (created if missing, reopened
        with its data if present). ``None`` keeps the store in memory.

    Returns
    -------
    rdflib.Dataset
        With ``default_union=True`` and the clustergraph prefixes bound.

    >>> ds = open_dataset("memory")
    >>> ds.default_union
    True
    """
    if kind.startswith(("http://", "https://")):
        from .remote import open_remote

        return open_remote(kind)
    if kind == "oxigraph":
        try:
            if path is None:
                native = ox.Store()
            else:
                with writing(path):
                    Path(path).parent.mkdir(parents=True, exist_ok=True)  # Oxigraph makes the folder, not its parents
                    native = ox.Store(os.fspath(path))
        except WriteError:
            raise
        except OSError as exc:
            if is_write_error(exc):
                raise write_error(exc, path) from None  # type: ignore[arg-type]
            raise StoreError(f"cannot open the Oxigraph store at {path}: {exc}", fix="check the path is a writable directory not used by another process") from exc
        backend = OxigraphStore(store=native)
        backend.folder = Path(path) if path is not None else None
        ds = Dataset(store=backend, default_union=True)
    elif kind == "memory":
        if path is not None:
            raise StoreError("rdflib's memory store cannot live on disk", fix="use kind='oxigraph' with a path, or drop the path")
        ds = Dataset(default_union=True)
    else:
        raise StoreError(f"unknown store {kind!r}", fix=f"use one of {', '.join(STORE_KINDS)} or an http(s) endpoint URL")
    return bind_prefixes(ds)  # type: ignore[return-value]


#: Files that mark a folder as an Oxigraph (RocksDB) store; a ``MANIFEST-*`` file is there too.
_STORE_MARKERS = ("CURRENT", "IDENTITY")


def _is_store_folder(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _STORE_MARKERS) and any(folder.glob("MANIFEST-*"))


def store_folder(path: str | os.PathLike[str], *, create: bool) -> Path:
    """Check that ``path`` may be opened as an on-disk Oxigraph store; return it as a :class:`~pathlib.Path`.

    A folder that already holds a store (RocksDB's ``CURRENT``, ``IDENTITY`` and a
    ``MANIFEST-*``) is always accepted. A folder that does not exist yet, or an empty
    one, is accepted only with ``create=True`` (a command that builds a store); a
    command that reads one (query, validate, serve, push) passes ``create=False``, so
    a mistyped path is refused instead of opening a new, empty store. A file, or a
    folder with other files and no store, is refused: a store is never made among a
    user's files.

    Raises
    ------
    StoreError
        One line saying what is wrong, and the fix.

    >>> import tempfile
    >>> scratch = tempfile.TemporaryDirectory()
    >>> folder = Path(scratch.name)
    >>> store_folder(folder / "new", create=True) == folder / "new"
    True
    >>> (folder / "notes.txt").write_text("mine")
    4
    >>> store_folder(folder, create=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clustergraph.errors.StoreError: the folder ... is not empty (notes.txt) and holds no store; fix: give a new or empty folder, or a store folder
    >>> scratch.cleanup()
    """
    folder = Path(path)
    if os.path.lexists(folder) and not folder.is_dir():
        raise StoreError(f"{folder} is a file, not a store folder", fix="give a new or empty folder, or a store folder")
    if not folder.exists():
        if create:
            return folder
        raise StoreError(f"there is no store at {folder}: the folder does not exist", fix="give the folder of a store built before (clustergraph build --store DIR)")
    try:
        entries = sorted(p.name for p in folder.iterdir())
    except OSError as exc:
        raise StoreError(f"cannot read the store folder {folder}: {exc.strerror or exc}", fix="give a folder you may read and write") from None
    if not entries:
        if create:
            return folder
        raise StoreError(f"there is no store at {folder}: the folder is empty", fix="give the folder of a store built before (clustergraph build --store DIR)")
    if _is_store_folder(folder):
        return folder
    shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
    raise StoreError(f"the folder {folder} is not empty ({shown}) and holds no store", fix="give a new or empty folder, or a store folder")


@contextmanager
def creating_store(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Check ``path`` with :func:`store_folder` (``create=True``); if the block fails, remove the store it made.

    A folder that did not exist is removed whole (with any parents made for it), an empty
    folder is emptied again; an existing store is left as it is (its loads are all or
    nothing, graph by graph). Close the dataset inside the block: the store is removed
    after the block ends.

    >>> import tempfile
    >>> scratch = tempfile.TemporaryDirectory()
    >>> target = Path(scratch.name) / "new" / "store"
    >>> try:
    ...     with creating_store(target):
    ...         open_dataset("oxigraph", target).close()
    ...         raise InputError("a bad source")
    ... except InputError:
    ...     pass
    >>> (Path(scratch.name) / "new").exists()
    False
    >>> scratch.cleanup()
    """
    created = store_target(path)
    try:
        yield Path(path)
    except BaseException as exc:
        if created is not None:
            remove_created(created, exc)
        raise


def store_target(path: str | os.PathLike[str]) -> tuple[Path, bool] | None:
    """Check ``path`` with :func:`store_folder` (``create=True``); return what to remove if making the store there fails.

    The topmost folder that does not exist yet and ``False`` (removed whole), ``path``
    itself and ``True`` when it is an empty folder (emptied again), or ``None`` for an
    existing store (kept: its loads are all or nothing, graph by graph).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as scratch:
    ...     store_target(Path(scratch) / "a" / "b") == (Path(scratch).absolute() / "a", False)
    True
    """
    folder = store_folder(path, create=True)
    if not folder.exists():
        top = folder.absolute()
        while not top.parent.exists() and top.parent != top:
            top = top.parent
        return top, False
    if not any(folder.iterdir()):
        return folder, True
    return None


def remove_created(created: tuple[Path, bool], exc: BaseException) -> None:
    """Remove what a failed command put at a new or empty store folder.

    The frames of the failure are cleared first, so that nothing holds the store open
    and Oxigraph's last write on closing lands before the folder is emptied, not after.
    """
    import gc
    import shutil
    import traceback

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__
    gc.collect()
    folder, keep = created
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    elif folder.is_dir():
        for item in folder.iterdir():
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item, ignore_errors=True)
            else:
                with suppress(OSError):
                    item.unlink()


def oxigraph(graph: Graph) -> ox.Store | None:
    """The native :class:`pyoxigraph.Store` behind ``graph``, or ``None`` for other stores.

    >>> oxigraph(open_dataset()) is not None, oxigraph(open_dataset("memory"))
    (True, None)
    """
    store = getattr(graph, "store", None)
    return store._inner if isinstance(store, OxigraphStore) else None


def is_remote(graph: Graph) -> bool:
    """True if ``graph`` is backed by a remote SPARQL endpoint."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    return isinstance(getattr(graph, "store", None), SPARQLStore)


# --- loading --------------------------------------------------------------------

def _looks_like_content(source: Any) -> bool:
    return isinstance(source, str) and ("\n" in source or len(source) > 4096 or source.lstrip().startswith(("@", "<", "{", "[")))


def load(
    dataset: Dataset,
    source: str | bytes | os.PathLike[str],
    *,
    format: str | None = None,
    graph: str | URIRef | None = None,
    base: str | None = None,
    replace: bool = True,
    limits: Limits | None = None,
) -> int:
    """Load RDF into ``dataset``, all or nothing; return the number of statements loaded.

    Every input first passes :func:`clustergraph.store.parsing.check_input` (size, DTDs,
    JSON-LD depth and contexts) and is parsed with the same limits on every store.

    Parameters
    ----------
    source:
        A path, or the RDF content as ``bytes``/``str``.
    format:
        ``turtle``, ``nt``, ``nquads``, ``trig``, ``xml``, ``json-ld`` (or a file
        extension); guessed from the path's extension when omitted.
    graph:
        The named graph that receives the triples; ``None`` loads into the default
        graph (or, for N-Quads/TriG, into the graphs the file names).
    base:
        Base IRI for relative IRIs. Always set one: it defaults to the clustergraph
        data namespace so that no ``file:///`` IRI leaks into data.
    replace:
        Replace ``graph`` as a whole (the previous content stays if loading fails).
    limits:
        Input, literal and JSON nesting limits (:class:`~clustergraph.store.parsing.Limits`);
        default from the environment, else the built-in ones.

    Files above 32 MB go through Oxigraph's bulk loader; for N-Triples it
    inserts with the lenient parser while a second thread parses the same input
    strictly, so a big load uses both cores and is still checked as strictly as a
    small one.

    >>> ds = open_dataset("memory")
    >>> load(ds, b"<a> <p> <b> .", format="turtle", graph="http://ex.org/g", base="http://ex.org/")
    1
    >>> load(open_dataset(), b"<http://ex.org/a> <http://ex.org/p> .", format="nt", graph="http://ex.org/g")
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: <data>:1: malformed N-Triples at line 1, column 37: The object of a triple must be an IRI, a blank node or a literal; fix: correct the N-Triples syntax on line 1, or check that the file really is N-Triples
    >>> load(open_dataset("memory"), b'<!DOCTYPE r [<!ENTITY a "b">]><r/>', format="xml")
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: <data>:1: DTDs are refused because their entity declarations can expand a few bytes into gigabytes (billion laughs) or pull in local files (external entities); fix: remove the <!DOCTYPE ...> declaration and write each entity's text out in full (RDF/XML needs no DTD)
    """
    is_path = isinstance(source, os.PathLike) or (isinstance(source, str) and not _looks_like_content(source))
    fmt = _format_name(format, source if is_path else None)
    base = base or "https://w3id.org/clustergraph/id/"
    if is_path and not Path(source).is_file():  # type: ignore[arg-type]
        raise InputError("file not found", file=str(source), fix="check the path and the current directory")
    target = URIRef(str(graph)) if graph is not None else None
    checked = check_input(
        Path(source) if is_path else source,  # type: ignore[arg-type]
        format=FORMATS[fmt][0],
        name=str(source) if is_path else "<data>",
        limits=limits,
    )
    native = oxigraph(dataset)
    with progress.task(f"loading {Path(source).name} ({checked.size >> 20} MB)" if is_path else "loading", show=checked.size > 1 << 20):
        if native is not None:
            return _load_oxigraph(native, checked, fmt, target, base, replace, _folder(dataset))
        return _load_rdflib(dataset, checked, fmt, target, base, replace)


def _folder(dataset: Graph) -> Path | None:
    """The folder of an on-disk Oxigraph store behind ``dataset`` (``None`` in memory)."""
    return getattr(getattr(dataset, "store", None), "folder", None)


def _store_write_error(exc: BaseException, folder: Path | None) -> WriteError | None:
    """The :class:`WriteError` for ``exc`` if it is a write failure of the store in ``folder``, else ``None``.

    An error about another file (an input that cannot be read) is not the store's.
    """
    if folder is None or not is_write_error(exc):
        return None
    name = getattr(exc, "filename", None)
    if name is not None:
        where, root = Path(os.fsdecode(name)).absolute(), folder.absolute()
        if where != root and root not in where.parents:
            return None
    return write_error(exc, folder)  # type: ignore[arg-type]


def _drop(native: ox.Store, graph: ox.NamedNode | None) -> None:
    """Remove a staging graph after a failure; a second failure must not hide the first."""
    if graph is None:
        return
    with suppress(OSError):
        if native.contains_named_graph(graph):
            native.remove_graph(graph)


def _load_oxigraph(native: ox.Store, checked: Checked, fmt: str, target: URIRef | None, base: str, replace: bool, folder: Path | None = None) -> int:
    ox_format = FORMATS[fmt][0]
    staging = ox.NamedNode(f"urn:clustergraph:staging:{uuid.uuid4()}") if target is not None else None
    fresh = target is not None and fmt not in _DATASET_FORMATS and not native.contains_named_graph(ox.NamedNode(str(target)))
    if fresh:
        # Nothing to keep: load straight into the new graph (a failed load removes it),
        # which spares the copy that MOVE makes.
        staging = ox.NamedNode(str(target))
    kwargs: dict[str, Any] = {"format": ox_format, "base_iri": base}
    if staging is not None and fmt not in _DATASET_FORMATS:
        kwargs["to_graph"] = staging
    kwargs.update(checked.source)
    big = checked.size > _BULK_THRESHOLD
    if checked.literal_limit is not None and not checked.parser_checks_literals:
        # Oxigraph's own buffer does not hold this limit (RDF/XML, or a limit set lower):
        # read the input once before loading it.
        try:
            with parser_errors(checked):
                check_literals(
                    ((q.subject, q.predicate, q.object) for q in ox.parse(**checked.source, format=ox_format, base_iri=base, lenient=True)),
                    checked,
                )
        except SyntaxError as exc:
            raise syntax_error(exc, checked.name, checked.label, checked.data) from None
    before = len(native) if staging is None or fresh else 0
    try:
        with parser_errors(checked):
            if big and staging is not None and fmt in _CHECKED_BULK_FORMATS:
                _bulk_checked(native, kwargs, on_disk=folder is not None)
            elif big and staging is not None:
                native.bulk_load(**kwargs)
            else:
                native.load(**kwargs)
    except SyntaxError as exc:
        _drop(native, staging)
        raise syntax_error(exc, checked.name, checked.label, checked.data) from None
    except ClusterGraphError:
        _drop(native, staging)
        raise
    except (OSError, ValueError) as exc:
        _drop(native, staging)
        problem = _store_write_error(exc, folder)
        if problem is not None:
            raise problem from None
        raise StoreError(f"cannot load {checked.name}: {exc}", fix="check the file is readable RDF") from None
    if staging is None or fresh:  # only the new graph changed: counting the store is cheaper than counting the graph
        return len(native) - before
    try:
        count = _graph_size(native, staging)
        op = "MOVE" if replace else "ADD"
        native.update(f"{op} SILENT GRAPH <{staging.value}> TO GRAPH <{target}>")
        if native.contains_named_graph(staging):
            native.remove_graph(staging)
    except OSError as exc:
        _drop(native, staging)
        problem = _store_write_error(exc, folder)
        if problem is not None:
            raise problem from None
        raise
    return count


def _bulk_checked(native: ox.Store, kwargs: dict[str, Any], on_disk: bool = True) -> None:
    """Load into a named graph with Oxigraph's lenient parser while another thread parses strictly.

    Oxigraph's strict parser (IRIs, language tags, …) costs about a third of a bulk load
    and the insert cannot use a second core, so the two run side by side: the insert
    releases the GIL while the check walks the same input. The strict parser has the
    last word: if it finds a problem, its :class:`SyntaxError` (line and column) is
    raised and the caller removes the graph, exactly as for a strict load.

    An on-disk store takes Oxigraph's bulk loader (RocksDB files written directly). In
    memory both loaders insert quad by quad in one transaction (Oxigraph's memory store
    admits one writer at a time, and its bulk loader parses in parallel only with four
    cores or more), and the bulk loader also holds batches of a million parsed quads:
    ``Store.load`` inserts as it parses, for the same time and about 220 MB less at 1M
    triples (measured: 394 MB against 611 MB).
    """

    def strict() -> None:
        source = {"path": kwargs["path"]} if "path" in kwargs else {"input": kwargs["input"]}
        for _ in ox.parse(**source, format=kwargs["format"], base_iri=kwargs["base_iri"]):
            pass

    with ThreadPoolExecutor(max_workers=1) as pool:
        checking = pool.submit(strict)
        try:
            (native.bulk_load if on_disk else native.load)(**kwargs, lenient=True)
        except SyntaxError as lenient_error:
            problem = checking.exception()
            raise (problem if isinstance(problem, SyntaxError) else lenient_error) from None
        problem = checking.exception()
    if problem is not None:
        raise problem


def _graph_size(native: ox.Store, graph: ox.NamedNode) -> int:
    """The number of triples in one named graph, counted inside Oxigraph (no Python objects per triple)."""
    solutions = native.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
    return int(next(iter(solutions))[0].value)


# The memory store reads every format with Oxigraph's parser: strict (IRIs, escapes, literal
# subjects are refused), linear in time on long lines, and literals kept as written; rdflib's
# own parsers take invalid input and rewrite typed literals ("yes"^^xsd:boolean becomes
# "false", "2024-01-01Z"^^xsd:date loses its zone).


def _load_rdflib(dataset: Dataset, checked: Checked, fmt: str, target: URIRef | None, base: str, replace: bool) -> int:
    """Parse with Oxigraph (checked, literals as written), then add the distinct quads to the rdflib store."""
    try:
        raw = parse(checked, base=base, rename_blank_nodes=True)
    except ClusterGraphError:
        raise
    except Exception as exc:  # SyntaxError, with its line and column
        raise syntax_error(exc, checked.name, checked.label, checked.data) from None
    keep_graphs = fmt in _DATASET_FORMATS and target is None
    default = target if target is not None else DATASET_DEFAULT_GRAPH_ID
    items = {
        (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object), from_oxigraph(q.graph_name) if keep_graphs else default)
        for q in raw
    }
    if target is not None and replace:
        dataset.remove_graph(target)
    graphs: dict[Any, Graph] = {}

    def graph_of(name: Any) -> Graph:
        if name not in graphs:
            graphs[name] = dataset.default_graph if name == DATASET_DEFAULT_GRAPH_ID else dataset.graph(name)
        return graphs[name]

    dataset.addN((s, p, o, graph_of(g)) for s, p, o, g in items)  # type: ignore[misc]
    return len(items)


def read_graph(
    source: str | bytes | os.PathLike[str],
    *,
    format: str | None = None,
    base: str | None = None,
    limits: Limits | None = None,
) -> Graph:
    """Parse RDF into a new plain rdflib :class:`~rdflib.Graph`, through the same checks as :func:`load`.

    For the side inputs that are not data (SHACL shapes, an ontology given by the
    user): they pass the same boundary (DTDs refused, JSON-LD contexts bundled only,
    nesting, size and literal limits) instead of ``Graph().parse``, which would
    expand entities and fetch contexts. Named graphs are merged.

    >>> g = read_graph(b'@prefix ex: <http://ex.org/> . ex:a ex:p [ ex:q "x" ] .', format="turtle")
    >>> len(g)
    2
    """
    dataset = open_dataset("memory")
    load(dataset, source, format=format, base=base, limits=limits)
    return union(dataset)


def replace_graph(dataset: Dataset, graph: str | URIRef, triples: Iterable[Any]) -> int:
    """Replace the named ``graph`` with ``triples`` in one step; return how many were written.

    ``triples`` are rdflib ``(s, p, o)`` tuples, or Oxigraph :class:`~pyoxigraph.Quad` or
    :class:`~pyoxigraph.Triple` objects (their graph is ignored), which go into an Oxigraph
    store without a conversion.

    >>> ds = open_dataset()
    >>> replace_graph(ds, "http://ex.org/g", [(URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal(1))])
    1
    """
    target = URIRef(str(graph))
    native = oxigraph(dataset)
    if native is not None:
        # A graph the store does not hold yet is written directly (extend is one transaction);
        # one that exists is replaced through a staging graph, so a failure keeps it whole.
        fresh = not native.contains_named_graph(ox.NamedNode(str(target)))
        staging = ox.NamedNode(str(target) if fresh else f"urn:clustergraph:staging:{uuid.uuid4()}")
        quads = (
            ox.Quad(t.subject, t.predicate, t.object, staging)
            if isinstance(t, (ox.Quad, ox.Triple))
            else ox.Quad(to_oxigraph(t[0]), to_oxigraph(t[1]), to_oxigraph(t[2]), staging)
            for t in triples
        )
        try:
            native.extend(quads)  # one transaction, fed by a generator: no second list of quads
            count = _graph_size(native, staging)
            if fresh:
                return count
            native.update(f"MOVE SILENT GRAPH <{staging.value}> TO GRAPH <{target}>")
        except BaseException as exc:
            _drop(native, staging)
            problem = _store_write_error(exc, _folder(dataset)) if isinstance(exc, OSError) else None
            if problem is not None:
                raise problem from None
            raise
        return count
    new = Graph()
    for t in triples:
        if isinstance(t, (ox.Quad, ox.Triple)):
            t = (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object))  # noqa: PLW2901
        new.add(t)
    dataset.remove_graph(target)
    dataset.graph(target).__iadd__(new)
    return len(new)


# --- copying and writing --------------------------------------------------------


def quads(graph: Graph) -> Iterator[tuple[Node, Node, Node, Node]]:
    """Every quad of ``graph`` as rdflib terms, whatever the store behind it.

    Triples of a plain ``Graph`` (or of the default graph) come with
    ``DATASET_DEFAULT_GRAPH_ID`` as their graph.

    >>> from rdflib import URIRef
    >>> ds = open_dataset()
    >>> ds.graph(URIRef("urn:g")).add((URIRef("urn:s"), URIRef("urn:p"), URIRef("urn:o")))  # doctest: +ELLIPSIS
    <Graph identifier=urn:g ...>
    >>> [str(t) for t in next(quads(ds))]
    ['urn:s', 'urn:p', 'urn:o', 'urn:g']
    """
    native = oxigraph(graph)
    if native is not None:
        for q in native.quads_for_pattern(None, None, None, None):
            yield from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object), from_oxigraph(q.graph_name)  # type: ignore[misc]
    elif isinstance(graph, Dataset):
        for s, p, o, g in graph.quads((None, None, None, None)):
            yield s, p, o, (g.identifier if isinstance(g, Graph) else g) or DATASET_DEFAULT_GRAPH_ID
    else:
        for s, p, o in graph:
            yield s, p, o, DATASET_DEFAULT_GRAPH_ID


def to_memory(graph: Graph) -> Dataset:
    """Copy ``graph`` (any store) into a new rdflib memory :class:`~rdflib.Dataset`, graph names kept.

    pySHACL and rdflib's own algorithms need this store.

    >>> ds = open_dataset()
    >>> _ = load(ds, b'<http://ex.org/a> <http://ex.org/p> "x" .', format="nt", graph="http://ex.org/g")
    >>> len(to_memory(ds))
    1
    """
    out = open_dataset("memory")
    by_graph: dict[Node, list[tuple[Node, Node, Node]]] = {}
    for s, p, o, g in quads(graph):
        by_graph.setdefault(g, []).append((s, p, o))
    for g, triples in by_graph.items():
        dest = out.default_graph if g == DATASET_DEFAULT_GRAPH_ID else out.graph(g)
        for t in triples:
            dest.add(t)
    return out


def union(graph: Graph) -> Graph:
    """All triples of ``graph`` (every named graph merged, duplicates removed) as a plain rdflib Graph."""
    out = bind_prefixes(Graph())
    native = oxigraph(graph)
    if native is not None:
        for t in native.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True):
            out.add((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)))
        return out
    for s, p, o, _ in quads(graph):
        out.add((s, p, o))
    return out


def dump(graph: Graph, path: str | os.PathLike[str], format: str | None = None) -> Path:
    """Write ``graph`` to ``path`` atomically and return the path.

    Triple formats (Turtle, N-Triples, RDF/XML, JSON-LD) get the union of all named
    graphs; dataset formats (N-Quads, TriG) keep the graph names. N-Triples and
    N-Quads come out sorted, so equal data gives byte-identical files.

    >>> import tempfile, pathlib
    >>> ds = open_dataset()
    >>> _ = load(ds, b'<http://ex.org/a> <http://ex.org/p> "x" .', format="nt", graph="http://ex.org/g")
    >>> p = dump(ds, pathlib.Path(tempfile.mkdtemp()) / "out.nt")
    >>> p.read_text()
    '<http://ex.org/a> <http://ex.org/p> "x" .\\n'
    """
    fmt = _format_name(format, path)
    target = Path(path)
    dataset_format = fmt in _DATASET_FORMATS
    lines = _sorted_lines(graph, "nquads" if dataset_format else "nt")
    if fmt in ("nt", "nquads"):
        with atomic_write(target, "wb") as fh:
            fh.writelines(lines)
        return target
    # Every other format is written by Oxigraph from the same sorted lines: literals keep
    # their lexical form ("258437"^^xsd:decimal stays so; rdflib's writers would write
    # 258437.0, turn "1"^^xsd:boolean into true, NaN into a bare token that is not JSON,
    # and drop blank nodes that only refer to each other), and equal data gives equal files.
    items: Any = ox.parse(input=b"".join(lines), format=ox.RdfFormat.N_QUADS if dataset_format else ox.RdfFormat.N_TRIPLES)
    if fmt == "xml":
        items = list(items)
        _check_xml(items)
    # Data IRIs (cgid:project/cecil) would need an escaped slash in a prefixed
    # name, which older Turtle parsers reject: they are written in full.
    prefixes = {k: str(v) for k, v in PREFIXES.items() if k not in ("cgid", "cggraph")}
    data = ox.serialize(items, format=FORMATS[fmt][0], prefixes=prefixes if fmt in ("turtle", "trig", "xml") else None)
    if fmt == "xml":
        data = data.replace(b"\r", b"&#13;")  # a raw CR would be read back as LF (XML 1.0, 2.11)
    with atomic_write(target, "wb") as fh:
        fh.write(data)
    return target


def _sorted_lines(graph: Graph, fmt: str) -> list[bytes]:
    """The N-Triples (union of all graphs) or N-Quads of ``graph`` as sorted distinct lines, any store."""
    native = oxigraph(graph)
    if native is not None:
        return _native_lines(native, fmt)
    if fmt == "nt":
        text = {_nt_line(s, p, o) for s, p, o, _ in quads(graph)}
    else:
        text = {_nt_line(s, p, o, g) for s, p, o, g in quads(graph)}
    return sorted(line.encode("utf-8") for line in text)


#: Characters XML 1.0 cannot hold even as character references (C0 controls but tab, LF, CR; U+FFFE, U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EMPTY_LOCAL_NAME = re.compile(rb"<[A-Za-z_][\w.\-]*:[\s/>]")


def _check_xml(triples: list[ox.Quad]) -> None:
    """Refuse what RDF/XML cannot write: a predicate with no XML local name, a literal with a C0 control character."""
    predicates: set[str] = set()
    for t in triples:
        predicates.add(t.predicate.value)
        if isinstance(t.object, ox.Literal) and _XML_ILLEGAL.search(t.object.value):
            char = _XML_ILLEGAL.search(t.object.value).group()  # type: ignore[union-attr]
            raise StoreError(
                f"RDF/XML cannot hold the literal {str(t.object)[:80]} of <{t.subject.value if isinstance(t.subject, ox.NamedNode) else t.subject}> "
                f"<{t.predicate.value}>: it contains the control character U+{ord(char):04X}, which XML 1.0 forbids even escaped",
                fix="write Turtle, N-Triples or JSON-LD instead, or remove the control character from the data",
            )
    probe = ox.NamedNode("urn:clustergraph:probe")
    for predicate in sorted(predicates):
        written = ox.serialize([ox.Triple(probe, ox.NamedNode(predicate), probe)], format=ox.RdfFormat.RDF_XML)
        if _EMPTY_LOCAL_NAME.search(written):
            raise StoreError(
                f"RDF/XML cannot write the predicate <{predicate}>: it does not end with an XML name "
                "(RDF/XML writes each predicate as namespace plus local name; this one ends with '/', '#', a digit or another character no XML name starts with)",
                fix="write Turtle, N-Triples or JSON-LD instead, or rename the predicate",
            )


def _native_lines(native: ox.Store, fmt: str) -> list[bytes]:
    """Oxigraph's own N-Triples (the union of all graphs) or N-Quads, as sorted distinct lines.

    Sorted as bytes, which for UTF-8 is the code point order the rdflib path below sorts
    by. Terms are as Oxigraph stores them: a typed literal of a datatype it knows comes
    out in its canonical form (``"2024-01-01T00:00:00Z"``, where a literal built in rdflib
    from a Python datetime reads ``+00:00``).
    """
    if fmt == "nquads":
        lines = native.dump(format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    else:  # graph by graph: three times faster than a CONSTRUCT over the union
        lines = []
        for graph in [ox.DefaultGraph(), *native.named_graphs()]:
            lines += native.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).splitlines(keepends=True)
    lines.sort()  # each graph comes out nearly sorted, which Python's sort exploits
    return [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]


def _nt_line(s: Node, p: Node, o: Node, g: Node | None = None) -> str:
    """One N-Triples (N-Quads) line, each term written by Oxigraph: a term that is not valid RDF is a StoreError."""
    parts = [str(to_oxigraph(s)), str(to_oxigraph(p)), str(to_oxigraph(o))]
    if g is not None and g != DATASET_DEFAULT_GRAPH_ID:
        parts.append(str(to_oxigraph(g)))
    return " ".join(parts) + " .\n"


# --- pushed-down queries --------------------------------------------------------


def select(
    graph: Graph,
    sparql: str,
    bindings: Mapping[str, Node] | None = None,
    *,
    allow_network: offline.AllowNetwork = None,
) -> tuple[list[str], list[tuple[Node | None, ...]]]:
    """Run a SPARQL SELECT where the data lives; return (variable names, rows of rdflib terms).

    Parameters are bound as a ``VALUES`` block at the start of the WHERE group
    (:func:`clustergraph.bindings.inject_values`), never pasted into the query text. On Oxigraph the default graph is
    the union of the named graphs.

    The query is offline unless ``allow_network`` (or an enclosing
    :func:`clustergraph.store.offline.allow_network` block) names the host of a
    ``SERVICE``; ``FROM`` may name only graphs the dataset holds
    (:func:`clustergraph.store.offline.check_query`). A remote store is left to decide.

    >>> select(open_dataset(), "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    clustergraph.errors.QueryError: the query calls SERVICE <http://127.0.0.1:9/sparql>, but clustergraph reaches no host unless asked; fix: remove the SERVICE clause, or allow the host with --allow-network 127.0.0.1 (allow_network='127.0.0.1' in Python)

    >>> ds = open_dataset()
    >>> _ = load(ds, b'<http://ex.org/a> <http://ex.org/p> 1 .', format="turtle", graph="http://ex.org/g")
    >>> select(ds, "SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal(1)})
    (['s'], [(rdflib.term.URIRef('http://ex.org/a'),)])
    """
    bindings = dict(bindings or {})
    text = inject_values(sparql, bindings)
    native = oxigraph(graph)
    if not is_remote(graph):
        offline.check_query(
            text,
            allow_network=allow_network,
            graphs=graph_test(native if native is not None else graph),
            prefixes={k: str(v) for k, v in graph.namespaces()},
        )
    if native is not None:
        prefixes = {k: str(v) for k, v in graph.namespaces()}

        def run() -> tuple[list[str], list[tuple[Node | None, ...]]]:
            try:
                result = native.query(text, use_default_graph_as_union=True, prefixes=prefixes)
            except SyntaxError as exc:
                raise QueryError(f"malformed SPARQL: {exc}", fix="correct the query text") from None
            if not isinstance(result, ox.QuerySolutions):
                raise QueryError("select() runs SELECT queries only", fix="use graph.query() for ASK and CONSTRUCT")
            names = [v.value for v in result.variables]
            return names, [tuple(from_oxigraph(solution[i]) for i in range(len(names))) for solution in result]

        endpoints = offline.calls_service(text)
        # A SERVICE runs in Rust with no timeout of its own: the query gets one (offline.run_with_timeout)
        return offline.run_with_timeout(run, endpoints) if endpoints else run()
    # VALUES rather than initBindings: rdflib's initBindings do not reach variables
    # bound inside sub-queries or BIND, so the two stores would disagree.
    if is_remote(graph):
        res = graph.query(text)
    else:
        try:
            with offline.guard(allow_network):
                res = graph.query(text)
                res.bindings  # rdflib evaluates lazily: run the query inside the guard
        except (TimeoutError, URLError) as exc:
            if not isinstance(exc, TimeoutError) and not isinstance(getattr(exc, "reason", None), TimeoutError):
                raise
            endpoints = ", ".join(f"<{e}>" for e in offline.calls_service(text)) or "a host"
            raise QueryError(
                f"SERVICE {endpoints} did not answer within {offline.current_service_timeout():g} s",
                fix=f"try again later, or give it longer with {offline.SERVICE_TIMEOUT_ENV}=SECONDS (service_timeout(...) in Python)",
            ) from None
    names = [str(v) for v in res.vars or []]
    return names, [tuple(row) for row in res]  # type: ignore[arg-type]
