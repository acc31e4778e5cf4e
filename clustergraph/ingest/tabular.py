"""Reading tables (CSV, XLSX, JSON) into rows that remember where they came from.

Every row carries the number a spreadsheet program shows for it (the header
is row 1, the first data row is row 2), so that every later problem can point
at ``file:row:column``. JSON records are numbered the same way: the first
object is row 2, as if the keys were a header row.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_bytes("\\ufeffname,country\\nZINNAE,España\\n".encode("utf-8"))
>>> t = read_table(p)
>>> t.header, t.rows[0].number, t.rows[0].cells
(['name', 'country'], 2, {'name': 'ZINNAE', 'country': 'España'})
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["Row", "Table", "read_table", "TABLE_SUFFIXES"]

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".json")
"""File name endings read as tables; everything else is read as RDF."""


@dataclass
class Row:
    """One data row: its spreadsheet row ``number`` and its ``cells`` by header name."""

    number: int
    cells: dict[str, Any]


@dataclass
class Table:
    """A table read from ``file``: the ``header`` as written and its data ``rows``."""

    file: str
    header: list[str]
    rows: list[Row] = field(default_factory=list)


def read_table(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    display: str | None = None,
) -> Table:
    """Read a CSV, TSV, XLSX or JSON table.

    Parameters
    ----------
    path:
        the file; the ending decides the reader (``.csv``, ``.tsv``, ``.xlsx``, ``.json``).
    encoding:
        the text encoding of CSV/TSV/JSON files. A UTF-8 byte-order mark is accepted.
    delimiter:
        the CSV delimiter; by default ``,`` (``\\t`` for ``.tsv``), or ``;`` when the
        header line has semicolons and no commas (spreadsheets in European locales).
    display:
        how to name the file in errors (default: ``path`` as given).

    Returns
    -------
    Table
        header and rows; blank rows are skipped but keep their numbers.

    Raises
    ------
    InputError
        missing file, empty file, undecodable bytes (naming the ``--encoding`` option),
        a row with more cells than the header, a duplicated or empty header.
    """
    p = Path(path)
    name = display or str(path)
    if not p.exists():
        raise InputError("file not found", file=name, fix="check the path; give the table's file name")
    if p.is_dir():
        raise InputError("is a directory, not a table", file=name, fix="give the table's file, not its folder")
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(p, name)
    data = p.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputError("the file is empty", file=name, fix="add a header row and at least one data row")
    text = _decode(data, encoding, name)
    if suffix == ".json":
        return _read_json(text, name)
    if delimiter is None:
        delimiter = "\t" if suffix == ".tsv" else ","
        first = text.split("\n", 1)[0]
        if suffix != ".tsv" and ";" in first and "," not in first:
            delimiter = ";"
    return _read_csv(text, name, delimiter)


def _decode(data: bytes, encoding: str, name: str) -> str:
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding
    try:
        return data.decode(enc)
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r}", file=name, value=encoding, fix="use an encoding such as utf-8, cp1252 or latin-1"
        ) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"the file is not valid {encoding} (byte 0x{data[exc.start]:02x} at line {line})",
            file=name,
            line=line,
            value=data[max(0, exc.start - 10) : exc.start + 10].decode(encoding, errors="replace"),
            fix="save the file as UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252 or latin-1)",
        ) from None


def _check_header(header: list[str], name: str) -> list[str]:
    header = [str(h).strip() if h is not None else "" for h in header]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise InputError("the header row is empty", file=name, row=1, fix="put the column names in the first row")
    seen: dict[str, int] = {}
    for i, h in enumerate(header, start=1):
        if not h:
            raise InputError(
                f"column {i} has no name in the header", file=name, row=1, fix="give every column a name in row 1"
            )
        if h.lower() in seen:
            raise InputError(
                f"column name appears twice in the header (columns {seen[h.lower()]} and {i})",
                file=name,
                row=1,
                column=h,
                fix="give each column a distinct name",
            )
        seen[h.lower()] = i
    return header


def _read_csv(text: str, name: str, delimiter: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InputError(
            f"unreadable CSV: {exc}", file=name, line=reader.line_num, fix="check the quotes on that line"
        ) from None
    if not records or not any(c.strip() for c in records[0]):
        raise InputError("the file is empty", file=name, fix="add a header row and at least one data row")
    header = _check_header(records[0], name)
    table = Table(name, header)
    for number, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        extra = [c for c in record[len(header) :] if c.strip()]
        if extra:
            raise InputError(
                f"the row has {len(record)} cells but the header has {len(header)} columns",
                file=name,
                row=number,
                column=f"#{len(header) + 1}",
                value=extra[0],
                fix="add a column name for the extra cells, or quote cells that contain the delimiter",
            )
        cells = {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)}
        table.rows.append(Row(number, cells))
    return table


def _cell_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_cell_text(v) for v in value]
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def _read_xlsx(p: Path, name: str) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(
            f"not a readable XLSX workbook ({exc})", file=name, fix="save the sheet as .xlsx (Excel 2007+) or as CSV"
        ) from None
    try:
        ws = wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows or not any(v not in (None, "") for v in rows[0]):
        raise InputError("the first sheet is empty", file=name, fix="put a header row in row 1 of the first sheet")
    header = _check_header([_cell_text(v) for v in rows[0]], name)
    table = Table(name, header)
    for number, values in enumerate(rows[1:], start=2):
        cells_list = [_cell_text(v) for v in values]
        if not any(c for c in cells_list):
            continue
        extra = [c for c in cells_list[len(header) :] if c]
        if extra:
            raise InputError(
                f"the row has a value beyond the {len(header)} named columns",
                file=name,
                row=number,
                column=f"#{len(header) + 1}",
                value=extra[0],
                fix="add a column name in row 1 for it, or delete the value",
            )
        cells = {h: (cells_list[i] if i < len(cells_list) else "") for i, h in enumerate(header)}
        table.rows.append(Row(number, cells))
    return table


def _read_json(text: str, name: str) -> Table:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg}", file=name, line=exc.lineno, value=f"column {exc.colno}", fix="fix the JSON syntax at that line"
        ) from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise InputError(
                "expected a list of records (or an object with one list of records)",
                file=name,
                fix='write the table as [{"name": ..., "country": ...}, ...]',
            )
        data = lists[0]
    if not isinstance(data, list) or not data:
        raise InputError("no records in the file", file=name, fix='write the table as [{"name": ..., "country": ...}, ...]')
    header: list[str] = []
    for i, record in enumerate(data, start=2):
        if not isinstance(record, dict):
            raise InputError(
                "a record is not a JSON object", file=name, row=i, value=record, fix="make every record an object of column: value"
            )
        for key in record:
            if key not in header:
                header.append(str(key))
    header = _check_header(header, name)
    table = Table(name, header)
    for i, record in enumerate(data, start=2):
        table.rows.append(Row(i, {h: _cell_text(record.get(h)) for h in header}))
    return table
