"""OWL reasoning with HermiT and Pellet: classification, consistency, explanations, agreement with the rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from clustergraph import reason as _reason_function  # the package exports the function
from clustergraph import store
from clustergraph.cli import main
from clustergraph.errors import InconsistentOntologyError, JavaNotFoundError
from clustergraph.namespaces import CG, GRAPH, ID
from clustergraph.reasoning import rules
from clustergraph.reasoning.reasoners import (
    ReasoningResult,
    _pellet_explanation,
    add_inferred,
    explain,
)
from clustergraph.reasoning.reasoners import reason as run_reason

FIXTURE = Path(__file__).parent / "fixtures" / "seeds.ttl"

CLASH = """@prefix cg: <https://w3id.org/clustergraph/ontology#> .
<https://w3id.org/clustergraph/id/project/x> a cg:Project , cg:Organisation .
"""


@pytest.fixture(scope="module")
def seeds() -> Graph:
    return Graph().parse(FIXTURE)


@pytest.fixture(scope="module")
def hermit(seeds) -> ReasoningResult:
    return run_reason(seeds, reasoner="hermit")


def members(graph: Graph, cls: URIRef) -> set[str]:
    return {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, cls)}


@pytest.mark.java
def test_hermit_classifies_the_seed_entities(hermit):
    g = hermit.graph
    assert hermit.consistent and hermit.reasoner == "hermit"
    assert members(g, CG.GoldLabelledCluster) == {"zinnae"}
    assert members(g, CG.BronzeLabelledCluster) == {"ditenave"}
    assert members(g, CG.LabelledCluster) == {"zinnae", "ditenave"}
    assert members(g, CG.CoordinatorOrganisation) == {"balticnet-plasmatec"}
    assert members(g, CG.CrossBorderProject) == {"inno-drop"}
    assert (ID["project/inno-drop"], CG.coordinator, ID["organisation/balticnet-plasmatec"]) in g
    assert (ID["organisation/zinnae"], CG.collaboratesWith, ID["organisation/nanoprogress"]) in g
    assert hermit.classes["cg:GoldLabelledCluster"] == 1
    # INNO-DROP: 3 partners, 6 ordered pairs; Clus3: 2 partners, 2 pairs; no self pairs
    assert hermit.properties["cg:collaboratesWith"] == 8


@pytest.mark.java
def test_inferred_triples_stay_in_their_own_graph(seeds, hermit):
    assert hermit.graph.identifier == GRAPH.inferred
    assert not [t for t in hermit.graph if t in seeds]
    ds = store.open_dataset()
    store.load(ds, FIXTURE, graph="urn:test:seeds")
    before = len(ds.graph(URIRef("urn:test:seeds")))
    added = add_inferred(ds, hermit)
    assert added.identifier == GRAPH.inferred and len(added) == len(hermit.graph)
    assert len(ds.graph(URIRef("urn:test:seeds"))) == before
    # reasoning again over the dataset ignores the inferred graph and finds the same
    again = run_reason(ds, reasoner="rules")
    assert set(again.graph) == set(hermit.graph)


@pytest.mark.java
def test_rules_and_hermit_agree_on_the_seeds(seeds, hermit):
    ruled = rules.infer(seeds)
    assert set(ruled) == set(hermit.graph)


@pytest.mark.java
def test_pellet_runs_and_agrees(seeds, hermit):
    pellet = run_reason(seeds, reasoner="pellet")
    assert pellet.consistent and set(pellet.graph) == set(hermit.graph)


@pytest.mark.java
def test_embedded_dataset_is_consistent_and_rules_agree(embedded):
    result = run_reason(embedded)
    assert result.consistent
    assert "balticnet-plasmatec" in members(result.graph, CG.CoordinatorOrganisation)
    assert {"inno-drop", "cecil"} <= members(result.graph, CG.CrossBorderProject)
    assert "friuli-venezia-giulia-regional-clusters" in members(result.graph, CG.BronzeLabelledCluster)
    assert set(rules.infer(embedded)) == set(result.graph)


@pytest.fixture
def system_tmp(tmp_path, monkeypatch) -> Path:
    """The system's temporary folder, for this test: an empty folder whose contents it can check."""
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


@pytest.mark.java
@pytest.mark.parametrize("which", ["hermit", "pellet"])
def test_inconsistency_is_detected_and_explained(which, system_tmp):
    data = Graph().parse(data=CLASH, format="turtle")
    with pytest.raises(InconsistentOntologyError) as info:
        run_reason(data, reasoner=which)
    explanation = info.value.explanation
    assert explanation == [
        "cgid:project/x is typed both cg:Organisation (asserted) and cg:Project (asserted), which the ontology declares disjoint"
    ]
    assert info.value.exit_code == 1 and "cgid:project/x" in str(info.value)
    # owlready2 leaves its input file behind when the reasoner fails: not here
    assert list(system_tmp.iterdir()) == []


@pytest.mark.java
def test_a_consistent_run_leaves_no_temporary_file(seeds, system_tmp):
    assert run_reason(seeds, reasoner="pellet").consistent
    assert list(system_tmp.iterdir()) == []


def test_rules_detect_the_same_inconsistency():
    data = Graph().parse(data=CLASH, format="turtle")
    with pytest.raises(InconsistentOntologyError, match="declares disjoint"):
        run_reason(data, reasoner="rules")


def test_explanations_name_where_types_come_from():
    data = Graph().parse(
        format="turtle",
        data="""@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix cgid: <https://w3id.org/clustergraph/id/> .
<https://w3id.org/clustergraph/id/project/p> a cg:Project .
<https://w3id.org/clustergraph/id/award/a> cg:holder <https://w3id.org/clustergraph/id/project/p> ; cg:level cg:Gold , cg:Silver .
<https://w3id.org/clustergraph/id/call/c> a cg:Call ; cg:ordinal "second" .
<https://w3id.org/clustergraph/id/project/q> a cg:Project ; cg:call "first call" ; cg:totalBudget "12,x" .
<https://w3id.org/clustergraph/id/sector/s> a cg:ClusterOrganisation , cg:Sector .
""",
    )
    problems = explain(data)
    assert (
        "cgid:project/p is typed both cg:Organisation (value of cg:holder of cgid:award/a, whose range is cg:Organisation)"
        " and cg:Project (asserted), which the ontology declares disjoint" in problems
    )
    assert (
        "cgid:sector/s is typed both cg:Organisation (asserted cg:ClusterOrganisation, a sub-class) and cg:Sector (asserted), which the ontology declares disjoint"
        in problems
    )
    assert any("functional property cg:level, cg:Gold and cg:Silver" in p for p in problems)
    assert any('cg:ordinal "second", which is not a valid xsd:integer' in p for p in problems)
    assert any('literal "first call" for cg:call, an object property' in p for p in problems)
    assert any('cg:totalBudget "12,x", which is not a valid xsd:decimal' in p for p in problems)
    assert explain(Graph().parse(FIXTURE)) == []


@pytest.mark.java
def test_pellet_justification_when_the_checks_find_nothing(system_tmp):
    onto = rules.ontology_graph().serialize(format="nt", encoding="utf-8")
    data = Graph().parse(data=CLASH, format="turtle").serialize(format="nt", encoding="utf-8")
    lines = _pellet_explanation(onto, data)
    assert len(lines) == 1 and "DisjointClasses" in lines[0] and "x type Project" in lines[0]
    assert list(system_tmp.iterdir()) == []


def test_missing_java_gives_the_install_hint(seeds, monkeypatch):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/bin/java")
    with pytest.raises(JavaNotFoundError) as info:
        run_reason(seeds, reasoner="hermit")
    assert "apt-get install default-jre-headless" in str(info.value)
    # the rules need no Java
    assert run_reason(seeds, reasoner="rules").consistent


def test_package_exports_the_function():
    assert _reason_function is run_reason


def test_unknown_reasoner():
    with pytest.raises(Exception, match="unknown reasoner"):
        run_reason(Graph(), reasoner="fact++")


def test_cli_reason_with_rules(tmp_path):
    out = tmp_path / "inferred.nt"
    result = CliRunner().invoke(main, ["reason", "--input", str(FIXTURE), "--reasoner", "rules", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "cg:GoldLabelledCluster" in result.output and "cg:collaboratesWith" in result.output
    written = Graph().parse(out)
    assert (ID["organisation/zinnae"], RDF.type, CG.GoldLabelledCluster) in written


@pytest.mark.java
def test_cli_reason_explains_an_inconsistency(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(CLASH)
    result = CliRunner().invoke(main, ["reason", "--input", str(bad)])
    assert result.exit_code == 1
    assert "typed both cg:Organisation (asserted) and cg:Project (asserted)" in result.output


def test_cli_reason_without_java(monkeypatch):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/bin/java")
    result = CliRunner().invoke(main, ["reason", "--input", str(FIXTURE)])
    assert result.exit_code == 2 and "default-jre-headless" in result.output
