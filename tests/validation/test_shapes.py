"""Every shipped shape: one conforming and one violating example.

The conforming examples are ``fixtures/valid.ttl``, a dataset with one
complete, correct entity of every class: it gives no finding at all. Each case below
adds one new entity with one mistake to that dataset and names the finding it must
produce (focus node, path, severity, message). All cases are validated together in
one run; every finding of that run must be explained by a case, so a mistake that
trips an unrelated shape fails too.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from clustergraph.namespaces import CG
from clustergraph.validation.engine import validate
from clustergraph.validation.shapes import SHAPES, load_shapes

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid.ttl"
ID = "https://w3id.org/clustergraph/id/"
KINDS = (
    "award call ecosystem event labeltarget level objective organisation participation partnership "
    "place programme project role sector service source statistic valuechain workpackage"
).split()
HEADER = "\n".join(
    [
        "@prefix cg: <https://w3id.org/clustergraph/ontology#> .",
        "@prefix country: <http://publications.europa.eu/resource/authority/country/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        *(f"@prefix {k}: <{ID}{k}/> ." for k in KINDS),
        "",
    ]
)

_numbers = itertools.count(10)  # ordinals and work package numbers that clash with nothing


def iri(qname: str) -> URIRef:
    """``project:demo`` → the full IRI; ``cg:Bronze`` too."""
    prefix, local = qname.split(":", 1)
    if prefix == "cg":
        return CG[local]
    return URIRef(f"{ID}{prefix}/{local}")


def describe(subject: str, defaults: dict, over: dict | None) -> str:
    props = {**defaults, **(over or {})}
    parts = []
    for prop, value in props.items():
        for obj in value if isinstance(value, list) else [value]:
            if obj is not None:
                parts.append(f"{prop} {obj}")
    return f"{subject} " + " ;\n    ".join(parts) + " .\n"


# --- templates: a complete, correct entity of each class, with overrides -----------------


def org(key, over=None):
    return describe(f"organisation:{key}", {"a": "cg:ClusterOrganisation", "rdfs:label": f'"Org {key}"@en', "cg:country": "country:ESP"}, over)


def programme(key, over=None):
    return describe(f"programme:{key}", {"a": "cg:Programme", "rdfs:label": f'"Programme {key}"@en', "cg:partOf": "programme:cosme"}, over)


def call(key, over=None):
    defaults = {"a": "cg:Call", "cg:programme": "programme:cosme", "cg:ordinal": str(next(_numbers)), "cg:year": '"2014"^^xsd:gYear'}
    return describe(f"call:{key}", defaults, over)


def project(key, over=None, *, coordinator=True):
    defaults = {
        "a": "cg:Project",
        "cg:acronym": f'"{key.upper()}"',
        "dcterms:title": f'"Project {key}"@en',
        "cg:call": "call:cep-2",
        "cg:startDate": '"2016-01-01"^^xsd:date',
        "cg:endDate": '"2017-12-31"^^xsd:date',
        "cg:totalBudget": '"300"^^xsd:decimal',
        "cg:euContribution": '"200"^^xsd:decimal',
    }
    text = describe(f"project:{key}", defaults, over)
    if coordinator:
        text += describe(
            f"participation:{key}-coord",
            {"a": "cg:Participation", "cg:participant": "organisation:alpha", "cg:project": f"project:{key}", "cg:role": "cg:Coordinator"},
            None,
        )
    return text


def participation(key, over=None):
    defaults = {"a": "cg:Participation", "cg:participant": "organisation:beta", "cg:project": f"project:{key}-p", "cg:role": "cg:Partner"}
    return project(f"{key}-p") + describe(f"participation:{key}", defaults, over)


def workpackage(key, over=None):
    defaults = {"a": "cg:WorkPackage", "cg:project": "project:demo", "cg:workPackageNumber": str(next(_numbers))}
    return describe(f"workpackage:{key}", defaults, over)


def award(key, over=None):
    defaults = {
        "a": "cg:LabelAward",
        "cg:holder": "organisation:alpha",
        "cg:level": "cg:Bronze",
        "cg:awardedBy": "organisation:esca",
        "cg:awardDate": '"2017-01-01"^^xsd:date',
        "cg:validUntil": '"2019-01-01"^^xsd:date',
    }
    return describe(f"award:{key}", defaults, over)


def target(key, over=None):
    return describe(f"labeltarget:{key}", {"a": "cg:LabelTarget", "cg:holder": "organisation:alpha", "cg:level": "cg:Gold"}, over)


def level(key, over=None):
    return describe(f"level:{key}", {"a": "cg:LabelLevel", "skos:prefLabel": f'"{key}"@en', "cg:rank": "2"}, over)


def role(key, over=None):
    return describe(f"role:{key}", {"a": "cg:Role", "skos:prefLabel": f'"{key}"@en'}, over)


def partnership(key, over=None):
    defaults = {
        "a": "cg:Partnership",
        "rdfs:label": f'"Partnership {key}"@en',
        "cg:programme": "programme:escp-4i",
        "cg:member": ["organisation:alpha", "organisation:beta", "organisation:gamma"],
    }
    return describe(f"partnership:{key}", defaults, over)


def event(key, over=None):
    return describe(f"event:{key}", {"a": "cg:Event", "rdfs:label": f'"Event {key}"@en', "cg:date": '"2019-12-04"^^xsd:date'}, over)


def place(key, over=None):
    return describe(f"place:{key}", {"a": "cg:Place", "rdfs:label": f'"Place {key}"@en', "cg:country": "country:BEL"}, over)


def service(key, over=None, *, linked=True):
    text = describe(f"service:{key}", {"a": "cg:Service", "rdfs:label": f'"Service {key}"@en'}, over)
    return text + (f"project:demo cg:service service:{key} .\n" if linked else "")


def objective(key, over=None, *, linked=True):
    text = describe(f"objective:{key}", {"a": "cg:Objective", "rdfs:label": f'"OBJECTIVE {key}"@en', "cg:objectiveCode": '"O2"'}, over)
    return text + (f"project:demo cg:objective objective:{key} .\n" if linked else "")


def sector(key, over=None):
    defaults = {"a": "cg:Sector", "skos:prefLabel": f'"Sector {key}"@en', "skos:inScheme": "cg:SectorScheme", "cg:ecosystem": "ecosystem:digital"}
    return describe(f"sector:{key}", defaults, over)


def ecosystem(key, over=None):
    defaults = {"a": "cg:Ecosystem", "skos:prefLabel": f'"Ecosystem {key}"@en', "skos:inScheme": "cg:EcosystemScheme"}
    return describe(f"ecosystem:{key}", defaults, over)


def valuechain(key, over=None):
    defaults = {"a": "cg:ValueChainLink", "cg:supplier": "sector:ict", "cg:user": "ecosystem:digital", "dcterms:source": "source:seed"}
    return describe(f"valuechain:{key}", defaults, over)


def statistic(key, over=None):
    defaults = {
        "a": "cg:Statistic",
        "cg:about": "event:meeting",
        "cg:measure": '"SMEs represented"',
        "cg:value": "10.0",
        "cg:comparator": '"about"',
        "prov:wasDerivedFrom": "source:seed",
    }
    return describe(f"statistic:{key}", defaults, over)


def source(key, over=None):
    return describe(f"source:{key}", {"a": "cg:SourceDocument", "dcterms:title": f'"Source {key}"@en'}, over)


# --- the cases -------------------------------------------------------------------------


@dataclass
class Case:
    shape: str  # local name in the shapes namespace
    turtle: str  # what to add to the valid dataset
    focus: str  # qname of the focus node
    path: str | None  # path as the report writes it (path_text), or None
    severity: str
    message: str  # the message starts with this
    also: list[tuple[str, str]] = field(default_factory=list)  # other (focus, shape) findings it causes

    @property
    def id(self) -> str:
        return self.shape


V, W, I = "Violation", "Warning", "Info"
D = "^^xsd:date"

CASES = [
    # organisations
    Case("Organisation-label-required", org("nolabel", {"rdfs:label": None}), "organisation:nolabel", "rdfs:label", V, "The organisation has no name"),
    Case("Organisation-label-language", org("notag", {"rdfs:label": '"Untagged Cluster"'}), "organisation:notag", "rdfs:label", W, "The name 'Untagged Cluster' has no language tag"),
    Case("Organisation-label-uniqueLang", org("twonames", {"rdfs:label": ['"One"@en', '"Two"@en']}), "organisation:twonames", "rdfs:label", W, "The organisation has more than one name in the same language"),
    Case("Organisation-country-iri", org("spain", {"cg:country": '"Spain"'}), "organisation:spain", "cg:country", V, "The country 'Spain' is not an EU authority country IRI"),
    Case("Organisation-country-count", org("twocountries", {"cg:country": ["country:ESP", "country:FRA"]}), "organisation:twocountries", "cg:country", W, "The organisation has more than one country"),
    Case("Organisation-website-datatype", org("webstr", {"cg:website": '"https://webstr.example.org"'}), "organisation:webstr", "cg:website", V, "The website 'https://webstr.example.org' is not typed as a web address"),
    Case("Organisation-website-scheme", org("bare", {"cg:website": '"www.capdigital.com"^^xsd:anyURI'}), "organisation:bare", "cg:website", W, "The website 'www.capdigital.com' has no http:// or https:// prefix"),
    Case("Organisation-city-text", org("cityiri", {"cg:city": "place:brussels"}), "organisation:cityiri", "cg:city", V, f"The city '{ID}place/brussels' is not text"),
    Case("Organisation-region-text", org("regioniri", {"cg:region": "place:brussels"}), "organisation:regioniri", "cg:region", V, f"The region '{ID}place/brussels' is not text"),
    Case("Organisation-sector-class", org("badsector", {"cg:sector": "organisation:beta"}), "organisation:badsector", "cg:sector", V, f"'{ID}organisation/beta' is not a known sector"),
    Case("ClusterOrganisation-country-required", org("nocountry", {"cg:country": None}), "organisation:nocountry", "cg:country", I, "The country of this cluster organisation is not recorded"),
    # identifiers
    Case("Organisation-pic-syntax", org("pic8", {"cg:pic": '"12345678"'}), "organisation:pic8", "cg:pic", V, "The PIC '12345678' is not nine digits"),
    Case("Organisation-pic-count", org("twopics", {"cg:pic": ['"111111111"', '"222222222"']}), "organisation:twopics", "cg:pic", V, "The organisation has more than one PIC"),
    Case("Organisation-vatNumber-syntax", org("vatde", {"cg:vatNumber": '"DE12345678"'}), "organisation:vatde", "cg:vatNumber", V, "The VAT number 'DE12345678' does not have the form"),
    Case("Organisation-vatNumber-count", org("twovats", {"cg:vatNumber": ['"DE111111111"', '"DE222222222"']}), "organisation:twovats", "cg:vatNumber", V, "The organisation has more than one VAT number"),
    Case("Organisation-rorId-syntax", org("rorurl", {"cg:rorId": '"https://ror.org/03yrm5c26"'}), "organisation:rorurl", "cg:rorId", V, "The ROR ID 'https://ror.org/03yrm5c26' is not a ROR ID"),
    Case("Organisation-rorId-count", org("tworors", {"cg:rorId": ['"03yrm5c26"', '"02mhbdp94"']}), "organisation:tworors", "cg:rorId", V, "The organisation has more than one ROR ID"),
    Case("RorChecksumRule", org("rorcheck", {"cg:rorId": '"03yrm5c27"'}), "organisation:rorcheck", "cg:rorId", V, "The ROR ID '03yrm5c27' has wrong check digits (they should be 26)"),
    Case("Organisation-wikidataId-syntax", org("wdp", {"cg:wikidataId": '"P31"'}), "organisation:wdp", "cg:wikidataId", V, "The Wikidata item 'P31' is not a Q-number"),
    Case("Organisation-wikidataId-count", org("twowd", {"cg:wikidataId": ['"Q1"', '"Q2"']}), "organisation:twowd", "cg:wikidataId", V, "The organisation has more than one Wikidata item"),
    Case("Organisation-eccpProfile-syntax", org("eccpurl", {"cg:eccpProfile": '"Cap Digital"'}), "organisation:eccpurl", "cg:eccpProfile", V, "The ECCP profile 'Cap Digital' is not the last part"),
    Case("Organisation-eccpProfile-count", org("twoeccp", {"cg:eccpProfile": ['"one"', '"two"']}), "organisation:twoeccp", "cg:eccpProfile", V, "The organisation has more than one ECCP profile"),
    Case("Organisation-domain-syntax", org("domurl", {"cg:domain": '"https://www.x.org/"'}), "organisation:domurl", "cg:domain", V, "The web domain 'https://www.x.org/' is not a host name"),
    Case(
        "SharedIdentifierRule", org("zz-samepic", {"cg:pic": '"999999999"'}), "organisation:zz-samepic", "cg:pic", V,
        f"The identifier '999999999' also identifies {ID}organisation/alpha",
    ),
    # programmes and calls
    Case("Programme-label-required", programme("nolabel", {"rdfs:label": None}), "programme:nolabel", "rdfs:label", V, "The programme has no name"),
    Case("Programme-partOf-class", programme("partofcall", {"cg:partOf": "call:cep-1"}), "programme:partofcall", "cg:partOf", V, f"'{ID}call/cep-1' is not a programme"),
    Case("Programme-acronym-datatype", programme("acrlang", {"cg:acronym": '"X"@en'}), "programme:acrlang", "cg:acronym", V, "The acronym 'X' is not a plain string"),
    Case("Programme-minimumOrganisations-value", programme("mino", {"cg:minimumOrganisations": '"three"'}), "programme:mino", "cg:minimumOrganisations", V, "The minimum number of organisations 'three' is not one whole number"),
    Case("Programme-minimumCountries-value", programme("minc", {"cg:minimumCountries": "0"}), "programme:minc", "cg:minimumCountries", V, "The minimum number of countries '0' is not one whole number of at least 1"),
    Case(
        "ProgrammeCycleRule",
        programme("loop-a", {"cg:partOf": "programme:loop-b"}) + programme("loop-b", {"cg:partOf": "programme:loop-a"}),
        "programme:loop-a", "cg:partOf", V, "The programme is part of itself through cg:partOf",
        also=[("programme:loop-b", "ProgrammeCycleRule")],
    ),
    Case("Call-programme-count", call("noprog", {"cg:programme": None}), "call:noprog", "cg:programme", V, "The call does not belong to exactly one programme"),
    Case("Call-programme-class", call("progorg", {"cg:programme": "organisation:alpha"}), "call:progorg", "cg:programme", V, f"'{ID}organisation/alpha' is not a programme"),
    Case("Call-callIdentifier-datatype", call("idlang", {"cg:callIdentifier": '"COS-CLUSTER-2014-3-03"@en'}), "call:idlang", "cg:callIdentifier", V, "The call identifier 'COS-CLUSTER-2014-3-03' is not a plain string"),
    Case("Call-callIdentifier-pattern", call("idbad", {"cg:callIdentifier": '"second call 2015"'}), "call:idbad", "cg:callIdentifier", W, "The call identifier 'second call 2015' does not look like an EU call code"),
    Case("Call-ordinal-count", call("noord", {"cg:ordinal": None}), "call:noord", "cg:ordinal", V, "The call does not have exactly one ordinal"),
    Case("Call-ordinal-datatype", call("ordtext", {"cg:ordinal": '"2nd"'}), "call:ordtext", "cg:ordinal", V, "The ordinal '2nd' is not typed as a whole number"),
    Case("Call-ordinal-range", call("ordzero", {"cg:ordinal": "0"}), "call:ordzero", "cg:ordinal", V, "The ordinal 0 is less than 1"),
    Case("Call-year-required", call("noyear", {"cg:year": None}), "call:noyear", "cg:year", W, "The call has no year"),
    Case("Call-year-count", call("twoyears", {"cg:year": ['"2014"^^xsd:gYear', '"2015"^^xsd:gYear']}), "call:twoyears", "cg:year", V, "The call has more than one year"),
    Case("Call-year-datatype", call("yearint", {"cg:year": "2014"}), "call:yearint", "cg:year", V, "The year '2014' is not typed xsd:gYear"),
    Case("Call-minimumOrganisations-value", call("mino", {"cg:minimumOrganisations": '"3.5"^^xsd:decimal'}), "call:mino", "cg:minimumOrganisations", V, "The minimum number of organisations '3.5' is not one whole number"),
    Case("Call-minimumCountries-value", call("minc", {"cg:minimumCountries": ["2", "3"]}), "call:minc", "cg:minimumCountries", V, "The minimum number of countries"),
    Case(
        "CallOrdinalUniqueRule", call("dup", {"cg:programme": "programme:cep", "cg:ordinal": "1"}),
        "call:dup", "cg:ordinal", W, f"Another call of the same programme ({ID}call/cep-1) also has ordinal 1",
        also=[("call:cep-1", "CallOrdinalUniqueRule")],
    ),
    # projects
    Case("Project-acronym-count", project("noacr", {"cg:acronym": None}), "project:noacr", "cg:acronym", V, "The project does not have exactly one acronym"),
    Case("Project-acronym-datatype", project("acrlang", {"cg:acronym": '"ACR"@en'}), "project:acrlang", "cg:acronym", V, "The acronym 'ACR' is not a plain string"),
    Case("Project-title-required", project("notitle", {"dcterms:title": None}), "project:notitle", "dcterms:title", I, "The project has no title"),
    Case("Project-call-required", project("nocall", {"cg:call": None}), "project:nocall", "cg:call", I, "The project is not linked to the call that funded it"),
    Case(
        "Project-call-count", project("twocalls", {"cg:call": ["call:cep-1", "call:cep-2"]}), "project:twocalls", "cg:call", V,
        "The project is linked to more than one call", also=[("project:twocalls", "ConsortiumCompositionRule")],
    ),
    Case("Project-call-class", project("callorg", {"cg:call": "organisation:alpha"}), "project:callorg", "cg:call", V, f"'{ID}organisation/alpha' is not a call for proposals"),
    Case("Project-startDate-required", project("nostart", {"cg:startDate": None}), "project:nostart", "cg:startDate", I, "The project has no start date"),
    Case("Project-startDate-count", project("twostarts", {"cg:startDate": [f'"2016-01-01"{D}', f'"2016-02-01"{D}']}), "project:twostarts", "cg:startDate", V, "The project has more than one start date"),
    Case("Project-startDate-datatype", project("startstr", {"cg:startDate": '"01/01/2016"'}), "project:startstr", "cg:startDate", V, "The start date '01/01/2016' is not a date"),
    Case("Project-endDate-count", project("twoends", {"cg:endDate": [f'"2017-12-31"{D}', f'"2018-12-31"{D}']}), "project:twoends", "cg:endDate", V, "The project has more than one end date"),
    Case("Project-endDate-datatype", project("endstr", {"cg:endDate": '"31/12/2017"'}), "project:endstr", "cg:endDate", V, "The end date '31/12/2017' is not a date"),
    Case("Project-totalBudget-count", project("twobudgets", {"cg:totalBudget": ['"300"^^xsd:decimal', '"400"^^xsd:decimal']}), "project:twobudgets", "cg:totalBudget", V, "The project has more than one total budget"),
    Case("Project-totalBudget-datatype", project("budgetstr", {"cg:totalBudget": '"€258.437"'}), "project:budgetstr", "cg:totalBudget", V, "The total budget '€258.437' is not a number of euros"),
    Case("Project-totalBudget-range", project("budgetneg", {"cg:totalBudget": '"-5"^^xsd:decimal', "cg:euContribution": None}), "project:budgetneg", "cg:totalBudget", V, "The total budget -5 is negative"),
    Case("Project-euContribution-count", project("twoeu", {"cg:euContribution": ['"100"^^xsd:decimal', '"150"^^xsd:decimal']}), "project:twoeu", "cg:euContribution", V, "The project has more than one EU contribution"),
    Case("Project-euContribution-datatype", project("eustr", {"cg:euContribution": '"lots"'}), "project:eustr", "cg:euContribution", V, "The EU contribution 'lots' is not a number of euros"),
    Case("Project-euContribution-range", project("euneg", {"cg:euContribution": '"-1"^^xsd:decimal'}), "project:euneg", "cg:euContribution", V, "The EU contribution -1 is negative"),
    Case("Project-sector-class", project("sectororg", {"cg:sector": "organisation:alpha"}), "project:sectororg", "cg:sector", V, f"'{ID}organisation/alpha' is not a known sector"),
    Case("Project-service-class", project("serviceorg", {"cg:service": "organisation:alpha"}), "project:serviceorg", "cg:service", V, f"'{ID}organisation/alpha' is not a service"),
    Case("Project-objective-class", project("objectiveorg", {"cg:objective": "organisation:alpha"}), "project:objectiveorg", "cg:objective", V, f"'{ID}organisation/alpha' is not an objective"),
    Case("Project-participation-required", project("nocons", coordinator=False), "project:nocons", "^cg:project", I, "No consortium recorded"),
    Case("ProjectDatesRule", project("backwards", {"cg:endDate": f'"2015-12-31"{D}'}), "project:backwards", "cg:endDate", V, "The project ends (2015-12-31) before or on the day it starts (2016-01-01)"),
    Case("ProjectBudgetRule", project("overbudget", {"cg:euContribution": '"400"^^xsd:decimal'}), "project:overbudget", "cg:euContribution", V, "The EU contribution (400 EUR) is higher than the total budget (300 EUR)"),
    Case("ProjectStartBeforeCallRule", project("early", {"cg:startDate": f'"2014-06-01"{D}'}), "project:early", "cg:startDate", V, "The project starts on 2014-06-01, before its call was published in 2015"),
    Case(
        "ProjectStartLateRule", project("late", {"cg:startDate": f'"2020-02-03"{D}', "cg:endDate": f'"2022-02-02"{D}'}),
        "project:late", "cg:startDate", W, "The project starts on 2020-02-03, 5 years after its call (2015)",
    ),
    # consortia
    Case(
        "ProjectCoordinatorRule",
        project("twocoord") + describe("participation:twocoord-beta", {"a": "cg:Participation", "cg:participant": "organisation:beta", "cg:project": "project:twocoord", "cg:role": "cg:Coordinator"}, None),
        "project:twocoord", None, V, "The project has 2 coordinating organisations among its 2 participations",
    ),
    Case(
        "ParticipationDuplicateRule",
        participation("dup") + describe("participation:dup2", {"a": "cg:Participation", "cg:participant": "organisation:beta", "cg:project": "project:dup-p", "cg:role": "cg:Partner"}, None),
        "participation:dup2", "cg:participant", W, f"The same organisation ({ID}organisation/beta) already takes part in this project through {ID}participation/dup",
    ),
    Case("ConsortiumCompositionRule", project("thin", {"cg:call": "call:cep-1"}), "project:thin", None, W, "The consortium has 1 organisations from 1 countries; its call asks for at least 3 organisations from 3 countries"),
    Case(
        "PartnershipCompositionRule", partnership("small", {"cg:member": ["organisation:alpha", "organisation:beta"]}),
        "partnership:small", None, W, "The partnership has 2 members from 2 countries; its programme asks for at least 3 organisations from 3 countries",
    ),
    # participations, roles, work packages
    Case("Participation-participant-count", participation("noorg", {"cg:participant": None}), "participation:noorg", "cg:participant", V, "The participation does not name exactly one organisation"),
    Case("Participation-participant-class", participation("orgproj", {"cg:participant": "project:demo"}), "participation:orgproj", "cg:participant", V, f"The participant '{ID}project/demo' is not an organisation"),
    Case("Participation-project-count", participation("noproj", {"cg:project": None}), "participation:noproj", "cg:project", V, "The participation does not belong to exactly one project"),
    Case("Participation-project-class", participation("projorg", {"cg:project": "organisation:alpha"}), "participation:projorg", "cg:project", V, f"'{ID}organisation/alpha' is not a project"),
    Case("Participation-role-required", participation("norole", {"cg:role": None}), "participation:norole", "cg:role", V, "The participation has no role"),
    Case("Participation-role-in", participation("roletext", {"cg:role": '"Partner"'}), "participation:roletext", "cg:role", V, "The role 'Partner' is not one of cg:Coordinator"),
    Case("Participation-workPackage-class", participation("wporg", {"cg:workPackage": "organisation:alpha"}), "participation:wporg", "cg:workPackage", V, f"'{ID}organisation/alpha' is not a work package"),
    Case("ParticipationWorkPackageRule", participation("otherwp", {"cg:workPackage": "workpackage:demo-wp1"}), "participation:otherwp", "cg:workPackage", V, f"The work package '{ID}workpackage/demo-wp1' belongs to another project ({ID}project/demo)"),
    Case("WorkPackageLeaderRule", participation("leadsnothing", {"cg:role": "cg:WorkPackageLeader"}), "participation:leadsnothing", "cg:role", W, "The organisation is a work package leader, but no work package is given"),
    Case("RoleShape", role("observer"), "role:observer", None, W, f"'{ID}role/observer' is declared as a role but is not in the role scheme"),
    Case("WorkPackage-project-count", workpackage("noproj", {"cg:project": None}), "workpackage:noproj", "cg:project", V, "The work package does not belong to exactly one project"),
    Case("WorkPackage-project-class", workpackage("projorg", {"cg:project": "organisation:alpha"}), "workpackage:projorg", "cg:project", V, f"'{ID}organisation/alpha' is not a project"),
    Case("WorkPackage-number-count", workpackage("nonumber", {"cg:workPackageNumber": None}), "workpackage:nonumber", "cg:workPackageNumber", V, "The work package does not have exactly one number"),
    Case("WorkPackage-number-datatype", workpackage("numtext", {"cg:workPackageNumber": '"WP2"'}), "workpackage:numtext", "cg:workPackageNumber", V, "The work package number 'WP2' is not typed as a whole number"),
    Case("WorkPackage-number-range", workpackage("numzero", {"cg:workPackageNumber": "0"}), "workpackage:numzero", "cg:workPackageNumber", V, "The work package number 0 is less than 1"),
    Case(
        "WorkPackageNumberUniqueRule", workpackage("dup", {"cg:workPackageNumber": "1"}), "workpackage:dup", "cg:workPackageNumber", V,
        f"Another work package of the same project ({ID}workpackage/demo-wp1) also has number 1", also=[("workpackage:demo-wp1", "WorkPackageNumberUniqueRule")],
    ),
    # labels
    Case("LabelAward-holder-count", award("noholder", {"cg:holder": None}), "award:noholder", "cg:holder", V, "The label award does not name exactly one holder"),
    Case("LabelAward-holder-class", award("holderproj", {"cg:holder": "project:demo"}), "award:holderproj", "cg:holder", V, f"The holder '{ID}project/demo' is not an organisation"),
    Case("LabelAward-level-count", award("nolevel", {"cg:level": None}), "award:nolevel", "cg:level", V, "The label award does not have exactly one level"),
    Case("LabelAward-level-in", award("leveltext", {"cg:level": '"Gold"'}), "award:leveltext", "cg:level", V, "The level 'Gold' is not cg:Bronze, cg:Silver or cg:Gold"),
    Case("LabelAward-awardedBy-required", award("noawarder", {"cg:awardedBy": None}), "award:noawarder", "cg:awardedBy", I, "The label award does not say who awarded it"),
    Case("LabelAward-awardedBy-class", award("byministry", {"cg:awardedBy": "organisation:dg-grow"}), "award:byministry", "cg:awardedBy", W, f"'{ID}organisation/dg-grow' awarded the label but is not a labelling body"),
    Case("LabelAward-awardDate-required", award("nodate", {"cg:awardDate": None}), "award:nodate", "cg:awardDate", W, "The label award has no award date"),
    Case("LabelAward-awardDate-count", award("twodates", {"cg:awardDate": [f'"2017-01-01"{D}', f'"2017-02-01"{D}']}), "award:twodates", "cg:awardDate", V, "The label award has more than one award date"),
    Case("LabelAward-awardDate-datatype", award("datetext", {"cg:awardDate": '"November 2015"'}), "award:datetext", "cg:awardDate", V, "The award date 'November 2015' is not a date"),
    Case("LabelAward-validUntil-required", award("novalidity", {"cg:validUntil": None}), "award:novalidity", "cg:validUntil", W, "The validity of this label award is unknown"),
    Case("LabelAward-validUntil-count", award("twovalidities", {"cg:validUntil": [f'"2019-01-01"{D}', f'"2019-02-01"{D}']}), "award:twovalidities", "cg:validUntil", V, "The label award has more than one end of validity"),
    Case("LabelAward-validUntil-datatype", award("validyear", {"cg:validUntil": '"2019"^^xsd:gYear'}), "award:validyear", "cg:validUntil", V, "The end of validity '2019' is not a date"),
    Case("LabelValidityOrderRule", award("expired", {"cg:validUntil": f'"2016-01-01"{D}'}), "award:expired", "cg:validUntil", V, "The label is valid until 2016-01-01, which is not after its award date 2017-01-01"),
    Case("LabelValidityPeriodRule", award("fiveyears", {"cg:validUntil": f'"2022-01-01"{D}'}), "award:fiveyears", "cg:validUntil", W, "The label is valid for 60 months (from 2017-01-01 to 2022-01-01)"),
    Case("LabelTarget-holder-count", target("noholder", {"cg:holder": None}), "labeltarget:noholder", "cg:holder", V, "The label target does not name exactly one organisation"),
    Case("LabelTarget-holder-class", target("holderproj", {"cg:holder": "project:demo"}), "labeltarget:holderproj", "cg:holder", V, f"'{ID}project/demo' is not an organisation"),
    Case("LabelTarget-level-count", target("nolevel", {"cg:level": None}), "labeltarget:nolevel", "cg:level", V, "The label target does not have exactly one level"),
    Case("LabelTarget-level-in", target("leveltext", {"cg:level": '"Gold"'}), "labeltarget:leveltext", "cg:level", V, "The level 'Gold' is not cg:Bronze, cg:Silver or cg:Gold"),
    Case(
        "LabelLevelShape", level("platinum", {"cg:rank": "4"}), "level:platinum", None, W,
        f"'{ID}level/platinum' is declared as a label level but is not cg:Bronze, cg:Silver or cg:Gold", also=[("level:platinum", "LabelLevel-rank-range")],
    ),
    Case("LabelLevel-rank-count", level("norank", {"cg:rank": None}), "level:norank", "cg:rank", V, "The label level does not have exactly one rank", also=[("level:norank", "LabelLevelShape")]),
    Case("LabelLevel-rank-datatype", level("ranktext", {"cg:rank": '"two"'}), "level:ranktext", "cg:rank", V, "The rank 'two' is not typed as a whole number", also=[("level:ranktext", "LabelLevelShape")]),
    Case("LabelLevel-rank-range", level("rank7", {"cg:rank": "7"}), "level:rank7", "cg:rank", V, "The rank 7 is outside 1 to 3", also=[("level:rank7", "LabelLevelShape")]),
    Case(
        "LabelLevelRankUniqueRule", level("rank1", {"cg:rank": "1"}), "level:rank1", "cg:rank", V, "Another label level (https://w3id.org/clustergraph/ontology#Bronze) also has rank 1",
        also=[("level:rank1", "LabelLevelShape"), ("cg:Bronze", "LabelLevelRankUniqueRule")],
    ),
    # partnerships
    Case("Partnership-label-required", partnership("nolabel", {"rdfs:label": None}), "partnership:nolabel", "rdfs:label", V, "The partnership has no name"),
    Case(
        "Partnership-member-class", partnership("withproject", {"cg:member": ["organisation:alpha", "organisation:beta", "organisation:gamma", "project:demo"]}),
        "partnership:withproject", "cg:member", V, f"The member '{ID}project/demo' is not an organisation",
    ),
    Case("Partnership-member-count", partnership("alone", {"cg:member": "organisation:alpha", "cg:programme": None}), "partnership:alone", "cg:member", I, "The partnership has fewer than two members recorded"),
    Case("Partnership-programme-class", partnership("progcall", {"cg:programme": "call:cep-1"}), "partnership:progcall", "cg:programme", V, f"'{ID}call/cep-1' is not a programme"),
    Case("Partnership-programme-count", partnership("twoprogs", {"cg:programme": ["programme:escp-4i", "programme:cep"]}), "partnership:twoprogs", "cg:programme", W, "The partnership is linked to more than one programme"),
    # events and places
    Case("Event-label-required", event("nolabel", {"rdfs:label": None}), "event:nolabel", "rdfs:label", V, "The event has no name"),
    Case("Event-date-required", event("nodate", {"cg:date": None}), "event:nodate", "cg:date", I, "The event has no date"),
    Case("Event-date-count", event("twodates", {"cg:date": [f'"2019-12-04"{D}', f'"2019-12-05"{D}']}), "event:twodates", "cg:date", V, "The event has more than one date"),
    Case("Event-date-datatype", event("datetext", {"cg:date": '"December 4th"'}), "event:datetext", "cg:date", V, "The event date 'December 4th' is neither a date"),
    Case("Event-organiser-class", event("byplace", {"cg:organiser": "place:brussels"}), "event:byplace", "cg:organiser", V, f"The organiser '{ID}place/brussels' is not an organisation"),
    Case("Event-attendee-class", event("placeattends", {"cg:attendee": "place:brussels"}), "event:placeattends", "cg:attendee", V, f"The attendee '{ID}place/brussels' is not an organisation"),
    Case("Event-invitee-class", event("placeinvited", {"cg:invitee": "place:brussels"}), "event:placeinvited", "cg:invitee", V, f"The invitee '{ID}place/brussels' is not an organisation"),
    Case("Event-place-class", event("atorg", {"cg:place": "organisation:alpha"}), "event:atorg", "cg:place", V, f"'{ID}organisation/alpha' is not a place"),
    Case("Place-label-required", place("nolabel", {"rdfs:label": None}), "place:nolabel", "rdfs:label", V, "The place has no name"),
    Case("Place-country-iri", place("belgium", {"cg:country": '"Belgium"'}), "place:belgium", "cg:country", V, "The country 'Belgium' is not an EU authority country IRI"),
    Case("Place-country-count", place("border", {"cg:country": ["country:BEL", "country:FRA"]}), "place:border", "cg:country", V, "The place has more than one country"),
    # services and objectives
    Case("Service-label-required", service("nolabel", {"rdfs:label": None}), "service:nolabel", "rdfs:label", V, "The service has no name"),
    Case("Service-project-required", service("orphan", linked=False), "service:orphan", "^cg:service", I, "No project offers this service"),
    Case("Objective-label-required", objective("nolabel", {"rdfs:label": None}), "objective:nolabel", "rdfs:label", W, "The objective has no name"),
    Case("Objective-code-count", objective("twocodes", {"cg:objectiveCode": ['"O2"', '"O3"']}), "objective:twocodes", "cg:objectiveCode", V, "The objective has more than one code"),
    Case("Objective-code-pattern", objective("zero", {"cg:objectiveCode": '"0-1"'}), "objective:zero", "cg:objectiveCode", W, "The objective code '0-1' does not look like O1, O2"),
    Case("Objective-project-required", objective("orphan", linked=False), "objective:orphan", "^cg:objective", I, "No project has this objective"),
    # vocabularies
    Case("Sector-label-required", sector("nolabel", {"skos:prefLabel": None}), "sector:nolabel", "rdfs:label|skos:prefLabel", V, "The sector has no name"),
    Case("Sector-scheme", sector("noscheme", {"skos:inScheme": None}), "sector:noscheme", "skos:inScheme", W, "The sector is not in the sector scheme"),
    Case("Sector-ecosystem-class", sector("ecosector", {"cg:ecosystem": "sector:ict"}), "sector:ecosector", "cg:ecosystem", V, f"'{ID}sector/ict' is not one of the EU industrial ecosystems"),
    Case("Sector-ecosystem-required", sector("unmapped", {"cg:ecosystem": None}), "sector:unmapped", "cg:ecosystem", I, "The sector is not mapped to any EU industrial ecosystem"),
    Case("Ecosystem-label-required", ecosystem("nolabel", {"skos:prefLabel": None}), "ecosystem:nolabel", "rdfs:label|skos:prefLabel", V, "The ecosystem has no name"),
    Case("Ecosystem-scheme", ecosystem("noscheme", {"skos:inScheme": None}), "ecosystem:noscheme", "skos:inScheme", W, "The ecosystem is not in the ecosystem scheme"),
    Case("ValueChainLink-supplier-count", valuechain("nosupplier", {"cg:supplier": None}), "valuechain:nosupplier", "cg:supplier", V, "The value chain link does not have exactly one supplier"),
    Case("ValueChainLink-supplier-class", valuechain("orgsupplier", {"cg:supplier": "organisation:alpha"}), "valuechain:orgsupplier", "cg:supplier", V, f"The supplier '{ID}organisation/alpha' is neither a sector nor an ecosystem"),
    Case("ValueChainLink-user-count", valuechain("nouser", {"cg:user": None}), "valuechain:nouser", "cg:user", V, "The value chain link does not have exactly one user"),
    Case("ValueChainLink-user-class", valuechain("orguser", {"cg:user": "organisation:alpha"}), "valuechain:orguser", "cg:user", V, f"The user '{ID}organisation/alpha' is neither a sector nor an ecosystem"),
    Case("ValueChainLink-distinct", valuechain("loop", {"cg:user": "sector:ict"}), "valuechain:loop", "cg:supplier", W, f"'{ID}sector/ict' is both supplier and user"),
    Case("ValueChainLink-source-required", valuechain("nosource", {"dcterms:source": None}), "valuechain:nosource", "dcterms:source", W, "The value chain link does not say where it comes from"),
    # statistics and sources
    Case("Statistic-about-count", statistic("noabout", {"cg:about": None}), "statistic:noabout", "cg:about", V, "The statistic does not describe exactly one entity"),
    Case("Statistic-measure-count", statistic("nomeasure", {"cg:measure": None}), "statistic:nomeasure", "cg:measure", V, "The statistic does not say (once) what it measures"),
    Case("Statistic-value-count", statistic("novalue", {"cg:value": None}), "statistic:novalue", "cg:value", V, "The statistic does not have exactly one value"),
    Case("Statistic-value-datatype", statistic("valuetext", {"cg:value": '"more than 6500"'}), "statistic:valuetext", "cg:value", V, "The value 'more than 6500' is not a number"),
    Case("Statistic-comparator-in", statistic("roughly", {"cg:comparator": '"roughly"'}), "statistic:roughly", "cg:comparator", W, "The comparator 'roughly' is not one of exactly"),
    Case("Statistic-source-required", statistic("nosource", {"prov:wasDerivedFrom": None}), "statistic:nosource", "prov:wasDerivedFrom", W, "The statistic does not say where it was published"),
    Case("SourceDocument-title-required", source("notitle", {"dcterms:title": None}), "source:notitle", "dcterms:title", W, "The source document has no title"),
    # terms: unknown classes and properties, entities without a type, empty names
    Case("UnknownClassRule", describe("project:projet", {"a": "cg:Projet", "cg:acronym": '"PROJET"'}, None), "cg:Projet", "rdf:type", W,
         "This is not a class of the clustergraph ontology, so no shape checks the entities typed with it. Fix: correct the class to cg:Project"),
    Case("UnknownPropertyRule", project("bugdet", {"cg:totalBugdet": "300"}), "project:bugdet", "cg:totalBugdet", W,
         "The property is not one the clustergraph ontology declares, so this value is neither checked nor used. Fix: correct the name to cg:totalBudget"),
    Case("Entity-type-required", describe("project:untyped", {"cg:acronym": '"UNTYPED"'}, None), "project:untyped", "rdf:type", W,
         "The entity has clustergraph properties but no type"),
    Case("Name-label-text", org("emptyname", {"rdfs:label": '""@en'}), "organisation:emptyname", "rdfs:label", V, "The name '' is empty or only spaces"),
    Case("Name-prefLabel-text", sector("blankname", {"skos:prefLabel": '"   "@en'}), "sector:blankname", "skos:prefLabel", V, "The name '   ' is empty or only spaces"),
    Case("Name-title-text", source("blanktitle", {"dcterms:title": '" "@en'}), "source:blanktitle", "dcterms:title", V, "The title ' ' is empty or only spaces"),
    Case("Name-acronym-text", project("emptyacronym", {"cg:acronym": '""'}), "project:emptyacronym", "cg:acronym", V, "The acronym '' is empty or only spaces"),
]

_META = {SH.property, SH.targetClass, SH.name, SH.description, SH.message, SH.severity, SH.path, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}


def shipped_shapes() -> list[URIRef]:
    """Every shape with a constraint of its own (node shapes that only group property shapes excluded)."""
    g = load_shapes()
    return sorted(
        s
        for s in set(g.subjects())
        if isinstance(s, URIRef)
        and ((s, RDF.type, SH.NodeShape) in g or (s, SH.path, None) in g)
        and any(p not in _META and str(p).startswith(str(SH)) for p in g.predicates(s))
    )


@pytest.fixture(scope="module")
def batch():
    """The valid dataset plus every case's mistake, validated in one run."""
    data = Graph().parse(VALID, format="turtle")
    data.parse(data=HEADER + "".join(c.turtle for c in CASES), format="turtle")
    return validate(data, fail_on="info")


def test_every_shape_has_a_case() -> None:
    covered = {c.shape for c in CASES}
    missing = sorted(str(s)[len(SHAPES) :] for s in shipped_shapes() if str(s)[len(SHAPES) :] not in covered)
    assert not missing, f"shapes without a violating example in tests/test_shapes.py: {missing}"
    unknown = covered - {str(s)[len(SHAPES) :] for s in shipped_shapes()}
    assert not unknown, f"cases for shapes that do not exist: {sorted(unknown)}"
    assert len(CASES) == len(covered), "one case per shape"


def test_every_shape_is_documented_for_stewards() -> None:
    g = load_shapes()
    for shape in shipped_shapes():
        name = str(shape)[len(SHAPES) :]
        assert g.value(shape, SH.name), f"{name}: no sh:name"
        assert g.value(shape, SH.description), f"{name}: no sh:description"
        assert g.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), f"{name}: no sh:severity"
        messages = list(g.objects(shape, SH.message)) + [m for c in g.objects(shape, SH.sparql) for m in g.objects(c, SH.message)]
        assert len(messages) == 1, f"{name}: needs exactly one sh:message (on the shape or its sh:sparql)"
        assert " Fix: " in str(messages[0]), f"{name}: the message must say how to fix it"


def test_shapes_are_valid_shacl() -> None:
    """The shipped shapes conform to the SHACL-for-SHACL shapes graph of the specification."""
    import pyshacl

    shacl_shacl = Graph().parse(Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(load_shapes(), shacl_graph=shacl_shacl, allow_warnings=True)
    assert conforms, text


def test_valid_fixture_conforms_with_no_finding() -> None:
    report = validate(VALID, fail_on="info")
    assert report.findings == [], report.to_text()
    assert report.conforms


def test_valid_fixture_is_a_conforming_example_of_every_shape() -> None:
    """Each node shape targets something in the valid dataset, and each property a
    shape checks (with a plain IRI path) has a value there."""
    g = load_shapes()
    data = Graph().parse(VALID, format="turtle")
    from clustergraph.validation.engine import add_ontology_context, ontology_graph

    add_ontology_context(data, ontology_graph(True, True))
    for shape in g.subjects(RDF.type, SH.NodeShape):
        for cls in g.objects(shape, SH.targetClass):
            subclasses = set(data.transitive_subjects(RDFS.subClassOf, cls))
            focus = {s for c in subclasses for s in data.subjects(RDF.type, c)}
            assert focus, f"{shape}: no {cls} in valid.ttl"
            for prop in g.objects(shape, SH.property):
                path = g.value(prop, SH.path)
                if isinstance(path, URIRef) and str(path).startswith(str(CG)) and path not in (CG.minimumOrganisations, CG.minimumCountries):
                    assert any(data.value(f, path) is not None for f in focus), f"{prop}: no {path} on any {cls} in valid.ttl"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_violating_example(case: Case, batch) -> None:
    found = batch.where(focus=iri(case.focus), shape=URIRef(SHAPES + case.shape))
    assert len(found) == 1, f"expected one finding from {case.shape} on {case.focus}, got {found}\n{batch.to_text()}"
    f = found[0]
    assert f.severity == case.severity
    assert f.path_text == case.path
    assert f.message.startswith(case.message), f.message
    assert f.fix, f"{case.shape}: the message gives no fix"


def test_batch_has_no_unexplained_finding(batch) -> None:
    expected = {(iri(c.focus), URIRef(SHAPES + c.shape)) for c in CASES}
    expected |= {(iri(focus), URIRef(SHAPES + shape)) for c in CASES for focus, shape in c.also}
    unexplained = [f for f in batch.findings if (f.focus, f.source_shape) not in expected]
    assert not unexplained, "\n".join(f"{f.focus} {f.source_shape} {f.message}" for f in unexplained)
