"""The named query library: headers, parameters, conversions and their errors."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from clustergraph.query import library
from clustergraph.errors import ParameterError, QueryError
from clustergraph.namespaces import CG, ID

QUERIES = library.list_queries()


def test_the_library_has_the_questions_researchers_ask():
    names = {q.name for q in QUERIES}
    assert len(QUERIES) >= 18
    for expected in (
        "projects-per-call",
        "eu-contribution-by-country",
        "eu-contribution-by-sector",
        "labels-on-date",
        "label-progression",
        "cross-sector-projects",
        "co-participants",
        "coordinators",
        "partnership-members",
        "project-and-partnership-members",
        "events",
        "participations-by-country",
        "projects-in-year",
        "projects-without-coordinator",
        "organisations-without-country",
        "eu-contribution-above-budget",
        "published-statistics",
    ):
        assert expected in names


@pytest.mark.parametrize("q", QUERIES, ids=lambda q: q.name)
def test_every_query_has_a_complete_header(q):
    assert q.title and len(q.description) > 40, "title and a real description"
    assert q.examples, "an example invocation"
    for example in q.examples:
        assert example.startswith(f"clustergraph query {q.name}")
        for name in re.findall(r"--param (\w+)=", example):
            q.parameter(name)  # the example only uses declared parameters
    for p in q.parameters:
        assert p.type in library.TYPES and p.description
        assert re.search(rf"[?$]{p.name}\b", q.text)
        if p.default is not None:
            p.convert(p.default)
    assert q.text.lstrip().startswith("#")
    assert "PREFIX cg:" in q.text, "queries declare their prefixes, so they run on any store"


def test_header_fields_and_continuations():
    q = library.parse(
        "# title: Demo\n"
        "# description: first line\n"
        "#   and its continuation\n"
        '# param: name string = "Cap Digital" -- part of a name,\n'
        "#   case ignored\n"
        "# param: when xsd:date required -- a day\n"
        "# example: clustergraph query demo --param when=2016-01-01\n"
        "SELECT ?x WHERE { ?x ?p ?name FILTER(?when) }\n",
        name="demo",
    )
    assert q.title == "Demo"
    assert q.description == "first line and its continuation"
    name, when = q.parameters
    assert (name.name, name.type, name.default, name.required) == ("name", "string", "Cap Digital", False)
    assert name.description == "part of a name, case ignored"
    assert when.required and when.default is None
    assert q.bindings({"when": "2016-01-01"}) == {"name": Literal("Cap Digital"), "when": Literal("2016-01-01", datatype=XSD.date)}


@pytest.mark.parametrize(
    "header, message",
    [
        ("# param: x\n", "malformed parameter line"),
        ("# param: x xsd:time\n", "unknown parameter type 'xsd:time'"),
        ("# param: y IRI\n", "parameter 'y' binds no variable"),
        ("# param: x xsd:integer = many\n", "must be an xsd:integer"),
    ],
)
def test_broken_headers_are_reported(header, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        library.parse(header + "SELECT ?x WHERE { ?x ?p ?o }", name="broken")


@pytest.mark.parametrize(
    "value, kind, term",
    [
        ("cgid:project/cecil", "IRI", ID["project/cecil"]),
        ("<https://w3id.org/clustergraph/id/project/cecil>", "IRI", ID["project/cecil"]),
        ("https://w3id.org/clustergraph/id/project/cecil", "IRI", ID["project/cecil"]),
        ("cg:Gold", "IRI", CG.Gold),
        (URIRef("http://ex.org/a"), "IRI", URIRef("http://ex.org/a")),
        ("Cap Digital", "string", Literal("Cap Digital")),
        ("2", "xsd:integer", Literal(2)),
        (7, "xsd:integer", Literal(7)),
        ("250000.50", "xsd:decimal", Literal(Decimal("250000.50"))),
        (0.5, "xsd:double", Literal(0.5)),
        ("2016-12-31", "xsd:date", Literal("2016-12-31", datatype=XSD.date)),
        (dt.date(2016, 12, 31), "xsd:date", Literal("2016-12-31", datatype=XSD.date)),
        ("2016", "xsd:gYear", Literal("2016", datatype=XSD.gYear)),
        ("true", "xsd:boolean", Literal(True)),
        (Literal("2016-12-31", datatype=XSD.date), "xsd:date", Literal("2016-12-31", datatype=XSD.date)),
        ("<http://ex.org/a>", "any", URIRef("http://ex.org/a")),
        ("plain text", "any", Literal("plain text")),
        (3, "any", Literal(3)),
    ],
)
def test_values_become_terms(value, kind, term):
    assert library.to_term(value, kind) == term


@pytest.mark.parametrize(
    "value, kind",
    [
        ("not an iri", "IRI"),
        ("unknownprefix:x", "IRI"),
        (3, "IRI"),
        ("two", "xsd:integer"),
        (True, "xsd:integer"),
        ("1.5", "xsd:integer"),
        ("2016-02-30", "xsd:date"),
        ("31/12/2016", "xsd:date"),
        (dt.datetime(2016, 1, 1), "xsd:date"),
        ("16", "xsd:gYear"),
        ("maybe", "xsd:boolean"),
        ("12,5", "xsd:decimal"),
        (URIRef("http://ex.org/a"), "string"),
        (Literal("2016", datatype=XSD.gYear), "xsd:date"),
    ],
)
def test_wrong_types_name_the_parameter_the_type_and_an_example(value, kind):
    with pytest.raises(ParameterError) as err:
        library.to_term(value, kind, name="when", query="demo")
    text = str(err.value)
    assert "parameter 'when' of query 'demo'" in text
    assert f"must be {library.TYPES[kind][0]}" in text
    assert "fix: e.g. --param when=" in text


def test_unknown_parameter_lists_the_known_ones():
    q = library.get("labels-on-date")
    with pytest.raises(ParameterError) as err:
        q.bindings({"day": "2016-12-31"})
    assert "has no parameter 'day'" in str(err.value)
    assert "date (xsd:date, default 2016-12-31)" in str(err.value)


def test_required_parameter_must_be_given_and_optional_ones_stay_free():
    with pytest.raises(ParameterError, match="needs the parameter 'name'"):
        library.get("organisations-by-name").bindings({})
    assert library.get("projects-per-call").bindings({}) == {}
    assert library.get("labels-on-date").bindings({}) == {"date": Literal("2016-12-31", datatype=XSD.date)}
    assert library.get("labels-on-date").bindings({"level": "cg:Gold", "date": None})["level"] == CG.Gold


def test_unknown_query_names_suggest_close_ones():
    with pytest.raises(QueryError) as err:
        library.get("coordinator")
    assert "no query named 'coordinator'" in str(err.value)
    assert "coordinators" in str(err.value)
    with pytest.raises(QueryError):
        library.get("../pyproject")


def test_adhoc_queries_accept_their_variables_only():
    q = library.parse("SELECT ?p WHERE { ?p <http://ex.org/name> ?name }", name="adhoc")
    assert not q.declared
    assert q.bindings({"name": "x"}) == {"name": Literal("x")}
    assert q.bindings({"?p": "<http://ex.org/a>"}) == {"p": URIRef("http://ex.org/a")}
    with pytest.raises(ParameterError, match="no parameter 'nom'"):
        q.bindings({"nom": "x"})


def test_read_reports_missing_files(tmp_path):
    with pytest.raises(QueryError, match="query file not found"):
        library.read(tmp_path / "nope.rq")
    (tmp_path / "mine.rq").write_text("# title: Mine\n# param: n xsd:integer = 1 -- n\nSELECT ?n WHERE { BIND(?n AS ?m) }")
    q = library.read(tmp_path / "mine.rq")
    assert (q.name, q.title, q.parameters[0].name) == ("mine", "Mine", "n")
    assert [x.name for x in library.list_queries(tmp_path)] == ["mine"]
