"""The input boundary (clustergraph.store.parsing): its checks one by one, and its edges.

The catalogue of whole hostile files, through every entry point, is in tests/hostile/.
"""

from __future__ import annotations

import json
import time

import pytest
from rdflib import BNode, Literal

from clustergraph import store
from clustergraph.errors import ClusterGraphError, InputError
from clustergraph.store import parsing
from clustergraph.store.parsing import (
    Limits,
    check_input,
    check_json,
    check_xml,
    json_depth,
)


def test_module_doctests() -> None:
    import doctest

    assert doctest.testmod(parsing).failed == 0


# --- limits ---------------------------------------------------------------------------


def test_limits_defaults_and_environment() -> None:
    assert Limits() == Limits(2 * 1024**3, 16 * 1024**2, 100)
    env = {"CLUSTERGRAPH_MAX_INPUT_BYTES": "1_000", "CLUSTERGRAPH_MAX_LITERAL_BYTES": "0", "CLUSTERGRAPH_MAX_JSON_DEPTH": "20"}
    assert Limits.from_env(env) == Limits(1000, None, 20)
    with pytest.raises(ClusterGraphError, match="CLUSTERGRAPH_MAX_JSON_DEPTH='deep' is not a whole number"):
        Limits.from_env({"CLUSTERGRAPH_MAX_JSON_DEPTH": "deep"})
    for bad in ({"max_json_depth": 0}, {"max_json_depth": 5000}, {"max_input_bytes": -1}):
        with pytest.raises(ClusterGraphError):
            Limits(**bad)


def test_size_is_checked_without_reading_the_file(tmp_path, monkeypatch) -> None:
    big = tmp_path / "big.nt"
    big.write_bytes(b"#" * 5000)
    monkeypatch.setattr(type(big), "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(InputError, match="the input is 5,000 bytes, more than the limit of 4,000 bytes") as info:
        check_input(big, format="nt", limits=Limits(max_input_bytes=4000))
    assert info.value.file == str(big)


def test_missing_file_and_folder(tmp_path) -> None:
    with pytest.raises(InputError, match="file not found"):
        check_input(tmp_path / "none.ttl", format="turtle")
    with pytest.raises(InputError, match="is a directory"):
        check_input(tmp_path, format="turtle")


# --- RDF/XML ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,line",
    [
        ('<!DOCTYPE r [<!ENTITY a "b">]><r/>', 1),
        ('<?xml version="1.0"?>\n<?pi x?>\n<!-- c -->\n<!DOCTYPE r SYSTEM "http://x/r.dtd">\n<r/>', 4),
        ("<r>\n<!ENTITY a 'b'>\n</r>", 2),
        ("<!doctype r><r/>", 1),
        ("<! DOCTYPE r><r/>", 1),
        ('<r>\n<!-- unterminated comment\n<!ENTITY a "b">', 3),
    ],
)
def test_a_dtd_is_refused_wherever_it_is(text: str, line: int) -> None:
    with pytest.raises(InputError, match="DTDs are refused because") as info:
        check_xml(text.encode(), name="f.rdf")
    assert (info.value.file, info.value.line) == ("f.rdf", line)


@pytest.mark.parametrize(
    "text",
    [
        "<r><![CDATA[<!DOCTYPE html>]]></r>",
        "<r><!-- <!DOCTYPE r> --></r>",
        '<?xml version="1.0"?><?target <!DOCTYPE?><r/>',
        "<r>&lt;!DOCTYPE r&gt;</r>",
        "",
    ],
)
def test_quoted_doctypes_pass(text: str) -> None:
    check_xml(text.encode())


def test_the_xml_check_reads_a_file_through_mmap(tmp_path) -> None:
    f = tmp_path / "x.rdf"
    f.write_bytes(b"<r>" + b"<a/>" * 100_000 + b'\n<!DOCTYPE r [<!ENTITY a "b">]></r>')
    with pytest.raises(InputError, match="DTDs") as info:
        check_input(f, format="xml")
    assert info.value.line == 2
    empty = tmp_path / "empty.rdf"
    empty.write_bytes(b"")
    assert check_input(empty, format="xml").size == 0


def test_ebcdic_and_utf32_xml_are_refused() -> None:
    with pytest.raises(InputError, match="ASCII-compatible"):
        check_xml('<?xml version="1.0"?><r/>'.encode("utf-32-be"))


# --- JSON and JSON-LD ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,depth",
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": "[[[{{{"}', 1),
        (b'{"a": "\\"[[[", "b": [[1]]}', 3),
        (b'[["\\\\"], ["]"]]', 2),
        (b"[" * 10 + b"]" * 10, 10),
    ],
)
def test_json_depth(text: bytes, depth: int) -> None:
    assert json_depth(text) == (depth, None)


def test_json_depth_points_at_the_first_bracket_too_deep() -> None:
    text = b'{"a":\n  [[[[ 1 ]]]]}'
    assert json_depth(text, limit=3) == (4, 10)
    with pytest.raises(InputError) as info:
        check_json(text, limits=Limits(max_json_depth=3), name="x.json", jsonld=False)
    assert info.value.line == 2 and "at line 2, column 5" in str(info.value)


def test_json_depth_is_fast_on_large_flat_documents() -> None:
    doc = json.dumps([{"@id": f"http://ex.org/{i}", "http://ex.org/p": [{"@value": str(i)}]} for i in range(200_000)]).encode()
    start = time.monotonic()
    assert json_depth(doc) == (4, None)
    assert time.monotonic() - start < 3


def test_contexts(tmp_path) -> None:
    bundled = parsing.CONTEXT_IRI
    # an @import of a bundled context is merged, local terms winning
    out = json.loads(check_json(json.dumps({"@context": {"@import": bundled, "cg": "urn:mine#"}, "@id": "x"}).encode()))
    assert out["@context"]["cg"] == "urn:mine#" and out["@context"]["cgid"].startswith("https://")
    # inline, null and scoped inline contexts pass untouched
    for ctx in (None, {"name": "http://schema.org/name"}, {"knows": {"@id": "http://schema.org/knows", "@context": {"n": "urn:n"}}}):
        text = json.dumps({"@context": ctx, "@id": "x"}).encode()
        assert check_json(text) == text
    # a context of the caller's own, allowed by IRI
    mine = {"urn:ctx": {"@context": {"n": "urn:n#"}}}
    assert json.loads(check_json(b'{"@context": "urn:ctx", "n": "v"}', contexts=mine))["@context"] == {"n": "urn:n#"}
    # JSON-LD without any context is not even parsed
    assert check_json(b'{"@id": "x"}') == b'{"@id": "x"}'


@pytest.mark.parametrize(
    "doc,what",
    [
        ({"@context": "http://example.org/c"}, "@context <http://example.org/c> is remote"),
        ({"@context": ["//example.org/c"]}, "@context <//example.org/c> would be read from a file"),
        ({"@context": {"@import": "file:///etc/passwd"}}, "@import <file:///etc/passwd> would be read from a file"),
        ({"@context": {"t": {"@id": "urn:t", "@context": ["https://example.org/s"]}}}, "scoped @context of the term 't'"),
        ({"@graph": [{"@context": "https://example.org/deep"}]}, "@context <https://example.org/deep>"),
    ],
)
def test_contexts_by_iri_are_refused(doc, what) -> None:
    with pytest.raises(InputError, match=f"the JSON-LD {what}"):
        check_json(json.dumps(doc).encode(), name="d.jsonld")


def test_malformed_json_ld_names_line_and_column() -> None:
    with pytest.raises(InputError, match="malformed JSON-LD at line 2, column 1") as info:
        check_json(b'{"@context": {},\n}', name="m.jsonld")
    assert info.value.line == 2


# --- literals and rdflib's slow parsers -----------------------------------------------------


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
@pytest.mark.parametrize(
    "fmt,text",
    [
        ("nt", '<http://ex.org/a> <http://ex.org/p> "{big}" .\n_:b <http://ex.org/p> "short" .\n'),
        ("turtle", '<http://ex.org/a> <http://ex.org/p> """{big}""" .\n_:b <http://ex.org/p> "short" .\n'),
        ("nquads", '<http://ex.org/a> <http://ex.org/p> "{big}" <http://ex.org/g> .\n_:b <http://ex.org/p> "short" .\n'),
    ],
)
def test_long_literals_load_fast_on_every_store(kind: str, fmt: str, text: str) -> None:
    """rdflib's own parsers take 12 to 40 s on 1 MB literal: the memory store reads those with Oxigraph."""
    big = "line\\n" * 400_000 if fmt == "turtle" else "x" * 2_000_000
    data = text.format(big=big).encode()
    for _ in range(2):  # the second load's blank node is a new one, as rdflib's parsers make it
        ds = store.open_dataset(kind)
        start = time.monotonic()
        store.load(ds, data, format=fmt, graph="https://example.org/g1")
        store.load(ds, data, format=fmt, graph="https://example.org/g2")
        assert time.monotonic() - start < 10
    objects = {o for _, _, o, _ in store.quads(ds)}
    assert Literal("short") in objects and max(len(o) for o in objects) >= 2_000_000
    assert len({s for s, _, _, _ in store.quads(ds) if isinstance(s, BNode)}) == 2


def test_literal_limit_on_every_store_and_format() -> None:
    limits = Limits(max_literal_bytes=1000)
    inputs = {
        "nt": b'<http://ex.org/a> <http://ex.org/p> "' + b"y" * 1001 + b'" .',
        "xml": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">'
        b'<rdf:Description rdf:about="http://ex.org/a"><ex:p>' + b"y" * 1001 + b"</ex:p></rdf:Description></rdf:RDF>",
        "json-ld": json.dumps({"@id": "http://ex.org/a", "http://ex.org/p": "\u00e9" * 501}).encode(),  # 1002 UTF-8 bytes
    }
    for fmt, data in inputs.items():
        for kind in ("oxigraph", "memory"):
            with pytest.raises(InputError, match="longer than the limit of 1,000 bytes"):
                store.load(store.open_dataset(kind), data, format=fmt, graph="urn:g", limits=limits)
        store.load(store.open_dataset(), data, format=fmt, graph="urn:g", limits=Limits(max_literal_bytes=1002))


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
@pytest.mark.parametrize(("suffix", "text"), [("ttl", '@prefix ex: <http://ex.org/> .\nex:a ex:p "x" .\n'), ("nt", '<http://ex.org/a> <http://ex.org/p> "x" .\n')])
def test_a_utf8_byte_order_mark_is_read_past(tmp_path, kind: str, suffix: str, text: str) -> None:
    """Windows editors save UTF-8 with a BOM; Oxigraph's parsers alone would refuse line 1."""
    from clustergraph import store
    from clustergraph.ingest import import_sources

    path = tmp_path / f"bom.{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ds = store.open_dataset(kind)
    store.load(ds, path)
    assert len(ds) == 1
    assert import_sources([path], store.open_dataset(kind)).sources[0].triples == 1
