"""Tables never lose data silently: every sloppy table, through read_table, the importer and the CLI.

Each case is generated in a temporary folder (real XLSX files written with openpyxl,
merged cells included). A row that cannot be read whole is a problem with file, row,
column and fix: the strict (default) import writes nothing, the lenient one skips the
row and reports it, and never imports half of it. A problem with the whole file
(binary, undecodable, a broken header) fails even the lenient import.
"""

from __future__ import annotations

import datetime as dt
import doctest
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from rdflib.namespace import RDFS

from clustergraph import store
from clustergraph.cli import main
from clustergraph.errors import InputError, InputErrors, NormalisationError
from clustergraph.ingest import tabular
from clustergraph.ingest.importer import import_sources
from clustergraph.ingest.normalise import date
from clustergraph.ingest.tabular import read_table
from clustergraph.resources import data_dir

HEADER = "name,type,alt_names,country,city,region,website,sectors,source,note\n"
COLUMNS = HEADER.strip().split(",")
BETA = "Beta,ClusterOrganisation,,Spain,,,,,,\n"
GAMMA = "Gamma,ClusterOrganisation,,Germany,,,,,,\n"
MAPPING = data_dir() / "organisations.csv-metadata.json"


def test_doctests():
    assert doctest.testmod(tabular).failed == 0


def _record(name: str, country: str = "Spain", **cells) -> list:
    values = {c: "" for c in COLUMNS}
    values.update(name=name, type="ClusterOrganisation", country=country, **cells)
    return [values[c] for c in COLUMNS]


def _csv(name: str, body: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes((HEADER + body).encode("utf-8"))
        return path

    return write


def _xlsx(name: str, build: Callable) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.title = "Organisations"
        ws.append(COLUMNS)
        build(wb, ws)
        path = folder / name
        wb.save(path)
        return path

    return write


def _merged(wb, ws) -> None:
    ws.append(_record("Alpha", "France"))
    ws.append(_record("Delta", ""))
    ws.append(_record("Beta"))
    ws.append(_record("Gamma", "Germany"))
    ws.merge_cells("D2:D3")  # Delta's country looks like France on screen; the file has it once


def _uncalculated(wb, ws) -> None:
    ws.append(_record("Alpha", '=IF(1>0,"Spain","France")'))  # openpyxl saves no result for it
    ws.append(_record("Beta"))
    ws.append(_record("Gamma", "Germany"))


def _formula_error(wb, ws) -> None:
    ws.append(_record("Alpha", "#REF!"))
    ws.append(_record("Beta"))
    ws.append(_record("Gamma", "Germany"))


def _escaped_control(wb, ws) -> None:
    ws.append(_record("Alpha_x0000_"))  # how Excel stores a NUL inside a cell's text
    ws.append(_record("Beta"))
    ws.append(_record("Gamma", "Germany"))


def _json(name: str, records: list) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        return path

    return write


def _obj(name: str, country: str = "Spain", **cells) -> dict:
    return dict(zip(COLUMNS, _record(name, country, **cells)))


@dataclass
class Case:
    """A sloppy table with one bad row among good ones."""

    id: str
    write: Callable[[Path], Path]
    row: int
    column: str
    says: str
    absent: list[str] = field(default_factory=lambda: ["Alpha"])  # no label may contain these
    present: list[str] = field(default_factory=lambda: ["Beta", "Gamma"])
    fix: str = ""


ROW_CASES = [
    Case("unterminated-quote", _csv("q.csv", 'Alpha,"ClusterOrganisation,,Spain,,,,,,\n' + BETA + GAMMA), 2, "type",
         "never closed", fix="quote"),
    Case("stray-quote-swallows-rows",
         _csv("s.csv", BETA + 'Alpha,ClusterOrganisation,,Spain,,,,,,"Founded\n' + GAMMA + 'Delta,ClusterOrganisation,,Spain,,,,,,in 2001"\n'),
         3, "note", "swallows", present=["Beta", "Gamma", "Delta"]),
    Case("text-after-closing-quote", _csv("t.csv", '"Cap Digital" SAS,ClusterOrganisation,,France,,,,,,\n' + BETA + GAMMA), 2, "name",
         "closing quote", absent=["Cap Digital"]),
    Case("short-row", _csv("short.csv", "Alpha,ClusterOrganisation,,Spain\n" + BETA + GAMMA), 2, "city",
         "4 cells but the header has 10 columns", fix="missing: city, region"),
    Case("long-row", _csv("long.csv", "Alpha,ClusterOrganisation,,Paris, France,,,,,,\n" + BETA + GAMMA), 2, "#11",
         "11 cells but the header has 10 columns", fix="quotes"),
    Case("nul-byte", _csv("nul.csv", "Al\x00pha,ClusterOrganisation,,Spain,,,,,,\n" + BETA + GAMMA), 2, "name",
         "U+0000 (NUL)", absent=["pha"]),
    Case("terminal-escape", _csv("esc.csv", "Alpha\x1b[31m,ClusterOrganisation,,Spain,,,,,,\n" + BETA + GAMMA), 2, "name",
         "U+001B (ESC)"),
    Case("c1-control-from-a-wrong-encoding", _csv("c1.csv", BETA + "Alpha,ClusterOrganisation,,Spain,,,,,,\x80 200 budget\n" + GAMMA),
         3, "note", "U+0080", fix="--encoding cp1252"),
    Case("header-repeated-mid-file", _csv("rep.csv", BETA + "\ufeff" + HEADER + GAMMA), 3, "name", "header row is repeated",
         absent=["name"]),
    Case("xlsx-merged-cells", _xlsx("merged.xlsx", _merged), 3, "country", "merged cells D2:D3",
         absent=["Alpha", "Delta"], fix="unmerge"),
    Case("xlsx-formula-without-result", _xlsx("formula.xlsx", _uncalculated), 2, "country", "no saved result", fix="save it again"),
    Case("xlsx-formula-error", _xlsx("ref.xlsx", _formula_error), 2, "country", "#REF!"),
    Case("xlsx-control-character", _xlsx("ctl.xlsx", _escaped_control), 2, "name", "U+0000 (NUL)"),
    Case("json-nested-object", _json("n.json", [_obj("Alpha", alt_names={"en": "A", "es": "Á"}), _obj("Beta"), _obj("Gamma", "Germany")]),
         2, "alt_names", "nested object", fix="flatten"),
    Case("json-key-twice", _json("k.json", [_obj("Beta"), _obj("Gamma", "Germany")]), 3, "country", "written twice"),
]


def _write_case(case: Case, folder: Path) -> Path:
    path = case.write(folder)
    if case.id == "json-key-twice":  # json.dumps cannot write a key twice
        text = path.read_text(encoding="utf-8").replace('"country": "Germany"', '"country": "Germany", "country": "Austria"')
        path.write_text(text, encoding="utf-8")
        case.absent = ["Gamma"]
        case.present = ["Beta"]
    return path


def _labels(ds) -> set[str]:
    return {str(o) for _, _, o, _ in ds.quads((None, RDFS.label, None, None))}


def _find(problems, case: Case):
    hits = [p for p in problems if (p.row, p.column) == (case.row, case.column)]
    assert hits, f"no problem at row {case.row}, column {case.column!r}: {[str(p) for p in problems]}"
    return hits[0]


# --- read_table ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_read_table_reports_the_row_and_leaves_it_out(case, tmp_path):
    path = _write_case(case, tmp_path)
    table = read_table(path)
    problem = _find(table.problems, case)
    assert problem.file == str(path) and case.says in problem.message and problem.fix
    assert case.fix in problem.fix
    assert case.row in table.skipped and case.row not in [r.number for r in table.rows]
    names = [r.cells["name"] for r in table.rows]
    assert set(case.present) <= set(names)


# --- import: strict writes nothing, lenient skips the row whole --------------------------------


@pytest.fixture()
def filled(tmp_path):
    """A dataset with one table already imported, to show that a failed import leaves it as it was."""
    first = tmp_path / "first"
    first.mkdir()
    (first / "orgs.csv").write_text(HEADER + "ZINNAE,ClusterOrganisation,,España,,,,,,\n", encoding="utf-8")
    ds = store.open_dataset()
    import_sources([first / "orgs.csv"], ds, mapping=MAPPING, root=tmp_path)
    return ds, store.to_memory(ds)


def _same(a, b) -> bool:
    from rdflib.compare import isomorphic

    names = {g.identifier for g in a.graphs()} | {g.identifier for g in b.graphs()}
    return all(isomorphic(a.graph(n), b.graph(n)) for n in names)


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_strict_import_writes_nothing(case, filled, tmp_path):
    ds, before = filled
    path = _write_case(case, tmp_path)
    with pytest.raises(InputErrors) as info:
        import_sources([path], ds, mapping=MAPPING, root=tmp_path)
    problem = _find(info.value.problems, case)
    assert problem.file == str(path) and case.says in problem.message
    assert _same(store.to_memory(ds), before)


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_lenient_import_skips_the_row_whole_and_reports_it(case, tmp_path):
    path = _write_case(case, tmp_path)
    ds = store.open_dataset()
    report = import_sources([path], ds, mapping=MAPPING, root=tmp_path, lenient=True)
    _find(report.skipped, case)
    labels = _labels(ds)
    assert set(case.present) <= labels
    assert not [label for label in labels for bad in case.absent if bad in label]
    assert not [label for label in labels if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", label)]
    assert report.sources[0].rows == len(case.present)
    assert f"skipped {len(report.sources[0].skipped and {p.row for p in report.skipped})} row(s)" in report.to_text()


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_cli_strict_exits_2_names_file_row_and_column_and_writes_nothing(case, tmp_path):
    path = _write_case(case, tmp_path)
    out = tmp_path / "x.ttl"
    result = CliRunner().invoke(main, ["import", str(path), "--mapping", str(MAPPING), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{path}:{case.row}: column '{case.column}'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_cli_lenient_writes_the_good_rows_and_lists_the_skipped_one(case, tmp_path):
    path = _write_case(case, tmp_path)
    out = tmp_path / "x.ttl"
    result = CliRunner().invoke(main, ["import", str(path), "--mapping", str(MAPPING), "--out", str(out), "--lenient"])
    assert result.exit_code == 0, result.output
    assert f"{path}:{case.row}: column '{case.column}'" in result.output
    text = out.read_text(encoding="utf-8")
    assert all(f'"{name}"@en' in text for name in case.present)


# --- all problems at once, up to the limit --------------------------------------------------


def test_every_problem_of_a_table_is_reported_at_once_in_row_order(tmp_path):
    path = _csv("many.csv", "Alpha,ClusterOrganisation,,Atlantis,,,,,,\n" + "Al\x00pha,ClusterOrganisation,,Spain,,,,,,\n"
                + "Short,ClusterOrganisation\n" + BETA + 'Quote,"ClusterOrganisation,,Spain,,,,,,\n' + GAMMA)(tmp_path)
    with pytest.raises(InputErrors) as info:
        import_sources([path], store.open_dataset(), mapping=MAPPING, root=tmp_path)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "country"), (3, "name"), (4, "alt_names"), (6, "type")]


def test_the_problem_limit_counts_unreadable_rows(tmp_path):
    path = _csv("short.csv", "".join(f"Org {i},ClusterOrganisation\n" for i in range(20)))(tmp_path)
    with pytest.raises(InputErrors) as info:
        import_sources([path], store.open_dataset(), mapping=MAPPING, root=tmp_path, limit=5)
    assert len(info.value.problems) == 5 and info.value.limit_reached


def test_read_table_gives_up_on_a_file_that_is_mostly_broken(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "ROW_PROBLEM_LIMIT", 3)
    path = _csv("wrong.csv", "".join(f"Org {i};ClusterOrganisation;;Spain;;;;;;\n" for i in range(10)))(tmp_path)
    with pytest.raises(InputErrors) as info:
        read_table(path)
    assert info.value.limit_reached and "gave up" in info.value.problems[0].message


# --- what is read as it should be (no problem) ------------------------------------------------


def test_bom_crlf_mixed_line_endings_and_blank_rows_keep_row_numbers(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(("\ufeff" + HEADER.replace("\n", "\r\n") + BETA.replace("\n", "\r") + "\r\n" + GAMMA + "Delta,,,Spain,,,,,,\r\n").encode())
    table = read_table(path)
    assert table.header == COLUMNS and not table.problems
    assert [(r.number, r.cells["name"]) for r in table.rows] == [(2, "Beta"), (4, "Gamma"), (5, "Delta")]


def test_a_quoted_cell_over_several_lines_is_one_row(tmp_path):
    path = _csv("notes.csv", 'Alpha,ClusterOrganisation,,Spain,,,,,,"Founded in 2001,\nin Zaragoza"\n' + BETA)(tmp_path)
    table = read_table(path)
    assert not table.problems
    assert [(r.number, r.cells["note"]) for r in table.rows] == [(2, "Founded in 2001,\nin Zaragoza"), (3, "")]


def test_spaces_non_breaking_and_zero_width_spaces_are_trimmed(tmp_path):
    path = _csv("ws.csv", " \u00a0Alpha\u200b ,ClusterOrganisation,, Spain\t,,,,,,\n")(tmp_path)
    (row,) = read_table(path).rows
    assert (row.cells["name"], row.cells["country"]) == ("Alpha", "Spain")
    ds = store.open_dataset()
    import_sources([path], ds, mapping=MAPPING, root=tmp_path)
    assert _labels(ds) == {"Alpha"}


def test_trailing_delimiters_are_fine_when_the_header_has_them_too(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text(HEADER.strip() + ",,\n" + BETA.strip() + ",,\n" + GAMMA.strip() + ",\n", encoding="utf-8")
    table = read_table(path)
    assert [r.cells["name"] for r in table.rows] == ["Beta", "Gamma"] and not table.problems
    # but one more cell than the header line, even an empty one, is a shifted row
    path.write_text(HEADER + BETA.strip() + ",\n", encoding="utf-8")
    assert [(p.row, p.column) for p in read_table(path).problems] == [(2, "#11")]


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + "Ñandú Cluster,ClusterOrganisation,,España,,,,,,\n").encode("utf-16"))
    assert read_table(path).rows[0].cells["name"] == "Ñandú Cluster"


# --- problems with the whole file: refused, even leniently --------------------------------------


FILE_CASES = [
    ("duplicate-header", HEADER.replace("alt_names", "Name").encode(), 1, "Name", "appears twice"),
    ("blank-header-cell", HEADER.replace("alt_names", "").encode(), 1, "#3", "no name"),
    ("png-renamed", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, None, None, "PNG image"),
    ("xlsx-renamed", None, None, None, "rename it to .xlsx"),
    ("binary", bytes((i * 37 + 11) % 256 for i in range(4000)), None, None, "binary"),
    ("utf16-without-bom", (HEADER + BETA).encode("utf-16-le"), None, None, "--encoding utf-16-le"),
]


def _file_case(tmp_path: Path, key: str, data: bytes | None) -> Path:
    path = tmp_path / f"{key}.csv"
    if data is None:  # a real workbook saved under a .csv name
        _xlsx("w.xlsx", lambda wb, ws: ws.append(_record("Beta")))(tmp_path).rename(path)
    else:
        path.write_bytes(data if key != "duplicate-header" and key != "blank-header-cell" else data + BETA.encode())
    return path


@pytest.mark.parametrize(("key", "data", "row", "column", "says"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_a_broken_file_fails_with_its_name_even_leniently(tmp_path, key, data, row, column, says):
    path = _file_case(tmp_path, key, data)
    with pytest.raises((InputError, InputErrors)) as info:
        read_table(path)
    problems = info.value.problems if isinstance(info.value, InputErrors) else [info.value.problem]
    assert any(says in str(p) and (p.row, p.column) == (row, column) for p in problems), [str(p) for p in problems]
    ds = store.open_dataset()
    with pytest.raises(InputErrors):
        import_sources([path], ds, mapping=MAPPING, root=tmp_path, lenient=True)
    assert len(ds) == 0
    out = tmp_path / "x.ttl"
    result = CliRunner().invoke(main, ["import", str(path), "--mapping", str(MAPPING), "--out", str(out), "--lenient"])
    assert result.exit_code == 2 and str(path) in result.output and says in result.output
    assert not out.exists()


def test_non_utf8_file_names_byte_offset_row_column_and_encoding_option(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + BETA + "Ñandú Cluster,ClusterOrganisation,,España,,,,,,\n").encode("cp1252"))
    with pytest.raises(InputError) as info:
        read_table(path)
    p = info.value.problem
    offset = len((HEADER + BETA).encode())
    assert (p.row, p.column, p.line) == (3, "name", 3)
    assert f"byte 0xd1 at byte offset {offset}" in p.message and p.value == "Ñandú Cluster"
    assert "--encoding cp1252" in p.fix
    out = tmp_path / "x.ttl"
    result = CliRunner().invoke(main, ["import", str(path), "--mapping", str(MAPPING), "--out", str(out)])
    assert result.exit_code == 2 and f"{path}:3: column 'name'" in result.output and "--encoding" in result.output
    assert not out.exists()
    result = CliRunner().invoke(main, ["import", str(path), "--mapping", str(MAPPING), "--out", str(out), "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    assert '"Ñandú Cluster"@en' in out.read_text(encoding="utf-8")


def test_a_utf8_bom_decides_even_against_another_encoding_option(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "Ñandú,ClusterOrganisation,,España,,,,,,\n").encode())
    assert read_table(path, encoding="cp1252").rows[0].cells["name"] == "Ñandú"


# --- workbooks ------------------------------------------------------------------------------


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def _rewrite(path: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _workbook(*rows) -> tuple[Workbook, object]:
    wb = Workbook()
    ws = wb.active
    ws.title = "Organisations"
    ws.append(COLUMNS)
    for row in rows:
        ws.append(row)
    return wb, ws


def test_xlsx_formula_with_a_saved_result_gives_the_result(tmp_path):
    wb, ws = _workbook(_record("Alpha", '="Sp"&"ain"'), _record("Beta", '=IF(1>2,"x","")'))
    path = _save(wb, tmp_path / "cached.xlsx")
    # what Excel saves: the formula and its result (text results have t="str"; an empty text is no value)
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(
        rb'<c r="D2"([^>]*)><f>(.*?)</f><v\s*/></c>', rb'<c r="D2" t="str"><f>\2</f><v>Spain</v></c>', re.sub(
            rb'<c r="D3"([^>]*)><f>(.*?)</f><v\s*/></c>', rb'<c r="D3" t="str"><f>\2</f><v></v></c>', xml)))
    table = read_table(path)
    assert not table.problems
    assert [(r.cells["name"], r.cells["country"]) for r in table.rows] == [("Alpha", "Spain"), ("Beta", "")]


def test_xlsx_reads_the_first_visible_sheet_hidden_rows_included(tmp_path):
    wb = Workbook()
    hidden = wb.active
    hidden.title = "Old"
    hidden.append(["whatever"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Organisations")
    ws.append(COLUMNS)
    ws.append(_record("Alpha"))
    ws.append(_record("Beta"))
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["D"].hidden = True
    wb.create_sheet("Notes").append(["Sheet kept by the steward for remarks"])
    wb.active = 1
    table = read_table(_save(wb, tmp_path / "sheets.xlsx"))
    assert not table.problems
    assert [(r.number, r.cells["name"], r.cells["country"]) for r in table.rows] == [(2, "Alpha", "Spain"), (3, "Beta", "Spain")]


def test_xlsx_second_sheet_with_the_same_columns_is_refused_not_dropped(tmp_path):
    wb, _ = _workbook(_record("Alpha"))
    more = wb.create_sheet("More")
    more.append(COLUMNS)
    more.append(_record("Beta"))
    with pytest.raises(InputError, match="sheet 'More' has the same columns"):
        read_table(_save(wb, tmp_path / "two.xlsx"))


def test_xlsx_dates_and_excel_serials(tmp_path):
    wb, ws = _workbook(_record("Alpha", note=dt.datetime(2016, 1, 1)), _record("Beta", note=42370))
    rows = read_table(_save(wb, tmp_path / "dates.xlsx")).rows
    assert [r.cells["note"] for r in rows] == ["2016-01-01", "42370"]
    with pytest.raises(NormalisationError, match="Excel date serial it would be 01/01/2016"):
        date("42370")


def test_xlsx_dates_as_serials_are_reported_by_the_date_column(tmp_path):
    header = "acronym,title,call,start_date,end_date,total_budget,eu_contribution,sectors,description,source,note".split(",")
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    ws.append(["X1", "", "", dt.date(2016, 1, 1), 42735, "", "", "", "", "", ""])
    path = _save(wb, tmp_path / "projects.xlsx")
    with pytest.raises(InputErrors) as info:
        import_sources([path], store.open_dataset(), mapping=data_dir() / "projects.csv-metadata.json", root=tmp_path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "end_date", "42735") and "31/12/2016" in problem.message


def test_xlsx_with_a_wrong_dimension_loses_no_row(tmp_path):
    wb, _ = _workbook(_record("Alpha"), _record("Beta"))
    path = _save(wb, tmp_path / "dim.xlsx")
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', xml))
    table = read_table(path)
    assert [(r.cells["name"], r.cells["country"]) for r in table.rows] == [("Alpha", "Spain"), ("Beta", "Spain")]


def test_xlsx_value_beyond_the_named_columns_is_a_row_problem(tmp_path):
    wb, _ = _workbook(_record("Alpha") + ["stray"], _record("Beta"))
    table = read_table(_save(wb, tmp_path / "wide.xlsx"))
    assert [(p.row, p.column) for p in table.problems] == [(2, "#11")] and [r.cells["name"] for r in table.rows] == ["Beta"]


def test_xlsx_header_repeated_and_merged_header(tmp_path):
    wb, _ = _workbook(_record("Alpha"), COLUMNS, _record("Beta"))
    table = read_table(_save(wb, tmp_path / "rep.xlsx"))
    assert [(p.row, p.column) for p in table.problems] == [(3, "name")]
    wb, ws = _workbook(_record("Alpha"))
    ws.merge_cells("A1:B1")
    with pytest.raises(InputError, match="header cells A1:B1 are merged"):
        read_table(_save(wb, tmp_path / "mhead.xlsx"))


def test_xlsx_that_is_not_a_workbook(tmp_path):
    text = tmp_path / "text.xlsx"
    text.write_text(HEADER + BETA)
    with pytest.raises(InputError, match="a text file, not an XLSX workbook"):
        read_table(text)
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(InputError, match=r"97-2003 workbook \(.xls\)"):
        read_table(old)
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(InputError, match="password"):
        read_table(locked)
    ods = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(InputError, match=r"OpenDocument spreadsheet \(.ods\)"):
        read_table(ods)


def test_xlsx_with_a_dtd_is_refused_before_it_is_parsed(tmp_path):
    wb, _ = _workbook(_record("Alpha"))
    path = _save(wb, tmp_path / "dtd.xlsx")
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    _rewrite(path, "xl/workbook.xml", lambda xml: bomb + re.sub(rb"^<\?xml[^>]*\?>", b"", xml))
    with pytest.raises(InputError, match="DTD"):
        read_table(path)


# --- JSON tables ----------------------------------------------------------------------------


def test_json_lists_of_values_are_kept_and_records_that_are_not_objects_are_problems(tmp_path):
    path = _json("j.json", [_obj("Alpha", sectors=["water", "energy"]), 5, None, _obj("Beta")])(tmp_path)
    table = read_table(path)
    assert [(r.number, r.cells["sectors"]) for r in table.rows] == [(2, ["water", "energy"]), (5, "")]
    assert [(p.row, "not a JSON object" in p.message) for p in table.problems] == [(3, True), (4, True)]


def test_json_nested_too_deeply_is_one_clear_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        read_table(path)
