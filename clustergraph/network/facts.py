"""What the store gives the networks: query rows, names, and the small tables keyed by IRI.

The bottom of the network stage. :func:`select_rows` runs a SELECT where the graph lives
(Oxigraph's native API when it can, so that large results skip rdflib's term
conversion); :func:`preferred_labels` and :func:`display_name` pick the name a
node is shown by; :func:`read_facts` gathers the names, types, countries,
sectors, ecosystems, budgets and label levels every network builder needs
(:class:`Facts`).

**Names.** An IRI is named by its English label, else a label without language,
else any label (the smallest when several tie); a project by its acronym first;
an IRI the data does not name by the English label the shipped ontology gives it
(the 14 ecosystems, roles, levels), else by its local name.

>>> from clustergraph import store
>>> ds = store.open_dataset()
>>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
>>> facts = read_facts(ds)
>>> facts.name("https://w3id.org/clustergraph/id/sector/plasma")
'Plasma technology'
>>> facts.levels["https://w3id.org/clustergraph/id/organisation/cap-digital"][0]
3
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph

from ..errors import ClusterGraphError
from ..namespaces import CG
from ..resources import ontology_path
from ..store import dataset as store

__all__ = [
    "Facts",
    "PREFIXES",
    "display_name",
    "local",
    "ontology_labels",
    "preferred_labels",
    "read_facts",
    "select_rows",
]

PREFIXES = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
"""The prefixes :func:`select_rows` puts before every query (``cg:``, ``rdf:``, ``rdfs:``, ``skos:``)."""

_Q_LABELS = """SELECT ?s ?label (LANG(?label) AS ?lang) WHERE {
  { ?s rdfs:label ?label } UNION { ?s skos:prefLabel ?label }
}"""

_Q_ACRONYMS = "SELECT ?s ?acronym WHERE { ?s cg:acronym ?acronym }"

_Q_TYPES = """SELECT ?s ?type WHERE {
  VALUES ?type { cg:Organisation cg:ClusterOrganisation cg:PublicBody cg:LabellingBody
                 cg:Project cg:Partnership cg:Event }
  ?s rdf:type ?type .
}"""

_Q_COUNTRIES = "SELECT ?s ?country WHERE { ?s cg:country ?country }"
_Q_SECTORS = "SELECT ?s ?sector WHERE { ?s cg:sector ?sector }"
_Q_ECOSYSTEMS = "SELECT ?sector ?ecosystem WHERE { ?sector cg:ecosystem ?ecosystem }"
_Q_BUDGETS = "SELECT ?project ?budget WHERE { ?project cg:totalBudget ?budget }"
_Q_CONTRIBUTIONS = "SELECT ?project ?amount WHERE { ?project cg:euContribution ?amount }"
_Q_AWARDS = """SELECT ?holder ?level ?rank WHERE {
  ?award cg:holder ?holder ; cg:level ?level .
  FILTER NOT EXISTS { ?award rdf:type cg:LabelTarget }
  OPTIONAL { ?level cg:rank ?rank }
}"""

_DEFAULT_RANKS = {str(CG.Bronze): 1, str(CG.Silver): 2, str(CG.Gold): 3}


def select_rows(graph: Graph, query: str) -> list[tuple[str | None, ...]]:
    """Run a SELECT where ``graph`` lives; return rows of lexical values (IRIs and literals as str).

    :data:`PREFIXES` go before ``query``. On Oxigraph the native API is used, so
    large results skip rdflib's term conversion; other stores go through
    :func:`clustergraph.store.select`. An unbound variable is ``None``.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> _ = store.load(ds, CLUSTERS, graph="https://example.org/g")
    >>> select_rows(ds, "SELECT ?p WHERE { ?p cg:acronym 'CECIL' }")
    [('https://w3id.org/clustergraph/id/project/cecil',)]
    """
    native = store.oxigraph(graph)
    if native is not None:
        result = native.query(PREFIXES + query, use_default_graph_as_union=True)
        return [tuple(None if t is None else t.value for t in solution) for solution in result]
    _, found = store.select(graph, PREFIXES + query)
    return [tuple(None if t is None else str(t) for t in row) for row in found]


def local(iri: str) -> str:
    """The last segment of an IRI: its local name.

    >>> local("https://w3id.org/clustergraph/ontology#Gold"), local("https://example.org/a/b/")
    ('Gold', 'b')
    """
    return iri.rstrip("/").replace("#", "/").rsplit("/", 1)[-1]


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, str]:
    """English labels the shipped ontology gives (the 14 ecosystems, roles, levels), for data that lacks them.

    >>> ontology_labels()["https://w3id.org/clustergraph/ontology#Gold"]
    'Gold'
    """
    try:
        triples = ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        return {
            t.subject.value: t.object.value
            for t in triples
            if t.predicate == label and isinstance(t.subject, ox.NamedNode) and getattr(t.object, "language", None) == "en"
        }
    except (OSError, SyntaxError, ClusterGraphError):
        return {}


def preferred_labels(found: Iterable[tuple[str | None, ...]]) -> dict[str, str]:
    """One label per IRI from ``(iri, label, language)`` rows: English first, then none, then any.

    Ties go to the smallest language tag, then the smallest label; rows with an
    unbound IRI or label are skipped.

    >>> preferred_labels([("a", "Eau", "fr"), ("a", "Water", "en"), ("b", "Plasma", ""), ("b", "Plasma", "de")])
    {'a': 'Water', 'b': 'Plasma'}
    """
    best: dict[str, tuple[int, str, str]] = {}
    for s, label, lang in found:
        if s is None or label is None:
            continue
        lang = (lang or "").lower()
        key = (0 if lang.startswith("en") else 1 if not lang else 2, lang, label)
        if s not in best or key < best[s]:
            best[s] = key
    return {s: key[2] for s, key in best.items()}


def display_name(iri: str, names: Mapping[str, str]) -> str:
    """The name ``iri`` is shown by: from ``names``, else the ontology's label, else its local name.

    >>> display_name("https://w3id.org/clustergraph/id/sector/plasma", {})
    'plasma'
    """
    return names.get(iri) or ontology_labels().get(iri) or local(iri)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


@dataclass
class Facts:
    """The small tables the queries return, keyed by IRI (what :func:`read_facts` reads).

    ``names`` (labels, a project's acronym first), ``types`` (local names of the
    organisation, project, partnership and event classes), ``countries`` and
    ``sectors`` (sorted lists), ``ecosystems`` (of each sector), ``budgets`` and
    ``contributions`` (of each project, euros), ``levels`` (each holder's highest
    label as ``(rank, level IRI)``).
    """

    names: dict[str, str] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    countries: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sectors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    ecosystems: dict[str, str] = field(default_factory=dict)
    budgets: dict[str, float] = field(default_factory=dict)
    contributions: dict[str, float] = field(default_factory=dict)
    levels: dict[str, tuple[int, str]] = field(default_factory=dict)

    def name(self, iri: str) -> str:
        """The name ``iri`` is shown by (:func:`display_name` over :attr:`names`)."""
        return display_name(iri, self.names)


def read_facts(graph: Graph) -> Facts:
    """Read the :class:`Facts` of ``graph`` from the store, one small query per table."""
    facts = Facts()
    facts.names.update(preferred_labels(select_rows(graph, _Q_LABELS)))
    acronyms: dict[str, str] = {}
    for s, acronym in select_rows(graph, _Q_ACRONYMS):
        if s is not None and acronym and (s not in acronyms or acronym < acronyms[s]):
            acronyms[s] = acronym
    facts.names.update(acronyms)  # a project is named by its acronym before its label
    for s, t in select_rows(graph, _Q_TYPES):
        if s is not None and t is not None:
            facts.types[s].add(local(t))
    for s, c in select_rows(graph, _Q_COUNTRIES):
        if s is not None and c is not None:
            facts.countries[s].append(c)
    for s, sector in select_rows(graph, _Q_SECTORS):
        if s is not None and sector is not None:
            facts.sectors[s].append(sector)
    for sector, eco in sorted(select_rows(graph, _Q_ECOSYSTEMS), key=lambda r: (r[0] or "", r[1] or "")):
        if sector is not None and eco is not None:
            facts.ecosystems.setdefault(sector, eco)
    for target, query in ((facts.budgets, _Q_BUDGETS), (facts.contributions, _Q_CONTRIBUTIONS)):
        for project, amount in select_rows(graph, query):
            value = _number(amount)
            if project is not None and value is not None:
                target[project] = max(value, target.get(project, value))  # two figures: the larger
    for holder, level, rank in select_rows(graph, _Q_AWARDS):
        if holder is None or level is None:
            continue
        value = int(_number(rank) or _DEFAULT_RANKS.get(level, 0))
        best = facts.levels.get(holder)
        if best is None or (value, level) > best:
            facts.levels[holder] = (value, level)
    for sector_list in facts.sectors.values():
        sector_list.sort()
    for country_list in facts.countries.values():
        country_list.sort()
    return facts
