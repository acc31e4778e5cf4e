"""What a reader sees of an RDF term: its name, its link and its value, formatted.

:class:`Links` knows which IRIs have a page in a site and where, so that a page links
only what resolves: data resources (``/id/...``), ontology terms (``/ontology/Term/``),
provenance records (``/graph/source/...``) and web links; anything else in the
dataset's own namespaces is shown as text. It names resources for people (a project by
its acronym, an award by its level and holder, a statistic by what it measures),
chooses labels by language tag, and formats dates and money.

>>> from rdflib import Graph, Literal
>>> from clustergraph.namespaces import ID, CG
>>> g = Graph()
>>> _ = g.add((ID["project/x"], CG.acronym, Literal("X")))
>>> links = Links(g, Graph(), root="../../../")
>>> links.name(ID["project/x"]), links.href(ID["project/x"])
('X', '../../../id/project/x/')
>>> links.value(Literal("299450", datatype=XSD.decimal), CG.totalBudget)["text"]
'€299,450'
>>> links.value(Literal("2016-01-01", datatype=XSD.date))["text"]
'1 January 2016'
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from ..namespaces import CG, COUNTRY, GRAPH, ID

__all__ = ["COUNTRY_NAMES", "Links", "ONTOLOGY_IRI", "PAGE_LANG", "SITE_NAMESPACE", "format_literal", "pick", "slug_words"]

#: The ontology document; its terms are ``ONTOLOGY_IRI#Term``.
ONTOLOGY_IRI = URIRef("https://w3id.org/clustergraph/ontology")
#: The language of the pages' own words (headings, captions): a value in another language is marked with its tag.
PAGE_LANG = "en"
#: Every IRI the project mints starts here: a link to one must resolve in the site.
SITE_NAMESPACE = "https://w3id.org/clustergraph/"

#: Names of the countries of the EU authority table that European cluster data uses.
COUNTRY_NAMES = {
    "ALB": "Albania", "ARM": "Armenia", "AUT": "Austria", "BEL": "Belgium", "BGR": "Bulgaria",
    "BIH": "Bosnia and Herzegovina", "CHE": "Switzerland", "CYP": "Cyprus", "CZE": "Czechia",
    "DEU": "Germany", "DNK": "Denmark", "ESP": "Spain", "EST": "Estonia", "FIN": "Finland",
    "FRA": "France", "GBR": "United Kingdom", "GEO": "Georgia", "GRC": "Greece", "HRV": "Croatia",
    "HUN": "Hungary", "IRL": "Ireland", "ISL": "Iceland", "ISR": "Israel", "ITA": "Italy",
    "LIE": "Liechtenstein", "LTU": "Lithuania", "LUX": "Luxembourg", "LVA": "Latvia",
    "MDA": "Moldova", "MKD": "North Macedonia", "MLT": "Malta", "MNE": "Montenegro",
    "NLD": "Netherlands", "NOR": "Norway", "POL": "Poland", "PRT": "Portugal", "ROU": "Romania",
    "SRB": "Serbia", "SVK": "Slovakia", "SVN": "Slovenia", "SWE": "Sweden", "TUN": "Tunisia",
    "TUR": "Türkiye", "UKR": "Ukraine", "USA": "United States", "CAN": "Canada", "JPN": "Japan",
    "KOR": "South Korea", "CHN": "China", "IND": "India", "BRA": "Brazil",
}

#: Names of properties from outside the ontology, for readers.
_KNOWN = {
    RDF.type: "type", RDFS.label: "name", RDFS.comment: "comment", RDFS.seeAlso: "see also",
    DCTERMS.title: "title", DCTERMS.description: "description", DCTERMS.source: "source",
    DCTERMS.subject: "subject", DCTERMS.relation: "related to", DCTERMS.language: "language",
    SKOS.altLabel: "also known as", SKOS.prefLabel: "preferred name", SKOS.editorialNote: "note",
    SKOS.inScheme: "in scheme", PROV.wasDerivedFrom: "derived from", PROV.qualifiedDerivation: "provenance record",
    PROV.generatedAtTime: "generated at", PROV.entity: "entity",
    RDFS.subClassOf: "subclass of", RDFS.subPropertyOf: "subproperty of", RDFS.domain: "domain",
    RDFS.range: "range", OWL.equivalentClass: "equivalent class", OWL.inverseOf: "inverse of",
}
_MONEY = {CG.totalBudget, CG.euContribution}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_ROW = re.compile(r"^(?P<graph>.*)#row-(?P<row>\d+)$")


def slug_words(text: str) -> str:
    """An IRI's last segment as words: ``aerospace-and-defence`` → ``Aerospace and defence``.

    >>> slug_words("https://w3id.org/clustergraph/id/ecosystem/agri-food")
    'Agri food'
    """
    tail = re.split(r"[/#]", str(text).rstrip("/"))[-1]
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tail).replace("-", " ").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) if words else str(text)


def pick(values: Iterable[Any], lang: str = "en") -> Any:
    """The value to show a reader of ``lang``: that language, else no language, else English, else the first.

    >>> pick([Literal("Projet", lang="fr"), Literal("Project", lang="en")], "en")
    rdflib.term.Literal('Project', lang='en')
    """
    items = sorted(values, key=lambda v: (str(getattr(v, "language", "") or ""), str(v)))
    if not items:
        return None
    for test in (lambda v: getattr(v, "language", None) == lang,
                 lambda v: not getattr(v, "language", None),
                 lambda v: getattr(v, "language", None) == "en"):
        for v in items:
            if test(v):
                return v
    return items[0]


class Links:
    """Names, links and formatted values for the pages of one site (or one live server).

    ``graph`` is the data, ``ontology`` the vocabulary (for property and class labels);
    ``pages`` the data IRIs with a page (``None``: every IRI under ``/id/``), ``terms``
    the ontology terms with a page (``None``: every ``cg:`` term), ``records`` the named
    graphs with a provenance page (``None``: every one). ``root`` is the relative path
    from the current page to the site root (``"/"`` on a server).
    """

    def __init__(
        self,
        graph: Graph,
        ontology: Graph,
        *,
        root: str = "/",
        lang: str = "en",
        pages: set[URIRef] | None = None,
        terms: set[URIRef] | None = None,
        records: set[URIRef] | None = None,
    ) -> None:
        self.graph, self.ontology, self.root, self.lang = graph, ontology, root, lang
        self.pages, self.terms, self.records = pages, terms, records
        self.titles: dict[Any, str] = {}

    def at(self, root: str) -> Links:
        """The same site, seen from a page at ``root`` (relative path to the site root)."""
        other = copy.copy(self)
        other.root = root
        return other

    # --- where -----------------------------------------------------------------------

    def path(self, node: Any) -> str | None:
        """The site path (relative to its root, with a trailing ``/`` or ``#fragment``) of ``node``'s page, or None."""
        if not isinstance(node, URIRef):
            return None
        text = str(node)
        if text.startswith(str(ID)):
            if self.pages is not None and node not in self.pages:
                return None
            return "id/" + text[len(str(ID)):] + "/"
        if text == str(ONTOLOGY_IRI):
            return "ontology/"
        if text.startswith(str(CG)):
            if self.terms is not None and node not in self.terms:
                return None
            return "ontology/" + text[len(str(CG)):] + "/"
        if text.startswith(str(GRAPH)):
            base, _, fragment = text.partition("#")
            if self.records is not None and URIRef(base) not in self.records:
                return None
            return "graph/" + base[len(str(GRAPH)):] + "/" + ("#" + fragment if fragment else "")
        return None

    def href(self, node: Any) -> str | None:
        """A link to ``node``: its page here, its IRI if it is a web link elsewhere, else None."""
        path = self.path(node)
        if path is not None:
            return self.root + path
        if not isinstance(node, URIRef):
            return None
        text = str(node)
        if text.startswith(SITE_NAMESPACE):  # ours, but with no page: never a broken link
            return None
        scheme = urlsplit(text).scheme.lower() if ":" in text else ""
        return text if scheme in ("http", "https") else None

    # --- names -----------------------------------------------------------------------

    def text(self, node: Any, *predicates: URIRef) -> str | None:
        """The value of the first of ``predicates`` that ``node`` has, chosen by language."""
        for graph in (self.graph, self.ontology):
            for p in predicates:
                v = pick(graph.objects(node, p), self.lang)
                if v is not None:
                    return str(v)
        return None

    def types(self, node: Any) -> set[URIRef]:
        """``node``'s classes, from the data and the ontology."""
        return {t for g in (self.graph, self.ontology) for t in g.objects(node, RDF.type) if isinstance(t, URIRef)}

    def name(self, node: Any) -> str:
        """What a reader calls ``node``: its title in this site, else a name made from its class and label."""
        if node in self.titles:
            return self.titles[node]
        return self.plain_name(node)

    def plain_name(self, node: Any) -> str:
        """What ``node`` is called, before titles are made unique across the site."""
        if isinstance(node, Literal):
            return str(node)
        g = self.graph
        types = self.types(node)
        if CG.Participation in types:
            who, what = g.value(node, CG.participant), g.value(node, CG.project)
            if who is not None and what is not None:
                return f"{self.plain_name(who)} in {self.plain_name(what)}"
        if CG.LabelAward in types or CG.LabelTarget in types:
            level, holder = g.value(node, CG.level), g.value(node, CG.holder)
            kind = "label" if CG.LabelAward in types else "label target"
            if level is not None and holder is not None:
                return f"{self.plain_name(level)} {kind} of {self.plain_name(holder)}"
        if CG.Statistic in types:
            measure, about = self.text(node, CG.measure), g.value(node, CG.about)
            if measure:
                measure = measure[:1].upper() + measure[1:]
                return f"{measure} ({self.plain_name(about)})" if about is not None else measure
        if CG.ValueChainLink in types:
            supplier, user = g.value(node, CG.supplier), g.value(node, CG.user)
            if supplier is not None and user is not None:
                return f"{self.plain_name(supplier)} supplies {self.plain_name(user)}"
        if CG.WorkPackage in types:
            label, project = self.text(node, RDFS.label), g.value(node, CG.project)
            if label and project is not None:
                return f"{label} of {self.plain_name(project)}"
        if CG.Objective in types:
            code = self.text(node, CG.objectiveCode)
            label = self.text(node, RDFS.label, DCTERMS.title, DCTERMS.description)
            if label:
                label = label if len(label) <= 90 else label[:87].rstrip() + "…"
                return f"{code}: {label}" if code else label
        if isinstance(node, URIRef) and str(node).startswith(str(GRAPH)):
            match = _ROW.match(str(node))
            if match:
                return f"row {match['row']} of {self.source_file(URIRef(match['graph']))}"
            return f"provenance of {self.source_file(node)}"
        if isinstance(node, URIRef) and str(node).startswith(str(COUNTRY)):
            code = str(node)[len(str(COUNTRY)):]
            return COUNTRY_NAMES.get(code, code)
        found = self.text(node, CG.acronym, SKOS.prefLabel, RDFS.label, DCTERMS.title)
        if found:
            return found
        if isinstance(node, BNode):
            return "(unnamed)"
        return slug_words(str(node))

    def source_file(self, record: URIRef) -> str:
        """The file a provenance record is about (``data/projects.csv``)."""
        found = self.text(record, CG.sourceFile)
        return found or slug_words(str(record))

    def class_label(self, cls: Any, plural: bool = False) -> str:
        """The ontology's label of ``cls`` (``Call for proposals``), or its plural (``Calls for proposals``)."""
        label = self.text(cls, RDFS.label) or slug_words(str(cls))
        if plural and " for " in label:
            head, _, tail = label.partition(" ")
            return self.plural(head) + " " + tail
        if plural:
            return self.plural(label)
        return label

    @staticmethod
    def plural(label: str) -> str:
        """``label`` in the plural, the English way: ``Project`` → ``Projects``, ``Industrial ecosystem`` → ``...s``, ``Body`` → ``Bodies``."""
        if label.endswith("s") and not label.endswith("ss"):
            return label
        if label.endswith("y") and label[-2:-1] not in "aeiou":
            return label[:-1] + "ies"
        return label + "s"

    def property_label(self, prop: Any) -> str:
        """The ontology's label of ``prop`` in the reader's language, else a known name, else its local name as words."""
        found = pick(self.ontology.objects(prop, RDFS.label), self.lang)
        if found is not None:
            return str(found)
        if prop in _KNOWN:
            return _KNOWN[prop]
        return slug_words(str(prop)).lower()

    # --- values ----------------------------------------------------------------------

    def value(self, node: Any, prop: Any = None) -> dict[str, Any]:
        """``node`` as a template cell: ``text``, ``href`` (or None), ``lang`` (if not the reader's), ``iri``."""
        if isinstance(node, URIRef):
            return {"text": self.name(node), "href": self.href(node), "lang": None, "iri": str(node)}
        if isinstance(node, Literal):
            lang = node.language if node.language and node.language != PAGE_LANG else None
            text, href = format_literal(node, prop), None
            if node.datatype == XSD.anyURI and urlsplit(str(node)).scheme.lower() in ("http", "https"):
                href = str(node)
            return {"text": text, "href": href, "lang": lang, "iri": None}
        return {"text": "(unnamed)", "href": None, "lang": None, "iri": None}


def format_literal(node: Literal, prop: Any = None) -> str:
    """A literal as a reader reads it: money in euros, dates in words, numbers grouped."""
    text = str(node)
    dt = node.datatype
    if prop in _MONEY:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return text
        return "€" + (f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}")
    if dt == XSD.date:
        try:
            d = date.fromisoformat(text)
        except ValueError:
            return text
        return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    if dt in (XSD.integer, XSD.decimal) and re.fullmatch(r"-?\d{5,}", text):
        return f"{int(text):,}"
    return text
