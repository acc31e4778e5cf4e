"""Reading tables (CSV, TSV, XLSX, JSON) into rows that remember where they came from.

Every row carries the number a spreadsheet program shows for it (the header
is row 1, the first data row is row 2), so that every later problem can point
at ``file:row:column``. JSON records are numbered the same way: the first
object is row 2, as if the keys were a header row.

Nothing is lost silently. A row that cannot be read whole is left out of
:attr:`Table.rows` and described in :attr:`Table.problems` (file, row, column,
value and fix): broken quoting (a quote that is never closed, or that swallows
the rows after it), fewer or more cells than the header, a control character
(NUL and the like) in a cell, the header repeated in the middle of the file,
cells of a merged range, a formula without a saved value or with an error
(``#REF!``), a nested object in a JSON record or a key written twice. The
importer reports those rows; ``import --lenient`` skips them, the default
refuses the file. A problem with the whole file (missing, empty, binary, not
in the encoding, a broken header, a workbook that is not one) raises
:class:`~clustergraph.errors.InputError` (or :class:`~clustergraph.errors.InputErrors`
for several header problems).

Cells are trimmed of spaces, non-breaking spaces, zero-width spaces and stray
byte-order marks at both ends. Of a workbook, the first visible sheet is read
(hidden rows and columns included, as a CSV export would); another visible sheet
with the same columns is refused rather than left out. Dates typed as dates
become ``yyyy-mm-dd``.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_bytes("\\ufeffname,country\\nZINNAE,España\\n\\"Cap, Digital,France\\nBeta\\n".encode("utf-8"))
>>> t = read_table(p)
>>> t.header, t.rows[0].number, t.rows[0].cells
(['name', 'country'], 2, {'name': 'ZINNAE', 'country': 'España'})
>>> for problem in t.problems:
...     print(problem.row, problem.column, problem.message)
3 name a quote opens this cell and is never closed: it would swallow every row after it
4 country the row has 1 cell but the header has 2 columns
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, InputErrors, Problem

__all__ = ["Row", "Table", "read_table", "TABLE_SUFFIXES", "ROW_PROBLEM_LIMIT", "XLSX_SIZE_LIMIT"]

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".json")
"""File name endings read as tables; everything else is read as RDF."""

ROW_PROBLEM_LIMIT = 10_000
"""Rows with a problem before :func:`read_table` gives up on a file (wrong delimiter, wrong file)."""

XLSX_SIZE_LIMIT = 1 << 30
"""Bytes a workbook may unpack to (1 GiB); a bigger one (a zip bomb, say) is refused before it is read."""

_SHOWN = 100  # problems listed when a file is given up on


@dataclass
class Row:
    """One data row: its spreadsheet row ``number`` and its ``cells`` by header name."""

    number: int
    cells: dict[str, Any]


@dataclass
class Table:
    """A table read from ``file``: the ``header`` as written, its readable data ``rows``, and
    the ``problems`` of the rows that could not be read whole (those rows are not in ``rows``)."""

    file: str
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> list[int]:
        """The numbers of the rows left out of ``rows`` because of a problem."""
        return sorted({p.row for p in self.problems if p.row is not None})


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
        the text encoding of CSV/TSV/JSON files. A byte-order mark (UTF-8, UTF-16,
        UTF-32) decides the encoding by itself.
    delimiter:
        the CSV delimiter; by default ``,`` (``\\t`` for ``.tsv``), or ``;`` when the
        header line has semicolons and no commas (spreadsheets in European locales).
    display:
        how to name the file in errors (default: ``path`` as given).

    Returns
    -------
    Table
        header and rows; blank rows are skipped but keep their numbers. Rows that
        cannot be read whole are not in ``rows`` but in ``problems``.

    Raises
    ------
    InputError
        missing, empty or binary file, undecodable bytes (with the byte offset, row
        and column, naming the ``--encoding`` option), a workbook that cannot be read,
        a header with an empty, duplicated or broken name.
    InputErrors
        several header problems; or more than :data:`ROW_PROBLEM_LIMIT` broken rows.
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
    _refuse_binary(data, encoding, name, suffix)
    if delimiter is None and suffix != ".json":
        delimiter = _guess_delimiter(data, suffix)
    text = _decode(data, encoding, name, delimiter if suffix != ".json" else None)
    if suffix == ".json":
        return _read_json(text, name)
    assert delimiter is not None
    return _read_csv(text, name, delimiter)


# --- problems ----------------------------------------------------------------------------


class _Collector:
    """The row problems of one file; gives up on the file after ROW_PROBLEM_LIMIT broken rows."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.rows: set[int] = set()

    def add(self, row: int, message: str, *, column: str | None = None, value: Any = None, fix: str | None = None, line: int | None = None) -> None:
        self.problems.append(Problem(message, file=self.name, row=row, column=column, line=line, value=value, fix=fix))
        self.rows.add(row)
        if len(self.rows) > ROW_PROBLEM_LIMIT:
            raise InputErrors(
                [
                    Problem(
                        f"more than {ROW_PROBLEM_LIMIT} rows cannot be read: gave up on the file",
                        file=self.name,
                        fix="check that the file is the table you meant, its delimiter and its encoding",
                    ),
                    *self.problems[:_SHOWN],
                ],
                limit_reached=True,
            )


# control characters other than tab, line feed and carriage return: NUL, BEL, ESC, DEL, C1...
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_EDGES = "\u200b\u2060\ufeff"  # invisible characters that str.strip() keeps


def _strip(text: str) -> str:
    text = text.strip()
    while text and (text[0] in _EDGES or text[-1] in _EDGES):
        text = text.strip(_EDGES).strip()
    return text


def _control_name(text: str) -> str:
    ch = _CONTROL.search(text)[0]  # type: ignore[index]
    names = {"\x00": "NUL", "\x07": "BEL", "\x08": "backspace", "\x0b": "vertical tab", "\x0c": "form feed", "\x1b": "ESC", "\x7f": "DEL"}
    return f"U+{ord(ch):04X}" + (f" ({names[ch]})" if ch in names else "")


def _check_controls(out: _Collector, number: int, cells: dict[str, Any]) -> None:
    for column, value in cells.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _CONTROL.search(item):
                if "\x80" <= _CONTROL.search(item)[0] <= "\x9f":  # type: ignore[index]
                    fix = "the file is probably in Windows-1252 (where this byte is a letter or €), read as latin-1: import with --encoding cp1252"
                else:
                    fix = ("delete the control character from the cell (it often comes from a copy out of a PDF "
                           "or a database export); if the cell looks fine, retype it")
                out.add(
                    number,
                    f"contains the control character {_control_name(item)}, which is invisible in most programs",
                    column=column,
                    value=item,
                    fix=fix,
                )
                break


def _is_header(cells: list[str], header: list[str]) -> bool:
    if not cells or cells[0].casefold() != header[0].casefold():
        return False
    values = list(cells)
    while values and values[-1] == "":
        values.pop()
    return [v.casefold() for v in values] == [h.casefold() for h in header]


def _repeated_header(out: _Collector, number: int, header: list[str]) -> None:
    out.add(
        number,
        "the header row is repeated here (two tables pasted together?)",
        column=header[0],
        fix="delete this row",
    )


def _check_header(raw: list[Any], name: str, row: int = 1) -> list[str]:
    header = [_strip(str(h)) if h is not None else "" for h in raw]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise InputError("the header row is empty", file=name, row=row, fix="put the column names in the first row")
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header, start=1):
        if not h:
            problems.append(
                Problem(f"column {i} has no name in the header", file=name, row=row, column=f"#{i}", fix="give every column a name in the header row")
            )
            continue
        if _CONTROL.search(h) or "\n" in h or "\r" in h:
            problems.append(
                Problem(
                    "a column name contains a line break or a control character",
                    file=name,
                    row=row,
                    column=f"#{i}",
                    value=h,
                    fix="write each column name on one line with visible characters; check that every quote in the header is closed",
                )
            )
        if h.casefold() in seen:
            problems.append(
                Problem(
                    f"column name appears twice in the header (columns {seen[h.casefold()]} and {i})",
                    file=name,
                    row=row,
                    column=h,
                    fix="give each column a distinct name",
                )
            )
        seen.setdefault(h.casefold(), i)
    _raise(problems)
    return header


def _raise(problems: list[Problem]) -> None:
    if len(problems) == 1:
        p = problems[0]
        raise InputError(p.message, file=p.file, row=p.row, column=p.column, line=p.line, value=p.value, fix=p.fix)
    if problems:
        raise InputErrors(problems)


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


# --- bytes to text -----------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook, most likely)", "if it is an Excel workbook, rename it to .xlsx; otherwise open it and save it as CSV (UTF-8)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel 97-2003 workbook (.xls) or another Office file", "open it and save it as .xlsx or as CSV (UTF-8)"),
    (b"%PDF", "a PDF document", "export the table from the program that made the PDF, as CSV or .xlsx"),
    (b"\x89PNG", "a PNG image", "give the table itself, as CSV or .xlsx"),
    (b"\xff\xd8\xff", "a JPEG image", "give the table itself, as CSV or .xlsx"),
    (b"GIF8", "a GIF image", "give the table itself, as CSV or .xlsx"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
    (b"SQLite format 3\x00", "an SQLite database", "export the table as CSV"),
)


def _bom_encoding(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def _refuse_binary(data: bytes, encoding: str, name: str, suffix: str) -> None:
    """A binary file renamed to .csv (or .json) is refused by what it is, not by its first bad byte."""
    if _bom_encoding(data):
        return
    for magic, what, fix in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"not a {suffix.lstrip('.').upper()} table but {what}", file=name, fix=fix)
    if encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32", "utf16", "utf32")):
        return
    sample = data[:8192]
    nul = sample.count(0)
    if nul and len(sample) >= 4:
        for start, enc in ((1, "utf-16-le"), (0, "utf-16-be")):
            half = sample[start::2]
            if half.count(0) >= 0.9 * len(half):
                raise InputError(
                    "looks like UTF-16 text without a byte-order mark",
                    file=name,
                    fix=f"import it with --encoding {enc}, or save it as UTF-8",
                )
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if (nul >= 4 and nul * 50 > len(sample)) or (controls >= 4 and controls * 10 > len(sample)):
        raise InputError(
            f"not a {suffix.lstrip('.').upper()} table: the file is binary ({controls} control bytes in its first {len(sample)})",
            file=name,
            fix="give the table itself, saved as CSV (UTF-8), .xlsx or JSON",
        )


def _guess_delimiter(data: bytes, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    first = data.split(b"\n", 1)[0]
    return ";" if b";" in first and b"," not in first else ","


def _decode(data: bytes, encoding: str, name: str, delimiter: str | None) -> str:
    bom = _bom_encoding(data)
    enc = bom or ("utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding)
    try:
        text = data.decode(enc)
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r}", file=name, value=encoding, fix="use an encoding such as utf-8, cp1252 or latin-1"
        ) from None
    except UnicodeDecodeError as exc:
        raise _decode_error(data, exc, enc, bom is not None, name, delimiter) from None
    if bom and bom != "utf-8-sig":
        text = text.lstrip("\ufeff")
    return text


def _decode_error(data: bytes, exc: UnicodeDecodeError, enc: str, from_bom: bool, name: str, delimiter: str | None) -> InputError:
    """Where the first undecodable byte is (offset, line, row, column) and what the bytes say in cp1252."""
    shown = "UTF-8" if enc.startswith("utf-8") else enc
    start = exc.start
    prefix = data[:start].decode(enc, errors="replace")
    line = prefix.count("\n") + (prefix.count("\r") - prefix.count("\r\n")) + 1
    row, column = None, None
    if delimiter is not None:
        records = list(csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter))
        fresh = not prefix or prefix.endswith(("\n", "\r"))
        row = len(records) + 1 if fresh else len(records)
        index = 0 if fresh or not records else len(records[-1]) - 1
        if row > 1 and records:
            header = [_strip(h) for h in records[0]]
            column = header[index] if index < len(header) else f"#{index + 1}"
    # the cell (or the bytes around the bad one) as Windows-1252 would read them
    line_start = max(data.rfind(b"\n", 0, start), data.rfind(b"\r", 0, start)) + 1
    line_end = min((i for i in (data.find(b"\n", start), data.find(b"\r", start)) if i >= 0), default=len(data))
    raw = data[line_start:line_end]
    if delimiter is not None and column is not None:
        cut = start - line_start
        left = raw.rfind(delimiter.encode(), 0, cut) + 1
        right = raw.find(delimiter.encode(), cut)
        raw = raw[left : right if right >= 0 else len(raw)]
    try:
        guess = raw.decode("cp1252")
        data.decode("cp1252")
    except UnicodeDecodeError:
        guess = None
    if from_bom:
        fix = f"the file starts with a {shown} byte-order mark but is not {shown}: save it again as UTF-8"
    elif guess is not None:
        fix = f"if {_short(guess.strip())!r} is what the cell says, import with --encoding cp1252 (Windows); otherwise name the file's encoding with --encoding (e.g. latin-1, mac-roman), or save it as UTF-8"
    else:
        fix = "save the file as UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252 or latin-1)"
    return InputError(
        f"the file is not valid {shown}: byte 0x{data[start]:02x} at byte offset {start} (line {line})",
        file=name,
        row=row,
        column=column,
        line=line,
        value=raw.decode(enc.replace("-sig", ""), errors="replace") if not guess else guess,
        fix=fix,
    )


# --- CSV and TSV -------------------------------------------------------------------------


@dataclass
class _Record:
    first: int  # index of its first physical line
    end: int  # index after its last physical line
    cells: list[str] | None  # None: the quoting is broken
    error: str | None = None


def _records_from(lines: list[str], start: int, delimiter: str):
    """Records from ``lines[start:]``, each with the lines it spans; stops after broken quoting."""
    reader = csv.reader(map(lines.__getitem__, range(start, len(lines))), delimiter=delimiter, strict=True)
    done = start
    try:
        for cells in reader:
            end = start + reader.line_num
            yield _Record(done, end, cells)
            done = end
    except csv.Error as exc:
        yield _Record(done, max(start + reader.line_num, done + 1), None, str(exc))


def _quote_fault(text: str, delimiter: str) -> tuple[int, int]:
    """(cell index, line offset) of the first quote in ``text`` that runs past a line end,
    is never closed, or is followed by text before the next delimiter."""
    cell = line = 0
    opened_on = 0
    quoted = False
    at_start = True
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                quoted = False
                if i + 1 < n and text[i + 1] not in (delimiter, "\r", "\n"):
                    return cell, opened_on
            elif ch in "\r\n":
                return cell, opened_on
        elif ch == '"' and at_start:
            quoted, opened_on, at_start = True, line, False
        elif ch == delimiter:
            cell, at_start = cell + 1, True
        elif ch == "\n" or (ch == "\r" and text[i + 1 : i + 2] != "\n"):
            line += 1
        else:
            at_start = False
        i += 1
    return cell, opened_on


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "','", ";": "';'"}.get(delimiter, repr(delimiter))


def _read_csv(text: str, name: str, delimiter: str) -> Table:
    lines = io.StringIO(text, newline="").readlines()
    out = _Collector(name)
    table: Table | None = None
    header: list[str] = []
    width = 0
    number = 0
    records = _records_from(lines, 0, delimiter)
    strip = _strip if any(ch in text for ch in _EDGES) else str.strip
    controls = _CONTROL.search(text) is not None
    while True:
        record = next(records, None)
        if record is None:
            break
        number += 1
        if record.cells is None or (table is not None and record.end - record.first > 1 and _swallows(record, lines, delimiter, len(header), width)):
            cell, opened_on = _quote_fault("".join(lines[record.first : record.end]), delimiter)
            if table is None:
                raise InputError(
                    "the quoting of the header row is broken (a quote never closed, or text after a closing quote)",
                    file=name,
                    row=number,
                    line=record.first + 1,
                    value=_short(lines[record.first].rstrip("\r\n")),
                    fix="close the quote, or remove it",
                )
            resume = record.first + opened_on + 1
            column = header[cell] if cell < len(header) else f"#{cell + 1}"
            if record.cells is None and "field larger" in (record.error or ""):
                message = f"a cell is longer than {csv.field_size_limit()} characters: a quote opened here is probably never closed"
            elif record.cells is None and record.end >= len(lines) and "end of data" in (record.error or ""):
                message = "a quote opens this cell and is never closed: it would swallow every row after it"
            elif record.cells is None:
                message = "text follows the closing quote of this cell"
                if resume < record.end:
                    message = "a quote opened in this cell is closed only on a later line, followed by text: it swallows the rows in between"
            else:
                message = f"a quote opened in this cell runs over lines {record.first + 1}-{record.end} and swallows rows that look complete"
            out.add(
                number,
                message,
                column=column,
                line=record.first + opened_on + 1,
                value=_short(lines[record.first + opened_on].rstrip("\r\n")),
                fix='remove the stray quote, or double it ("") to keep a quote inside a quoted cell; '
                'a cell that starts with a quote must end with one: "Cap Digital, Paris"',
            )
            records = _records_from(lines, resume, delimiter)
            continue
        cells = [strip(c) for c in record.cells]
        if not any(cells):
            continue
        if table is None:
            header = _check_header(cells, name, number)
            width = len(cells)  # trailing empty header cells allow as many empty cells in every row
            table = Table(name, header)
            continue
        before = len(out.problems)
        if _is_header(cells, header):
            _repeated_header(out, number, header)
            continue
        if len(cells) < len(header):
            missing = header[len(cells) :]
            spans = f" (a quoted cell runs over lines {record.first + 1}-{record.end})" if record.end - record.first > 1 else ""
            out.add(
                number,
                f"the row has {len(cells)} cell{'s' if len(cells) != 1 else ''} but the header has {len(header)} columns{spans}",
                column=missing[0],
                value=_short("".join(lines[record.first : record.end]).rstrip("\r\n")),
                fix=f"write all {len(header)} cells, separated by {_delimiter_name(delimiter)} (empty cells too), "
                f"so that each value stays under its column; missing: {', '.join(missing)}",
            )
        extra = [c for c in cells[len(header) :] if c]
        if extra or len(cells) > width:
            out.add(
                number,
                f"the row has {len(cells)} cells but the header has {len(header)} columns",
                column=f"#{len(header) + 1}",
                value=extra[0] if extra else _short(lines[record.first].rstrip("\r\n")),
                fix=f"put quotes around cells that contain {_delimiter_name(delimiter)} (\"Paris, France\"), "
                "or add a column name in the header for the extra cells",
            )
        row_cells = dict(zip(header, cells)) if len(cells) >= len(header) else {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
        if controls:
            _check_controls(out, number, row_cells)
        if len(out.problems) == before:
            table.rows.append(Row(number, row_cells))
    if table is None:
        raise InputError("the file is empty", file=name, fix="add a header row and at least one data row")
    table.problems = out.problems
    return table


def _swallows(record: _Record, lines: list[str], delimiter: str, columns: int, width: int) -> bool:
    """A quoted cell over several lines, and lines in it that read as rows of their own: a stray quote.

    ``columns`` is the number of named columns, ``width`` the cells of the header line. A cell
    over several lines in a row of the right length is taken as meant unless the table is wide
    (4 columns or more) and one of its lines has exactly a row's number of cells."""
    if columns < 2 or record.cells is None:
        return False
    right = len(record.cells) in (columns, width)
    if right and columns < 4:
        return False
    last = record.end - 1
    for index in range(record.first + 1, record.end):
        line = lines[index]
        if index == last:
            # the rest of the record follows the closing quote on its last line: only what comes
            # before the quote can be a swallowed row ('"Paris\nFrance",Spain,...' is one cell over two lines)
            line = _through_closing_quote(line)
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if len(cells) in (columns, width):
            return True
    return False


def _through_closing_quote(line: str) -> str:
    """``line`` up to and with the first quote that is not doubled (the one that closes a quoted cell)."""
    i = 0
    while i < len(line):
        if line[i] == '"':
            if line[i + 1 : i + 2] == '"':
                i += 2
                continue
            return line[: i + 1]
        i += 1
    return line


# --- XLSX ---------------------------------------------------------------------------------

_EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([^\"]+)\"")


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
    return _strip(str(value))


def _xlsx_text(value: Any) -> Any:
    if isinstance(value, str):
        # Excel writes control characters and lone carriage returns as _xHHHH_ (ECMA-376, ST_Xstring)
        value = _OOXML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), value)
    return _cell_text(value)


def _open_workbook_zip(p: Path, name: str) -> zipfile.ZipFile:
    """The workbook's ZIP, checked before openpyxl parses any of it: no DTD, a bounded size."""
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError, ValueError) as exc:
        data = p.read_bytes() if p.is_file() else b""
        head = data[:8192]
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and "EncryptedPackage".encode("utf-16-le") in data:
            raise InputError(
                "the workbook is protected by a password (encrypted)",
                file=name,
                fix="open it, remove the password (File > Info > Protect Workbook > Encrypt with Password) and save it again",
            ) from None
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            raise InputError("an old Excel 97-2003 workbook (.xls), not .xlsx", file=name, fix="open it and save it as .xlsx (Excel 2007 or later) or as CSV") from None
        if not head.strip():
            raise InputError("the file is empty", file=name, fix="save the workbook again as .xlsx") from None
        if b"\x00" not in head:
            raise InputError("a text file, not an XLSX workbook", file=name, fix="rename it to .csv (or .tsv, .json) if it is a table in text") from None
        raise InputError(f"not a readable XLSX workbook ({exc})", file=name, fix="save the sheet as .xlsx (Excel 2007+) or as CSV") from None
    try:
        _check_workbook_parts(zf, name)
    except BaseException:
        zf.close()
        raise
    return zf


#: What zipfile and zlib raise on a damaged archive: a bad header or CRC, a member that
#: cannot be decompressed or is encrypted, an offset past the end of the file.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError)


def _damaged(name: str, exc: BaseException) -> InputError:
    return InputError(
        f"not a readable XLSX workbook: its ZIP archive is damaged ({type(exc).__name__}: {exc})",
        file=name,
        fix="open it in a spreadsheet program and save it again as .xlsx, or as CSV; if it came by e-mail or download, fetch it again",
    )


def _check_workbook_parts(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse an OpenDocument file, a zip bomb, a part with a DTD, and a damaged archive."""
    try:
        if "mimetype" in zf.namelist() and b"opendocument" in zf.read("mimetype")[:200]:
            raise InputError("an OpenDocument spreadsheet (.ods), not .xlsx", file=name, fix="save it as .xlsx or as CSV (UTF-8)")
        _check_parts(zf, name)
    except _ZIP_ERRORS as exc:
        raise _damaged(name, exc) from None


def _check_parts(zf: zipfile.ZipFile, name: str) -> None:
    total = sum(info.file_size for info in zf.infolist())
    if total > XLSX_SIZE_LIMIT:
        raise InputError(
            f"the workbook unpacks to {total} bytes, more than the limit of {XLSX_SIZE_LIMIT}",
            file=name,
            fix="split the table into smaller workbooks, or save it as CSV",
        )
    for info in zf.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as fh:
            head = fh.read(65536)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:2] in (b"<\x00", b"\x00<"):
            head = head.decode("utf-16", errors="replace").encode("utf-8")
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise InputError(
                f"the workbook part {info.filename} has a DTD (<!DOCTYPE>), which spreadsheet programs never write",
                file=name,
                fix="refused, as DTD entities can expand to gigabytes or read local files; open the file in a spreadsheet program and save it again",
            )


def _read_xlsx(p: Path, name: str) -> Table:
    from xml.etree.ElementTree import ParseError

    from openpyxl import load_workbook

    zf = _open_workbook_zip(p, name)
    try:
        try:
            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError, ParseError... on broken parts
            raise InputError(
                f"not a readable XLSX workbook ({type(exc).__name__}: {exc})", file=name, fix="open it in a spreadsheet program and save it again as .xlsx, or as CSV"
            ) from None
        try:
            visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
            if not visible:
                raise InputError("the workbook has no visible sheet", file=name, fix="unhide the sheet with the table")
            ws = visible[0]
            ws.reset_dimensions()  # a wrong <dimension> would otherwise cut rows and columns off
            try:
                rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
                others = [(other.title, _first_row(other)) for other in visible[1:]]
                part = getattr(ws, "_worksheet_path", None)  # openpyxl 3.1: the sheet's XML part in the ZIP
                sheet_xml = zf.read(part) if part else b""
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                raise _damaged(name, exc) from None
            except (ParseError, ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError, RuntimeError, OSError) as exc:
                # openpyxl reads a damaged or hand-made sheet part by constructing objects from its XML:
                # an unknown attribute is a TypeError, a date out of range an OverflowError, ...
                raise InputError(
                    f"sheet {ws.title!r} cannot be read ({type(exc).__name__}: {exc})",
                    file=name,
                    fix="open the workbook in a spreadsheet program and save it again",
                ) from None
        finally:
            wb.close()
    finally:
        zf.close()
    return _xlsx_table(rows, sheet_xml, name, ws.title, others)


def _first_row(ws) -> list[str]:
    ws.reset_dimensions()
    for values in ws.iter_rows(values_only=True):
        cells = [_xlsx_text(v) for v in values]
        if any(c for c in cells):
            return [str(c) for c in cells]
    return []


def _formula_cells(sheet_xml: bytes) -> dict[tuple[int, int], str]:
    """Cells with a formula and no saved result: (row, column) -> formula text."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    found: dict[tuple[int, int], str] = {}
    if not re.search(rb"<(?:\w+:)?f[\s>/]", sheet_xml):
        return found
    for m in _CELL.finditer(sheet_xml):
        attrs, inner = m[1], m[2]
        formula = _FORMULA.search(inner)
        if formula is None:
            continue
        kind = re.search(rb'\bt="(\w+)"', attrs)
        value = _VALUE.search(inner)
        if value is not None and value[1]:
            continue
        if kind is not None and kind[1] in (b"str", b"inlineStr"):
            continue  # a formula whose result is the empty text
        ref = re.search(rb'\br="([A-Z]+[0-9]+)"', attrs)
        if ref is None:
            continue
        letters, row = coordinate_from_string(ref[1].decode())
        text = (formula[1] or b"").decode("utf-8", errors="replace")
        found[(row, column_index_from_string(letters))] = "=" + _unescape_xml(text) if text else "(a shared formula)"
    return found


def _unescape_xml(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def _xlsx_table(rows: list[tuple], sheet_xml: bytes, name: str, title: str, others: list[tuple[str, list[str]]]) -> Table:
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    texts = [[_xlsx_text(v) for v in values] for values in rows]
    header_index = next((i for i, cells in enumerate(texts) if any(c for c in cells)), None)
    if header_index is None:
        raise InputError(f"sheet {title!r} is empty", file=name, fix=f"put a header row at the top of sheet {title!r}")
    header_row = header_index + 1
    merges = [range_boundaries(ref.decode()) for ref in _MERGE.findall(sheet_xml)]
    for min_col, min_row, max_col, max_row in merges:
        if min_row <= header_row <= max_row and (max_col > min_col or max_row > min_row):
            raise InputError(
                f"header cells {get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row} are merged",
                file=name,
                row=header_row,
                column=f"#{min_col}",
                fix="unmerge them and give every column its own name in the header row",
            )
    header = _check_header(texts[header_index], name, header_row)
    wanted = {h.casefold() for h in header}
    for other, first in others:
        if {c.casefold() for c in first if c} == wanted:
            raise InputError(
                f"sheet {other!r} has the same columns as sheet {title!r}, but only the first visible sheet is read",
                file=name,
                fix=f"move the rows of {other!r} into {title!r}, or save each sheet as its own file",
            )
    out = _Collector(name)
    table = Table(name, header)
    bad: set[int] = set()
    for min_col, min_row, max_col, max_row in merges:
        if min_row <= header_row or min_col > len(header):
            continue
        top = texts[min_row - 1][min_col - 1] if min_row - 1 < len(texts) and min_col - 1 < len(texts[min_row - 1]) else ""
        if top in ("", []):
            continue  # merged blank cells hold nothing to lose
        ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
        for number in range(min_row, max_row + 1):
            out.add(
                number,
                f"part of the merged cells {ref}: the value is stored once, in {get_column_letter(min_col)}{min_row}, and the other cells of the range are empty",
                column=header[min_col - 1],
                value=top,
                fix="unmerge the cells and write the value into every row and column it belongs to "
                "(Excel: Unmerge Cells, then Go To Special > Blanks, type = and the cell above, Ctrl+Enter)",
            )
            bad.add(number)
    formulas = _formula_cells(sheet_xml)
    formula_rows = {row for row, _ in formulas}
    for number, cells in enumerate(texts[header_index + 1 :], start=header_row + 1):
        if not any(c for c in cells) and number not in formula_rows:
            continue
        before = len(out.problems)
        if _is_header([str(c) for c in cells], header):
            _repeated_header(out, number, header)
            continue
        extra = [(i, c) for i, c in enumerate(cells[len(header) :], start=len(header) + 1) if c]
        if extra:
            out.add(
                number,
                f"the row has a value in column {get_column_letter(extra[0][0])}, beyond the {len(header)} named columns",
                column=f"#{extra[0][0]}",
                value=extra[0][1],
                fix="add a column name in the header row for it, or delete the value",
            )
        row_cells = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
        for i, h in enumerate(header, start=1):
            formula = formulas.get((number, i))
            if formula is not None:
                out.add(
                    number,
                    "the cell has a formula but no saved result (the file was written by a program that does not calculate)",
                    column=h,
                    value=formula,
                    fix="open the file in Excel or LibreOffice and save it again, or replace the formula by its value",
                )
            elif row_cells[h] in _EXCEL_ERRORS:
                out.add(
                    number,
                    f"the formula in this cell gives the error {row_cells[h]}",
                    column=h,
                    value=row_cells[h],
                    fix="correct the formula in the spreadsheet, or replace it by the value it should give",
                )
        _check_controls(out, number, row_cells)
        if len(out.problems) == before and number not in bad:
            table.rows.append(Row(number, row_cells))
    table.problems = sorted(out.problems, key=lambda p: p.row or 0)
    return table


# --- JSON ----------------------------------------------------------------------------------


class _Object(dict):
    """A JSON object that remembers the keys written twice in it."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _read_json(text: str, name: str) -> Table:
    try:
        data = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg}", file=name, line=exc.lineno, value=f"column {exc.colno}", fix="fix the JSON syntax at that line"
        ) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply to be a table", file=name, fix='write the table as [{"name": ..., "country": ...}, ...]') from None
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
    first_seen: dict[str, None] = {}
    for record in data:
        if isinstance(record, dict):
            first_seen.update(dict.fromkeys(record))
    keys = list(first_seen)
    header = _check_header(keys, name)
    raw = {_strip(k): k for k in keys}
    out = _Collector(name)
    table = Table(name, header)
    for number, record in enumerate(data, start=2):
        if not isinstance(record, dict):
            out.add(
                number,
                f"the record is not a JSON object but {type(record).__name__ if record is not None else 'null'}",
                value=_short(json.dumps(record, ensure_ascii=False)),
                fix='make every record an object of column: value, e.g. {"name": "ZINNAE"}',
            )
            continue
        before = len(out.problems)
        for key in dict.fromkeys(getattr(record, "duplicates", [])):
            out.add(number, "the key is written twice in this record: only the last value would be kept", column=key, value=record[key], fix="keep one of the two")
        row_cells: dict[str, Any] = {}
        for h in header:
            value = record.get(raw[h])
            if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
                out.add(
                    number,
                    "a nested " + ("object" if isinstance(value, dict) else "list") + " where a value (or a list of values) is expected",
                    column=h,
                    value=_short(json.dumps(value, ensure_ascii=False)),
                    fix=f"flatten it: one key per value (e.g. {h}_en, {h}_es), or a list of plain values",
                )
                continue
            row_cells[h] = _cell_text(value)
        _check_controls(out, number, row_cells)
        if len(out.problems) == before:
            table.rows.append(Row(number, row_cells))
    table.problems = out.problems
    return table
