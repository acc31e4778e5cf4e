"""The hostile-input catalogue through ``serve``: on every store kind, nothing fetched, nothing crashes.

``serve`` takes no uploads: data reaches it only as ``--data`` files at start-up, so every
refused case of :data:`~hostile_catalogue.CASES` must stop ``serve --data FILE`` with one
error line (exit 2) before it binds a port. Clients send queries: every query of
:data:`~hostile_catalogue.QUERIES` (``SERVICE``, ``FROM``, escapes) and the hostile requests
of :data:`REQUESTS` go to a real server on loopback over each store kind; a refused query
gets a 4xx/5xx answer, the recorder is never contacted, and the server answers the next
query. The timings and limits themselves are tested in ``tests/publishing/test_server_survives.py``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner
from hostile_catalogue import CASES, QUERIES, STORES, Case

from clustergraph import store
from clustergraph.cli import main
from clustergraph.publishing import Limits, Server

GRAPH = "http://ex.org/g"
#: A cross product the server must stop at its timeout.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?q ?r . ?t ?u ?v }"


def _http(url: str, sparql: str | None = None, *, data: bytes | None = None, headers: dict[str, str] | None = None,
          update: bool = False) -> tuple[int, bytes]:
    key = "update" if update else "query"
    target = url + ("?" + urllib.parse.urlencode({key: sparql}) if sparql is not None and not update else "")
    if update:
        data = urllib.parse.urlencode({key: sparql}).encode()
    req = urllib.request.Request(target, data=data, headers={"Accept": "application/sparql-results+json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture(scope="module", params=STORES, ids=[s[0] for s in STORES])
def server(request, tmp_path_factory):
    _label, kind, on_disk = request.param
    ds = store.open_dataset(kind, tmp_path_factory.mktemp("serve") / "store" if on_disk else None)
    rows = "".join(f'<http://ex.org/a{i}> <http://ex.org/p> "x{i}" .\n' for i in range(40))  # 40**6 rows for SLOW
    store.load(ds, rows.encode(), format="nt", graph=GRAPH)
    # writable where it can be (Oxigraph), so that LOAD reaches the refusal, not a read-only answer
    with Server(ds, limits=Limits(timeout=2, max_query_bytes=100_000, max_body_bytes=200_000), writable=kind == "oxigraph") as running:
        yield running
    ds.close()


def _still_answers(server) -> None:
    status, body = _http(server.url, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize("qid,template,clause", QUERIES, ids=[q[0] for q in QUERIES])
def test_catalogue_queries(server, qid, template, clause, recorder, tmp_path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://ex.org/secret> <http://ex.org/p> "SECRET" .\n')
    text = template.format(url=recorder.url("sparql"), data=recorder.url("data.ttl"), file=secret.as_uri(), base=recorder.url(""))
    status, body = _http(server.url, text)
    if clause.startswith("SERVICE"):
        assert status == 400 and "SERVICE is refused" in json.loads(body)["message"], body
    else:  # FROM picks a graph the server holds (none of these): an empty answer or a refusal, never a fetch
        assert status in (200, 400), body
        assert b"SECRET" not in body and b"remote" not in body
    _still_answers(server)


@pytest.mark.parametrize(
    "update",
    ["LOAD <{data}>", "LOAD SILENT <{data}> INTO GRAPH <urn:g>", "LOAD <{file}>", "\\u004cOAD <{data}>"],
    ids=["load", "load-silent-into", "load-file", "load-escaped"],
)
def test_updates_that_load_are_refused(server, update, recorder, tmp_path) -> None:
    text = update.format(data=recorder.url("data.ttl"), file=(tmp_path / "x.ttl").as_uri())
    status, body = _http(server.url, text, update=True)
    assert 400 <= status < 500, body  # refused, or (read-only memory store) no updates at all
    assert "LOAD is refused" in json.loads(body)["message"] or status != 400 or "read-only" in json.loads(body)["message"]
    _still_answers(server)


#: Hostile requests (second round of the catalogue): (id, query, expected status, what must happen).
REQUESTS = [
    ("deep-groups", "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000, (400,), "refused, no crash (a recursive parser)"),
    ("deep-expression", "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 3000 + "true" + ")" * 3000 + ") }", (400, 503), "refused, or stopped at the timeout (rdflib's parser is slow on it): no crash"),
    ("nul-byte", "SELECT * WHERE { ?s ?p \"a\x00b\" }", (200, 400), "answered or refused, one line"),
    ("huge-query", "SELECT * WHERE { ?s ?p ?o } #" + "x" * 150_000, (413,), "refused by size before parsing"),
    ("slow-cross-product", SLOW, (503,), "stopped at the timeout; the server answers the next query"),
    ("service-in-subquery", "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } } }", (400,), "refused"),
    ("values-flood", "SELECT * WHERE { VALUES ?x { " + " ".join(f"<http://ex.org/v{i}>" for i in range(1000)) + " } ?x ?p ?o }", (200, 503), "answered, or stopped at the timeout on a busy machine"),
]


@pytest.mark.parametrize("rid,query,statuses,what", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_hostile_requests(server, rid, query, statuses, what) -> None:
    status, body = _http(server.url, query) if len(query) < 8000 else _http(
        server.url, data=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert status in statuses, (what, status, body[:300])
    if status >= 400:
        text = json.loads(body)["message"]
        assert "\n" not in text and "Traceback" not in text
    _still_answers(server)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost:1@evil.example"])
def test_bad_host_names_are_refused(server, host) -> None:
    status, body = _http(server.url, "ASK {}", headers={"Host": host})
    assert status == 400 and "does not answer to the host name" in json.loads(body)["message"]


@pytest.mark.parametrize("case", [c for c in CASES if c.refused], ids=[c.id for c in CASES if c.refused])
def test_serve_refuses_hostile_data_at_start(case: Case, hostile_files) -> None:
    """Each refused file stops ``serve --data FILE`` (Oxigraph store) with exit 2 and one error line, before it binds."""
    path = hostile_files[case.id]
    message, _ = case.expected("oxigraph")
    result = CliRunner().invoke(main, ["serve", "--data", str(path), "--port", "0"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("clustergraph: error: ")]
    assert len(errors) == 1 and str(path) in errors[0] and message in errors[0], result.stderr
    assert "SPARQL endpoint at" not in result.output
