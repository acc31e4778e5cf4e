"""The %sparql / %%sparql magics in a real IPython shell: answers, variables, bound values."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from clustergraph import bindings


@pytest.fixture(scope="module")
def ip():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "clustergraph")
    yield shell
    InteractiveShell.clear_instance()


def cell(ip, line, body):
    return ip.run_cell_magic("sparql", line, body)


Q = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
SELECT ?acronym ?budget WHERE { ?p cg:acronym ?acronym ; cg:totalBudget ?budget } ORDER BY ?acronym"""


def test_cell_magic_gives_a_dataframe_and_stores_it(ip):
    df = cell(ip, "", Q)
    assert list(df.columns) == ["acronym", "budget"] and str(df["budget"].dtype) == "float64"
    assert "CECIL" in set(df["acronym"])
    assert cell(ip, "--out budgets", Q) is None
    assert ip.user_ns["budgets"].equals(df)


def test_line_magic_runs_a_named_query_with_python_values_bound(ip, monkeypatch):
    seen = []
    real = bindings.inject_values
    monkeypatch.setattr("clustergraph.query.execution.inject_values", lambda text, b: seen.append((text, dict(b))) or real(text, b))
    ip.user_ns["year"] = 2016
    df = ip.run_line_magic("sparql", "projects-in-year year=$year")
    assert len(df) == 12
    text, bound = seen[-1]
    from clustergraph.query import get

    assert text == get("projects-in-year").text and str(bound["year"]) == "2016", "the value is bound, not pasted"
    labelled = ip.run_line_magic("sparql", "coordinators --labels --compact")
    assert set(labelled["project_label"]) == {"CECIL", "INNO-DROP"} and labelled["project"].iloc[0].startswith("cgid:")


def test_cell_parameters_are_bound_not_pasted(ip):
    ip.user_ns["name"] = 'CECIL"} UNION {?p ?x ?y'
    evil = cell(ip, "--param acronym=$name", "PREFIX cg: <https://w3id.org/clustergraph/ontology#>\nSELECT ?p WHERE { ?p cg:acronym ?acronym }")
    assert len(evil) == 0
    ip.user_ns["name"] = "CECIL"
    assert len(cell(ip, "--param acronym=$name", "PREFIX cg: <https://w3id.org/clustergraph/ontology#>\nSELECT ?p WHERE { ?p cg:acronym ?acronym }")) == 1


def test_a_store_folder_and_a_result(ip, tmp_path):
    from clustergraph.query import open_data

    open_data(path=tmp_path / "store").close()
    result = ip.run_line_magic("sparql", f"--store {tmp_path / 'store'} --result holds-label organisation=cgid:organisation/ditenave")
    assert result.kind == "ASK" and result.boolean is False


def test_errors_are_one_line(ip):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="no Python variable 'missing'"):
        ip.run_line_magic("sparql", "projects-in-year year=$missing")
    with pytest.raises(UsageError, match="no query named 'nope'"):
        ip.run_line_magic("sparql", "nope")


def test_data_files_are_read_at_each_run(ip, tmp_path):
    data = tmp_path / "mine.ttl"
    q = "PREFIX cg: <https://w3id.org/clustergraph/ontology#>\nSELECT ?a WHERE { ?p cg:acronym ?a }"
    data.write_text('<urn:p> <https://w3id.org/clustergraph/ontology#acronym> "ONE" .\n')
    assert cell(ip, f"--data {data}", q)["a"].tolist() == ["ONE"]
    data.write_text('<urn:p> <https://w3id.org/clustergraph/ontology#acronym> "TWO" .\n')
    assert cell(ip, f"--data {data}", q)["a"].tolist() == ["TWO"]
