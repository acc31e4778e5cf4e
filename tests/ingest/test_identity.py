"""Merging by identity: a shared identifier makes one organisation, disagreeing identifiers keep two."""

from __future__ import annotations

import shutil

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from clustergraph import store
from clustergraph.ingest.importer import import_sources
from clustergraph.ingest.normalise import organisation
from clustergraph.ingest.provenance import PROVENANCE_GRAPH
from clustergraph.namespaces import CG
from clustergraph.resources import data_dir

HEADER = "name,type,alt_names,country,city,region,website,sectors,pic,vat,ror,wikidata,eccp,domain,source,note\n"
PART = "project,organisation,roles,work_packages,source,note\n"


def _orgs(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    shutil.copy(data_dir() / "organisations.csv-metadata.json", tmp_path / f"{name}-metadata.json")
    return path


def _decisions(ds):
    prov = ds.graph(PROVENANCE_GRAPH)
    return {
        (str(prov.value(d, CG.outcome)), str(prov.value(d, CG.reason)))
        for d in prov.subjects(RDF.type, CG.IdentityDecision)
    }


def test_a_shared_identifier_merges_different_names_and_keeps_every_spelling(tmp_path):
    a = _orgs(tmp_path, "a.csv", ["Madrid ICT-Audiovisual Cluster,ClusterOrganisation,,Spain,,,,,999999999,,,,,,,\n"])
    b = _orgs(tmp_path, "b.csv", ["Madrid Network – Audiovisual,ClusterOrganisation,,España,Madrid,,,,999 999 999,,,Q95,,,,\n"])
    parts = tmp_path / "parts.csv"
    parts.write_text(PART + "CECIL,Madrid Network – Audiovisual,Partner,,,\n", encoding="utf-8")
    shutil.copy(data_dir() / "participations.csv-metadata.json", tmp_path / "parts.csv-metadata.json")
    ds = store.open_dataset()
    import_sources([a], ds, root=tmp_path)
    report = import_sources([b, parts], ds, root=tmp_path)
    g = store.union(ds)
    kept = organisation("Madrid ICT-Audiovisual Cluster")
    assert set(g.subjects(RDF.type, CG.Organisation)) == {kept}
    assert set(g.objects(kept, RDFS.label)) == {Literal("Madrid ICT-Audiovisual Cluster", lang="en")}
    assert Literal("Madrid Network – Audiovisual", lang="en") in set(g.objects(kept, SKOS.altLabel))
    assert set(g.objects(None, CG.participant)) == {kept}  # the participation follows the merge
    assert g.value(kept, CG.wikidataId) == Literal("Q95") and g.value(kept, CG.city) is not None
    assert [(d.outcome, d.reason) for d in report.decisions] == [("merged", "the same PIC 999999999")]
    assert _decisions(ds) == {("merged", "the same PIC 999999999")}
    assert "identity decision" in report.to_text()


def test_importing_again_gives_the_same_graph(tmp_path):
    a = _orgs(tmp_path, "a.csv", ["Alpha Cluster,ClusterOrganisation,,Spain,,,,,,ESB12345678,,,,,,\n"])
    b = _orgs(tmp_path, "b.csv", ["ALPHA Clúster Asociación,ClusterOrganisation,,Spain,,,,,,ES B12345678,,,,,,\n"])
    ds = store.open_dataset()
    import_sources([a, b], ds, root=tmp_path)
    first = set(store.union(ds))
    import_sources([b], ds, root=tmp_path)
    assert set(store.union(ds)) == first


def test_the_same_name_with_different_identifiers_is_kept_apart(tmp_path):
    a = _orgs(tmp_path, "a.csv", ["Cluster Digital,ClusterOrganisation,,France,,,,,111111111,,,,,,,\n"])
    b = _orgs(tmp_path, "b.csv", ["CLUSTER DIGITAL SAS,ClusterOrganisation,,Italy,,,,,222222222,,,,,,,\n"])
    ds = store.open_dataset()
    import_sources([a], ds, root=tmp_path)
    report = import_sources([b], ds, root=tmp_path)
    g = store.union(ds)
    orgs = set(g.subjects(RDF.type, CG.Organisation))
    assert len(orgs) == 2
    apart = URIRef(str(organisation("Cluster Digital")) + "--pic-222222222")
    assert orgs == {organisation("Cluster Digital"), apart}
    assert g.value(apart, CG.pic) == Literal("222222222") and g.value(organisation("Cluster Digital"), CG.pic) == Literal("111111111")
    ((outcome, reason),) = _decisions(ds)
    assert outcome == "kept apart" and "PIC 222222222" in reason and "111111111" in reason
    assert report.decisions[0].outcome == "kept apart"


def test_a_shared_web_domain_is_not_a_reason_to_merge(tmp_path):
    a = _orgs(tmp_path, "a.csv", [
        "Madrid Audiovisual,ClusterOrganisation,,Spain,,,,,,,,,,madridnetwork.org,,\n",
        "Madrid Aerospace,ClusterOrganisation,,Spain,,,,,,,,,,www.madridnetwork.org,,\n",
    ])
    ds = store.open_dataset()
    report = import_sources([a], ds, root=tmp_path)
    assert len(set(store.union(ds).subjects(RDF.type, CG.Organisation))) == 2 and report.decisions == []


def test_near_names_with_disagreeing_identifiers_are_not_listed_as_duplicates(tmp_path):
    a = _orgs(tmp_path, "a.csv", [
        "Nanoprogress,ClusterOrganisation,,Czechia,,,,,111111111,,,,,,,\n",
        "Nanoprogres,ClusterOrganisation,,Czechia,,,,,222222222,,,,,,,\n",
        "Danish Sound,ClusterOrganisation,,Denmark,,,,,,,,,,,,\n",
        "Danish Sounds,ClusterOrganisation,,Denmark,,,,,,,,,,,,\n",
    ])
    report = import_sources([a], store.open_dataset(), root=tmp_path)
    assert [(c.first_label, c.second_label) for c in report.ambiguous] == [("Danish Sound", "Danish Sounds")]
