"""Namespaces used across clustergraph, and the prefixes bound on every graph.

>>> from clustergraph.namespaces import CG, ID
>>> str(CG.Project)
'https://w3id.org/clustergraph/ontology#Project'
>>> str(ID)
'https://w3id.org/clustergraph/id/'
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.graph import Graph
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

__all__ = [
    "CG",
    "ID",
    "GRAPH",
    "COUNTRY",
    "ORG",
    "EURIO",
    "FRAPO",
    "SCHEMA",
    "PREFIXES",
    "bind_prefixes",
]

CG = Namespace("https://w3id.org/clustergraph/ontology#")
"""The clustergraph ontology."""
ID = Namespace("https://w3id.org/clustergraph/id/")
"""Data IRIs: ``ID["project/cecil"]``."""
GRAPH = Namespace("https://w3id.org/clustergraph/graph/")
"""Named graphs: one per source, plus ``inferred``, ``metrics``."""
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
ORG = Namespace("http://www.w3.org/ns/org#")
EURIO = Namespace("http://data.europa.eu/s66#")
FRAPO = Namespace("http://purl.org/cerif/frapo/")
SCHEMA = Namespace("https://schema.org/")

PREFIXES: dict[str, Namespace] = {
    "cg": CG,
    "cgid": ID,
    "cggraph": GRAPH,
    "country": COUNTRY,
    "org": ORG,
    "eurio": EURIO,
    "frapo": FRAPO,
    "schema": SCHEMA,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "foaf": Namespace(str(FOAF)),
    "sh": Namespace(str(SH)),
    "dcat": Namespace(str(DCAT)),
    "void": Namespace(str(VOID)),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the clustergraph prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph
