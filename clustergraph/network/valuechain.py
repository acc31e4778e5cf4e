"""Value chains: which sectors supply which, and whether collaborations follow them.

A value chain is data, not code: ``cg:ValueChainLink`` resources with a
``cg:supplier`` and a ``cg:user`` (each a ``cg:Sector`` or a ``cg:Ecosystem``)
and the ``dcterms:source`` that states the link (the embedded dataset's
``data/value_chain.csv``). This module reads the links from the store and lays
the collaboration network over them:

- :func:`value_chain` lists the links, with the projects that span each one;
- :func:`value_chain_paths` finds chains of collaborating organisations that run
  along the links (a plasma cluster working with a nanotechnology cluster that
  works with a digital creative industries cluster);
- :func:`missing_links` lists the links no project spans.

**Spans.** A project spans the sectors it is tagged with (``cg:sector`` on the
project) and the sectors of its participants, with their ecosystems; it spans a
link when it spans both the supplier and the user. For value-chain paths an
organisation sits where its own ``cg:sector`` puts it (and in those sectors'
ecosystems): a sector inferred from its projects says what the project is
about, not what the organisation supplies.

>>> from clustergraph import store
>>> ds = store.open_dataset()
>>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
>>> missing_links(ds)[["supplier_name", "user_name"]].values.tolist()
[['New materials', 'Aerospace and defence']]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

import networkx as nx
import pandas as pd
from rdflib import Graph

from ..errors import ParameterError
from .facts import display_name, local, preferred_labels, select_rows
from .graphs import collaboration_of

__all__ = ["value_chain", "value_chain_paths", "missing_links"]

_Q_LINKS = """SELECT ?link ?supplier ?user ?source WHERE {
  ?link cg:supplier ?supplier ; cg:user ?user .
  OPTIONAL { ?link <http://purl.org/dc/terms/source> ?source }
}"""

# What each project spans, restricted to the sectors a link names (or whose ecosystem it names):
# the project's own sectors and its participants' sectors. Every branch starts from the links,
# so a graph without links answers at once.
_Q_SPANS = """SELECT DISTINCT ?project ?sector WHERE {
  { ?link cg:supplier|cg:user ?sector .
    ?project cg:sector ?sector ; rdf:type cg:Project . }
  UNION
  { ?link cg:supplier|cg:user ?end . ?sector cg:ecosystem ?end .
    ?project cg:sector ?sector ; rdf:type cg:Project . }
  UNION
  { ?link cg:supplier|cg:user ?sector .
    ?organisation cg:sector ?sector . ?participation cg:participant ?organisation ; cg:project ?project . }
  UNION
  { ?link cg:supplier|cg:user ?end . ?sector cg:ecosystem ?end .
    ?organisation cg:sector ?sector . ?participation cg:participant ?organisation ; cg:project ?project . }
}"""

# Names and kinds of the link ends, and the ecosystems of sectors.
_Q_END_LABELS = """SELECT ?s ?label (LANG(?label) AS ?lang) WHERE {
  ?link cg:supplier|cg:user ?s .
  ?s rdfs:label|skos:prefLabel ?label .
}"""

_Q_END_KINDS = """SELECT ?s ?type WHERE {
  ?link cg:supplier|cg:user ?s .
  ?s rdf:type ?type .
  FILTER(?type IN (cg:Sector, cg:Ecosystem))
}"""

_Q_ECOSYSTEMS = "SELECT ?sector ?ecosystem WHERE { ?sector cg:ecosystem ?ecosystem }"
_Q_ACRONYMS = "SELECT ?project ?acronym WHERE { ?project cg:acronym ?acronym }"

_COLUMNS = ["link", "supplier", "supplier_name", "supplier_kind", "user", "user_name", "user_kind", "source", "projects", "project_names"]


def _kind(iri: str, kinds: dict[str, str]) -> str:
    if iri in kinds:
        return kinds[iri]
    return "ecosystem" if "/ecosystem/" in iri else "sector"


def value_chain(graph: Graph) -> pd.DataFrame:
    """The value-chain links of the graph, with the projects that span each one.

    Returns
    -------
    pandas.DataFrame
        One row per link: ``link`` (IRI), ``supplier`` and ``user`` (IRIs),
        their ``*_name`` and ``*_kind`` (``sector`` or ``ecosystem``), ``source``
        (the ``dcterms:source`` texts, ``;``-joined), ``projects`` and
        ``project_names`` (the projects that span the link, ``;``-joined, empty
        for a missing link); sorted by supplier and user name.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> chain = value_chain(ds)
    >>> chain.loc[chain["supplier_name"] == "Plasma technology", ["user_name", "project_names"]].values.tolist()
    [['Nanotechnology', 'INNO-DROP']]
    """
    sources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for link, supplier, user, source in select_rows(graph, _Q_LINKS):
        if link is None or supplier is None or user is None:
            continue
        entry = sources[(link, supplier, user)]
        if source:
            entry.add(source)
    if not sources:
        return pd.DataFrame(columns=_COLUMNS)
    names = preferred_labels(select_rows(graph, _Q_END_LABELS))  # an English label first, then none, then any
    kinds = {s: ("ecosystem" if t.endswith("Ecosystem") else "sector") for s, t in select_rows(graph, _Q_END_KINDS) if s and t}
    ecosystems: dict[str, str] = {}  # a sector's ecosystem; the first by IRI if it names several
    for sector, ecosystem in select_rows(graph, _Q_ECOSYSTEMS):
        if sector and ecosystem and (sector not in ecosystems or ecosystem < ecosystems[sector]):
            ecosystems[sector] = ecosystem
    spans: dict[str, set[str]] = defaultdict(set)
    for project, sector in select_rows(graph, _Q_SPANS):
        if project is None or sector is None:
            continue
        spans[project].add(sector)
        if sector in ecosystems:
            spans[project].add(ecosystems[sector])
    acronyms: dict[str, str] = {}
    if spans:
        for project, acronym in select_rows(graph, _Q_ACRONYMS):
            if project in spans and acronym and (project not in acronyms or acronym < acronyms[project]):
                acronyms[project] = acronym
    rows = []
    for (link, supplier, user), texts in sources.items():
        covering = sorted(p for p, span in spans.items() if supplier in span and user in span)
        rows.append(
            (link, supplier, display_name(supplier, names), _kind(supplier, kinds), user, display_name(user, names), _kind(user, kinds),
             ";".join(sorted(texts)), ";".join(covering), ";".join(acronyms.get(p) or local(p) for p in covering))
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    return frame.sort_values(["supplier_name", "user_name", "link"], ignore_index=True)


def missing_links(graph: Graph) -> pd.DataFrame:
    """The value-chain links that no project spans: sector pairs the chain connects but no project does.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`value_chain` whose ``projects`` is empty (without that column).

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> missing_links(ds)[["supplier_name", "user_name"]].values.tolist()
    [['New materials', 'Aerospace and defence']]
    """
    chain = value_chain(graph)
    return chain[chain["projects"] == ""].drop(columns=["projects", "project_names"]).reset_index(drop=True)


def _positions(data: dict) -> set[str]:
    """Where an organisation sits in value chains: its own sectors and their ecosystems."""
    if data.get("sector_source") != "organisation":
        return set()
    found = {s for s in (data.get("sector_iris") or "").split(";") if s}
    found |= {e for e in (data.get("ecosystem_iris") or "").split(";") if e}
    return found


def value_chain_paths(graph: Graph, G: nx.Graph | None = None, *, max_length: int = 4, limit: int = 10_000) -> pd.DataFrame:
    """Chains of collaborating organisations that run along the value chain.

    A step goes from organisation ``a`` to organisation ``b`` when they share a
    project and a link goes from one of ``a``'s sectors (or ecosystems) to one of
    ``b``'s; a chain is a sequence of steps where each organisation is the user
    of one link and the supplier of the next, in the same sector. Only maximal
    chains are listed (none is part of a longer one).

    Parameters
    ----------
    graph:
        The rdflib graph (for the links).
    G:
        Its collaboration graph, if already built.
    max_length:
        The most steps a chain may have.
    limit:
        Stop after this many chains (large graphs).

    Returns
    -------
    pandas.DataFrame
        ``length`` (steps), ``organisations`` (IRIs, ``;``-joined), ``names`` and
        ``sectors`` (``" -> "``-joined), ``projects`` (each step's projects,
        ``" | "`` between steps); longest first.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> value_chain_paths(ds).loc[0, ["names", "sectors"]].tolist()
    ['BalticNet-PlasmaTec -> Nanoprogress -> Cap Digital', 'Plasma technology -> Nanotechnology -> Digital creative industries']
    """
    if max_length < 1 or limit < 1:
        raise ParameterError("max_length and limit must be at least 1", fix="pass max_length=4, limit=10000 for example")
    chain = value_chain(graph)
    columns = ["length", "organisations", "names", "sectors", "projects"]
    if chain.empty:
        return pd.DataFrame(columns=columns)
    if G is None:
        G = collaboration_of(graph)
    names = dict(zip(chain["supplier"], chain["supplier_name"])) | dict(zip(chain["user"], chain["user_name"]))
    users_of: dict[str, set[str]] = defaultdict(set)
    for supplier, user in zip(chain["supplier"], chain["user"]):
        users_of[supplier].add(user)
    positions = {node: _positions(data) for node, data in G.nodes(data=True)}
    steps = nx.DiGraph()
    for u, v, data in G.edges(data=True):
        for a, b in ((u, v), (v, u)):
            for supplier in positions[a] & users_of.keys():
                for user in users_of[supplier] & positions[b]:
                    steps.add_edge((a, supplier), (b, user), projects=(data.get("project_names") or "").replace(";", ", "))
    found: list[tuple[Hashable, ...]] = []

    def extend(path: list[tuple[Hashable, str]]) -> None:
        if len(found) >= limit:
            return
        grown = False
        if len(path) <= max_length:
            seen = {org for org, _ in path}
            for nxt in sorted(steps.successors(path[-1]), key=str):
                if nxt[0] not in seen:
                    grown = True
                    extend(path + [nxt])
        if not grown and len(path) > 1:
            found.append(tuple(path))

    for start in sorted(steps.nodes, key=str):
        extend([start])
    as_text = {path: "\0".join(map(str, path)) for path in found}
    maximal = [p for p in found if not any(q != p and len(q) > len(p) and f"\0{as_text[p]}\0" in f"\0{as_text[q]}\0" for q in found)]
    rows = []
    for path in dict.fromkeys(maximal):
        orgs = [org for org, _ in path]
        rows.append(
            (
                len(path) - 1,
                ";".join(map(str, orgs)),
                " -> ".join(G.nodes[o].get("name", local(str(o))) for o in orgs),
                " -> ".join(names.get(s, local(s)) for _, s in path),
                " | ".join(steps.edges[a, b]["projects"] for a, b in zip(path, path[1:])),
            )
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["length", "names", "sectors"], ascending=[False, True, True], ignore_index=True)
