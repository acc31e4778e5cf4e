"""Hypothesis strategies for hostile and sloppy input: names, literals, IRIs, table cells, RDF files.

Shared by the property tests and the fuzz tests of this folder (``tests/properties``).
Each strategy mixes what data stewards really write (the embedded dataset's own
values, accented names with legal forms) with what strangers send (control
characters, right-to-left overrides, emoji, formula-leading cells, unbalanced quotes,
IRIs with spaces and ``..``).

How many examples a test runs is set here once: :func:`examples` scales every test's
``max_examples`` by ``CLUSTERGRAPH_FUZZ_EXAMPLES`` (the long run), and
``CLUSTERGRAPH_FUZZ_SEED`` replaces the fixed seed (see ``README.md``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import json
import os
import re
import string
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from clustergraph.resources import data_dir

# --- how long the runs are ---------------------------------------------------------------

EXAMPLES_ENV = "CLUSTERGRAPH_FUZZ_EXAMPLES"
SEED_ENV = "CLUSTERGRAPH_FUZZ_SEED"
SHRINK_ENV = "CLUSTERGRAPH_FUZZ_SHRINK"
CALL_SECONDS_ENV = "CLUSTERGRAPH_FUZZ_CALL_SECONDS"

#: The most one parser or import call may take on a fuzzed input (seconds). Generous: the
#: inputs are at most a few tens of kilobytes and take milliseconds; a call that takes
#: this long is a hang or a quadratic blow-up, not a slow machine.
CALL_SECONDS = float(os.environ.get(CALL_SECONDS_ENV) or 10)


def examples(default: int) -> int:
    """``default`` examples in the suite; ``CLUSTERGRAPH_FUZZ_EXAMPLES`` for every test in a long run."""
    text = os.environ.get(EXAMPLES_ENV, "").strip()
    return int(text) if text else default


def long_run() -> bool:
    """True when a long run was asked for (``CLUSTERGRAPH_FUZZ_EXAMPLES`` is set)."""
    return bool(os.environ.get(EXAMPLES_ENV, "").strip())


def configured(default_examples: int):
    """Settings for a property test: deterministic in CI, scaled in a long run.

    Derandomised (a fixed seed per test) unless ``CLUSTERGRAPH_FUZZ_SEED`` is set. Failing
    examples are not shrunk in the suite (shrinking these inputs can take Hypothesis five
    minutes); ``CLUSTERGRAPH_FUZZ_SHRINK=1``, or a long run, shrinks them. No
    deadline per example (the call bound is asserted by the tests themselves, where it
    means something); the health checks that complain about big or slow examples are off,
    since big and slow is what these strategies are for. No example database is written,
    so a run leaves no ``.hypothesis`` folder behind.
    """
    chosen = os.environ.get(SEED_ENV, "").strip()
    shrink = os.environ.get(SHRINK_ENV, "").strip() not in ("", "0") or long_run()
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target] + ([Phase.shrink] if shrink else [])

    def decorate(test):
        test = settings(
            max_examples=examples(default_examples),
            deadline=None,
            derandomize=not chosen,
            phases=phases,
            database=None,
            print_blob=True,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
                HealthCheck.large_base_example,
                HealthCheck.function_scoped_fixture,
            ],
        )(test)
        if chosen:
            test = hypothesis_seed(int(chosen))(test)
        return test

    return decorate


# --- characters that break things ------------------------------------------------------------

#: C0 and C1 control characters, DEL, and NUL: invisible, and refused by XML 1.0.
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"]
#: Bidirectional overrides, isolates and marks (the "Trojan source" characters).
BIDI = ["\u202e", "\u202d", "\u202a", "\u200f", "\u200e", "\u2066", "\u2067", "\u2069", "\u061c"]
#: Characters that look like nothing: zero-width, word joiner, BOM, no-break and narrow spaces, soft hyphen.
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\u202f", "\u2009", "\u00ad", "\u3000"]
#: Emoji, with skin tones, zero-width joiners, flags and variation selectors; one outside the BMP alone.
EMOJI = ["👍", "👍🏽", "👩‍💻", "🇪🇺", "🏳️‍🌈", "\U0001F600", "\U0001F9EA", "❤️", "\U0001D54F"]
#: Line breaks of every kind a file can hold.
NEWLINES = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b"]
#: Combining marks and decomposed letters (NFD), which look like their composed forms.
COMBINING = ["e\u0301", "n\u0303", "a\u0308", "\u0301", "\u0338", "\u20dd"]
#: Non-Latin scripts, right-to-left ones included.
SCRIPTS = ["東京", "クラスター", "مجموعة الابتكار", "קבוצת חדשנות", "Ελληνικό Σύμπλεγμα", "Кластер", "ქართული", "हिन्दी", "한국"]

#: Legal forms the organisation key drops (and some it must not confuse with a name).
LEGAL_FORMS = [
    "GmbH", "gGmbH", "e.V.", "eV", "AG", "GmbH & Co. KG", "S.L.", "S.L.U.", "S.A.", "S.A.S.", "SAS", "SARL",
    "S.à r.l.", "S.r.l.", "S.p.A.", "Scarl", "z.s.", "z. s.", "s.r.o.", "a.s.", "Sp. z o.o.", "Ltd", "Ltd.",
    "Limited", "plc", "Inc.", "LLC", "B.V.", "N.V.", "vzw", "asbl", "AB", "ApS", "A/S", "Oy", "d.o.o.", "Kft.",
    "OÜ", "UAB", "SIA", "Lda.",
]

#: Organisation names as the seeds and stewards write them.
NAMES = [
    "Cap Digital", "CAP DIGITAL", "ZINNAE", "Nanoprogress", "Madrid ICT-Audiovisual Cluster", "Danish Sound",
    "BalticNet-PlasmaTec", "Clúster Gallego de Innovación", "Øresund Food", "Ñandú Tech", "Großer Verbund",
    "Łódź ART Center", "İstanbul Teknoloji", "Škoda Klastr", "Föreningen Sjöfart", "Ireland's Cluster",
    "A", "AB", "GmbH", "Cluster & Co", "O'Neill Cluster", "Cluster (Spain)", "Cluster, Inc",
]

# --- organisation names -----------------------------------------------------------------------


def _insert(text: str, piece: str, at: int) -> str:
    at = at % (len(text) + 1)
    return text[:at] + piece + text[at:]


@st.composite
def _decorated(draw, base: st.SearchStrategy[str]) -> str:
    text = draw(base)
    for _ in range(draw(st.integers(0, 3))):
        piece = draw(st.sampled_from(CONTROL + BIDI + INVISIBLE + EMOJI + COMBINING + NEWLINES + SCRIPTS + [" ", "  ", ",", ";", '"', "'"]))
        text = _insert(text, piece, draw(st.integers(0, 10_000)))
    return text


@functools.lru_cache(maxsize=None)
def legal_names() -> st.SearchStrategy[str]:
    """A name followed by a legal form, as a register writes it (``Nanoprogress, z.s.``)."""
    return st.builds(
        lambda name, sep, form: f"{name}{sep}{form}",
        st.sampled_from(NAMES),
        st.sampled_from([" ", ", ", " - ", "  ", "\u00a0"]),
        st.sampled_from(LEGAL_FORMS),
    )


@functools.lru_cache(maxsize=None)
def long_names() -> st.SearchStrategy[str]:
    """Very long names: a few thousand characters (a pasted paragraph), and one longer than a line buffer."""
    return st.builds(
        lambda name, n, tail: (name + " ") * n + tail,
        st.sampled_from(NAMES + SCRIPTS),
        st.sampled_from([50, 300, 1500]),
        st.sampled_from(["", "GmbH", "👍", "\u202e"]),
    )


@functools.lru_cache(maxsize=None)
def org_names() -> st.SearchStrategy[str]:
    """Organisation names: real ones, with legal forms, accents, other scripts, RTL, emoji,
    control characters, invisible characters, very long, or any text at all."""
    plain = st.sampled_from(NAMES) | legal_names()
    return st.one_of(
        plain,
        _decorated(plain),
        st.sampled_from(SCRIPTS),
        st.lists(st.sampled_from(NAMES + SCRIPTS + EMOJI + LEGAL_FORMS), min_size=1, max_size=4).map(" ".join),
        st.text(min_size=0, max_size=30),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
        long_names(),
    )


# --- IRIs ----------------------------------------------------------------------------------------

_UNRESERVED = string.ascii_letters + string.digits + "-._~"
_SUB_DELIMS = "!$&'()*+,;="
_SEGMENT_CHARS = _UNRESERVED + _SUB_DELIMS + ":@"


@functools.lru_cache(maxsize=None)
def _percent() -> st.SearchStrategy[str]:
    return st.integers(0, 255).map(lambda b: f"%{b:02X}")


@functools.lru_cache(maxsize=None)
def _segment() -> st.SearchStrategy[str]:
    """One path segment of a valid IRI: unreserved characters, percent-escapes, and Unicode letters (ucschar)."""
    unicode_letters = st.characters(min_codepoint=0xA0, max_codepoint=0xD7FF, categories=["Lu", "Ll", "Lo", "Nd"])
    piece = st.one_of(
        st.text(alphabet=_SEGMENT_CHARS, min_size=1, max_size=8),
        _percent(),
        st.text(alphabet=unicode_letters, min_size=1, max_size=4),
        st.sampled_from(["é", "ß", "東京", "👍", "%E2%80%AE"]),
    )
    return st.lists(piece, min_size=1, max_size=3).map("".join)


ID_BASE = "https://w3id.org/clustergraph/id/"


@functools.lru_cache(maxsize=None)
def valid_iris() -> st.SearchStrategy[str]:
    """Absolute IRIs that every RDF syntax accepts: http(s), urn, the clustergraph data namespace,
    with Unicode, percent-escapes, ``..`` and ``.`` segments (legal in an absolute IRI), queries and fragments."""
    host = st.sampled_from(["ex.org", "example.com", "w3id.org", "127.0.0.1", "xn--bcher-kva.example", "bücher.example", "[::1]"])
    path = st.lists(st.one_of(_segment(), st.sampled_from(["..", ".", ""])), min_size=0, max_size=4).map("/".join)
    http = st.builds(
        lambda scheme, h, p, q, f: f"{scheme}://{h}/{p}{q}{f}",
        st.sampled_from(["http", "https"]),
        host,
        path,
        st.sampled_from(["", "?a=1&b=2", "?q=%20"]),
        st.sampled_from(["", "#x", "#row-2", "#"]),
    )
    cgid = st.builds(lambda kind, key: f"{ID_BASE}{kind}/{key}", st.sampled_from(["organisation", "project", "sector"]), _segment())
    urn = st.builds(lambda nss: f"urn:ex:{nss}", _segment())
    return st.one_of(http, cgid, urn, st.sampled_from([
        "http://ex.org/", "http://ex.org/p#", "http://ex.org/p/1", "urn:x", "mailto:a@ex.org", "tag:ex.org,2024:x",
        "https://w3id.org/clustergraph/id/../../../../tmp/x", "http://ex.org/a/./b/../c", "http://ex.org/%2E%2E/x",
        "http://ex.org/\u202eevil", "http://ex.org/Ω", "file:///etc/passwd",
    ]))


#: What makes a string not an absolute IRI, whatever the syntax: spaces, the characters
#: RFC 3987 excludes, controls, no scheme at all, a broken percent-escape.
IRI_BREAKERS = [" ", "<", ">", '"', "{", "}", "|", "\\", "^", "`", "\n", "\t", "\x00", "\x7f"]


@functools.lru_cache(maxsize=None)
def hostile_iris() -> st.SearchStrategy[str]:
    """Strings that are not absolute IRIs: a valid IRI with a forbidden character inserted,
    relative references, no scheme, broken escapes, an empty string."""
    broken = st.builds(lambda iri, bad, at: _insert(iri, bad, at), valid_iris(), st.sampled_from(IRI_BREAKERS), st.integers(8, 200))
    return st.one_of(
        broken,
        st.sampled_from([
            "", "foo", "../x", "./a b", "//ex.org/x", "ex.org/x", "http://ex.org/a b", "http://ex.org/<x>",
            "http://ex.org/%zz", "http://ex.org/%", "1http://ex.org/", ":x", "http://ex.org/\x00", "http://[::1/x",
            "https://w3id.org/clustergraph/id/organisation/a b", "urn:", "http://ex.org/{+name}",
        ]),
    )


@functools.lru_cache(maxsize=None)
def iris() -> st.SearchStrategy[str]:
    """Valid IRIs most of the time, hostile ones sometimes."""
    return st.one_of(valid_iris(), valid_iris(), hostile_iris())


# --- literals -------------------------------------------------------------------------------------

#: The XSD datatypes the ontology and shapes use (``ontology/``, ``shapes/``).
ONTOLOGY_DATATYPES = [XSD.string, XSD.anyURI, XSD.boolean, XSD.date, XSD.dateTime, XSD.decimal, XSD.double, XSD.gYear, XSD.int, XSD.integer]

_DOUBLE_SPECIALS = ["NaN", "INF", "-INF", "0", "-0", "1E0", "1.5E10", "1e-300", "1e400", ".5", "5."]


def _double_text(x: float) -> str:
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "INF" if x > 0 else "-INF"
    return repr(x).replace("e", "E")


_ZONES = [None, _dt.timezone.utc, _dt.timezone(_dt.timedelta(hours=2)), _dt.timezone(-_dt.timedelta(hours=5, minutes=30))]


@functools.lru_cache(maxsize=None)
def _well_typed() -> st.SearchStrategy[tuple[str, URIRef]]:
    """(lexical form, datatype) pairs in the datatype's lexical space, canonical or not."""
    return st.one_of(
        st.integers(-(2**70), 2**70).map(lambda n: (str(n), XSD.integer)),
        st.sampled_from(["01", "+1", "-0", "0"]).map(lambda t: (t, XSD.integer)),
        st.integers(-(2**31), 2**31 - 1).map(lambda n: (str(n), XSD.int)),
        st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=Decimal("-1e12"), max_value=Decimal("1e12")).map(lambda d: (str(d), XSD.decimal)),
        st.sampled_from(["1.50", "258437", "-0.0", ".5", "+3.", "0.000000000000000000001"]).map(lambda t: (t, XSD.decimal)),
        st.floats(allow_nan=True, allow_infinity=True).map(lambda x: (_double_text(x), XSD.double)),
        st.sampled_from(_DOUBLE_SPECIALS).map(lambda t: (t, XSD.double)),
        st.sampled_from(["true", "false", "1", "0"]).map(lambda t: (t, XSD.boolean)),
        st.dates().map(lambda d: (d.isoformat(), XSD.date)),
        st.sampled_from(["2024-02-29", "2024-01-01Z", "2024-01-01+02:00", "-0044-03-15"]).map(lambda t: (t, XSD.date)),
        st.datetimes(timezones=st.sampled_from(_ZONES)).map(lambda d: (d.isoformat(), XSD.dateTime)),
        st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01T12:30:00.5+02:00", "2024-12-31T24:00:00"]).map(lambda t: (t, XSD.dateTime)),
        st.integers(1, 9999).map(lambda y: (f"{y:04d}", XSD.gYear)),
        st.sampled_from(["2014Z", "-0044", "12345"]).map(lambda t: (t, XSD.gYear)),
        valid_iris().map(lambda t: (t, XSD.anyURI)),
    )


#: Lexical forms outside their datatype's lexical space: what a hurried steward writes.
ILL_TYPED: list[tuple[str, URIRef]] = [
    ("nineteen", XSD.integer), ("1.5", XSD.integer), ("", XSD.integer), (" 19 ", XSD.integer), ("1,000", XSD.integer),
    ("1_000", XSD.integer), ("٣", XSD.integer), ("+", XSD.integer),
    ("2147483648", XSD.int), ("-2147483649", XSD.int), ("1.0", XSD.int),
    ("1e5", XSD.decimal), ("NaN", XSD.decimal), ("1,5", XSD.decimal), ("€258.437", XSD.decimal), ("", XSD.decimal),
    ("one", XSD.double), ("1.0.0", XSD.double), ("Infinity", XSD.double), ("inf", XSD.double),
    ("yes", XSD.boolean), ("True", XSD.boolean), (" true", XSD.boolean), ("", XSD.boolean),
    ("2023-13-45", XSD.date), ("2023-02-30", XSD.date), ("01/01/2016", XSD.date), ("2023-1-1", XSD.date), ("0000-01-01", XSD.date),
    ("99999-01-01", XSD.date), ("", XSD.date), ("December 4th", XSD.date),
    ("2024-01-01", XSD.dateTime), ("2024-01-01T25:00:00", XSD.dateTime), ("2024-01-01 12:00", XSD.dateTime),
    ("24", XSD.gYear), ("year", XSD.gYear), ("2024-01", XSD.gYear), ("0000", XSD.gYear),
]

#: Language tags: usual, mixed case, private use, long, and grandfathered.
LANGUAGE_TAGS = ["en", "es", "de-AT", "pt-BR", "zh-Hant-TW", "sr-Latn-RS", "es-419", "EN-gb", "x-private", "en-US-x-twain", "i-klingon", "ar", "he"]


@functools.lru_cache(maxsize=None)
def language_tags() -> st.SearchStrategy[str]:
    """Well-formed BCP 47 tags, in any case. (RDF 1.1's ``LANGTAG`` production also allows ``a`` or
    ``abcdefghi-x``, which BCP 47 and Oxigraph do not: those are in :data:`BAD_LANGUAGE_TAGS`.)"""
    return st.sampled_from(LANGUAGE_TAGS) | st.from_regex(r"\A[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?\Z")


#: Tags RDF 1.1's grammar allows and BCP 47 does not (a one-letter language, a nine-letter subtag).
BAD_LANGUAGE_TAGS = ["a", "A-b", "abcdefghi", "en-abcdefghi"]


@functools.lru_cache(maxsize=None)
def texts() -> st.SearchStrategy[str]:
    """Literal text: names, any Unicode, newlines, quotes and escapes that syntaxes must escape."""
    tricky = st.sampled_from(['"', "'", '"""', "'''", "\\", "\\u0000", "\\n", "<", ">", "&", "]]>", "@", "^^", "{", "}", "%", "#", ".", ";", ","])
    return st.one_of(
        org_names(),
        st.text(max_size=20),
        st.lists(st.one_of(tricky, st.sampled_from(NEWLINES + CONTROL + BIDI + EMOJI), st.text(max_size=3)), max_size=6).map("".join),
    )


@functools.lru_cache(maxsize=None)
def literals(*, ill_typed: bool = True, controls: bool = True) -> st.SearchStrategy[Literal]:
    """Literals of every datatype the ontology uses (well-typed, canonical or not), language-tagged
    text, plain text, an unknown datatype, and (unless ``ill_typed=False``) ill-typed lexical forms.

    Typed literals keep the lexical form as written (``normalize=False``, as the store reads them):
    rdflib would otherwise rewrite ``"INF"^^xsd:double`` as ``"inf"`` and the ill-typed
    ``"1.50"^^xsd:boolean`` as ``"false"``.

    ``controls=False`` leaves out text with C0/C1 control characters (which XML 1.0 cannot hold).
    """
    text = texts()
    if not controls:
        text = text.map(strip_xml_illegal)
    options = [
        text.map(Literal),
        st.builds(lambda t, tag: Literal(t, lang=tag), text, language_tags()),
        _well_typed().map(lambda pair: Literal(pair[0], datatype=pair[1], normalize=False)),
        text.map(lambda t: Literal(t, datatype=URIRef("http://ex.org/datatype#custom"), normalize=False)),
    ]
    if ill_typed:
        options.append(st.sampled_from(ILL_TYPED).map(lambda pair: Literal(pair[0], datatype=pair[1], normalize=False)))
    return st.one_of(*options)


def strip_xml_illegal(text: str) -> str:
    """``text`` without the characters :func:`has_xml_illegal` looks for."""
    return "".join(c for c in text if not has_xml_illegal(c))


def has_xml_illegal(text: str) -> bool:
    """True if ``text`` holds a character XML 1.0 cannot hold, escaped or not (C0 controls but tab,
    line feed and carriage return; lone surrogates; U+FFFE and U+FFFF)."""
    return any(
        (ord(c) < 0x20 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff"
        for c in text
    )


# --- graphs ------------------------------------------------------------------------------------------

PREDICATES_QNAME = [
    "http://ex.org/p", "http://ex.org/vocab#label", "https://w3id.org/clustergraph/ontology#country",
    "http://www.w3.org/2000/01/rdf-schema#label", "http://ex.org/é", "urn:ex:p", "http://ex.org/a.b", "http://ex.org/_x",
]
#: Predicates that are valid IRIs but cannot be written as an XML QName (RDF/XML needs one for
#: every predicate): they end with ``/``, ``#`` or a character that cannot start an XML name.
PREDICATES_NOT_QNAME = ["http://ex.org/p/", "http://ex.org/p#", "http://ex.org/p/1", "http://ex.org/p/-x", "http://ex.org/%41", "http://ex.org/p/👍", "urn:isbn:123"]


@functools.lru_cache(maxsize=None)
def predicates(*, qnames_only: bool = False) -> st.SearchStrategy[str]:
    """Predicate IRIs; unless ``qnames_only``, some that RDF/XML cannot write."""
    base = st.sampled_from(PREDICATES_QNAME) | valid_iris().map(lambda i: i if xml_qname_split(i) is not None else i + "x").filter(
        lambda i: expat_accepts_name(xml_qname_split(i)[1])  # type: ignore[index]
    )
    if qnames_only:
        return base
    return st.one_of(base, st.sampled_from(PREDICATES_NOT_QNAME), valid_iris())


_NAME_START = r"A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_NCNAME_TAIL = re.compile(rf"[{_NAME_START}][{_NAME_CHAR}]*\Z")


def xml_qname_split(iri: str) -> tuple[str, str] | None:
    """Split ``iri`` into namespace and an XML 1.0 (5th edition) NCName local part, as an RDF/XML
    writer must; None if it cannot."""
    m = _NCNAME_TAIL.search(iri)
    if m is None:
        return None
    return iri[: m.start()], m.group()


def expat_accepts_name(name: str) -> bool:
    """True if Python's XML parser (expat, which rdflib and so the memory store use for RDF/XML)
    accepts ``name`` as an element name: expat follows XML 1.0 4th edition, whose name characters
    are fewer than the 5th edition's (``U+023E`` is a letter in one and not in the other)."""
    import xml.parsers.expat

    try:
        xml.parsers.expat.ParserCreate().Parse(f"<{name}/>", True)
    except xml.parsers.expat.ExpatError:
        return False
    return True


@st.composite
def quads(draw, *, hostile: bool = False, ill_typed: bool = True, qnames_only: bool = False, controls: bool = True, max_size: int = 8):
    """A list of quads ``(s, p, o, g)`` of rdflib terms: shared blank nodes, a few named graphs.

    ``hostile=True`` also draws IRIs that are not IRIs (spaces, no scheme, ...).
    """
    iri = iris() if hostile else valid_iris()
    bnodes = [BNode(f"b{i}") for i in range(3)]
    subject = st.one_of(iri.map(URIRef), st.sampled_from(bnodes))
    predicate = (predicates(qnames_only=qnames_only) | (hostile_iris() if hostile else st.nothing())).map(URIRef)
    obj = st.one_of(iri.map(URIRef), st.sampled_from(bnodes), literals(ill_typed=ill_typed, controls=controls), st.just(RDF.type).map(URIRef))
    graph = st.sampled_from([URIRef("http://ex.org/g1"), URIRef("https://w3id.org/clustergraph/graph/source/x-csv"), URIRef("urn:g:2")])
    return draw(st.lists(st.tuples(subject, predicate, obj, graph), min_size=1, max_size=max_size))


# --- table cells --------------------------------------------------------------------------------------

#: Cells that a spreadsheet program executes or that break CSV: formulas, quotes, delimiters, line breaks, NUL.
HOSTILE_CELLS = [
    "=1+1", "=HYPERLINK(\"http://127.0.0.1:9/x\",\"click\")", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1:A9)", "\t=1", "\r=1",
    '"', '""', 'a"b', '"unterminated', '"quoted"', "'quoted'", ",", ";", "\t", "|", "a,b", "a;b", "a\tb",
    "\n", "\r\n", "\r", "line\nbreak", "line\r\nbreak", "\u2028", "\x00", "a\x00b", "\x1b[31mred", "\x07", "\x85",
    "\ufeff", "\ufeffname", "   ", "\u00a0", "\u200b", "NULL", "N/A", "#REF!", "#N/A", "-", "?", "\\", "\\N", "{name}",
    "{+name}", "../../../../tmp/x", "%00", "%2F", "€", "€258.437", "1.234.567,89", "1e999", "NaN", "01/13/2016", "31/02/2016",
    "0000-00-00", "9999999999999999999999", "true", "ja", "España", "Atlantis", "www.ex ample.org", "javascript:alert(1)",
    "file:///etc/passwd", "http://127.0.0.1:9/x", "\u202eevil", "👍🏽", "x" * 5000,
]


def cells(real: list[str] | tuple[str, ...] | None = None) -> st.SearchStrategy[str]:
    return _cells(tuple(real) if real else None)


@functools.lru_cache(maxsize=None)
def _cells(real: tuple[str, ...] | None) -> st.SearchStrategy[str]:
    """A table cell: a real value of the column (when given), a hostile one, a name, text, or a mix."""
    options: list[st.SearchStrategy[str]] = [
        st.sampled_from(HOSTILE_CELLS),
        org_names(),
        st.text(max_size=12),
        st.lists(st.sampled_from(HOSTILE_CELLS + NEWLINES + CONTROL + BIDI + ['"', ",", ";"]), min_size=1, max_size=3).map("".join),
    ]
    if real:
        options = [st.sampled_from(real), st.sampled_from(real)] + options
    return st.one_of(*options)


# --- the embedded dataset's tables ---------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def real_columns(table: str) -> dict[str, list[str]]:
    """The values of each column of ``data/<table>`` (non-empty, distinct), to mix with hostile ones."""
    text = (data_dir() / table).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    out: dict[str, list[str]] = {h: [] for h in header}
    for row in body:
        for h, value in zip(header, row):
            if value and value not in out[h]:
                out[h].append(value)
    return out


def canonical_tables() -> list[str]:
    """The embedded dataset's tables that have a mapping, by file name (``organisations.csv``...)."""
    return sorted(p.name.removesuffix("-metadata.json") for p in data_dir().glob("*.csv-metadata.json"))


@st.composite
def table_rows(draw, header: list[str], real: dict[str, list[str]], *, min_rows: int = 1, max_rows: int = 4) -> list[list[str]]:
    """Rows for ``header``: each cell real (from the embedded table) or hostile; rows sometimes short or long."""
    strategies = {h: cells(real.get(h)) for h in header}
    rows = []
    for _ in range(draw(st.integers(min_rows, max_rows))):
        row = [draw(strategies[h]) for h in header]
        shape = draw(st.sampled_from(["whole"] * 6 + ["short", "long"]))
        if shape == "short":
            row = row[: draw(st.integers(0, len(row) - 1))]
        elif shape == "long":
            row = row + [draw(cells())]
        rows.append(row)
    return rows


def _quoted(cell: str, delimiter: str) -> str:
    if any(ch in cell for ch in (delimiter, '"', "\r", "\n")) or cell != cell.strip():
        return '"' + cell.replace('"', '""') + '"'
    return cell


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, style: str, newline: str = "\n", bom: bool = False, delimiter: str = ",") -> Path:
    """Write a table as a careful program would (``style="quoted"``: csv module quoting) or as
    a careless one (``"raw"``: cells joined with the delimiter, nothing escaped)."""
    if style == "quoted":
        # not csv.writer: with lineterminator "\n" it leaves a cell with a lone CR unquoted,
        # which every reader (and spreadsheet) takes for a line break
        text = "".join(delimiter.join(_quoted(cell, delimiter) for cell in row) + newline for row in [header, *rows])
    else:
        text = "".join(delimiter.join(row) + newline for row in [header, *rows])
    data = text.encode("utf-8", errors="surrogatepass")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


# --- RDF documents ------------------------------------------------------------------------------------

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def _nt_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@st.composite
def _pieces(draw) -> dict[str, str]:
    """The parts of one statement: IRIs (valid or hostile), a literal's lexical form, tag and datatype,
    each escaped for its syntax or pasted raw (as a careless generator would)."""
    raw = draw(st.booleans())
    literal = draw(literals())
    lexical = str(literal)
    return {
        "raw": raw,
        "s": draw(iris()),
        "p": draw(st.one_of(predicates(qnames_only=True), iris())),
        "o": draw(iris()),
        "g": draw(valid_iris()),
        "lex": lexical,
        "lang": literal.language or "",
        "dt": str(literal.datatype) if literal.datatype else "",
        "local": draw(st.one_of(st.sampled_from(["name", "label", "p", "x-y", "a.b", "_z"]), st.text(max_size=6))),
        "bnode": draw(st.sampled_from(["_:b0", "_:b1", "_:b-x", "[]", "_:"])),
    }


def _nt_object(piece: dict) -> str:
    lex = piece["lex"] if piece["raw"] else _nt_escape(piece["lex"])
    if piece["lang"]:
        return f'"{lex}"@{piece["lang"]}'
    if piece["dt"]:
        return f'"{lex}"^^<{piece["dt"]}>'
    return f'"{lex}"'


def _statement(fmt: str, piece: dict, kind: int) -> str:
    s, p, o, g = piece["s"], piece["p"], piece["o"], piece["g"]
    if fmt in ("nt", "nquads"):
        obj = [_nt_object(piece), f"<{o}>", piece["bnode"]][kind % 3]
        graph = f" <{g}>" if fmt == "nquads" and kind % 2 else ""
        return f"<{s}> <{p}> {obj}{graph} .\n"
    if fmt in ("turtle", "trig"):
        lex = piece["lex"] if piece["raw"] else _nt_escape(piece["lex"])
        objects = [
            _nt_object(piece),
            f"<{o}>",
            f'"""{lex}"""',
            f"ex:{piece['local']}",
            f"[ ex:p {_nt_object(piece)} ]",
            f"( <{o}> {piece['bnode']} 1 2.5 3e0 true )",
            piece["lex"] if piece["raw"] else "42",
        ]
        body = f"<{s}> ex:{piece['local']} {objects[kind % len(objects)]} ; <{p}> <{o}> .\n"
        if fmt == "trig" and kind % 2:
            return f"<{g}> {{ {body} }}\n"
        return body
    if fmt == "xml":
        text = piece["lex"] if piece["raw"] else _xml_escape(piece["lex"])
        attrs = f' xml:lang="{piece["lang"]}"' if piece["lang"] else (f' rdf:datatype="{piece["dt"]}"' if piece["dt"] else "")
        local = piece["local"] or "p"
        element = [
            f"<ex:{local}{attrs}>{text}</ex:{local}>",
            f'<ex:{local} rdf:resource="{_xml_escape(o) if not piece["raw"] else o}"/>',
            f'<ex:{local} rdf:parseType="Resource"><ex:q>{text}</ex:q></ex:{local}>',
            f'<ex:{local} rdf:parseType="Literal"><b>{text}</b></ex:{local}>',
        ][kind % 4]
        about = s if piece["raw"] else _xml_escape(s)
        return f'<rdf:Description rdf:about="{about}">{element}</rdf:Description>\n'
    raise ValueError(fmt)


def _jsonld_node(piece: dict, kind: int) -> dict:
    value: dict = {"@value": piece["lex"]}
    if piece["lang"]:
        value["@language"] = piece["lang"]
    elif piece["dt"]:
        value["@type"] = piece["dt"]
    node: dict = {"@id": piece["s"], piece["p"]: [value, {"@id": piece["o"]}]}
    if kind % 3 == 1:
        node["ex:" + piece["local"]] = {"@list": [1, 2.5, True, None, {"@id": piece["o"]}]}
    if kind % 3 == 2:
        node["@type"] = piece["o"]
        node[piece["p"]].append({"ex:nested": {"@value": piece["lex"], "@direction": "rtl", "@language": "ar"}})
    return node


JSONLD_CONTEXTS = [
    {"ex": "http://ex.org/"},
    {"ex": "http://ex.org/", "@vocab": "http://ex.org/vocab#", "@base": "http://ex.org/base/"},
    "https://w3id.org/clustergraph/context.jsonld",
    "http://127.0.0.1:9/context.jsonld",
    "file:///etc/passwd",
    [{"ex": "http://ex.org/"}, {"@version": 1.1}],
    {"ex": {"@id": "http://ex.org/", "@prefix": True}, "@import": "http://127.0.0.1:9/ctx"},
]


@st.composite
def rdf_documents(draw, fmt: str) -> bytes:
    """An RDF document in ``fmt`` (a key of ``clustergraph.store.FORMATS``) built from the
    strategies: statements with valid or hostile IRIs, literals of every datatype, language tags,
    pasted raw or escaped; sometimes with a DTD (RDF/XML) or a remote context (JSON-LD)."""
    pieces = draw(st.lists(_pieces(), min_size=1, max_size=4))
    kinds = draw(st.lists(st.integers(0, 100), min_size=len(pieces), max_size=len(pieces)))
    if fmt == "json-ld":
        nodes = [_jsonld_node(piece, kind) for piece, kind in zip(pieces, kinds)]
        context = draw(st.sampled_from(JSONLD_CONTEXTS))
        shape = draw(st.sampled_from(["graph", "list", "single", "named"]))
        if shape == "graph":
            document: object = {"@context": context, "@graph": nodes}
        elif shape == "list":
            document = nodes
        elif shape == "named":
            document = {"@context": context, "@id": pieces[0]["g"], "@graph": nodes}
        else:
            document = {"@context": context, **nodes[0]}
        return json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8", errors="surrogatepass")
    body = "".join(_statement(fmt, piece, kind) for piece, kind in zip(pieces, kinds))
    if fmt in ("turtle", "trig"):
        header = draw(st.sampled_from(["@prefix ex: <http://ex.org/> .\n", "PREFIX ex: <http://ex.org/>\n", "@prefix ex: <http://ex.org/> .\n@base <http://ex.org/base/> .\n", ""]))
        body = header + body
    if fmt == "xml":
        doctype = draw(st.sampled_from(["", "", "", '<!DOCTYPE rdf:RDF [<!ENTITY e "x">]>\n']))
        encoding = draw(st.sampled_from(["UTF-8", "UTF-8", "utf-8", "ISO-8859-1", "US-ASCII", "UTF-16", "TTF-8", "klingon"]))
        body = (
            f'<?xml version="1.0" encoding="{encoding}"?>\n{doctype}<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://ex.org/" '
            f'xml:base="http://ex.org/base/">\n{body}</rdf:RDF>\n'
        )
    return body.encode("utf-8", errors="surrogatepass")
