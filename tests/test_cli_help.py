"""A friendlier command line: examples and defaults in every --help, a build summary for 80 columns."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clustergraph.build import build
from clustergraph.cli import main


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_help_ends_with_examples(command):
    out = CliRunner().invoke(main, [command, "--help"], terminal_width=80)
    assert out.exit_code == 0, out.output
    head, sep, examples = out.output.partition("\n  Examples:\n")
    assert sep, f"clustergraph {command} --help has no Examples section"
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    assert 2 <= len(lines) <= 3 and all(line.startswith(f"clustergraph {command}") for line in lines), lines


def test_defaults_and_requirements_are_shown():
    runner = CliRunner()
    assert "[default: text]" in runner.invoke(main, ["validate", "--help"]).output
    template = runner.invoke(main, ["template", "--help"], terminal_width=80).output
    assert "(default: the current folder)" in " ".join(template.split())
    generate = " ".join(runner.invoke(main, ["generate", "--help"]).output.split())
    assert "Required: --out, and either --triples or both --organisations and --projects" in generate
    assert "[required]" in generate


@pytest.fixture(scope="module")
def built():
    return build(None)


def test_build_summary_fits_80_columns_and_groups_findings(built):
    lines = built.summary(verbose=False)
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    assert len(lines) < 40
    text = "\n".join(lines)
    assert text.count("no consortium recorded") == 1
    assert "10 projects: no consortium recorded: 5FOREXCELLENCE, CLUSGRID," in text
    for name in ("CECIL", "MATERIALIX", "SmartSports4GoodLife"):
        assert name in text


def test_verbose_prints_every_finding(built):
    lines = built.summary(verbose=True)
    assert sum("No consortium recorded" in line for line in lines) == 10
    assert len(built.report.findings) == sum(line.startswith("    ") and line.split()[0] in ("Violation", "Warning", "Info") for line in lines)


def test_cli_build_prints_the_short_summary(tmp_path):
    out = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"), "--no-network"], terminal_width=80)
    assert out.exit_code == 0, out.output
    assert max(len(line) for line in out.output.splitlines()) <= 80
    assert "(--verbose lists each)" in out.output
