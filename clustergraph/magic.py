"""The ``%sparql`` and ``%%sparql`` magics for Jupyter and IPython (``%load_ext clustergraph``).

A cell magic runs the SPARQL text of its cell; a line magic runs a named query of the
library with ``key=value`` parameters::

    %load_ext clustergraph

    %%sparql --out budgets
    PREFIX cg: <https://w3id.org/clustergraph/ontology#>
    SELECT ?acronym ?budget WHERE { ?p cg:acronym ?acronym ; cg:totalBudget ?budget }

    %sparql labels-on-date date=2017-06-30 level=cg:Gold
    %sparql projects-in-year year=$year          # the Python variable `year`

The answer is a pandas DataFrame (``--labels`` adds the labels of IRIs, ``--compact``
shortens IRIs), or the :class:`~clustergraph.query.QueryResult` with ``--result``;
``--out NAME`` stores it in the notebook variable ``NAME`` instead of showing it.
The data is the embedded dataset (opened once per session), ``--data FILE`` (repeatable,
read at each run), an on-disk store ``--store DIR`` (opened once) or a SPARQL endpoint
``--endpoint URL [--graph IRI]``.

Values are bound, never pasted: ``key=$name`` (line magic or ``--param`` of the cell
magic) takes the Python value of ``name`` and binds it as an RDF term in a ``VALUES``
block (:func:`clustergraph.bindings.inject_values`, through
:func:`clustergraph.query.run`); the query text is never formatted with it.

>>> args = parse_line("--out df --param year=$year labels-on-date date=2017-06-30")
>>> args.out, args.params, args.name, args.pairs
('df', ['year=$year'], 'labels-on-date', ['date=2017-06-30'])
>>> resolve_params(["year=$year", "level=cg:Gold"], {"year": 2016})
{'year': 2016, 'level': 'cg:Gold'}
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import ClusterGraphError, ParameterError

__all__ = ["SparqlMagics", "load_ipython_extension", "parse_line", "resolve_params", "open_source"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ParameterError(f"%sparql: {message}", fix="see %sparql? for the options")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="%sparql", add_help=False)
    p.add_argument("--out", default=None)
    p.add_argument("--param", "-p", dest="params", action="append", default=[])
    p.add_argument("--data", action="append", default=[])
    p.add_argument("--store", default=None)
    p.add_argument("--endpoint", default=None)
    p.add_argument("--graph", default=None)
    p.add_argument("--labels", action="store_true")
    p.add_argument("--compact", action="store_true")
    p.add_argument("--result", action="store_true")
    p.add_argument("name", nargs="?", default=None)
    p.add_argument("pairs", nargs="*", default=[])
    return p


def parse_line(line: str) -> argparse.Namespace:
    """The options and ``key=value`` pairs of a magic's line."""
    return _parser().parse_args(shlex.split(line))


def resolve_params(pairs: Sequence[str], namespace: Mapping[str, Any]) -> dict[str, Any]:
    """``key=value`` pairs as parameters; ``key=$name`` takes the Python value of ``name``.

    The values go to :func:`clustergraph.query.run`, which checks them against the
    query's parameter types and binds them as RDF terms.
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"%sparql: {pair!r} is not key=value", fix="write e.g. date=2017-06-30 or year=$year")
        if value.startswith("$") and value[1:].isidentifier():
            if value[1:] not in namespace:
                raise ParameterError(f"%sparql: no Python variable {value[1:]!r} for parameter {key!r}", fix=f"define {value[1:]} first")
            out[key.strip()] = namespace[value[1:]]
        else:
            out[key.strip()] = value
    return out


_CACHE: dict[tuple[Any, ...], Any] = {}


def open_source(args: argparse.Namespace) -> Any:
    """The dataset a magic queries: the embedded dataset (kept for the session), files, a store or an endpoint."""
    from .query.execution import open_data

    if args.endpoint:
        if args.data or args.store:
            raise ClusterGraphError("%sparql: --endpoint excludes --data and --store", fix="keep one of them")
        from .store.remote import open_remote

        return open_remote(args.endpoint, graph=args.graph)
    if args.graph:
        raise ClusterGraphError("%sparql: --graph only applies with --endpoint", fix="add --endpoint URL or drop --graph")
    if args.data and args.store:
        raise ClusterGraphError("%sparql: --data and --store exclude each other", fix="keep one of them")
    if args.store:
        from .store import store_folder

        store_folder(Path(args.store), create=False)
    if args.data:  # read again each time: the files may have changed since
        for item in args.data:
            if not Path(item).is_file():
                raise ClusterGraphError(f"%sparql: {item}: file not found", fix="check the path given to --data")
        return open_data(list(args.data))
    key = ("store", str(Path(args.store).resolve())) if args.store else ("embedded",)
    if key not in _CACHE:
        _CACHE[key] = open_data(None, path=args.store)
    return _CACHE[key]


def _answer(args: argparse.Namespace, query: Any, params: dict[str, Any]) -> Any:
    from .query.execution import run

    result = run(open_source(args), query, params)
    return result if args.result else result.to_dataframe(labels=args.labels, compact=args.compact)


try:  # only when IPython is there: the module stays importable (and documented) without it
    from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
except ImportError:  # pragma: no cover - IPython is there wherever the magic is loaded
    Magics = object  # type: ignore[assignment,misc]

    def magics_class(cls):  # type: ignore[no-untyped-def]
        return cls

    def line_cell_magic(func):  # type: ignore[no-untyped-def]
        return func

    no_var_expand = line_cell_magic


@magics_class
class SparqlMagics(Magics):  # type: ignore[misc,valid-type]
    """``%sparql NAME key=value ...`` (a named query) and ``%%sparql [options]`` (the cell's SPARQL)."""

    @no_var_expand  # IPython would paste $name into the line; the magic binds it instead
    @line_cell_magic
    def sparql(self, line: str, cell: str | None = None) -> Any:
        namespace = self.shell.user_ns
        try:
            args = parse_line(line)
            if cell is None:
                if args.name is None:
                    raise ParameterError("%sparql: give a query name (see clustergraph.list_queries())", fix="e.g. %sparql projects-per-call")
                query: Any = args.name
                pairs = list(args.params) + list(args.pairs)
            else:
                if args.name is not None:
                    raise ParameterError(f"%%sparql: unexpected {args.name!r} on the magic's line", fix="give parameters as --param key=value")
                query, pairs = cell, list(args.params)
            answer = _answer(args, query, resolve_params(pairs, namespace))
        except ClusterGraphError as exc:
            # IPython shows a UsageError as one line, as the command line does, not a traceback
            from IPython.core.error import UsageError

            raise UsageError(f"clustergraph: {exc}") from None
        if args.out:
            namespace[args.out] = answer
            return None
        return answer


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics (``%load_ext clustergraph`` calls this)."""
    ipython.register_magics(SparqlMagics)
