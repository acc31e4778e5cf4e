"""Reports (text, JSON, SHACL Turtle) and the exit status of `clustergraph validate`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from clustergraph.cli import main
from clustergraph.namespaces import CG, ID
from clustergraph.validation.engine import validate
from clustergraph.validation.report import (
    FINDING_KEYS,
    JSON_KEYS,
    Finding,
    ValidationReport,
    render,
    summary,
    to_graph,
)
from clustergraph.validation.shapes import SHAPES

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid.ttl"
TEN = FIXTURES / "ten-mistakes.ttl"


@pytest.fixture(scope="module")
def ten():
    return validate(TEN)


# --- text ----------------------------------------------------------------------------


def test_text_groups_findings_by_entity_with_name_iri_and_row(ten) -> None:
    text = ten.to_text()
    blocks = [b for b in text.strip().split("\n\n")]
    assert len(blocks) == 11  # ten entities and the summary
    cecil = next(b for b in blocks if b.startswith("CECIL"))
    head, line = cecil.splitlines()
    assert head == f"CECIL  <{ID['project/cecil']}>  data/projects.csv:4"
    # the line of the data file where the offending value is written comes before the message
    assert line.startswith(f"  Violation  cg:euContribution  {TEN}:47  The EU contribution (299450 EUR) is higher than the total budget (247283 EUR). Fix: ")
    assert "Violation  cg:euContribution  The EU contribution (299450 EUR)" in validate(Graph().parse(TEN)).to_text()  # a graph has no file lines
    assert "Danish Sound in CECIL" in text and "The role 'Partner' is not one of" in text
    assert blocks[-1] == "8 violations, 2 warnings, 0 info: does not conform (fails on violation)"
    # violations first, then warnings
    severities = [line.split()[0] for line in text.splitlines() if line.startswith("  ")]
    assert severities == sorted(severities, key=["Violation", "Warning", "Info"].index)


def test_text_without_summary_and_with_colour(ten) -> None:
    assert "violations" not in ten.to_text(summary=False).splitlines()[-1]
    assert "\x1b[31mViolation" in ten.to_text(color=True)
    assert "\x1b[" not in ten.to_text()


def test_summary_counts_per_severity() -> None:
    f = Finding(ID["x"], None, "Warning", "Odd. Fix: look.", None, None, None)
    assert summary(ValidationReport([f, f.with_(severity="Info"), f.with_(severity="Violation")] * 2)) == "2 violations, 2 warnings, 2 info"
    assert summary(ValidationReport([f])) == "0 violations, 1 warning, 0 info"


def test_finding_problem_and_fix() -> None:
    f = Finding(ID["x"], None, "Violation", "The budget is negative. Fix: drop the minus sign.", None, None, None)
    assert (f.problem, f.fix) == ("The budget is negative.", "drop the minus sign.")
    generic = f.with_(message="Less than 1 values on ex:x->ex:p")
    assert (generic.problem, generic.fix) == ("Less than 1 values on ex:x->ex:p", None)


# --- JSON ------------------------------------------------------------------------------


def test_json_has_stable_documented_keys(ten) -> None:
    data = json.loads(ten.to_json())
    assert tuple(data) == JSON_KEYS
    assert data["conforms"] is False and data["fail_on"] == "violation" and data["engine"] == "pyshacl"
    assert data["counts"] == {"violation": 8, "warning": 2, "info": 0}
    assert data["summary"] == "8 violations, 2 warnings, 0 info"
    assert len(data["findings"]) == 10
    for item in data["findings"]:
        assert tuple(item) == FINDING_KEYS
    cecil = next(i for i in data["findings"] if i["entity_name"] == "CECIL")
    assert cecil == {
        "severity": "Violation",
        "focus": str(ID["project/cecil"]),
        "entity_name": "CECIL",
        "source_file": "data/projects.csv",
        "source_row": 4,
        "path": "cg:euContribution",
        "value": "299450",
        "message": cecil["message"],
        "problem": "The EU contribution (299450 EUR) is higher than the total budget (247283 EUR).",
        "fix": cecil["fix"],
        "source_shape": SHAPES + "ProjectBudgetRule",
        "constraint": str(SH.SPARQLConstraintComponent),
        "data_file": str(TEN),
        "data_line": 47,
    }
    assert cecil["fix"].startswith("check both figures")


# --- SHACL Turtle ------------------------------------------------------------------------


def test_turtle_is_a_standard_shacl_validation_report(ten) -> None:
    g = Graph().parse(data=ten.to_turtle(), format="turtle")
    (report,) = list(g.subjects(RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms) == Literal(False)
    results = list(g.objects(report, SH.result))
    assert len(results) == 10
    for r in results:
        assert (r, RDF.type, SH.ValidationResult) in g
        for prop in (SH.focusNode, SH.resultSeverity, SH.resultMessage, SH.sourceShape, SH.sourceConstraintComponent):
            assert g.value(r, prop) is not None, prop
    budget = next(r for r in results if g.value(r, SH.sourceShape) == URIRef(SHAPES + "ProjectBudgetRule"))
    assert g.value(budget, SH.focusNode) == ID["project/cecil"]
    assert g.value(budget, SH.resultPath) == CG.euContribution
    assert g.value(budget, SH.resultSeverity) == SH.Violation
    assert g.value(budget, SH.sourceConstraint) is not None


def test_turtle_copies_complex_paths() -> None:
    report = validate(Graph().parse(data="<https://w3id.org/clustergraph/id/project/p> a <https://w3id.org/clustergraph/ontology#Project> ; <https://w3id.org/clustergraph/ontology#acronym> \"P\" .", format="turtle"), fail_on="info")
    g = to_graph(report)
    paths = [p for p in g.objects(None, SH.resultPath) if isinstance(p, BNode)]
    assert paths and g.value(paths[0], SH.inversePath) == CG.project
    assert g.value(next(g.subjects(RDF.type, SH.ValidationReport)), SH.conforms) == Literal(False)


def test_turtle_conforms_follows_fail_on() -> None:
    g = Graph().parse(data=validate(VALID).to_turtle(), format="turtle")
    assert g.value(next(g.subjects(RDF.type, SH.ValidationReport)), SH.conforms) == Literal(True)
    assert not list(g.objects(None, SH.result))


def test_render_rejects_unknown_formats(ten) -> None:
    from clustergraph.errors import ClusterGraphError

    with pytest.raises(ClusterGraphError, match="unknown report format"):
        render(ten, "html")


# --- the command line: exit status -----------------------------------------------------------------


def _run(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def test_cli_exit_0_when_the_data_conforms() -> None:
    res = _run(str(VALID))
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "0 violations, 0 warnings, 0 info: conforms (fails on violation)"


def test_cli_exit_1_with_ten_findings() -> None:
    res = _run(str(TEN))
    assert res.exit_code == 1
    assert "8 violations, 2 warnings, 0 info: does not conform" in res.output
    for name in ("CECIL", "BACKWARDS", "TEXTDATE", "Cap Digital", "Danish Sound in CECIL", "Meeting of 50 Gold-Label Clusters", "call 2 of Cluster Excellence Programme"):
        assert name in res.output


def test_cli_fail_on_warning(tmp_path: Path) -> None:
    warn = tmp_path / "warn.ttl"
    warn.write_text(VALID.read_text().replace('"https://alpha.example.org"^^xsd:anyURI', '"www.alpha.example.org"^^xsd:anyURI'))
    assert _run(str(warn)).exit_code == 0
    assert _run(str(warn), "--fail-on", "warning").exit_code == 1
    assert _run(str(warn), "--fail-on", "info").exit_code == 1


def test_cli_exit_2_for_usage_and_input_errors(tmp_path: Path) -> None:
    missing = _run(str(tmp_path / "nope.ttl"))
    assert missing.exit_code == 2 and "nope.ttl" in missing.output and "Traceback" not in missing.output
    assert _run(str(VALID), "--format", "html").exit_code == 2
    assert _run(str(VALID), "--fail-on", "error").exit_code == 2
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://ex.org/> .\nex:a ex:p .\n")
    res = _run(str(bad))
    assert res.exit_code == 2 and "bad.ttl:2" in res.output


@pytest.mark.parametrize("name", ["broken-syntax", "invalid-shacl", "bad-sparql", "service"])
def test_cli_exit_3_for_broken_shapes(name: str) -> None:
    res = _run(str(VALID), "--shapes", str(FIXTURES / f"{name}.ttl"))
    assert res.exit_code == 3, res.output
    assert res.output.startswith("clustergraph: error: ") and len(res.output.strip().splitlines()) == 1


def test_cli_json_and_turtle_to_stdout_and_file(tmp_path: Path) -> None:
    res = _run(str(TEN), "--format", "json")
    assert res.exit_code == 1 and json.loads(res.output)["counts"]["violation"] == 8
    out = tmp_path / "report.ttl"
    res = _run(str(TEN), "--format", "turtle", "--out", str(out))
    assert res.exit_code == 1
    assert len(list(Graph().parse(out).objects(None, SH.result))) == 10
    assert f"wrote {out}: 8 violations, 2 warnings, 0 info" in res.output


def test_cli_validates_an_on_disk_store(tmp_path: Path) -> None:
    from clustergraph import store

    ds = store.open_dataset("oxigraph", tmp_path / "db")
    store.load(ds, TEN, graph="http://example.org/g")
    ds.close()
    res = _run("--store", str(tmp_path / "db"), "--format", "json")
    assert res.exit_code == 1 and len(json.loads(res.output)["findings"]) == 10
    assert _run("--store", str(tmp_path / "none")).exit_code == 2


def test_cli_default_is_the_embedded_dataset() -> None:
    res = _run("--format", "json")
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    named = {(f["entity_name"], f["source_shape"].rsplit("#", 1)[1]) for f in data["findings"]}
    assert ("CECIL", "ProjectBudgetRule") in named
    assert ("MATERIALIX", "ProjectBudgetRule") in named
    assert ("SmartSports4GoodLife", "ProjectStartLateRule") in named


def test_console_script_in_a_real_process(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("clustergraph")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "clustergraph.cli"]
    done = subprocess.run([*command, "validate", str(TEN), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"] == "8 violations, 2 warnings, 0 info"
    assert done.stderr == ""
    broken = subprocess.run([*command, "validate", str(VALID), "--shapes", str(FIXTURES / "invalid-shacl.ttl")], capture_output=True, text=True, timeout=120)
    assert broken.returncode == 3 and broken.stdout == ""
    assert broken.stderr.count("\n") == 1 and "sh:minCount" in broken.stderr
