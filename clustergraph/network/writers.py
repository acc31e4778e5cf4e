"""Streaming GraphML and GEXF writers: networkx's files, written element by element.

networkx's :func:`~networkx.write_graphml` and :func:`~networkx.write_gexf` build
the whole document as an ElementTree before writing a byte (half a minute and
gigabytes for a network of 600,000 collaborations). These writers make one pass
over the attributes to declare their keys, then write each node and edge as a
line of text, with the same keys, types, ids and escaping, so that
:func:`networkx.read_graphml` and :func:`networkx.read_gexf` read back exactly
what they read from networkx's own files. A GEXF graph that uses what this
writer does not (``viz``, ``start``/``end``, ``parents``, ``spells``, list
values, a multigraph, node ``pid``) is handed to networkx's writer.

>>> import io, networkx as nx
>>> G = nx.Graph(name="demo")
>>> G.add_edge("a&b", "c", weight=2, projects="p1;p2")
>>> out = io.BytesIO()
>>> write_graphml(G, out)
>>> sorted(nx.read_graphml(io.BytesIO(out.getvalue())).edges(data=True))
[('a&b', 'c', {'weight': 2, 'projects': 'p1;p2'})]
>>> out = io.BytesIO()
>>> write_gexf(G, out)
>>> sorted(nx.read_gexf(io.BytesIO(out.getvalue())).edges(data=True))
[('a&b', 'c', {'projects': 'p1;p2', 'id': '0', 'weight': 2.0})]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import json
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice, repeat
from operator import itemgetter
from typing import IO, Any

import networkx as nx

from ..spreadsheet import FORMULA_STARTS, safe_cell

__all__ = ["write_graphml", "write_gexf", "write_node_link", "write_csv", "write_table", "gc_paused"]

#: Bytes buffered before each write to the file.
_CHUNK = 1 << 20

#: Nodes or edges formatted together, column by column.
_BATCH = 50_000


def _text(value: str) -> str:
    """Character data, escaped as ElementTree escapes it."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


_TEXT_SPECIAL = re.compile("[&<>]").search


def _finder(characters: str) -> Callable[[str], bool]:
    """A test whether a text holds any of ``characters``: one fast substring scan each, quicker than a regex on long texts."""
    return lambda text: any(c in text for c in characters)


_TEXT_ANY = _finder("&<>")


def _data(value: Any) -> str:
    """A value as networkx writes it into GraphML character data: ``str()``, escaped."""
    kind = type(value)
    if kind is int or kind is float:
        return str(value)
    text = value if kind is str else str(value)
    return _text(text) if _TEXT_SPECIAL(text) else text


_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"})
_SPECIAL = re.compile('[&<>"\n\r\t]').search
_ATTRIBUTE_ANY = _finder('&<>"\n\r\t')


def _attr(value: str) -> str:
    """An attribute value, escaped as ElementTree escapes it."""
    return value.translate(_ATTRIBUTE) if _SPECIAL(value) else value


def _types(writer: Any) -> dict[type, str]:
    return dict(writer.xml_type)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (reference counting still frees).

    Writing or building a network of 600,000 edges makes millions of short-lived
    objects; each burst sets off collections that walk every object of the process,
    the whole graph included, and cost more than the writing itself (four times the
    JSON writer's time, measured). The writers create no reference cycles; what a
    block leaves behind is collected when it ends.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unhurried(function: Callable[..., None]) -> Callable[..., None]:
    """``function`` run with the cyclic garbage collector paused (:func:`gc_paused`)."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> None:
        with gc_paused():
            function(*args, **kwargs)

    return run


# --- column by column ----------------------------------------------------------------------
#
# A network's nodes and edges mostly carry the same attributes with the same types. The
# writers below take them in batches, group a batch by that signature (the attribute names
# and their types, in order), and format each group column by column: one C-level pass per
# column (``map(str, ...)``, one scan for characters to escape over the whole column) and one
# ``%`` template per row, instead of a Python function call per value.

_Signature = tuple[tuple[Any, ...], tuple[type, ...]]


def _batches(items: Iterable[Any], size: int = _BATCH) -> Iterator[list[Any]]:
    found = iter(items)
    while batch := list(islice(found, size)):
        yield batch


def _edges(G: nx.Graph) -> Iterator[tuple[Any, Any, dict[Any, Any]]]:
    """``G.edges(data=True)``, in the same order; read from the adjacency dicts in C-level passes
    when ``G`` is a plain :class:`networkx.Graph` or :class:`networkx.DiGraph` (the edge view
    costs a Python generator step per edge)."""
    import numpy as np

    adj = getattr(G, "_adj", None)
    if type(G) not in (nx.Graph, nx.DiGraph) or type(adj) is not dict:
        return iter(G.edges(data=True))
    nodes = list(adj)
    sizes = list(map(len, adj.values()))
    targets = list(chain.from_iterable(adj.values()))
    datas = list(chain.from_iterable(map(dict.values, adj.values())))
    sources = list(chain.from_iterable(map(repeat, nodes, sizes)))
    if G.is_directed():
        return zip(sources, targets, datas)
    # an undirected edge is met from both ends: keep it where networkx's view yields it, from
    # the end that comes first in the graph's node order
    position = {node: i for i, node in enumerate(nodes)}
    first = np.repeat(np.arange(len(nodes), dtype=np.int64), sizes)
    other = np.fromiter(map(position.__getitem__, targets), np.int64, len(targets))
    keep = np.flatnonzero(other >= first).tolist()
    return zip(map(sources.__getitem__, keep), map(targets.__getitem__, keep), map(datas.__getitem__, keep))


def _escaped(values: list[str], special: Callable[[str], Any], escape: Callable[[str], str]) -> list[str]:
    """``values`` escaped by ``escape`` where ``special`` finds a character to escape, in one scan when possible."""
    if not values:
        return values
    joined = "\x00".join(values)
    if not special(joined):
        return values
    if joined.count("\x00") == len(values) - 1:  # no value holds the separator: escape them all at once
        return escape(joined).split("\x00")
    return [escape(v) if special(v) else v for v in values]


#: A row layout: the literal text around the columns (one piece more than columns),
#: the attributes taken, in order, and the formatter of each one's column.
_Plan = tuple[list[str], tuple[Any, ...], list[Callable[[list[Any], type], list[str]]]]


class _Quoted(list):  # type: ignore[type-arg]
    """A formatted column whose cells go between double quotes, which the row's pieces then hold."""


def _pieces(template: str) -> list[str]:
    """The literal pieces of a ``%s`` template (no other ``%`` in it)."""
    return template.split("%s")


def _rows(pieces: list[str], columns: list[list[str]], n: int, joined: bool) -> Any:
    """The rows' text: ``pieces`` interleaved with the columns, as one string or one string per row."""
    parts: list[Iterable[str]] = []
    for literal, column in zip(pieces, columns):
        parts.append(repeat(literal, n))
        parts.append(column)
    parts.append(repeat(pieces[-1], n))
    rows = zip(*parts)
    return "".join(chain.from_iterable(rows)) if joined else list(map("".join, rows))


def _render(
    heads: list[list[str]], datas: list[dict[Any, Any]], layout: Callable[[_Signature], _Plan | None], cache: dict[_Signature, Any], *, last: bool = False
) -> str | None:
    """Rows of ``heads`` (text columns) and an attribute dict each, formatted by their signature's layout.

    The signature is the attribute names and their value types, in order; rows are
    grouped by it, and each group is formatted column by column. ``layout(signature)``
    gives the row's pieces around the columns (the heads first, then the attributes it
    takes; the heads last if ``last``), or ``None`` when the writer cannot format that
    signature (the caller falls back). ``cache`` keeps the layouts from batch to batch.
    Returns the rows' text, in their order.
    """
    n = len(datas)
    if not n:
        return ""
    names = list(map(tuple, datas))
    if names.count(names[0]) == n:
        by_names: dict[tuple[Any, ...], list[int] | None] = {names[0]: None}
    else:
        by_names = {}
        for i, key in enumerate(names):
            found = by_names.get(key)
            if found is None:
                by_names[key] = [i]
            else:
                found.append(i)
    # split each group by the value types of its columns; one group of one signature is the usual case
    groups: list[tuple[_Signature, list[int] | None, list[list[Any]]]] = []
    for key, members in by_names.items():
        part = datas if members is None else [datas[i] for i in members]
        values = list(map(itemgetter(*key), part)) if len(key) > 1 else [d[key[0]] for d in part] if key else []
        columns = [list(c) for c in zip(*values)] if len(key) > 1 else [values] if key else []
        kinds = [set(map(type, c)) for c in columns]
        if all(len(k) == 1 for k in kinds):
            groups.append(((key, tuple(k.pop() for k in kinds)), members, columns))
            continue
        by_types: dict[tuple[type, ...], list[int]] = {}
        for j, d in enumerate(part):
            by_types.setdefault(tuple(map(type, d.values())), []).append(j if members is None else members[j])
        for types, chosen in by_types.items():
            sub = [datas[i] for i in chosen]
            values = list(map(itemgetter(*key), sub)) if len(key) > 1 else [d[key[0]] for d in sub]
            columns = [list(c) for c in zip(*values)] if len(key) > 1 else [values]
            groups.append(((key, types), chosen, columns))
    single = len(groups) == 1 and groups[0][1] is None
    out: list[str] = [] if single else [""] * n
    for signature, members, columns in groups:
        plan = cache.get(signature, cache)
        if plan is cache:
            plan = cache[signature] = layout(signature)
        if plan is None:
            return None
        pieces, keys, formats = plan
        position = {k: i for i, k in enumerate(signature[0])}
        kind_of = dict(zip(*signature))
        formatted = [fmt(columns[position[k]], kind_of[k]) for k, fmt in zip(keys, formats)]
        head = heads if members is None else [[h[i] for i in members] for h in heads]
        cells = formatted + head if last else head + formatted
        if any(type(c) is _Quoted for c in cells):
            pieces = list(pieces)
            for i, c in enumerate(cells):
                if type(c) is _Quoted:
                    pieces[i] += '"'
                    pieces[i + 1] = '"' + pieces[i + 1]
        count = n if members is None else len(members)
        if single:
            return _rows(pieces, cells, count, True)
        for i, line in zip(members if members is not None else range(n), _rows(pieces, cells, count, False)):
            out[i] = line
    return "".join(out)


# --- node-link JSON ----------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_JSON_NAMES = {True: "true", False: "false"}


def _json_float(values: list[float], kind: type) -> list[str]:
    texts = list(map(float.__repr__, values))
    if "n" not in "".join(texts):  # no nan, no inf
        return texts
    out = []
    for value, text in zip(values, texts):
        if value != value:
            text = "null"
        elif text.endswith("inf"):
            raise ValueError("Out of range float values are not JSON compliant: " + text)
        out.append(text)
    return out


def _json_strings(values: list[str]) -> list[str]:
    """JSON strings; when none needs an escape (one encoding of the joined column tells), the values themselves, to be quoted by the row."""
    encode = json.encoder.encode_basestring  # type: ignore[attr-defined]
    joined = "\x00".join(values)
    if joined.count("\x00") == len(values) - 1 and len(encode(joined)) == len(joined) + 2 + 5 * (len(values) - 1):
        return _Quoted(values)  # only the separators were escaped (each "\x00" as "\\u0000")
    return list(map(encode, values))


#: Formats of a column of JSON values, by type (other types go through the encoder).
_JSON_COLUMNS: dict[type, Callable[[list[Any], type], list[str]]] = {
    str: lambda values, kind: _json_strings(values),
    int: lambda values, kind: list(map(int.__repr__, values)),
    bool: lambda values, kind: [_JSON_NAMES[v] for v in values],
    type(None): lambda values, kind: ["null"] * len(values),
    float: _json_float,
}


@_unhurried
def write_node_link(G: nx.Graph, fh: IO[bytes]) -> None:
    """Write :func:`networkx.node_link_data` of ``G`` (edges under ``"edges"``) as JSON, in batches of records.

    ``nan`` becomes ``null`` (JSON has no NaN); numpy numbers become plain numbers.
    ``json.load`` of the file gives the same document as ``node_link_data(G, edges="edges")``
    with those two changes. Infinite values are refused (``ValueError``), as before.
    Records whose attributes are strings, numbers, booleans and ``None`` are
    formatted column by column; any other record goes through :class:`json.JSONEncoder`.
    """
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_default).encode

    def record(data: dict[Any, Any], extra: dict[str, Any]) -> str:
        try:
            return encode({**data, **extra})
        except ValueError:  # a nan somewhere: null it (an infinity still fails, as json.dump(allow_nan=False) does)
            return encode(_json_value({**data, **extra}))

    def layout(extra: tuple[str, ...]) -> Callable[[_Signature], _Plan | None]:
        def plan(signature: _Signature) -> _Plan | None:
            names, kinds = signature
            if any(type(k) is not str or k in extra for k in names) or any(t not in _JSON_COLUMNS for t in kinds):
                return None
            labels = [encode(k) for k in names] + [f'"{name}"' for name in extra]
            pieces = [",\n  {" + labels[0] + ": "] + [", " + label + ": " for label in labels[1:]] + ["}"]
            return pieces, names, [_JSON_COLUMNS[t] for t in kinds]

        return plan

    ids = {node: encode(_json_value(node)) for node in G}

    def section(records: Iterable[tuple[Any, ...]], extra: tuple[str, ...]) -> None:
        plans: dict[_Signature, Any] = {}
        plan = layout(extra)
        first = True
        for batch in _batches(records):
            columns = list(zip(*batch))
            heads = [list(map(ids.__getitem__, columns[0]))]
            if len(extra) > 1:
                heads.append(list(map(ids.__getitem__, columns[1])))
            if len(extra) > 2:
                heads.append([encode(_json_value(k)) for k in columns[2]])
            text = _render(heads, list(columns[-1]), plan, plans, last=True)
            if text is None:
                text = "".join(",\n  " + record(r[-1], dict(zip(extra, r[:-1]))) for r in batch)
            fh.write((text[4:] if first else text).encode("utf-8"))  # the first record without ",\n  "
            first = False

    graph = encode(_json_value(dict(G.graph)))
    fh.write(f'{{"directed": {encode(G.is_directed())}, "multigraph": {encode(G.is_multigraph())}, "graph": {graph},\n "nodes": [\n  '.encode())
    section(G.nodes(data=True), ("id",))
    fh.write(b'\n ],\n "edges": [\n  ')
    if G.is_multigraph():
        section(G.edges(keys=True, data=True), ("source", "target", "key"))
    else:
        section(_edges(G), ("source", "target"))
    fh.write(b"\n ]\n}\n")


# --- CSV ---------------------------------------------------------------------------------

_QUOTE = _finder(',"\n\r')
_FORMULA_AFTER = tuple("\x00" + c for c in FORMULA_STARTS)


def _formula(joined: str) -> bool:
    """Whether a cell of a ``\\x00``-joined column starts as a formula would."""
    return joined.startswith(FORMULA_STARTS) or any(c in joined for c in _FORMULA_AFTER)

_NUMERIC = frozenset({int, float, type(None)})
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if _QUOTE(value) else value


def _csv_column(values: list[Any], kinds: set[type], safe: bool) -> list[str]:
    """A column of cells as pandas writes the column of a frame built from these values.

    ``kinds`` are the types of the whole column (``NoneType`` for a missing value),
    which decide its pandas type: integers alone stay integers; numbers with
    missing values become floats, missing ones empty; anything else is text,
    ``str()`` of each value. Text cells are made spreadsheet-safe when ``safe``
    (:func:`clustergraph.spreadsheet.safe_cell`) and quoted when they hold a
    comma, a quote or a line break.
    """
    if kinds == {int} or kinds == {bool}:
        return list(map(str, values))
    if kinds == {float} or kinds == {int, float}:
        texts = list(map(float.__repr__, map(float, values)))
        return texts if "nan" not in "\x00".join(texts) else ["" if t == "nan" else t for t in texts]
    if kinds <= _NUMERIC and kinds & {int, float}:
        return ["" if v is None or v != v else repr(float(v)) for v in values]
    if kinds == {str}:
        texts = values
    else:
        texts = ["" if v is None or (type(v) is float and v != v) else v if type(v) is str else str(v) for v in values]
    joined = "\x00".join(texts)
    if safe and _formula(joined):
        texts = [safe_cell(t) if isinstance(v, str) else t for v, t in zip(values, texts)]
        joined = "\x00".join(texts)
    if _QUOTE(joined):
        texts = list(map(_quoted, texts))
    return texts


@_unhurried
def write_csv(G: nx.Graph, fh: IO[bytes], *, nodes: bool = False, spreadsheet_safe: bool = True) -> None:
    """Write ``G``'s edge list (or, with ``nodes``, its node list) as CSV to the binary file ``fh``.

    The edge list has the columns ``source``, ``target`` and every edge attribute,
    sorted; the node list ``id`` and every node attribute. Cells are written as
    pandas writes a frame of the same rows (``DataFrame(rows).to_csv(index=False)``),
    column by column in batches: ``pandas.read_csv`` reads the same table. Text cells
    a spreadsheet program would run as formulas get a leading ``'`` unless
    ``spreadsheet_safe`` is false.

    >>> import io
    >>> out = io.BytesIO()
    >>> write_csv(nx.Graph([("a", "b", {"weight": 2, "note": "=1+1, said"})]), out)
    >>> print(out.getvalue().decode(), end="")
    source,target,note,weight
    a,b,"'=1+1, said",2
    """
    if nodes:
        items: list[tuple[Any, ...]] = list(iter(G.nodes(data=True)))
        heads = ["id"]
        head_kinds = [set(map(type, G))]
    else:
        items = list(_edges(G))
        heads = ["source", "target"]
        head_kinds = [set(map(type, (e[0] for e in items))), set(map(type, (e[1] for e in items)))]
    datas = [item[-1] for item in items]
    signatures = set(zip(map(tuple, datas), map(tuple, map(map, repeat(type), map(dict.values, datas)))))
    attributes = sorted({k for names, _ in signatures for k in names})
    kinds: dict[Any, set[type]] = {a: set() for a in attributes}
    for names, types in signatures:
        present = dict(zip(names, types))
        for a in attributes:
            kinds[a].add(present.get(a, type(None)))
    header = [_quoted(str(safe_cell(c) if spreadsheet_safe else c)) for c in (*heads, *attributes)]
    fh.write((",".join(header) + "\n").encode("utf-8"))
    pieces = [""] + [","] * (len(header) - 1) + ["\n"]
    for batch in _batches(items):
        rows = list(zip(*batch))
        columns = [_csv_column(list(rows[j]), head_kinds[j], spreadsheet_safe) for j in range(len(heads))]
        datas = list(rows[-1])
        columns += [_csv_column([d.get(a) for d in datas], kinds[a], spreadsheet_safe) for a in attributes]
        fh.write(_rows(pieces, columns, len(batch), True).encode("utf-8"))


@_unhurried
def write_table(frame: Any, fh: IO[bytes], *, index: bool = False, spreadsheet_safe: bool = True) -> None:
    """Write a pandas DataFrame as CSV to the binary file ``fh``: the bytes of
    ``safe_frame(frame).to_csv(fh, index=index, lineterminator="\\n")``, column by column.

    Columns of numbers, booleans and text (``object``) are formatted here; a frame with
    another kind of column (dates, categories, a column index of several levels) is
    written by pandas.

    >>> import io, pandas as pd
    >>> out = io.BytesIO()
    >>> write_table(pd.DataFrame({"name": ["=x", "a,b"], "n": [1.5, float("nan")]}), out)
    >>> print(out.getvalue().decode(), end="")
    name,n
    '=x,1.5
    "a,b",
    """
    import numpy as np
    import pandas as pd

    from ..spreadsheet import safe_frame

    def plain(dtype: Any) -> bool:  # numpy booleans, integers, 64-bit floats, Python objects
        return isinstance(dtype, np.dtype) and (dtype.kind in "biuO" or (dtype.kind == "f" and dtype.itemsize == 8))

    simple = all(map(plain, frame.dtypes)) and (plain(frame.index.dtype) or not index) and (frame.shape[1] > 0 or index)
    simple = simple and not isinstance(frame.columns, pd.MultiIndex) and not isinstance(frame.index, pd.MultiIndex)
    if simple:  # object columns of plain Python values only (pandas writes its own missing markers as empty cells)
        objects = [frame.iloc[:, j] for j in range(frame.shape[1]) if frame.dtypes.iloc[j] == object]
        if index and frame.index.dtype == object:
            objects.append(frame.index.to_series())
        simple = all(set(map(type, column.tolist())) <= _PLAIN for column in objects)
    if not simple:
        text = (safe_frame(frame) if spreadsheet_safe else frame).to_csv(index=index, lineterminator="\n")
        fh.write(text.encode("utf-8"))
        return
    names = [frame.index.name if frame.index.name is not None else ""] if index else []
    names += list(frame.columns)
    header = [_quoted(str(safe_cell(c) if spreadsheet_safe else c)) for c in names]
    fh.write((",".join(header) + "\n").encode("utf-8"))
    series = ([frame.index.to_series()] if index else []) + [frame.iloc[:, j] for j in range(frame.shape[1])]
    pieces = [""] + [","] * (len(names) - 1) + ["\n"]
    for start in range(0, len(frame), _BATCH):
        columns = []
        for column in series:
            values = column.iloc[start : start + _BATCH].tolist()
            if column.dtype == object:  # each cell its str(), missing ones empty
                cells = _csv_column(values, {str} if all(type(v) is str for v in values) else {object}, spreadsheet_safe)
            else:
                cells = _csv_column(values, set(map(type, values)) or {float}, spreadsheet_safe)
            columns.append(cells)
        fh.write(_rows(pieces, columns, len(columns[0]), True).encode("utf-8"))


# --- GraphML ---------------------------------------------------------------------------


class _Fallback(Exception):
    """The graph uses something the streaming GEXF writer leaves to networkx."""


def _body() -> Any:
    return tempfile.TemporaryFile(prefix="clustergraph-graph-")


def _graphml_column(values: list[Any], kind: type) -> list[str]:
    """A column of values as :func:`_data` writes each one."""
    if kind is int or kind is float:
        return list(map(str, values))
    return _escaped(values if kind is str else list(map(str, values)), _TEXT_ANY, _text)


@_unhurried
def write_graphml(G: nx.Graph, fh: IO[bytes]) -> None:
    """Write ``G`` as GraphML to the binary file ``fh``, as :func:`networkx.write_graphml` would.

    Keys are declared per attribute name, Python type and scope (``d0``, ``d1``, ...
    in the order met: graph, nodes, edges); values are written with ``str()``.
    Nodes and edges are formatted in batches, column by column, and go to a
    temporary file while the keys are collected; they follow the key declarations
    into ``fh``: memory stays flat.

    Raises
    ------
    networkx.NetworkXError
        For an attribute value GraphML cannot hold (a list, ``None``).
    """
    from networkx.readwrite.graphml import GraphMLWriter

    xml_type = _types(GraphMLWriter())
    keys: dict[tuple[str, str, str], str] = {}

    def prefix(scope: str, k: Any, t: type) -> str:
        kind = xml_type.get(t)
        if kind is None:
            raise nx.NetworkXError(f"GraphML writer does not support {t} as data values.")
        name = str(k)
        ident = keys.get((name, kind, scope))
        if ident is None:
            ident = keys[(name, kind, scope)] = f"d{len(keys)}"
        return f'<data key="{ident}">'

    def layout(scope: str, head: str, indent: str) -> Callable[[_Signature], _Plan]:
        def plan(signature: _Signature) -> _Plan:
            names, kinds = signature
            if not names:
                return _pieces(head + " />\n"), (), []
            values = "".join(f"{indent}  {prefix(scope, k, t)}%s</data>\n" for k, t in zip(names, kinds))
            return _pieces(f"{head}>\n{values}{indent}</{scope}>\n"), names, [_graphml_column] * len(names)

        return plan

    graph_data = {k: v for k, v in G.graph.items() if k not in ("node_default", "edge_default", "id")}
    graph_lines = "".join(f"    {prefix('graph', k, type(v))}{_text(str(v))}</data>\n" for k, v in graph_data.items())
    multi = G.is_multigraph()
    with _body() as body:
        plan: dict[_Signature, Any] = {}
        node_plan = layout("node", '    <node id="%s"', "    ")
        for batch in _batches(G.nodes(data=True)):
            nodes, datas = zip(*batch)
            body.write((_render([[_attr(str(n)) for n in nodes]], list(datas), node_plan, plan) or "").encode("utf-8"))
        ids = {node: _attr(str(node)) for node in G}
        plan = {}
        edge_plan = layout("edge", '    <edge source="%s" target="%s"' + (' id="%s"' if multi else ""), "    ")
        edges = G.edges(data=True, keys=True) if multi else _edges(G)
        for batch in _batches(edges):
            columns = list(zip(*batch))
            heads = [list(map(ids.__getitem__, columns[0])), list(map(ids.__getitem__, columns[1]))]
            if multi:
                heads.append([_attr(str(k)) for k in columns[2]])
            body.write((_render(heads, list(columns[-1]), edge_plan, plan) or "").encode("utf-8"))
        defaults = {"node": G.graph.get("node_default", {}), "edge": G.graph.get("edge_default", {}), "graph": {}}
        head_parts = [
            "<?xml version='1.0' encoding='utf-8'?>\n"
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        ]
        for (name, kind, scope), ident in reversed(list(keys.items())):
            default = defaults[scope].get(name)
            key = f'  <key id="{ident}" for="{scope}" attr.name="{_attr(name)}" attr.type="{kind}"'
            head_parts.append(f"{key}>\n    <default>{_text(str(default))}</default>\n  </key>\n" if default is not None else f"{key} />\n")
        graph_id = G.graph.get("id")
        edgedefault = "directed" if G.is_directed() else "undirected"
        head_parts.append(f'  <graph edgedefault="{edgedefault}"' + (f' id="{_attr(str(graph_id))}"' if graph_id is not None else "") + ">\n")
        fh.write("".join(head_parts).encode("utf-8"))
        body.seek(0)
        shutil.copyfileobj(body, fh, _CHUNK)
    fh.write(f"{graph_lines}  </graph>\n</graphml>\n".encode("utf-8"))


# --- GEXF --------------------------------------------------------------------------------

#: Node and edge attributes networkx's GEXF writer gives a meaning of their own.
_NODE_SPECIAL = frozenset({"pid", "start", "end", "viz", "parents", "spells", "slices"})
_EDGE_SPECIAL = frozenset({"start", "end", "viz", "spells", "slices", "key"})
_NODE_OWN = ("id", "label")
_EDGE_OWN = ("id", "label", "weight", "type")


_FLOAT_NAMES = {"inf": "INF", "nan": "NaN", "-inf": "-INF"}


def _gexf_value(value: Any) -> str:
    """An attribute value as networkx writes it into GEXF, escaped."""
    kind = type(value)
    if kind is str:
        return value.translate(_ATTRIBUTE) if _SPECIAL(value) else value
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, float):
        text = _FLOAT_NAMES.get(text, text)
    return _attr(text)


def _gexf_column(values: list[Any], kind: type) -> list[str]:
    """A column of values as :func:`_gexf_value` writes each one."""
    if kind is int:
        return list(map(str, values))
    if kind is bool:
        return ["true" if v else "false" for v in values]
    texts = values if kind is str else list(map(str, values))
    if issubclass(kind, float):
        texts = [_FLOAT_NAMES.get(t, t) for t in texts]
    return _escaped(texts, _ATTRIBUTE_ANY, _translated)


def _inline_column(values: list[Any], kind: type) -> list[str]:
    """A column of values written into an element's attribute: ``str()``, escaped."""
    return _escaped(values if kind is str else list(map(str, values)), _ATTRIBUTE_ANY, _translated)


def _translated(value: str) -> str:
    return value.translate(_ATTRIBUTE)


@_unhurried
def write_gexf(G: nx.Graph, fh: IO[bytes], *, today: Callable[[], dt.date] = dt.date.today) -> None:
    """Write ``G`` as GEXF 1.2 to the binary file ``fh``, as :func:`networkx.write_gexf` would.

    Attribute ids are numbered as networkx numbers them (node attributes first, in
    the order met); an edge's ``weight``, ``label``, ``type`` and ``id`` go into the
    edge element, a node's ``label`` and ``id`` into the node element.
    """
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter()
    if G.is_multigraph() or G.graph.get("mode") == "dynamic":
        nx.write_gexf(G, fh)
        return
    xml_type = _types(writer)
    attrs: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
    prefixes: dict[str, dict[tuple[Any, type], str]] = {"node": {}, "edge": {}}

    def prefix(scope: str, k: Any, t: type) -> str:
        """The start of an ``attvalue`` of attribute ``k`` with values of type ``t``."""
        kind = xml_type.get(t)
        if kind is None or issubclass(t, (list, dict)):
            raise _Fallback()
        title = str(k)
        found = attrs[scope].get(title)
        if found is None:
            found = attrs[scope][title] = (str(sum(len(a) for a in attrs.values())), kind)
        text = prefixes[scope][(k, t)] = f'          <attvalue for="{found[0]}" value="'
        return text

    node_keys = prefixes["node"]
    try:
        with _body() as body:
            parts: list[str] = []
            add = parts.append
            add("    <nodes>\n")
            node_ids: dict[Any, str] = {}
            for node, data in G.nodes(data=True):
                if not _NODE_SPECIAL.isdisjoint(data):
                    raise _Fallback()
                ident = _attr(str(data.get("id", node)))
                if "id" in data:
                    node_ids[node] = str(data["id"])
                head = f'      <node id="{ident}" label="{_attr(str(data.get("label", node)))}"'
                values = [
                    f'{node_keys.get((k, type(v))) or prefix("node", k, type(v))}{_gexf_value(v)}" />\n'
                    for k, v in data.items()
                    if k not in _NODE_OWN
                ]
                if values:
                    add(f"{head}>\n        <attvalues>\n{''.join(values)}        </attvalues>\n      </node>\n")
                else:
                    add(f"{head} />\n")
                if len(parts) > 20000:
                    body.write("".join(parts).encode("utf-8"))
                    parts.clear()
            add("    </nodes>\n    <edges>\n")
            body.write("".join(parts).encode("utf-8"))
            parts.clear()
            taken = {str(d["id"]) for _, _, d in G.edges(data=True) if d.get("id") is not None}
            ends = {node: _attr(node_ids.get(node) or str(node)) for node in G}
            plans: dict[_Signature, Any] = {}

            def edge_plan(signature: _Signature) -> _Plan | None:
                names, kinds = signature
                if not _EDGE_SPECIAL.isdisjoint(names):
                    return None
                inline = tuple(name for name in ("label", "weight", "type") if name in names)
                head = '      <edge source="%s" target="%s" id="%s"' + "".join(f' {name}="%s"' for name in inline)
                others = tuple(k for k in names if k not in _EDGE_OWN)
                kind_of = dict(zip(names, kinds))
                values = "".join(f'{prefix("edge", k, kind_of[k])}%s" />\n' for k in others)
                template = f"{head}>\n        <attvalues>\n{values}        </attvalues>\n      </edge>\n" if others else f"{head} />\n"
                return _pieces(template), inline + others, [_inline_column] * len(inline) + [_gexf_column] * len(others)

            next_id = 0
            for batch in _batches(_edges(G)):
                if taken:
                    eids = []
                    for _, _, data in batch:
                        eid = data.get("id")
                        if eid is None:
                            while str(next_id) in taken:
                                next_id += 1
                            eid = next_id
                            taken.add(str(eid))
                            next_id += 1
                        eids.append(_attr(str(eid)))
                else:  # no edge has an id: they are numbered in order
                    eids = list(map(str, range(next_id, next_id + len(batch))))
                    next_id += len(batch)
                us, vs, datas = zip(*batch)
                text = _render([list(map(ends.__getitem__, us)), list(map(ends.__getitem__, vs)), eids], list(datas), edge_plan, plans)
                if text is None:
                    raise _Fallback()
                body.write(text.encode("utf-8"))
            add("    </edges>\n")
            body.write("".join(parts).encode("utf-8"))
            head_parts = [
                "<?xml version='1.0' encoding='utf-8'?>\n"
                f'<gexf xmlns="{writer.NS_GEXF}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="{writer.SCHEMALOCATION}" version="{writer.VERSION}">\n'
                f'  <meta lastmodifieddate="{today().isoformat()}">\n    <creator>NetworkX {nx.__version__}</creator>\n  </meta>\n'
                f'  <graph defaultedgetype="{"directed" if G.is_directed() else "undirected"}" mode="static" name="{_attr(str(G.graph.get("name", "")))}">\n'
            ]
            for scope, default in (("edge", G.graph.get("edge_default", {})), ("node", G.graph.get("node_default", {}))):
                if not attrs[scope]:
                    continue
                head_parts.append(f'    <attributes mode="static" class="{scope}">\n')
                for title, (ident, kind) in attrs[scope].items():
                    line = f'      <attribute id="{ident}" title="{_attr(title)}" type="{kind}"'
                    value = default.get(title)
                    head_parts.append(f"{line}>\n        <default>{_text(str(value))}</default>\n      </attribute>\n" if value is not None else f"{line} />\n")
                head_parts.append("    </attributes>\n")
            fh.write("".join(head_parts).encode("utf-8"))
            body.seek(0)
            shutil.copyfileobj(body, fh, _CHUNK)
            fh.write(b"  </graph>\n</gexf>\n")
    except _Fallback:
        nx.write_gexf(G, fh)

