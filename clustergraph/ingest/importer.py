"""Import: tables (CSV, XLSX, JSON) and RDF files in, clean linked data out.

:func:`import_sources` is what ``clustergraph import`` runs and what data
stewards call; :func:`load_embedded` imports the embedded Cluster Excellence
dataset in ``data/`` with the very same code.

Every source lands in its own named graph (``GRAPH["source/<slug of its path>"]``)
with its provenance in ``GRAPH.provenance`` (see :mod:`clustergraph.provenance`).
Importing a file again replaces its graph. All sources are read and checked
first; only when every one is clean (or ``lenient=True``) is anything written,
so a failed import leaves the dataset as it was.

>>> ds = load_embedded()
>>> from clustergraph.namespaces import ID, CG
>>> from rdflib import Literal
>>> from rdflib.namespace import XSD
>>> ds.value(ID["project/cecil"], CG.totalBudget)
rdflib.term.Literal('247283', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from ..errors import InputError, InputErrors, MappingError, Problem
from ..resources import data_dir
from ..store.parsing import Limits, check_input, check_json
from .mapping import Mapping, load_mapping, map_table
from .merge import Candidate, IdentityDecision, candidates, merge_by_identifier
from .provenance import (
    PROVENANCE_GRAPH,
    checksum,
    remove_source,
    row_triples,
    source_graph,
    source_triples,
)
from .rdfsource import SUFFIXES, ill_typed_problems, parse_native, read_source
from .tabular import TABLE_SUFFIXES, read_table

__all__ = [
    "SourceReport",
    "ImportReport",
    "import_sources",
    "load_embedded",
    "embedded_sources",
    "find_mapping",
    "canonical_mappings",
    "EMBEDDED_TIME",
    "PROBLEM_LIMIT",
]

EMBEDDED_TIME = _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)
"""The fixed import time recorded for the embedded dataset, so that two builds are identical."""

PROBLEM_LIMIT = 100
"""Problems collected per file before giving up on it."""


@dataclass
class SourceReport:
    """What happened to one source: its graph, the mapping used, what was written and skipped."""

    file: str
    graph: URIRef
    kind: str
    triples: int = 0
    rows: int = 0
    mapping: str | None = None
    format: str | None = None
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "graph": str(self.graph),
            "kind": self.kind,
            "format": self.format,
            "mapping": self.mapping,
            "rows": self.rows,
            "triples": self.triples,
            "skipped": [p.as_dict() for p in self.skipped],
            "warnings": [p.as_dict() for p in self.warnings],
        }


@dataclass
class ImportReport:
    """The outcome of :func:`import_sources`: graphs written, triples per graph, skipped rows, doubtful merges."""

    sources: list[SourceReport] = field(default_factory=list)
    ambiguous: list[Candidate] = field(default_factory=list)
    written: bool = False
    decisions: list[IdentityDecision] = field(default_factory=list)
    """Records merged because they share an identifier, or kept apart because theirs disagree."""

    @property
    def graphs(self) -> dict[str, int]:
        """Triples per named graph written."""
        return {str(s.graph): s.triples for s in self.sources}

    @property
    def skipped(self) -> list[Problem]:
        """Every problem of every skipped row (lenient imports only)."""
        return [p for s in self.sources for p in s.skipped]

    @property
    def warnings(self) -> list[Problem]:
        """What was imported as written but deserves a look: ill-typed literals of RDF files."""
        return [p for s in self.sources for p in s.warnings]

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "sources": [s.as_dict() for s in self.sources],
            "ambiguous": [c.as_dict() for c in self.ambiguous],
            "decisions": [d.as_dict() for d in self.decisions],
        }

    def to_text(self) -> str:
        """A short human-readable summary."""
        lines = []
        for s in self.sources:
            how = f"mapping {s.mapping}" if s.mapping else f"{s.format}"
            lines.append(f"{s.file}: {s.triples} triples into <{s.graph}> ({how})")
            if s.skipped:
                rows = sorted({p.row for p in s.skipped if p.row is not None})
                lines.append(f"  skipped {len(rows)} row(s): {', '.join(map(str, rows))}")
                lines.extend(f"    {p}" for p in s.skipped)
            if s.warnings:
                lines.append(f"  warning: {len(s.warnings)} ill-typed literal(s), imported as written (--strict refuses them):")
                lines.extend(f"    {p}" for p in s.warnings)
        if self.decisions:
            lines.append(f"{len(self.decisions)} identity decision(s) by identifier:")
            lines.extend(f"  {d}" for d in self.decisions)
        if self.ambiguous:
            lines.append(f"{len(self.ambiguous)} possible duplicate organisation(s), not merged:")
            lines.extend(f"  {c}" for c in self.ambiguous)
        return "\n".join(lines)

    def __repr__(self) -> str:
        triples = sum(s.triples for s in self.sources)
        return f"<ImportReport: {len(self.sources)} sources, {triples:,} triples, {len(self.skipped)} skipped-row problems{'' if self.written else ', not written'}>"

    def _repr_html_(self) -> str:
        from ..display import table_html

        rows = [[s.file, s.rows, s.triples, s.mapping or s.format or "", len(s.skipped)] for s in self.sources]
        out = table_html(["source", "rows", "triples", "mapping or format", "problems"], rows, caption="Import", total=len(rows))
        if self.skipped:
            out += table_html(["skipped"], [[str(p)] for p in self.skipped], total=len(self.skipped))
        return out


@dataclass
class _Prepared:
    report: SourceReport
    triples: list[Any]  # rdflib triples from a table, Oxigraph quads from an RDF file
    provenance: list[tuple[Any, Any, Any]]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def canonical_mappings() -> list[Path]:
    """The shipped CSVW mappings (``data/*.csv-metadata.json``), one per canonical table."""
    return sorted(data_dir().glob("*.csv-metadata.json"))


def find_mapping(table_path: Path, header: Sequence[str] | None = None) -> Path | None:
    """Find the mapping for a table: beside it, else the shipped mapping whose columns match its header.

    Looked for, in order: ``<file>-metadata.json`` (CSVW's convention, e.g.
    ``orgs.csv-metadata.json``), ``<stem>.csv-metadata.json`` (so ``orgs.xlsx`` and
    ``orgs.json`` can share the CSV's mapping), ``csv-metadata.json`` in the same
    folder, then a shipped canonical mapping with exactly the same column titles.
    """
    for candidate in (
        table_path.with_name(table_path.name + "-metadata.json"),
        table_path.with_name(table_path.stem + ".csv-metadata.json"),
        table_path.with_name("csv-metadata.json"),
    ):
        if candidate.is_file():
            return candidate
    if header is None:
        return None
    wanted = {h.strip().casefold() for h in header}
    for path in canonical_mappings():
        try:
            m = load_mapping(path)
        except MappingError:  # pragma: no cover - shipped mappings are tested
            continue
        titles = {c.name.casefold() for c in m.columns if not c.virtual}
        required = {c.name.casefold() for c in m.columns if not c.virtual and not c.optional}  # "cg:optional" may be left out
        all_titles = {t.casefold() for c in m.columns if not c.virtual for t in c.titles}
        if required <= wanted <= titles or (wanted <= all_titles and len(required) <= len(wanted) <= len(titles)):
            return path
    return None


def _prepare_table(
    path: Path, display: str, *, mapping: Mapping | None, encoding: str | None, root: Path, time, lenient: bool, limit: int,
    limits: Limits | None = None,
) -> tuple[_Prepared | None, list[Problem], bool]:
    if path.suffix.lower() == ".json" and path.is_file():
        # the same nesting limit as JSON-LD, checked before the JSON parser recurses into it
        check_input(path, format="nt", name=display, limits=limits)  # the size only
        check_json(path.read_bytes(), name=display, limits=limits, jsonld=False)
    table = read_table(path, encoding=encoding or "utf-8", display=display)
    m = mapping
    if m is None:
        found = find_mapping(path, table.header)
        if found is None:
            raise InputError(
                "no mapping for this table",
                file=display,
                row=1,
                value=", ".join(table.header),
                fix=f"put a CSVW mapping '{path.name}-metadata.json' beside it, pass --mapping, "
                "or use the column names of a 'clustergraph template' table",
            )
        m = load_mapping(found)
    if encoding is None and m.encoding and m.encoding.lower() not in {"utf-8", "utf8"}:
        table = read_table(path, encoding=m.encoding, display=display)
    if m.delimiter and m.delimiter != ",":
        table = read_table(path, encoding=encoding or m.encoding or "utf-8", delimiter=m.delimiter, display=display)
    mapped = map_table(m, table, limit=limit)
    header_problem = any(p.row == 1 for p in mapped.problems)
    if mapped.problems and (not lenient or header_problem):
        return None, mapped.problems, mapped.limit_reached
    relpath = _relative(path, root)
    graph = source_graph(relpath)
    mapping_path = _relative(m.path, root)
    report = SourceReport(
        file=relpath,
        graph=graph,
        kind="table",
        rows=len(table.rows) - len(mapped.skipped),
        mapping=mapping_path,
        skipped=list(mapped.problems),
    )
    prov = source_triples(graph, source_file=relpath, digest=checksum(path.read_bytes()), time=time, mapping=mapping_path)
    prov += row_triples(graph, mapped.subjects)
    return _Prepared(report, mapped.triples, prov), [], False


def _prepare_rdf(
    path: Path, display: str, *, base: str | None, root: Path, time, limits: Limits | None = None, strict: bool = False,
) -> _Prepared:
    data = read_source(path, name=display, limits=limits)
    triples, fmt = parse_native(data, name=display, base=base, limits=limits)  # Oxigraph's terms, straight to the store
    warnings = ill_typed_problems(triples, data, name=display, strict=strict)
    if strict and warnings:
        raise InputErrors(warnings)
    relpath = _relative(path, root)
    graph = source_graph(relpath)
    report = SourceReport(file=relpath, graph=graph, kind="rdf", format=fmt, warnings=warnings)
    prov = source_triples(graph, source_file=relpath, digest=checksum(data), time=time)
    return _Prepared(report, triples, prov)


def _is_table(path: Path) -> bool:
    """Tables by their ending; a ``.json`` file with ``@context`` or ``@graph`` is JSON-LD."""
    suffix = path.suffix.lower()
    if suffix == ".json" and path.is_file():
        head = path.read_bytes()[:4096]
        return b'"@context"' not in head and b'"@graph"' not in head
    return suffix in TABLE_SUFFIXES


def _expand(sources: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Folders stand for the tables and RDF files in them (mappings and READMEs left out)."""
    out: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            out += sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and not p.name.startswith(".")
                and not p.name.endswith("-metadata.json")
                and (p.suffix.lower() in TABLE_SUFFIXES or p.suffix.lower() in SUFFIXES)
            )
        else:
            out.append(path)
    return out


def _subjects(dataset: Dataset, graph: URIRef) -> set[URIRef]:
    """The IRIs that are subjects in one named graph, found by the store."""
    from ..store.dataset import select

    _, rows = select(dataset, f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} FILTER(isIRI(?s)) }}")
    return {row[0] for row in rows if isinstance(row[0], URIRef)}


def _write(dataset: Dataset, graph: URIRef, triples: Iterable[tuple[Any, Any, Any]]) -> int:
    """Replace one named graph (the single place that writes into the dataset)."""
    from ..store.dataset import replace_graph

    return replace_graph(dataset, graph, triples)


def import_sources(
    sources: Sequence[str | os.PathLike[str]],
    dataset: Dataset | None = None,
    *,
    mapping: str | os.PathLike[str] | None = None,
    lenient: bool = False,
    encoding: str = "utf-8",
    base: str | None = None,
    time: _dt.datetime | None = None,
    root: str | os.PathLike[str] | None = None,
    limit: int = PROBLEM_LIMIT,
    limits: Limits | None = None,
    strict: bool = False,
) -> ImportReport:
    """Import tables and RDF files into ``dataset``, each into its own named graph.

    Parameters
    ----------
    sources:
        paths of CSV/TSV/XLSX/JSON tables and RDF files (Turtle, N-Triples,
        N-Quads, TriG, RDF/XML, JSON-LD; the format is detected from the content);
        a folder stands for the tables and RDF files in it.
    dataset:
        where to write; default a new :func:`clustergraph.store.open_dataset`.
    mapping:
        a CSVW mapping for every table; by default each table finds its own
        (see :func:`find_mapping`).
    lenient:
        import the good rows and report the bad ones in ``ImportReport.skipped``
        instead of failing. Problems with a whole file (missing or extra columns,
        a file that cannot be read) still fail.
    encoding:
        text encoding of the tables (a UTF-8 byte-order mark is always accepted).
    base:
        base IRI for relative IRIs in RDF files (default the clustergraph data namespace).
    time:
        the import time recorded in the provenance (default now); fix it for reproducible builds.
    root:
        paths are recorded relative to this folder (default the current directory).
    limit:
        problems collected per file before stopping.
    limits:
        input, literal and JSON nesting limits for RDF files and JSON tables
        (:class:`clustergraph.store.parsing.Limits`), the same as :func:`clustergraph.store.load`.
    strict:
        refuse RDF files with ill-typed literals (``"nineteen"^^xsd:integer``,
        ``"2023-13-45"^^xsd:date``) instead of importing them as written with a warning
        in ``ImportReport.warnings`` (subject, predicate, file and line).

    Returns
    -------
    ImportReport
        ``report.written`` is True; graphs, triples, skipped rows and possible duplicates.

    Raises
    ------
    InputErrors
        every problem found (file, row or line, column, value, fix); nothing was written.
    MappingError
        a mapping itself is broken.
    """
    from ..store.dataset import open_dataset

    if dataset is None:
        dataset = open_dataset()
    root_path = Path(root) if root is not None else Path.cwd()
    explicit = load_mapping(mapping) if mapping is not None else None
    enc = encoding if encoding and encoding.lower().replace("_", "-") not in {"utf-8", "utf8"} else None
    prepared: list[_Prepared] = []
    problems: list[Problem] = []
    limit_reached = False
    for source in _expand(sources):
        path = Path(source)
        display = str(source)
        try:
            if _is_table(path):
                if not path.exists():
                    raise InputError("file not found", file=display, fix="check the path")
                item, found, reached = _prepare_table(
                    path, display, mapping=explicit, encoding=enc, root=root_path, time=time, lenient=lenient, limit=limit,
                    limits=limits,
                )
                problems.extend(found)
                limit_reached = limit_reached or reached
                if item is not None:
                    prepared.append(item)
            else:
                prepared.append(_prepare_rdf(path, display, base=base, root=root_path, time=time, limits=limits, strict=strict))
        except InputError as exc:
            problems.append(exc.problem)
        except InputErrors as exc:
            problems.extend(exc.problems)
    graphs = [p.report.graph for p in prepared]
    if len(set(graphs)) != len(graphs):
        seen: set[URIRef] = set()
        for p in prepared:
            if p.report.graph in seen:
                problems.append(
                    Problem("the same source is named twice", file=p.report.file, fix="name each file once")
                )
            seen.add(p.report.graph)
    if problems:
        raise InputErrors(problems, limit_reached=limit_reached)

    provenance = Graph()
    for t in dataset.graph(PROVENANCE_GRAPH).triples((None, None, None)):
        provenance.add(t)
    for item in prepared:
        remove_source(provenance, item.report.graph)
        for t in item.provenance:
            provenance.add(t)
    report = ImportReport()
    for item in prepared:
        item.report.triples = _write(dataset, item.report.graph, item.triples)
        report.sources.append(item.report)
    _write(dataset, PROVENANCE_GRAPH, provenance)
    report.written = True
    report.decisions = merge_by_identifier(dataset, new=[item.report.graph for item in prepared])
    new_orgs: set[URIRef] = set()
    for item in prepared:
        if item.report.kind == "rdf":  # many triples: the store finds the subjects
            new_orgs |= _subjects(dataset, item.report.graph)
        else:
            new_orgs |= {s for s, _, _ in item.triples if isinstance(s, URIRef)}
    report.ambiguous = candidates(dataset, among=new_orgs)
    return report


def embedded_sources() -> list[Path]:
    """The embedded dataset's files: every table in ``data/`` with a mapping, plus ``data/*.ttl``."""
    directory = data_dir()
    tables = []
    for meta in sorted(directory.glob("*.csv-metadata.json")):
        table = directory / meta.name.removesuffix("-metadata.json")
        if table.is_file():
            tables.append(table)
    return tables + sorted(directory.glob("*.ttl"))


def load_embedded(dataset: Dataset | None = None, *, time: _dt.datetime | None = None) -> Dataset:
    """Import the embedded Cluster Excellence dataset (``data/``) and return the dataset.

    Deterministic: the provenance time is :data:`EMBEDDED_TIME` unless ``time`` is
    given, and paths are recorded relative to the folder above ``data/``, so two
    loads are isomorphic.

    Parameters
    ----------
    dataset:
        where to load; default a new :func:`clustergraph.store.open_dataset`.
    time:
        the provenance time to record.

    Returns
    -------
    rdflib.Dataset
    """
    from ..store.dataset import open_dataset

    if dataset is None:
        dataset = open_dataset()
    import_sources(embedded_sources(), dataset, time=time or EMBEDDED_TIME, root=data_dir().parent)
    return dataset
