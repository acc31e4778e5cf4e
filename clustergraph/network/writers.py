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

import datetime as dt
import json
import math
import re
import shutil
import tempfile
from collections.abc import Callable
from typing import IO, Any

import networkx as nx

__all__ = ["write_graphml", "write_gexf", "write_node_link"]

#: Bytes buffered before each write to the file.
_CHUNK = 1 << 20


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


def _data(value: Any) -> str:
    """A value as networkx writes it into GraphML character data: ``str()``, escaped."""
    kind = type(value)
    if kind is int or kind is float:
        return str(value)
    text = value if kind is str else str(value)
    return _text(text) if _TEXT_SPECIAL(text) else text


_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"})
_SPECIAL = re.compile('[&<>"\n\r\t]').search


def _attr(value: str) -> str:
    """An attribute value, escaped as ElementTree escapes it."""
    return value.translate(_ATTRIBUTE) if _SPECIAL(value) else value


def _types(writer: Any) -> dict[type, str]:
    return dict(writer.xml_type)


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


def write_node_link(G: nx.Graph, fh: IO[bytes]) -> None:
    """Write :func:`networkx.node_link_data` of ``G`` (edges under ``"edges"``) as JSON, in chunks of records.

    ``nan`` becomes ``null`` (JSON has no NaN); numpy numbers become plain numbers.
    ``json.load`` of the file gives the same document as ``node_link_data(G, edges="edges")``
    with those two changes. Infinite values are refused (``ValueError``), as before.
    """
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_default).encode

    def chunk(records: list[dict[Any, Any]]) -> str:
        try:
            text = encode(records)
        except ValueError:  # a nan somewhere: null it (an infinity still fails, as json.dump(allow_nan=False) does)
            text = encode([_json_value(r) for r in records])
        return text[1:-1]

    def section(records: Any) -> None:
        batch: list[dict[Any, Any]] = []
        first = True
        for record in records:
            batch.append(record)
            if len(batch) == 5000:
                fh.write((("  " if first else ",\n  ") + chunk(batch)).encode("utf-8"))
                batch, first = [], False
        if batch:
            fh.write((("  " if first else ",\n  ") + chunk(batch)).encode("utf-8"))

    graph = encode(_json_value(dict(G.graph)))
    fh.write(f'{{"directed": {encode(G.is_directed())}, "multigraph": {encode(G.is_multigraph())}, "graph": {graph},\n "nodes": [\n'.encode())
    section({**data, "id": node} for node, data in G.nodes(data=True))
    fh.write(b'\n ],\n "edges": [\n')
    if G.is_multigraph():
        section({**data, "source": u, "target": v, "key": k} for u, v, k, data in G.edges(keys=True, data=True))
    else:
        section({**data, "source": u, "target": v} for u, v, data in G.edges(data=True))
    fh.write(b"\n ]\n}\n")


# --- GraphML ---------------------------------------------------------------------------


class _Fallback(Exception):
    """The graph uses something the streaming GEXF writer leaves to networkx."""


def _body() -> Any:
    return tempfile.TemporaryFile(prefix="clustergraph-graph-")


def write_graphml(G: nx.Graph, fh: IO[bytes]) -> None:
    """Write ``G`` as GraphML to the binary file ``fh``, as :func:`networkx.write_graphml` would.

    Keys are declared per attribute name, Python type and scope (``d0``, ``d1``, ...
    in the order met: graph, nodes, edges); values are written with ``str()``.
    Nodes and edges go to a temporary file while the keys are collected, and
    follow the key declarations into ``fh``: memory stays flat.

    Raises
    ------
    networkx.NetworkXError
        For an attribute value GraphML cannot hold (a list, ``None``).
    """
    from networkx.readwrite.graphml import GraphMLWriter

    xml_type = _types(GraphMLWriter())
    keys: dict[tuple[str, str, str], str] = {}
    prefixes: dict[str, dict[tuple[Any, type], str]] = {"graph": {}, "node": {}, "edge": {}}

    def prefix(scope: str, k: Any, v: Any) -> str:
        kind = xml_type.get(type(v))
        if kind is None:
            raise nx.NetworkXError(f"GraphML writer does not support {type(v)} as data values.")
        name = str(k)
        ident = keys.get((name, kind, scope))
        if ident is None:
            ident = keys[(name, kind, scope)] = f"d{len(keys)}"
        found = prefixes[scope][(k, type(v))] = f'<data key="{ident}">'
        return found

    graph_data = {k: v for k, v in G.graph.items() if k not in ("node_default", "edge_default", "id")}
    graph_lines = "".join(f"    {prefix('graph', k, v)}{_text(str(v))}</data>\n" for k, v in graph_data.items())
    node_keys, edge_keys = prefixes["node"], prefixes["edge"]
    with _body() as body:
        parts: list[str] = []
        add = parts.append
        for node, data in G.nodes(data=True):
            if not data:
                add(f'    <node id="{_attr(str(node))}" />\n')
                continue
            values = "".join(
                [f"      {node_keys.get((k, type(v))) or prefix('node', k, v)}{_data(v)}</data>\n" for k, v in data.items()]
            )
            add(f'    <node id="{_attr(str(node))}">\n{values}    </node>\n')
            if len(parts) > 20000:
                body.write("".join(parts).encode("utf-8"))
                parts.clear()
        multi = G.is_multigraph()
        for edge in G.edges(data=True, keys=True) if multi else G.edges(data=True):
            u, v, data = edge[0], edge[1], edge[-1]
            head = f'    <edge source="{_attr(str(u))}" target="{_attr(str(v))}"' + (f' id="{_attr(str(edge[2]))}"' if multi else "")
            if not data:
                add(head + " />\n")
                continue
            values = "".join(
                [f"      {edge_keys.get((k, type(x))) or prefix('edge', k, x)}{_data(x)}</data>\n" for k, x in data.items()]
            )
            add(f"{head}>\n{values}    </edge>\n")
            if len(parts) > 20000:
                body.write("".join(parts).encode("utf-8"))
                parts.clear()
        body.write("".join(parts).encode("utf-8"))
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

    def prefix(scope: str, k: Any, v: Any) -> str:
        kind = xml_type.get(type(v))
        if kind is None or isinstance(v, (list, dict)):
            raise _Fallback()
        title = str(k)
        found = attrs[scope].get(title)
        if found is None:
            found = attrs[scope][title] = (str(sum(len(a) for a in attrs.values())), kind)
        text = prefixes[scope][(k, type(v))] = f'          <attvalue for="{found[0]}" value="'
        return text

    node_keys, edge_keys = prefixes["node"], prefixes["edge"]
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
                    f'{node_keys.get((k, type(v))) or prefix("node", k, v)}{_gexf_value(v)}" />\n'
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
            taken = {str(d["id"]) for _, _, d in G.edges(data=True) if d.get("id") is not None}
            next_id = 0
            for u, v, data in G.edges(data=True):
                if not _EDGE_SPECIAL.isdisjoint(data):
                    raise _Fallback()
                eid = data.get("id")
                if eid is None:
                    while str(next_id) in taken:
                        next_id += 1
                    eid = next_id
                    taken.add(str(eid))
                    next_id += 1
                head = f'      <edge source="{_attr(node_ids.get(u) or str(u))}" target="{_attr(node_ids.get(v) or str(v))}" id="{_attr(str(eid))}"'
                for name in ("label", "weight", "type"):
                    if name in data:
                        head += f' {name}="{_attr(str(data[name]))}"'
                values = [
                    f'{edge_keys.get((k, type(x))) or prefix("edge", k, x)}{_gexf_value(x)}" />\n'
                    for k, x in data.items()
                    if k not in _EDGE_OWN
                ]
                if values:
                    add(f"{head}>\n        <attvalues>\n{''.join(values)}        </attvalues>\n      </edge>\n")
                else:
                    add(f"{head} />\n")
                if len(parts) > 20000:
                    body.write("".join(parts).encode("utf-8"))
                    parts.clear()
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
