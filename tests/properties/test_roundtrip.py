"""Serialise then parse: ``store.dump`` and ``store.load`` give back the same graph, in every format.

For graphs drawn from the strategies (IRIs with Unicode, percent-escapes and ``..``; literals
of every datatype the ontology uses, canonical or not, ill-typed or not; language tags; text
with every character a syntax must escape; shared blank nodes; several named graphs), from
either store kind, in every format of :data:`clustergraph.store.FORMATS`, loaded back into
either store kind:

* the loaded graph is isomorphic to what that store kind holds when given the same quads
  directly (so the value canonicalisation Oxigraph does on insert, ``"1.50"^^xsd:decimal`` to
  ``"1.5"``, is not counted as a change); triple formats (Turtle, N-Triples, RDF/XML, JSON-LD)
  are compared on the union of the named graphs, dataset formats (N-Quads, TriG) graph by graph;
  language tags are compared without case and ``xsd:string`` as plain (RDF 1.1 makes both equal);
* what a format genuinely cannot represent is refused by ``dump`` with a ClusterGraphError,
  never written as a file that cannot be read back: :data:`UNREPRESENTABLE` lists these cases;
* a graph with IRIs that are not IRIs (spaces, no scheme, ...) is refused with a
  ClusterGraphError when it is built or when it is dumped, never another exception.

The bugs these properties found and that live in files this suite may not change are
pinned by the ``xfail`` tests at the end (:data:`KNOWN_BUGS`); the properties skip exactly
those inputs so that everything else stays checked.
"""

from __future__ import annotations

import functools
import logging
import warnings
import xml.dom.minidom
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from hypothesis import assume, event, given
from property_strategies import (
    BAD_LANGUAGE_TAGS,
    configured,
    expat_accepts_name,
    has_xml_illegal,
    literals,
    quads,
    xml_qname_split,
)
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from clustergraph import store
from clustergraph.errors import ClusterGraphError

FORMATS = list(store.FORMATS)
KINDS = list(store.STORE_KINDS)
TRIPLE_FORMATS = {"turtle", "nt", "xml", "json-ld"}


@pytest.fixture(autouse=True)
def _quiet_rdflib():
    """rdflib logs a traceback for every ill-typed literal and warns on every odd IRI: the point here."""
    logging.disable(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


# --- building and comparing ------------------------------------------------------------------


def build(kind: str, items) -> object:
    ds = store.open_dataset(kind)
    for s, p, o, g in items:
        ds.graph(g).add((s, p, o))
    return ds


_CANONICAL_STORE = ox.Store()


@functools.lru_cache(maxsize=65536)
def oxigraph_lexical(text: str, datatype: str) -> str:
    """The lexical form Oxigraph keeps for ``"text"^^datatype``: its canonical form if it reads the
    value (``"0"^^xsd:boolean`` is ``"false"``, ``"1E0"^^xsd:double`` is ``"1"``), else ``text`` as is."""
    quad = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(text, datatype=ox.NamedNode(datatype)))
    _CANONICAL_STORE.add(quad)
    (stored,) = list(_CANONICAL_STORE)
    _CANONICAL_STORE.clear()
    return stored.object.value


def _canonical(term, lexical: bool = False):
    """Equal RDF terms made equal rdflib terms: language tags in lower case, ``xsd:string`` plain;
    unless ``lexical``, a typed literal in the form Oxigraph keeps (same value, same form)."""
    if isinstance(term, Literal):
        if term.language:
            return Literal(str(term), lang=term.language.lower())
        if term.datatype is None or term.datatype == XSD.string:
            return Literal(str(term))
        if not lexical:
            return Literal(oxigraph_lexical(str(term), str(term.datatype)), datatype=term.datatype, normalize=False)
    return term


def snapshot(ds, fmt: str, lexical: bool = False) -> Graph:
    """One rdflib Graph to compare: the union for triple formats; for dataset formats each
    quad's graph name is folded into its predicate, so blank nodes shared between graphs count."""
    out = Graph()
    for s, p, o, g in store.quads(ds):
        if fmt in TRIPLE_FORMATS:
            out.add((s, p, _canonical(o, lexical)))
        else:
            out.add((s, URIRef(f"urn:quad:{quote(str(g), safe='')}:{quote(str(p), safe='')}"), _canonical(o, lexical)))
    return out


def same(a: Graph, b: Graph) -> bool:
    """Isomorphic, and literal for literal the same lexical forms (rdflib's isomorphism hashes
    ``Literal.n3()``, which writes some typed literals by value: ``"inf"`` and ``"INF"`` look alike)."""
    return len(a) == len(b) and isomorphic(a, b) and _literal_forms(a) == _literal_forms(b)


def _literal_forms(graph: Graph) -> list[tuple[str, str, str]]:
    return sorted((str(o), str(o.datatype or ""), o.language or "") for o in graph.objects() if isinstance(o, Literal))


def well_formed_xml(data: bytes) -> bool:
    try:
        xml.dom.minidom.parseString(data)
    except Exception:
        return False
    return True


# --- what a format cannot represent -----------------------------------------------------------


def _xml_bad_predicate(items) -> bool:
    return any(xml_qname_split(str(p)) is None for _, p, _, _ in items)


def _xml_illegal_text(items) -> bool:
    return any(isinstance(o, Literal) and has_xml_illegal(str(o)) for _, _, o, _ in items)


#: What a format cannot hold, by format: (description, test on the quads). ``dump`` must refuse
#: such a graph with a ClusterGraphError rather than write a file that is not that format.
UNREPRESENTABLE: dict[str, list[tuple[str, Callable]]] = {
    "xml": [
        ("a predicate that cannot be split into an XML namespace and a local name (it ends with / or #, "
         "a digit or another character that cannot start an XML name)", _xml_bad_predicate),
        ("a literal with a character XML 1.0 forbids even escaped (C0 controls but tab, LF and CR)", _xml_illegal_text),
    ],
}


def unrepresentable(items, fmt: str) -> str | None:
    for reason, test in UNREPRESENTABLE.get(fmt, []):
        if test(items):
            return reason
    return None


# --- known bugs (in clustergraph/store/dataset.py, which this suite may not change) -------------


def _double_special(items) -> bool:
    return any(isinstance(o, Literal) and o.datatype == XSD.double and str(o).strip() in ("NaN", "INF", "-INF", "+INF") or
               isinstance(o, Literal) and o.datatype == XSD.double and _overflows(str(o)) for _, _, o, _ in items)


def _overflows(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return value in (float("inf"), float("-inf")) or value != value


def _carriage_return(items) -> bool:
    return any(isinstance(o, Literal) and "\r" in str(o) for _, _, o, _ in items)


def rdflib_rewrites(literal: Literal) -> bool:
    """True if rdflib's literal normalisation changes what ``literal`` means (not just how it is written)."""
    if not isinstance(literal, Literal) or literal.datatype is None or literal.language:
        return False
    normalised = Literal(str(literal), datatype=literal.datatype)
    datatype = str(literal.datatype)
    return oxigraph_lexical(str(normalised), datatype) != oxigraph_lexical(str(literal), datatype)


def _rdflib_changes_value(items) -> bool:
    return any(rdflib_rewrites(o) for _, _, o, _ in items)


def _negative_zero(items) -> bool:
    return any(isinstance(o, Literal) and o.datatype == XSD.double and str(o).strip().startswith("-") and _is_zero(str(o)) for _, _, o, _ in items)


def _is_zero(text: str) -> bool:
    try:
        return float(text) == 0
    except ValueError:
        return False


def _xml_names_expat_refuses(items) -> bool:
    for _, p, _, _ in items:
        split = xml_qname_split(str(p))
        if split is not None and not expat_accepts_name(split[1]):
            return True
    return False


def _derived_integer(items) -> bool:
    return any(isinstance(o, Literal) and o.datatype in DERIVED_INTEGERS for _, _, o, _ in items)


#: Datatypes derived from xsd:integer that the Oxigraph store turns into xsd:integer.
DERIVED_INTEGERS = {XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger, XSD.positiveInteger,
                    XSD.negativeInteger, XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte}


def _unreachable_blank_nodes(items) -> bool:
    """Blank nodes only reachable from each other, in a cycle (``_:a :p _:a``, ``_:a :p _:b . _:b :p _:a``)."""
    by_graph: dict = {}
    for s, _, o, _ in items:
        by_graph.setdefault(s, set())
        if isinstance(o, BNode):
            by_graph[s].add(o)
            by_graph.setdefault(o, set())
    incoming = {o for targets in by_graph.values() for o in targets}
    roots = [n for n in by_graph if not isinstance(n, BNode) or n not in incoming]
    seen, todo = set(roots), list(roots)
    while todo:
        for target in by_graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return any(isinstance(s, BNode) and s not in seen for s, _, _, _ in items)


_JSON_NATIVE = {XSD.boolean, XSD.integer, XSD.double, XSD.decimal}


def _jsonld_native_changes_value(items) -> bool:
    return any(isinstance(o, Literal) and o.datatype in _JSON_NATIVE and rdflib_rewrites(o) for _, _, o, _ in items)


#: Bugs found by these properties: name -> (formats, space-separated, or "*"; dump kinds; load kinds;
#: test on the quads; what goes wrong).
KNOWN_BUGS: dict[str, tuple[str, set[str], set[str], Callable, str]] = {
    "oxigraph-xsd-int": (
        "*", {"oxigraph"}, {"memory"}, _derived_integer,
        "the Oxigraph store turns xsd:int (and every other type derived from xsd:integer) into xsd:integer, "
        "so what it dumps loads into the memory store with another datatype (test_bug_oxigraph_turns_xsd_int_into_xsd_integer)",
    ),
    "xml-5th-edition-names": (
        "xml", {"oxigraph", "memory"}, {"memory"}, _xml_names_expat_refuses,
        "dump(format='xml') (Oxigraph's writer) splits a predicate at the longest XML 1.0 5th-edition name, "
        "e.g. urn:ex:9ƣȾ as xmlns='urn:ex:9' and element <ƣȾ>; expat, hence rdflib and the memory store, "
        "reads names by the 4th edition, where U+023E is no name character: the file does not load there",
    ),
}


def known_bug(items, fmt: str, dump_kind: str, load_kind: str) -> str | None:
    for name, (bug_fmt, dumps, loads, test, _) in KNOWN_BUGS.items():
        if (bug_fmt == "*" or fmt in bug_fmt.split()) and dump_kind in dumps and load_kind in loads and test(items):
            return name
    return None


# --- the properties ------------------------------------------------------------------------------


def roundtrip(items, fmt: str, dump_kind: str, folder: Path) -> None:
    """The whole property for one graph, one format and one store kind to dump from."""
    source = build(dump_kind, items)
    target = folder / f"{dump_kind}.{fmt}"
    reason = unrepresentable(items, fmt)
    if reason is not None:
        event(f"unrepresentable in {fmt}")
        try:
            store.dump(source, target, format=fmt)
        except ClusterGraphError:
            return
        pytest.fail(f"dump wrote {fmt} although it cannot hold the graph ({reason})")
    store.dump(source, target, format=fmt)
    if fmt == "xml" and not _xml_names_expat_refuses(items):
        assert well_formed_xml(target.read_bytes()), "dump wrote RDF/XML that is not well-formed XML"
    for load_kind in KINDS:
        bug = known_bug(items, fmt, dump_kind, load_kind)
        if bug:
            event(f"skipped: known bug {bug}")
            continue
        loaded = store.open_dataset(load_kind)
        store.load(loaded, target, format=fmt)
        expected = snapshot(build(load_kind, items), fmt)
        got = snapshot(loaded, fmt)
        assert same(expected, got), (
            f"{fmt} from {dump_kind} into {load_kind} changed the graph:\n"
            f"lost {sorted(set(expected) - set(got), key=str)[:3]}\ngained {sorted(set(got) - set(expected), key=str)[:3]}"
        )


@pytest.mark.parametrize("dump_kind", KINDS)
@configured(25)
@given(items=quads(qnames_only=True, controls=False))
def test_roundtrip_in_every_format(items, dump_kind, folder) -> None:
    """Graphs every format can hold come back isomorphic, in every format, whichever store they go through."""
    for fmt in FORMATS:
        roundtrip(items, fmt, dump_kind, folder)


@pytest.mark.parametrize("dump_kind", KINDS)
@configured(25)
@given(items=quads())
def test_roundtrip_or_refusal(items, dump_kind, folder) -> None:
    """Any graph of valid IRIs: back isomorphic, or refused by dump because the format cannot hold it."""
    for fmt in FORMATS:
        roundtrip(items, fmt, dump_kind, folder)


@pytest.mark.parametrize("kind", KINDS)
@configured(20)
@given(items=quads(hostile=True, max_size=4))
def test_hostile_iris_are_refused_with_a_clustergraph_error(items, kind, folder) -> None:
    """IRIs with spaces, without a scheme, with forbidden characters: building and dumping the graph
    either works (and the file loads back the same) or raises a ClusterGraphError, in every format."""
    try:
        build(kind, items)
    except ClusterGraphError:
        return
    for fmt in FORMATS:
        if any(known_bug(items, fmt, kind, k) for k in KINDS):
            continue
        try:
            roundtrip(items, fmt, kind, folder)
        except ClusterGraphError:
            assert _has_invalid_iri(items), "only a term that is not valid RDF may stop the dump"


def _is_iri(text: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _has_invalid_iri(items) -> bool:
    return any(isinstance(t, URIRef) and not _is_iri(str(t)) for q in items for t in q)


# --- one example per bug found here and fixed in store/dataset.py, kept as regression tests -------

S, P, G = URIRef("http://ex.org/s"), URIRef("http://ex.org/p"), URIRef("http://ex.org/g")


def _expect_roundtrip(items, fmt: str, dump_kind: str, load_kind: str, folder: Path, lexical: bool = False) -> None:
    source = build(dump_kind, items)
    target = folder / f"bug-{dump_kind}.{fmt}"
    store.dump(source, target, format=fmt)
    loaded = store.open_dataset(load_kind)
    store.load(loaded, target, format=fmt)
    assert same(snapshot(build(load_kind, items), fmt, lexical), snapshot(loaded, fmt, lexical))


@pytest.mark.parametrize("value", ["NaN", "INF", "-INF", "1e400"])
def test_bug_jsonld_writes_nan_and_infinity_as_bare_tokens(value, folder) -> None:
    _expect_roundtrip([(S, P, Literal(value, datatype=XSD.double, normalize=False), G)], "json-ld", "oxigraph", "oxigraph", folder)


JSONLD_LEXICAL_REASON = (
    "dump(format='json-ld') goes through rdflib's JSON-LD writer, which writes booleans and numbers as JSON "
    "values: '1'^^xsd:boolean comes back 'true', '1E0'^^xsd:double '1.0E0' (same values, other lexical forms, "
    "which the other formats keep: dump's comment promises lexical forms untouched)"
)


@pytest.mark.parametrize("value,datatype", [("1", XSD.boolean), ("1E0", XSD.double)])
def test_bug_jsonld_changes_lexical_forms(value, datatype, folder) -> None:
    _expect_roundtrip([(S, P, Literal(value, datatype=datatype, normalize=False), G)], "json-ld", "memory", "memory", folder, lexical=True)


@pytest.mark.parametrize("fmt", ["xml", "json-ld"])
@pytest.mark.parametrize("value,datatype", [("yes", XSD.boolean), ("INF", XSD.double), ("2024-01-01Z", XSD.date)], ids=["yes", "INF", "date-zone"])
def test_bug_memory_store_load_rewrites_literals(value, datatype, fmt, folder) -> None:
    _expect_roundtrip([(S, P, Literal(value, datatype=datatype, normalize=False), G)], fmt, "oxigraph", "memory", folder, lexical=True)


@pytest.mark.parametrize("dump_kind", KINDS)
@pytest.mark.parametrize("cycle", ["self", "two"])
def test_bug_jsonld_drops_blank_node_cycles(cycle, dump_kind, folder) -> None:
    a, b = BNode("a"), BNode("b")
    items = [(a, P, a, G)] if cycle == "self" else [(a, P, b, G), (b, P, a, G)]
    _expect_roundtrip(items, "json-ld", dump_kind, "oxigraph", folder)


@pytest.mark.parametrize("dump_kind", KINDS)
def test_bug_jsonld_rewrites_numbers_oxigraph_keeps_as_written(dump_kind, folder) -> None:
    _expect_roundtrip([(S, P, Literal(" 19 ", datatype=XSD.integer, normalize=False), G)], "json-ld", dump_kind, "oxigraph", folder)


@pytest.mark.parametrize("dump_kind", KINDS)
def test_bug_jsonld_loses_the_sign_of_negative_zero(dump_kind, folder) -> None:
    _expect_roundtrip([(S, P, Literal("-0", datatype=XSD.double, normalize=False), G)], "json-ld", dump_kind, "oxigraph", folder)


@pytest.mark.parametrize("dump_kind", KINDS)
def test_bug_rdfxml_writes_carriage_returns_raw(dump_kind, folder) -> None:
    _expect_roundtrip([(S, P, Literal("a\r\nb\rc"), G)], "xml", dump_kind, "memory", folder)


XML_DUMP_REASON = (
    "dump(format='xml') writes what RDF/XML cannot hold instead of refusing it: a predicate with no XML local "
    "name comes out as <oxprefix: xmlns:oxprefix=\"...\"> (an element name ending in ':'), a literal with a C0 "
    "control character comes out raw; neither file is well-formed XML (only Oxigraph's lenient parser reads "
    "them back). Fix in store/dataset.py dump(): before ox.serialize for 'xml', check every predicate with an "
    "NCName split and every literal for XML-1.0-illegal characters, and raise StoreError naming the term"
)


XML_UNREPRESENTABLE = {
    "slash": (S, URIRef("http://ex.org/p/"), Literal("x")),
    "hash": (S, URIRef("http://ex.org/p#"), Literal("x")),
    "digit": (S, URIRef("http://ex.org/p/1"), Literal("x")),
    "urn-digits": (S, URIRef("urn:isbn:123"), Literal("x")),
    "nul": (S, P, Literal("a\x00b")),
    "bel": (S, P, Literal("bell\x07")),
}


@pytest.mark.parametrize("kind", KINDS)
def test_bug_rdfxml_dump_writes_what_xml_cannot_hold(kind, folder) -> None:
    """Each of XML_UNREPRESENTABLE: refused by dump with a ClusterGraphError, or written as well-formed XML."""
    wrong = []
    for name, triple in XML_UNREPRESENTABLE.items():
        source = build(kind, [(*triple, G)])
        target = folder / f"bad-{kind}.xml"
        try:
            store.dump(source, target, format="xml")
        except ClusterGraphError:
            continue
        if not well_formed_xml(target.read_bytes()):
            wrong.append(f"{name}: {target.read_bytes()[-120:]!r}")
    assert not wrong, "\n".join(wrong)


INVALID_IRI_REASON = (
    "a URIRef that is not an IRI (a space, no scheme, '<', a control character) escapes as ValueError or a bare "
    "Exception: on the Oxigraph store from OxigraphStore.add/addN (store/dataset.py to_oxigraph: "
    "ox.NamedNode raises ValueError 'Invalid IRI code point'), on the memory store from dump "
    "(ox.serialize via to_oxigraph for Turtle/TriG/RDF-XML, rdflib's URIRef.n3() for N-Triples/N-Quads: "
    "'does not look like a valid URI'); JSON-LD writes it relative and it comes back resolved against the "
    "base, a different IRI. Fix: in to_oxigraph catch ValueError and raise StoreError naming the IRI; in "
    "dump check every IRI (ox.NamedNode) before writing, for every format"
)


INVALID_IRIS = ["http://ex.org/a b", "foo", "http://ex.org/<x>", "http://ex.org/\x00"]


def _refused_everywhere(kind: str, items, what: str, folder: Path) -> list[str]:
    wrong = []
    for fmt in FORMATS:
        try:
            source = build(kind, items)
            store.dump(source, folder / f"invalid-{kind}.{fmt}", format=fmt)
        except ClusterGraphError:
            continue
        except Exception as exc:  # noqa: BLE001 - what escapes is the finding
            wrong.append(f"{what} as {fmt}: {type(exc).__name__}: {exc}")
            continue
        wrong.append(f"{what} as {fmt}: written, although it is not RDF")
    return wrong


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_iri_is_a_clustergraph_error(kind, folder) -> None:
    """Each of INVALID_IRIS, in each format: refused with a ClusterGraphError when added or dumped."""
    wrong = []
    for iri in INVALID_IRIS:
        wrong += _refused_everywhere(kind, [(URIRef(iri), P, Literal("x"), G)], repr(iri), folder)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_language_tag_is_a_clustergraph_error(kind, folder) -> None:
    """rdflib takes RDF 1.1's LANGTAG (``"x"@a``); Oxigraph wants BCP 47 and raises ValueError in to_oxigraph."""
    wrong = []
    for tag in BAD_LANGUAGE_TAGS:
        wrong += _refused_everywhere(kind, [(S, P, Literal("x", lang=tag), G)], f"@{tag}", folder)
    assert not wrong, "\n".join(wrong)


# --- the store keeps what it is given -----------------------------------------------------------

DATATYPE_REASON = (
    "the Oxigraph store (pyoxigraph 0.5, upstream) stores every literal of a derived integer type "
    "(xsd:int, xsd:short, xsd:byte, xsd:nonNegativeInteger, ...) as xsd:integer, in range or not: "
    "'5'^^xsd:int reads back '5'^^xsd:integer and the ill-typed '2147483648'^^xsd:int becomes a "
    "well-typed xsd:integer; the memory store keeps xsd:int, so the two stores disagree (and "
    "shapes/README.md says '2'^^xsd:int is a violation, which the default store cannot see). "
    "Documented in the README (Security and data safety); clustergraph import reports an out-of-range "
    "value as an ill-typed literal before the store sees it"
)


@pytest.mark.parametrize("kind", KINDS)
@configured(60)
@given(literal=literals())
def test_the_store_keeps_each_literal_datatype(literal, kind) -> None:
    """Whatever the lexical form, a literal put into a store comes back with the datatype it had."""
    assume(not (kind == "oxigraph" and literal.datatype in DERIVED_INTEGERS))  # pinned by test_oxigraph_stores_derived_integers_as_xsd_integer
    ds = build(kind, [(S, P, literal, G)])
    (back,) = [o for _, _, o, _ in store.quads(ds)]
    if literal.language:
        assert back.language and back.language.lower() == literal.language.lower()
    else:
        assert (back.datatype or XSD.string) == (literal.datatype or XSD.string)


@pytest.mark.parametrize("value", ["5", "2147483648"])
def test_oxigraph_stores_derived_integers_as_xsd_integer(value) -> None:
    """The documented behaviour of the Oxigraph store (DATATYPE_REASON): not ours to change, pinned so that
    a pyoxigraph release that keeps xsd:int is noticed; the import reports the ill-typed one before it is stored."""
    ds = build("oxigraph", [(S, P, Literal(value, datatype=XSD.int, normalize=False), G)])
    (back,) = [o for _, _, o, _ in store.quads(ds)]
    assert back.datatype == XSD.integer and str(back) == value


def test_blank_nodes_shared_between_graphs_stay_shared(folder) -> None:
    """A blank node in two named graphs is one node after N-Quads and TriG (the comparison above relies on it)."""
    b = BNode("shared")
    items = [(b, P, Literal("1"), G), (b, P, Literal("2"), URIRef("urn:g:2"))]
    for fmt in ("nquads", "trig"):
        for kind in KINDS:
            source = build(kind, items)
            target = folder / f"shared-{kind}.{fmt}"
            store.dump(source, target, format=fmt)
            loaded = store.open_dataset(kind)
            store.load(loaded, target, format=fmt)
            assert len({s for s, _, _, _ in store.quads(loaded)}) == 1
