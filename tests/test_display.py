"""Result objects read well in Jupyter and in a repr: one short line, escaped HTML tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from rdflib import Graph, Literal, URIRef

from clustergraph.build import BuildResult
from clustergraph.errors import Problem
from clustergraph.generate import GenerateStats
from clustergraph.ingest.importer import ImportReport, SourceReport
from clustergraph.namespaces import CG, ID
from clustergraph.network.metrics import NetworkReport
from clustergraph.publishing.site import PublishResult
from clustergraph.query import open_data, run
from clustergraph.reasoning.reasoners import ReasoningResult
from clustergraph.store.upload import PushResult
from clustergraph.validation.report import Finding, ValidationReport

EVIL = '<script>alert("x")</script>'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)

    def handle_data(self, data):  # noqa: ANN001
        self.text.append(data)


def parsed(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def data():
    return open_data()


def _finding(message=f"Too high {EVIL}. Fix: check {EVIL}.", name=EVIL, severity="Violation", focus="project/cecil"):
    return Finding(ID[focus], CG.euContribution, severity, message, Literal(EVIL), None, None, entity_name=name, source_file="projects.csv", source_row=3)


def _objects(data):
    report = ValidationReport([_finding(), _finding(severity="Warning"), _finding(focus="project/x", name="X")])
    g = nx.Graph()
    g.add_edge("a", "b")
    return {
        "query": run(data, "coordinators"),
        "ask": run(data, "holds-label", {"organisation": "cgid:organisation/ditenave"}),
        "construct": run(data, "collaboration-network"),
        "validation": report,
        "build": BuildResult(dataset=None, files=[Path("out/clustergraph.ttl")], triples=1200, counts={"cg:Project": 12, EVIL: 1}, report=report, highlights=[EVIL]),
        "reasoning": ReasoningResult(Graph(), True, "rules", 0.5, classes={"cg:GoldLabelledCluster": 2}, properties={EVIL: 1}),
        "network": NetworkReport(g, pd.DataFrame(), [{"a", "b"}], {"organisations": 2, "density": 1.0, "name": EVIL}, [EVIL]),
        "import": ImportReport([SourceReport("t.csv", URIRef("urn:g"), "table", 10, 2, "t.csv-metadata.json", skipped=[Problem("t.csv", EVIL, row=2)])]),
        "push": PushResult("urn:graph", 10, "gsp", 0.1),
        "publish": PublishResult(Path("site"), 12, [Problem("x", EVIL)]),
        "generate": GenerateStats(Path("g.nt"), 100000, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0.01, {"dates": 1}),
    }


@pytest.mark.parametrize("name", ["query", "ask", "construct", "validation", "build", "reasoning", "network", "import", "push", "publish", "generate"])
def test_repr_is_one_short_line_and_html_is_escaped(data, name):
    obj = _objects(data)[name]
    text = repr(obj)
    assert "\n" not in text and len(text) <= 200 and text.startswith("<"), text
    html = obj._repr_html_()
    assert "<script" not in html, "every value is escaped"
    tags = parsed(html)
    assert "table" in tags.tags and "script" not in tags.tags


def test_query_result_shows_labels_and_links(data):
    result = run(data, "coordinators")
    assert repr(result) == "<QueryResult SELECT coordinators: 2 rows × organisation, name, country, project, acronym, call>"
    html = result._repr_html_()
    assert '<a href="https://w3id.org/clustergraph/id/project/cecil" title="https://w3id.org/clustergraph/id/project/cecil">CECIL</a>' in html
    assert "Coordinators and their projects: 2 rows" in html
    assert repr(run(data, "holds-label", {"organisation": "cgid:organisation/ditenave"})) == "<QueryResult ASK holds-label: false>"


def test_dataframe_with_labels_and_compact_iris(data):
    df = run(data, "eu-contribution-by-country").to_dataframe(labels=True, compact=True)
    assert all(v.startswith("country:") for v in df["country"].dropna())
    assert str(df["country"].dtype) == "string" and df.index.equals(pd.RangeIndex(len(df)))
    plain = run(data, "coordinators").to_dataframe()
    assert plain["project"].iloc[0].startswith("https://"), "IRIs stay in full by default"
    labelled = run(data, "coordinators").to_dataframe(labels=True)
    assert labelled.columns.get_loc("project_label") == labelled.columns.get_loc("project") + 1
    assert set(labelled["project_label"]) == {"CECIL", "INNO-DROP"}


def test_validation_report_groups_by_entity_with_counts():
    report = ValidationReport([_finding(), _finding(severity="Warning"), _finding(focus="project/x", name="X")])
    html = report._repr_html_()
    assert repr(report) == "<ValidationReport (pyshacl): 2 violations, 1 warning, 0 info; does not conform (fails on violation)>"
    heads = re.findall(r'<th colspan="5"[^>]*>(.*?)</th>', html)
    assert len(heads) == 2 and "(2 findings)" in heads[0] and "projects.csv:3" in heads[0] and "(1 finding)" in heads[1]
    assert "&lt;script&gt;" in html


def test_network_table_reads_with_compact_iris(data):
    from clustergraph.network import analyse

    report = analyse(data, None, metrics=False)
    df = report.to_dataframe()
    assert all(i.startswith("cgid:organisation/") for i in df.index)
    assert str(df["name"].dtype) == "string" and str(df["degree"].dtype) == "int64"
    assert report.table.index[0].startswith("https://"), "the report's own table is unchanged"
