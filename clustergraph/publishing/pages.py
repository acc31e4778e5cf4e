"""Pages for people: one HTML page per resource, per class index, the home page.

Pages are rendered from the Jinja2 templates in ``clustergraph/publishing/templates/``
(autoescaped; a designer edits them without touching Python). This module gathers what
each page shows (a *context*): a project's key figures and consortium, an
organisation's projects, labels and collaborators, a call's projects and totals, and
for every class the facts named by the ontology's labels, the source's notes, the
source documents and a link to the provenance record. Each page has a canonical link,
``<link rel="alternate">`` to its RDF files and schema.org JSON-LD.

:func:`render_resource` renders one resource's page from a graph, for the static site
and for a live server alike.

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDFS
>>> from clustergraph.namespaces import ID
>>> g = Graph()
>>> _ = g.add((ID["project/x"], RDFS.label, Literal("Project X", lang="en")))
>>> page = render_resource(g, ID["project/x"])
>>> "<h1>Project X</h1>" in page and 'rel="canonical"' in page
True
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import jinja2
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from ..namespaces import CG, ID
from ..store.dataset import union
from .links import PAGE_LANG, Links, pick
from .serialisation import FILE_FORMATS

__all__ = [
    "DEFAULT_BASE",
    "SITE_NAME",
    "bar_picture",
    "environment",
    "main_class",
    "render_page",
    "render_resource",
    "resource_context",
    "schema_org",
    "star_picture",
    "subtitle",
]

DEFAULT_BASE = "https://w3id.org/clustergraph"
SITE_NAME = "clustergraph"

#: Shown elsewhere on the page, never as a fact row.
_HIDDEN = {RDF.type, PROV.qualifiedDerivation, PROV.wasDerivedFrom, SKOS.editorialNote}
#: Facts first in this order, then the others by label.
_ORDER = [DCTERMS.title, CG.acronym, RDFS.label, SKOS.altLabel, CG.holder, CG.awardedBy, CG.level, CG.call,
          CG.programme, CG.startDate, CG.endDate, CG.totalBudget, CG.euContribution, CG.country, CG.region,
          CG.city, CG.sector, CG.website, DCTERMS.description]
_SCHEMA_TYPES = {
    CG.Project: "ResearchProject", CG.Organisation: "Organization", CG.ClusterOrganisation: "Organization",
    CG.Event: "Event", CG.Place: "Place", CG.Programme: "CreativeWork", CG.Call: "CreativeWork",
    CG.SourceDocument: "CreativeWork", CG.LabelAward: "CreativeWork", CG.Sector: "DefinedTerm",
    CG.Ecosystem: "DefinedTerm", CG.Partnership: "Organization", CG.Statistic: "Observation",
}


def environment() -> jinja2.Environment:
    """The Jinja2 environment over the shipped templates, autoescaping HTML."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clustergraph.publishing", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


_ENV: jinja2.Environment | None = None


def render_page(template: str, context: dict[str, Any]) -> str:
    """Render the template named ``template`` (``project.html``...) with ``context``."""
    global _ENV
    if _ENV is None:
        _ENV = environment()
    return _ENV.get_template(template).render(**context)


def schema_org(data: dict[str, Any]) -> str:
    """``data`` as the text of a ``<script type="application/ld+json">``: sorted keys, ``</`` escaped."""
    body = {"@context": "https://schema.org", **data}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, indent=1).replace("</", "<\\/")


def _money(value: Any) -> Decimal | None:
    if not isinstance(value, Literal):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _euros(amount: Decimal) -> str:
    return "€" + f"{amount:,.0f}"


# --- pictures ------------------------------------------------------------------------


def star_picture(centre: str, others: list[tuple[str, str]], *, title: str) -> dict[str, Any]:
    """A small network picture: ``centre`` in the middle, ``others`` ((label, tag)) around it, as SVG geometry.

    >>> star_picture("CECIL", [("Cap Digital", "France")], title="t")["nodes"][0]["label"]
    'Cap Digital'
    """
    width, height, radius = 760, 360, 130  # room for a 32-character label on either side
    cx, cy = width / 2, height / 2
    nodes = []
    n = max(len(others), 1)
    for i, (label, tag) in enumerate(others):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        x, y = cx + radius * 1.15 * math.cos(angle), cy + radius * math.sin(angle)
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        short = label if len(label) <= 32 else label[:30] + "…"
        nodes.append({"x": round(x, 1), "y": round(y, 1), "label": short, "tag": tag, "anchor": anchor,
                      "tx": round(x + (8 if anchor == "start" else -8 if anchor == "end" else 0), 1),
                      "ty": round(y + (22 if math.sin(angle) > 0.3 else -12 if math.sin(angle) < -0.3 else 4), 1)})
    return {"kind": "star", "width": width, "height": height, "cx": cx, "cy": cy, "centre": centre,
            "nodes": nodes, "title": title}


def bar_picture(bars: list[tuple[str, Decimal]], *, title: str) -> dict[str, Any]:
    """Horizontal bars (label, amount in euros), largest first, as SVG geometry."""
    bars = sorted(bars, key=lambda b: (-b[1], b[0]))
    top = max((b[1] for b in bars), default=Decimal(1)) or Decimal(1)
    rows = []
    for i, (label, amount) in enumerate(bars):
        rows.append({"y": 10 + i * 26, "label": label, "width": round(float(amount / top) * 360, 1), "text": _euros(amount)})
    return {"kind": "bars", "width": 640, "height": 20 + 26 * len(rows), "rows": rows, "title": title}


# --- the parts of a resource page ------------------------------------------------------


def _facts(links: Links, node: URIRef, skip: set[Any]) -> list[dict[str, Any]]:
    by_prop: dict[Any, list[Any]] = defaultdict(list)
    for p, o in links.graph.predicate_objects(node):
        if p in _HIDDEN or p in skip:
            continue
        by_prop[p].append(o)
    rows = []
    for p, values in by_prop.items():
        literals = [v for v in values if isinstance(v, Literal)]
        if literals and len(literals) == len(values) and any(v.language for v in literals):
            chosen = pick(literals, links.lang)
            langs = {v.language for v in literals}
            if len(langs) > 1 and p not in (SKOS.altLabel,):  # one value per language: show the reader's
                values = [chosen]
        cells = sorted((links.value(v, p) for v in values), key=lambda c: c["text"].lower())
        rows.append({"label": links.property_label(p), "href": links.href(p), "iri": str(p), "vals": cells,
                     "key": (_ORDER.index(p) if p in _ORDER else len(_ORDER), links.property_label(p))})
    rows.sort(key=lambda r: r["key"])
    return rows


def _referenced_by(links: Links, node: URIRef, skip: set[Any]) -> list[dict[str, Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for s, p in links.graph.subject_predicates(node):
        if p in skip or p == PROV.qualifiedDerivation or not isinstance(s, URIRef):
            continue
        groups[p].append(s)
    out = []
    for p, subjects in groups.items():
        cells = sorted((links.value(s) for s in set(subjects)), key=lambda c: c["text"].lower())
        out.append({"label": links.property_label(p), "href": links.href(p), "vals": cells})
    out.sort(key=lambda r: r["label"])
    return out


def _table(heading: str, columns: list[str], rows: list[dict[str, Any]], *, ident: str, caption: str | None = None,
           foot: list[Any] | None = None) -> dict[str, Any]:
    return {"kind": "table", "heading": heading, "id": ident, "columns": columns, "rows": rows,
            "caption": caption or heading, "foot": foot}


def _row(cells: list[Any], *, strong: bool = False) -> dict[str, Any]:
    return {"cells": [c if isinstance(c, (dict, list)) else {"text": str(c), "href": None, "lang": None, "iri": None} for c in cells],
            "strong": strong}


def _many(links: Links, nodes: Iterable[Any]) -> list[dict[str, Any]]:
    return sorted((links.value(n) for n in set(nodes)), key=lambda c: c["text"].lower())


def _country(links: Links, org: Any) -> list[dict[str, Any]]:
    return _many(links, links.graph.objects(org, CG.country))


def _project_sections(links: Links, p: URIRef) -> tuple[list[dict[str, Any]], set[Any], set[Any], list[dict[str, Any]]]:
    g = links.graph
    extra = []
    call = g.value(p, CG.call)
    if call is not None:
        programmes = list(g.objects(call, CG.programme))
        if programmes:
            extra.append({"label": links.property_label(CG.programme), "href": links.href(CG.programme),
                          "iri": str(CG.programme), "vals": _many(links, programmes)})
    rows, members = [], []
    for part in g.subjects(CG.project, p):
        if CG.Participation not in links.types(part):
            continue
        org = g.value(part, CG.participant)
        roles = sorted(g.objects(part, CG.role), key=str)
        coordinator = CG.Coordinator in roles
        wps = sorted(g.objects(part, CG.workPackage), key=str)
        role_cells = [links.value(r) for r in roles]
        rows.append((not coordinator, links.name(org).lower(), _row(
            [links.value(org), _country(links, org), role_cells, [links.value(w) for w in wps]], strong=coordinator)))
        members.append((links.name(org), ", ".join(c["text"] for c in _country(links, org))))
    rows.sort(key=lambda r: r[:2])
    sections = []
    if rows:
        sections.append(_table("Consortium", ["Organisation", "Country", "Role", "Work packages"], [r[2] for r in rows],
                               ident="consortium", caption=f"The {len(rows)} partners of {links.name(p)}; the coordinator is in bold"))
        sections.append({"kind": "picture", "heading": "Consortium picture", "id": "consortium-picture",
                         "picture": star_picture(links.name(p), sorted(members), title=f"{links.name(p)} and its {len(members)} partners: " + "; ".join(f"{m} ({c})" for m, c in sorted(members)))})
    objectives = sorted(g.objects(p, CG.objective), key=lambda o: (links.text(o, CG.objectiveCode) or "", str(o)))
    if objectives:
        items = []
        for o in objectives:
            desc = links.text(o, DCTERMS.description)
            items.append({"cell": links.value(o), "detail": desc if desc and desc != links.name(o) else None})
        sections.append({"kind": "list", "heading": "Objectives", "id": "objectives", "entries": items})
    wps = [w for w in g.subjects(CG.project, p) if CG.WorkPackage in links.types(w)]
    if wps:
        sections.append({"kind": "list", "heading": "Work packages", "id": "work-packages",
                         "entries": [{"cell": c, "detail": None} for c in _many(links, wps)]})
    stats = list(g.subjects(CG.about, p))
    if stats:
        sections.append(_statistics(links, stats))
    related = list(g.subjects(DCTERMS.relation, p))
    if related:
        sections.append({"kind": "list", "heading": "Partnerships", "id": "partnerships",
                         "entries": [{"cell": c, "detail": None} for c in _many(links, related)]})
    return sections, {CG.objective}, {CG.project, CG.about, DCTERMS.relation}, extra


def _statistics(links: Links, stats: list[Any]) -> dict[str, Any]:
    rows = []
    for s in sorted(stats, key=lambda x: links.name(x)):
        value = links.graph.value(s, CG.value)
        comparator = links.text(s, CG.comparator) or ""
        shown = (comparator + " " if comparator and comparator != "exactly" else "") + (str(value) if value is not None else "")
        rows.append(_row([links.value(s), links.text(s, CG.measure) or "", shown.strip()]))
    return _table("Figures", ["Figure", "Measure", "Value"], rows, ident="figures", caption="Figures as published by the sources")


def _organisation_sections(links: Links, o: URIRef) -> tuple[list[dict[str, Any]], set[Any], set[Any], list[dict[str, Any]]]:
    g = links.graph
    sections = []
    rows, partners = [], defaultdict(set)
    for part in g.subjects(CG.participant, o):
        project = g.value(part, CG.project)
        if project is None:
            continue
        roles = sorted(g.objects(part, CG.role), key=str)
        call = g.value(project, CG.call)
        period = " – ".join(c["text"] for c in (links.value(v) for v in (g.value(project, CG.startDate), g.value(project, CG.endDate)) if v is not None))
        rows.append((links.name(project).lower(), _row([links.value(project), links.text(project, DCTERMS.title) or "",
                                                        [links.value(r) for r in roles],
                                                        links.value(call) if call is not None else "", period],
                                                       strong=CG.Coordinator in roles)))
        for other_part in g.subjects(CG.project, project):
            other = g.value(other_part, CG.participant)
            if other is not None and other != o:
                partners[other].add(project)
    if rows:
        sections.append(_table("Projects", ["Project", "Title", "Role", "Call", "Period"], [r[1] for r in sorted(rows, key=lambda r: r[0])],
                               ident="projects", caption=f"Projects of {links.name(o)}; those it coordinates are in bold"))
    awards = [a for a in g.subjects(CG.holder, o)]
    if awards:
        label_rows = []
        for a in sorted(awards, key=links.name):
            kind = "awarded" if CG.LabelAward in links.types(a) else "target"
            when = links.text(a, CG.dateAsPublished, CG.awardDate, CG.date) or ""
            until = g.value(a, CG.validUntil)
            validity = (when + (" – " + links.value(until)["text"] if until is not None else "")).strip() or "not stated in the source"
            body = g.value(a, CG.awardedBy)
            label_rows.append(_row([links.value(a), links.value(g.value(a, CG.level)) if g.value(a, CG.level) else "",
                                    kind, links.value(body) if body is not None else "", validity]))
        sections.append(_table("Labels", ["Label", "Level", "Status", "Labelling body", "Validity"], label_rows, ident="labels",
                               caption=f"Cluster excellence labels of {links.name(o)}"))
    given = list(g.subjects(CG.awardedBy, o))
    if given:
        sections.append({"kind": "list", "heading": "Labels awarded", "id": "labels-awarded",
                         "entries": [{"cell": c, "detail": None} for c in _many(links, given)]})
    partnerships = set(g.subjects(CG.member, o)) | set(g.objects(o, CG.memberOf))
    if partnerships:
        sections.append({"kind": "list", "heading": "Partnerships", "id": "partnerships",
                         "entries": [{"cell": c, "detail": None} for c in _many(links, partnerships)]})
    events = []
    for p in (CG.organiser, CG.invitee, CG.participant, CG.attendee):
        for e in g.subjects(p, o):
            if CG.Event in links.types(e):
                events.append(_row([links.value(e), links.property_label(p)]))
    if events:
        sections.append(_table("Events", ["Event", "Relation"], sorted(events, key=lambda r: r["cells"][0]["text"]), ident="events"))
    if partners:
        collab = []
        for other, projects in sorted(partners.items(), key=lambda kv: links.name(kv[0]).lower()):
            collab.append(_row([links.value(other), _country(links, other), _many(links, projects)]))
        sections.append(_table("Collaborators", ["Organisation", "Country", "Shared projects"], collab, ident="collaborators",
                               caption=f"Organisations that share a project with {links.name(o)}"))
        others = sorted((links.name(k), ", ".join(c["text"] for c in _country(links, k))) for k in partners)
        sections.append({"kind": "picture", "heading": "Collaboration picture", "id": "collaboration-picture",
                         "picture": star_picture(links.name(o), others, title=f"{links.name(o)} and the {len(others)} organisations it shares projects with: " + "; ".join(f"{m} ({c})" for m, c in others))})
    stats = list(g.subjects(CG.about, o))
    if stats:
        sections.append(_statistics(links, stats))
    return sections, set(), {CG.participant, CG.holder, CG.awardedBy, CG.member, CG.organiser, CG.invitee, CG.attendee, CG.about}, []


def _projects_table(links: Links, projects: list[Any], *, heading: str, caption: str) -> dict[str, Any]:
    g = links.graph
    rows = []
    total, eu = Decimal(0), Decimal(0)
    for p in sorted(projects, key=lambda x: links.name(x).lower()):
        budget, contribution = _money(g.value(p, CG.totalBudget)), _money(g.value(p, CG.euContribution))
        total += budget or 0
        eu += contribution or 0
        rows.append(_row([links.value(p), links.text(p, DCTERMS.title) or "",
                          links.value(g.value(p, CG.startDate))["text"] if g.value(p, CG.startDate) else "",
                          links.value(g.value(p, CG.endDate))["text"] if g.value(p, CG.endDate) else "",
                          _euros(budget) if budget is not None else "", _euros(contribution) if contribution is not None else ""]))
    foot = [{"text": f"Total ({len(rows)} projects)"}, {"text": ""}, {"text": ""}, {"text": ""}, {"text": _euros(total)}, {"text": _euros(eu)}]
    return _table(heading, ["Project", "Title", "Start", "End", "Total budget", "EU contribution"], rows, ident="projects",
                  caption=caption, foot=foot)


def _call_sections(links: Links, c: URIRef) -> tuple[list[dict[str, Any]], set[Any], set[Any], list[dict[str, Any]]]:
    projects = list(links.graph.subjects(CG.call, c))
    sections = [_projects_table(links, projects, heading="Projects", caption=f"Projects funded by {links.name(c)}, with totals")] if projects else []
    stats = list(links.graph.subjects(CG.about, c))
    if stats:
        sections.append(_statistics(links, stats))
    return sections, set(), {CG.call, CG.about}, []


def _programme_sections(links: Links, pr: URIRef) -> tuple[list[dict[str, Any]], set[Any], set[Any], list[dict[str, Any]]]:
    g = links.graph
    sections = []
    calls = [c for c in g.subjects(CG.programme, pr) if CG.Call in links.types(c)]
    if calls:
        rows = []
        for c in sorted(calls, key=lambda x: (str(g.value(x, CG.ordinal) or ""), links.name(x))):
            projects = list(g.subjects(CG.call, c))
            eu = sum((_money(g.value(p, CG.euContribution)) or Decimal(0) for p in projects), Decimal(0))
            rows.append(_row([links.value(c), str(g.value(c, CG.year) or ""), str(len(projects)), _euros(eu)]))
        sections.append(_table("Calls", ["Call", "Year", "Projects", "EU contribution"], rows, ident="calls",
                               caption=f"Calls of {links.name(pr)}"))
    others = [x for x in g.subjects(CG.programme, pr) if x not in calls]
    if others:
        sections.append({"kind": "list", "heading": "Partnerships and other work", "id": "related",
                         "entries": [{"cell": c, "detail": None} for c in _many(links, others)]})
    parts = list(g.subjects(CG.partOf, pr))
    if parts:
        sections.append({"kind": "list", "heading": "Parts of this programme", "id": "parts",
                         "entries": [{"cell": c, "detail": None} for c in _many(links, parts)]})
    stats = list(g.subjects(CG.about, pr))
    if stats:
        sections.append(_statistics(links, stats))
    return sections, set(), {CG.programme, CG.partOf, CG.about}, []


def _sector_sections(links: Links, s: URIRef) -> tuple[list[dict[str, Any]], set[Any], set[Any], list[dict[str, Any]]]:
    g = links.graph
    sections = []
    orgs = [x for x in g.subjects(CG.sector, s) if CG.Organisation in links.types(x)]
    projects = [x for x in g.subjects(CG.sector, s) if CG.Project in links.types(x)]
    if orgs:
        sections.append(_table("Organisations", ["Organisation", "Country"],
                               [_row([links.value(o), _country(links, o)]) for o in sorted(orgs, key=lambda x: links.name(x).lower())],
                               ident="organisations", caption=f"Organisations in {links.name(s)}"))
    if projects:
        sections.append({"kind": "list", "heading": "Projects", "id": "projects",
                         "entries": [{"cell": c, "detail": None} for c in _many(links, projects)]})
    chain = []
    for link in set(g.subjects(CG.supplier, s)) | set(g.subjects(CG.user, s)):
        chain.append(_row([links.value(g.value(link, CG.supplier)), links.value(g.value(link, CG.user)), links.value(link)]))
    if chain:
        sections.append(_table("Value chain", ["Supplier", "User", "Link"], sorted(chain, key=lambda r: (r["cells"][0]["text"], r["cells"][1]["text"])),
                               ident="value-chain", caption=f"Value-chain links of {links.name(s)}"))
    sectors = list(g.subjects(CG.ecosystem, s))
    if sectors:
        sections.append({"kind": "list", "heading": "Sectors in this ecosystem", "id": "sectors",
                         "entries": [{"cell": c, "detail": None} for c in _many(links, sectors)]})
    return sections, set(), {CG.sector, CG.supplier, CG.user, CG.ecosystem}, []


def _partnership_sections(links: Links, ps: URIRef) -> tuple[list[dict[str, Any]], set[Any], set[Any], list[dict[str, Any]]]:
    g = links.graph
    members = set(g.objects(ps, CG.member)) | set(g.subjects(CG.memberOf, ps))
    sections = []
    if members:
        sections.append(_table("Members", ["Organisation", "Country"],
                               [_row([links.value(m), _country(links, m)]) for m in sorted(members, key=lambda x: links.name(x).lower())],
                               ident="members", caption=f"Members of {links.name(ps)}"))
    return sections, {CG.member}, {CG.memberOf}, []


_BUILDERS = {
    CG.Project: _project_sections,
    CG.Organisation: _organisation_sections,
    CG.Call: _call_sections,
    CG.Programme: _programme_sections,
    CG.Sector: _sector_sections,
    CG.Ecosystem: _sector_sections,
    CG.Partnership: _partnership_sections,
}
_TEMPLATES = {CG.Project: "project.html", CG.Organisation: "organisation.html"}


def main_class(links: Links, node: Any) -> URIRef | None:  # noqa: D401
    """The class a page is designed for: the most specific of ``node``'s ``cg:`` classes that has a design, else any."""
    types = sorted(t for t in links.types(node) if str(t).startswith(str(CG)))
    for cls in _BUILDERS:
        if cls in types:
            return cls
    # prefer the subclass (ClusterOrganisation over Organisation) when no design is chosen
    return types[0] if types else None


def subtitle(links: Links, node: Any) -> str | None:
    g = links.graph
    types = links.types(node)
    if CG.Project in types:
        return links.text(node, DCTERMS.title)
    if CG.LabelAward in types:
        body = g.value(node, CG.awardedBy)
        return f"Awarded by {links.name(body)}" if body is not None else None
    if CG.Statistic in types:
        value = g.value(node, CG.value)
        comparator = links.text(node, CG.comparator)
        if value is not None:
            shown = links.value(value)["text"]
            return f"Value: {comparator} {shown}" if comparator and comparator != "exactly" else f"Value: {shown}"
    return None


def resource_context(
    graph: Graph,
    node: URIRef,
    *,
    links: Links | None = None,
    base: str = DEFAULT_BASE,
    path: str | None = None,
    formats: Iterable[str] = tuple(FILE_FORMATS),
    nav: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What the page of ``node`` shows, for the templates (see ``templates/resource.html``)."""
    links = links or Links(graph, Graph(), root="/")
    cls = main_class(links, node)
    sections: list[dict[str, Any]] = []
    skip_out: set[Any] = set()
    skip_in: set[Any] = {PROV.wasDerivedFrom}
    extra: list[dict[str, Any]] = []
    builder = None
    for c in [cls, *sorted(links.types(node))]:
        if c in _BUILDERS:
            builder = _BUILDERS[c]
            break
    if builder is not None:
        sections, skip_out, more_in, extra = builder(links, node)
        skip_in |= more_in
    if CG.SourceDocument in links.types(node):
        skip_in.discard(PROV.wasDerivedFrom)
    stats = list(links.graph.subjects(CG.about, node))
    if stats and not any(s.get("id") == "figures" for s in sections):
        sections.append(_statistics(links, stats))
        skip_in.add(CG.about)
    facts = _facts(links, node, skip_out)
    for row in extra:
        row["key"] = (_ORDER.index(CG.call) if CG.call in _ORDER else 0, row["label"])
    facts = sorted(facts + extra, key=lambda r: r["key"])
    notes = sorted(str(n) for n in links.graph.objects(node, SKOS.editorialNote))
    sources = _many(links, links.graph.objects(node, PROV.wasDerivedFrom))
    records = _many(links, links.graph.objects(node, PROV.qualifiedDerivation))
    name = links.name(node)
    if str(node).startswith(str(ID)):  # the IRI itself, when the site is served at its home
        canonical = base.rstrip("/") + "/id/" + str(node)[len(str(ID)):]
    else:
        canonical = base.rstrip("/") + "/" + (path if path is not None else (links.path(node) or ""))
    classes = [{"text": links.class_label(t), "href": links.href(t), "lang": None, "iri": str(t)}
               for t in sorted(links.types(node)) if str(t).startswith(str(CG))]
    schema = {"@type": _SCHEMA_TYPES.get(cls, "Thing") if cls is not None else "Thing", "@id": str(node), "name": name,
              "url": canonical, "identifier": str(node)}
    description = links.text(node, DCTERMS.description, RDFS.comment)
    if description:
        schema["description"] = description
    if cls == CG.Project:
        for key, p in (("startDate", CG.startDate), ("endDate", CG.endDate)):
            v = links.graph.value(node, p)
            if v is not None:
                schema[key] = str(v)
        members = [links.graph.value(x, CG.participant) for x in links.graph.subjects(CG.project, node)]
        members = [m for m in members if m is not None]
        if members:
            schema["member"] = sorted(({"@type": "Organization", "@id": str(m), "name": links.name(m)} for m in members), key=lambda d: d["@id"])
    if cls == CG.Organisation:
        countries = [c["text"] for c in _country(links, node)]
        if countries:
            schema["address"] = {"@type": "PostalAddress", "addressCountry": countries[0]}
    return {
        "site": SITE_NAME,
        "lang": PAGE_LANG,
        "root": links.root,
        "title": name,
        "heading": name,
        "subtitle": subtitle(links, node),
        "iri": str(node),
        "canonical": canonical,
        "classes": classes,
        "facts": facts,
        "notes": notes,
        "sections": sections,
        "sources": sources,
        "records": records,
        "referenced_by": _referenced_by(links, node, skip_in),
        "alternates": [{"type": FILE_FORMATS[f][1], "href": f"index.{f}", "name": _FORMAT_NAMES[f]} for f in formats],
        "jsonld": schema_org(schema),
        "nav": nav if nav is not None else [],
        "breadcrumb": [],
        "template": _TEMPLATES.get(cls, "resource.html") if cls is not None else "resource.html",
    }


_FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "rdf": "RDF/XML", "nt": "N-Triples"}


def render_resource(
    graph: Graph,
    iri: URIRef | str,
    *,
    ontology: Graph | None = None,
    root: str = "/",
    base: str = DEFAULT_BASE,
    lang: str = "en",
    links: Links | None = None,
) -> str:
    """The HTML page of the resource ``iri`` described in ``graph``, as a person reads it.

    ``ontology`` gives the property and class labels (the shipped ontology if omitted);
    ``root`` is the path from the page to the site root (``"/"`` for a server at the
    root of its host); ``base`` the public address of the site, for the canonical link.
    A live server calls this with its store's graph or dataset (named graphs are read as
    one); :func:`~clustergraph.publishing.site.publish` renders the same pages with the
    site's own links.
    """
    node = URIRef(str(iri))
    graph = union(graph)  # a dataset's named graphs, read as one
    if links is None:
        if ontology is None:
            from .vocabulary import load_ontology

            ontology = load_ontology()
        links = Links(graph, ontology, root=root, lang=lang)
    context = resource_context(graph, node, links=links, base=base)
    return render_page(context["template"], context)

