"""One organisation named in several files is one node; near matches are listed, never merged."""

from __future__ import annotations

import doctest
import shutil

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS

from clustergraph import store
from clustergraph.ingest import merge
from clustergraph.ingest.importer import import_sources
from clustergraph.ingest.merge import candidates
from clustergraph.namespaces import CG
from clustergraph.ingest.normalise import organisation
from clustergraph.resources import data_dir

HEADER = "name,type,alt_names,country,city,region,website,sectors,source,note\n"
PART = "project,organisation,roles,work_packages,source,note\n"


def test_doctests():
    assert doctest.testmod(merge).failed == 0


def test_the_same_organisation_in_two_files_is_one_node(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shutil.copy(data_dir() / "organisations.csv-metadata.json", a / "orgs.csv-metadata.json")
    shutil.copy(data_dir() / "participations.csv-metadata.json", b / "parts.csv-metadata.json")
    (a / "orgs.csv").write_text(HEADER + "Nanoprogress z.s.,ClusterOrganisation,,Czechia,,,,,,\n", encoding="utf-8")
    (b / "parts.csv").write_text(PART + "INNO-DROP,NANOPROGRESS,Partner,1,,\n", encoding="utf-8")
    (b / "more.csv").write_text(HEADER + "Nanoprogress,,,República Checa,,,,,,\n", encoding="utf-8")
    shutil.copy(data_dir() / "organisations.csv-metadata.json", b / "more.csv-metadata.json")
    ds = store.open_dataset()
    report = import_sources([a / "orgs.csv", b / "parts.csv", b / "more.csv"], ds, root=tmp_path)
    g = store.union(ds)
    orgs = set(g.subjects(RDF.type, CG.Organisation))
    assert orgs == {organisation("Nanoprogress")}
    participant = next(g.objects(None, CG.participant))
    assert participant == organisation("Nanoprogress")
    assert len(set(g.objects(participant, CG.country))) == 1
    assert set(g.objects(participant, RDFS.label)) == {Literal("Nanoprogress z.s.", lang="en"), Literal("Nanoprogress", lang="en")}
    assert report.ambiguous == []


def test_near_matches_are_listed_not_merged(tmp_path):
    shutil.copy(data_dir() / "organisations.csv-metadata.json", tmp_path / "a.csv-metadata.json")
    shutil.copy(data_dir() / "organisations.csv-metadata.json", tmp_path / "b.csv-metadata.json")
    (tmp_path / "a.csv").write_text(HEADER + "BalticNet-PlasmaTec,,,Germany,,,,,,\nEuropean Secretariat for Cluster Analysis,,,,,,,,,\n")
    (tmp_path / "b.csv").write_text(HEADER + "BalticNet PlasmaTech,,,Germany,,,,,,\nESCA,,,,,,,,,\n")
    ds = store.open_dataset()
    report = import_sources([tmp_path / "a.csv", tmp_path / "b.csv"], ds, root=tmp_path)
    assert len(set(store.union(ds).subjects(RDF.type, CG.Organisation))) == 4  # nothing merged silently
    reasons = {(c.first_label, c.second_label): c.reason for c in report.ambiguous}
    assert reasons == {
        ("BalticNet PlasmaTech", "BalticNet-PlasmaTec"): "similar names (edit distance 1)",
        ("ESCA", "European Secretariat for Cluster Analysis"): "one name is the acronym of the other",
    }
    assert "not merged" in report.to_text()


def test_alternative_names_on_one_node_are_not_reported():
    g = Graph()
    esca = organisation("ESCA")
    g.add((esca, RDF.type, CG.LabellingBody))
    g.add((esca, RDFS.label, Literal("ESCA")))
    g.add((esca, SKOS.altLabel, Literal("European Secretariat for Cluster Analysis")))
    assert candidates(g) == []


def test_embedded_dataset_has_no_doubtful_organisations(embedded):
    assert candidates(embedded) == []


def test_names_that_differ_in_their_numbers_are_different_organisations():
    g = Graph()
    for name in ("Cluster 12", "Cluster 13", "Cluster 1", "Clusterr 12"):
        g.add((organisation(name), RDF.type, CG.Organisation))
        g.add((organisation(name), RDFS.label, Literal(name)))
    assert [(c.first_label, c.second_label) for c in candidates(g)] == [("Cluster 12", "Clusterr 12")]
