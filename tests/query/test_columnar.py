"""The columnar plan of ``co-participants`` gives the bytes Oxigraph's own evaluation gives.

The same query text with a no-op ``FILTER (true)`` added has no plan, so it runs in
Oxigraph and goes through Oxigraph's result writers; both are written as CSV (safe and
not), TSV and JSON and compared byte for byte, and read into DataFrames compared value
and dtype for dtype. ``collaboration-network`` (CONSTRUCT) is compared triple for triple
with Oxigraph's evaluation and with the plain path (rdflib terms). All this on participations with awkward labels (escapes, tabs, formula-like
text, equal names, several labels, none, language tags), duplicated across graphs, with
and without the ``organisation`` parameter, and on a generated graph.
"""

from __future__ import annotations

import io

import pandas as pd
import pyoxigraph as ox
import pytest

from clustergraph import store
from clustergraph.generate import generate
from clustergraph.query import columnar, execution, library, results

CG = "https://w3id.org/clustergraph/ontology#"
DATA = """@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix o: <http://ex.org/org/> . @prefix p: <http://ex.org/project/> .
o:a rdfs:label "Alpha" . o:b rdfs:label "=cmd|calc", "Zed"@en . o:c rdfs:label "tab\\there \\"q\\" back\\\\slash" .
o:d rdfs:label "Alpha" . o:e rdfs:label "\\u00e9t\\u00e9 \\b\\f\\u0001 \\u2028" . o:g rdfs:label "" .
o:h rdfs:label "-5" . o:i rdfs:label "Zed, \\"the\\" last\\r\\nline" .
[] cg:participant o:a ; cg:project p:1 . [] cg:participant o:b ; cg:project p:1 .
[] cg:participant o:c ; cg:project p:1 . [] cg:participant o:d ; cg:project p:1, p:2 .
[] cg:participant o:a ; cg:project p:2 . [] cg:participant o:e ; cg:project p:2 .
[] cg:participant o:f ; cg:project p:2 . [] cg:participant o:g ; cg:project p:3 .
[] cg:participant o:h ; cg:project p:3 . [] cg:participant o:i ; cg:project p:3 .
[] cg:participant o:a ; cg:project p:3 . [] cg:participant o:alone ; cg:project p:4 .
<http://ex.org/org/x%20y> rdfs:label "Alpha" . [] cg:participant <http://ex.org/org/x%20y> ; cg:project p:2 .
"""
#: The same participations again in a second graph: the default graph (their union) holds each twice.
AGAIN = """@prefix cg: <https://w3id.org/clustergraph/ontology#> .
<http://ex.org/part/1> cg:participant <http://ex.org/org/a> ; cg:project <http://ex.org/project/1> .
<http://ex.org/part/2> cg:participant <http://ex.org/org/b> ; cg:project <http://ex.org/project/1> .
"""


def _sparql_twin():
    """The shipped query with a no-op filter: no plan, so Oxigraph evaluates it."""
    text = library.get("co-participants").text
    twin = text.replace("FILTER (?partner != ?organisation)", "FILTER (?partner != ?organisation) FILTER (true)")
    assert twin != text
    return library.parse(twin, name="co-participants")


@pytest.fixture(scope="module")
def awkward():
    ds = store.open_dataset()
    store.load(ds, DATA.encode(), format="turtle", graph="http://ex.org/g1")
    store.load(ds, AGAIN.encode(), format="turtle", graph="http://ex.org/g2")
    store.load(ds, AGAIN.encode(), format="turtle", graph="http://ex.org/g3")
    return ds


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("columnar") / "generated.nt"
    generate(path, organisations=300, projects=400, seed=3, error_rate=0.05)
    ds = store.open_dataset()
    store.load(ds, path, format="nt", graph="https://w3id.org/clustergraph/graph/generated")
    return ds


def _written(ds, query, fmt, params=None, **kw) -> tuple[bytes, int | None]:
    out = io.BytesIO()
    n = results.stream(ds, query, out, fmt, params, **kw)
    return out.getvalue(), n


def test_the_shipped_query_has_a_plan_and_an_edited_one_has_none():
    named = library.get("co-participants")
    assert columnar.plan_for(named) is columnar.co_participants
    assert columnar.plan_for(_sparql_twin()) is None
    assert columnar.fingerprint(named.text + "\n# a comment\n") == columnar.fingerprint(named.text)


@pytest.mark.parametrize("params", [None, {"organisation": "http://ex.org/org/a"}, {"organisation": "http://ex.org/org/alone"}, {"organisation": "http://ex.org/org/nobody"}])
@pytest.mark.parametrize("fmt,kw", [("csv", {}), ("csv", {"spreadsheet_safe": False}), ("tsv", {}), ("json", {})])
def test_the_plan_writes_the_bytes_of_the_sparql_evaluation(awkward, params, fmt, kw):
    planned, n_planned = _written(awkward, "co-participants", fmt, params, **kw)
    evaluated, n_evaluated = _written(awkward, _sparql_twin(), fmt, params, **kw)
    assert planned == evaluated
    assert n_planned == n_evaluated
    if params is None and fmt == "csv":
        assert n_planned == 42 and b"Alpha" in planned and b"'=cmd|calc" * bool(kw == {}) in planned


def test_the_plan_reads_into_the_same_dataframe(awkward):
    planned = results.dataframe(awkward, "co-participants")
    evaluated = results.dataframe(awkward, _sparql_twin())
    assert planned.equals(evaluated)
    assert planned.dtypes.astype(str).tolist() == ["string", "string", "string", "string", "Int64"]
    # f has no label: unbound names sort first; its partners a, d and x%20y are all called Alpha, so the IRIs order them
    assert planned["organisation"].iloc[0] == "http://ex.org/org/f" and pd.isna(planned["organisationName"].iloc[0])
    assert planned["partner"].iloc[:3].tolist() == ["http://ex.org/org/a", "http://ex.org/org/d", "http://ex.org/org/x%20y"]
    # a and d share projects 1 and 2 (and the duplicated graphs count each project once)
    pair = planned[(planned["organisation"] == "http://ex.org/org/a") & (planned["partner"] == "http://ex.org/org/d")]
    assert pair["sharedProjects"].tolist() == [2]


def test_an_organisation_that_is_no_iri_is_left_to_sparql(awkward):
    ds = store.open_dataset()
    store.load(ds, DATA.encode() + b"[] <%b> _:x ; <%b> <http://ex.org/project/1> .\n" % ((CG + "participant").encode(), (CG + "project").encode()), format="turtle", graph="http://ex.org/g")
    assert columnar.co_participants(store.oxigraph(ds), {}) is None
    assert _written(ds, "co-participants", "tsv")[0] == _written(ds, _sparql_twin(), "tsv")[0]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_generated_data_gives_the_same_bytes(generated, fmt):
    planned, n = _written(generated, "co-participants", fmt)
    assert n > 1000
    assert planned == _written(generated, _sparql_twin(), fmt)[0]


def _network_twin():
    text = library.get("collaboration-network").text
    return library.parse(text.replace("FILTER (?partner != ?organisation)", "FILTER (?partner != ?organisation) FILTER (true)"), name="collaboration-network")


def _triples(turtle: bytes) -> list[str]:
    return sorted(str(t) for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("params", [None, {"project": "http://ex.org/project/2"}, {"project": "http://ex.org/project/4"}])
def test_the_network_plan_builds_the_graph_sparql_builds(awkward, params):
    planned, n = _written(awkward, "collaboration-network", "turtle", params)
    evaluated, m = _written(awkward, _network_twin(), "turtle", params)
    plain = execution.run(awkward, "collaboration-network", params).to_turtle().encode()
    assert _triples(planned) == _triples(evaluated) == _triples(plain)
    assert n == m == len(_triples(plain))
    if params is None:
        assert n == 42 + 10  # 42 links, and the labels of the 10 linked organisations (b has two, f none)
    assert planned.startswith(b"@prefix ") or n == 0


def test_generated_network_and_other_constructs_through_oxigraphs_serializer(generated):
    planned, n = _written(generated, "collaboration-network", "turtle")
    assert n > 1000 and _triples(planned) == _triples(_written(generated, _network_twin(), "turtle")[0])
    query = "CONSTRUCT { ?p <http://ex.org/named> ?name } WHERE { ?p a cg:Project ; cg:acronym ?name } "
    streamed, n = _written(generated, query, "turtle")
    assert n > 100 and _triples(streamed) == _triples(execution.run(generated, query).to_turtle().encode())
