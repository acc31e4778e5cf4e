"""The dataset's catalogue record: DCAT-AP 2.1.1 and VoID, from the data itself.

:func:`describe_dataset` returns a ``dcat:Catalog`` holding the dataset, its
distributions (the dumps: access and download URLs, IANA media types, EU file types,
licence), the SPARQL endpoint as a ``dcat:DataService`` when one is given, the
publisher (a ``foaf:Agent`` with a name and an ADMS publisher type), a contact point
(vCard), EU data themes, keywords, and the spatial (the countries of the organisations)
and temporal (the projects' first start and last end) coverage the data gives. The
VoID statistics (:func:`statistics`) are counted on the graph: triples, entities (the
resources under ``/id/``, the number the home page shows), classes, properties, and one
partition per class and per property. Nothing depends on the clock: the record's dates
are the newest ``prov:generatedAtTime`` of the sources (or ``modified`` if given), so
the same data gives the same file.

The concepts of the EU vocabularies it uses (file types, themes, countries, language,
publisher and licence types) are typed and placed in their schemes in the record, as
the vocabularies state, so that the DCAT-AP vocabulary shapes can check them offline.

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDFS
>>> from clustergraph.namespaces import ID
>>> g = Graph(); _ = g.add((ID["project/x"], RDFS.label, Literal("X")))
>>> statistics(g)["entities"]
1
>>> (CATALOG_IRI, RDF.type, DCAT.Catalog) in describe_dataset(g)
True
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, VOID, XSD

from ..namespaces import CG, COUNTRY, ID, bind_prefixes
from .links import COUNTRY_NAMES

__all__ = [
    "describe_dataset",
    "statistics",
    "DATASET_IRI",
    "CATALOG_IRI",
    "DUMPS",
    "LICENCE",
    "CITATION",
]

DATASET_IRI = URIRef("https://w3id.org/clustergraph/dataset")
CATALOG_IRI = URIRef("https://w3id.org/clustergraph/catalog")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
TITLE = "clustergraph: the European cluster excellence ecosystem"
DESCRIPTION = ("Cluster organisations, projects, calls, programmes, excellence labels, partnerships and events "
               "of the EU Cluster Excellence Programme, as linked data, with the source row of every statement.")
CITATION = "clustergraph: the European cluster excellence ecosystem as linked data. Dataset, CC BY 4.0. https://w3id.org/clustergraph/dataset"

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
ADMS_PUBLISHER = Namespace("http://purl.org/adms/publishertype/")
ADMS_LICENCE = Namespace("http://purl.org/adms/licencetype/")
AVAILABILITY = Namespace("http://publications.europa.eu/resource/authority/planned-availability/")
IANA = "https://www.iana.org/assignments/media-types/"

#: The dumps: suffix, name, IANA media type, EU file type.
DUMPS = [
    ("ttl", "Turtle", "text/turtle", "RDF_TURTLE"),
    ("nt", "N-Triples", "application/n-triples", "RDF_N_TRIPLES"),
    ("jsonld", "JSON-LD", "application/ld+json", "JSON_LD"),
    ("trig", "TriG (one named graph per source)", "application/trig", "RDF_TRIG"),
]
KEYWORDS = ["clusters", "cluster excellence", "cluster management", "EU projects", "COSME", "excellence labels",
            "industrial ecosystems", "linked data"]


def statistics(graph: Graph) -> dict[str, Any]:
    """VoID statistics of ``graph``: triples, entities (subjects under ``/id/``), classes, properties, partitions.

    The entity count is the number of resources the site gives a page to and the home
    page shows.
    """
    triples = len(graph)
    entities = {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}
    classes = Counter(o for s, o in set(graph.subject_objects(RDF.type)))
    properties = Counter(p for _, p, _ in graph)
    return {
        "triples": triples,
        "entities": len(entities),
        "subjects": len(set(graph.subjects())),
        "objects": len(set(graph.objects())),
        "classes": dict(classes),
        "properties": dict(properties),
    }


#: Titles of the EU and ADMS vocabularies the record uses, as they title themselves.
_SCHEMES = {
    "http://publications.europa.eu/resource/authority/country": "Country",
    "http://publications.europa.eu/resource/authority/file-type": "File type",
    "http://publications.europa.eu/resource/authority/language": "Language",
    "http://publications.europa.eu/resource/authority/data-theme": "Data theme",
    "http://publications.europa.eu/resource/authority/planned-availability": "Planned availability",
    "http://purl.org/adms/licencetype/1.0": "Licence type",
    "http://purl.org/adms/publishertype/1.0": "Publisher type",
}


def _concept(d: Graph, node: URIRef, scheme: URIRef, label: str, *classes: URIRef) -> URIRef:
    d.add((node, RDF.type, SKOS.Concept))
    for c in classes:
        d.add((node, RDF.type, c))
    d.add((node, SKOS.inScheme, scheme))
    d.add((scheme, RDF.type, SKOS.ConceptScheme))
    d.add((scheme, DCTERMS.title, Literal(_SCHEMES.get(str(scheme), str(scheme).rstrip("/").rsplit("/", 1)[-1]), lang="en")))
    d.add((node, SKOS.prefLabel, Literal(label, lang="en")))
    return node


def _date(value: Any) -> Literal | None:
    text = str(value)[:10]
    return Literal(text, datatype=XSD.date) if len(text) == 10 else None


def describe_dataset(
    graph: Graph,
    *,
    endpoint: str | None = None,
    base_url: str | None = None,
    modified: str | None = None,
    publisher: str = "The clustergraph project",
    contact: str | None = None,
) -> Graph:
    """A DCAT-AP 2.1.1 catalogue record (with VoID statistics) of the dataset in ``graph``.

    ``base_url`` is where the site is served (default ``https://w3id.org/clustergraph``);
    ``endpoint`` a public SPARQL endpoint over the data; ``modified`` an ISO date for
    ``dct:modified`` (default: the newest source's ``prov:generatedAtTime``);
    ``publisher`` the publisher's name; ``contact`` an e-mail address for the contact
    point (default: the site's address).
    """
    d = bind_prefixes(Graph())
    d.bind("vcard", VCARD)
    d.bind("dcatap", DCATAP)
    base = (base_url or str(ID).rsplit("/id/", 1)[0]).rstrip("/")
    ds, cat = DATASET_IRI, CATALOG_IRI
    en = lambda text: Literal(text, lang="en")  # noqa: E731
    home = URIRef(base + "/")

    # dates from the data, never from the clock
    times = sorted(str(t) for t in graph.objects(None, PROV.generatedAtTime))
    when = _date(modified) if modified else (_date(times[-1]) if times else None)
    first = _date(times[0]) if times else when

    # the publisher, licence, language
    agent = URIRef(base + "/publisher")
    d.add((agent, RDF.type, FOAF.Agent))
    d.add((agent, FOAF.name, en(publisher)))
    d.add((agent, DCTERMS.type, _concept(d, ADMS_PUBLISHER.NonProfitOrganisation, URIRef("http://purl.org/adms/publishertype/1.0"), "Non-Profit Organisation")))
    d.add((LICENCE, RDF.type, DCTERMS.LicenseDocument))
    d.add((LICENCE, DCTERMS.type, _concept(d, ADMS_LICENCE.Attribution, URIRef("http://purl.org/adms/licencetype/1.0"), "Attribution")))
    english = _concept(d, LANGUAGE.ENG, URIRef("http://publications.europa.eu/resource/authority/language"), "English", DCTERMS.LinguisticSystem)
    themes = URIRef("http://publications.europa.eu/resource/authority/data-theme")
    d.add((themes, RDF.type, SKOS.ConceptScheme))
    d.add((themes, DCTERMS.title, en("Data theme")))

    # the catalogue
    d.add((cat, RDF.type, DCAT.Catalog))
    d.add((cat, DCTERMS.title, en("clustergraph catalogue")))
    d.add((cat, DCTERMS.description, en("The datasets published by clustergraph: " + DESCRIPTION)))
    d.add((cat, DCTERMS.publisher, agent))
    d.add((cat, DCAT.dataset, ds))
    d.add((cat, FOAF.homepage, home))
    d.add((home, RDF.type, FOAF.Document))
    d.add((cat, DCTERMS.language, english))
    d.add((cat, DCTERMS.license, LICENCE))
    d.add((cat, DCAT.themeTaxonomy, themes))
    if when is not None:
        d.add((cat, DCTERMS.modified, when))
        d.add((cat, DCTERMS.issued, first))

    # the dataset
    for t in (DCAT.Dataset, VOID.Dataset):
        d.add((ds, RDF.type, t))
    d.add((ds, DCTERMS.title, en(TITLE)))
    d.add((ds, DCTERMS.description, en(DESCRIPTION)))
    d.add((ds, DCTERMS.publisher, agent))
    d.add((ds, DCTERMS.license, LICENCE))
    d.add((ds, DCTERMS.language, english))
    d.add((ds, DCAT.landingPage, home))
    d.add((ds, FOAF.homepage, home))
    d.add((ds, DCTERMS.conformsTo, URIRef("https://w3id.org/clustergraph/ontology")))
    d.add((URIRef("https://w3id.org/clustergraph/ontology"), RDF.type, DCTERMS.Standard))
    d.add((ds, DCTERMS.identifier, Literal(str(ds))))
    d.add((ds, DCTERMS.bibliographicCitation, Literal(CITATION)))
    if when is not None:
        d.add((ds, DCTERMS.modified, when))
        d.add((ds, DCTERMS.issued, first))
    for k in KEYWORDS:
        d.add((ds, DCAT.keyword, en(k)))
    for code, label in (("ECON", "Economy and finance"), ("TECH", "Science and technology"), ("REGI", "Regions and cities")):
        d.add((ds, DCAT.theme, _concept(d, THEME[code], themes, label)))
    contact_node = URIRef(base + "/contact")
    d.add((contact_node, RDF.type, VCARD.Kind))
    d.add((contact_node, RDF.type, VCARD.Organization))
    d.add((contact_node, VCARD.fn, en(publisher)))
    if contact:
        d.add((contact_node, VCARD.hasEmail, URIRef("mailto:" + contact)))
    d.add((contact_node, VCARD.hasURL, home))
    d.add((ds, DCAT.contactPoint, contact_node))
    # coverage the data gives
    country_scheme = URIRef("http://publications.europa.eu/resource/authority/country")
    for country in sorted({o for o in graph.objects(None, CG.country) if str(o).startswith(str(COUNTRY))}):
        d.add((ds, DCTERMS.spatial, country))
        d.add((cat, DCTERMS.spatial, country))
        code = str(country)[len(str(COUNTRY)):]
        _concept(d, country, country_scheme, COUNTRY_NAMES.get(code, code), DCTERMS.Location)
    starts = sorted(str(v) for v in graph.objects(None, CG.startDate))
    ends = sorted(str(v) for v in graph.objects(None, CG.endDate))
    if starts and ends:
        period = URIRef(f"{DATASET_IRI}/period")
        d.add((period, RDF.type, DCTERMS.PeriodOfTime))
        d.add((period, DCAT.startDate, Literal(starts[0], datatype=XSD.date)))
        d.add((period, DCAT.endDate, Literal(ends[-1], datatype=XSD.date)))
        d.add((ds, DCTERMS.temporal, period))

    # the distributions
    file_types = URIRef("http://publications.europa.eu/resource/authority/file-type")
    for suffix, name, media, code in DUMPS:
        dist = URIRef(f"{DATASET_IRI}/distribution/{suffix}")
        url = URIRef(f"{base}/dataset/clustergraph.{suffix}")
        d.add((ds, DCAT.distribution, dist))
        d.add((dist, RDF.type, DCAT.Distribution))
        d.add((dist, DCTERMS.title, en(f"clustergraph in {name}")))
        d.add((dist, DCTERMS.description, en(f"The whole dataset as one {name} file.")))
        mt = URIRef(IANA + media)
        d.add((mt, RDF.type, DCTERMS.MediaType))
        d.add((dist, DCAT.mediaType, mt))
        ft = _concept(d, FILE_TYPE[code], file_types, name.split(" ")[0], DCTERMS.MediaTypeOrExtent)
        d.add((dist, DCTERMS.format, ft))
        d.add((dist, DCAT.accessURL, home))
        d.add((dist, DCAT.downloadURL, url))
        d.add((dist, DCTERMS.license, LICENCE))
        d.add((dist, DCATAP.availability, _concept(d, AVAILABILITY.STABLE, URIRef(str(AVAILABILITY).rstrip("/")), "stable")))
        d.add((ds, VOID.dataDump, url))

    # the SPARQL endpoint
    if endpoint:
        service = URIRef(f"{DATASET_IRI}/service/sparql")
        d.add((cat, DCAT.service, service))
        d.add((service, RDF.type, DCAT.DataService))
        d.add((service, DCTERMS.title, en("clustergraph SPARQL endpoint")))
        d.add((service, DCAT.endpointURL, URIRef(endpoint)))
        d.add((service, DCAT.endpointDescription, URIRef(endpoint)))
        d.add((service, DCAT.servesDataset, ds))
        d.add((service, DCTERMS.license, LICENCE))
        d.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
        d.add((URIRef("https://www.w3.org/TR/sparql11-protocol/"), RDF.type, DCTERMS.Standard))
        d.add((ds, VOID.sparqlEndpoint, URIRef(endpoint)))

    # VoID
    stats = statistics(graph)
    d.add((ds, VOID.uriSpace, Literal(str(ID))))
    d.add((ds, VOID.vocabulary, URIRef(str(CG))))
    d.add((ds, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    d.add((ds, VOID.entities, Literal(stats["entities"], datatype=XSD.integer)))
    d.add((ds, VOID.classes, Literal(len(stats["classes"]), datatype=XSD.integer)))
    d.add((ds, VOID.properties, Literal(len(stats["properties"]), datatype=XSD.integer)))
    d.add((ds, VOID.distinctSubjects, Literal(stats["subjects"], datatype=XSD.integer)))
    d.add((ds, VOID.distinctObjects, Literal(stats["objects"], datatype=XSD.integer)))
    for i, (c, n) in enumerate(sorted(stats["classes"].items(), key=lambda kv: str(kv[0]))):
        part = URIRef(f"{DATASET_IRI}/class/{i + 1}")
        d.add((ds, VOID.classPartition, part))
        d.add((part, VOID["class"], c))
        d.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for i, (p, n) in enumerate(sorted(stats["properties"].items(), key=lambda kv: str(kv[0]))):
        part = URIRef(f"{DATASET_IRI}/property/{i + 1}")
        d.add((ds, VOID.propertyPartition, part))
        d.add((part, VOID.property, p))
        d.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    for src in sorted(set(graph.subjects(RDF.type, CG.SourceDocument))):
        d.add((ds, PROV.wasDerivedFrom, src))
    return d
