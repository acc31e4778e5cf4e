"""Merging organisations named in several sources, and listing the doubtful cases.

**Identifiers come first.** :func:`merge_by_identifier` runs after every import: two
records that share a PIC, VAT number, ROR ID, Wikidata item or ECCP profile
(:data:`clustergraph.identifiers.UNIQUE_SCHEMES`) are one organisation whatever their
names, so the later IRI is rewritten to the earlier one in every graph and its names
are kept as ``skos:altLabel``. Two sources whose records got one IRI from their names
but whose identifiers of one scheme disagree are *kept apart*: the newer source's record
gets an IRI of its own (``...--pic-123456789``). Every decision is written to the
provenance graph as a ``cg:IdentityDecision`` with its reason. Web domains are never a
reason to merge (several clusters share one host).

Identical names become one node by construction: their IRI is minted
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

import hashlib

from rdflib import Literal, URIRef
from rdflib.graph import Dataset, Graph
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from ..identifiers import SCHEMES, UNIQUE_SCHEMES, scheme_of
from ..iri import slug
from ..namespaces import CG, GRAPH, ID
from .normalise import fold, organisation_key

__all__ = [
    "Candidate",
    "IdentityDecision",
    "candidates",
    "identifiers",
    "merge_by_identifier",
    "organisations",
    "ORGANISATION_CLASSES",
]

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
    if found:  # organisations whose identifiers of one scheme differ are known to be two
        ids = identifiers(graph)
        found = {pair: c for pair, c in found.items() if not _disagree(ids.get(pair[0], {}), ids.get(pair[1], {}))}
    return sorted(found.values(), key=lambda c: (c.first_label, c.second_label))


def _disagree(a: dict[str, set[str]], b: dict[str, set[str]]) -> bool:
    return any(a[s] and b.get(s) and not (a[s] & b[s]) for s in a if s in UNIQUE_SCHEMES)


# --- identity: merging by identifiers ---------------------------------------------------

_SOURCE_PREFIX = str(GRAPH["source/"])

_IDENTIFIERS_QUERY = """
SELECT ?g ?org ?p ?value WHERE {
  VALUES ?p { %s }
  GRAPH ?g { ?org ?p ?value . FILTER (isLiteral(?value)) }
}
""" % " ".join(s.property.n3() for s in SCHEMES.values())


def identifiers(graph: Graph) -> dict[URIRef, dict[str, set[str]]]:
    """The identifiers of every organisation in ``graph``: ``{org: {scheme: {notation, ...}}}``.

    >>> from rdflib import Dataset, Literal
    >>> ds = Dataset()
    >>> _ = ds.graph(GRAPH["source/a"]).add((ID["organisation/x"], CG.pic, Literal("999999999")))
    >>> identifiers(ds)
    {rdflib.term.URIRef('https://w3id.org/clustergraph/id/organisation/x'): {'pic': {'999999999'}}}
    """
    out: dict[URIRef, dict[str, set[str]]] = {}
    for _g, org, prop, value in _identifier_rows(graph):
        scheme = scheme_of(prop)
        if scheme is not None:
            out.setdefault(org, {}).setdefault(scheme.name, set()).add(str(value))
    return out


def _identifier_rows(graph: Graph) -> list[tuple[URIRef, URIRef, URIRef, Literal]]:
    from ..store.dataset import select

    if not isinstance(graph, Dataset):
        return [  # a plain graph: one source
            (URIRef(_SOURCE_PREFIX), s, p, o)  # type: ignore[misc]
            for p in (sc.property for sc in SCHEMES.values())
            for s, o in graph.subject_objects(p)
            if isinstance(s, URIRef) and isinstance(o, Literal)
        ]
    _, rows = select(graph, _IDENTIFIERS_QUERY)
    return [
        (g, org, p, v)  # type: ignore[misc]
        for g, org, p, v in rows
        if isinstance(g, URIRef) and isinstance(org, URIRef) and str(g).startswith(_SOURCE_PREFIX)
    ]


@dataclass(frozen=True)
class IdentityDecision:
    """The importer's decision that two organisation records are one (``merged``) or two (``kept apart``)."""

    kept: URIRef
    other: URIRef
    outcome: str
    reason: str

    @property
    def node(self) -> URIRef:
        """The decision's IRI in the provenance graph (the same decision, the same IRI)."""
        digest = hashlib.sha256(f"{self.kept} {self.other} {self.outcome}".encode()).hexdigest()[:16]
        return ID[f"decision/{digest}"]

    def triples(self) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
        """The decision as provenance triples."""
        n = self.node
        return [
            (n, RDF.type, CG.IdentityDecision),
            (n, CG.decidedAbout, self.kept),
            (n, CG.otherIri, Literal(str(self.other), datatype=XSD.anyURI)),
            (n, CG.outcome, Literal(self.outcome)),
            (n, CG.reason, Literal(self.reason)),
        ]

    def as_dict(self) -> dict[str, str]:
        return {"kept": str(self.kept), "other": str(self.other), "outcome": self.outcome, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.outcome}: <{self.other}> and <{self.kept}>: {self.reason}"


def merge_by_identifier(dataset: Dataset, *, new: Iterable[URIRef] = ()) -> list[IdentityDecision]:
    """Merge organisation records that share an identifier; keep apart those whose identifiers disagree.

    Reads the source graphs (``cggraph:source/...``) of ``dataset``, rewrites them in place
    and adds a ``cg:IdentityDecision`` per decision to the provenance graph.

    1. **Kept apart.** When one IRI carries two different values of one identifier
       scheme and the values come from different source graphs (the names matched but
       the identifiers do not), the record in the newer graph (one of ``new``; else the
       graph whose IRI sorts last) is renamed to ``<iri>--<scheme>-<value>`` in that graph.
    2. **Merged.** Records sharing a value of a unique scheme are one organisation: every
       IRI of the group is rewritten, in every source graph, to the one that sorts first
       among those already in the dataset before this import (else among all); the
       rewritten record's ``rdfs:label`` becomes a ``skos:altLabel``, so every source's
       spelling is kept.

    Parameters
    ----------
    dataset:
        the dataset after an import.
    new:
        the graphs the import just wrote (they lose ties).

    Returns
    -------
    list[IdentityDecision]
        the decisions taken, sorted; empty when nothing was shared or disagreed.

    >>> from rdflib import Dataset, Literal
    >>> ds = Dataset()
    >>> a, b = ds.graph(GRAPH["source/a"]), ds.graph(GRAPH["source/b"])
    >>> one, two = ID["organisation/madrid-ict-audiovisual-cluster"], ID["organisation/madrid-network-audiovisual"]
    >>> for g, org, name in ((a, one, "Madrid ICT-Audiovisual Cluster"), (b, two, "Madrid Network – Audiovisual")):
    ...     _ = g.add((org, RDF.type, CG.ClusterOrganisation)).add((org, RDFS.label, Literal(name, lang="en")))
    ...     _ = g.add((org, CG.pic, Literal("999999999")))
    >>> [d.outcome + ": " + d.reason for d in merge_by_identifier(ds, new=[GRAPH["source/b"]])]
    ['merged: the same PIC 999999999']
    >>> sorted(str(o) for o in ds.graph(GRAPH["source/b"]).objects(one, SKOS.altLabel))
    ['Madrid Network – Audiovisual']
    """
    from ..store.dataset import replace_graph
    from .provenance import PROVENANCE_GRAPH

    fresh = set(new)
    rows = _identifier_rows(dataset)
    # which graphs give which value of which scheme to which IRI
    where: dict[tuple[URIRef, str], dict[str, set[URIRef]]] = defaultdict(lambda: defaultdict(set))
    for g, org, prop, value in rows:
        scheme = scheme_of(prop)
        if scheme is not None and scheme.unique:
            where[(org, scheme.name)][str(value)].add(g)
    renames: dict[URIRef, dict[URIRef, URIRef]] = defaultdict(dict)  # graph -> {old IRI: new IRI}
    decisions: list[IdentityDecision] = []

    def age(graphs: set[URIRef]) -> tuple[bool, str]:
        return (all(g in fresh for g in graphs), min(str(g) for g in graphs))

    for (org, scheme), values in sorted(where.items()):
        if len(values) < 2:
            continue
        ordered = sorted(values.items(), key=lambda kv: age(kv[1]))
        first_value, first_graphs = ordered[0]
        for value, graphs in ordered[1:]:
            only_here = graphs - first_graphs
            if not only_here or any(g in renames and org in renames[g] for g in only_here):
                continue  # one source gives both values: the shapes report it
            apart = URIRef(f"{org}--{scheme}-{slug(value)}")
            for g in only_here:
                renames[g][org] = apart
            label = SCHEMES[scheme].label
            decisions.append(IdentityDecision(
                org, apart, "kept apart",
                f"the same name, but {label} {value} in {_short(only_here)} and {first_value} in {_short(first_graphs)}",
            ))
    # after keeping apart: which IRI holds which identifier
    holders: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
    known: dict[URIRef, set[URIRef]] = defaultdict(set)  # IRI -> graphs that mention it
    for g, org, prop, value in rows:
        scheme = scheme_of(prop)
        if scheme is None or not scheme.unique:
            continue
        iri = renames.get(g, {}).get(org, org)
        holders[(scheme.name, str(value))].add(iri)
        known[iri].add(g)
    parent: dict[URIRef, URIRef] = {}

    def find(x: URIRef) -> URIRef:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    reasons: dict[frozenset[URIRef], str] = {}
    for (scheme, value), iris in sorted(holders.items()):
        if len(iris) < 2:
            continue
        ordered_iris = sorted(iris, key=lambda i: (age(known[i]), str(i)))
        for other in ordered_iris[1:]:
            a, b = find(ordered_iris[0]), find(other)
            if a != b:
                keep, gone = sorted((a, b), key=lambda i: (age(known[i]), str(i)))
                parent[gone] = keep
                reasons[frozenset((keep, gone))] = f"the same {SCHEMES[scheme].label} {value}"
    merged: dict[URIRef, URIRef] = {iri: find(iri) for iri in list(parent)}
    for gone, keep in sorted(merged.items()):
        reason = next((r for pair, r in reasons.items() if gone in pair), "a shared identifier")
        decisions.append(IdentityDecision(keep, gone, "merged", reason))
    if not decisions:
        return []
    graphs = set(renames)
    if merged:  # the merged IRIs may be named in any source graph (a participation table)
        from ..store.dataset import select

        values = " ".join(iri.n3() for iri in merged)
        _, found = select(dataset, "SELECT DISTINCT ?g WHERE { VALUES ?x { %s } GRAPH ?g { { ?x ?p ?o } UNION { ?s ?p ?x } } }" % values)
        graphs |= {g for (g,) in found if isinstance(g, URIRef) and str(g).startswith(_SOURCE_PREFIX)}
    for g in sorted(graphs):
        local = renames.get(g, {})
        old = list(dataset.graph(g).triples((None, None, None)))
        out = []
        changed = False
        for s, p, o in old:
            s2 = local.get(s, s) if isinstance(s, URIRef) else s
            o2 = local.get(o, o) if isinstance(o, URIRef) else o
            s3 = merged.get(s2, s2) if isinstance(s2, URIRef) else s2
            o3 = merged.get(o2, o2) if isinstance(o2, URIRef) else o2
            p2 = SKOS.altLabel if p == RDFS.label and s3 != s2 else p
            if (s3, p2, o3) != (s, p, o):
                changed = True
            out.append((s3, p2, o3))
        if changed:
            replace_graph(dataset, g, out)
    provenance = dataset.graph(PROVENANCE_GRAPH)
    for d in decisions:
        for t in d.triples():
            provenance.add(t)
    return sorted(decisions, key=lambda d: (d.outcome, str(d.kept), str(d.other)))


def _short(graphs: set[URIRef]) -> str:
    return " and ".join(sorted(str(g)[len(_SOURCE_PREFIX):] for g in graphs))
