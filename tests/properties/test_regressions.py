"""What the fuzzing found in the table reader and the mapping reader, fixed, kept as plain examples.

* :func:`clustergraph.ingest.tabular.read_table` let ``zipfile.BadZipFile`` (a damaged local header,
  a bad CRC), ``zlib.error`` (a damaged compressed part), ``OSError`` and ``NotImplementedError``
  escape from a damaged workbook, and ``TypeError`` from openpyxl when a sheet part carries an
  attribute it does not know: now each is an InputError naming the file.
* :func:`clustergraph.ingest.tabular.read_table` took a properly quoted cell with a line break in
  the first column of a wide table (``"Paris\nFrance",Spain,...``, what Excel writes for Alt+Enter)
  for a stray quote that swallows a row: it reported the row, then read its second line as a new
  row (``France"`` with a stray quote) that a lenient import wrote, and numbered every later row
  one too high. Now the last line of a quoted cell counts as a swallowed row only up to its
  closing quote.
* :func:`clustergraph.ingest.mapping.load_mapping` let ``UnicodeDecodeError`` escape from a mapping
  that is not UTF-8, and ``TypeError``, ``ValueError``, ``AttributeError`` and ``re.error`` from a
  mapping whose properties have the wrong JSON type (a list as datatype, a number as template, an
  invalid language tag or pattern, a string as dialect, ...), in ``load_mapping`` or later in
  ``map_table``: now each is a MappingError that names the column and the property.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from clustergraph.errors import InputError, MappingError
from clustergraph.ingest.mapping import load_mapping, map_table
from clustergraph.ingest.tabular import read_table
from clustergraph.resources import data_dir


def _workbook(compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    workbook = Workbook()
    workbook.active.append(["name", "country"])
    workbook.active.append(["ZINNAE", "España"])
    raw = io.BytesIO()
    workbook.save(raw)
    source = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    return out.getvalue()


def _member(data: bytes, name: str) -> zipfile.ZipInfo:
    return zipfile.ZipFile(io.BytesIO(data)).getinfo(name)


def _damaged_header(data: bytes) -> bytes:
    info = _member(data, "xl/worksheets/sheet1.xml")
    out = bytearray(data)
    out[info.header_offset] ^= 0xFF  # "Bad magic number for file header"
    return bytes(out)


def _bad_crc(data: bytes) -> bytes:
    info = _member(data, "xl/worksheets/sheet1.xml")
    out = bytearray(data)
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    out[start + info.compress_size - 20] ^= 0x01  # a stored part: the bytes change, the CRC does not
    return bytes(out)


def _damaged_deflate(data: bytes) -> bytes:
    info = _member(data, "xl/worksheets/sheet1.xml")
    out = bytearray(data)
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    for i in range(start + 2, start + info.compress_size - 2):
        out[i] ^= 0x5A
    return bytes(out)


def _unknown_attribute(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                assert b"baseColWidth" in content
                content = content.replace(b"baseColWidth", b"basuColWidth")
            target.writestr(name, content)
    return out.getvalue()


WORKBOOKS = {
    "damaged-local-header": lambda: _damaged_header(_workbook()),
    "bad-crc": lambda: _bad_crc(_workbook(zipfile.ZIP_STORED)),
    "damaged-deflate-stream": lambda: _damaged_deflate(_workbook()),
    "unknown-sheet-attribute": lambda: _unknown_attribute(_workbook()),
}


def test_the_workbook_builder_makes_readable_workbooks(tmp_path: Path) -> None:
    for compression in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        path = tmp_path / "good.xlsx"
        path.write_bytes(_workbook(compression))
        table = read_table(path)
        assert table.rows[0].cells == {"name": "ZINNAE", "country": "España"}


@pytest.mark.parametrize("case", list(WORKBOOKS))
def test_a_damaged_workbook_is_an_input_error(case: str, tmp_path: Path) -> None:
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(WORKBOOKS[case]())
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.file == str(path)
    assert "workbook" in str(info.value) or "sheet" in str(info.value)
    assert info.value.fix


# --- quoted line breaks ------------------------------------------------------------------------


WIDE = "name,type,alt_names,country,city,region,website,sectors,source,note\n"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_a_quoted_line_break_in_the_first_cell_is_one_row(newline: str, tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes((WIDE + f'"Cap{newline}Digital",ClusterOrganisation,,France,,,,,,\nBeta,ClusterOrganisation,,Spain,,,,,,\n').encode())
    table = read_table(path)
    assert not table.problems, [str(p) for p in table.problems]
    assert [(r.number, r.cells["name"], r.cells["country"]) for r in table.rows] == [
        (2, f"Cap{newline}Digital", "France"),
        (3, "Beta", "Spain"),
    ]


def test_a_stray_quote_that_swallows_a_whole_row_is_still_reported(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes((WIDE + 'Alpha,ClusterOrganisation,,Spain,,,,,,"Founded\nDelta,ClusterOrganisation,,Spain,,,,,,in 2001"\n').encode())
    table = read_table(path)
    assert [(p.row, p.column) for p in table.problems] == [(2, "note")]
    assert "swallows" in table.problems[0].message


# --- mappings --------------------------------------------------------------------------------


def _mapping(tmp_path: Path, change) -> Path:
    meta = json.loads((data_dir() / "organisations.csv-metadata.json").read_text(encoding="utf-8"))
    change(meta)
    path = tmp_path / "organisations.csv-metadata.json"
    path.write_text(json.dumps(meta), encoding="utf-8")
    return path


def _column(name: str, key: str, value):
    def change(meta):
        column = next(c for c in meta["tableSchema"]["columns"] if c.get("name") == name)
        column[key] = value

    return change


def _table(key: str, value):
    def change(meta):
        meta[key] = value

    return change


def _schema(key: str, value):
    def change(meta):
        meta["tableSchema"][key] = value

    return change


BROKEN = {
    "datatype-list": _column("name", "datatype", ["string"]),
    "datatype-base-list": _column("name", "datatype", {"base": ["string"]}),
    "format-not-a-pattern": _column("type", "datatype", {"base": "string", "format": "(a|"}),
    "format-a-number": _column("type", "datatype", {"base": "string", "format": 5}),
    "lang-not-a-tag": _column("name", "lang", "(a|"),
    "lang-a-number": _column("name", "lang", 5),
    "name-an-object": _column("city", "name", {"x": 1}),
    "template-a-number": _column("city", "propertyUrl", 5),
    "normaliser-a-list": _column("country", "cg:normalise", ["country"]),
    "normaliser-a-number": _column("country", "cg:normalise", 5),
    "separator-a-boolean": _column("sectors", "separator", True),
    "null-a-number": _column("city", "null", 0),
    "default-an-object": _column("city", "default", {}),
    "virtual-a-string": _column("city", "virtual", "no"),
    "required-a-string": _column("name", "required", "yes"),
    "dialect-a-string": _table("dialect", "semicolon"),
    "delimiter-two-characters": _table("dialect", {"delimiter": ";;"}),
    "encoding-unknown": _table("dialect", {"encoding": "klingon"}),
    "url-a-list": _table("url", ["organisations.csv"]),
    "primary-key-a-number": _schema("primaryKey", 1),
    "table-group-of-a-string": lambda meta: meta.update({"tables": ["organisations.csv"]}),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_mapping_with_a_wrong_json_type_is_a_mapping_error(case: str, tmp_path: Path) -> None:
    path = _mapping(tmp_path, BROKEN[case])
    with pytest.raises(MappingError) as info:
        mapping = load_mapping(path)
        map_table(mapping, read_table(data_dir() / "organisations.csv"))
    assert str(path) in str(info.value) and info.value.fix


def test_a_mapping_that_is_not_utf8_is_a_mapping_error(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv-metadata.json"
    path.write_bytes((data_dir() / "organisations.csv-metadata.json").read_bytes().replace(b"Organisations", b"Organisati\xf3ns"))
    with pytest.raises(MappingError, match="not UTF-8"):
        load_mapping(path)


def test_the_shipped_mappings_still_load(tmp_path: Path) -> None:
    for path in sorted(data_dir().glob("*.csv-metadata.json")):
        mapping = load_mapping(path)
        table = read_table(data_dir() / path.name.removesuffix("-metadata.json"))
        assert not map_table(mapping, table).problems, path.name
