"""A W3C CSVW processor: tables to RDF by declarative mappings, one generic engine.

A mapping is a CSVW metadata file (``<table>.csv-metadata.json``) that
describes a table's columns and how each cell becomes a triple. There is no
Python per table: every table, the embedded dataset's and a data steward's
own, goes through :func:`map_table`.

Why CSVW and not RML/YARRRML: the well-kept RML engine, morph-kgc, pins
``rdflib<7.3`` and ``pyoxigraph<0.4``, which cannot live beside the rdflib 7.6,
pySHACL 0.40 and oxrdflib/pyoxigraph 0.5 that the rest of clustergraph uses.
CSVW metadata is a W3C recommendation, plain JSON, and small enough to
process here exactly.

What is supported (the CSVW "csv2rdf" minimal mode, plus three documented additions)
------------------------------------------------------------------------------------
* ``url``, ``tableSchema`` (inline), ``dialect`` (``delimiter``, ``encoding``),
  inherited properties ``aboutUrl``, ``propertyUrl``, ``valueUrl``, ``datatype``,
  ``required``, ``null``, ``default``, ``separator``, ``lang`` on table, schema or column;
* ``columns`` with ``name``, ``titles``, ``virtual``, ``suppressOutput``;
  ``primaryKey`` (duplicates are reported);
* URI templates (RFC 6570, expanded with ``uritemplate``) whose variables are the
  cells *as written* (trimmed) by column name, plus ``_row`` (data row, 1-based),
  ``_sourceRow`` (the row a spreadsheet shows; header = 1) and ``_name`` (column name);
* datatypes ``string`` (with a ``format`` regular expression), ``integer``, ``decimal``,
  ``double``, ``boolean``, ``date`` (ISO), ``gYear``, ``anyURI``, ``language``.

Additions (CSVW allows prefixed "common properties" for these):

1. ``"cg:normalise": "<name>"`` on a column runs a normaliser from
   :mod:`clustergraph.normalise` on the cell (``money``, ``date``, ``country``,
   ``url``, ``organisation``, ``mint:<kind>``, and the identifier schemes ``pic``,
   ``vat``, ``ror``, ``wikidata``, ``eccp``, ``domain``); its result is the triple's object
   (or, with a ``valueUrl``, a check on the cell). ``"cg:optional": true`` on a column
   lets a table leave it out (the identifier columns of ``organisations``: tables
   written before they existed still import).
2. Prefixed names use the clustergraph prefixes (``cg:``, ``cgid:``, ``country:``,
   ``prov:``, ``dcterms:``, ``skos:``, ``schema:`` = ``https://schema.org/``...).
3. IRIs that a template builds under ``cgid:`` (``https://w3id.org/clustergraph/id/<kind>/<key>``)
   are minted by :func:`clustergraph.iri.mint` from the expanded key, so
   ``cgid:organisation/{name}`` gives the same IRI for ``CAP DIGITAL`` and
   ``Cap Digital SAS`` (organisation keys drop legal suffixes).

A virtual column is skipped on a row where a variable its templates use is empty;
with a ``separator``, a ``valueUrl`` is expanded once per item.

>>> import json, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "orgs.csv").write_text("name,country\\nZINNAE,España\\n", encoding="utf-8")
>>> _ = (d / "orgs.csv-metadata.json").write_text(json.dumps({
...   "@context": "http://www.w3.org/ns/csvw", "url": "orgs.csv",
...   "tableSchema": {"aboutUrl": "cgid:organisation/{name}", "columns": [
...     {"name": "name", "required": True, "propertyUrl": "rdfs:label", "lang": "en"},
...     {"name": "country", "propertyUrl": "cg:country", "cg:normalise": "country"},
...     {"virtual": True, "propertyUrl": "rdf:type", "valueUrl": "cg:Organisation"}]}}))
>>> from clustergraph.ingest.tabular import read_table
>>> m = load_mapping(d / "orgs.csv-metadata.json")
>>> result = map_table(m, read_table(d / "orgs.csv"))
>>> sorted(o.n3() for _, _, o in result.triples)
['"ZINNAE"@en', '<http://publications.europa.eu/resource/authority/country/ESP>', '<https://w3id.org/clustergraph/ontology#Organisation>']
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from uritemplate import URITemplate

from ..errors import MappingError, NormalisationError, Problem
from ..iri import KINDS, mint
from ..namespaces import ID, PREFIXES
from .normalise import normaliser, organisation
from .tabular import Row, Table

__all__ = ["Column", "Mapping", "MappedTable", "load_mapping", "match_header", "map_table", "expand_prefixed"]

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"

_EXTRA_PREFIXES = {
    "dc": "http://purl.org/dc/terms/",
    "dc11": "http://purl.org/dc/elements/1.1/",
    "csvw": "http://www.w3.org/ns/csvw#",
}
_KNOWN_PREFIXES = {**_EXTRA_PREFIXES, **{k: str(v) for k, v in PREFIXES.items()}}

_DATATYPES = {
    "string", "integer", "decimal", "double", "boolean", "date", "gYear", "anyURI", "language",
}
_INHERITED = {"aboutUrl", "propertyUrl", "valueUrl", "datatype", "required", "null", "default", "separator", "lang"}
_COLUMN_KEYS = _INHERITED | {"name", "titles", "virtual", "suppressOutput", "@type", "@id", "notes"}
_SCHEMA_KEYS = _INHERITED | {"columns", "primaryKey", "rowTitles", "foreignKeys", "@type", "@id", "notes"}
_TABLE_KEYS = _INHERITED | {"@context", "url", "tableSchema", "dialect", "@type", "@id", "notes", "suppressOutput"}


@dataclass
class Column:
    """One column of a mapping (inherited properties already resolved)."""

    name: str
    titles: list[str]
    property_url: str | None = None
    value_url: str | None = None
    about_url: str | None = None
    datatype: str = "string"
    format: str | None = None
    required: bool = False
    null: list[str] = field(default_factory=lambda: [""])
    default: str | None = None
    separator: str | None = None
    lang: str | None = None
    normalise: str | None = None
    virtual: bool = False
    suppress_output: bool = False
    optional: bool = False
    """``"cg:optional": true``: the table may leave the column out (it reads as empty)."""


@dataclass
class Mapping:
    """A parsed CSVW table description."""

    path: Path
    url: str | None
    columns: list[Column]
    primary_key: list[str]
    delimiter: str | None = None
    encoding: str | None = None
    title: str | None = None

    @property
    def header(self) -> list[str]:
        """The header row a table needs: the first title of each non-virtual column."""
        return [c.titles[0] for c in self.columns if not c.virtual]


@dataclass
class MappedTable:
    """The result of mapping one table.

    ``triples`` come from the good rows; ``subjects`` maps each kept row number to
    the entities it describes (none for rows of a link table, whose ``aboutUrl`` uses
    only part of the ``primaryKey``: they add facts to entities defined elsewhere); ``problems`` lists every problem found (up to the
    limit), in row order, those of the rows the table reader could not read (:attr:`Table.problems
    <clustergraph.ingest.tabular.Table.problems>`) included; ``skipped`` the numbers of the table's
    rows (``Table.rows``) left out because of a problem; ``unreadable`` the numbers of the rows the
    reader left out (they are not in ``Table.rows``), so that every row is either mapped or listed.
    """

    triples: list[tuple[URIRef, URIRef, Any]] = field(default_factory=list)
    subjects: dict[int, list[URIRef]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    limit_reached: bool = False
    unreadable: list[int] = field(default_factory=list)


def _fail(path: Path, message: str, fix: str) -> MappingError:
    return MappingError(f"{path}: {message}", fix=fix)


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):  # natural-language property: {"en": [...], "es": "..."}
        out: list[str] = []
        for v in value.values():
            out.extend(_text_list(v))
        return out
    return [str(value)]


def load_mapping(path: str | os.PathLike[str]) -> Mapping:
    """Read and check a CSVW metadata file.

    Parameters
    ----------
    path:
        the ``.csv-metadata.json`` (or any JSON) file describing one table.

    Returns
    -------
    Mapping

    Raises
    ------
    MappingError
        the file is missing, not JSON, not CSVW, or uses a property, datatype or
        normaliser this processor does not know (typos are caught, not ignored).
    """
    p = Path(path)
    try:
        meta = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise _fail(p, "mapping file not found", "check the path of the .csv-metadata.json file") from None
    except json.JSONDecodeError as exc:
        raise _fail(p, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", "fix the JSON syntax") from None
    except UnicodeDecodeError as exc:
        raise _fail(p, f"not UTF-8 text: byte 0x{exc.object[exc.start]:02x} at byte offset {exc.start}", "save the mapping as UTF-8 (JSON is UTF-8)") from None
    except IsADirectoryError:
        raise _fail(p, "is a directory, not a mapping file", "give the .csv-metadata.json file, not its folder") from None
    except RecursionError:
        raise _fail(p, "the JSON is nested too deeply to be a mapping", "a CSVW mapping nests a few levels: check the brackets") from None
    if not isinstance(meta, dict):
        raise _fail(p, "the mapping is not a JSON object", "write a CSVW table description: {\"@context\": ..., \"tableSchema\": ...}")
    if "tables" in meta:
        tables = meta["tables"]
        if not isinstance(tables, list) or len(tables) != 1:
            raise _fail(p, "a table group must describe exactly one table here", "write one metadata file per table")
        if not isinstance(tables[0], dict):
            raise _fail(p, "the table of the table group is not a JSON object", "describe the table as {\"url\": ..., \"tableSchema\": ...}")
        meta = {**{k: v for k, v in meta.items() if k != "tables"}, **tables[0]}
    context = meta.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first != CSVW_CONTEXT:
        raise _fail(p, f"'@context' must be {CSVW_CONTEXT!r}", f'start the file with "@context": "{CSVW_CONTEXT}"')
    if isinstance(context, list):
        for extra in context[1:]:
            if not isinstance(extra, dict) or set(extra) - {"@language", "@base"}:
                raise _fail(p, "only @language and @base may follow the CSVW context", "remove other context entries")
    _check_keys(p, meta, _TABLE_KEYS, "table")
    schema = meta.get("tableSchema")
    if not isinstance(schema, dict):
        raise _fail(p, "'tableSchema' is missing or not an object", "describe the columns inline under \"tableSchema\"")
    _check_keys(p, schema, _SCHEMA_KEYS, "tableSchema")
    raw_columns = schema.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise _fail(p, "'tableSchema.columns' is missing or empty", "list the table's columns")
    inherited = {k: v for k, v in meta.items() if k in _INHERITED}
    inherited.update({k: v for k, v in schema.items() if k in _INHERITED})
    columns: list[Column] = []
    for i, raw in enumerate(raw_columns, start=1):
        if not isinstance(raw, dict):
            raise _fail(p, f"column {i} is not an object", "describe each column as {\"name\": ..., \"propertyUrl\": ...}")
        _check_keys(p, raw, _COLUMN_KEYS, f"column {i}")
        props = {**inherited, **{k: v for k, v in raw.items() if k in _INHERITED}}
        _check_types(p, raw.get("name") if isinstance(raw.get("name"), str) else f"#{i}", raw, props)
        virtual = bool(raw.get("virtual", False))
        titles = _text_list(raw.get("titles"))
        name = raw.get("name") or (titles[0] if titles else None)
        if not name:
            if not virtual:
                raise _fail(p, f"column {i} has neither 'name' nor 'titles'", "give the column a name")
            name = f"_virtual{i}"
        if not titles:
            titles = [name]
        elif name not in titles:
            titles = [*titles, name]
        datatype = props.get("datatype", "string")
        fmt = None
        if isinstance(datatype, dict):
            fmt = datatype.get("format")
            datatype = datatype.get("base", "string")
        if datatype not in _DATATYPES:
            raise _fail(p, f"column {name!r}: unsupported datatype {datatype!r}", f"use one of {', '.join(sorted(_DATATYPES))}")
        if fmt is not None and datatype != "string":
            raise _fail(p, f"column {name!r}: 'format' is only supported on strings", "use \"cg:normalise\" to read numbers and dates")
        norm = raw.get("cg:normalise")
        if norm is not None:
            try:
                normaliser(norm)
            except NormalisationError as exc:
                raise _fail(p, f"column {name!r}: {exc.message}", exc.fix or "") from None
        null = props.get("null", "")
        col = Column(
            name=name,
            titles=titles,
            property_url=props.get("propertyUrl"),
            value_url=props.get("valueUrl"),
            about_url=props.get("aboutUrl"),
            datatype=datatype,
            format=fmt,
            required=bool(props.get("required", False)),
            null=_text_list(null) or [""],
            default=props.get("default"),
            separator=props.get("separator"),
            lang=props.get("lang"),
            normalise=norm,
            virtual=virtual,
            suppress_output=bool(raw.get("suppressOutput", False)),
            optional=raw.get("cg:optional") is True,
        )
        if not col.suppress_output:
            if not col.property_url:
                raise _fail(p, f"column {name!r} has no propertyUrl", "add \"propertyUrl\" or \"suppressOutput\": true")
            if not col.about_url:
                raise _fail(p, f"column {name!r} has no aboutUrl", "add \"aboutUrl\" to the tableSchema (e.g. \"cgid:organisation/{name}\")")
            if virtual and not col.value_url:
                raise _fail(p, f"virtual column {name!r} has no valueUrl", "a virtual column needs a valueUrl")
        for template in (col.property_url, col.value_url, col.about_url):
            if template:
                _check_template(p, name, template)
        columns.append(col)
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise _fail(p, "two columns have the same name", "give each column a distinct name")
    known = set(names)
    for col in columns:
        for template in (col.property_url, col.value_url, col.about_url):
            if template:
                unknown = set(URITemplate(template).variable_names) - known - {"_row", "_sourceRow", "_name", "_column"}
                if unknown:
                    raise _fail(
                        p,
                        f"column {col.name!r}: template {template!r} uses unknown column(s) {sorted(unknown)}",
                        "use the names of columns in the template",
                    )
    pk = schema.get("primaryKey", [])
    pk = [pk] if isinstance(pk, str) else pk
    if not isinstance(pk, list) or not all(isinstance(k, str) for k in pk):
        raise _fail(p, f"primaryKey must be a column name or a list of them, not {pk!r}", "list column names in primaryKey")
    for key in pk:
        if key not in known:
            raise _fail(p, f"primaryKey names unknown column {key!r}", "list column names in primaryKey")
    dialect = meta.get("dialect") or {}
    _check_dialect(p, dialect)
    if meta.get("url") is not None and not isinstance(meta.get("url"), str):
        raise _fail(p, f"'url' must be the table's file name, not {meta.get('url')!r}", 'write e.g. "url": "organisations.csv"')
    title = meta.get("dc:title") or meta.get("dcterms:title") or meta.get("rdfs:label")
    return Mapping(
        path=p,
        url=meta.get("url"),
        columns=columns,
        primary_key=pk,
        delimiter=dialect.get("delimiter"),
        encoding=dialect.get("encoding"),
        title=title if isinstance(title, str) else None,
    )


_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def _check_types(path: Path, column: str, raw: dict[str, Any], props: dict[str, Any]) -> None:
    """Each property of a column has the JSON type CSVW gives it (a typo'd value is refused, not crashed on)."""

    def wrong(key: str, value: Any, expected: str) -> MappingError:
        return _fail(path, f"column {column!r}: {key!r} must be {expected}, not {json.dumps(value)[:80]}", f"write {key!r} as {expected}")

    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise wrong("name", name, "a string")
    for key in ("aboutUrl", "propertyUrl", "valueUrl", "default", "cg:normalise"):
        value = raw.get(key) if key == "cg:normalise" else props.get(key)
        if value is not None and not isinstance(value, str):
            raise wrong(key, value, "a string")
    for key in ("virtual", "suppressOutput"):
        if key in raw and not isinstance(raw[key], bool):
            raise wrong(key, raw[key], "true or false")
    if "required" in props and not isinstance(props["required"], bool):
        raise wrong("required", props["required"], "true or false")
    separator = props.get("separator")
    if separator is not None and (not isinstance(separator, str) or not separator):
        raise wrong("separator", separator, "a non-empty string such as \";\"")
    null = props.get("null")
    if null is not None and not (isinstance(null, str) or (isinstance(null, list) and all(isinstance(v, str) for v in null))):
        raise wrong("null", null, "a string or a list of strings")
    lang = props.get("lang")
    if lang is not None and (not isinstance(lang, str) or not _LANGUAGE_TAG.fullmatch(lang)):
        raise wrong("lang", lang, "a language tag such as \"en\"")
    datatype = props.get("datatype")
    if isinstance(datatype, dict):
        base, fmt = datatype.get("base", "string"), datatype.get("format")
        if not isinstance(base, str):
            raise wrong("datatype.base", base, "the name of a datatype")
        if fmt is not None:
            if not isinstance(fmt, str):
                raise wrong("datatype.format", fmt, "a regular expression")
            try:
                re.compile(fmt)
            except re.error as exc:
                raise _fail(path, f"column {column!r}: 'format' is not a regular expression ({exc})", "fix the pattern, e.g. \"A|B|C\"") from None
    elif datatype is not None and not isinstance(datatype, str):
        raise wrong("datatype", datatype, "the name of a datatype or {\"base\": ..., \"format\": ...}")


def _check_dialect(path: Path, dialect: Any) -> None:
    if not isinstance(dialect, dict):
        raise _fail(path, f"'dialect' must be an object, not {json.dumps(dialect)[:80]}", 'write e.g. "dialect": {"delimiter": ";"}')
    delimiter, encoding = dialect.get("delimiter"), dialect.get("encoding")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n"):
        raise _fail(path, f"'dialect.delimiter' must be one character (not a quote or line break), not {json.dumps(delimiter)[:40]}", 'write e.g. "delimiter": ";"')
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding) if isinstance(encoding, str) else None
        except LookupError:
            encoding = None
        if not isinstance(encoding, str):
            raise _fail(path, f"'dialect.encoding' is not an encoding Python knows: {json.dumps(dialect.get('encoding'))[:40]}", 'write e.g. "encoding": "utf-8" or "cp1252"')


def _check_keys(path: Path, obj: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in obj:
        if key not in allowed and ":" not in key:
            raise _fail(
                path,
                f"{where}: unknown property {key!r}",
                "check the spelling (CSVW properties are case-sensitive, e.g. propertyUrl); "
                "prefix your own annotations, e.g. \"dc:description\"",
            )


def _check_template(path: Path, column: str, template: str) -> None:
    try:
        URITemplate(template)
    except Exception as exc:  # uritemplate raises plain exceptions on malformed templates
        raise _fail(path, f"column {column!r}: malformed URI template {template!r} ({exc})", "fix the template braces") from None


def expand_prefixed(iri: str) -> str:
    """Expand a prefixed name with the clustergraph prefixes; leave full IRIs alone.

    >>> expand_prefixed("cg:Project")
    'https://w3id.org/clustergraph/ontology#Project'
    >>> expand_prefixed("https://example.org/x")
    'https://example.org/x'
    """
    prefix, sep, rest = iri.partition(":")
    if sep and not rest.startswith("//") and prefix in _KNOWN_PREFIXES:
        return _KNOWN_PREFIXES[prefix] + rest
    return iri


@functools.lru_cache(maxsize=65536)
def canonical_iri(iri: str) -> URIRef:
    """Turn an expanded template into an IRI; IRIs under ``cgid:`` are re-minted by :func:`mint`.

    >>> str(canonical_iri("https://w3id.org/clustergraph/id/organisation/CAP%20DIGITAL%20SAS"))
    'https://w3id.org/clustergraph/id/organisation/cap-digital'
    """
    full = expand_prefixed(iri)
    if full.startswith(str(ID)):
        kind, _, key = full[len(str(ID)) :].partition("/")
        if kind in KINDS:
            key = unquote(key)
            return organisation(key) if kind == "organisation" else mint(kind, key)
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:\S+$", full):
        raise NormalisationError(
            "the template does not give an absolute IRI", value=full, fix="start the template with a prefix such as cgid: or an http(s) IRI"
        )
    return URIRef(full)


def match_header(mapping: Mapping, header: list[str], file: str) -> tuple[dict[str, str], list[Problem]]:
    """Match a table's header to the mapping's columns (by name or title, case-insensitively).

    Returns
    -------
    (dict, list)
        column name -> header name, and the problems: missing columns and extra columns.
    """
    by_title: dict[str, str] = {}
    for col in mapping.columns:
        if col.virtual:
            continue
        for t in col.titles:
            by_title.setdefault(t.strip().casefold(), col.name)
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for h in header:
        name = by_title.get(h.strip().casefold())
        if name is None:
            problems.append(
                Problem(
                    "column not in the mapping",
                    file=file,
                    row=1,
                    column=h,
                    fix=f"remove the column, rename it to one of {', '.join(mapping.header)}, "
                    f"or add it to {mapping.path.name} (with \"suppressOutput\": true to keep it as a note)",
                )
            )
        elif name in found:
            problems.append(Problem(f"column {name!r} appears twice", file=file, row=1, column=h, fix="keep one of the two columns"))
        else:
            found[name] = h
    for col in mapping.columns:
        if not col.virtual and not col.optional and col.name not in found:
            problems.append(
                Problem(
                    "missing column",
                    file=file,
                    row=1,
                    column=col.titles[0],
                    fix=f"add a column titled {col.titles[0]!r} to the header (it may stay empty unless required)",
                )
            )
    return found, problems


def _parse_datatype(col: Column, text: str) -> Any:
    dt = col.datatype
    if dt == "string":
        if col.format and not re.fullmatch(col.format, text):
            if re.fullmatch(r"[\w \-]+(\|[\w \-]+)+", col.format):
                choices = col.format.split("|")
                raise NormalisationError("not one of the allowed values", value=text, fix=f"write one of: {', '.join(choices)}")
            raise NormalisationError(f"does not match the pattern {col.format!r}", value=text, fix=f"write a value matching {col.format}")
        return Literal(text, lang=col.lang) if col.lang else Literal(text)
    if dt == "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise NormalisationError("not a whole number", value=text, fix="write digits only, e.g. 3")
        return Literal(int(text), datatype=XSD.integer)
    if dt in {"decimal", "double"}:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise NormalisationError("not a number", value=text, fix="write the number with a point as decimal separator, e.g. 0.5") from None
        if not number.is_finite():
            raise NormalisationError("not a finite number", value=text, fix="write a number")
        return Literal(number, datatype=XSD.decimal) if dt == "decimal" else Literal(float(number), datatype=XSD.double)
    if dt == "boolean":
        low = text.casefold()
        if low in {"true", "1", "yes"}:
            return Literal(True)
        if low in {"false", "0", "no"}:
            return Literal(False)
        raise NormalisationError("not a yes/no value", value=text, fix="write true or false")
    if dt == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise NormalisationError("not an ISO date", value=text, fix="write yyyy-mm-dd, or name the normaliser \"cg:normalise\": \"date\"")
        from .normalise import date

        return date(text)
    if dt == "gYear":
        if not re.fullmatch(r"\d{4}", text):
            raise NormalisationError("not a year", value=text, fix="write four digits, e.g. 2014")
        return Literal(text, datatype=XSD.gYear)
    if dt == "anyURI":
        if re.search(r"\s", text):
            raise NormalisationError("not a web address", value=text, fix="remove spaces from the address")
        return Literal(text, datatype=XSD.anyURI)
    if dt == "language":
        if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*", text):
            raise NormalisationError("not a language tag", value=text, fix="write a code such as en, es, de")
        return Literal(text, datatype=XSD.language)
    raise AssertionError(dt)  # pragma: no cover - checked in load_mapping


def _to_term(value: Any, col: Column) -> Any:
    if isinstance(value, (URIRef, Literal)):
        return value
    if isinstance(value, Decimal):
        return Literal(value, datatype=XSD.decimal)
    return Literal(value, lang=col.lang) if col.lang and isinstance(value, str) else Literal(value)


def map_table(mapping: Mapping, table: Table, *, limit: int = 100) -> MappedTable:
    """Turn the rows of ``table`` into triples with ``mapping``.

    Every problem is collected with its file, row, column, value and fix (up to
    ``limit`` problems); a row with a problem contributes no triples and is listed
    in ``skipped``. The problems of rows the table reader could not read whole
    (``table.problems``: broken quoting, short rows, merged cells...) come first
    and their rows are listed in ``unreadable``. Header problems (missing or extra
    columns) are returned alone, since no row can be read reliably.

    Parameters
    ----------
    mapping:
        from :func:`load_mapping`.
    table:
        from :func:`clustergraph.ingest.tabular.read_table`.
    limit:
        stop collecting problems after this many.

    Returns
    -------
    MappedTable
    """
    result = MappedTable()
    found, header_problems = match_header(mapping, table.header, table.file)
    if header_problems:
        result.problems = header_problems[:limit]
        result.limit_reached = len(header_problems) > limit
        result.skipped = [r.number for r in table.rows]
        return result
    unreadable = list(getattr(table, "problems", []))
    result.unreadable = sorted({p.row for p in unreadable if p.row is not None})
    result.problems = unreadable[:limit]
    result.limit_reached = len(unreadable) > limit
    templates: dict[str, URITemplate] = {}

    def template(text: str) -> URITemplate:
        if text not in templates:
            templates[text] = URITemplate(text)
        return templates[text]

    seen_keys: dict[Any, int] = {}
    about = _table_about(mapping)
    about_vars = set(template(about).variable_names) if about else set()
    by_subject = bool(about) and about_vars == set(mapping.primary_key)
    # a link table (event_participants: key event + organisation + relation, rows about the event)
    # adds facts to entities that other tables define: its rows are not where those entities come from
    link_table = bool(about) and bool(mapping.primary_key) and about_vars < set(mapping.primary_key)
    for index, row in enumerate(table.rows, start=1):
        if len(result.problems) >= limit:
            result.limit_reached = True
            result.skipped.extend(r.number for r in table.rows[index - 1 :])
            break
        problems, triples, subjects = _map_row(mapping, table.file, row, index, found, template, about)
        if mapping.primary_key:
            key: Any = tuple(" ".join(str(row.cells.get(found.get(k, k), "")).casefold().split()) for k in mapping.primary_key)
            if by_subject and subjects and any(key):
                key = subjects[0]  # the same entity, e.g. 'Cap Digital' and 'CAP DIGITAL SAS'
            first = seen_keys.get(key)
            if first is not None and any(key):
                problems.append(
                    Problem(
                        f"duplicate key: row {first} has the same {' + '.join(mapping.primary_key)}",
                        file=table.file,
                        row=row.number,
                        column=found.get(mapping.primary_key[0], mapping.primary_key[0]),
                        value=", ".join(str(row.cells.get(found.get(k, k), "")) for k in mapping.primary_key),
                        fix=f"merge rows {first} and {row.number} into one, or give them different keys",
                    )
                )
            else:
                seen_keys[key] = row.number
        if problems:
            room = limit - len(result.problems)
            result.problems.extend(problems[:room])
            result.skipped.append(row.number)
            continue
        result.triples.extend(triples)
        result.subjects[row.number] = [] if link_table else subjects
    if result.unreadable:
        result.problems.sort(key=lambda p: p.row if p.row is not None else 0)
    return result


def _map_row(
    mapping: Mapping, file: str, row: Row, index: int, found: dict[str, str], template, about: str | None
) -> tuple[list[Problem], list, list[URIRef]]:
    problems: list[Problem] = []
    triples: list[tuple[URIRef, URIRef, Any]] = []
    subjects: list[URIRef] = []
    raw: dict[str, Any] = {}
    for col in mapping.columns:
        if col.virtual:
            continue
        value = row.cells.get(found[col.name], "") if col.name in found else ""
        if isinstance(value, list):
            value = [str(v).strip() for v in value if str(v).strip() not in col.null]
            raw[col.name] = value or None
            continue
        value = str(value).strip()
        if value in col.null:
            value = col.default if col.default is not None else None
        elif col.separator:
            items = [v.strip() for v in value.split(col.separator)]
            value = [v for v in items if v and v not in col.null] or None
        raw[col.name] = value

    variables: dict[str, Any] = {k: v for k, v in raw.items() if v is not None}
    variables.update({"_row": str(index), "_sourceRow": str(row.number)})

    def problem(col: Column, message: str, value: Any, fix: str | None) -> None:
        problems.append(Problem(message, file=file, row=row.number, column=found.get(col.name, col.name), value=value, fix=fix))

    expanded_cache: dict[tuple[Any, ...], URIRef | None] = {}

    def expand(col: Column, text: str, extra: dict[str, Any] | None = None) -> URIRef | None:
        names = template(text).variable_names
        if not names:
            return canonical_iri(text)
        key = (text, "_name" in names and col.name, *sorted((extra or {}).items()))
        if key in expanded_cache:
            return expanded_cache[key]
        result: URIRef | None = None
        empty = [v for v in names if not v.startswith("_") and v not in (extra or {}) and raw.get(v) is None]
        if empty:
            other = next((c for c in mapping.columns if c.name == empty[0]), col)
            problem(other, f"empty, but column {found.get(col.name, col.name)!r} needs it to build {text!r}", "", f"fill in {other.titles[0]!r} on this row")
        else:
            try:
                result = canonical_iri(template(text).expand({**variables, "_name": col.name, **(extra or {})}))
            except NormalisationError as exc:
                problem(col, f"cannot build an IRI from {text!r}: {exc.message}", exc.value, exc.fix)
        expanded_cache[key] = result
        return result

    if about:
        for name in template(about).variable_names:
            if not name.startswith("_") and raw.get(name) is None:
                col = next(c for c in mapping.columns if c.name == name)
                problem(col, "required value is missing" if col.required else "the row's key is empty", "", f"fill in {col.titles[0]!r} on this row: it identifies the row")
        if problems:
            return problems, triples, subjects

    for col in mapping.columns:
        value = raw.get(col.name)
        if col.virtual:
            used = set()
            for t in (col.about_url, col.value_url, col.property_url):
                if t:
                    used |= set(template(t).variable_names)
            if any(raw.get(v) is None for v in used if not v.startswith("_")):
                continue
        elif value is None:
            if col.required:
                problem(col, "required value is missing", "", f"fill in {col.titles[0]!r} on this row")
            continue
        items = value if isinstance(value, list) else [value]
        objects: list[Any] = []
        ok = True
        if not col.virtual:
            for item in items:
                try:
                    if col.normalise:
                        objects.append(_to_term(normaliser(col.normalise)(item), col))
                    else:
                        objects.append(_parse_datatype(col, item))
                except NormalisationError as exc:
                    problem(col, exc.message, exc.value if exc.value is not None else item, exc.fix)
                    ok = False
        if not ok or col.suppress_output:
            continue
        subject = expand(col, col.about_url)  # type: ignore[arg-type]
        prop = expand(col, col.property_url)  # type: ignore[arg-type]
        if subject is None or prop is None:
            continue
        if col.value_url:
            if col.virtual:
                objects = [expand(col, col.value_url)]
            else:
                objects = [expand(col, col.value_url, {col.name: item}) for item in items]
            if any(o is None for o in objects):
                continue
        if subject not in subjects and col.about_url == about:
            subjects.append(subject)
        triples.extend((subject, prop, o) for o in objects)
    if not subjects:
        subjects.extend(dict.fromkeys(s for s, _, _ in triples))
    return problems, triples, subjects


def _table_about(mapping: Mapping) -> str | None:
    """The aboutUrl most columns share: the entity a row describes."""
    counts: dict[str, int] = {}
    for col in mapping.columns:
        if col.about_url:
            counts[col.about_url] = counts.get(col.about_url, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None
