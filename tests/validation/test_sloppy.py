"""Sloppy and hostile data: every engine reports it the same way, as findings, never a crash.

``fixtures/sloppy.ttl`` is a catalogue of mistakes people make in data (ill-typed dates,
numbers and booleans, language tags and IRIs where they do not belong, blank nodes,
empty names, huge numbers, far dates, duplicates, missing types, typos in the
vocabulary, mixed-case IRIs); :data:`EXPECTED` says what each entity must give. Both
engines must give exactly the same findings, with the same messages, and the command
line must exit with status 1 ("does not conform") without a traceback.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from clustergraph.cli import main
from clustergraph.namespaces import CG
from clustergraph.validation import compile_shapes, load_shapes, validate
from clustergraph.validation.engine import data_graph
from clustergraph.validation.sparql.literals import (
    STAND_IN,
    quiet_literals,
    replace_unreadable,
    unreadable,
)

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid.ttl"
SLOPPY = FIXTURES / "sloppy.ttl"
ID = "https://w3id.org/clustergraph/id/"
ENGINES = ("pyshacl", "sparql")
V, W, I = "Violation", "Warning", "Info"
CONSORTIUM = ("^cg:project", "Project-participation-required", I)  # projects of the catalogue without partners

#: What each entity of the catalogue gives: (path, shape, severity) of every finding, and the
#: line of sloppy.ttl where the offending value is written (None where the text cannot show
#: it: rewritten by the parser, escaped, or not a literal). An entity not listed gives nothing.
EXPECTED: dict[str, set[tuple[str, str, str, int | None]]] = {
    "project/baddate": {("cg:startDate", "Project-startDate-datatype", V, 36), (*CONSORTIUM, None)},
    "project/feb30": {("cg:startDate", "Project-startDate-datatype", V, 41), ("cg:endDate", "Project-endDate-datatype", V, 41), (*CONSORTIUM, None)},
    "project/badmoney": {("cg:totalBudget", "Project-totalBudget-datatype", V, 47), ("cg:euContribution", "Project-euContribution-datatype", V, 47), (*CONSORTIUM, None)},
    "project/textmoney": {("cg:totalBudget", "Project-totalBudget-datatype", V, 52), ("cg:euContribution", "Project-euContribution-datatype", V, None), (*CONSORTIUM, None)},
    "project/negative": {("cg:totalBudget", "Project-totalBudget-range", V, 57), (*CONSORTIUM, None)},
    "project/huge": {("cg:totalBudget", "Project-totalBudget-datatype", V, 62), ("cg:euContribution", "Project-euContribution-datatype", V, 62), (*CONSORTIUM, None)},
    "statistic/huge": {("cg:value", "Statistic-value-datatype", V, None)},
    "workpackage/underscore": {("cg:workPackageNumber", "WorkPackage-number-datatype", V, 67)},
    "workpackage/spaced": {("cg:workPackageNumber", "WorkPackage-number-datatype", V, 68)},
    "workpackage/decimal": {("cg:workPackageNumber", "WorkPackage-number-datatype", V, None)},
    "project/farfuture": {("cg:startDate", "Project-startDate-datatype", V, 74), ("cg:endDate", "Project-endDate-datatype", V, 74), (*CONSORTIUM, None)},
    "project/hastings": {("cg:startDate", "ProjectStartBeforeCallRule", V, 76), (*CONSORTIUM, None)},
    "award/datetime": {("cg:awardDate", "LabelAward-awardDate-datatype", V, 80)},
    "call/boolean": {("cg:minimumOrganisations", "Call-minimumOrganisations-value", V, 82)},
    "call/intyear": {("cg:year", "Call-year-datatype", V, 88)},
    "call/badyear": {("cg:year", "Call-year-datatype", V, 89)},
    "call/wordordinal": {("cg:ordinal", "Call-ordinal-datatype", V, 90)},
    "call/badminimum": {("cg:minimumOrganisations", "Call-minimumOrganisations-value", V, 94)},
    "project/tagged": {("cg:acronym", "Project-acronym-datatype", V, 100), (*CONSORTIUM, None)},
    "project/iris": {("cg:acronym", "Project-acronym-datatype", V, None), ("cg:call", "Project-call-class", V, 104), ("cg:startDate", "Project-startDate-datatype", V, None), (*CONSORTIUM, None)},
    "organisation/textcountry": {("cg:country", "Organisation-country-iri", V, 106)},
    "participation/textrole": {("cg:role", "Participation-role-in", V, 107)},
    "_:ANON": {("cg:endDate", "ProjectDatesRule", V, 111), (*CONSORTIUM, None)},
    "_:Nameless Cluster": {("rdfs:label", "Organisation-label-language", W, 112)},
    "organisation/empty": {("rdfs:label", "Name-label-text", V, 115)},
    "organisation/blank": {("rdfs:label", "Name-label-text", V, 116)},
    "project/emptyacronym": {("cg:acronym", "Name-acronym-text", V, 117), (*CONSORTIUM, None)},
    "project/twice": {("cg:acronym", "Project-acronym-count", V, None), ("cg:startDate", "Project-startDate-count", V, None), (*CONSORTIUM, None)},
    "project/untyped": {("rdf:type", "Entity-type-required", W, None)},
    "project/typo": {("cg:enddate", "UnknownPropertyRule", W, 130), ("cg:totalBugdet", "UnknownPropertyRule", W, 130), (*CONSORTIUM, None)},
    "cg:Projet": {("rdf:type", "UnknownClassRule", W, None)},
    "cg:project": {("rdf:type", "UnknownClassRule", W, None)},
    "HTTPS://W3ID.ORG/clustergraph/ontology#ClusterOrganisation": {("rdf:type", "UnknownClassRule", W, None)},
    "organisation/lowercountry": {("cg:country", "Organisation-country-iri", V, None)},
    "call/slash1": {("cg:ordinal", "Call-ordinal-datatype", V, None), ("cg:ordinal", "CallOrdinalUniqueRule", W, None)},
    "call/slash2": {("cg:ordinal", "Call-ordinal-datatype", V, None), ("cg:ordinal", "CallOrdinalUniqueRule", W, None)},
    "organisation/rorsum": {("cg:rorId", "RorChecksumRule", V, 145)},
    "organisation/roriri": {("cg:rorId", "Organisation-rorId-syntax", V, None)},
    "organisation/vatspaces": {("cg:vatNumber", "Organisation-vatNumber-syntax", V, 147)},
    "organisation/pictwo": {("cg:pic", "SharedIdentifierRule", V, 149)},
}


def _entity(f) -> str:
    """A name for the focus node that is the same in every run (blank nodes by their name)."""
    if isinstance(f.focus, BNode):
        return f"_:{f.entity_name}"
    text = str(f.focus)
    if text.startswith(ID):
        return text[len(ID) :]
    if text.startswith(str(CG)):
        return "cg:" + text[len(str(CG)) :]
    return text


def _key(f) -> tuple:
    value = f.value
    if isinstance(value, BNode):
        value = "_:"
    return (_entity(f), f.path_text, str(f.source_shape), str(f.constraint), f.severity, value, f.message, f.data_file, f.data_line)


@pytest.fixture(scope="module")
def reports():
    """The catalogue (with the valid dataset it links to) through each engine."""
    return {engine: validate([VALID, SLOPPY], engine=engine, fail_on="info") for engine in ENGINES}


def test_both_engines_give_the_same_findings(reports) -> None:
    mine, theirs = (sorted(map(_key, reports[e].findings), key=str) for e in ENGINES)
    assert mine == theirs
    assert len(mine) >= 60


@pytest.mark.parametrize("engine", ENGINES)
def test_each_mistake_gives_the_findings_it_should(reports, engine: str) -> None:
    found: dict[str, set] = {}
    for f in reports[engine].findings:
        line = f.data_line if f.data_file and Path(f.data_file).name == SLOPPY.name else None
        found.setdefault(_entity(f), set()).add((f.path_text, str(f.source_shape).split("#")[-1], f.severity, line))
    assert found == EXPECTED


@pytest.mark.parametrize("engine", ENGINES)
def test_ill_typed_literals_are_findings_on_their_entity(reports, engine: str) -> None:
    by_value = {(str(f.focus), str(f.value)): f for f in reports[engine].findings if isinstance(f.value, Literal)}
    f = by_value[(ID + "project/baddate", "2023-13-45")]
    assert f.path == CG.startDate and f.value.datatype == XSD.date and f.severity == V
    assert (f.data_file, f.data_line) == (str(SLOPPY), 36)
    assert f.message.startswith("The start date '2023-13-45' is not a date.")
    f = by_value[(ID + "call/boolean", "maybe")]  # kept as written: rdflib would have read it as "false"
    assert f.value.datatype == XSD.boolean and f.path == CG.minimumOrganisations
    f = by_value[(ID + "project/badmoney", "nineteen")]
    assert f.value.datatype == XSD.integer and f.entity_name == "BADMONEY"


@pytest.mark.parametrize("engine", ENGINES)
def test_integer_amounts_are_amounts(reports, engine: str) -> None:
    assert [f for f in reports[engine].findings if _entity(f) in ("project/integers", "project/underbad")] == []
    data = Graph().parse(VALID).parse(
        data="""@prefix cg: <https://w3id.org/clustergraph/ontology#> .
        <https://w3id.org/clustergraph/id/project/demo> cg:totalBudget 300000 ; cg:euContribution 400000 .
        <https://w3id.org/clustergraph/id/statistic/meeting-smes> cg:value 6500 .""",
        format="turtle",
    )
    for t in [(s, p, o) for s, p, o in data if isinstance(o, Literal) and o.datatype == XSD.decimal and p in (CG.totalBudget, CG.euContribution, CG.value)]:
        data.remove(t)
    report = validate(data, engine=engine, fail_on="info")
    # whole euros are accepted; the budget rule still compares them
    assert [(f.path, str(f.source_shape).split("#")[-1]) for f in report.findings] == [(CG.euContribution, "ProjectBudgetRule")]


@pytest.mark.parametrize("engine", [*ENGINES, "auto"])
def test_the_command_line_says_does_not_conform_without_a_traceback(engine: str) -> None:
    result = CliRunner().invoke(main, ["validate", str(VALID), str(SLOPPY), "--engine", engine])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.stderr == ""
    assert "The start date '2023-13-45' is not a date." in result.output
    assert f"{SLOPPY}:36  The start date" in result.output


@pytest.mark.parametrize("engine", [*ENGINES, "auto"])
@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_reports_of_sloppy_data_are_well_formed(engine: str, fmt: str) -> None:
    result = CliRunner().invoke(main, ["validate", str(VALID), str(SLOPPY), "--engine", engine, "--format", fmt])
    assert result.exit_code == 1 and result.stderr == ""
    if fmt == "turtle":  # parsed by Oxigraph, which keeps ill-typed literals as they are written
        quads = pyoxigraph.parse(result.output.encode(), format=pyoxigraph.RdfFormat.TURTLE)
        values = {q.object.value for q in quads if q.predicate.value == str(SH.value) and isinstance(q.object, pyoxigraph.Literal)}
        assert {"maybe", "1_000", " 7 ", "nineteen", "2023-13-45"} <= values
    else:
        findings = json.loads(result.output)["findings"]
        assert {"maybe", "1_000", " 7 ", "nineteen", "2023-13-45"} <= {f["value"] for f in findings}
        assert {(f["data_file"], f["data_line"]) for f in findings if f["value"] == "2023-13-45"} == {(str(SLOPPY), 36)}


def test_the_date_of_the_issue_is_a_finding_not_broken_shapes(tmp_path) -> None:
    """One ill-typed date on a project with a call made the default engine exit 3 with six tracebacks."""
    path = tmp_path / "date.ttl"
    path.write_text(
        """@prefix cg: <https://w3id.org/clustergraph/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/clustergraph/id/call/c> a cg:Call ; cg:programme <https://w3id.org/clustergraph/id/programme/p> ;
            cg:ordinal 1 ; cg:year "2014"^^xsd:gYear .
        <https://w3id.org/clustergraph/id/programme/p> a cg:Programme ; <http://www.w3.org/2000/01/rdf-schema#label> "P"@en .
        <https://w3id.org/clustergraph/id/project/x> a cg:Project ; cg:acronym "X" ; cg:call <https://w3id.org/clustergraph/id/call/c> ;
            cg:startDate "2023-13-45"^^xsd:date ; cg:endDate "2024-01-01"^^xsd:date .
        """
    )
    for engine in ("auto", *ENGINES):
        result = CliRunner().invoke(main, ["validate", str(path), "--engine", engine])
        assert result.exit_code == 1, result.output + result.stderr
        assert result.stderr == "" and "Traceback" not in result.output
        assert f"{path}:6  The start date '2023-13-45' is not a date." in result.output


def test_rdflib_errors_in_sparql_expressions_are_sparql_errors() -> None:
    """YEAR() of an ill-typed date raised AttributeError inside rdflib, which pySHACL turned into "broken shapes"."""
    with quiet_literals():
        graph = data_graph(Graph().parse(data='<urn:a> <urn:d> "2023-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .', format="turtle"))
        rows = list(graph.query("SELECT ?d ?y WHERE { ?s <urn:d> ?d OPTIONAL { BIND (YEAR(?d) AS ?y) } FILTER (!BOUND(?y) || YEAR(?d) > 0) }"))
    assert [(str(d), y) for d, y in rows] == [("2023-13-45", None)]


def test_a_shape_that_reads_ill_typed_values_is_not_broken() -> None:
    """User shapes that compute on values get SPARQL's error semantics in both engines."""
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:d ; sh:sparql [ sh:message "late: {?value}" ;
          sh:select "SELECT $this ?value WHERE { $this <http://ex.org/d> ?value FILTER (YEAR(?value) > 2020 || ABS(?value) > 0) }" ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data="""@prefix ex: <http://ex.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:a ex:d "2023-13-45"^^xsd:date . ex:b ex:d "2024-01-01"^^xsd:date . ex:c ex:d "nineteen"^^xsd:integer . ex:e ex:d 5 .""",
        format="turtle",
    )
    for engine in ENGINES:
        report = validate(data, shapes=shapes, engine=engine)
        assert sorted(str(f.focus) for f in report.findings) == ["http://ex.org/b", "http://ex.org/e"], engine


#: Lexical forms at the edges of what rdflib (Python) and Oxigraph (XML Schema) read.
EDGES = {
    XSD.integer: ["19", "-0", "+19", "019", " 19 ", "1_000", "nineteen", "1e5", "1.0", "", "9223372036854775807", "9223372036854775808", "123456789012345678901234567890", "٩"],
    XSD.decimal: ["1.5", "1.", ".5", "258437", "1e5", "1_0.5", "NaN", "INF", "258.437,50", "123456789012345678901234.5", "0.0000000000000000001"],
    XSD.boolean: ["true", "false", "1", "0", "True", "yes", "maybe", ""],
    XSD.date: ["2023-01-05", "2023-13-45", "2023-02-29", "2024-02-29", "0000-01-01", "0001-01-01", "-0044-03-15", "9999-12-31", "10000-01-01", "2023-01-05Z", "2023-01-05+02:00", "2023-01-05T00:00:00", "05/01/2023"],
    XSD.dateTime: ["2023-01-05T10:00:00", "2023-01-05T10:00:00Z", "2023-01-05", "2023-01-05T24:00:00", "2023-01-05 10:00:00", "99999-01-05T10:00:00", "2023-01-05T10:00"],
    XSD.gYear: ["2014", "14", "-0044", "99999", "2014Z", "twenty", "2014-01", " 2014"],
    XSD.double: ["1.5", "1e5", "1E400", "INF", "-INF", "NaN", "inf", "abc", "1_0", ".5"],
    XSD.time: ["10:00:00", "24:00:00", "25:00:00", "10:00", "10:00:00Z"],
}


@pytest.mark.parametrize("datatype", sorted(EDGES, key=str), ids=lambda d: d.split("#")[1])
def test_both_engines_read_the_same_literals(datatype: URIRef) -> None:
    """sh:datatype accepts exactly the literals both rdflib and Oxigraph read, in either engine."""
    lexicals = EDGES[datatype]
    data = Graph()
    with quiet_literals():
        for i, text in enumerate(lexicals):
            data.add((URIRef(f"http://ex.org/n{i}"), URIRef("http://ex.org/p"), Literal(text, datatype=datatype, normalize=False)))
    shapes = Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://ex.org/S> a sh:NodeShape ; sh:targetSubjectsOf <http://ex.org/p> ;
          sh:property [ sh:path <http://ex.org/p> ; sh:datatype <{datatype}> ] .""",
        format="turtle",
    )
    found = {engine: sorted(str(f.focus) for f in validate(data, shapes=shapes, engine=engine).findings) for engine in ENGINES}
    assert found["pyshacl"] == found["sparql"]
    with quiet_literals():
        bad = {str(lit) for lit in unreadable(data.objects())}
    assert sorted(f"http://ex.org/n{lexicals.index(t)}" for t in bad) == found["sparql"]


def test_unreadable_literals_get_a_stand_in_for_pyshacl() -> None:
    with quiet_literals():
        graph = Graph().parse(data='<urn:a> <urn:p> "nineteen"^^<http://www.w3.org/2001/XMLSchema#integer> , "019"^^<http://www.w3.org/2001/XMLSchema#integer> .', format="turtle")
        graph = data_graph(graph)
        # rdflib normalised "019" when parsing; write it back as it was
        graph.add((URIRef("urn:a"), URIRef("urn:p"), Literal("007", datatype=XSD.integer, normalize=False)))
        originals = replace_unreadable(graph)
    objects = sorted(str(o) + " " + str(o.datatype) for o in graph.objects())
    assert objects == ["19 " + str(XSD.integer), "7 " + str(XSD.integer), "nineteen " + STAND_IN + str(XSD.integer)]
    assert list(originals.values()) == [Literal("nineteen", datatype=XSD.integer)]


def test_shipped_shapes_still_compile_without_fallback() -> None:
    assert compile_shapes(load_shapes()).fallback == {}


def test_nothing_is_logged_for_ill_typed_literals(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        for engine in ENGINES:
            validate([VALID, SLOPPY], engine=engine)
    assert not [r for r in caplog.records if "Failed to convert" in r.getMessage()]


def test_typos_are_named_with_the_term_meant(reports) -> None:
    messages = {(_entity(f), f.path_text): f.message for f in reports["sparql"].findings}
    assert "correct the name to cg:totalBudget" in messages[("project/typo", "cg:totalBugdet")]
    assert "correct the name to cg:endDate" in messages[("project/typo", "cg:enddate")]
    assert "correct the class to cg:Project" in messages[("cg:Projet", "rdf:type")]
    assert "correct the class to cg:ClusterOrganisation" in messages[("HTTPS://W3ID.ORG/clustergraph/ontology#ClusterOrganisation", "rdf:type")]
    with quiet_literals():
        assert (URIRef("https://w3id.org/clustergraph/id/project/projet"), RDF.type, CG.Projet) in Graph().parse(SLOPPY)


def test_generic_messages_write_unreadable_values_as_they_are() -> None:
    """pySHACL's own messages name the value; they name the literal, not its stand-in."""
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:in ( 1 2 ) ; sh:class ex:C ] .""",
        format="turtle",
    )
    with quiet_literals():
        data = Graph().parse(data='<http://ex.org/a> <http://ex.org/p> "nineteen"^^<http://www.w3.org/2001/XMLSchema#integer> .', format="turtle")
    messages = {engine: sorted(f.message for f in validate(data, shapes=shapes, engine=engine).findings) for engine in ENGINES}
    assert messages["pyshacl"] == messages["sparql"]
    assert len(messages["sparql"]) == 2 and not any(STAND_IN in m for m in messages["sparql"])
