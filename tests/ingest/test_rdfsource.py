"""RDF import: six formats, detected from content, explicit base, errors with line and column."""

from __future__ import annotations

import doctest

import pytest
from rdflib import Graph, URIRef

from clustergraph.errors import InputError
from clustergraph.ingest import rdfsource
from clustergraph.ingest.rdfsource import detect_format, parse_rdf

CG = "https://w3id.org/clustergraph/ontology#"
SAMPLE = Graph().parse(
    data=f"""@prefix cg: <{CG}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/clustergraph/id/organisation/zinnae> a cg:ClusterOrganisation ;
    rdfs:label "ZINNAE"@es ; cg:member [ rdfs:label "anon" ] .""",
    format="turtle",
)


def test_doctests():
    assert doctest.testmod(rdfsource).failed == 0


@pytest.mark.parametrize(
    ("rdflib_format", "expected", "wrong_name"),
    [
        ("turtle", "turtle", "data.nt"),
        ("nt", "ntriples", "data.ttl"),
        ("nquads", "nquads", "data.ttl"),
        ("trig", "trig", "data.nt"),
        ("xml", "rdfxml", "data.ttl"),
        ("json-ld", "jsonld", "data.ttl"),
    ],
)
def test_every_format_is_read_even_when_the_extension_lies(rdflib_format, expected, wrong_name):
    if rdflib_format in ("nquads", "trig"):
        from rdflib import Dataset

        ds = Dataset()
        g = ds.graph(URIRef("https://example.org/g"))
        for t in SAMPLE:
            g.add(t)
        data = ds.serialize(format=rdflib_format, encoding="utf-8")
    else:
        data = SAMPLE.serialize(format=rdflib_format, encoding="utf-8")
    quads, fmt = parse_rdf(data, name=wrong_name)
    assert fmt == expected
    g = Graph()
    for s, p, o, _ in quads:
        g.add((s, p, o))
    from rdflib.compare import isomorphic

    assert isomorphic(g, SAMPLE)


def test_relative_iris_get_the_explicit_base_never_file():
    quads, _ = parse_rdf(b"<organisation/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .", name="x.ttl")
    assert str(quads[0][0]) == "https://w3id.org/clustergraph/id/organisation/x"
    quads, _ = parse_rdf(b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                         b'xmlns:s="https://schema.org/"><rdf:Description rdf:about="#me"><s:name>x</s:name></rdf:Description></rdf:RDF>',
                         name="x.rdf", base="https://example.org/doc")
    assert str(quads[0][0]) == "https://example.org/doc#me"


@pytest.mark.parametrize(
    ("data", "name", "line"),
    [
        (b"@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n<a> a cg:Project .\n<b> a cg:Project \n<c> a .\n", "bad.ttl", 4),
        (b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", "bad.nt", 2),
        (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description>\n</rdf:RDF>\n', "bad.rdf", 4),
        (b'{\n  "@id": "x",\n  "name": \n}\n', "bad.jsonld", 4),
    ],
)
def test_malformed_rdf_names_file_and_line(data, name, line):
    with pytest.raises(InputError) as info:
        parse_rdf(data, name=name)
    assert info.value.file == name and info.value.line == line
    assert f"line {line}" in str(info.value)


def test_remote_jsonld_context_is_refused():
    with pytest.raises(InputError, match="@context <https://schema.org/> is remote") as info:
        parse_rdf(b'{"@context": "https://schema.org/", "@id": "x", "name": "n"}', name="x.jsonld")
    assert "inline" in info.value.fix


def test_empty_file_and_detection():
    with pytest.raises(InputError, match="empty"):
        parse_rdf(b"  \n", name="x.ttl")
    assert detect_format(b"PREFIX cg: <x#>\n<a> cg:b <c> .", "x.nt") == "turtle"
    assert detect_format(b"@prefix cg: <x#> .\n<g> { <a> cg:b <c> . }", "x.ttl") == "trig"
    assert detect_format(b'<http://a> <http://b> "c" .\n', "x.ttl") == "ntriples"


# --- '[' opens Turtle as well as JSON-LD; literals kept as written -----------------------


@pytest.mark.parametrize(
    "data",
    [
        b"[] <http://ex.org/p> <http://ex.org/o> .",
        b"[ <http://ex.org/p> <http://ex.org/o> ] .",
        b"[ <http://ex.org/p> [ <http://ex.org/q> 1 ] ] <http://ex.org/r> 2 .",
        b"\n  [] <http://ex.org/p> 1 .",
    ],
)
def test_turtle_starting_with_a_blank_node_is_turtle(data: bytes) -> None:
    assert detect_format(data, "data.ttl") == "turtle"
    quads, fmt = parse_rdf(data, name="data.ttl")
    assert fmt == "turtle" and quads


@pytest.mark.parametrize(
    "data",
    [b'[{"@id": "http://ex.org/a", "http://ex.org/p": "x"}]', b"[]", b" [ ]\n", b'[{"@id": "http://ex.org/a",'],
    ids=["array", "empty", "empty-spaced", "malformed"],
)
def test_a_json_array_is_json_ld(data: bytes) -> None:
    assert detect_format(data, "data.ttl") == "jsonld"


def test_a_big_json_array_is_told_by_its_first_tokens() -> None:
    big = b"[" + b",".join(b'{"@id": "http://ex.org/a%d", "http://ex.org/p": "x"}' % i for i in range(40_000)) + b"]"
    assert len(big) > 1024 * 1024
    assert detect_format(big, "big.json") == "jsonld"
    turtle = b"[] <http://ex.org/p> <http://ex.org/o> .\n" + b"<http://ex.org/s> <http://ex.org/p> 1 .\n" * 40_000
    assert len(turtle) > 1024 * 1024
    assert detect_format(turtle, "big.ttl") == "turtle"


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")
def test_literals_keep_their_lexical_form() -> None:
    data = b'<http://ex.org/a> <http://ex.org/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer>, +1, 1E0, "maybe"^^<http://www.w3.org/2001/XMLSchema#boolean> .'
    quads, _ = parse_rdf(data, name="x.ttl", format="turtle")
    assert sorted(str(q[2]) for q in quads) == ["+1", "01", "1E0", "maybe"]
