"""The W3C Turtle and N-Triples test suites through clustergraph's own parse path.

The suites are read in place from ``../shared/testdata/w3c-rdf-tests`` (never copied
into the project); their manifests are read with rdflib. Every W3C test is one case per
target, the ways an RDF file enters clustergraph, with the id ``target/suite/name``
(``name`` is the manifest entry's, which is its ``mf:name`` except for one entry whose
``mf:name`` repeats another's upstream):

``oxigraph``, ``memory``
    :func:`clustergraph.store.load` (``format=`` given, into a named graph) into the
    stores of :func:`clustergraph.store.open_dataset`: Oxigraph in memory, rdflib's
    memory store; read back with :func:`clustergraph.store.quads`.
``oxigraph-disk``
    the same into Oxigraph on disk, for the negative tests only: its parser and its
    literals are those of Oxigraph in memory, what differs is how a failed load is
    undone (a RocksDB transaction).
``rdfsource``
    :func:`clustergraph.ingest.rdfsource.read_rdf` with ``format=`` given.
``import``
    :func:`~clustergraph.ingest.rdfsource.read_rdf` as the importer calls
    ``parse_rdf``: no ``format=``, the syntax detected from the content, the file's
    ending only a hint, graph names dropped.

What each test type asks:

* positive syntax: the file loads without error;
* negative syntax: :class:`~clustergraph.errors.InputError` (no other exception) and,
  for a store, the store exactly as it was, whether the load went to the default graph,
  a new named graph or one that held triples (all or nothing). The ``import`` path
  reads a file as whichever supported syntax accepts it (documented in
  :mod:`clustergraph.ingest.rdfsource`), so there it may instead read the file as
  another syntax (``nt-syntax-bad-prefix-01`` is Turtle, ``turtle-syntax-bad-struct-01``
  TriG), but never as the syntax the suite says it breaks;
* evaluation: the triples loaded are isomorphic (:func:`rdflib.compare.isomorphic`) to
  the expected N-Triples, which pyoxigraph's plain parser reads (no store) keeping every
  literal as written: RDF 1.1 literal term equality, so ``"+1"^^xsd:integer`` and
  ``"1"^^xsd:integer`` differ. Only language tags compare case-insensitively (RDF 1.1
  lets a parser lower-case them).

Failures that are known limitations are in :data:`KNOWN`, by test id with the reason,
and marked ``xfail(strict=True)``: fixing one fails its test until its entry goes.
Without the suites the tests skip, or fail when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from clustergraph import store
from clustergraph.errors import InputError
from clustergraph.ingest.rdfsource import read_rdf

SUITES = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "w3c-rdf-tests"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFT = Namespace("http://www.w3.org/ns/rdftest#")

#: Suite folder -> (suite name in test ids, format name of store.load, read_rdf's, base IRI of its files).
SUITE_INFO = {
    "rdf-turtle": ("turtle", "turtle", "turtle", "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"),
    "rdf-n-triples": ("nt", "nt", "ntriples", "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-n-triples/"),
}
#: Test type -> what it asks.
KINDS = {
    RDFT.TestTurtlePositiveSyntax: "positive",
    RDFT.TestNTriplesPositiveSyntax: "positive",
    RDFT.TestTurtleNegativeSyntax: "negative",
    RDFT.TestNTriplesNegativeSyntax: "negative",
    RDFT.TestTurtleNegativeEval: "negative",  # none left upstream (w3c/rdf-tests#352 made them syntax tests)
    RDFT.TestTurtleEval: "eval",
}
STORES = ("oxigraph", "oxigraph-disk", "memory")
TARGETS = (*STORES, "rdfsource", "import")
#: Targets that run only the negative tests.
NEGATIVE_ONLY = ("oxigraph-disk",)
#: The number of tests of each type in the suites (test_suites_are_complete).
SIZES = {
    "TestTurtlePositiveSyntax": 74,
    "TestTurtleNegativeSyntax": 94,
    "TestTurtleEval": 145,
    "TestNTriplesPositiveSyntax": 41,
    "TestNTriplesNegativeSyntax": 29,
}


def _known(targets: tuple[str, ...], suite: str, names: str, reason: str) -> dict[str, str]:
    return {f"{target}/{suite}/{name}": reason for target in targets for name in names.split()}


#: Known failures, by test id (``target/suite/name``), with the reason.
KNOWN: dict[str, str] = {
    # Literals not kept as written (eval: the expected triple is missing, another is there).
    **_known(
        ("oxigraph",),
        "turtle",
        "bareword_decimal bareword_double double_lower_case_e positive_numeric numeric_with_leading_0 "
        "turtle-subm-11 turtle-subm-17 turtle-subm-19 turtle-subm-20 turtle-subm-26",
        "Oxigraph's store keeps xsd:integer, decimal and double literals as values, not as written "
        '("+1" and "01" come back "1", "1.0"^^xsd:decimal "1", "1E0" "1"^^xsd:double), so distinct literals can merge into one '
        "(oxigraph/oxigraph#526, open: no option to keep lexical forms)",
    ),
    # An empty document is valid Turtle and N-Triples.
    **_known(
        ("rdfsource", "import"),
        "turtle",
        "turtle-syntax-file-01",
        'parse_rdf refuses a file with nothing but white space ("the file is empty") on purpose; '
        "store.load takes it (0 triples)",
    ),
    **_known(
        ("rdfsource", "import"),
        "nt",
        "nt-syntax-file-01",
        'parse_rdf refuses a file with nothing but white space ("the file is empty") on purpose; '
        "store.load takes it (0 triples)",
    ),
}

TARGET_GRAPH = URIRef("urn:w3c:loaded")
OTHER_GRAPH = URIRef("urn:w3c:other")
SENTINEL = (URIRef("urn:w3c:s"), URIRef("urn:w3c:p"), Literal("sentinel"))


def _manifests() -> list[tuple[str, Graph]]:
    """(suite folder, its manifest graph) for each suite present."""
    found = []
    for folder, (*_, base) in SUITE_INFO.items():
        path = SUITES / folder / "manifest.ttl"
        if path.is_file():
            found.append((folder, Graph().parse(path, format="turtle", publicID=base + "manifest.ttl")))
    return found


MANIFESTS = _manifests()


def _tests(manifest: Graph):
    for entries in manifest.objects(None, MF.entries):
        yield from Collection(manifest, entries)


def _cases() -> list:
    cases = []
    for folder, manifest in MANIFESTS:
        suite, *_, base = SUITE_INFO[folder]
        for test in _tests(manifest):
            name = str(test).rsplit("#", 1)[-1]
            kind = KINDS.get(manifest.value(test, RDF.type), "unknown")  # test_suites_are_complete names it
            action = SUITES / folder / str(manifest.value(test, MF.action)).removeprefix(base)
            result = manifest.value(test, MF.result)
            expected = SUITES / folder / str(result).removeprefix(base) if result is not None else None
            for target in TARGETS:
                if target in NEGATIVE_ONLY and kind != "negative":
                    continue
                case_id = f"{target}/{suite}/{name}"
                marks = [pytest.mark.xfail(reason=KNOWN[case_id], strict=True)] if case_id in KNOWN else []
                cases.append(pytest.param(target, folder, kind, action, expected, id=case_id, marks=marks))
    return cases


CASES = _cases()


# --- reading what was loaded --------------------------------------------------------


def _expected(path: Path, base: str) -> Graph:
    """The expected triples, read by pyoxigraph's parser (not its store), literals as written."""
    graph = Graph()
    for t in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES, base_iri=base):
        graph.add((_term(t.subject), _term(t.predicate), _term(t.object)))
    return graph


def _term(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):  # a simple literal, which rdflib 7 writes without datatype
        return Literal(term.value, normalize=False)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def _comparable(graph: Graph) -> Graph:
    """``graph`` with language tags lower-cased, nothing else changed."""
    out = Graph()
    for t in graph:
        out.add(tuple(Literal(str(x), lang=x.language.lower()) if isinstance(x, Literal) and x.language else x for x in t))  # type: ignore[arg-type]
    return out


def _difference(got: Graph, want: Graph) -> str:
    def ground(g: Graph) -> set:
        return {t for t in g if not any(isinstance(x, BNode) for x in t)}

    extra, missing = sorted(ground(got) - ground(want)), sorted(ground(want) - ground(got))
    return f"not isomorphic: {len(got)} triples loaded, {len(want)} expected\n" + "".join(
        f"  {label}: {' '.join(x.n3() for x in t)}\n" for label, ts in (("extra", extra), ("missing", missing)) for t in ts
    )


# --- the targets --------------------------------------------------------------------


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> dict:
    """One dataset of each store kind for the module; each test empties the one it uses."""
    return {
        "oxigraph": store.open_dataset("oxigraph"),
        "oxigraph-disk": store.open_dataset("oxigraph", tmp_path_factory.mktemp("w3c-rdf") / "store"),
        "memory": store.open_dataset("memory"),
    }


def _dataset(target: str, datasets: dict):
    """The store of ``target``, emptied, with a triple in the graph a load replaces and in another."""
    dataset = datasets[target]
    native = store.oxigraph(dataset)
    if native is not None:
        native.clear()
    else:
        dataset.remove((None, None, None, None))
    assert not set(store.quads(dataset))
    dataset.graph(TARGET_GRAPH).add(SENTINEL)  # the graph a load replaces
    dataset.graph(OTHER_GRAPH).add(SENTINEL)  # a graph no load touches
    return dataset


def _read(target: str, action: Path, folder: str) -> tuple[Graph, str]:
    """The triples ``read_rdf`` gives for ``action`` and the syntax it read, through ``target``."""
    *_, read_format, base = SUITE_INFO[folder]
    quads, read_as = read_rdf(action, base=base + action.name, format=read_format if target == "rdfsource" else None)
    graph = Graph()
    for s, p, o, _graph_name in quads:  # the importer keeps triples only
        graph.add((s, p, o))
    return graph, read_as


# --- the tests ----------------------------------------------------------------------


@pytest.mark.skipif(not CASES, reason=f"the W3C RDF test suites are not at {SUITES} (test_suites_are_complete fails under CI)")
@pytest.mark.parametrize("target,folder,kind,action,expected", CASES)
def test_w3c(target: str, folder: str, kind: str, action: Path, expected: Path | None, datasets: dict) -> None:
    _suite, load_format, read_format, suite_base = SUITE_INFO[folder]
    base = suite_base + action.name  # the IRI of the file under test: its relative IRIs resolve against it
    assert kind in ("positive", "negative", "eval"), f"unknown test type for {action.name}"
    if target not in STORES:
        if kind == "negative":
            try:
                _, read_as = _read(target, action, folder)
            except InputError:
                return
            assert target == "import" and read_as != read_format, f"invalid {read_format} read as {read_as}"
            return
        got, _ = _read(target, action, folder)
    else:
        dataset = _dataset(target, datasets)
        if kind == "negative":
            for graph in (None, URIRef("urn:w3c:new"), TARGET_GRAPH):
                before = set(store.quads(dataset))
                with pytest.raises(InputError):
                    store.load(dataset, action, format=load_format, graph=graph, base=base)
                assert set(store.quads(dataset)) == before, f"a failed load into {graph or 'the default graph'} changed the store"
            return
        store.load(dataset, action, format=load_format, graph=TARGET_GRAPH, base=base)
        quads = list(store.quads(dataset))
        assert (*SENTINEL, OTHER_GRAPH) in quads, "loading one graph changed another"
        got = Graph()
        for s, p, o, g in quads:
            if g == TARGET_GRAPH:
                got.add((s, p, o))
    if kind == "eval":
        assert expected is not None
        got, want = _comparable(got), _comparable(_expected(expected, base))
        assert isomorphic(got, want), _difference(got, want)


def test_suites_are_complete() -> None:
    """All five test types are there in full, every id is unique, and KNOWN names real tests."""
    if not all((SUITES / folder / "manifest.ttl").is_file() for folder in SUITE_INFO):
        message = f"the W3C RDF test suites (rdf-turtle, rdf-n-triples) are not at {SUITES}"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set: the conformance tests must run", pytrace=False)
        pytest.skip(message)
    counts: dict[str, int] = {}
    for _folder, manifest in MANIFESTS:
        for test in _tests(manifest):
            kind = manifest.value(test, RDF.type)
            assert kind in KINDS, f"{test}: unknown test type {kind}"
            counts[kind.removeprefix(str(RDFT))] = counts.get(kind.removeprefix(str(RDFT)), 0) + 1
    assert counts == SIZES
    ids = [case.id for case in CASES]
    negative = SIZES["TestTurtleNegativeSyntax"] + SIZES["TestNTriplesNegativeSyntax"]
    assert len(ids) == sum(SIZES.values()) * (len(TARGETS) - len(NEGATIVE_ONLY)) + negative * len(NEGATIVE_ONLY)
    assert len(set(ids)) == len(ids), "test ids must be unique"
    assert not set(KNOWN) - set(ids), f"KNOWN names tests that do not exist: {sorted(set(KNOWN) - set(ids))}"
