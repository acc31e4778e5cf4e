"""Importing hostile and sloppy tables through the real mappings: a ClusterGraphError or clean data, never a crash.

Every table of the embedded dataset (``data/*.csv`` with its CSVW mapping) is written again with
rows whose cells are either real values of that column or hostile ones (formulas, quotes,
delimiters, line breaks, NUL, right-to-left overrides, emoji, very long names, legal forms), as a
careful program writes CSV (quoted) or as a careless one does (joined with commas), with or
without a byte-order mark, with LF or CRLF; and as JSON and XLSX tables. Then, through
:func:`clustergraph.ingest.importer.import_sources`:

1. the import succeeds or raises a :class:`~clustergraph.errors.ClusterGraphError`, never another
   exception; a failed import leaves the dataset as it was (byte for byte the same quads); a
   successful one holds no control character in any term and reports as many triples as it wrote;
2. importing the same source twice gives the same quads as importing it once (tables: the very
   same quads; RDF files, whose blank nodes are new on each import: an isomorphic dataset), and
   a second import of a source that failed fails the same way.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from property_strategies import (
    CALL_SECONDS,
    canonical_tables,
    cells,
    configured,
    quads,
    real_columns,
    table_rows,
    write_csv,
)
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from clustergraph import store
from clustergraph.errors import ClusterGraphError, InputErrors
from clustergraph.ingest.importer import EMBEDDED_TIME, import_sources
from clustergraph.ingest.mapping import load_mapping
from clustergraph.resources import data_dir

TABLES = canonical_tables()
#: The tables with the most kinds of columns: names, countries, money, dates, templates, separators, link keys.
RICH = ["organisations.csv", "projects.csv", "participations.csv", "events.csv", "statistics.csv", "label_awards.csv"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@pytest.fixture(autouse=True)
def _quiet():
    logging.disable(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


def header_of(table: str) -> list[str]:
    return load_mapping(data_dir() / f"{table}-metadata.json").header


def place(folder: Path, table: str, suffix: str = ".csv") -> Path:
    """The mapping of ``table`` beside a new file of the same name (``orgs.csv`` and ``orgs.csv-metadata.json``)."""
    shutil.copy(data_dir() / f"{table}-metadata.json", folder / f"{table}-metadata.json")
    return folder / (table.removesuffix(".csv") + suffix)


def state(ds) -> frozenset:
    return frozenset(store.quads(ds))


def timed_import(path: Path, ds, folder: Path, **options):
    """Import ``path``; return the report, or the ClusterGraphError it raised. Anything else fails the test."""
    import time

    start = time.monotonic()
    try:
        return import_sources([path], ds, root=folder, time=EMBEDDED_TIME, **options)
    except ClusterGraphError as exc:
        assert str(exc), "an error without a message"
        return exc
    finally:
        assert time.monotonic() - start < CALL_SECONDS, f"importing {path.name} took more than {CALL_SECONDS} s"


def check_outcome(outcome, ds, before: frozenset) -> None:
    """A failure left the dataset untouched; a success wrote clean terms and counted them."""
    if isinstance(outcome, ClusterGraphError):
        event(f"refused: {type(outcome).__name__}")
        assert state(ds) == before, "a failed import changed the dataset"
        if isinstance(outcome, InputErrors):
            assert outcome.problems and all(p.file for p in outcome.problems), "a problem without its file"
        return
    event("imported")
    assert outcome.written
    for s, p, o, g in store.quads(ds):
        for term in (s, p, o):
            assert not CONTROL.search(str(term)), f"a control character was imported: {term!r}"
    for source in outcome.sources:
        assert source.triples == len(ds.graph(source.graph)), "the report counts other triples than were written"


def prefilled(folder: Path, table: str, kind: str = "oxigraph"):
    """A dataset holding the clean table at the same path, so a failed import has something to keep."""
    ds = store.open_dataset(kind)
    path = place(folder, table)
    shutil.copy(data_dir() / table, path)
    import_sources([path], ds, root=folder, time=EMBEDDED_TIME)
    return ds


@st.composite
def csv_files(draw, table: str):
    """(rows, how to write them) for one embedded table."""
    header = header_of(table)
    rows = draw(table_rows(header, real_columns(table)))
    style = draw(st.sampled_from(["quoted", "quoted", "raw"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    return header, rows, style, newline, bom


# --- 1. import succeeds or raises a ClusterGraphError ----------------------------------------------


@pytest.mark.parametrize("table", RICH)
@configured(12)
@given(data=st.data())
def test_csv_import_succeeds_or_raises_a_clustergraph_error(table, data) -> None:
    header, rows, style, newline, bom = data.draw(csv_files(table))
    lenient = data.draw(st.booleans())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ds = prefilled(folder, table)
        before = state(ds)
        path = write_csv(place(folder, table), header, rows, style=style, newline=newline, bom=bom)
        check_outcome(timed_import(path, ds, folder, lenient=lenient), ds, before)


@configured(40)
@given(data=st.data())
def test_every_embedded_table_survives_hostile_rows(data) -> None:
    """The same property over all the embedded tables (one drawn per example)."""
    table = data.draw(st.sampled_from(TABLES))
    header, rows, style, newline, bom = data.draw(csv_files(table))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ds = store.open_dataset()
        path = write_csv(place(folder, table), header, rows, style=style, newline=newline, bom=bom)
        check_outcome(timed_import(path, ds, folder), ds, frozenset())


@configured(15)
@given(data=st.data())
def test_json_table_import_succeeds_or_raises(data) -> None:
    table = data.draw(st.sampled_from(RICH))
    header = header_of(table)
    rows = data.draw(table_rows(header, real_columns(table)))
    records = [dict(zip(header, row)) for row in rows]
    shape = data.draw(st.sampled_from(["list", "object", "numbers"]))
    if shape == "numbers":  # values a JSON writer gives as numbers, booleans and null
        records = [{k: data.draw(st.one_of(st.just(v), st.integers(), st.floats(), st.booleans(), st.none(), st.lists(cells(), max_size=2)))
                    for k, v in r.items()} for r in records]
    document = {"rows": records} if shape == "object" else records
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ds = prefilled(folder, table)
        before = state(ds)
        path = place(folder, table, ".json")
        path.write_text(json.dumps(document, ensure_ascii=data.draw(st.booleans())), encoding="utf-8")
        check_outcome(timed_import(path, ds, folder), ds, before)


@configured(8)
@given(data=st.data())
def test_xlsx_table_import_succeeds_or_raises(data) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    table = data.draw(st.sampled_from(RICH))
    header = header_of(table)
    rows = data.draw(table_rows(header, real_columns(table), max_rows=3))
    # openpyxl refuses control characters; Excel writes them as _xHHHH_ escapes, and so do we
    escape = data.draw(st.booleans())
    rows = [[ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m[0]):04X}_" if escape else "", c) for c in row] for row in rows]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if data.draw(st.booleans()) and len(rows) >= 2:
        sheet.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ds = prefilled(folder, table)
        before = state(ds)
        path = place(folder, table, ".xlsx")
        workbook.save(path)
        check_outcome(timed_import(path, ds, folder), ds, before)


# --- 2. importing twice equals importing once -------------------------------------------------------


@pytest.mark.parametrize("kind", store.STORE_KINDS)
@configured(15)
@given(data=st.data())
def test_importing_a_table_twice_equals_importing_it_once(kind, data) -> None:
    table = data.draw(st.sampled_from(RICH))
    header, rows, style, newline, bom = data.draw(csv_files(table))
    lenient = data.draw(st.booleans())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_csv(place(folder, table), header, rows, style=style, newline=newline, bom=bom)
        once = store.open_dataset(kind)
        first = timed_import(path, once, folder, lenient=lenient)
        after_once = state(once)
        second = timed_import(path, once, folder, lenient=lenient)
        if isinstance(first, ClusterGraphError):
            assert isinstance(second, ClusterGraphError) and str(second) == str(first), "the same source failed differently"
            assert state(once) == after_once == frozenset()
            return
        assert not isinstance(second, ClusterGraphError), f"imported once, refused the second time: {second}"
        assert state(once) == after_once, "a second import changed the quads"
        assert second.graphs == first.graphs and [p.as_dict() for p in second.skipped] == [p.as_dict() for p in first.skipped]
        fresh = store.open_dataset(kind)
        timed_import(path, fresh, folder, lenient=lenient)
        assert state(fresh) == after_once


def _nquads(items) -> bytes:
    lines = []
    for s, p, o, g in items:
        lines.append(f"{s.n3()} {p.n3()} {_object(o)} {g.n3()} .\n")
    return "".join(lines).encode("utf-8")


def _object(o) -> str:
    if isinstance(o, Literal):
        import pyoxigraph as ox

        return str(ox.Literal(str(o), language=o.language, datatype=ox.NamedNode(str(o.datatype)) if o.datatype else None))
    return o.n3()


def _same_dataset(a, b) -> bool:
    a, b = store.to_memory(a), store.to_memory(b)
    names = {g.identifier for g in a.graphs()} | {g.identifier for g in b.graphs()}
    return all(isomorphic(a.graph(n), b.graph(n)) for n in names)


@pytest.mark.parametrize("suffix", [".nq", ".ttl", ".trig"])
@configured(10)
@given(items=quads(max_size=6))
def test_importing_an_rdf_file_twice_equals_importing_it_once(suffix, items) -> None:
    """An RDF source (blank nodes included) imported twice gives a dataset isomorphic to one import."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / f"extra{suffix}"
        path.write_bytes(_nquads(items))  # N-Quads is valid TriG; as .ttl the importer reads what the content is
        once = store.open_dataset()
        first = timed_import(path, once, folder)
        snapshot = store.to_memory(once)
        second = timed_import(path, once, folder)
        if isinstance(first, ClusterGraphError):
            assert isinstance(second, ClusterGraphError)
            return
        assert not isinstance(second, ClusterGraphError), second
        assert len(once) == len(snapshot) and _same_dataset(once, snapshot)


# --- a case the strategies found, fixed in this change ---------------------------------------------


def test_the_embedded_tables_import_unchanged() -> None:
    """The strategies' real values come from these files: they must import as they are."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ds = store.open_dataset()
        for table in TABLES:
            shutil.copy(data_dir() / table, place(folder, table))
        report = import_sources([place(folder, t) for t in TABLES], ds, root=folder, time=EMBEDDED_TIME)
        assert report.written and len(report.sources) == len(TABLES)
        assert URIRef("https://w3id.org/clustergraph/id/organisation/cap-digital") in set(ds.subjects())


# --- nothing lost silently ------------------------------------------------------------------------------


def _link_table(table: str) -> bool:
    """A table whose rows add facts to entities defined elsewhere (its aboutUrl uses part of its key)."""
    from uritemplate import URITemplate

    mapping = load_mapping(data_dir() / f"{table}-metadata.json")
    abouts = [c.about_url for c in mapping.columns if c.about_url]
    about = max(set(abouts), key=abouts.count)
    return set(URITemplate(about).variable_names) < set(mapping.primary_key)


def _blank(cells: list[str]) -> bool:
    return all(not c.strip().strip("\u200b\u2060\ufeff").strip() for c in cells)


ENTITY_TABLES = [t for t in RICH if not _link_table(t)]


@pytest.mark.parametrize("table", ENTITY_TABLES)
@configured(10)
@given(data=st.data())
def test_every_row_is_imported_or_reported(table, data) -> None:
    """Lenient import of a carefully quoted table: each non-blank row has its provenance or a reported problem."""
    from rdflib.namespace import PROV

    from clustergraph.namespaces import CG, GRAPH

    header = header_of(table)
    rows = data.draw(table_rows(header, real_columns(table)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_csv(place(folder, table), header, rows, style="quoted")
        ds = store.open_dataset()
        outcome = timed_import(path, ds, folder, lenient=True)
        if isinstance(outcome, ClusterGraphError):
            event("refused as a whole")
            return
        graph = outcome.sources[0].graph
        prov = ds.graph(GRAPH.provenance)
        derived = {int(prov.value(node, CG.sourceRow)) for node in prov.subjects(PROV.entity, graph)}
        reported = {p.row for p in outcome.skipped if p.row is not None}
        for number, row in enumerate(rows, start=2):
            if _blank(row):
                continue
            assert number in derived or number in reported, f"row {number} was neither imported nor reported: {row!r}"
