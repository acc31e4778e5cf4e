"""Columnar plans: the library's pair-counting queries answered from two small tables.

``co-participants`` joins every participation of a project with every other one.
Oxigraph evaluates that self-join one solution at a time and then joins the labels
to each of them: 31 s for its 640,000 rows at 1M triples, almost all of it in the
engine. A plan here asks the store (in SPARQL, inside Oxigraph) for the two small
tables the join needs, the distinct organisation-project pairs and each
organisation's smallest label, counts the shared projects of every pair of
organisations with one sparse matrix product (``M @ M.T``, scipy), and sorts the
rows as the query's ``ORDER BY`` sorts them. The result is a :class:`Table` of the
cells Oxigraph's TSV writer would write, so :mod:`clustergraph.query.results` writes
CSV, TSV, JSON and DataFrames from it exactly as it writes Oxigraph's own results
(``tests/query/test_columnar.py`` compares the bytes).

``collaboration-network`` (CONSTRUCT) is the same pairs with labels: its plan returns
a store holding the graph, which :func:`clustergraph.query.stream` writes with
Oxigraph's Turtle serializer.

A plan answers only the shipped text of its query (:func:`plan_for` compares a
fingerprint of the text, so an edited copy runs in SPARQL) and returns ``None``
when the data holds something it does not model (an organisation that is not an
IRI); the caller then runs the query in the store.

>>> from clustergraph.query.library import get
>>> plan_for(get("co-participants")) is not None, plan_for(get("coordinators"))
(True, None)
>>> plan_for(get("collaboration-network")).__name__
'collaboration_network'
>>> unescape('"tab\\\\there \\\\"quoted\\\\""')
'tab\\there "quoted"'
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

__all__ = ["PLANS", "Table", "co_participants", "collaboration_network", "fingerprint", "plan_for", "unescape"]

_PREFIXES = "PREFIX cg: <https://w3id.org/clustergraph/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


@dataclass
class Table:
    """A SELECT result as columns of TSV cells: per variable, its distinct cells and one code per row.

    ``cells[i][codes[i][r]]`` is row ``r``'s cell for variable ``i``, written as
    Oxigraph's TSV writes it (``<iri>``, ``"escaped text"``, ``42``; ``""`` unbound).
    """

    variables: list[str]
    cells: list[list[str]]
    codes: list[Any]  # numpy integer arrays, one per variable

    def __len__(self) -> int:
        return len(self.codes[0]) if self.codes else 0

    def column(self, i: int, convert: Callable[[str], Any] | None = None) -> Any:
        """Variable ``i``'s cells row by row (a numpy object array), each passed through ``convert``."""
        import numpy as np

        values = self.cells[i] if convert is None else [convert(c) for c in self.cells[i]]
        return np.asarray(values, dtype=object)[self.codes[i]] if values else np.empty(len(self), dtype=object)


_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)


def unescape(cell: str) -> str:
    """The text of a TSV literal cell (``"..."`` with N-Triples escapes), without quotes or datatype."""
    end = cell.rfind('"') if cell.startswith('"') else len(cell)
    text = cell[1:end] if cell.startswith('"') else cell
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2)) else _ESCAPES.get(m.group(3), m.group(3)), text)


def fingerprint(text: str) -> str:
    """A hash of a query's text without comments and with whitespace collapsed (what a plan is tied to)."""
    body = re.sub(r"(?m)^\s*#[^\n]*$", "", text)
    return hashlib.sha256(" ".join(body.split()).encode("utf-8")).hexdigest()[:16]


def _tsv(native: ox.Store, query: str) -> list[list[str]]:
    """Columns of TSV cells of a SELECT run in the store (cells hold no tab or line break: TSV escapes them)."""
    out = io.BytesIO()
    solutions = native.query(_PREFIXES + query, use_default_graph_as_union=True)
    width = len(solutions.variables)
    solutions.serialize(out, ox.QueryResultsFormat.TSV)
    lines = out.getvalue().decode("utf-8").split("\n")[1:-1]
    if not lines:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*(line.split("\t") for line in lines))]


def _codes(cells: list[str]) -> tuple[Any, list[str]]:
    """(one code per cell, the distinct cells in order of appearance)."""
    import numpy as np

    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(c, len(index)) for c in cells), dtype=np.int64, count=len(cells))
    return codes, list(index)


def _organisation_pairs(native: ox.Store, only: str | None, project: str | None = None) -> tuple[list[str], Any, Any, Any] | None:
    """(organisation cells, first, second, shared projects) of every ordered pair of distinct co-participants.

    The pairs are the non-zero cells of ``M @ M.T`` (``M``: organisations by projects),
    enumerated by :func:`clustergraph.incidence.member_pairs` and counted with ``np.unique``.
    """
    import numpy as np

    from ..incidence import (
        member_pairs,  # numpy: imported when a plan runs, not with the package
    )

    organisations, projects = _tsv(native, "SELECT DISTINCT ?organisation ?project WHERE { ?mine cg:participant ?organisation ; cg:project ?project }")
    if any(not cell.startswith("<") for cell in organisations):
        return None  # blank nodes and literals sort by rules this plan does not copy
    if project is not None:
        chosen = [(o, p) for o, p in zip(organisations, projects) if p == project]
        organisations, projects = [o for o, _ in chosen], [p for _, p in chosen]
    org_codes, orgs = _codes(organisations)
    project_codes, _ = _codes(projects)
    a, b, _groups = member_pairs(org_codes, project_codes, ordered=True)
    if only is not None:
        keep = np.isin(a, np.flatnonzero(np.asarray(orgs, dtype=object) == only))
        a, b = a[keep], b[keep]
    cells, shared = np.unique(a * max(len(orgs), 1) + b, return_counts=True)
    return list(orgs), cells // max(len(orgs), 1), cells % max(len(orgs), 1), shared.astype(np.int64)


def _names(native: ox.Store) -> dict[str, str]:
    """Each participating organisation's smallest label (``MIN(STR(?label))``, computed by the store) as a TSV cell."""
    organisations, names = _tsv(
        native,
        "SELECT ?organisation (MIN(STR(?label)) AS ?name) WHERE { { SELECT DISTINCT ?organisation WHERE { ?mine cg:participant ?organisation } } "
        "?organisation rdfs:label ?label } GROUP BY ?organisation",
    )
    return {o: n for o, n in zip(organisations, names) if n}


def _ranks(values: list[Any]) -> Any:
    """Each value's place in SPARQL order (``None``, unbound, first); equal values share a place."""
    import numpy as np

    order = {v: i + 1 for i, v in enumerate(sorted({v for v in values if v is not None}))}
    return np.array([0 if v is None else order[v] for v in values], dtype=np.int64)


def co_participants(native: ox.Store, bindings: Mapping[str, Any]) -> Table | None:
    """``queries/co-participants.rq`` as a :class:`Table` (``None``: run it in SPARQL)."""
    import numpy as np

    only = bindings.get("organisation")
    if only is not None and not isinstance(only, ox.NamedNode) and type(only).__name__ != "URIRef":
        return None
    pairs = _organisation_pairs(native, None if only is None else f"<{only}>")
    if pairs is None:
        return None
    orgs, first, second, shared = pairs
    labels = _names(native)
    name_cells = [labels.get(o, "") for o in orgs]
    name_rank = _ranks([unescape(c) if c else None for c in name_cells])
    iri_rank = _ranks([o[1:-1] for o in orgs])
    # ORDER BY ?organisationName DESC(?sharedProjects) ?partnerName ?organisation ?partner
    order = np.lexsort((iri_rank[second], iri_rank[first], name_rank[second], -shared, name_rank[first]))
    first, second, shared = first[order], second[order], shared[order]
    counts, shared_codes = np.unique(shared, return_inverse=True)
    return Table(
        variables=["organisation", "organisationName", "partner", "partnerName", "sharedProjects"],
        cells=[orgs, name_cells, orgs, name_cells, [str(int(c)) for c in counts]],
        codes=[first, first, second, second, shared_codes.reshape(-1)],
    )


def collaboration_network(native: ox.Store, bindings: Mapping[str, Any]) -> ox.Store | None:
    """``queries/collaboration-network.rq`` (CONSTRUCT) as a new in-memory store holding its graph (``None``: run it in SPARQL)."""
    project = bindings.get("project")
    if project is not None and type(project).__name__ not in ("URIRef", "NamedNode"):
        return None
    pairs = _organisation_pairs(native, None, None if project is None else f"<{project}>")
    if pairs is None:
        return None
    orgs, first, second, _ = pairs
    organisations, labels = _tsv(
        native,
        "SELECT DISTINCT ?organisation ?name WHERE { { SELECT DISTINCT ?organisation WHERE { ?mine cg:participant ?organisation } } "
        "?organisation rdfs:label ?name }",
    )
    if any(cell.startswith("_:") for cell in labels):
        return None  # a blank node would need its identity kept across two documents
    import numpy as np

    linked = set(np.asarray(orgs, dtype=object)[np.unique(first)].tolist()) if len(first) else set()
    link = " <https://w3id.org/clustergraph/ontology#collaboratesWith> "
    label = " <http://www.w3.org/2000/01/rdf-schema#label> "
    lines = [orgs[a] + link + orgs[b] + " .\n" for a, b in zip(first.tolist(), second.tolist())]
    lines += [o + label + n + " .\n" for o, n in zip(organisations, labels) if o in linked]
    graph = ox.Store()
    # Turtle, not N-Triples: TSV writes numbers and booleans in their short form
    graph.load(input="".join(lines).encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return graph


#: The plans, by the fingerprint of the query text they answer: a SELECT plan gives a
#: :class:`Table`, a CONSTRUCT plan a store holding the graph (its default graph).
PLANS: dict[str, Callable[[ox.Store, Mapping[str, Any]], Any]] = {
    "5651c8c13342ac61": co_participants,
    "4d227bf4f3095d17": collaboration_network,
}


def plan_for(named: Any) -> Callable[[ox.Store, Mapping[str, Any]], Any] | None:
    """The plan that answers ``named`` (a :class:`~clustergraph.query.NamedQuery`), or ``None``."""
    return PLANS.get(fingerprint(named.text))
