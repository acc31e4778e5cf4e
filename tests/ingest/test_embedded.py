"""The embedded dataset: every fact of the seeds, figures as published, loaded twice identically."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.namespace import XSD as _XSD

from clustergraph import store
from clustergraph.ingest.importer import EMBEDDED_TIME, embedded_sources, load_embedded
from clustergraph.iri import mint
from clustergraph.namespaces import CG, COUNTRY, GRAPH, ID
from clustergraph.resources import data_dir


@pytest.fixture(scope="module")
def g(embedded):
    return store.union(embedded)


def _project(acronym: str) -> URIRef:
    return mint("project", acronym)


def test_every_mapped_table_is_loaded():
    names = {p.name for p in embedded_sources()}
    for table in ("projects", "organisations", "participations", "calls", "programmes", "label_awards",
                  "label_targets", "partnerships", "events", "event_participants", "services", "objectives",
                  "sectors", "statistics", "sources"):
        assert f"{table}.csv" in names
    assert (data_dir() / "README.md").is_file()


def test_twelve_call_projects_with_budgets(g):
    calls = {mint("call", "Cluster Excellence Programme 1"), mint("call", "Cluster Excellence Programme 2")}
    projects = {p for c in calls for p in g.subjects(CG.call, c)}
    assert len(projects) == 12
    for p in projects:
        assert (p, RDF.type, CG.Project) in g
        assert g.value(p, CG.totalBudget) is not None and g.value(p, CG.euContribution) is not None
        assert g.value(p, CG.startDate).datatype == _XSD.date
    assert len(set(g.subjects(CG.call, mint("call", "Cluster Excellence Programme 1")))) == 6


def test_exact_figures_as_published(g):
    cecil = _project("CECIL")
    assert g.value(cecil, CG.totalBudget) == Literal(Decimal("247283"), datatype=_XSD.decimal)
    assert g.value(cecil, CG.euContribution) == Literal(Decimal("299450"), datatype=_XSD.decimal)
    assert g.value(cecil, CG.totalBudget).datatype == _XSD.decimal
    assert str(g.value(cecil, CG.totalBudget)) == "247283"
    assert g.value(_project("MATERIALIX"), CG.totalBudget).toPython() == Decimal("258437")
    # the contradictions stay, for validation to report
    for acronym in ("CECIL", "MATERIALIX"):
        p = _project(acronym)
        assert g.value(p, CG.euContribution).toPython() > g.value(p, CG.totalBudget).toPython()
    smart = _project("SmartSports4GoodLife")
    assert g.value(smart, CG.call) == mint("call", "Cluster Excellence Programme 2")
    assert str(g.value(smart, CG.startDate)) == "2020-02-03"
    assert str(g.value(_project("5FOREXCELLENCE"), CG.endDate)) == "2017-09-30"


def test_programmes_and_calls(g):
    cep = mint("programme", "Cluster Excellence Programme")
    assert g.value(cep, CG.partOf) == mint("programme", "COSME")
    years = {int(g.value(c, CG.ordinal)): str(g.value(c, CG.year)) for c in g.subjects(CG.programme, cep)}
    assert years == {1: "2014", 2: "2015", 3: "2018"}
    for name in ("Clusters Go International", "ESCP-4i", "ESCP-4x"):
        assert (mint("programme", name), RDF.type, CG.Programme) in g


def test_cecil_consortium(g):
    cecil = _project("CECIL")
    parts = list(g.subjects(CG.project, cecil))
    members = {g.value(p, CG.participant) for p in parts}
    assert len(members) == 4
    coordinators = [g.value(p, CG.participant) for p in parts if (p, CG.role, CG.Coordinator) in g]
    assert coordinators == [mint("organisation", "Madrid ICT-Audiovisual Cluster")]
    countries = {str(g.value(m, RDFS.label)): g.value(m, CG.country) for m in members}
    assert countries == {
        "Madrid ICT-Audiovisual Cluster": COUNTRY.ESP,
        "Cap Digital": COUNTRY.FRA,
        "Mazovia ICT Cluster": COUNTRY.POL,
        "Danish Sound": COUNTRY.DNK,
    }
    assert str(g.value(mint("organisation", "Cap Digital"), CG.website)) == "http://www.capdigital.com"


def test_inno_drop_partners_roles_work_packages(g):
    inno = _project("INNO-DROP")
    parts = [p for p in g.subjects(CG.project, inno) if (p, RDF.type, CG.Participation) in g]
    by_name = {str(g.value(g.value(p, CG.participant), RDFS.label)): p for p in parts}
    assert set(by_name) == {"BalticNet-PlasmaTec", "Nanoprogress", "ZINNAE"}  # three named, no fourth invented
    countries = {name: g.value(g.value(p, CG.participant), CG.country) for name, p in by_name.items()}
    assert countries == {"BalticNet-PlasmaTec": COUNTRY.DEU, "Nanoprogress": COUNTRY.CZE, "ZINNAE": COUNTRY.ESP}
    baltic = by_name["BalticNet-PlasmaTec"]
    assert {CG.Coordinator, CG.WorkPackageLeader} <= set(g.objects(baltic, CG.role))
    wps = {int(g.value(wp, CG.workPackageNumber)) for wp in g.objects(baltic, CG.workPackage)}
    assert wps == {2, 5}
    assert {int(g.value(wp, CG.workPackageNumber)) for wp in g.objects(by_name["Nanoprogress"], CG.workPackage)} == {1}
    assert {int(g.value(wp, CG.workPackageNumber)) for wp in g.objects(by_name["ZINNAE"], CG.workPackage)} == {4}
    codes = {str(g.value(o, CG.objectiveCode)) for o in g.objects(inno, CG.objective)}
    assert {"O1", "O2", "O3", "O4"} <= codes
    sectors = {str(g.value(s, RDFS.label)) for s in g.objects(inno, CG.sector)}
    assert sectors == {"nanotechnology", "plasma", "sensors and membranes", "water"}
    four = [s for s in g.subjects(CG.about, inno) if str(g.value(s, CG.measure)) == "European clusters in the consortium"]
    assert len(four) == 1 and g.value(four[0], CG.value).toPython() == 4
    partnerships = set(g.subjects(CG.programme, mint("programme", "ESCP-4i")))
    assert {str(g.value(p, RDFS.label)) for p in partnerships} == {"AdPack", "EnW"}
    assert all((p, CG.member, None) not in g for p in partnerships)  # the seed does not say who is in which


def test_clus3_labels_and_event(g):
    clus3 = _project("Clus3")
    assert str(g.value(clus3, CG.startDate)) == "2014-01-01" and str(g.value(clus3, CG.endDate)) == "2016-02-05"
    assert len(list(g.objects(clus3, CG.service))) == 5
    lead = [p for p in g.subjects(CG.project, clus3) if (p, CG.role, CG.LeadPartner) in g]
    assert len(lead) == 1
    award = next(g.subjects(CG.level, CG.Bronze))
    assert g.value(award, CG.awardedBy) == mint("organisation", "ESCA")
    assert g.value(award, CG.awardDate) is None  # "last November": no year, no date
    target = next(g.subjects(RDF.type, CG.LabelTarget))
    assert g.value(target, CG.holder) == mint("organisation", "DITENAVE") and g.value(target, CG.level) == CG.Gold
    event = mint("event", "Meeting of 50 Gold-Label Clusters")
    assert g.value(event, CG.organiser) == mint("organisation", "DG GROW")
    it_log = mint("organisation", "IT-Logistikcluster")
    assert g.value(event, CG.invitee) == it_log
    assert str(g.value(it_log, CG.city)) == "Regensburg" and g.value(it_log, CG.country) == COUNTRY.DEU
    assert g.value(event, CG.date) is None and str(g.value(event, CG.dateAsPublished)) == "December 4th"
    stats = {str(g.value(s, CG.measure)): (g.value(s, CG.value).toPython(), str(g.value(s, CG.comparator)))
             for s in g.subjects(CG.about, event)}
    assert stats["countries"] == (17, "exactly")
    assert stats["SMEs represented"] == (6500, "more than")
    assert stats["Gold-label cluster managers"] == (50, "exactly")
    assert stats["additional representatives"] == (20, "about")


def test_sectors_map_to_one_of_the_14_ecosystems(g):
    for sector in g.subjects(RDF.type, CG.Sector):
        ecosystems = list(g.objects(sector, CG.ecosystem))
        assert len(ecosystems) == 1
        assert str(ecosystems[0]).startswith(str(ID) + "ecosystem/")


def test_provenance_of_every_row(embedded, g):
    cecil = _project("CECIL")
    sources = set(g.objects(cecil, PROV.wasDerivedFrom))
    assert mint("source", "000_0c851451ab0edfec") in sources
    derivation = g.value(cecil, PROV.qualifiedDerivation)
    assert g.value(derivation, CG.sourceRow) == Literal(4)  # header is row 1; CECIL is the third project
    graph = g.value(derivation, PROV.entity)
    assert graph == GRAPH["source/data-projects-csv"]
    prov = embedded.graph(GRAPH.provenance)
    assert str(prov.value(graph, CG.sourceFile)) == "data/projects.csv"
    assert str(prov.value(graph, CG.checksum)).startswith("sha256:")
    assert str(prov.value(graph, CG.mapping)) == "data/projects.csv-metadata.json"
    assert prov.value(graph, PROV.generatedAtTime).toPython() == EMBEDDED_TIME
    for seed in g.subjects(RDF.type, CG.SourceDocument):
        assert g.value(seed, URIRef("http://purl.org/dc/terms/title")) is not None
    assert len(set(g.subjects(RDF.type, CG.SourceDocument))) == 5


def test_two_loads_are_isomorphic(embedded):
    again = store.to_memory(load_embedded(store.open_dataset("memory")))
    first = store.to_memory(embedded)
    names = {c.identifier for c in first.graphs()}
    assert names == {c.identifier for c in again.graphs()}
    for name in names:
        assert isomorphic(first.graph(name), again.graph(name)), name
    assert SKOS  # noqa: B018 - imported for readers of the data
