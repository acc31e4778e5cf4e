"""Networks from the knowledge graph: who works with whom, across sectors and countries.

Each function reads an rdflib graph (any store :mod:`clustergraph.store` opens)
and returns a :mod:`networkx` graph whose nodes are IRIs (strings) with the
attributes the RDF gives (name, type, country, sector, ecosystem, label level,
budgets). The edge lists are computed where the data lives: SPARQL joins run
in the store (the participations become organisation-project pairs there, with
no triple walking in Python), Oxigraph's native API reads large results without
rdflib term conversion (:mod:`clustergraph.network.facts`, which also reads the
names, types, sectors and budgets the nodes carry), and the one-mode projection counts the pairs of each
project's members with numpy (the counting form of the sparse product
``B @ B.T`` of the organisation-project incidence matrix, keeping the projects
behind each pair). Pushing the pair aggregate itself into the store
(``GROUP BY ?a ?b``) was measured several times slower at 50,000 projects
(``benchmarks/bench_network.py``).

Every attribute is GraphML-safe: strings, integers, floats; several values are
one ``;``-joined string; an unknown string is ``""`` and an unknown sector is
``"unknown"`` (:data:`UNKNOWN`).

**The sector rule.** An organisation's sectors are its own ``cg:sector`` values;
an organisation without any takes the sectors of the projects it takes part in
(``sector_source`` says which); with neither its sector is :data:`UNKNOWN`. An
organisation in several sectors belongs to each in equal shares (:func:`shares`),
so that a collaboration counts once in total: 1/4 for each of four sector pairs
when one partner has four sectors. Its *primary* sector (attribute ``sector``,
used for colours and labels) is its own sector that comes first by label, or
else the project sector most frequent among its projects (ties by label). Its
ecosystems are the ``cg:ecosystem`` of its sectors, with the same shares.

>>> from clustergraph import store
>>> ds = store.open_dataset()
>>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
>>> G = collaboration_graph(ds)
>>> G.number_of_nodes(), G.number_of_edges()
(10, 14)
>>> G.nodes["https://w3id.org/clustergraph/id/organisation/cap-digital"]["label_level"]
'Gold'
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from rdflib import Graph

from ..errors import ParameterError
from ..incidence import member_pairs
from .facts import Facts, local, read_facts, select_rows

__all__ = [
    "UNKNOWN",
    "LEVELS",
    "participations",
    "affiliations",
    "organisations",
    "collaboration_edges",
    "affiliation_graph",
    "collaboration_graph",
    "sector_graph",
    "country_graph",
    "shares",
    "node_categories",
    "collaboration_of",
]

UNKNOWN = "unknown"
"""The sector, ecosystem or country of an organisation the graph says nothing about."""

LEVELS = ("sector", "ecosystem")
"""The levels :func:`sector_graph` aggregates to."""

# The organisation-project edge list: the join happens in the store (duplicates dropped in pandas,
# cheaper than DISTINCT).
_Q_PARTICIPATIONS = """SELECT ?organisation ?project WHERE {
  ?participation cg:participant ?organisation ; cg:project ?project .
}"""

_Q_ROLES = """SELECT ?organisation ?project ?role WHERE {
  ?participation cg:participant ?organisation ; cg:project ?project .
  OPTIONAL { ?participation cg:role ?role }
}"""

_Q_AFFILIATIONS = """SELECT DISTINCT ?organisation ?affiliation ?relation WHERE {
  { ?affiliation cg:member ?organisation . BIND("member" AS ?relation) }
  UNION { ?affiliation cg:organiser ?organisation . BIND("organiser" AS ?relation) }
  UNION { ?affiliation cg:attendee ?organisation . BIND("attendee" AS ?relation) }
  UNION { ?affiliation cg:invitee ?organisation . BIND("invitee" AS ?relation) }
}"""

# Organisation classes from the most specific to the most general.
_ORG_TYPES = ("ClusterOrganisation", "PublicBody", "LabellingBody", "Organisation")
_KINDS = {"member": "partnership", "organiser": "event", "attendee": "event", "invitee": "event"}


def participations(graph: Graph, roles: bool = False) -> pd.DataFrame:
    """The organisation-project edge list, computed in the store.

    Parameters
    ----------
    graph:
        An rdflib graph or dataset.
    roles:
        Add a ``roles`` column: the local names of the ``cg:role`` values, ``;``-joined.

    Returns
    -------
    pandas.DataFrame
        Columns ``organisation``, ``project`` (IRIs) [, ``roles``], one row per
        pair, sorted.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> participations(ds).shape
    (12, 2)
    """
    if not roles:
        frame = pd.DataFrame(select_rows(graph, _Q_PARTICIPATIONS), columns=["organisation", "project"], dtype=object)
        return frame.dropna().drop_duplicates().sort_values(["organisation", "project"], ignore_index=True)
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for o, p, r in select_rows(graph, _Q_ROLES):
        if o is not None and p is not None:
            entry = found[(o, p)]
            if r is not None:
                entry.add(local(r))
    rows = sorted(found)
    frame = pd.DataFrame(rows, columns=["organisation", "project"], dtype=object)
    frame["roles"] = [";".join(sorted(found[key])) for key in rows]
    return frame


def affiliations(graph: Graph) -> pd.DataFrame:
    """Organisations' memberships of partnerships and their parts in events.

    Returns
    -------
    pandas.DataFrame
        Columns ``organisation``, ``affiliation`` (IRIs), ``kind`` (``partnership``
        or ``event``) and ``relation`` (``member``, ``organiser``, ``attendee``,
        ``invitee``; several ``;``-joined), sorted.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> sorted(set(affiliations(ds)["kind"]))
    ['event', 'partnership']
    """
    found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for o, a, rel in select_rows(graph, _Q_AFFILIATIONS):
        if o is not None and a is not None and rel is not None:
            found[(o, a, _KINDS[rel])].add(rel)
    rows = [(o, a, kind, ";".join(sorted(rels))) for (o, a, kind), rels in sorted(found.items())]
    return pd.DataFrame(rows, columns=["organisation", "affiliation", "kind", "relation"])


def _sector_label(facts: Facts, sector: str | None) -> str:
    return UNKNOWN if sector is None else facts.name(sector)


def _organisation_table(facts: Facts, members: Sequence[str], projects_of: dict[str, list[str]]) -> pd.DataFrame:
    records = []
    for org in members:
        own = facts.sectors.get(org, [])
        projects = projects_of.get(org, [])
        if own:
            sectors, source = sorted(set(own), key=lambda s: (facts.name(s).casefold(), s)), "organisation"
            primary = sectors[0]
        else:
            counts = Counter(s for p in projects for s in set(facts.sectors.get(p, ())))
            sectors = sorted(counts, key=lambda s: (-counts[s], facts.name(s).casefold(), s))
            source = "project" if sectors else ""
            primary = sectors[0] if sectors else None
        ecosystem = facts.ecosystems.get(primary) if primary else None
        ecosystems = [facts.ecosystems.get(s, "") for s in sectors]
        types = facts.types.get(org, set())
        kind = next((t for t in _ORG_TYPES if t in types), "Organisation")
        countries = facts.countries.get(org, [])
        rank, level = facts.levels.get(org, (0, ""))
        records.append(
            {
                "organisation": org,
                "name": facts.name(org),
                "type": kind,
                "country": local(countries[0]) if countries else "",
                "country_iri": countries[0] if countries else "",
                "sector": _sector_label(facts, primary),
                "sector_iri": primary or "",
                "sectors": ";".join(facts.name(s) for s in sectors),
                "sector_iris": ";".join(sectors),
                "sector_source": source,
                "ecosystem": facts.name(ecosystem) if ecosystem else UNKNOWN,
                "ecosystem_iri": ecosystem or "",
                "ecosystems": ";".join(facts.name(e) if e else UNKNOWN for e in ecosystems),
                "ecosystem_iris": ";".join(ecosystems),
                "label_level": facts.name(level) if level else "",
                "label_rank": int(rank),
                "projects": len(projects),
                "budget": float(sum(facts.budgets.get(p, 0.0) for p in projects)),
                "eu_contribution": float(sum(facts.contributions.get(p, 0.0) for p in projects)),
            }
        )
    columns = [
        "organisation", "name", "type", "country", "country_iri", "sector", "sector_iri", "sectors",
        "sector_iris", "sector_source", "ecosystem", "ecosystem_iri", "ecosystems", "ecosystem_iris",
        "label_level", "label_rank", "projects", "budget", "eu_contribution",
    ]  # fmt: skip
    return pd.DataFrame.from_records(records, columns=columns).set_index("organisation")


def _projects_of(pairs: pd.DataFrame) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for o, p in zip(pairs["organisation"], pairs["project"]):
        out[o].append(p)
    return out


def organisations(graph: Graph) -> pd.DataFrame:
    """The organisations of the graph with the attributes the networks carry.

    Organisations are the typed ones (``cg:Organisation`` and subclasses) and any
    participant, member, organiser, attendee or invitee. See the module
    docstring for the sector rule.

    Returns
    -------
    pandas.DataFrame
        Indexed by IRI; columns ``name``, ``type``, ``country`` (ISO code),
        ``country_iri``, ``sector`` (primary sector label), ``sector_iri``,
        ``sectors`` and ``sector_iris`` (all, ``;``-joined), ``sector_source``
        (``organisation``, ``project`` or empty), ``ecosystem`` and
        ``ecosystem_iri`` (of the primary sector), ``ecosystems`` and
        ``ecosystem_iris`` (one per sector, in the same order; a sector without
        an ecosystem gives ``unknown`` and ``""``), ``label_level`` (highest label awarded), ``label_rank``
        (0-3), ``projects`` (count), ``budget`` and ``eu_contribution`` (sums over
        its projects, euros).

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> table = organisations(ds)
    >>> table.loc["https://w3id.org/clustergraph/id/organisation/danish-sound", ["sector", "sector_source"]].tolist()
    ['Digital creative industries', 'project']
    """
    facts = read_facts(graph)
    pairs = participations(graph)
    others = affiliations(graph)
    members = {s for s, types in facts.types.items() if types & set(_ORG_TYPES)}
    members |= set(pairs["organisation"]) | set(others["organisation"])
    return _organisation_table(facts, sorted(members), _projects_of(pairs))


# --- the one-mode projection ------------------------------------------------------


def _project(pairs: pd.DataFrame, facts: Facts, with_projects: bool = True) -> pd.DataFrame:
    """Organisation pairs sharing projects: every pair of each project's members, grouped.

    The pairs are enumerated by :func:`clustergraph.incidence.member_pairs` (the upper
    triangle of each project's member list), and grouped with ``np.unique``: the
    counting equivalent of the sparse product ``B @ B.T`` of the incidence matrix,
    which also keeps the projects behind each pair.
    """
    columns = ["source", "target", "weight", "budget", "eu_contribution", "projects", "project_names"]
    org_codes, orgs = pd.factorize(pairs["organisation"], sort=True)
    proj_codes, projs = pd.factorize(pairs["project"], sort=True)
    orgs, projs = np.asarray(orgs, dtype=object), np.asarray(projs, dtype=object)
    order = np.lexsort((org_codes, proj_codes))  # members by code within each project: pairs come as (smaller, larger)
    a, b, p = member_pairs(org_codes[order], proj_codes[order])
    if not len(a):
        types = {"weight": int, "budget": float, "eu_contribution": float}
        return pd.DataFrame({c: pd.Series(dtype=types.get(c, object)) for c in columns})
    key = a * len(orgs) + b
    order = np.lexsort((p, key))
    key, p = key[order], p[order]
    cells, first, weight = np.unique(key, return_index=True, return_counts=True)
    budget = np.array([facts.budgets.get(x, 0.0) for x in projs], dtype=float)
    eu = np.array([facts.contributions.get(x, 0.0) for x in projs], dtype=float)
    frame = pd.DataFrame(
        {
            "source": orgs[cells // len(orgs)],
            "target": orgs[cells % len(orgs)],
            "weight": weight.astype(int),
            "budget": np.add.reduceat(budget[p], first),
            "eu_contribution": np.add.reduceat(eu[p], first),
        }
    )
    labels = np.array([facts.name(x) for x in projs], dtype=object)
    for column, values in (("projects", projs), ("project_names", labels)):
        behind = np.full(len(cells), "", dtype=object)
        if with_projects:
            names = values[p]
            single = weight == 1
            behind[single] = names[first[single]]
            for i in np.flatnonzero(~single):
                behind[i] = ";".join(names[first[i] : first[i] + weight[i]])
        frame[column] = behind
    return frame[columns]


def collaboration_edges(graph: Graph, *, projects: bool = True) -> pd.DataFrame:
    """Pairs of organisations that share at least one project.

    The organisation-project pairs come from the store (:func:`participations`);
    the pairs of organisations are counted with numpy (the non-zero cells of
    ``B @ B.T`` for the incidence matrix ``B``; the budgets are
    ``B @ diag(budget) @ B.T``).

    Parameters
    ----------
    graph:
        An rdflib graph or dataset.
    projects:
        Also list the projects behind each pair (``projects`` column, ``;``-joined
        IRIs); ``False`` leaves it empty and saves time on very large graphs.

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``target`` (IRIs, ``source < target``), ``weight``
        (shared projects), ``budget`` and ``eu_contribution`` (sums of the shared
        projects' ``cg:totalBudget`` and ``cg:euContribution``, euros), ``projects``
        and ``project_names`` (acronyms), both ``;``-joined in the same order.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> edges = collaboration_edges(ds)
    >>> len(edges), int(edges["weight"].sum())
    (14, 14)
    """
    facts = read_facts(graph)
    return _project(participations(graph), facts, projects)


def _node_records(table: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    """(IRI, attributes) pairs with plain Python values, for ``add_nodes_from``."""
    return list(table.astype(object).to_dict("index").items())


def collaboration_graph(graph: Graph, *, projects: bool = True) -> nx.Graph:
    """The one-mode organisation network: an edge for each pair that shares projects.

    Nodes are the organisations that take part in at least one project, with the
    columns of :func:`organisations` as attributes; edges carry ``weight``
    (shared projects), ``budget``, ``eu_contribution``, ``projects`` (the IRIs
    behind the edge, ``;``-joined) and ``project_names`` (their acronyms). The graph attribute ``name`` is
    ``"collaboration"``.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> G = collaboration_graph(ds)
    >>> G.edges["https://w3id.org/clustergraph/id/organisation/cap-digital",
    ...         "https://w3id.org/clustergraph/id/organisation/nanoprogress"]["projects"]
    'https://w3id.org/clustergraph/id/project/bridge-x'
    """
    facts = read_facts(graph)
    pairs = participations(graph)
    table = _organisation_table(facts, sorted(set(pairs["organisation"])), _projects_of(pairs))
    edges = _project(pairs, facts, projects)
    G = nx.Graph(name="collaboration")
    G.add_nodes_from(_node_records(table))
    G.add_edges_from(
        (u, v, {"weight": w, "budget": b, "eu_contribution": e, "projects": via, "project_names": names})
        for u, v, w, b, e, via, names in zip(
            edges["source"], edges["target"], edges["weight"].tolist(), edges["budget"].tolist(),
            edges["eu_contribution"].tolist(), edges["projects"], edges["project_names"],
        )
    )
    return G


# --- the two-mode network ---------------------------------------------------------


def affiliation_graph(graph: Graph, include: Iterable[str] = ("project", "partnership", "event")) -> nx.Graph:
    """The two-mode network of organisations and what they belong to.

    Organisations have ``bipartite=0``; projects, partnerships and events
    ``bipartite=1`` and ``kind`` (``project``, ``partnership``, ``event``).
    Organisation-project edges carry ``relation="participant"`` and ``roles``
    (``Coordinator;WorkPackageLeader``); the others ``relation`` (``member``,
    ``organiser``, ``attendee``, ``invitee``). Projects carry ``name`` (the
    acronym), ``sector``, ``sectors`` and, when known, ``budget`` and
    ``eu_contribution``.

    Parameters
    ----------
    include:
        Which affiliations to include: any of ``project``, ``partnership``, ``event``.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> B = affiliation_graph(ds)
    >>> B.nodes["https://w3id.org/clustergraph/id/project/cecil"]["bipartite"], B.degree["https://w3id.org/clustergraph/id/project/cecil"]
    (1, 4)
    """
    include = set(include)
    unknown = include - {"project", "partnership", "event"}
    if unknown:
        raise ParameterError(
            f"unknown affiliation kind(s) {', '.join(sorted(unknown))}", fix="use project, partnership or event"
        )
    facts = read_facts(graph)
    pairs = participations(graph, roles=True)
    others = affiliations(graph)
    others = others[others["kind"].isin(include)]
    if "project" not in include:
        pairs = pairs.iloc[0:0]
    members = sorted(set(pairs["organisation"]) | set(others["organisation"]))
    table = _organisation_table(facts, members, _projects_of(pairs))
    B = nx.Graph(name="affiliation")
    B.add_nodes_from((org, {**attrs, "bipartite": 0, "kind": "organisation"}) for org, attrs in _node_records(table))
    for project in sorted(set(pairs["project"])):
        sectors = sorted(set(facts.sectors.get(project, ())), key=lambda s: (facts.name(s).casefold(), s))
        attrs: dict[str, Any] = {
            "bipartite": 1,
            "kind": "project",
            "name": facts.name(project),
            "type": "Project",
            "sector": facts.name(sectors[0]) if sectors else UNKNOWN,
            "sectors": ";".join(facts.name(s) for s in sectors),
        }
        if project in facts.budgets:
            attrs["budget"] = facts.budgets[project]
        if project in facts.contributions:
            attrs["eu_contribution"] = facts.contributions[project]
        B.add_node(project, **attrs)
    for affiliation, kind in sorted(set(zip(others["affiliation"], others["kind"]))):
        B.add_node(affiliation, bipartite=1, kind=kind, name=facts.name(affiliation), type=kind.capitalize())
    B.add_edges_from((o, p, {"relation": "participant", "roles": r}) for o, p, r in zip(pairs["organisation"], pairs["project"], pairs["roles"]))
    B.add_edges_from((o, a, {"relation": rel}) for o, a, rel in zip(others["organisation"], others["affiliation"], others["relation"]))
    return B


# --- aggregated networks ----------------------------------------------------------


def collaboration_of(graph: Graph | nx.Graph) -> nx.Graph:
    """The collaboration graph of ``graph``: built by :func:`collaboration_graph` from an
    rdflib graph, or ``graph`` itself when it is a networkx graph already.

    What the analyses that take either call first.

    >>> G = nx.path_graph(2)
    >>> collaboration_of(G) is G
    True
    """
    if isinstance(graph, nx.Graph):
        return graph
    if isinstance(graph, Graph):
        return collaboration_graph(graph)
    raise ParameterError(
        f"expected an rdflib graph or a collaboration graph, got {type(graph).__name__}",
        fix="pass the dataset or the result of collaboration_graph()",
    )


_LISTS = {"sector": ("sectors", "sector_iris"), "ecosystem": ("ecosystems", "ecosystem_iris")}


def shares(G: nx.Graph, attribute: str = "sector", by: str = "label") -> dict[Hashable, dict[str, float]]:
    """Each node's membership of categories, as shares that sum to 1.

    Parameters
    ----------
    G:
        A graph from :func:`collaboration_graph` (or any graph with the node attribute).
    attribute:
        ``"sector"`` and ``"ecosystem"`` read the lists ``sectors``/``ecosystems``
        (equal shares; a repeated ecosystem adds up); any other attribute
        (``"country"``) is one category per node. Missing values are :data:`UNKNOWN`.
    by:
        ``"label"`` (names) or ``"iri"`` (the ``*_iris`` lists, or ``<attribute>_iri``).

    >>> G = nx.Graph()
    >>> G.add_node("a", sectors="Plasma;Water", sector_iris="s:p;s:w")
    >>> G.add_node("b", sector="Water")
    >>> shares(G)
    {'a': {'Plasma': 0.5, 'Water': 0.5}, 'b': {'Water': 1.0}}
    """
    if by not in ("label", "iri"):
        raise ParameterError(f"by={by!r} is not 'label' or 'iri'", fix="use by='label' or by='iri'")
    out: dict[Hashable, dict[str, float]] = {}
    for node, data in G.nodes(data=True):
        items = node_categories(data, attribute)
        share: dict[str, float] = {}
        for ident, label in items:
            key = label if by == "label" else ident
            share[key] = share.get(key, 0.0) + 1.0 / len(items)
        out[node] = share
    return out


def node_categories(data: dict[str, Any], attribute: str) -> list[tuple[str, str]]:
    """A node's categories of ``attribute`` as (IRI or label, label) pairs, repeats kept.

    ``data`` is the node's attribute dict; the categories are read as in
    :func:`shares` (which turns them into shares), a missing one is :data:`UNKNOWN`.

    >>> node_categories({"sectors": "Plasma;Water", "sector_iris": "s:p;s:w"}, "sector")
    [('s:p', 'Plasma'), ('s:w', 'Water')]
    >>> node_categories({}, "country")
    [('unknown', 'unknown')]
    """
    names = _LISTS.get(attribute)
    if names is not None and data.get(names[0]):
        labels = data[names[0]].split(";")
        iris = (data.get(names[1]) or "").split(";")
        iris += [""] * (len(labels) - len(iris))
    else:
        labels = [data.get(attribute) or UNKNOWN]
        iris = [data.get(f"{attribute}_iri") or ""]
    labels = [label or UNKNOWN for label in labels]
    return [(iri or label, label) for iri, label in zip(iris, labels)]


def _aggregate(G: nx.Graph, attribute: str, name: str) -> nx.Graph:
    """Collapse organisations into the categories of ``attribute``, sharing multi-category ones."""
    groups: dict[str, dict[str, Any]] = {}
    by_node: dict[Hashable, dict[str, float]] = {}
    for node, data in G.nodes(data=True):
        items = node_categories(data, attribute)
        ecosystems = (data.get("ecosystems") or "").split(";") if attribute == "sector" else []
        share: dict[str, float] = {}
        for i, (ident, label) in enumerate(items):
            share[ident] = share.get(ident, 0.0) + 1.0 / len(items)
            group = groups.setdefault(ident, {"name": label, "organisations": 0, "internal": 0.0})
            if attribute == "sector":
                group.setdefault("ecosystem", ecosystems[i] if i < len(ecosystems) and ecosystems[i] else UNKNOWN)
        for ident in share:
            groups[ident]["organisations"] += 1
        by_node[node] = share
    weight: dict[tuple[str, str], float] = defaultdict(float)
    shared: dict[tuple[str, str], float] = defaultdict(float)
    behind: dict[tuple[str, str], set[str]] = defaultdict(set)
    # The edges grouped by the category shares of their two ends: each group adds its count,
    # its total strength and its projects to every pair of categories the shares name, in
    # one step instead of one per edge.
    signature: dict[Hashable, int] = {}
    distinct: dict[tuple[tuple[str, float], ...], int] = {}
    found: list[dict[str, float]] = []
    for node, share in by_node.items():
        key = tuple(share.items())
        if key not in distinct:
            distinct[key] = len(found)
            found.append(share)
        signature[node] = distinct[key]
    edges = list(iter(G.edges(data=True)))
    if edges:
        us, vs, datas = zip(*edges)
        size = len(found)
        codes = np.fromiter(map(signature.__getitem__, us), np.int64, len(us)) * size + np.fromiter(map(signature.__getitem__, vs), np.int64, len(vs))
        strength = np.array([float(d.get("weight", 1)) for d in datas])
        projects = [d.get("projects") or "" for d in datas]
        cells, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
        inverse = inverse.ravel()
        order = np.argsort(inverse, kind="stable")
        totals = np.bincount(inverse, weights=strength, minlength=len(cells))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        for cell, count, total, start in zip(cells.tolist(), counts.tolist(), totals.tolist(), starts.tolist()):
            members = order[start : start + count].tolist()
            via = set(";".join([projects[i] for i in members]).split(";")) - {""}
            for a, pa in found[cell // size].items():
                for b, pb in found[cell % size].items():
                    part = pa * pb
                    if a == b:
                        groups[a]["internal"] += part * count
                        continue
                    key = (a, b) if a < b else (b, a)
                    weight[key] += part * count
                    shared[key] += part * total
                    behind[key].update(via)
    A = nx.Graph(name=name)
    A.add_nodes_from(sorted(groups.items()))
    A.add_edges_from(
        (a, b, {"weight": weight[(a, b)], "shared_projects": shared[(a, b)], "projects": ";".join(sorted(behind[(a, b)]))})
        for a, b in sorted(weight)
    )
    return A


def sector_graph(graph: Graph | nx.Graph, level: str = "sector") -> nx.Graph:
    """The network of sectors (or ecosystems): who collaborates across them.

    Each organisation counts in its sectors (see the module docstring: its own
    sectors, else its projects' sectors, in equal shares). An edge's ``weight``
    is the number of collaborations (organisation pairs sharing a project)
    between organisations of the two sectors, a fraction when a partner has
    several sectors; ``shared_projects`` weighs them by their shared projects;
    ``projects`` lists the projects behind them. Collaborations inside a sector
    are the node attribute ``internal``; ``organisations`` counts the
    organisations in the sector; sector nodes also carry their ``ecosystem``.
    Edge weights and ``internal`` over all nodes sum to the number of
    collaborations. Nodes are sector (ecosystem) IRIs, or ``"unknown"``.

    Parameters
    ----------
    graph:
        An rdflib graph, or a graph from :func:`collaboration_graph` (saves the queries).
    level:
        ``"sector"`` or ``"ecosystem"``.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> S = sector_graph(ds)
    >>> S.edges["https://w3id.org/clustergraph/id/sector/plasma", "https://w3id.org/clustergraph/id/sector/water"]["weight"]
    1.0
    """
    if level not in LEVELS:
        raise ParameterError(f"unknown level {level!r}", fix="use level='sector' or level='ecosystem'")
    G = collaboration_of(graph)
    if level == "sector":
        return _aggregate(G, "sector", "sector")
    return _aggregate(G, "ecosystem", "ecosystem")


def country_graph(graph: Graph | nx.Graph) -> nx.Graph:
    """The network of countries: collaborations between organisations of two countries.

    Nodes are country authority IRIs (``name`` is the ISO code) or ``"unknown"``;
    attributes and edges as in :func:`sector_graph`.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> C = country_graph(ds)
    >>> C.nodes["http://publications.europa.eu/resource/authority/country/ESP"]["organisations"]
    2
    """
    return _aggregate(collaboration_of(graph), "country", "country")
