"""Merging organisations named in several sources, and listing the doubtful cases.

Identical organisations become one node by construction: their IRI is minted
from a key that ignores case, accents, punctuation and legal suffixes
(:func:`clustergraph.ingest.normalise.organisation`), so ``Cap Digital`` in one file and
``CAP DIGITAL SAS`` in another are the same ``cgid:organisation/cap-digital``.

Names that are close but not identical after that normalisation (a typo, an
acronym next to the full name) are never merged silently: :func:`candidates`
lists them for the data steward, who decides (and, to merge, writes the same
name in both files or adds the other spelling as ``skos:altLabel``).

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDF, RDFS
>>> from clustergraph.namespaces import CG
>>> from clustergraph.ingest.normalise import organisation
>>> g = Graph()
>>> for name in ("Nanoprogress", "Nanoprogres", "Danish Sound"):
...     _ = g.add((organisation(name), RDF.type, CG.Organisation)).add((organisation(name), RDFS.label, Literal(name)))
>>> [(c.first_label, c.second_label, c.reason) for c in candidates(g)]
[('Nanoprogres', 'Nanoprogress', 'similar names (edit distance 1)')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.graph import Graph

from ..iri import slug
from ..namespaces import CG
from .normalise import fold, organisation_key

__all__ = ["Candidate", "candidates", "organisations", "ORGANISATION_CLASSES"]

ORGANISATION_CLASSES = (CG.Organisation, CG.ClusterOrganisation, CG.PublicBody, CG.LabellingBody)
"""Classes whose instances are compared for merging."""

_STOPWORDS = {"and", "of", "for", "the", "de", "del", "la", "el", "y", "und", "fur", "et", "des", "di", "e"}


@dataclass(frozen=True)
class Candidate:
    """Two organisations that may be the same: for the steward to decide, never merged here."""

    first: URIRef
    second: URIRef
    first_label: str
    second_label: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {
            "first": str(self.first),
            "second": str(self.second),
            "first_label": self.first_label,
            "second_label": self.second_label,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        return f"{self.first_label!r} <{self.first}> and {self.second_label!r} <{self.second}>: {self.reason}"


_ORGANISATIONS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?org ?name WHERE {
  VALUES ?class { %s }
  ?org a ?class .
  OPTIONAL { ?org rdfs:label|skos:prefLabel|skos:altLabel ?name }
}
""" % " ".join(c.n3() for c in ORGANISATION_CLASSES)


def organisations(graph: Graph) -> dict[URIRef, list[str]]:
    """Organisations in ``graph`` (typed with one of :data:`ORGANISATION_CLASSES`) and their names.

    One query, pushed down to the store when it can answer it.
    """
    from ..store.dataset import select

    found: dict[URIRef, set[str]] = {}
    _, rows = select(graph, _ORGANISATIONS_QUERY)
    for org, name in rows:
        if isinstance(org, URIRef):
            names = found.setdefault(org, set())
            if name is not None:
                names.add(str(name))
    return {org: sorted(names) for org, names in found.items()}


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _acronym(name: str) -> str:
    words = [w for w in fold(name).replace("-", " ").split() if w not in _STOPWORDS]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _variants(key: str) -> set[str]:
    """The key and every string one deleted letter away from it (a deletion neighbourhood).

    Digits are never deleted: two keys that share a variant have the same numbers.
    """
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key)) if not key[i].isdigit()}


def candidates(graph: Graph, *, among: Iterable[URIRef] | None = None, max_distance: int = 2) -> list[Candidate]:
    """List pairs of distinct organisations whose names are close but not identical.

    Two organisations are listed when a name of one is within ``max_distance``
    edits of a name of the other and both differ by at most one deleted character
    each (a typo, a missing letter, swapped letters; names of 6 characters or more,
    after folding and dropping legal suffixes), or when one's name is the acronym of
    the other's (``ESCA`` and ``European Secretariat for Cluster Analysis``). Names
    whose numbers differ (``Cluster 12``, ``Cluster 13``) are different organisations.
    Near matches are found through an index of one-deletion variants, so the cost
    grows with the number of organisations, not with its square.

    Parameters
    ----------
    graph:
        the graph (or dataset, read as its union) to look in.
    among:
        if given, only pairs where at least one organisation is in ``among``
        (e.g. the ones a new import brought in).
    max_distance:
        the largest edit distance still reported.

    Returns
    -------
    list[Candidate]
        sorted by label; empty when nothing is doubtful.
    """
    orgs = organisations(graph)
    focus = set(among) if among is not None else None
    keys: dict[URIRef, set[str]] = {
        node: {slug(organisation_key(n)).replace("-", "") for n in names if fold(n)} for node, names in orgs.items()
    }
    label = {node: (names[0] if names else str(node).rsplit("/", 1)[-1]) for node, names in orgs.items()}
    by_key: dict[str, set[URIRef]] = defaultdict(set)
    by_variant: dict[str, set[tuple[URIRef, str]]] = defaultdict(set)
    for node, ks in keys.items():
        for k in ks:
            by_key[k].add(node)
            if len(k) >= 6:
                for v in _variants(k):
                    by_variant[v].add((node, k))
    found: dict[tuple[URIRef, URIRef], Candidate] = {}

    def add(a: URIRef, b: URIRef, reason: str) -> None:
        if a == b or (focus is not None and a not in focus and b not in focus):
            return
        pair = (a, b) if label[a] <= label[b] else (b, a)
        if pair not in found:
            found[pair] = Candidate(pair[0], pair[1], label[pair[0]], label[pair[1]], reason)

    for members in by_variant.values():
        if len(members) < 2:
            continue
        ordered = sorted(members)
        for i, (a, ka) in enumerate(ordered):
            for b, kb in ordered[i + 1 :]:
                if a == b or keys[a] & keys[b]:
                    continue
                if focus is not None and a not in focus and b not in focus:
                    continue
                distance = _distance(ka, kb, max_distance)
                if distance <= max_distance:
                    add(a, b, f"similar names (edit distance {distance})")
    for node, names in orgs.items():
        for n in names:
            acro = _acronym(n)
            if len(acro) >= 2:
                for other in by_key.get(acro, ()):
                    if other != node and not (keys[node] & keys[other]):
                        add(node, other, "one name is the acronym of the other")
    return sorted(found.values(), key=lambda c: (c.first_label, c.second_label))
