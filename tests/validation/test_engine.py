"""validate(): the seed findings, any store, files, safety, broken shapes, names and rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from clustergraph import store
from clustergraph.errors import ClusterGraphError, InputError, ShapesError
from clustergraph.namespaces import CG, ID
from clustergraph.validation.engine import entity_name, source_of, validate
from clustergraph.validation.shapes import SHAPES, check_shapes_safety, load_shapes

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid.ttl"
TEN = FIXTURES / "ten-mistakes.ttl"
SH_ = lambda name: URIRef(SHAPES + name)  # noqa: E731


# --- the seeds -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_report(embedded):
    return validate(embedded)


@pytest.mark.parametrize(
    "project,row,value,total",
    [("cecil", 4, "299450", "247283"), ("materialix", 2, "308894", "258437")],
)
def test_seed_eu_contribution_above_budget(seed_report, project, row, value, total) -> None:
    (f,) = seed_report.where(focus=ID[f"project/{project}"], shape=SH_("ProjectBudgetRule"))
    assert f.severity == "Violation"
    assert f.path == CG.euContribution and f.path_text == "cg:euContribution"
    assert f.entity_name == project.upper()
    assert (f.source_file, f.source_row) == ("data/projects.csv", row)
    assert Literal(value).eq(Literal(str(f.value))) or str(f.value) == value
    assert f"({value} EUR) is higher than the total budget ({total} EUR)" in f.message
    assert f.fix


def test_seed_smartsports_starts_years_after_its_call(seed_report) -> None:
    (f,) = seed_report.where(focus=ID["project/smartsports4goodlife"], shape=SH_("ProjectStartLateRule"))
    assert f.severity == "Warning"
    assert f.entity_name == "SmartSports4GoodLife"
    assert f.source_file == "data/projects.csv"
    assert "starts on 2020-02-03, 5 years after its call (2015)" in f.message


def test_seed_report_does_not_conform_and_names_every_entity(seed_report) -> None:
    assert not seed_report.conforms
    assert seed_report.counts()["violation"] >= 2
    for f in seed_report.findings:
        assert f.entity_name, f"{f.focus} has no name in the report"
        assert f.source_file, f"{f.focus} has no source table in the report"


def test_embedded_dataset_validates_from_cold_caches(embedded) -> None:
    """Validation with every cache cleared (its speed is measured in benchmarks/, not here)."""
    import importlib

    engine = importlib.import_module("clustergraph.validation.engine")
    shapes = importlib.import_module("clustergraph.validation.shapes")

    shapes._cached_shapes.cache_clear()
    engine._ontology.cache_clear()
    engine._prepared.cache_clear()
    report = validate(embedded)
    assert report.findings


# --- any store, same findings ----------------------------------------------------------


def _keys(report):
    return sorted((str(f.focus), str(f.source_shape), str(f.value), f.message) for f in report.findings)


def test_same_findings_on_oxigraph_and_rdflib_memory(embedded, seed_report) -> None:
    memory = store.to_memory(embedded)
    assert _keys(validate(memory)) == _keys(seed_report)


def test_plain_strings_stay_plain_through_oxigraph() -> None:
    """sh:in over strings and sh:datatype xsd:string see the same literals as in memory."""
    ds = store.open_dataset("oxigraph")
    store.load(ds, VALID, graph="http://example.org/g")
    report = validate(ds, fail_on="info")
    assert report.findings == [], report.to_text()


def test_files_and_lists_of_files() -> None:
    assert validate(VALID, fail_on="info").conforms
    assert len(validate(TEN).findings) == 10
    both = validate([VALID, TEN])
    assert len(both.findings) >= 10


def test_the_callers_graph_is_not_modified() -> None:
    data = Graph().parse(TEN)
    before = set(data)
    validate(data, inference="rdfs")
    assert set(data) == before
    assert (CG.ClusterOrganisation, RDFS.subClassOf, CG.Organisation) not in data


def test_missing_and_malformed_data_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        validate(tmp_path / "nope.ttl")
    assert missing.value.exit_code == 2 and "nope.ttl" in str(missing.value)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://ex.org/a> <http://ex.org/p> .\n")
    with pytest.raises(InputError) as malformed:
        validate(bad)
    assert "bad.ttl" in str(malformed.value) and malformed.value.line == 1


def test_unknown_options_are_usage_errors() -> None:
    for kwargs in ({"fail_on": "error"}, {"engine": "jena"}, {"inference": "owl"}):
        with pytest.raises(ClusterGraphError) as err:
            validate(Graph(), **kwargs)
        assert err.value.exit_code == 2


# --- shapes: broken, unsafe, custom ------------------------------------------------------


@pytest.mark.parametrize(
    "name,says",
    [
        ("broken-syntax", "broken-syntax.ttl:9: the shapes file is not valid RDF: Bad syntax"),
        ("invalid-shacl", "shape ex:ProjectShape (property cg:acronym), sh:minCount"),
        ("bad-sparql", "shape ex:ProjectShape: its SPARQL does not parse"),
        ("service", "calls SERVICE <http://register.example.org/sparql>, a host nobody named"),
    ],
)
def test_broken_shapes_are_a_shapes_error(name: str, says: str, capsys) -> None:
    with pytest.raises(ShapesError) as err:
        validate(VALID, shapes=FIXTURES / f"{name}.ttl")
    assert err.value.exit_code == 3
    assert says in str(err.value), str(err.value)
    assert err.value.fix
    out, errors = capsys.readouterr()
    assert out == "" and errors == "", "the library never prints"


def test_service_to_a_variable_endpoint_is_always_refused() -> None:
    g = Graph().parse(
        data='@prefix sh: <http://www.w3.org/ns/shacl#> . [] sh:select "SELECT $this WHERE { SERVICE ?where { $this ?p ?o } }" .',
        format="turtle",
    )
    with pytest.raises(ShapesError, match="variable endpoint"):
        check_shapes_safety(g, allow_service_hosts=["example.org"])
    check_shapes_safety(load_shapes())  # the shipped shapes call no service


def test_missing_shapes_path(tmp_path: Path) -> None:
    with pytest.raises(ShapesError, match="shapes not found"):
        validate(VALID, shapes=tmp_path / "none")
    with pytest.raises(ShapesError, match="no shapes files"):
        validate(VALID, shapes=tmp_path)


def test_custom_shapes_directory(tmp_path: Path) -> None:
    (tmp_path / "acronym.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "<http://example.org/Short> a sh:NodeShape ; sh:targetClass cg:Project ;\n"
        '  sh:property [ sh:path cg:acronym ; sh:maxLength 5 ; sh:severity sh:Info ; sh:message "Acronym {?value} is long. Fix: shorten it." ] .\n'
    )
    report = validate(TEN, shapes=tmp_path)
    long = {f.entity_name: f for f in report.findings}
    assert set(long) == {"BACKWARDS", "TEXTDATE"}
    assert long["TEXTDATE"].message == "Acronym TEXTDATE is long. Fix: shorten it."
    assert long["TEXTDATE"].severity == "Info" and report.conforms


# --- inference, policy, engines --------------------------------------------------------------

_UNTYPED_PARTICIPANT = """
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix project: <https://w3id.org/clustergraph/id/project/> .
@prefix participation: <https://w3id.org/clustergraph/id/participation/> .
participation:x a cg:Participation ; cg:participant <https://w3id.org/clustergraph/id/organisation/x> ;
    cg:project project:demo ; cg:role cg:Coordinator .
"""


def test_rdfs_inference_uses_the_ontology() -> None:
    data = Graph().parse(VALID).parse(data=_UNTYPED_PARTICIPANT, format="turtle")
    org = ID["organisation/x"]
    plain = validate(data)
    assert [f.source_shape for f in plain.where(focus=ID["participation/x"])] == [SH_("Participation-participant-class")]
    inferred = validate(data, inference="rdfs")
    assert not inferred.where(shape=SH_("Participation-participant-class"))
    assert [f.source_shape for f in inferred.where(focus=org, severity="Violation")] == [SH_("Organisation-label-required")]


def test_fail_on_decides_conformance() -> None:
    data = Graph().parse(VALID)
    data.add((ID["organisation/alpha"], CG.website, Literal("www.alpha.example.org", datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI"))))
    data.remove((ID["organisation/alpha"], CG.website, Literal("https://alpha.example.org", datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI"))))
    assert validate(data).conforms
    assert not validate(data, fail_on="warning").conforms
    assert not validate(data, fail_on="info").conforms
    assert validate(data).exit_code == 0 and validate(data, fail_on="warning").exit_code == 1


def test_sparql_engine_gives_the_same_findings_or_says_it_is_missing() -> None:
    try:
        import clustergraph.validation.sparql  # noqa: F401
    except ImportError:
        with pytest.raises(ClusterGraphError, match="sparql validation engine is not available") as err:
            validate(TEN, engine="sparql")
        assert err.value.exit_code == 2
        return
    ds = store.open_dataset("oxigraph")
    store.load(ds, TEN, graph="http://example.org/g")
    assert _keys(validate(ds, engine="sparql")) == _keys(validate(ds))


def test_auto_engine_picks_by_size_and_both_give_the_same_findings(monkeypatch) -> None:
    from clustergraph.validation import engine as v

    small = validate(TEN)
    assert small.engine == "pyshacl" and len(small.findings) == 10
    monkeypatch.setattr(v, "AUTO_SPARQL_TRIPLES", 10)
    large = validate(TEN)
    assert large.engine == "sparql"
    assert _keys(large) == _keys(small)
    assert [(f.entity_name, f.source_file, f.message) for f in large.findings] == [(f.entity_name, f.source_file, f.message) for f in small.findings]
    assert validate(TEN, inference="rdfs").engine == "pyshacl"  # only pySHACL infers


def test_sparql_engine_loads_files_strictly_and_names_the_line(tmp_path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> .\n<http://ex.org/a> <http://ex.org/p> .\n")
    with pytest.raises(InputError, match=r"bad\.nt:2"):
        validate([VALID, bad], engine="sparql")
    with pytest.raises(InputError, match="not found"):
        validate([tmp_path / "missing.ttl"], engine="sparql")
    assert validate([VALID], engine="sparql").conforms


# --- what the steward sees ----------------------------------------------------------------------


def test_ten_mistakes_give_ten_findings_each_with_entity_problem_and_fix() -> None:
    report = validate(TEN)
    assert len(report.findings) == 10
    assert len({f.focus for f in report.findings}) == 10
    assert len({f.source_shape for f in report.findings}) == 10
    for f in report.findings:
        assert f.entity_name, f.focus
        assert f.problem and f.fix and f.problem != f.fix
    assert report.counts() == {"violation": 8, "warning": 2, "info": 0}


def test_entity_names_for_unnamed_entities() -> None:
    g = Graph().parse(TEN)
    assert entity_name(g, ID["participation/cecil-danish-sound"]) == "Danish Sound in CECIL"
    assert entity_name(g, ID["award/madrid-gold"]) == "Gold label of Madrid ICT-Audiovisual Cluster"  # level given as text
    assert entity_name(g, ID["award/danish-sound-bronze"]) is None  # cg:Bronze is named in the ontology, not in this file
    assert entity_name(g, ID["call/cep-2"]) == "call 2 of Cluster Excellence Programme"
    assert entity_name(g, ID["organisation/cap-digital"]) == "Cap Digital"


def test_source_rows_come_from_the_provenance(embedded) -> None:
    memory = store.union(embedded)
    assert source_of(memory, ID["project/cecil"]) == ("data/projects.csv", 4)
    assert source_of(memory, ID["project/nowhere"]) == (None, None)
    # an event described by two tables: the row of the table that types it
    assert source_of(memory, ID["event/meeting-of-50-gold-label-clusters"], dataset=embedded)[0] == "data/events.csv"
