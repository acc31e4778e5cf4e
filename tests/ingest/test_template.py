"""Canonical templates: written with a header and one example row, and they import back."""

from __future__ import annotations

import csv
import doctest

import pytest
from click.testing import CliRunner
from rdflib.namespace import RDF

from clustergraph import store
from clustergraph.ingest import template
from clustergraph.cli import main
from clustergraph.errors import ClusterGraphError
from clustergraph.ingest.importer import find_mapping, import_sources
from clustergraph.iri import mint
from clustergraph.ingest.mapping import load_mapping
from clustergraph.namespaces import CG
from clustergraph.ingest.normalise import organisation
from clustergraph.ingest.template import EXAMPLES, TEMPLATES, write_templates

EXPECTED = {
    "organisations": (organisation("Example Cluster"), CG.country),
    "projects": (mint("project", "EXAMPLE"), CG.totalBudget),
    "participations": (mint("participation", "EXAMPLE-Example Cluster e.V."), CG.role),
    "label_awards": (mint("award", "Example Cluster e.V.-Gold"), CG.awardDate),
    "calls": (mint("call", "Cluster Excellence Programme-3"), CG.year),
    "partnerships": (mint("partnership", "Example Partnership"), CG.programme),
    "partnership_members": (mint("partnership", "Example Partnership"), CG.member),
    "events": (mint("event", "Example Cluster Matchmaking Day"), CG.date),
    "event_participants": (mint("event", "Example Cluster Matchmaking Day"), CG.attendee),
}


def test_doctests():
    assert doctest.testmod(template).failed == 0


def test_the_seven_canonical_tables_are_there():
    assert {"organisations", "projects", "participations", "label_awards", "calls", "partnerships", "events"} <= set(TEMPLATES)
    assert set(EXPECTED) == set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_round_trip_of_each_template(tmp_path, name):
    paths = write_templates(tmp_path, tables=(name,))
    table, meta = paths
    rows = list(csv.reader(table.open(encoding="utf-8")))
    mapping = load_mapping(meta)
    assert rows[0] == mapping.header and len(rows) == 2
    assert set(EXAMPLES[name]) == {c.name for c in mapping.columns if not c.virtual}
    ds = store.open_dataset()
    report = import_sources([table], ds, root=tmp_path)
    assert report.sources[0].rows == 1 and report.sources[0].triples > 0
    subject, prop = EXPECTED[name]
    assert (subject, prop, None) in ds
    # with the mapping removed, the header alone finds the shipped canonical mapping
    meta.unlink()
    renamed = table.rename(tmp_path / f"my {name}.csv")
    assert find_mapping(renamed, rows[0]).name == f"{name}.csv-metadata.json"
    again = import_sources([renamed], store.open_dataset(), root=tmp_path)
    assert again.sources[0].triples == report.sources[0].triples


def test_all_templates_import_together(tmp_path):
    paths = write_templates(tmp_path)
    ds = store.open_dataset()
    import_sources([p for p in paths if p.suffix == ".csv"], ds, root=tmp_path)
    g = store.union(ds)
    assert (organisation("Example Cluster e.V."), RDF.type, CG.ClusterOrganisation) in g
    assert str(g.value(mint("project", "EXAMPLE"), CG.totalBudget)) == "250000"


def test_existing_files_are_not_overwritten(tmp_path):
    write_templates(tmp_path, tables=("projects",))
    (tmp_path / "projects.csv").write_text("filled in\n")
    with pytest.raises(ClusterGraphError, match="already exists"):
        write_templates(tmp_path, tables=("projects",))
    assert (tmp_path / "projects.csv").read_text() == "filled in\n"
    with pytest.raises(ClusterGraphError, match="unknown template"):
        write_templates(tmp_path, tables=("nope",))


def test_cli_template(tmp_path):
    result = CliRunner().invoke(main, ["template", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t" / "organisations.csv").is_file() and (tmp_path / "t" / "organisations.csv-metadata.json").is_file()
    again = CliRunner().invoke(main, ["template", str(tmp_path / "t")])
    assert again.exit_code == 2 and "already exists" in again.output
