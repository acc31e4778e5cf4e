"""Fuzzing the parsers: every way bytes come in raises a ClusterGraphError or reads them, quickly.

Two kinds of input, each through every reader:

* **generated**: RDF documents built from the strategies (valid and hostile IRIs, literals of every
  datatype pasted raw or escaped, language tags, DTDs, remote JSON-LD contexts);
* **mutated**: real files (the fixtures in ``tests/``, ``ontology/``, ``shapes/``, the tables and
  mappings in ``data/``, and those files written again in every RDF format and as JSON and XLSX
  tables) with bytes flipped, replaced, inserted, deleted, duplicated or cut off; workbooks are
  also mutated inside their ZIP, part by part.

The readers: :func:`clustergraph.store.load` in every format on Oxigraph in memory and on disk and
on rdflib's memory store (on failure the store must hold exactly what it held before), :func:`clustergraph.ingest.rdfsource.parse_rdf`
(format detection included), :func:`clustergraph.ingest.importer.import_sources` on RDF files and
on tables with their mapping, :func:`clustergraph.ingest.tabular.read_table` on CSV, TSV, JSON
and XLSX, and :func:`clustergraph.ingest.mapping.load_mapping` on mappings.

Only a :class:`~clustergraph.errors.ClusterGraphError` may escape; each call must finish within
``CALL_SECONDS``; no call may open a socket (contexts are never fetched). The suite runs a few
hundred inputs in seconds; ``CLUSTERGRAPH_FUZZ_EXAMPLES`` makes it a long run (``README.md``).
"""

from __future__ import annotations

import io
import logging
import shutil
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from property_strategies import CALL_SECONDS, configured, rdf_documents

from clustergraph import store
from clustergraph.errors import ClusterGraphError, MappingError
from clustergraph.ingest.importer import EMBEDDED_TIME, import_sources
from clustergraph.ingest.mapping import load_mapping
from clustergraph.ingest.rdfsource import parse_rdf
from clustergraph.ingest.tabular import read_table
from clustergraph.resources import data_dir

ROOT = Path(__file__).resolve().parents[2]
FORMATS = list(store.FORMATS)
SUFFIX = {"turtle": ".ttl", "nt": ".nt", "nquads": ".nq", "trig": ".trig", "xml": ".rdf", "json-ld": ".jsonld"}
SEED_BYTES = 12_000  # seeds are cut (at a line end) to this size, so that each call takes milliseconds


# --- no socket, no stray exception, no hang ----------------------------------------------------------


class _Sockets:
    """Records every socket a parser call tries to open (loopback included), through audit events."""

    def __init__(self) -> None:
        self.watching = False
        self.seen: list[str] = []

    def __call__(self, name: str, args: tuple) -> None:
        if self.watching and name in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
            self.seen.append(f"{name} {args[:2]!r}")


SOCKETS = _Sockets()
sys.addaudithook(SOCKETS)


#: Exceptions that escape today through code this folder may not change, each to be pinned by an
#: ``xfail`` test: (exception type, function in the traceback, the xfail test). The fuzz tests
#: count them as events and go on, so that a long run finds the other bugs. Empty: the one found
#: (LookupError from parsing.xml_position) is fixed; test_parse_rdf_with_an_unknown_xml_encoding.
KNOWN_ESCAPES: list[tuple[type[BaseException], str, str]] = []


def known_escape(exc: BaseException) -> str | None:
    import traceback

    functions = {frame.name for frame in traceback.extract_tb(exc.__traceback__)}
    for kind, function, test in KNOWN_ESCAPES:
        if isinstance(exc, kind) and function in functions:
            return test
    return None


def attempt(call, *args, **kwargs):
    """Run one parser call: return its result or the ClusterGraphError it raised; anything else
    (but the KNOWN_ESCAPES), a socket, or a call slower than CALL_SECONDS fails the test."""
    SOCKETS.seen.clear()
    SOCKETS.watching = True
    start = time.monotonic()
    try:
        return call(*args, **kwargs)
    except ClusterGraphError as exc:
        assert str(exc), "an error without a message"
        return exc
    except Exception as exc:
        pinned = known_escape(exc)
        if pinned is None:
            raise
        event(f"known bug: {pinned}")
        return ClusterGraphError(f"known bug ({pinned}): {type(exc).__name__}: {exc}")
    finally:
        SOCKETS.watching = False
        took = time.monotonic() - start
        assert took < CALL_SECONDS, f"{getattr(call, '__name__', call)} took {took:.1f} s (bound {CALL_SECONDS} s)"
        assert not SOCKETS.seen, f"a parser tried to reach the network: {SOCKETS.seen[:3]}"


@pytest.fixture(autouse=True)
def _quiet():
    logging.disable(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


# --- seeds -------------------------------------------------------------------------------------------------


def _cut(data: bytes, size: int = SEED_BYTES) -> bytes:
    if len(data) <= size:
        return data
    end = data.rfind(b"\n", 0, size)
    return data[: end + 1 if end > 0 else size]


def _rdf_seeds(folder: Path) -> dict[str, list[tuple[str, bytes]]]:
    """Seed files by RDF format: the Turtle fixtures as they are, and the network fixture written in every format."""
    turtle = [ROOT / "tests/network/fixtures/clusters.ttl", ROOT / "tests/reasoning/fixtures/seeds.ttl", ROOT / "ontology/clustergraph.ttl",
              ROOT / "shapes/organisation.ttl", ROOT / "shapes/project.ttl"]
    turtle += sorted((ROOT / "tests/validation/fixtures").glob("*.ttl"))
    seeds: dict[str, list[tuple[str, bytes]]] = {fmt: [] for fmt in FORMATS}
    seeds["turtle"] = [(p.name, _cut(p.read_bytes())) for p in turtle if p.is_file()]
    for fixture in ("valid", "sloppy"):  # sloppy.ttl holds ill-typed literals, CR LF, odd IRIs
        ds = store.open_dataset()
        store.load(ds, ROOT / f"tests/validation/fixtures/{fixture}.ttl", graph=f"https://w3id.org/clustergraph/graph/{fixture}")
        for fmt in FORMATS:
            path = store.dump(ds, folder / f"{fixture}{SUFFIX[fmt]}", format=fmt)
            seeds[fmt].append((path.name, path.read_bytes()))  # whole: a cut would break the syntax
    return seeds


def _table_seeds(folder: Path) -> dict[str, list[tuple[str, bytes]]]:
    """Seed tables by suffix: the embedded CSV files, a TSV, JSON tables and XLSX workbooks made from them."""
    import csv
    import json

    from openpyxl import Workbook

    seeds: dict[str, list[tuple[str, bytes]]] = {".csv": [], ".tsv": [], ".json": [], ".xlsx": []}
    for path in sorted(data_dir().glob("*.csv")):
        seeds[".csv"].append((path.name, _cut(path.read_bytes())))
    for name in ("organisations.csv", "projects.csv", "participations.csv"):
        rows = list(csv.reader(io.StringIO((data_dir() / name).read_text(encoding="utf-8"))))
        stem = name.removesuffix(".csv")
        buffer = io.StringIO()
        csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows(rows)
        seeds[".tsv"].append((f"{stem}.tsv", buffer.getvalue().encode("utf-8")))
        records = [dict(zip(rows[0], row)) for row in rows[1:]]
        seeds[".json"].append((f"{stem}.json", _cut(json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8"))))
        workbook = Workbook()
        for row in rows[:40]:
            workbook.active.append(row)
        workbook.active.merge_cells("J2:J3")
        out = io.BytesIO()
        workbook.save(out)
        seeds[".xlsx"].append((f"{stem}.xlsx", out.getvalue()))
    return seeds


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def rdf_seeds(folder) -> dict[str, list[tuple[str, bytes]]]:
    logging.disable(logging.CRITICAL)  # rdflib logs each ill-typed literal of sloppy.ttl
    try:
        return _rdf_seeds(folder)
    finally:
        logging.disable(logging.NOTSET)


@pytest.fixture(scope="module")
def table_seeds(folder) -> dict[str, list[tuple[str, bytes]]]:
    return _table_seeds(folder)


def test_the_seeds_read_cleanly(rdf_seeds, table_seeds, folder) -> None:
    """Mutations start from good files: every seed reads (the Turtle ones cut at a line end may end mid-statement)."""
    for fmt, seeds in rdf_seeds.items():
        for name, data in seeds[-2:]:  # the files written by dump
            if name == "sloppy.jsonld":
                continue  # dump writes its xsd:double INF as bare Infinity: test_roundtrip.py, KNOWN_BUGS["jsonld-nan-inf"]
            assert store.load(store.open_dataset(), data, format=fmt) > 0, name
    for suffix, seeds in table_seeds.items():
        for name, data in seeds:
            path = folder / name
            path.write_bytes(data)
            table = read_table(path)
            assert table.header and (table.rows or name == "partnership_members.csv"), name
            assert not table.problems or suffix == ".xlsx", name  # the workbooks have merged cells J2:J3 on purpose


# --- mutation ---------------------------------------------------------------------------------------------

#: Bytes that mean something to one syntax or another, for insertion.
TOKENS = [
    b'"', b"'", b'"""', b"<", b">", b"{", b"}", b"[", b"]", b"(", b")", b"@", b"^^", b"_:", b".", b";", b",", b":", b"#", b"\\",
    b"\\u0000", b"\\U0010FFFF", b"\\uD800", b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc0\x80", b"\xed\xa0\x80", b"\n", b"\r", b"\r\n",
    b"\t", b" ", b"<!DOCTYPE r [<!ENTITY a 'b'>]>", b"&a;", b"&#0;", b"&#x1F600;", b"]]>", b"<![CDATA[", b"@prefix", b"@base <http://ex.org/> .",
    b"GRAPH", b"PREFIX", b"a", b"true", b"1e999", b"-0", b"NaN", b'{"@context": "http://127.0.0.1:9/x"}', b'"@context"', b'"@id"',
    b'"@value"', b'"@type"', b'"@list"', b'"@graph"', b"[" * 200, b"{" * 200, b"(" * 200, b"=1+1", "\u202e".encode(),
    "👍".encode(), b"%00", b"%", b"..", b"/../", b"file:///etc/passwd", b'encoding="TTF-8"', b'encoding="UTF-16"', b"rdf:parseType=\"Literal\"", b"xml:lang=\"\"", b"9" * 40,
]


@st.composite
def mutated(draw, seeds: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """A seed with one to eight mutations: bit flips, byte replacements, insertions (of syntax
    tokens or random bytes), deletions, duplications, splices from another seed, truncation."""
    name, data = draw(st.sampled_from(seeds))
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "replace", "insert", "insert", "delete", "duplicate", "splice", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "replace" and data:
            at = min(at, len(data) - 1)
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            size = draw(st.integers(1, 256))
            data[at:at] = data[at : at + size] * draw(st.integers(1, 4))
        elif op == "splice":
            _, other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start : start + draw(st.integers(1, 512))]
        elif op == "truncate":
            del data[at:]
    return name, bytes(data)


def _state(ds) -> frozenset:
    return frozenset(store.quads(ds))


#: The store kinds loads are fuzzed on: both kinds in memory, and Oxigraph on disk (one store per
#: module, emptied before each example: opening RocksDB costs a fifth of a second).
LOAD_KINDS = [*store.STORE_KINDS, "oxigraph-disk"]
_DISK: dict[str, object] = {}


def _open(kind: str):
    if kind != "oxigraph-disk":
        return store.open_dataset(kind)
    if "store" not in _DISK:
        import tempfile

        _DISK["folder"] = tempfile.TemporaryDirectory(prefix="clustergraph-fuzz-")
        _DISK["store"] = store.open_dataset("oxigraph", Path(_DISK["folder"].name) / "store")
    ds = _DISK["store"]
    store.oxigraph(ds).clear()
    return ds


@pytest.fixture(scope="module", autouse=True)
def _close_disk_store():
    yield
    if "store" in _DISK:
        _DISK.pop("store").close()
        _DISK.pop("folder").cleanup()


def _prefilled(kind: str):
    ds = _open(kind)
    store.load(ds, b'<http://ex.org/kept> <http://ex.org/p> "before" .', format="nt", graph="http://ex.org/target")
    store.load(ds, b'<http://ex.org/other> <http://ex.org/p> "other" .', format="nt", graph="http://ex.org/other")
    return ds


def check_load(data: bytes, fmt: str, kind: str, *, graph: str | None) -> None:
    """store.load loads or raises a ClusterGraphError; a failure leaves the store as it was."""
    ds = _prefilled(kind)
    before = _state(ds)
    outcome = attempt(store.load, ds, data, format=fmt, graph=graph)
    if isinstance(outcome, ClusterGraphError):
        event(f"{fmt}: refused")
        assert _state(ds) == before, f"a failed {fmt} load changed the store"
    else:
        event(f"{fmt}: loaded")
        assert isinstance(outcome, int) and outcome >= 0
        kept = [q for q in before if str(q[3]) == "http://ex.org/other"]
        assert set(kept) <= _state(ds), "a load into another graph removed data"


# --- store.load -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LOAD_KINDS)
@configured(60)
@given(data=st.data())
def test_store_load_of_mutated_files(kind, data, rdf_seeds) -> None:
    fmt = data.draw(st.sampled_from(FORMATS))
    name, mutant = data.draw(mutated(rdf_seeds[fmt]))
    read_as = fmt if data.draw(st.integers(0, 4)) else data.draw(st.sampled_from(FORMATS))  # sometimes the wrong parser
    check_load(mutant, read_as, kind, graph=data.draw(st.sampled_from(["http://ex.org/target", None])))


@pytest.mark.parametrize("kind", LOAD_KINDS)
@pytest.mark.parametrize("fmt", FORMATS)
@configured(15)
@given(data=st.data())
def test_store_load_of_generated_documents(fmt, kind, data) -> None:
    """RDF files built from the strategies load or raise a ClusterGraphError, leaving the store unchanged on failure."""
    document = data.draw(rdf_documents(fmt))
    check_load(document, fmt, kind, graph=data.draw(st.sampled_from(["http://ex.org/target", None])))


# --- ingest's RDF reading ---------------------------------------------------------------------------------------


@configured(80)
@given(data=st.data())
def test_parse_rdf_of_mutated_and_generated_files(data, rdf_seeds) -> None:
    """Format detection and parsing of whatever a file holds, under a name that may lie about it."""
    fmt = data.draw(st.sampled_from(FORMATS))
    if data.draw(st.booleans()):
        _, content = data.draw(mutated(rdf_seeds[fmt]))
    else:
        content = data.draw(rdf_documents(fmt))
    name = "x" + data.draw(st.sampled_from([SUFFIX[fmt], *SUFFIX.values(), ".owl", ".xml", ".json", ""]))
    outcome = attempt(parse_rdf, content, name=name)
    if not isinstance(outcome, ClusterGraphError):
        quads, detected = outcome
        assert detected in ("turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld")
        event(f"read as {detected}")


@configured(25)
@given(data=st.data())
def test_import_sources_of_mutated_rdf_files(data, rdf_seeds, folder) -> None:
    fmt = data.draw(st.sampled_from(FORMATS))
    _, content = data.draw(mutated(rdf_seeds[fmt]))
    target = folder / "import" / f"extra{SUFFIX[fmt]}"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(content)
    ds = store.open_dataset()
    outcome = attempt(import_sources, [target], ds, root=target.parent, time=EMBEDDED_TIME)
    if isinstance(outcome, ClusterGraphError):
        assert len(ds) == 0, "a failed import wrote something"


# --- tables -------------------------------------------------------------------------------------------------------


def _mutate_workbook(draw, data: bytes) -> bytes:
    """Mutate one part inside the workbook's ZIP (the sheet, the shared strings, the workbook, its types)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            content = source.read(name)
            if name == victim:
                _, content = draw(mutated([(name, content)]))
            target.writestr(name, content)
    return out.getvalue()


@configured(120)
@given(data=st.data())
def test_read_table_of_mutated_tables(data, table_seeds, folder) -> None:
    suffix = data.draw(st.sampled_from([".csv", ".csv", ".tsv", ".json", ".xlsx"]))
    if suffix == ".xlsx" and data.draw(st.booleans()):
        name, content = data.draw(st.sampled_from(table_seeds[suffix]))
        content = _mutate_workbook(data.draw, content)
    else:
        name, content = data.draw(mutated(table_seeds[suffix]))
    path = folder / "tables" / (Path(name).stem + suffix)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8", "cp1252", "latin-1", "utf-16"]))
    outcome = attempt(read_table, path, encoding=encoding)
    if not isinstance(outcome, ClusterGraphError):
        event(f"{suffix}: read")
        for row in outcome.rows:
            assert set(row.cells) == set(outcome.header), "a row with other columns than the header"
        for problem in outcome.problems:
            assert problem.file and problem.row is not None, f"a row problem without its place: {problem}"
    else:
        event(f"{suffix}: refused")


@configured(60)
@given(data=st.data())
def test_import_sources_of_mutated_tables(data, table_seeds, folder) -> None:
    """A mutated embedded table beside its real mapping: imported, or refused with a ClusterGraphError."""
    name, content = data.draw(mutated([s for s in table_seeds[".csv"] if (data_dir() / f"{s[0]}-metadata.json").is_file()]))
    work = folder / "import-tables"
    work.mkdir(exist_ok=True)
    shutil.copy(data_dir() / f"{name}-metadata.json", work / f"{name}-metadata.json")
    (work / name).write_bytes(content)
    ds = store.open_dataset()
    outcome = attempt(import_sources, [work / name], ds, root=work, time=EMBEDDED_TIME, lenient=data.draw(st.booleans()))
    if isinstance(outcome, ClusterGraphError):
        assert len(ds) == 0, "a failed import wrote something"


@configured(60)
@given(data=st.data())
def test_load_mapping_of_mutated_mappings(data, folder) -> None:
    """Only a MappingError escapes from reading a broken CSVW mapping."""
    seeds = [(p.name, p.read_bytes()) for p in sorted(data_dir().glob("*.csv-metadata.json"))]
    name, content = data.draw(mutated(seeds))
    path = folder / "mappings" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    outcome = attempt(load_mapping, path)
    if isinstance(outcome, ClusterGraphError):
        assert isinstance(outcome, MappingError), f"{type(outcome).__name__}, not a MappingError"


#: JSON values a hurried steward (or a typo) puts where a mapping expects something else.
MAPPING_VALUES = [
    None, True, False, 0, -1, 1.5, "", "x", "{name}", "{", "cg:", "cgid:organisation/{name}", "http://ex.org/{+name}", "string",
    "integer", "date", "gYear", "decimal", "boolean", "anyURI", "language", "money", "mint:project", "mint:nothing", ";", "(a|",
    [], {}, ["string"], [None], [1, 2], {"base": "string", "format": "("}, {"base": ["x"]}, {"base": "integer", "format": "x"},
    {"en": ["a", "b"]}, "http://www.w3.org/ns/csvw",
]
MAPPING_KEYS = ["datatype", "null", "default", "separator", "lang", "virtual", "titles", "name", "aboutUrl", "valueUrl",
                "propertyUrl", "cg:normalise", "required", "suppressOutput", "primaryKey", "dialect", "tables", "url"]


def _json_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_paths(item, (*prefix, index))


@st.composite
def mutated_mappings(draw) -> tuple[str, dict]:
    """A shipped mapping with one to four values replaced, removed or added, of any JSON type."""
    import json

    seeds = sorted(data_dir().glob("*.csv-metadata.json"))
    path = draw(st.sampled_from(seeds))
    meta = json.loads(path.read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from([p for p in _json_paths(meta) if p]))
        parent = meta
        for key in where[:-1]:
            parent = parent[key]
        value = json.loads(json.dumps(draw(st.sampled_from(MAPPING_VALUES))))
        op = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if op == "replace":
            parent[where[-1]] = value
        elif op == "remove":
            del parent[where[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(MAPPING_KEYS))] = value
    return path.name, meta


@configured(80)
@given(case=mutated_mappings())
def test_load_mapping_and_map_table_of_mistyped_mappings(case, folder) -> None:
    """A mapping whose values have the wrong JSON type: a MappingError (or a table mapped), never a crash."""
    import json

    name, meta = case
    path = folder / "typed" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(meta), encoding="utf-8")
    mapping = attempt(load_mapping, path)
    if isinstance(mapping, ClusterGraphError):
        assert isinstance(mapping, MappingError), f"{type(mapping).__name__}, not a MappingError"
        return
    from clustergraph.ingest.mapping import map_table

    table = read_table(data_dir() / name.removesuffix("-metadata.json"))
    outcome = attempt(map_table, mapping, table)
    assert isinstance(outcome, ClusterGraphError) or outcome.triples is not None


# --- found here, fixed in ingest/rdfsource.py ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["TTF-8", "klingon"])
def test_parse_rdf_with_an_unknown_xml_encoding(encoding) -> None:
    """RDF/XML declaring an encoding Python does not know: once a LookupError escaped from
    parsing.xml_position (expat, re-parsing to find the line); now an InputError."""
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://ex.org/s"><p xmlns="http://ex.org/">x</p></rdf:Description></rdf:RDF>'
    ).encode()
    with pytest.raises(ClusterGraphError):
        parse_rdf(document, name="x.rdf")
