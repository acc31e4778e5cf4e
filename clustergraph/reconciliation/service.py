"""The W3C Entity Reconciliation API 0.2 over the organisations of a graph, as plain functions.

Each function takes an :class:`~clustergraph.reconciliation.index.Index` (or a graph,
read into one) and returns the JSON document the API specifies, as a ``dict``;
:mod:`clustergraph.reconciliation.server` only puts them on HTTP.

**Scores and automatic matches.** A candidate's score (0–100) is the similarity of the
query to its closest name (:func:`clustergraph.reconciliation.matching.similarity`),
lowered when a property constraint disagrees (another country ×0.6, another city ×0.85,
no shared sector ×0.9) and raised a little when it agrees. A shared identifier (PIC, VAT,
ROR, Wikidata, ECCP profile) scores 100 whatever the name; a different identifier of the
same scheme divides the score by three and forbids a match. ``match: true`` is given to
the first candidate only when it is unambiguous: a shared identifier held by no other
organisation, or a score of at least :data:`MATCH_SCORE` that is at least
:data:`MATCH_MARGIN` ahead of the second candidate, with no disagreeing country or identifier.

>>> from clustergraph.ingest import load_embedded
>>> index = Index.from_graph(load_embedded())
>>> answer = reconcile(index, {"q0": {"query": "CAP DIGITAL SAS", "type": "cg:ClusterOrganisation"}})
>>> top = answer["q0"]["result"][0]
>>> top["name"], top["score"], top["match"]
('Cap Digital', 100.0, True)
>>> reconcile(index, {"q0": {"query": "Danish Water Cluster"}})["q0"]["result"][0]["match"]
False
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from rdflib import URIRef
from rdflib.graph import Graph

from ..errors import NormalisationError, ReconciliationError
from ..identifiers import SCHEMES, UNIQUE_SCHEMES, canonical
from ..namespaces import CG, COUNTRY, ID
from .index import ORGANISATION_TYPES, Entity, Index, country_name
from .matching import similarity, tokens

__all__ = [
    "MATCH_MARGIN",
    "MATCH_SCORE",
    "PROPERTIES",
    "extend",
    "manifest",
    "preview",
    "propose_properties",
    "reconcile",
    "suggest_entities",
    "suggest_properties",
    "suggest_types",
]

MATCH_SCORE = 90.0
"""The least score of an automatic match (out of 100)."""

MATCH_MARGIN = 8.0
"""How far ahead of the second candidate an automatic match must be."""

MAX_QUERIES = 1000
"""Queries in one batch (OpenRefine sends 10)."""

PROPERTIES: dict[str, tuple[str, str]] = {
    "country": ("country", "The country (an EU authority country IRI, an ISO code or a name in English, Spanish, German, French or Italian)."),
    "city": ("city", "The city, as text."),
    "sector": ("sectors", "A sector (its IRI or name)."),
    **{name: (s.label, f"{s.label} ({s.example})") for name, s in SCHEMES.items()},
    "projects": ("projects", "Projects the organisation takes part in (data extension only)."),
    "labels": ("names", "Every name of the organisation: its label and alternative names (data extension only)."),
    "website": ("website", "The website (data extension only)."),
}
"""Properties of the service by id: (name, description); the first ones may constrain a query."""

_CONSTRAINTS = ("country", "city", "sector", *SCHEMES)


def _index(source: Index | Graph) -> Index:
    return source if isinstance(source, Index) else Index.from_graph(source)


def _type_iri(value: Any) -> URIRef:
    text = str(value).strip()
    for t in ORGANISATION_TYPES:
        local = str(t).rsplit("#", 1)[-1]
        if text in (str(t), f"cg:{local}", local):
            return t
    raise ReconciliationError(f"unknown type {text!r}", fix=f"use one of {', '.join('cg:' + str(t).rsplit('#', 1)[-1] for t in ORGANISATION_TYPES)}")


def _pid(value: Any) -> str:
    text = str(value).strip()
    short = text.rsplit("#", 1)[-1].removeprefix("cg:")
    aliases = {"sectors": "sector", "vatNumber": "vat", "rorId": "ror", "wikidataId": "wikidata", "eccpProfile": "eccp",
               "website": "website", "labels": "labels", "projects": "projects"}
    short = aliases.get(short, short)
    if short in PROPERTIES:
        return short
    raise ReconciliationError(f"unknown property {text!r}", fix=f"use one of {', '.join(PROPERTIES)}")


def _values(v: Any) -> list[str]:
    items = v if isinstance(v, list) else [v]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id", item.get("name", ""))
        if item is not None and str(item).strip():
            out.append(str(item).strip())
    return out


def _country(text: str) -> URIRef | None:
    if text.startswith(str(COUNTRY)):
        return URIRef(text)
    from ..ingest.normalise import country

    try:
        return country(text)
    except NormalisationError:
        return None


class _Query:
    """One reconciliation query, read and checked."""

    def __init__(self, key: str, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise ReconciliationError(f"query {key!r} is not a JSON object", fix='send {"q0": {"query": "Cap Digital"}}')
        self.text = str(raw.get("query") or "").strip()
        types = raw.get("type")
        self.types = [_type_iri(t) for t in (types if isinstance(types, list) else [types] if types else [])]
        limit = raw.get("limit", 5)
        self.limit = max(1, min(int(limit), 100)) if isinstance(limit, (int, float)) and not isinstance(limit, bool) else 5
        self.constraints: dict[str, list[str]] = {}
        props = raw.get("properties") or []
        if not isinstance(props, list):
            raise ReconciliationError(f"query {key!r}: 'properties' is not a list", fix='write "properties": [{"pid": "country", "v": "ES"}]')
        for p in props:
            if not isinstance(p, dict) or "pid" not in p:
                raise ReconciliationError(f"query {key!r}: a property needs 'pid' and 'v'", fix='write {"pid": "country", "v": "ES"}')
            pid = _pid(p["pid"])
            if pid not in _CONSTRAINTS:
                raise ReconciliationError(f"query {key!r}: {pid!r} cannot constrain a query", fix=f"constrain by {', '.join(_CONSTRAINTS)}")
            values = _values(p.get("v"))
            if pid in SCHEMES:
                good = []
                for v in values:
                    try:
                        good.append(canonical(pid, v))
                    except NormalisationError:
                        pass  # a malformed identifier identifies nothing
                values = good
            if values:
                self.constraints.setdefault(pid, []).extend(values)
        if not self.text and not self.constraints:
            raise ReconciliationError(f"query {key!r} has neither 'query' nor 'properties'", fix="give the name to look for in 'query'")


def _score(query: _Query, words: list[str], e: Entity, index: Index) -> tuple[float, list[dict[str, Any]], bool, bool]:
    """(score 0-100, features, identifier agrees, something disagrees)."""
    name = max((similarity(words, w, index.weights) for w in e.words), default=0.0) if words else 0.0
    score = name * 100
    features: list[dict[str, Any]] = [{"id": "name", "value": round(name, 3)}]
    agrees = disagrees = False
    for scheme in SCHEMES:
        wanted = query.constraints.get(scheme)
        if not wanted:
            continue
        held = e.identifiers.get(scheme, set())
        same = bool(held & set(wanted))
        features.append({"id": scheme, "value": same})
        if same and scheme in UNIQUE_SCHEMES:
            agrees = True
        elif same:
            score = min(100.0, score + 5)
        elif held and scheme in UNIQUE_SCHEMES:
            disagrees = True
    if agrees and not disagrees:
        score = 100.0
    if disagrees:
        score /= 3
    countries = query.constraints.get("country")
    if countries:
        iris = {c for c in (_country(v) for v in countries) if c is not None}
        if e.countries:
            same = bool(iris & set(e.countries))
            features.append({"id": "country", "value": same})
            if same:
                score = min(100.0, score + 2) if not agrees else score
            else:
                score *= 0.6
                disagrees = disagrees or not agrees
    cities = query.constraints.get("city")
    if cities and e.cities:
        same = any(similarity(tokens(c), tokens(mine)) >= 0.9 for c in cities for mine in e.cities)
        features.append({"id": "city", "value": same})
        if not same and not agrees:
            score *= 0.85
    sectors = query.constraints.get("sector")
    if sectors and e.sectors:
        names = {str(s) for s in e.sectors} | {n.casefold() for n in e.sectors.values()}
        same = any(s in names or s.casefold() in names for s in sectors)
        features.append({"id": "sector", "value": same})
        if not same and not agrees:
            score *= 0.9
    return round(score, 1), features, agrees and not disagrees, disagrees


def _types(e: Entity) -> list[dict[str, str]]:
    return [{"id": str(t), "name": ORGANISATION_TYPES[t]} for t in ORGANISATION_TYPES if t in e.types]


def _reconcile_one(index: Index, query: _Query) -> dict[str, Any]:
    words = tokens(query.text) if query.text else []
    block = index.candidates(words) if words else set()
    for scheme in SCHEMES:
        for value in query.constraints.get(scheme, ()):
            block.update(index.by_identifier.get((scheme, value), ()))
    pool = [index.entities[i] for i in sorted(block) if not query.types or any(t in index.entities[i].types for t in query.types)]
    scored = []
    for e in pool:
        score, features, agrees, disagrees = _score(query, words, e, index)
        if score > 0 or agrees:
            scored.append((score, agrees, disagrees, e, features))
    scored.sort(key=lambda s: (-s[0], s[3].name, str(s[3].iri)))
    scored = [s for s in scored if s[0] >= 20 or s[1]]
    result = []
    for rank, (score, agrees, disagrees, e, features) in enumerate(scored[: query.limit]):
        match = False
        if rank == 0:
            second = scored[1][0] if len(scored) > 1 else 0.0
            second_agrees = len(scored) > 1 and scored[1][1]
            if agrees and not second_agrees:
                match = True
            elif not disagrees and score >= MATCH_SCORE and score - second >= MATCH_MARGIN:
                match = True
        result.append({
            "id": str(e.iri), "name": e.name, "description": e.description, "score": score,
            "match": match, "type": _types(e), "features": features,
        })
    return {"result": result}


def reconcile(source: Index | Graph, queries: Mapping[str, Any]) -> dict[str, Any]:
    """Answer a batch of reconciliation queries (``{"q0": {"query": ..., "type": ..., "properties": [...]}}``).

    Parameters
    ----------
    source:
        an :class:`Index`, or a graph to read one from (reading costs one query; keep the
        index for many batches).
    queries:
        the batch, as the W3C Reconciliation API 0.2 defines it. Properties that constrain a
        query: ``country``, ``city``, ``sector`` and the identifiers ``pic``, ``vat``,
        ``ror``, ``wikidata``, ``eccp``, ``domain`` (``cg:`` property IRIs are accepted too).

    Returns
    -------
    dict
        ``{"q0": {"result": [candidates, best first]}}``.

    Raises
    ------
    ReconciliationError
        a query is malformed or names an unknown type or property.
    """
    if not isinstance(queries, Mapping):
        raise ReconciliationError("the queries are not a JSON object", fix='send {"q0": {"query": "Cap Digital"}}')
    if len(queries) > MAX_QUERIES:
        raise ReconciliationError(f"{len(queries)} queries in one batch", fix=f"send at most {MAX_QUERIES} at a time")
    index = _index(source)
    parsed = {str(k): _Query(str(k), v) for k, v in queries.items()}
    return {k: _reconcile_one(index, q) for k, q in parsed.items()}


def manifest(base: str, *, name: str = "clustergraph organisations") -> dict[str, Any]:
    """The service manifest, with every URL under ``base`` (the service's own address).

    >>> manifest("http://127.0.0.1:8891/reconcile")["view"]["url"]
    '{{id}}'
    """
    base = base.rstrip("/")
    return {
        "versions": ["0.2"],
        "name": name,
        "identifierSpace": str(ID),
        "schemaSpace": str(CG),
        "documentation": "https://w3id.org/clustergraph",
        "view": {"url": "{{id}}"},
        "defaultTypes": [{"id": str(t), "name": n} for t, n in ORGANISATION_TYPES.items()],
        "preview": {"url": base + "/preview?id={{id}}", "width": 430, "height": 300},
        "suggest": {
            "entity": {"service_url": base, "service_path": "/suggest/entity"},
            "type": {"service_url": base, "service_path": "/suggest/type"},
            "property": {"service_url": base, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/extend/propose"},
            "property_settings": [],
        },
    }


def suggest_entities(source: Index | Graph, prefix: str, *, limit: int = 10, types: list[str] | None = None) -> dict[str, Any]:
    """Organisations whose names start like ``prefix`` (auto-completion), best first.

    >>> from clustergraph.ingest import load_embedded
    >>> [r["name"] for r in suggest_entities(load_embedded(), "mazo")["result"]]
    ['Mazovia ICT Cluster']
    """
    index = _index(source)
    wanted = [_type_iri(t) for t in types or []]
    text = " ".join(prefix.split()).casefold()
    words = tokens(prefix)
    hits = []
    for e in index.entities.values():
        if wanted and not any(t in e.types for t in wanted):
            continue
        folded = [" ".join(w) for w in e.words] + [n.casefold() for n in e.names]
        starts = any(f.startswith(text) or any(part.startswith(text) for part in f.split()) for f in folded) if text else True
        score = max((similarity(words, w, index.weights) for w in e.words), default=0.0) if words else 0.0
        if starts or score >= 0.6:
            hits.append((not starts, -score, e.name, e))
    hits.sort(key=lambda h: h[:3])
    return {"result": [{"id": str(e.iri), "name": e.name, "description": e.description, "notable": _types(e)} for *_, e in hits[:limit]]}


def suggest_types(prefix: str = "") -> dict[str, Any]:
    """The organisation types whose names contain ``prefix``.

    >>> [t["name"] for t in suggest_types("clu")["result"]]
    ['Cluster organisation']
    """
    text = prefix.casefold().strip()
    return {"result": [{"id": str(t), "name": n} for t, n in ORGANISATION_TYPES.items() if text in n.casefold() or text in str(t).rsplit("#", 1)[-1].casefold()]}


def suggest_properties(prefix: str = "") -> dict[str, Any]:
    """The service's properties whose id or name contains ``prefix``.

    >>> [p["id"] for p in suggest_properties("count")["result"]]
    ['country']
    """
    text = prefix.casefold().strip()
    return {"result": [{"id": k, "name": n, "description": d} for k, (n, d) in PROPERTIES.items() if text in k.casefold() or text in n.casefold()]}


def propose_properties(type_: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """The properties data extension can add to a column of organisations of ``type_``."""
    props = [{"id": k, "name": n, "description": d} for k, (n, d) in PROPERTIES.items()]
    if limit:
        props = props[: max(0, int(limit))]
    out: dict[str, Any] = {"properties": props, "type": str(_type_iri(type_)) if type_ else str(CG.Organisation)}
    if limit:
        out["limit"] = int(limit)
    return out


def _entity(index: Index, iri: str) -> Entity:
    e = index.entities.get(URIRef(str(iri)))
    if e is None:
        raise ReconciliationError(f"no organisation {iri!r} in the graph", fix="use an id returned by a reconciliation query")
    return e


def extend(source: Index | Graph, query: Mapping[str, Any]) -> dict[str, Any]:
    """Data extension: the values of the asked properties for each organisation id.

    ``query`` is ``{"ids": [...], "properties": [{"id": "country"}, ...]}``; an unknown id
    gets no values (OpenRefine leaves its cells empty).
    """
    if not isinstance(query, Mapping) or not isinstance(query.get("ids"), list) or not isinstance(query.get("properties"), list):
        raise ReconciliationError("a data extension query needs 'ids' and 'properties' lists", fix='send {"ids": [...], "properties": [{"id": "country"}]}')
    index = _index(source)
    pids = []
    for p in query["properties"]:
        if not isinstance(p, Mapping) or "id" not in p:
            raise ReconciliationError("each property of a data extension query needs an 'id'", fix='write {"id": "country"}')
        pids.append((str(p["id"]), _pid(p["id"])))
    meta = []
    for raw, pid in pids:
        entry: dict[str, Any] = {"id": raw, "name": PROPERTIES[pid][0]}
        if pid in ("country", "sector", "projects"):
            entry["type"] = {"id": {"country": str(CG.Country), "sector": str(CG.Sector), "projects": str(CG.Project)}[pid]}
        meta.append(entry)
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for iri in query["ids"]:
        e = index.entities.get(URIRef(str(iri)))
        row: dict[str, list[dict[str, Any]]] = {}
        for raw, pid in pids:
            row[raw] = [] if e is None else _extension_values(e, pid)
        rows[str(iri)] = row
    return {"meta": meta, "rows": rows}


def _extension_values(e: Entity, pid: str) -> list[dict[str, Any]]:
    if pid == "country":
        return [{"id": str(c), "name": n} for c, n in sorted(e.countries.items())]
    if pid == "city":
        return [{"str": c} for c in sorted(e.cities)]
    if pid == "sector":
        return [{"id": str(s), "name": n} for s, n in sorted(e.sectors.items())]
    if pid == "projects":
        return [{"id": str(p), "name": n} for p, n in sorted(e.projects.items(), key=lambda kv: kv[1])]
    if pid == "labels":
        return [{"str": n} for n in e.names]
    if pid == "website":
        return [{"str": w} for w in sorted(e.websites)]
    return [{"str": v} for v in sorted(e.identifiers.get(pid, ()))]


def preview(source: Index | Graph, iri: str) -> str:
    """A small HTML page about one organisation (what OpenRefine shows when hovering a candidate)."""
    e = _entity(_index(source), iri)
    esc = html.escape
    rows = [("Type", ", ".join(ORGANISATION_TYPES[t] for t in ORGANISATION_TYPES if t in e.types and t != CG.Organisation) or "Organisation")]
    if len(e.names) > 1:
        rows.append(("Also called", "; ".join(e.names[1:])))
    if e.countries or e.cities:
        rows.append(("Place", ", ".join([*sorted(e.cities), *(country_name(c) for c in sorted(e.countries))])))
    if e.sectors:
        rows.append(("Sectors", ", ".join(sorted(e.sectors.values()))))
    for scheme, values in sorted(e.identifiers.items()):
        rows.append((SCHEMES[scheme].label, ", ".join(sorted(values))))
    if e.projects:
        rows.append(("Projects", ", ".join(sorted(e.projects.values()))))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + esc(e.name) + "</title>"
        "<style>body{font-family:sans-serif;font-size:13px;margin:8px}th{text-align:left;padding-right:8px;vertical-align:top}</style>"
        f"</head><body><h3><a href=\"{esc(str(e.iri))}\" target=\"_blank\">{esc(e.name)}</a></h3><table>{body}</table></body></html>"
    )
