"""Queries that would reach outside the dataset: SERVICE, LOAD, FROM and FROM NAMED.

Every one is refused with a QueryError that names the clause and the fix, on every store
kind, through ``query.execution.run`` (the path of ``clustergraph query``),
``store.select`` and ``Dataset.query``/``update`` on Oxigraph, and through the command
line; the loopback server they point at is never contacted (checked after every test).
Allowed hosts (``allow_network=``) are reached; ``FROM`` naming a graph of the dataset
works as before.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hostile_catalogue import QUERIES, STORES
from rdflib import Literal

from clustergraph.cli import main
from clustergraph.errors import QueryError
from clustergraph.query.execution import run
from clustergraph.store import dataset as store
from clustergraph.store.offline import allow_network

GRAPH = "https://example.org/graph/data"
DATA = '<http://ex.org/a> <http://ex.org/p> "local" .\n'


@pytest.fixture(params=STORES, ids=[s[0] for s in STORES])
def dataset(request, tmp_path):
    _label, kind, on_disk = request.param
    ds = store.open_dataset(kind, tmp_path / "store" if on_disk else None)
    store.load(ds, DATA.encode(), format="nt", graph=GRAPH)
    yield ds
    ds.close()


def _text(template: str, recorder, tmp_path) -> str:
    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://ex.org/secret> <http://ex.org/p> "secret" .\n')
    return template.format(url=recorder.url("sparql"), data=recorder.url("data.ttl"), file=secret.as_uri(), base=recorder.url(""))


@pytest.mark.parametrize("qid,template,clause", QUERIES, ids=[q[0] for q in QUERIES])
def test_run_refuses(dataset, qid, template, clause, recorder, tmp_path) -> None:
    text = _text(template, recorder, tmp_path)
    with pytest.raises(QueryError) as info:
        run(dataset, text)
    message = str(info.value)
    assert clause in message and "fix:" in message and "\n" not in message
    if text.lstrip().upper().startswith(("SELECT", "PREFIX")):
        with pytest.raises(QueryError, match="SERVICE|FROM"):
            store.select(dataset, text)
    if store.oxigraph(dataset) is not None:  # the store's own query path checks too
        with pytest.raises(QueryError, match="SERVICE|FROM"):
            dataset.query(text)


def test_service_at_a_silent_port_is_refused_at_once(dataset, recorder) -> None:
    with pytest.raises(QueryError, match="SERVICE"):
        run(dataset, f"SELECT * WHERE {{ SERVICE <{recorder.silent_url('sparql')}> {{ ?s ?p ?o }} }}")


def test_the_message_names_the_host_to_allow(dataset) -> None:
    with pytest.raises(QueryError) as info:
        run(dataset, "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    assert info.value.fix == (
        "remove the SERVICE clause, or allow the host with --allow-network query.wikidata.org "
        "(allow_network='query.wikidata.org' in Python)"
    )


def test_load_is_refused_or_inert(dataset, recorder, tmp_path) -> None:
    for target in (recorder.url("data.ttl"), (tmp_path / "x.ttl").as_uri()):
        update = f"LOAD <{target}> INTO GRAPH <urn:loaded>"
        if store.oxigraph(dataset) is not None:
            with pytest.raises(QueryError, match="LOAD"):
                dataset.update(update)
        else:  # rdflib's engine: graph loading is off, so LOAD does nothing
            dataset.update(update)
        assert not store.graph_test(dataset)("urn:loaded")


def test_from_a_graph_of_the_dataset_still_works(dataset) -> None:
    assert run(dataset, f"SELECT ?o FROM <{GRAPH}> WHERE {{ ?s ?p ?o }}").rows == [(Literal("local"),)]
    named = run(dataset, f"SELECT ?g FROM NAMED <{GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [str(r[0]) for r in named.rows] == [GRAPH]
    assert run(dataset, f"ASK FROM <{GRAPH}> {{ ?s ?p 'local' }}").boolean is True


def test_an_allowed_host_is_reached(dataset, recorder) -> None:
    before = len(recorder.requests)
    text = f"SELECT ?x WHERE {{ SERVICE <{recorder.url('sparql')}> {{ ?s ?p ?x }} }}"
    assert [str(r[0]) for r in run(dataset, text, allow_network="127.0.0.1").rows] == ["remote"]
    with allow_network(["127.0.0.1"]):  # what the command line's --allow-network does
        assert len(run(dataset, text)) == 1
    assert len(recorder.requests) - before >= 2
    del recorder.requests[before:]  # expected: do not let the autouse check fail
    with pytest.raises(QueryError):
        run(dataset, text, allow_network="other.example")


@pytest.mark.parametrize("memory", [False, True], ids=["oxigraph", "memory"])
@pytest.mark.parametrize("qid,template,clause", QUERIES, ids=[q[0] for q in QUERIES])
def test_cli_query(qid, template, clause, memory, recorder, tmp_path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(DATA)
    query = tmp_path / "q.rq"
    query.write_text(_text(template, recorder, tmp_path))
    args = ["query", "--data", str(data), "--file", str(query)] + (["--memory-store"] if memory else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clustergraph: error: ")
    assert str(query) in lines[0] and clause in lines[0]
    assert "Traceback" not in result.output
