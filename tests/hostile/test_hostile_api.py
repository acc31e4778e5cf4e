"""The hostile-input catalogue through the Python API: every way RDF comes in, every store kind.

``store.load`` on Oxigraph in memory, Oxigraph on disk and rdflib's memory store;
``ingest.import_sources`` and ``rdfsource.parse_rdf``; the query stage's ``open_data``.
Each refusal is an InputError naming the file (and the line where the case gives one);
each load gives the expected triples; none takes more than a few seconds; the loopback
server the inputs point at is never contacted (checked after every test).
"""

from __future__ import annotations

import time

import pytest
from hostile_catalogue import CASES, STORES, Case

from clustergraph.errors import InputError, InputErrors
from clustergraph.ingest.importer import import_sources
from clustergraph.ingest.rdfsource import parse_rdf
from clustergraph.query.execution import open_data
from clustergraph.store import dataset as store
from clustergraph.store.parsing import Limits

#: Seconds any one hostile input may take: a guard against expansion and hangs (the worst
#: took 12 s and 1.25 GB, or hung, before), wide enough for a loaded machine.
BOUND = 30.0


def _check_refusal(exc: Exception, case: Case, message: str, path) -> None:
    text = str(exc)
    assert message in text, text
    assert str(path) in text or path.name in text, f"the message does not name the file: {text}"
    if case.line is not None and isinstance(exc, InputError):
        assert exc.line == case.line, text
    assert "\n" not in text


@pytest.mark.parametrize("label,kind,on_disk", STORES, ids=[s[0] for s in STORES])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_store_load(case: Case, label: str, kind: str, on_disk: bool, hostile_files, tmp_path) -> None:
    path = hostile_files[case.id]
    message, triples = case.expected(label)
    ds = store.open_dataset(kind, tmp_path / "store" if on_disk else None)
    try:
        start = time.monotonic()
        if message is None:
            assert store.load(ds, path, graph="https://example.org/g") == triples
        else:
            with pytest.raises(InputError) as info:
                store.load(ds, path, graph="https://example.org/g")
        assert time.monotonic() - start < BOUND
        if message is not None:
            _check_refusal(info.value, case, message, path)
        assert _count(ds) == (triples if message is None else 0), "a refused load left data behind"
    finally:
        ds.close()


def _count(ds) -> int:
    return int(store.select(ds, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[1][0][0])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_import_sources(case: Case, hostile_files) -> None:
    path = hostile_files[case.id]
    message, triples = case.expected("oxigraph")  # the importer parses with Oxigraph
    ds = store.open_dataset()
    start = time.monotonic()
    if message is None:
        report = import_sources([path], ds)
        assert report.sources[0].triples == triples
    else:
        with pytest.raises(InputErrors) as info:
            import_sources([path], ds)
        problem = info.value.problems[0]
        assert message in str(problem), str(problem)
        assert problem.file == str(path)
        if case.line is not None:
            assert problem.line == case.line
        assert len(ds) == 0
    assert time.monotonic() - start < BOUND


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_parse_rdf(case: Case, hostile_files) -> None:
    path = hostile_files[case.id]
    message, triples = case.expected("oxigraph")
    if message is None:
        quads, _ = parse_rdf(path.read_bytes(), name=path.name)
        assert len({(s, p, o) for s, p, o, _ in quads}) == triples
    else:
        with pytest.raises(InputError) as info:
            parse_rdf(path.read_bytes(), name=path.name)
        _check_refusal(info.value, case, message, path)


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
@pytest.mark.parametrize("case", [c for c in CASES if c.refused], ids=[c.id for c in CASES if c.refused])
def test_query_data(case: Case, kind: str, hostile_files) -> None:
    """``clustergraph query --data``'s loading (open_data) refuses the same inputs."""
    path = hostile_files[case.id]
    message, _ = case.expected(kind)
    with pytest.raises(InputError) as info:
        open_data([path], kind=kind)
    _check_refusal(info.value, case, message, path)


def test_limits_are_configurable(hostile_files, tmp_path, monkeypatch) -> None:
    small = tmp_path / "small.ttl"
    small.write_text('<http://ex.org/a> <http://ex.org/p> "' + "y" * 2000 + '" .\n')
    for kind in ("oxigraph", "memory"):
        with pytest.raises(InputError, match="more than the limit of 1,000 bytes"):
            store.load(store.open_dataset(kind), small, limits=Limits(max_input_bytes=1000))
        with pytest.raises(InputError, match="a literal of 2,000 bytes is longer than the limit of 100 bytes"):
            store.load(store.open_dataset(kind), small, limits=Limits(max_literal_bytes=100))
    with pytest.raises(InputErrors, match="longer than the limit of 100 bytes"):
        import_sources([small], store.open_dataset(), limits=Limits(max_literal_bytes=100))
    # the environment sets the defaults of every entry point
    monkeypatch.setenv("CLUSTERGRAPH_MAX_INPUT_BYTES", "1000")
    with pytest.raises(InputError, match="more than the limit of 1,000 bytes"):
        open_data([small])
    monkeypatch.setenv("CLUSTERGRAPH_MAX_INPUT_BYTES", "none")
    monkeypatch.setenv("CLUSTERGRAPH_MAX_JSON_DEPTH", "2000")
    with pytest.raises(Exception, match="from 1 to 1000"):
        store.load(store.open_dataset(), small)


def test_a_higher_depth_limit_lets_deeper_json_ld_in(hostile_files) -> None:
    deep = hostile_files["json-arrays-5000"].read_bytes().replace(b"[" * 5000, b"[" * 300).replace(b"]" * 5000, b"]" * 300)
    for kind in ("oxigraph", "memory"):
        with pytest.raises(InputError, match="more than 100 levels"):
            store.load(store.open_dataset(kind), deep, format="json-ld")
    assert store.load(store.open_dataset(), deep, format="json-ld", limits=Limits(max_json_depth=400)) == 1


def test_json_tables_are_depth_checked_too(tmp_path) -> None:
    table = tmp_path / "orgs.json"
    table.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InputErrors, match="nested more than 100 levels") as info:
        import_sources([table], store.open_dataset())
    assert info.value.problems[0].file == str(table)


@pytest.mark.parametrize("case", [c for c in CASES if c.refused and c.file.endswith(".rdf")], ids=[c.id for c in CASES if c.refused and c.file.endswith(".rdf")])
def test_user_ontologies_pass_the_same_boundary(case: Case, hostile_files) -> None:
    """An ontology given by the user (validate, reasoning) is refused like data: DTDs are never expanded."""
    from clustergraph.reasoning.rules import ontology_graph as reasoning_ontology
    from clustergraph.validation.engine import ontology_graph as validation_ontology

    path = hostile_files[case.id]
    for read in (lambda: validation_ontology(path, False), lambda: reasoning_ontology(path)):
        with pytest.raises(InputError) as info:
            read()
        _check_refusal(info.value, case, case.refused, path)
