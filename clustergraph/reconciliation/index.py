"""The organisations of a graph, read once, ready to be matched: names, types, places, identifiers.

>>> from clustergraph.ingest import load_embedded
>>> index = Index.from_graph(load_embedded())
>>> len(index.entities) >= 17 and index.entities[next(iter(index.entities))].name != ""
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.graph import Graph

from ..identifiers import SCHEMES, scheme_of
from ..namespaces import CG
from .matching import acronym, idf_weights, tokens

__all__ = ["Entity", "Index", "ORGANISATION_TYPES"]

ORGANISATION_TYPES: dict[URIRef, str] = {
    CG.Organisation: "Organisation",
    CG.ClusterOrganisation: "Cluster organisation",
    CG.PublicBody: "Public body",
    CG.LabellingBody: "Labelling body",
}
"""The types a reconciliation query may name, with their names (every one is a ``cg:Organisation``)."""


@dataclass
class Entity:
    """One organisation as the reconciliation service sees it."""

    iri: URIRef
    name: str
    names: list[str] = field(default_factory=list)
    types: set[URIRef] = field(default_factory=set)
    countries: dict[URIRef, str] = field(default_factory=dict)
    cities: set[str] = field(default_factory=set)
    sectors: dict[URIRef, str] = field(default_factory=dict)
    identifiers: dict[str, set[str]] = field(default_factory=dict)
    websites: set[str] = field(default_factory=set)
    projects: dict[URIRef, str] = field(default_factory=dict)
    words: list[list[str]] = field(default_factory=list)

    @property
    def description(self) -> str:
        """A short line that tells namesakes apart: type, city, country."""
        kind = next((ORGANISATION_TYPES[t] for t in (CG.ClusterOrganisation, CG.PublicBody, CG.LabellingBody) if t in self.types), "Organisation")
        place = ", ".join([*sorted(self.cities), *sorted(self.countries.values())])
        return f"{kind}" + (f" ({place})" if place else "")


_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cg: <https://w3id.org/clustergraph/ontology#>
SELECT ?org ?key ?value ?label WHERE {
  ?org a ?class . FILTER (?class IN (%s))
  {
    ?org a ?value . BIND ("type" AS ?key)
  } UNION {
    ?org rdfs:label ?value . BIND ("label" AS ?key)
  } UNION {
    ?org skos:prefLabel|skos:altLabel ?value . BIND ("alt" AS ?key)
  } UNION {
    ?org cg:country ?value . BIND ("country" AS ?key)
  } UNION {
    ?org cg:city ?value . BIND ("city" AS ?key)
  } UNION {
    ?org cg:website ?value . BIND ("website" AS ?key)
  } UNION {
    ?org cg:sector ?value . BIND ("sector" AS ?key)
    OPTIONAL { ?value skos:prefLabel|rdfs:label ?label }
  } UNION {
    ?org ?p ?value . FILTER (?p IN (%s)) BIND (STR(?p) AS ?key)
  } UNION {
    ?participation cg:participant ?org ; cg:project ?value . BIND ("project" AS ?key)
    OPTIONAL { ?value cg:acronym ?label }
  }
}
""" % (
    ", ".join(t.n3() for t in ORGANISATION_TYPES),
    ", ".join(s.property.n3() for s in SCHEMES.values()),
)

_COUNTRY_NAMES = {
    "AUT": "Austria", "BEL": "Belgium", "BGR": "Bulgaria", "HRV": "Croatia", "CYP": "Cyprus", "CZE": "Czechia",
    "DNK": "Denmark", "EST": "Estonia", "FIN": "Finland", "FRA": "France", "DEU": "Germany", "GRC": "Greece",
    "HUN": "Hungary", "IRL": "Ireland", "ITA": "Italy", "LVA": "Latvia", "LTU": "Lithuania", "LUX": "Luxembourg",
    "MLT": "Malta", "NLD": "Netherlands", "POL": "Poland", "PRT": "Portugal", "ROU": "Romania", "SVK": "Slovakia",
    "SVN": "Slovenia", "ESP": "Spain", "SWE": "Sweden", "GBR": "United Kingdom", "NOR": "Norway", "CHE": "Switzerland",
    "ISL": "Iceland", "TUR": "Türkiye", "UKR": "Ukraine", "SRB": "Serbia", "MKD": "North Macedonia", "ALB": "Albania",
    "MNE": "Montenegro", "BIH": "Bosnia and Herzegovina", "MDA": "Moldova", "ISR": "Israel", "ARM": "Armenia",
}


def country_name(iri: URIRef) -> str:
    """The English name of an EU authority country IRI (its code when unknown).

    >>> country_name(URIRef("http://publications.europa.eu/resource/authority/country/ESP"))
    'Spain'
    """
    code = str(iri).rsplit("/", 1)[-1]
    return _COUNTRY_NAMES.get(code, code)


class Index:
    """The organisations of a graph by IRI, with their word lists and identifier look-up."""

    def __init__(self, entities: dict[URIRef, Entity]) -> None:
        self.entities = entities
        self.weights = idf_weights(w for e in entities.values() for w in e.words)
        self.by_identifier: dict[tuple[str, str], list[URIRef]] = {}
        self.by_word: dict[str, set[URIRef]] = {}
        self.by_acronym: dict[str, set[URIRef]] = {}
        self.compact: list[str] = []
        self.compact_owner: list[URIRef] = []
        for e in entities.values():
            for scheme, values in e.identifiers.items():
                for v in values:
                    self.by_identifier.setdefault((scheme, v), []).append(e.iri)
            for words in e.words:
                for w in words:
                    self.by_word.setdefault(w, set()).add(e.iri)
                initials = acronym(words)
                if initials:
                    self.by_acronym.setdefault(initials, set()).add(e.iri)
                self.compact.append("".join(words))
                self.compact_owner.append(e.iri)
        self.vocabulary = sorted(self.by_word)

    def candidates(self, words: list[str], *, limit: int = 50) -> set[URIRef]:
        """The organisations worth scoring for a query's words (blocking): those sharing a
        distinctive word or a close spelling of one, whose name is close written without
        spaces, or whose initials the query is. Scoring every organisation would cost a
        few milliseconds per thousand organisations and query; this keeps it flat.

        >>> from clustergraph.ingest import load_embedded
        >>> ix = Index.from_graph(load_embedded())
        >>> "Mazovia ICT Cluster" in {ix.entities[i].name for i in ix.candidates(tokens("Mazovia ICT Clustr"))}
        True
        """
        from rapidfuzz import fuzz, process

        found: set[URIRef] = set()
        common = max(10, len(self.entities) // 10)  # a word in more than a tenth of the names does not tell them apart
        for w in words:
            holders = self.by_word.get(w)
            if holders is not None and len(holders) <= common:
                found |= holders
            if len(w) >= 4:
                for other, _score, _i in process.extract(w, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80, limit=10):
                    if other != w and len(self.by_word[other]) <= common:
                        found |= self.by_word[other]
        if words:
            for _text, _score, i in process.extract("".join(words), self.compact, scorer=fuzz.ratio, score_cutoff=70, limit=limit):
                found.add(self.compact_owner[i])
            if len(words) == 1:
                found |= self.by_acronym.get(words[0], set())
            found |= self.by_acronym.get(acronym(words), set())
        if not found:  # only common words: fall back to the names that share them
            for w in words:
                found |= self.by_word.get(w, set())
        return found

    @classmethod
    def from_graph(cls, graph: Graph) -> Index:
        """Read every organisation of ``graph`` (a dataset is read as the union of its graphs), in one query."""
        from ..store.dataset import select

        found: dict[URIRef, Entity] = {}
        labels: dict[URIRef, list[str]] = {}
        alts: dict[URIRef, list[str]] = {}
        _, rows = select(graph, _QUERY)
        for org, key, value, label in rows:
            if not isinstance(org, URIRef) or value is None:
                continue
            e = found.setdefault(org, Entity(org, ""))
            k = str(key)
            if k == "type" and isinstance(value, URIRef):
                e.types.add(value)
            elif k == "label" and isinstance(value, Literal):
                labels.setdefault(org, []).append(str(value))
            elif k == "alt" and isinstance(value, Literal):
                alts.setdefault(org, []).append(str(value))
            elif k == "country" and isinstance(value, URIRef):
                e.countries[value] = country_name(value)
            elif k == "city":
                e.cities.add(str(value))
            elif k == "website":
                e.websites.add(str(value))
            elif k == "sector" and isinstance(value, URIRef):
                e.sectors[value] = str(label) if label is not None else str(value).rsplit("/", 1)[-1].replace("-", " ")
            elif k == "project" and isinstance(value, URIRef):
                e.projects[value] = str(label) if label is not None else str(value).rsplit("/", 1)[-1]
            else:
                scheme = scheme_of(URIRef(k))
                if scheme is not None:
                    e.identifiers.setdefault(scheme.name, set()).add(str(value))
        for org, e in found.items():
            main = sorted(set(labels.get(org, [])))
            other = sorted(set(alts.get(org, [])) - set(main))
            e.types.add(CG.Organisation)
            e.names = main + other
            e.name = main[0] if main else (other[0] if other else str(org).rsplit("/", 1)[-1])
            e.words = [w for w in (tokens(n) for n in e.names or [e.name]) if w]
        return cls(found)
