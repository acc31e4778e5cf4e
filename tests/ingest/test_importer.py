"""Importing tables and RDF: provenance, idempotence, and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDFS

from clustergraph import store
from clustergraph.cli import main
from clustergraph.errors import InputErrors, MappingError
from clustergraph.ingest.importer import ImportReport, import_sources
from clustergraph.namespaces import CG, GRAPH
from clustergraph.ingest.normalise import organisation
from clustergraph.resources import data_dir

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
HEADER = "name,type,alt_names,country,city,region,website,sectors,source,note\n"


@pytest.fixture()
def orgs(tmp_path: Path) -> Path:
    """A steward's organisations table, beside the canonical mapping."""
    shutil.copy(data_dir() / "organisations.csv-metadata.json", tmp_path / "orgs.csv-metadata.json")
    path = tmp_path / "orgs.csv"
    path.write_text(
        HEADER
        + "ZINNAE,ClusterOrganisation,,España,Zaragoza,,,water,,\n"
        + "Nanoprogress z.s.,ClusterOrganisation,,República Checa,,,,,,\n",
        encoding="utf-8",
    )
    return path


def _problems(excinfo) -> list:
    assert isinstance(excinfo.value, InputErrors)
    return excinfo.value.problems


def _snapshot(ds):
    return store.to_memory(ds)


def _same(a, b) -> bool:
    names = {g.identifier for g in a.graphs()} | {g.identifier for g in b.graphs()}
    return all(isomorphic(a.graph(n), b.graph(n)) for n in names)


# --- provenance and idempotence ------------------------------------------------------


def test_table_lands_in_its_graph_with_provenance(orgs, tmp_path):
    ds = store.open_dataset()
    report = import_sources([orgs], ds, root=tmp_path, time=T0)
    assert isinstance(report, ImportReport) and report.written
    graph = GRAPH["source/orgs-csv"]
    assert report.graphs == {str(graph): len(ds.graph(graph))}
    zinnae = organisation("ZINNAE")
    assert (zinnae, RDFS.label, Literal("ZINNAE", lang="en")) in ds.graph(graph)
    prov = ds.graph(GRAPH.provenance)
    assert str(prov.value(graph, CG.sourceFile)) == "orgs.csv"
    assert str(prov.value(graph, CG.mapping)) == "orgs.csv-metadata.json"
    assert str(prov.value(graph, CG.checksum)).startswith("sha256:")
    assert prov.value(graph, PROV.generatedAtTime).toPython() == T0
    rows = {int(prov.value(prov.value(e, PROV.qualifiedDerivation), CG.sourceRow)): e
            for e in (zinnae, organisation("Nanoprogress"))}
    assert rows == {2: zinnae, 3: organisation("Nanoprogress")}


def test_reimport_is_isomorphic_to_importing_once(orgs, tmp_path):
    once = store.open_dataset()
    import_sources([orgs], once, root=tmp_path, time=T0)
    twice = store.open_dataset()
    import_sources([orgs], twice, root=tmp_path, time=T0)
    import_sources([orgs], twice, root=tmp_path, time=T0)
    assert len(once) == len(twice)
    assert _same(_snapshot(once), _snapshot(twice))


def test_reimport_replaces_the_graph_and_its_provenance(orgs, tmp_path):
    ds = store.open_dataset()
    import_sources([orgs], ds, root=tmp_path, time=T0)
    orgs.write_text(HEADER + "ZINNAE,ClusterOrganisation,,Spain,,,,,,\n", encoding="utf-8")
    import_sources([orgs], ds, root=tmp_path, time=T0)
    g = ds.graph(GRAPH["source/orgs-csv"])
    assert (organisation("Nanoprogress"), None, None) not in g
    prov = ds.graph(GRAPH.provenance)
    assert len(list(prov.subjects(PROV.entity, GRAPH["source/orgs-csv"]))) == 1


def test_rdf_source_gets_its_graph_and_detected_format(tmp_path):
    lying = tmp_path / "extra.ttl"
    lying.write_text('{"@context": {"cg": "https://w3id.org/clustergraph/ontology#"}, "@id": "organisation/x", "@type": "cg:Organisation"}')
    ds = store.open_dataset()
    report = import_sources([lying], ds, root=tmp_path, time=T0)
    assert report.sources[0].format == "jsonld"
    assert report.sources[0].triples == 1
    assert not any("file:" in str(t) for q in ds.quads((None, None, None, None)) for t in q[:3])


# --- bad input: every problem, with file, row and column; nothing written ---------------------


def _assert_untouched(ds, before):
    assert _same(_snapshot(ds), before)


@pytest.fixture()
def filled(orgs, tmp_path):
    ds = store.open_dataset()
    import_sources([orgs], ds, root=tmp_path, time=T0)
    return ds, _snapshot(ds)


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    shutil.copy(data_dir() / "organisations.csv-metadata.json", tmp_path / f"{name}-metadata.json")
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def test_all_row_problems_are_collected_and_nothing_written(filled, tmp_path):
    ds, before = filled
    bad = _write(
        tmp_path,
        "bad.csv",
        HEADER
        + "Alpha,ClusterOrganisation,,Atlantis,,,,,,\n"  # unknown country
        + ",ClusterOrganisation,,Spain,,,,,,\n"  # required name missing
        + "Gamma,Cluster,,Spain,,,,,,\n"  # not an allowed type
        + "Alpha,ClusterOrganisation,,Spain,,,,,,\n"  # duplicate key
        + "Delta GmbH,ClusterOrganisation,,Germany,,,www.delta .de,,,\n",  # bad website
    )
    with pytest.raises(InputErrors) as info:
        import_sources([bad], ds, root=tmp_path)
    found = {(p.row, p.column) for p in _problems(info)}
    assert found == {(2, "country"), (3, "name"), (4, "type"), (5, "name"), (6, "website")}
    for p in _problems(info):
        assert p.file.endswith("bad.csv") and p.fix
    assert "unknown country" in str(_problems(info)[0]) and "Atlantis" in str(_problems(info)[0])
    _assert_untouched(ds, before)


def test_problem_limit(filled, tmp_path):
    ds, before = filled
    rows = "".join(f"Org {i},ClusterOrganisation,,Nowhere,,,,,,\n" for i in range(30))
    bad = _write(tmp_path, "many.csv", HEADER + rows)
    with pytest.raises(InputErrors) as info:
        import_sources([bad], ds, root=tmp_path, limit=10)
    assert len(info.value.problems) == 10 and info.value.limit_reached
    _assert_untouched(ds, before)


@pytest.mark.parametrize(
    ("header", "column", "message"),
    [
        ("name,type,alt_names,country,city,region,website,sectors,source\n", "note", "missing column"),
        (HEADER.strip() + ",budget\n", "budget", "column not in the mapping"),
    ],
)
def test_missing_and_extra_columns(filled, tmp_path, header, column, message):
    ds, before = filled
    cells = header.count(",") + 1
    bad = _write(tmp_path, "cols.csv", header + "Alpha" + "," * (cells - 1) + "\n")
    with pytest.raises(InputErrors) as info:
        import_sources([bad], ds, root=tmp_path, lenient=True)  # a header problem fails even when lenient
    (problem,) = _problems(info)
    assert (problem.row, problem.column) == (1, column) and message in problem.message
    _assert_untouched(ds, before)


def test_utf8_bom_is_accepted(tmp_path):
    p = _write(tmp_path, "bom.csv", "\ufeff".encode() + (HEADER + "Ñandú Cluster,,,España,,,,,,\n").encode())
    ds = store.open_dataset()
    import_sources([p], ds, root=tmp_path)
    assert (organisation("Nandu Cluster"), RDFS.label, Literal("Ñandú Cluster", lang="en")) in ds


def test_non_utf8_file_names_the_encoding_option(filled, tmp_path):
    ds, before = filled
    p = _write(tmp_path, "latin.csv", (HEADER + "Ñandú Cluster,,,España,,,,,,\n").encode("cp1252"))
    with pytest.raises(InputErrors) as info:
        import_sources([p], ds, root=tmp_path)
    (problem,) = _problems(info)
    assert problem.line == 2 and "--encoding" in problem.fix
    _assert_untouched(ds, before)
    import_sources([p], ds, root=tmp_path, encoding="cp1252")
    assert (organisation("Nandu Cluster"), CG.country, None) in ds


def test_unparsable_numbers_and_dates(tmp_path):
    shutil.copy(data_dir() / "projects.csv-metadata.json", tmp_path / "p.csv-metadata.json")
    header = "acronym,title,call,start_date,end_date,total_budget,eu_contribution,sectors,description,source,note\n"
    (tmp_path / "p.csv").write_text(
        header + "X1,,,01/01/2016,31/02/2017,EUR 1.2m,€200.000,,,,\n" + "X2,,,December 4th,,€1.234.56,$5,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as info:
        import_sources([tmp_path / "p.csv"], store.open_dataset(), root=tmp_path)
    found = {(p.row, p.column): p for p in _problems(info)}
    assert set(found) == {(2, "end_date"), (2, "total_budget"), (3, "start_date"), (3, "total_budget"), (3, "eu_contribution")}
    assert found[(2, "total_budget")].value == "EUR 1.2m"
    assert "year" in found[(3, "start_date")].message


def test_empty_and_missing_files(filled, tmp_path):
    ds, before = filled
    empty = _write(tmp_path, "empty.csv", "")
    with pytest.raises(InputErrors) as info:
        import_sources([empty, tmp_path / "nowhere.csv", tmp_path / "nowhere.ttl"], ds, root=tmp_path)
    problems = _problems(info)
    assert [p.message for p in problems] == ["the file is empty", "file not found", "file not found"]
    _assert_untouched(ds, before)


def test_malformed_rdf_points_at_the_line(filled, tmp_path):
    ds, before = filled
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n<a> a cg:Project .\n<b> a cg:Project \n<c> a .\n")
    with pytest.raises(InputErrors) as info:
        import_sources([bad], ds, root=tmp_path)
    (problem,) = _problems(info)
    assert problem.file.endswith("bad.ttl") and problem.line == 4 and "at line 4, column " in problem.message
    _assert_untouched(ds, before)


def test_one_bad_file_blocks_the_good_ones(filled, orgs, tmp_path):
    ds, before = filled
    bad = _write(tmp_path, "b.csv", HEADER + "Alpha,,,Atlantis,,,,,,\n")
    good = _write(tmp_path, "g.csv", HEADER + "Beta,,,Spain,,,,,,\n")
    with pytest.raises(InputErrors):
        import_sources([good, bad], ds, root=tmp_path)
    assert (organisation("Beta"), None, None) not in ds
    _assert_untouched(ds, before)


def test_lenient_imports_good_rows_and_reports_the_rest(tmp_path):
    p = _write(tmp_path, "l.csv", HEADER + "Alpha,,,Atlantis,,,,,,\nBeta,,,Spain,,,,,,\n")
    ds = store.open_dataset()
    report = import_sources([p], ds, root=tmp_path, lenient=True)
    assert (organisation("Beta"), None, None) in ds and (organisation("Alpha"), None, None) not in ds
    assert [(s.row, s.column) for s in report.skipped] == [(2, "country")]
    assert "skipped 1 row(s): 2" in report.to_text()


def test_no_mapping_found(tmp_path):
    p = tmp_path / "mystery.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(InputErrors) as info:
        import_sources([p], store.open_dataset(), root=tmp_path)
    assert "no mapping" in info.value.problems[0].message and "--mapping" in info.value.problems[0].fix


def test_canonical_mapping_is_found_by_header(tmp_path):
    p = tmp_path / "my organisations.csv"
    p.write_text(HEADER + "Beta,,,Spain,,,,,,\n")
    report = import_sources([p], store.open_dataset(), root=tmp_path)
    assert report.sources[0].mapping.endswith("organisations.csv-metadata.json")


def test_xlsx_and_json_use_the_same_mapping(tmp_path):
    from openpyxl import Workbook

    shutil.copy(data_dir() / "organisations.csv-metadata.json", tmp_path / "orgs.csv-metadata.json")
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    ws.append(["Beta", "", "", "Atlantis", "", "", "", "", "", ""])
    ws.append(["Gamma", "", "", "DE", "", "", "", "", "", ""])
    wb.save(tmp_path / "orgs.xlsx")
    with pytest.raises(InputErrors) as info:
        import_sources([tmp_path / "orgs.xlsx"], store.open_dataset(), root=tmp_path)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "country")]
    (tmp_path / "orgs.json").write_text(json.dumps([{"name": "Beta", "country": "Alemania"}, {"name": "Gamma"}]))
    with pytest.raises(InputErrors) as info:  # a JSON export without the other columns
        import_sources([tmp_path / "orgs.json"], store.open_dataset(), root=tmp_path)
    assert info.value.problems[0].message == "missing column"


def test_broken_mapping_is_a_mapping_error(tmp_path):
    (tmp_path / "x.csv-metadata.json").write_text(json.dumps({
        "@context": "http://www.w3.org/ns/csvw",
        "tableSchema": {"aboutUrl": "cgid:organisation/{name}", "columns": [{"name": "name", "propertyURL": "rdfs:label"}]},
    }))
    (tmp_path / "x.csv").write_text("name\nA\n")
    with pytest.raises(MappingError, match="propertyURL"):
        import_sources([tmp_path / "x.csv"], store.open_dataset(), root=tmp_path)


# --- command line ---------------------------------------------------------------------


def test_cli_import_writes_out_and_report(orgs, tmp_path):
    out, report = tmp_path / "out.ttl", tmp_path / "report.json"
    result = CliRunner().invoke(main, ["import", str(orgs), "--out", str(out), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "ZINNAE" in out.read_text() and json.loads(report.read_text())["written"] is True


def test_cli_import_error_lists_every_problem_and_keeps_the_output(orgs, tmp_path):
    out, report = tmp_path / "out.ttl", tmp_path / "report.json"
    out.write_text("# previous output\n")
    bad = _write(tmp_path, "bad.csv", HEADER + "Alpha,,,Atlantis,,,,,,\nBeta,,,Narnia,,,,,,\n")
    result = CliRunner().invoke(main, ["import", str(orgs), str(bad), "--out", str(out), "--report", str(report)])
    assert result.exit_code == 2
    assert "bad.csv:2: column 'country'" in result.output and "bad.csv:3: column 'country'" in result.output
    assert out.read_text() == "# previous output\n"
    assert len(json.loads(report.read_text())["problems"]) == 2


def test_cli_import_into_a_store_leaves_it_unchanged_on_error(orgs, tmp_path):
    path = tmp_path / "store"
    assert CliRunner().invoke(main, ["import", str(orgs), "--store", str(path)]).exit_code == 0
    bad = _write(tmp_path, "bad.csv", HEADER + "Alpha,,,Atlantis,,,,,,\n")
    assert CliRunner().invoke(main, ["import", str(bad), "--store", str(path)]).exit_code == 2
    ds = store.open_dataset("oxigraph", path)
    assert (organisation("ZINNAE"), None, None) in ds and (organisation("Alpha"), None, None) not in ds


def test_cli_lenient_and_encoding_options(tmp_path):
    p = _write(tmp_path, "l.csv", (HEADER + "Ñandú,,,Atlantis,,,,,,\nBeta,,,España,,,,,,\n").encode("cp1252"))
    report = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["import", str(p), "--lenient", "--encoding", "cp1252", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "checked only" in result.output
    skipped = json.loads(report.read_text())["sources"][0]["skipped"]
    assert [(s["row"], s["column"], s["value"]) for s in skipped] == [(2, "country", "Atlantis")]


def test_a_folder_stands_for_its_files_and_jsonld_is_not_a_table(tmp_path):
    from clustergraph.ingest.template import write_templates

    write_templates(tmp_path / "t")
    (tmp_path / "t" / "extra.json").write_text('{"@context": {"@vocab": "https://schema.org/"}, "@id": "organisation/x", "name": "X"}')
    report = import_sources([tmp_path / "t"], store.open_dataset(), root=tmp_path)
    kinds = {s.file: s.kind for s in report.sources}
    assert kinds["t/extra.json"] == "rdf" and kinds["t/organisations.csv"] == "table" and len(kinds) == 10


# --- ill-typed literals: reported with subject, predicate and line, never passed silently ------------

_ILL = (
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "<http://ex.org/a> <http://ex.org/age> \"nineteen\"^^xsd:integer ;\n"
    "  <http://ex.org/ok> \"19\"^^xsd:integer ;\n"
    "  <http://ex.org/born> \"2023-13-45\"^^xsd:date .\n"
)


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_ill_typed_literals_are_warnings_with_subject_predicate_and_line(tmp_path, kind) -> None:
    from clustergraph import store

    path = tmp_path / "ill.ttl"
    path.write_text(_ILL)
    report = import_sources([path], store.open_dataset(kind), root=tmp_path)
    assert report.sources[0].triples == 3  # imported as written
    found = [(p.line, p.message) for p in report.warnings]
    assert [line for line, _ in found] == [2, 4]
    assert '"nineteen"^^xsd:integer is not a valid xsd:integer (subject <http://ex.org/a>, predicate <http://ex.org/age>)' in found[0][1]
    assert "xsd:date" in found[1][1] and "born" in found[1][1]
    assert report.as_dict()["sources"][0]["warnings"][0]["line"] == 2
    assert "ill-typed literal(s), imported as written" in report.to_text()


def test_strict_refuses_ill_typed_literals_and_writes_nothing(tmp_path) -> None:
    from clustergraph import store

    path = tmp_path / "ill.ttl"
    path.write_text(_ILL)
    ds = store.open_dataset()
    with pytest.raises(InputErrors) as info:
        import_sources([path], ds, strict=True)
    assert [p.line for p in info.value.problems] == [2, 4] and len(ds) == 0


def test_ill_typed_literals_in_json_ld_name_the_file_and_the_triple(tmp_path) -> None:
    path = tmp_path / "ill.jsonld"
    path.write_text('{"@id": "http://ex.org/a", "http://ex.org/n": {"@value": "many", "@type": "http://www.w3.org/2001/XMLSchema#integer"}}')
    (problem,) = import_sources([path]).warnings
    assert problem.file == str(path) and problem.line == 1
    assert '"many"^^xsd:integer' in problem.message and "<http://ex.org/a>" in problem.message and "<http://ex.org/n>" in problem.message
