"""The lightweight rules: what they infer, where they write it, and how fast."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from clustergraph import store
from clustergraph.reasoning import rules
from clustergraph.namespaces import CG, COUNTRY, GRAPH, ID, ORG, SCHEMA

FIXTURE = Path(__file__).parent / "fixtures" / "seeds.ttl"


@pytest.fixture(scope="module")
def seeds() -> Graph:
    return Graph().parse(FIXTURE)


@pytest.fixture(scope="module")
def inferred(seeds) -> Graph:
    return rules.infer(seeds)


def members(graph: Graph, cls: URIRef) -> set[str]:
    return {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, cls)}


def test_defined_classes_classify_the_seed_entities(inferred):
    assert members(inferred, CG.GoldLabelledCluster) == {"zinnae"}
    # DITENAVE holds a Bronze award and only a Gold *target*: Bronze, not Gold
    assert members(inferred, CG.BronzeLabelledCluster) == {"ditenave"}
    assert members(inferred, CG.SilverLabelledCluster) == set()
    assert members(inferred, CG.LabelledCluster) == {"zinnae", "ditenave"}
    # a lead partner is not a coordinator
    assert members(inferred, CG.CoordinatorOrganisation) == {"balticnet-plasmatec"}
    assert members(inferred, CG.CoordinatorParticipation) == {"inno-drop-balticnet-plasmatec"}
    # INNO-DROP: Germany, Czechia, Spain; Clus3: Italy only
    assert members(inferred, CG.CrossBorderProject) == {"inno-drop"}


def test_inverse_chain_and_symmetric_properties(inferred):
    baltic, zinnae, nano = ID["organisation/balticnet-plasmatec"], ID["organisation/zinnae"], ID["organisation/nanoprogress"]
    project = ID["project/inno-drop"]
    assert (baltic, CG.participatesIn, project) in inferred
    assert (project, CG.hasParticipant, zinnae) in inferred
    assert (project, CG.coordinator, baltic) in inferred
    assert (baltic, CG.coordinates, project) in inferred
    assert (zinnae, CG.holdsAward, ID["award/zinnae-gold"]) in inferred
    assert (baltic, CG.hasParticipation, ID["participation/inno-drop-balticnet-plasmatec"]) in inferred
    assert set(inferred.objects(project, CG.participantCountry)) == {COUNTRY.DEU, COUNTRY.CZE, COUNTRY.ESP}
    collaborations = set(inferred.subject_objects(CG.collaboratesWith))
    assert (baltic, zinnae) in collaborations and (zinnae, baltic) in collaborations and (nano, zinnae) in collaborations
    # no organisation collaborates with itself; organisations of different projects do not collaborate
    assert all(a != b for a, b in collaborations)
    assert (ID["organisation/informest"], zinnae) not in collaborations
    # technical links never leave the engine
    assert not list(inferred.triples((None, CG.isCoordinatorParticipation, None)))


def test_hierarchy_and_alignments(inferred):
    zinnae = ID["organisation/zinnae"]
    for cls in (CG.Organisation, ORG.Organization, SCHEMA.Organization):
        assert (zinnae, RDF.type, cls) in inferred
    assert (COUNTRY.DEU, RDF.type, CG.Country) in inferred  # range of cg:country
    assert (ID["organisation/esca"], RDF.type, CG.Organisation) in inferred
    # data properties keep their literals, typed as they were
    assert (ID["project/inno-drop"], SCHEMA.startDate, Literal("2016-11-16", datatype=XSD.date)) in inferred
    assert (ID["organisation/balticnet-plasmatec"], SCHEMA.url, Literal("https://www.balticnet-plasmatec.org", datatype=XSD.anyURI)) in inferred
    # nothing about the ontology's own terms, nothing owl:Thing
    assert not list(inferred.triples((CG.Gold, None, None)))
    assert not list(inferred.triples((None, RDF.type, OWL.Thing)))


def test_only_new_triples_are_returned(seeds, inferred):
    assert inferred.identifier == GRAPH.inferred
    assert not [t for t in inferred if t in seeds]


def test_every_defined_class_of_the_ontology_has_a_rule():
    onto = rules.ontology_graph()
    defined = {c for c in onto.subjects(OWL.equivalentClass, None) if str(c).startswith(str(CG))}
    defined |= {c for c in onto.subjects(None, None) if str(c).startswith(str(CG)) and (c, RDFS.subClassOf, CG.Project) in onto and c != CG.Project}
    assert defined <= set(rules.DEFINED_CLASS_RULES), defined - set(rules.DEFINED_CLASS_RULES)


def test_rules_follow_the_ontology_given(seeds):
    """Rules are read off the ontology: a different ontology gives different inferences."""
    onto = Graph().parse(FIXTURE.parent.parent.parent.parent / "ontology" / "clustergraph.ttl")
    onto.remove((CG.ClusterOrganisation, RDFS.subClassOf, CG.Organisation))
    out = rules.infer(seeds, ontology=onto, groups=["hierarchy"])
    assert (ID["organisation/zinnae"], RDF.type, CG.Organisation) not in out
    assert (ID["organisation/informest"], RDF.type, ORG.Organization) in out


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_materialise_writes_only_its_own_graph(seeds, kind):
    ds = store.open_dataset(kind)
    store.load(ds, FIXTURE, graph="urn:test:seeds")
    # an earlier inferred graph with a stale triple is ignored and replaced
    ds.graph(GRAPH.inferred).add((ID["organisation/stale"], RDF.type, CG.GoldLabelledCluster))
    before = {(s, p, o, g) for s, p, o, g in store.quads(ds) if g != GRAPH.inferred}
    graph = rules.materialise(ds)
    after = {(s, p, o, g) for s, p, o, g in store.quads(ds) if g != GRAPH.inferred}
    assert after == before  # asserted data untouched
    assert graph.identifier == GRAPH.inferred
    assert (ID["organisation/zinnae"], RDF.type, CG.GoldLabelledCluster) in graph
    assert (ID["organisation/stale"], RDF.type, CG.GoldLabelledCluster) not in graph
    assert len(graph) == len(rules.infer(seeds))
    # running again gives the same graph; no temporary graph is left behind
    assert len(rules.materialise(ds)) == len(graph)
    names = {str(g) for _, _, _, g in store.quads(ds)}
    assert names == {"urn:test:seeds", str(GRAPH.inferred)}


def test_gold_query_without_the_label_path(seeds):
    """The issue's "done when": Gold-labelled clusters without spelling out the label path."""
    ds = store.open_dataset()
    store.load(ds, FIXTURE, graph="urn:test:seeds")
    rules.materialise(ds)
    _, rows = store.select(ds, "PREFIX cg: <https://w3id.org/clustergraph/ontology#> SELECT ?c WHERE { ?c a cg:GoldLabelledCluster }")
    assert rows == [(ID["organisation/zinnae"],)]


def test_plain_graph_is_not_changed(seeds):
    copy = Graph()
    for t in seeds:
        copy.add(t)
    out = rules.materialise(copy)
    assert len(copy) == len(seeds) and out.identifier == GRAPH.inferred and len(out) > 0


def test_embedded_dataset(embedded):
    out = rules.infer(embedded)
    assert "balticnet-plasmatec" in members(out, CG.CoordinatorOrganisation)
    assert {"inno-drop", "cecil"} <= members(out, CG.CrossBorderProject)
    assert "friuli-venezia-giulia-regional-clusters" in members(out, CG.BronzeLabelledCluster)
    # DITENAVE aims at Gold (a target): it is not a Gold-labelled cluster
    assert "ditenave" not in members(out, CG.GoldLabelledCluster)


def test_unknown_group_is_refused():
    with pytest.raises(Exception, match="unknown rule group"):
        rules.compile_rules(groups=["magic"])


def test_rules_reach_their_fixpoint_on_a_synthetic_graph(tmp_path):
    """The rules on generated data (their speed is measured in benchmarks/bench_reason.py)."""
    from clustergraph.generate import generate

    path = tmp_path / "g.nt"
    stats = generate(path, organisations=300, projects=900, seed=3)
    ds = store.open_dataset()
    store.load(ds, path, graph="urn:test:synthetic")
    graph = rules.materialise(ds)
    assert len(graph) > stats.triples * 0.8
    run = rules.last_run()
    assert run.rounds <= 6 and run.triples >= len(graph)  # tidying drops the technical links
