"""The fast result path (Oxigraph's own serialisers) gives the same answers as the plain path.

Every library query on the embedded dataset, and a small graph with every kind of term
(language tags, datatypes, blank nodes, unbound cells, escapes, formula-like cells), is
written both ways: CSV byte for byte, TSV and JSON term for term, DataFrames value and
dtype for dtype.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clustergraph import store
from clustergraph.cli import main
from clustergraph.query import execution, library, results

TRICKY = b"""@prefix ex: <http://ex.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p "plain", "tab\\there", "line\\nbreak \\"q\\" back\\\\slash", "=1+2", "-5", "@cmd", "+33 1"@en, "x,y",
  "chat"@fr, 5, -3, 1.5, 1e3, true, "2016-01-01"^^xsd:date, "2016"^^xsd:gYear, "abc"^^ex:dt, _:b1, ex:b,
  "\\u00e9t\\u00e9", "", "\\r", "2020-05-01T10:00:00Z"^^xsd:dateTime .
ex:a ex:n 1, 2.5 .
ex:a ex:d "2016-01-01"^^xsd:date .
ex:b ex:n 7 .
"""
TRICKY_QUERIES = [
    "SELECT ?s ?o ?x WHERE { ?s <http://ex.org/p> ?o OPTIONAL { ?o ?q ?x } } ORDER BY STR(?o)",
    "SELECT ?n WHERE { ?s <http://ex.org/n> ?n } ORDER BY ?n",
    "SELECT ?d ?missing WHERE { ?s <http://ex.org/d> ?d OPTIONAL { ?s <http://ex.org/none> ?missing } }",
    "SELECT ?missing WHERE { ?s <http://ex.org/d> ?d OPTIONAL { ?s <http://ex.org/none> ?missing } }",
    "SELECT ?o WHERE { ?s <http://ex.org/p> ?o FILTER(isLiteral(?o) && lang(?o) != '') } ORDER BY ?o",
    "SELECT ?o WHERE { ?s <http://ex.org/p> ?o FILTER(false) }",
]


@pytest.fixture(scope="module")
def embedded():
    return execution.open_data()


@pytest.fixture(scope="module")
def tricky():
    ds = store.open_dataset()
    store.load(ds, TRICKY, format="turtle", graph="http://ex.org/g")
    return ds


#: Values for the library queries whose parameters have no default.
PARAMS = {"holds-label": {"organisation": "cgid:organisation/cap-digital"}, "organisations-by-name": {"name": "cluster"}}


def _cases(embedded, tricky):
    for named in library.list_queries():
        if named.form == "SELECT":
            yield embedded, named.name, PARAMS.get(named.name)
    for q in TRICKY_QUERIES:
        yield tricky, q, None


def _streamed(ds, query, fmt, params=None, **kw) -> bytes:
    out = io.BytesIO()
    results.stream(ds, query, out, fmt, params, **kw)
    return out.getvalue()


def _terms(data: bytes, fmt) -> list[tuple]:
    parsed = ox.parse_query_results(data, format=fmt)
    return [tuple(solution[i] for i in range(len(parsed.variables))) for solution in parsed]


@pytest.mark.parametrize("safe", [True, False])
def test_csv_is_byte_for_byte_the_plain_csv(embedded, tricky, safe):
    for ds, query, params in _cases(embedded, tricky):
        plain = execution.run(ds, query, params).to_csv(spreadsheet_safe=safe).encode()
        assert _streamed(ds, query, "csv", params, spreadsheet_safe=safe) == plain, query


@pytest.mark.parametrize("block", [1, 7, 64])
def test_csv_read_in_small_blocks_is_the_same(embedded, tricky, monkeypatch, block):
    # clean blocks are copied, the others go through the csv module record by record;
    # tiny blocks cut quoted cells, line breaks and formula-like cells at every place
    for ds, query, params in _cases(embedded, tricky):
        whole = _streamed(ds, query, "csv", params)
        with monkeypatch.context() as m:
            m.setattr(results, "CSV_BLOCK", block)
            assert _streamed(ds, query, "csv", params) == whole, query
            assert _streamed(ds, query, "csv", params, spreadsheet_safe=False) == execution.run(ds, query, params).to_csv(spreadsheet_safe=False).encode()


def test_spreadsheet_safety_is_kept(tricky):
    safe = _streamed(tricky, TRICKY_QUERIES[0], "csv").decode()
    raw = _streamed(tricky, TRICKY_QUERIES[0], "csv", spreadsheet_safe=False).decode()
    assert "'=1+2" in safe and "'@cmd" in safe and "'+33 1" in safe and ",-5," in safe
    assert ",=1+2," in raw and "'=" not in raw


def test_tsv_and_json_give_the_same_terms(embedded, tricky):
    for ds, query, params in _cases(embedded, tricky):
        result = execution.run(ds, query, params)
        fast_tsv = _streamed(ds, query, "tsv", params)
        assert _terms(fast_tsv, ox.QueryResultsFormat.TSV) == _terms(result.to_tsv().encode(), ox.QueryResultsFormat.TSV), query
        fast, plain = json.loads(_streamed(ds, query, "json", params)), json.loads(result.to_json())
        assert fast == plain, query
        assert _terms(_streamed(ds, query, "json", params), ox.QueryResultsFormat.JSON) == _terms(fast_tsv, ox.QueryResultsFormat.TSV)


def test_dataframes_are_equal(embedded, tricky):
    for ds, query, params in _cases(embedded, tricky):
        plain = execution.run(ds, query, params).to_dataframe()
        fast = results.dataframe(ds, query, params)
        pd.testing.assert_frame_equal(fast, plain, check_exact=True, obj=query)


def test_blank_nodes_language_tags_and_unbound_cells(tricky):
    frame = results.dataframe(tricky, TRICKY_QUERIES[0])
    assert frame["o"].str.startswith("_:").sum() == 1
    assert frame["x"].isna().sum() == len(frame) - 1  # only ex:b has a value (7)
    doc = json.loads(_streamed(tricky, TRICKY_QUERIES[4], "json"))
    assert {b["o"]["xml:lang"] for b in doc["results"]["bindings"]} == {"en", "fr"}
    assert results.dataframe(tricky, TRICKY_QUERIES[3])["missing"].isna().all()


def test_parameters_graphs_and_other_stores(embedded, tmp_path):
    params = {"organisation": "cgid:organisation/cap-digital"}
    fast = _streamed(embedded, "co-participants", "csv", params)
    assert fast == execution.run(embedded, "co-participants", params).to_csv().encode() and fast.count(b"\r\n") > 1
    target = tmp_path / "graph.ttl"
    assert results.stream(embedded, "collaboration-network", target, "turtle") > 0
    # a graph goes through Oxigraph's Turtle serializer: the same triples as the plain path, other bytes
    turtle = execution.run(embedded, "collaboration-network").to_turtle()
    assert sorted(map(str, ox.parse(path=target, format=ox.RdfFormat.TURTLE))) == sorted(map(str, ox.parse(turtle, format=ox.RdfFormat.TURTLE)))
    memory = execution.open_data(kind="memory")
    assert _streamed(memory, "coordinators", "csv") == execution.run(embedded, "coordinators").to_csv().encode()
    pd.testing.assert_frame_equal(results.dataframe(memory, "coordinators"), results.dataframe(embedded, "coordinators"))


def test_stream_to_a_file_counts_rows(embedded, tmp_path):
    target = tmp_path / "out.tsv"
    rows = results.stream(embedded, "coordinators", target, "tsv")
    assert rows == len(execution.run(embedded, "coordinators")) == len(target.read_text().splitlines()) - 1


def test_cli_out_writes_the_same_file(tmp_path):
    runner = CliRunner()
    target = tmp_path / "co.csv"
    done = runner.invoke(main, ["query", "coordinators", "--format", "csv", "--out", str(target)])
    assert done.exit_code == 0, done.output
    printed = runner.invoke(main, ["query", "coordinators", "--format", "csv"])
    assert target.read_bytes() == printed.stdout_bytes
    assert target.read_bytes() == execution.run(execution.open_data(), "coordinators").to_csv().encode()
    by_suffix = runner.invoke(main, ["query", "coordinators", "--out", str(tmp_path / "co.json")])
    assert by_suffix.exit_code == 0 and json.loads((tmp_path / "co.json").read_text())["head"]["vars"][0] == "organisation"
