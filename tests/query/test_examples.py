"""Every ``clustergraph query`` example (README and ``query --list``) answers on the embedded
dataset, and the label queries keep "Gold first" on user data loaded without the ontology."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from clustergraph.cli import main
from clustergraph.query import list_queries, open_data, run

README = Path(__file__).resolve().parents[2] / "README.md"

#: Queries whose answer on the seeds is empty, and why (they are run on a user sample below).
EMPTY_ON_SEEDS = {
    "labels-on-date": "the seeds give no award date (Friuli's Bronze label was awarded 'last November')",
    "project-and-partnership-members": "the seeds name no partnership members",
}


def _readme_examples() -> list[str]:
    blocks = re.findall(r"```(?:bash|sh|console)\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    # a comment and a shell redirection (`> co.tsv`) are the shell's, not the command's
    lines = [line.split("  #")[0].split(" > ")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("clustergraph query ")]


def _own_files(args: list[str]) -> bool:
    """An example that reads the user's own files or server cannot run on the embedded dataset."""
    return any(a in ("--data", "--file", "--endpoint", "--store") for a in args)


README_EXAMPLES = _readme_examples()
LIST_EXAMPLES = [(q.name, ex) for q in list_queries() for ex in q.examples]


def _answer(args: list[str]) -> str:
    """What the command prints, or what it writes to its --out file."""
    runner = CliRunner()
    with runner.isolated_filesystem():
        out = runner.invoke(main, args)
        assert out.exit_code == 0, out.output
        if "--out" in args:
            return Path(args[args.index("--out") + 1]).read_text(encoding="utf-8")
    return out.output


def _has_rows(args: list[str], text: str) -> bool:
    fmt = args[args.index("--format") + 1] if "--format" in args else "table"
    lines = [line for line in text.splitlines() if line.strip()]
    if text.strip() in ("true", "false"):
        return text.strip() == "true"
    if fmt == "turtle":
        return any(not line.startswith("@prefix") for line in lines)
    return len(lines) > (2 if fmt == "table" else 1)


def test_the_readme_has_query_examples():
    assert len(README_EXAMPLES) >= 4
    assert not [e for e in README_EXAMPLES if "labels-on-date" in e and not _own_files(shlex.split(e))], "labels-on-date is empty on the seeds"


@pytest.mark.parametrize("example", [e for e in README_EXAMPLES if not _own_files(shlex.split(e))])
def test_every_readme_example_answers(example):
    args = shlex.split(example)[1:]
    assert _has_rows(args, _answer(args)), example


def test_every_query_in_the_list_answers():
    """Each query has an example with rows (or ``true``) on the seeds, unless the seeds cannot answer it."""
    answered = {name for name, ex in LIST_EXAMPLES if _has_rows(shlex.split(ex)[1:], _answer(shlex.split(ex)[1:]))}
    names = {q.name for q in list_queries()}
    assert names - answered == set(EMPTY_ON_SEEDS)
    for name in EMPTY_ON_SEEDS:
        assert len(run(open_data(), name)) == 0, f"{name} answers now: drop it from EMPTY_ON_SEEDS"


SAMPLE = """@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:x:a> rdfs:label "Alpha" . <urn:x:b> rdfs:label "Beta" . <urn:x:c> rdfs:label "Gamma" .
<urn:x:p> a cg:Partnership ; rdfs:label "P" ; cg:member <urn:x:a> .
<urn:x:pa> cg:participant <urn:x:a> ; cg:project <urn:x:project> ; cg:role cg:Coordinator .
<urn:x:project> cg:acronym "THIRD" .
<urn:x:1> a cg:LabelAward ; cg:holder <urn:x:a> ; cg:level cg:Bronze ; cg:awardDate "2017-01-01"^^xsd:date .
<urn:x:2> a cg:LabelAward ; cg:holder <urn:x:b> ; cg:level cg:Gold ; cg:awardDate "2017-02-01"^^xsd:date .
<urn:x:3> a cg:LabelAward ; cg:holder <urn:x:c> ; cg:level cg:Silver ; cg:awardDate "2017-03-01"^^xsd:date .
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("user") / "third-call.ttl"
    path.write_text(SAMPLE)
    return path


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_label_ranks_without_the_ontology(sample, kind):
    """Loaded with plain store calls (no ontology, no vocabulary): the queries still know the ranks."""
    from clustergraph.store import load, open_dataset

    ds = open_dataset(kind)
    load(ds, sample, graph="urn:x:graph")
    on_date = run(ds, "labels-on-date", {"date": "2017-06-30"}).records()
    assert [(r["holderName"], r["rank"]) for r in on_date] == [("Beta", 3), ("Gamma", 2), ("Alpha", 1)]
    assert [r["rank"] for r in run(ds, "label-progression").records()] == [1, 3, 2]  # by holder name


def test_cli_on_user_data_knows_the_vocabulary(sample):
    out = _answer(["query", "labels-on-date", "--param", "date=2017-06-30", "--data", str(sample), "--format", "csv"])
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == [
        "https://w3id.org/clustergraph/ontology#" + level for level in ("Gold", "Silver", "Bronze")
    ]
    assert "Alpha" in _answer(["query", "project-and-partnership-members", "--data", str(sample)])
    ds = open_data([sample])
    assert len(ds) == 22, "the user's data is loaded as it is"
    df = run(ds, "project-consortium", {"acronym": "THIRD"}).to_dataframe(labels=True)
    assert df[["name", "role_label"]].values.tolist() == [["Alpha", "Coordinator"]], "roles are named from the ontology"
    levels = run(ds, "label-progression").to_dataframe(labels=True)
    assert levels["level_label"].tolist() == ["Bronze", "Gold", "Silver"]


def test_add_vocabulary_for_own_queries(sample):
    from clustergraph.query import VOCABULARY_GRAPH, add_vocabulary

    ds = open_data([sample])
    assert add_vocabulary(ds) and not add_vocabulary(ds)
    ranks = run(ds, "PREFIX cg: <https://w3id.org/clustergraph/ontology#> SELECT ?r WHERE { cg:Gold cg:rank ?r }")
    assert [int(r[0]) for r in ranks] == [3]
    assert len(ds.graph(VOCABULARY_GRAPH)) > 50
