"""Query results at store speed: files and DataFrames straight from Oxigraph's own serialisers.

:func:`clustergraph.query.run` turns every term of a result into an rdflib object,
which costs more than the query itself for results of hundreds of thousands of
rows. On an Oxigraph dataset, :func:`stream` hands a SELECT result to Oxigraph's
SPARQL results writers (CSV, TSV, JSON), which write it to a file or a binary
stream while the query runs, holding no rows in Python; :func:`dataframe` reads
Oxigraph's TSV with pandas' C parser and types each column at once. Both give the
same answers as :meth:`QueryResult.to_csv`, :meth:`~QueryResult.to_tsv`,
:meth:`~QueryResult.to_json` and :meth:`~QueryResult.to_dataframe` (the same
rows in the same order, datatypes, language tags, blank nodes and unbound cells;
CSV byte for byte, spreadsheet-safe cells included). A CONSTRUCT or DESCRIBE
result streamed as ``turtle`` is collected in a scratch Oxigraph store and written
by Oxigraph's Turtle serializer with the clustergraph prefixes (the same triples as
:meth:`QueryResult.to_turtle`, other bytes). A library query with a columnar plan
(:mod:`clustergraph.query.columnar`: ``co-participants``, ``collaboration-network``)
is answered by the plan instead of the engine, written the same way. Anything else
(ASK, rdflib's memory store, a remote endpoint, the ``table`` format, a graph as
JSON-LD) takes the plain path through :func:`~clustergraph.query.run`.

TSV and JSON are Oxigraph's own: numbers and booleans may be written in the short
form (``5`` rather than ``"5"^^xsd:integer``) and JSON is not indented; any SPARQL
results reader reads the same terms from both paths.

>>> import io
>>> from clustergraph.store import open_dataset, load
>>> ds = open_dataset()
>>> _ = load(ds, b'''@prefix cg: <https://w3id.org/clustergraph/ontology#> .
... <https://w3id.org/clustergraph/id/project/cecil> cg:acronym "=CECIL" ; cg:totalBudget 247283 .
... ''', format="turtle", graph="https://w3id.org/clustergraph/graph/demo")
>>> out = io.BytesIO()
>>> stream(ds, "SELECT ?acronym ?budget WHERE { ?p cg:acronym ?acronym ; cg:totalBudget ?budget }", out)
1
>>> out.getvalue()
b"acronym,budget\\r\\n'=CECIL,247283\\r\\n"
>>> dataframe(ds, "SELECT ?acronym ?budget WHERE { ?p cg:acronym ?acronym ; cg:totalBudget ?budget }").dtypes.astype(str).tolist()
['string', 'Int64']
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ..atomic import atomic_write
from ..bindings import inject_values
from ..errors import QueryError
from ..namespaces import PREFIXES
from ..spreadsheet import FORMULA_STARTS, safe_cell
from ..store import dataset as _store
from ..store import offline
from . import columnar
from .columns import kind_of_datatype, typed_series
from .execution import resolve_query, run

__all__ = ["STREAM_FORMATS", "stream", "dataframe"]

#: Formats :func:`stream` writes (``table`` and ``turtle`` go through :meth:`QueryResult.serialize`).
STREAM_FORMATS = ("csv", "tsv", "json", "table", "turtle")

_NATIVE = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV, "json": ox.QueryResultsFormat.JSON}

# --- preparing and running ----------------------------------------------------------


def _prepare(graph: Any, query: Any, params: Mapping[str, Any] | None, allow_network: offline.AllowNetwork) -> tuple[Any, str, Any]:
    """(named query, query text with the parameters bound, native Oxigraph store or None)."""
    named = resolve_query(query)
    text = inject_values(named.text, named.bindings(params))
    if _store.is_remote(graph):
        return named, text, None
    native = _store.oxigraph(graph)
    return named, text, native


def _solutions(graph: Any, named: Any, text: str, native: ox.Store, allow_network: offline.AllowNetwork) -> ox.QuerySolutions:
    prefixes = {k: str(v) for k, v in graph.namespaces()}
    offline.check_query(
        text,
        allow_network=allow_network,
        graphs=_store.graph_test(native),
        prefixes=prefixes,
        where=str(named.path) if named.path else named.name,
    )
    try:
        result = native.query(text, use_default_graph_as_union=True, prefixes=prefixes)
    except SyntaxError as exc:
        where = str(named.path) if named.path else named.name
        raise QueryError(f"{where}: malformed SPARQL: {str(exc).strip().splitlines()[0]}", fix="correct the query text") from None
    except OSError as exc:
        where = str(named.path) if named.path else named.name
        raise QueryError(f"{where}: the query failed: {exc}", fix="check the query against the data and the store") from None
    return result  # type: ignore[return-value]


def _plain_run(graph: Any, named: Any, params: Mapping[str, Any] | None, allow_network: offline.AllowNetwork) -> Any:
    return run(graph, named, params, allow_network=allow_network)


# --- streaming to files ---------------------------------------------------------------


def stream(
    graph: Any,
    query: Any,
    out: str | os.PathLike[str] | IO[bytes],
    format: str = "csv",
    params: Mapping[str, Any] | None = None,
    *,
    spreadsheet_safe: bool = True,
    allow_network: offline.AllowNetwork = None,
) -> int | None:
    """Run ``query`` on ``graph`` and write its result to ``out`` without holding it; return the row count.

    Parameters
    ----------
    graph, query, params, allow_network:
        As for :func:`clustergraph.query.run`.
    out:
        A file path (written atomically: a reader never sees half a file) or a
        binary stream such as ``sys.stdout.buffer``.
    format:
        ``csv``, ``tsv``, ``json`` (SPARQL 1.1 Query Results formats, written by
        Oxigraph while the query runs), ``turtle`` (a graph, written by Oxigraph's
        serializer on an Oxigraph dataset), or ``table`` (through
        :meth:`QueryResult.serialize`).
    spreadsheet_safe:
        With ``csv``: a ``'`` before cells a spreadsheet program would run as
        formulas (:mod:`clustergraph.spreadsheet`).

    Returns
    -------
    int or None
        Rows written (triples for a graph, 1 for ASK); ``None`` for a SELECT
        result streamed as JSON, whose rows are not counted.
    """
    if format not in STREAM_FORMATS:
        raise QueryError(f"unknown output format {format!r}", fix=f"use one of {', '.join(STREAM_FORMATS)}")
    named, text, native = _prepare(graph, query, params, allow_network)
    if native is not None and named.form in ("CONSTRUCT", "DESCRIBE") and format == "turtle":
        constructed = _constructed(graph, named, text, params, native, allow_network)
        return _write(out, lambda fh: _dump_turtle(constructed, fh))
    if native is None or named.form != "SELECT" or format not in _NATIVE:
        result = _plain_run(graph, named, params, allow_network)
        data = result.serialize(format, spreadsheet_safe=spreadsheet_safe)
        data = data if data.endswith("\n") else data + "\n"
        _write(out, lambda fh: fh.write(data.encode("utf-8")))
        return 1 if result.kind == "ASK" else len(result)
    table = _planned(named, params, native)
    if table is not None:
        return _write(out, lambda fh: _write_table(table, fh, format, spreadsheet_safe))
    solutions = _solutions(graph, named, text, native, allow_network)
    if format == "csv":
        width = len(solutions.variables)
        with tempfile.TemporaryFile(prefix="clustergraph-result-") as raw:
            _serialize(solutions, raw, "csv")
            raw.seek(0)
            return _write(out, lambda fh: _rewrite_csv(raw, fh, width, spreadsheet_safe))
    counter = _LineCounter()

    def native_write(fh: IO[bytes]) -> int:
        counter.target = fh
        _serialize(solutions, counter, format)
        return counter.lines

    lines = _write(out, native_write)
    return lines - 1 if format == "tsv" else None


def _planned(named: Any, params: Mapping[str, Any] | None, native: ox.Store) -> columnar.Table | None:
    """The result of a library query that has a columnar plan (:mod:`.columnar`), else ``None``."""
    plan = columnar.plan_for(named)
    return None if plan is None else plan(native, named.bindings(params))


def _constructed(graph: Any, named: Any, text: str, params: Mapping[str, Any] | None, native: ox.Store, allow_network: offline.AllowNetwork) -> ox.Store:
    """The graph of a CONSTRUCT or DESCRIBE in a new in-memory store: from its columnar plan, else run in Oxigraph."""
    plan = columnar.plan_for(named)
    built = None if plan is None else plan(native, named.bindings(params))
    if built is not None:
        return built
    triples = _solutions(graph, named, text, native, allow_network)
    built = ox.Store()
    with tempfile.TemporaryFile(prefix="clustergraph-result-") as raw:
        try:
            triples.serialize(raw, ox.RdfFormat.N_TRIPLES)
        except OSError as exc:
            raise QueryError(f"the query failed while its result was written: {exc}", fix="check the query against the data and the store") from None
        raw.seek(0)
        built.load(raw, format=ox.RdfFormat.N_TRIPLES)
    return built


def _dump_turtle(constructed: ox.Store, fh: IO[bytes]) -> int:
    """Write a constructed graph with Oxigraph's Turtle serializer and the clustergraph prefixes; return its triple count."""
    constructed.dump(fh, ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes={k: str(v) for k, v in PREFIXES.items()})
    return len(constructed)


def _csv_cell(cell: str) -> str:
    """What Oxigraph's CSV writer writes for a TSV cell: an IRI or a literal's text, blank nodes and numbers as they are."""
    if cell.startswith("<"):
        return cell[1:-1]
    return columnar.unescape(cell) if cell.startswith('"') else cell


_XSD = "http://www.w3.org/2001/XMLSchema#"


def _json_cell(cell: str) -> str:
    """A TSV cell as Oxigraph's SPARQL JSON writer writes its term."""
    dump = functools.partial(json.dumps, ensure_ascii=False)
    if cell.startswith("<"):
        return '{"type":"uri","value":' + dump(cell[1:-1]) + "}"
    if cell.startswith("_:"):
        return '{"type":"bnode","value":' + dump(cell[2:]) + "}"
    if cell.startswith('"'):
        end = cell.rfind('"')
        value, suffix = dump(columnar.unescape(cell)), cell[end + 1:]
        if suffix.startswith("@"):
            return '{"type":"literal","value":' + value + ',"xml:lang":' + dump(suffix[1:]) + "}"
        if suffix.startswith("^^<"):
            return '{"type":"literal","value":' + value + ',"datatype":' + dump(suffix[3:-1]) + "}"
        return '{"type":"literal","value":' + value + "}"
    kind = "boolean" if cell in ("true", "false") else "double" if ("e" in cell or "E" in cell) else "decimal" if "." in cell else "integer"
    return '{"type":"literal","value":' + dump(cell) + ',"datatype":"' + _XSD + kind + '"}'


def _write_table(table: columnar.Table, fh: IO[bytes], format: str, spreadsheet_safe: bool) -> int | None:
    """Write a planned result as Oxigraph's CSV (rewritten as :func:`_rewrite_csv` does), TSV or JSON writer would."""
    if format == "tsv":
        fh.write(("\t".join("?" + v for v in table.variables) + "\n").encode("utf-8"))
        columns = [table.column(i) for i in range(len(table.variables))]
        for start in range(0, len(table), 65536):
            rows = zip(*(c[start:start + 65536] for c in columns))
            fh.write(("".join("\t".join(row) + "\n" for row in rows)).encode("utf-8"))
        return len(table)
    if format == "json":
        heads = [json.dumps(v, ensure_ascii=False) + ":" for v in table.variables]
        columns = [table.column(i, lambda c, h=h: h + _json_cell(c) if c else "") for i, h in enumerate(heads)]
        fh.write(('{"head":{"vars":[' + ",".join(json.dumps(v, ensure_ascii=False) for v in table.variables) + ']},"results":{"bindings":[').encode("utf-8"))
        for start in range(0, len(table), 65536):
            rows = zip(*(c[start:start + 65536] for c in columns))
            chunk = ",".join("{" + ",".join(cell for cell in row if cell) + "}" for row in rows)
            fh.write(((","if start else "") + chunk).encode("utf-8"))
        fh.write(b"]}}")
        return None
    convert = (lambda c: _csv_quoted(safe_cell(_csv_cell(c)))) if spreadsheet_safe else (lambda c: _csv_quoted(_csv_cell(c)))
    columns = [table.column(i, convert) for i in range(len(table.variables))]
    fh.write((",".join(_csv_quoted(v) for v in table.variables) + "\r\n").encode("utf-8"))
    for start in range(0, len(table), 65536):
        rows = zip(*(c[start:start + 65536] for c in columns))
        fh.write(("".join(",".join(row) + "\r\n" for row in rows)).encode("utf-8"))
    return len(table)


def _csv_quoted(cell: str) -> str:
    """A cell as Python's csv writer writes it in a row of several cells (minimal quoting, the excel dialect)."""
    if any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _table_frame(table: columnar.Table) -> Any:
    """A planned result as :func:`dataframe` types it: each column typed once from its distinct cells, then spread to the rows."""
    import numpy as np
    import pandas as pd

    data = {}
    for i, name in enumerate(table.variables):
        used, positions = np.unique(table.codes[i], return_inverse=True)
        kinds, texts, strings = _column([table.cells[i][j] for j in used.tolist()])
        distinct = pd.Series(typed_series(kinds, texts, strings))
        data[name] = distinct.iloc[positions.reshape(-1)].reset_index(drop=True) if len(used) else pd.Series(typed_series(set(), [], None))
    return pd.DataFrame(data, columns=table.variables)


def _serialize(solutions: ox.QuerySolutions, fh: Any, format: str) -> None:
    try:
        solutions.serialize(fh, _NATIVE[format])
    except OSError as exc:
        raise QueryError(f"the query failed while its result was written: {exc}", fix="check the query against the data and the store") from None


class _LineCounter:
    """A binary sink that passes bytes on and counts lines (a TSV result's rows and header)."""

    def __init__(self) -> None:
        self.target: Any = None
        self.lines = 0

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        self.target.write(data)
        return len(data)

    def flush(self) -> None:
        return None


def _write(out: Any, body: Any) -> int:
    if hasattr(out, "write"):
        value = body(out)
        out.flush()
        return value
    with atomic_write(Path(out), "wb") as fh:
        return body(fh)


#: Bytes of Oxigraph's CSV examined at once by :func:`_rewrite_csv`.
CSV_BLOCK = 1 << 20
_CELL_STARTS = tuple(sep + start.encode() for sep in (b",", b"\n") for start in FORMULA_STARTS if start != "\r")


def _formula_like(block: bytes) -> bool:
    """Whether a cell of these CSV lines may start like a formula (substring tests: far faster than a regex)."""
    return block[:1] in (b"=", b"+", b"-", b"@", b"\t", b"\r") or any(s in block for s in _CELL_STARTS) or block.count(b"\r") != block.count(b"\r\n")


def _rewrite_csv(raw: IO[bytes], fh: IO[bytes], width: int, spreadsheet_safe: bool) -> int:
    """Oxigraph's CSV through Python's csv writer: the plain path's quoting, and safe cells.

    A line without a quote holds one whole record of unquoted cells, which both
    writers write alike: a block of such lines is copied as it is unless a cell may
    need a ``'`` (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return). Any other record (quoted cells, line breaks inside a cell, one column)
    is read and written again by Python's csv module.
    """
    if width == 1:
        return max(_rewrite_csv_records(raw, fh, width, spreadsheet_safe), 0)
    formula = _formula_like if spreadsheet_safe else (lambda _: False)
    record: list[bytes] = []
    rows = -1
    pending = b""
    while True:
        block = raw.read(CSV_BLOCK)
        if not block:
            block, pending = pending, b""
            if not block:
                break
        else:
            block = pending + block
            cut = block.rfind(b"\n") + 1
            block, pending = block[:cut], block[cut:]
        if not record and b'"' not in block and not formula(block):
            fh.write(block)
            rows += block.count(b"\n")
            continue
        plain: list[bytes] = []
        for line in block.splitlines(keepends=True):
            if record or b'"' in line or formula(line):
                record.append(line)
                if b"".join(record).count(b'"') % 2:
                    continue  # a quoted cell runs on to the next line
                fh.write(b"".join(plain))
                plain.clear()
                rows += _rewrite_csv_records(io.BytesIO(b"".join(record)), fh, width, spreadsheet_safe) + 1
                record.clear()
                continue
            plain.append(line)
            rows += 1
        fh.write(b"".join(plain))
    if record:  # unbalanced quotes: the csv module decides
        rows += _rewrite_csv_records(io.BytesIO(b"".join(record)), fh, width, spreadsheet_safe) + 1
    return max(rows, 0)


def _rewrite_csv_records(raw: IO[bytes], fh: IO[bytes], width: int, spreadsheet_safe: bool) -> int:
    """Each record read and written again by Python's csv module; returns the records read minus one (the header)."""
    text_in = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    text_out = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=False)
    reader = csv.reader(text_in)
    writer = csv.writer(text_out, lineterminator="\r\n")
    rows = -1
    starts = FORMULA_STARTS
    for row in reader:
        if not row and width == 1:
            row = [""]
        if spreadsheet_safe and any(cell[:1] in starts for cell in row if cell):
            row = [safe_cell(cell) for cell in row]
        writer.writerow(row)
        rows += 1
    text_out.flush()
    text_out.detach()
    text_in.detach()
    return rows


# --- DataFrames --------------------------------------------------------------------------


def dataframe(
    graph: Any,
    query: Any,
    params: Mapping[str, Any] | None = None,
    *,
    allow_network: offline.AllowNetwork = None,
) -> Any:
    """Run ``query`` on ``graph`` into a pandas DataFrame typed as :meth:`QueryResult.to_dataframe` types it.

    On Oxigraph a SELECT result is read column by column from Oxigraph's TSV
    (no rdflib term per cell); other forms and stores go through
    :func:`clustergraph.query.run`.
    """
    import pandas as pd

    named, text, native = _prepare(graph, query, params, allow_network)
    if native is None or named.form != "SELECT":
        return _plain_run(graph, named, params, allow_network).to_dataframe()
    table = _planned(named, params, native)
    if table is not None:
        return _table_frame(table)
    solutions = _solutions(graph, named, text, native, allow_network)
    variables = [v.value for v in solutions.variables]
    with tempfile.TemporaryFile(prefix="clustergraph-result-") as raw:
        _serialize(solutions, raw, "tsv")
        raw.seek(0)
        table = pd.read_csv(
            raw, sep="\t", quoting=csv.QUOTE_NONE, dtype=str, na_filter=False, keep_default_na=False, engine="c", encoding="utf-8",
            skip_blank_lines=False,
        ) if variables else pd.DataFrame()
    data = {}
    for i, name in enumerate(variables):
        cells = table.iloc[:, i].tolist() if len(table.columns) > i else []
        kinds, texts, strings = _column(cells)
        data[name] = typed_series(kinds, texts, strings)
    return pd.DataFrame(data, columns=variables)


def _unescape(text: str) -> str:
    return columnar.unescape('"' + text + '"') if "\\" in text else text


_NUMBER_START = set("0123456789+-.")


def _column(cells: list[str]) -> tuple[set[str], list[str | None], list[str | None] | None]:
    """(kinds, lexical texts, strings for a string column) of one TSV column of N-Triples terms."""
    firsts = {c[:1] for c in cells}
    firsts.discard("")
    if firsts <= {"<"}:  # IRIs (and unbound)
        texts = [c[1:-1] if c else None for c in cells]
        return ({"string"} if firsts else set()), texts, None
    if firsts <= _NUMBER_START:  # numbers in the short form
        texts = [c if c else None for c in cells]
        fractional = any(("." in c or "e" in c or "E" in c) for c in cells)
        return {"float" if fractional else "integer"}, texts, None
    if firsts == {'"'} and all(c.endswith('"') for c in cells if c):  # plain strings
        return {"string"}, [_unescape(c[1:-1]) if c else None for c in cells], None
    kinds: set[str] = set()
    texts: list[str | None] = []
    strings: list[str | None] = []
    for c in cells:
        if not c:
            texts.append(None)
            strings.append(None)
            continue
        head = c[0]
        if head == "<":
            text = c[1:-1]
            kinds.add("string")
            texts.append(text)
            strings.append(text)
        elif head == "_":
            kinds.add("string")
            texts.append(c[2:])
            strings.append(c)
        elif head == '"':
            end = c.rfind('"')
            text = _unescape(c[1:end])
            suffix = c[end + 1:]
            if suffix.startswith("^^<"):
                kinds.add(kind_of_datatype(suffix[3:-1]))
            else:
                kinds.add("string")
            texts.append(text)
            strings.append(text)
        else:  # true, false, integers, decimals and doubles in the short form
            if c in ("true", "false"):
                kinds.add("boolean")
            elif "e" in c or "E" in c or "." in c:
                kinds.add("float")
            else:
                kinds.add("integer")
            texts.append(c)
            strings.append(c)
    return kinds, texts, strings
