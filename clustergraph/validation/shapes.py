"""Loading SHACL shapes (the shipped ones or the user's) and refusing a ``SERVICE`` to a host nobody named."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal
from rdflib.namespace import SH

from ..errors import InputError, ShapesError
from ..namespaces import PREFIXES
from ..resources import shapes_dir
from ..store.parsing import check_input

__all__ = ["SHAPES", "check_shapes_safety", "load_shapes"]

#: Namespace of the shipped shapes.
SHAPES = "https://w3id.org/clustergraph/shapes#"

_RDF_SUFFIXES = {".ttl", ".turtle", ".nt", ".n3", ".nq", ".trig", ".rdf", ".xml", ".owl", ".jsonld"}
_SPARQL_KEYS = (SH.select, SH.ask, SH.construct, SH.update)
_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?(<[^>]*>|[?$]\w+|\w*:\w*)", re.IGNORECASE)


def _shape_files(source: str | os.PathLike[str]) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _RDF_SUFFIXES and p.is_file())
        if not files:
            raise ShapesError(f"no shapes files (*.ttl) in {path}", fix="point --shapes at a directory of Turtle files or at one file")
        return files
    if path.is_file():
        return [path]
    raise ShapesError(f"shapes not found: {path}", fix="check the --shapes path")


def _parse_shapes(files: Sequence[Path]) -> Graph:
    graph = Graph()
    for file in files:
        fmt = "json-ld" if file.suffix == ".jsonld" else _guess(file)
        try:
            # the input boundary first: no DTD, no context from elsewhere, bounded nesting and size
            checked = check_input(file, format=fmt)
        except InputError as exc:
            text = str(exc).removesuffix(f"; fix: {exc.fix}" if exc.fix else "")
            raise ShapesError(f"the shapes file is refused: {text}", fix=exc.fix) from None
        try:
            if checked.data is not None:
                graph.parse(data=checked.data, format=fmt, publicID=file.resolve().as_uri())
            else:
                graph.parse(file, format=fmt)
        except Exception as exc:  # rdflib raises parser-specific exception types
            line = getattr(exc, "lineno", None) or _line_of(str(exc))
            where = f"{file}" + (f":{line}" if line else "")
            raise ShapesError(f"{where}: the shapes file is not valid RDF: {_syntax_detail(exc)}", fix="correct the syntax at that line") from None
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=False)
    graph.bind("cgsh", SHAPES, override=False)
    return graph


def _syntax_detail(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith("bad syntax"):
            return line.split(" at ^", 1)[0]
    return lines[0] if lines else type(exc).__name__


def _guess(file: Path) -> str:
    from rdflib.util import guess_format

    return guess_format(str(file)) or "turtle"


def _line_of(text: str) -> int | None:
    m = re.search(r"line (\d+)", text) or re.search(r"at line:? ?(\d+)", text)
    return int(m.group(1)) if m else None


@lru_cache(maxsize=8)
def _cached_shapes(key: tuple[tuple[str, int, int], ...]) -> Graph:
    return _parse_shapes([Path(p) for p, _, _ in key])


def load_shapes(source: str | os.PathLike[str] | Graph | None = None) -> Graph:
    """Load SHACL shapes: the shipped ones (``None``), a directory of files, one file, or a graph.

    Files are parsed once and cached until they change; do not modify the graph
    returned for the shipped shapes.

    Raises
    ------
    ShapesError
        If a file is missing or not valid RDF (with the file and line).

    >>> from rdflib import URIRef
    >>> from rdflib.namespace import RDF
    >>> g = load_shapes()
    >>> (URIRef(SHAPES + "ProjectBudgetRule"), RDF.type, SH.NodeShape) in g
    True
    """
    if isinstance(source, Graph):
        return source
    files = _shape_files(shapes_dir() if source is None else source)
    key = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _cached_shapes(key)


def check_shapes_safety(shapes: Graph, *, allow_service_hosts: Iterable[str] = ()) -> None:
    """Refuse shapes whose SPARQL would call a ``SERVICE`` at a host not named in ``allow_service_hosts``.

    Every literal of the shapes graph is scanned (``sh:select``, ``sh:ask``,
    ``sh:construct``, ``sh:update`` and SHACL-AF expressions alike). A ``SERVICE``
    whose endpoint is a variable is always refused.

    Raises
    ------
    ShapesError

    >>> g = Graph().parse(format="turtle", data='''
    ...   @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...   [] sh:select "SELECT $this WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }" .''')
    >>> check_shapes_safety(g)
    Traceback (most recent call last):
    ...
    clustergraph.errors.ShapesError: a shape's SPARQL calls SERVICE <http://evil.example/sparql>, a host nobody named; fix: remove the SERVICE clause, or name the host with --allow-service-host evil.example if you trust it
    >>> check_shapes_safety(g, allow_service_hosts=["evil.example"])
    """
    allowed = {h.lower() for h in allow_service_hosts}
    for _, _, text in shapes.triples((None, None, None)):
        if not isinstance(text, Literal) or "service" not in str(text).lower():
            continue
        for match in _SERVICE.finditer(str(text)):
            target = match.group(1)
            host = urlsplit(target[1:-1]).hostname if target.startswith("<") else None
            if host is None or host.lower() not in allowed:
                raise ShapesError(
                    f"a shape's SPARQL calls SERVICE {target}, a host nobody named",
                    fix=f"remove the SERVICE clause, or name the host with --allow-service-host {host} if you trust it"
                    if host
                    else "remove the SERVICE clause (a SERVICE at a variable endpoint is never allowed)",
                )
