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


_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"})
_SPECIAL = frozenset('&<>"\n\r\t')


def _attr(value: str) -> str:
    """An attribute value, escaped as ElementTree escapes it."""
    return value.translate(_ATTRIBUTE) if not _SPECIAL.isdisjoint(value) else value


class _Buffered:
    """Collect text and write it to ``fh`` in UTF-8 chunks."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > _CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.fh.write("".join(self.parts).encode("utf-8"))
            self.parts, self.size = [], 0


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


def _record(data: dict[Any, Any]) -> dict[Any, Any]:
    for v in data.values():
        kind = type(v)
        if kind is str or kind is int or kind is bool or v is None or (kind is float and v == v):
            continue
        return {k: _json_value(x) for k, x in data.items()}
    return data


def write_node_link(G: nx.Graph, fh: IO[bytes]) -> None:
    """Write :func:`networkx.node_link_data` of ``G`` (edges under ``"edges"``) as JSON, one node or edge a line.

    ``nan`` becomes ``null`` (JSON has no NaN); numpy numbers become plain numbers.
    ``json.load`` of the file gives the same document as ``node_link_data(G, edges="edges")``
    with those two changes.
    """
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    out = _Buffered(fh)
    out.add(
        f'{{"directed": {dumps(G.is_directed())}, "multigraph": {dumps(G.is_multigraph())}, '
        f'"graph": {dumps(_json_value(dict(G.graph)))},\n "nodes": [\n'
    )
    first = True
    for node, data in G.nodes(data=True):
        out.add(("  " if first else ",\n  ") + dumps(_record({**data, "id": node})))
        first = False
    out.add('\n ],\n "edges": [\n')
    first = True
    if G.is_multigraph():
        for u, v, k, data in G.edges(keys=True, data=True):
            out.add(("  " if first else ",\n  ") + dumps(_record({**data, "source": u, "target": v, "key": k})))
            first = False
    else:
        for u, v, data in G.edges(data=True):
            out.add(("  " if first else ",\n  ") + dumps(_record({**data, "source": u, "target": v})))
            first = False
    out.add("\n ]\n}\n")
    out.flush()


# --- GraphML ---------------------------------------------------------------------------


def write_graphml(G: nx.Graph, fh: IO[bytes]) -> None:
    """Write ``G`` as GraphML to the binary file ``fh``, as :func:`networkx.write_graphml` would.

    Keys are declared per attribute name, Python type and scope (``d0``, ``d1``, ...
    in the order networkx numbers them); values are written with ``str()``.

    Raises
    ------
    networkx.NetworkXError
        For an attribute value GraphML cannot hold (a list, ``None``).
    """
    from networkx.readwrite.graphml import GraphMLWriter

    xml_type = _types(GraphMLWriter())
    keys: dict[tuple[str, str, str], str] = {}

    def key(name: str, value: Any, scope: str) -> str:
        kind = xml_type.get(type(value))
        if kind is None:
            raise nx.NetworkXError(f"GraphML writer does not support {type(value)} as data values.")
        found = keys.get((name, kind, scope))
        if found is None:
            found = keys[(name, kind, scope)] = f"d{len(keys)}"
        return found

    graph_data = {k: v for k, v in G.graph.items() if k not in ("node_default", "edge_default", "id")}
    node_default = G.graph.get("node_default", {})
    edge_default = G.graph.get("edge_default", {})
    # the first pass declares the keys, in networkx's order: graph, nodes, edges
    for k, v in graph_data.items():
        key(str(k), v, "graph")
    for _, data in G.nodes(data=True):
        for k, v in data.items():
            key(str(k), v, "node")
    edges = G.edges(data=True, keys=True) if G.is_multigraph() else G.edges(data=True)
    for *_, data in edges:
        for k, v in data.items():
            key(str(k), v, "edge")
    defaults = {"node": node_default, "edge": edge_default, "graph": {}}

    out = _Buffered(fh)
    out.add(
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for (name, kind, scope), ident in reversed(list(keys.items())):
        default = defaults[scope].get(name)
        head = f'  <key id="{ident}" for="{scope}" attr.name="{_attr(name)}" attr.type="{kind}"'
        out.add(f"{head}>\n    <default>{_text(str(default))}</default>\n  </key>\n" if default is not None else f"{head} />\n")
    graph_id = G.graph.get("id")
    edgedefault = "directed" if G.is_directed() else "undirected"
    out.add(f'  <graph edgedefault="{edgedefault}"' + (f' id="{_attr(str(graph_id))}"' if graph_id is not None else "") + ">\n")

    def data_lines(data: dict[Any, Any], scope: str, indent: str) -> str:
        return "".join(f'{indent}<data key="{keys[(str(k), xml_type[type(v)], scope)]}">{_text(str(v))}</data>\n' for k, v in data.items())

    for node, data in G.nodes(data=True):
        ident = _attr(str(node))
        if data:
            out.add(f'    <node id="{ident}">\n{data_lines(data, "node", "      ")}    </node>\n')
        else:
            out.add(f'    <node id="{ident}" />\n')
    if G.is_multigraph():
        for u, v, k, data in G.edges(data=True, keys=True):
            head = f'    <edge source="{_attr(str(u))}" target="{_attr(str(v))}" id="{_attr(str(k))}"'
            out.add(f"{head}>\n{data_lines(data, 'edge', '      ')}    </edge>\n" if data else f"{head} />\n")
    else:
        for u, v, data in G.edges(data=True):
            head = f'    <edge source="{_attr(str(u))}" target="{_attr(str(v))}"'
            out.add(f"{head}>\n{data_lines(data, 'edge', '      ')}    </edge>\n" if data else f"{head} />\n")
    out.add(data_lines(graph_data, "graph", "    "))
    out.add("  </graph>\n</graphml>\n")
    out.flush()


# --- GEXF --------------------------------------------------------------------------------

#: Node and edge attributes networkx's GEXF writer gives a meaning of their own.
_NODE_SPECIAL = {"pid", "start", "end", "viz", "parents", "spells", "slices"}
_EDGE_SPECIAL = {"start", "end", "viz", "spells", "slices", "key"}


def _gexf_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, float):
        return {"inf": "INF", "nan": "NaN", "-inf": "-INF"}.get(text, text)
    return text


def _needs_networkx(G: nx.Graph, xml_type: dict[type, str]) -> bool:
    if G.is_multigraph() or G.graph.get("mode") == "dynamic":
        return True
    for _, data in G.nodes(data=True):
        if not _NODE_SPECIAL.isdisjoint(data) or any(type(v) not in xml_type or isinstance(v, (list, dict)) for v in data.values()):
            return True
    for _, _, data in G.edges(data=True):
        if not _EDGE_SPECIAL.isdisjoint(data) or any(type(v) not in xml_type or isinstance(v, (list, dict)) for v in data.values()):
            return True
    return False


def write_gexf(G: nx.Graph, fh: IO[bytes], *, today: Callable[[], dt.date] = dt.date.today) -> None:
    """Write ``G`` as GEXF 1.2 to the binary file ``fh``, as :func:`networkx.write_gexf` would.

    Attribute ids are numbered as networkx numbers them (node attributes first, in
    the order met); an edge's ``weight``, ``label``, ``type`` and ``id`` go into the
    edge element, a node's ``label`` and ``id`` into the node element.
    """
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter()
    xml_type = _types(writer)
    if _needs_networkx(G, xml_type):
        nx.write_gexf(G, fh)
        return
    attrs: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}
    counter = [0]

    def attr_id(scope: str, title: str, value: Any) -> str:
        found = attrs[scope].get(title)
        if found is None:
            found = attrs[scope][title] = (str(counter[0]), xml_type[type(value)])
            counter[0] += 1
        return found[0]

    node_pop = ("id", "label")
    edge_pop = ("id", "label", "weight", "type")
    for _, data in G.nodes(data=True):
        for k, v in data.items():
            if k not in node_pop:
                attr_id("node", str(k), v)
    for _, _, data in G.edges(data=True):
        for k, v in data.items():
            if k not in edge_pop:
                attr_id("edge", str(k), v)
    taken = {str(d["id"]) for _, _, d in G.edges(data=True) if d.get("id") is not None}

    out = _Buffered(fh)
    out.add(
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<gexf xmlns="{writer.NS_GEXF}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{writer.SCHEMALOCATION}" version="{writer.VERSION}">\n'
        f'  <meta lastmodifieddate="{today().isoformat()}">\n    <creator>NetworkX {nx.__version__}</creator>\n  </meta>\n'
        f'  <graph defaultedgetype="{"directed" if G.is_directed() else "undirected"}" mode="static" name="{_attr(str(G.graph.get("name", "")))}">\n'
    )
    for scope, default in (("edge", G.graph.get("edge_default", {})), ("node", G.graph.get("node_default", {}))):
        if not attrs[scope]:
            continue
        out.add(f'    <attributes mode="static" class="{scope}">\n')
        for title, (ident, kind) in attrs[scope].items():
            head = f'      <attribute id="{ident}" title="{_attr(title)}" type="{kind}"'
            value = default.get(title)
            out.add(f"{head}>\n        <default>{_text(str(value))}</default>\n      </attribute>\n" if value is not None else f"{head} />\n")
        out.add("    </attributes>\n")

    def attvalues(data: dict[Any, Any], scope: str, skip: tuple[str, ...]) -> str:
        ids = attrs[scope]
        return "".join(
            f'          <attvalue for="{ids[str(k)][0]}" value="{_attr(_gexf_value(v))}" />\n' for k, v in data.items() if k not in skip
        )

    out.add("    <nodes>\n")
    for node, data in G.nodes(data=True):
        ident = _attr(str(data.get("id", node)))
        label = _attr(str(data.get("label", node)))
        values = attvalues(data, "node", node_pop)
        if values:
            out.add(f'      <node id="{ident}" label="{label}">\n        <attvalues>\n{values}        </attvalues>\n      </node>\n')
        else:
            out.add(f'      <node id="{ident}" label="{label}" />\n')
    out.add("    </nodes>\n")
    out.add("    <edges>\n")
    next_id = 0
    node_ids = {n: str(d["id"]) for n, d in G.nodes(data=True) if "id" in d}
    for u, v, data in G.edges(data=True):
        eid = data.get("id")
        if eid is None:
            while str(next_id) in taken:
                next_id += 1
            eid = next_id
            taken.add(str(eid))
            next_id += 1
        parts = [f'      <edge source="{_attr(node_ids.get(u, str(u)))}" target="{_attr(node_ids.get(v, str(v)))}" id="{_attr(str(eid))}"']
        for name in ("label", "weight", "type"):
            if name in data:
                parts.append(f' {name}="{_attr(str(data[name]))}"')
        values = attvalues(data, "edge", edge_pop)
        head = "".join(parts)
        out.add(f"{head}>\n        <attvalues>\n{values}        </attvalues>\n      </edge>\n" if values else f"{head} />\n")
    out.add("    </edges>\n  </graph>\n</gexf>\n")
    out.flush()
