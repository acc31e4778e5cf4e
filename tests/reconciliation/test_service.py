"""The reconciliation service over HTTP on loopback, as OpenRefine calls it; every answer checked
against the W3C Reconciliation API 0.2 JSON Schemas."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from clustergraph.namespaces import CG, ID

ORG = str(CG.ClusterOrganisation)


def get(server, path: str, **params) -> tuple[int, str, bytes]:
    url = server.url.rstrip("/") + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read()


def post_form(server, path: str = "/", **fields) -> tuple[int, dict]:
    """What OpenRefine sends: ``queries=<JSON>`` form-encoded in a POST body."""
    body = urllib.parse.urlencode({k: json.dumps(v) for k, v in fields.items()}).encode()
    request = urllib.request.Request(server.url.rstrip("/") + path, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_manifest(server, schemas):
    status, kind, body = get(server, "/")
    assert status == 200 and kind.startswith("application/json")
    manifest = json.loads(body)
    schemas("manifest", manifest)
    assert manifest["versions"] == ["0.2"] and manifest["identifierSpace"] == str(ID)
    assert manifest["preview"]["url"].startswith(server.url.rstrip("/") + "/preview")
    assert {t["id"] for t in manifest["defaultTypes"]} >= {ORG}


def test_reconcile_by_get_and_by_openrefine_post(server, schemas):
    queries = {
        "q0": {"query": "CAP DIGITAL SAS", "type": ORG, "limit": 3},
        "q1": {"query": "Clúster Audiovisual TIC de Madrid", "type": "cg:ClusterOrganisation", "properties": [{"pid": "country", "v": "ES"}]},
        "q2": {"query": "Madrid Aerospace Cluster"},
    }
    schemas("reconciliation-query-batch", queries)
    status, _, body = get(server, "/", queries=json.dumps(queries))
    assert status == 200
    by_get = json.loads(body)
    status, by_post = post_form(server, queries=queries)
    assert status == 200 and by_post == by_get
    schemas("reconciliation-result-batch", by_post)
    top = {k: v["result"][0] for k, v in by_post.items()}
    assert (top["q0"]["id"], top["q0"]["match"], top["q0"]["score"]) == (str(ID["organisation/cap-digital"]), True, 100.0)
    assert top["q1"]["id"] == str(ID["organisation/madrid-ict-audiovisual-cluster"]) and top["q1"]["match"]
    assert {"id": "country", "value": True} in top["q1"]["features"]
    assert not any(c["match"] for c in by_post["q2"]["result"])
    assert len(by_post["q0"]["result"]) <= 3


def test_json_body_is_accepted(server, schemas):
    request = urllib.request.Request(server.url, data=json.dumps({"queries": {"q0": {"query": "ZINNAE"}}}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    schemas("reconciliation-result-batch", answer)
    assert answer["q0"]["result"][0]["match"]


def test_namesakes_are_a_match_only_with_their_country(server):
    _, answer = post_form(server, queries={
        "plain": {"query": "Nordic Sound Cluster"},
        "se": {"query": "Nordic Sound Cluster", "properties": [{"pid": "country", "v": "Sweden"}]},
        "dk": {"query": "nordic sound cluster", "properties": [{"pid": str(CG.country), "v": {"id": "http://publications.europa.eu/resource/authority/country/DNK"}}]},
    })
    assert [c["match"] for c in answer["plain"]["result"][:2]] == [False, False]
    assert answer["se"]["result"][0]["id"].endswith("nordic-sound-se") and answer["se"]["result"][0]["match"]
    assert answer["dk"]["result"][0]["id"].endswith("nordic-sound-dk") and answer["dk"]["result"][0]["match"]


def test_identifiers_decide(server, schemas):
    _, answer = post_form(server, queries={
        "pic": {"query": "Some name nobody wrote", "properties": [{"pid": "pic", "v": "999 999 999"}]},
        "ror": {"properties": [{"pid": "ror", "v": "https://ror.org/05dxps055"}]},
        "wrongpic": {"query": "Alpha Innovation Hub", "properties": [{"pid": "pic", "v": "123456789"}]},
        "nordic": {"query": "Nordic Sound Cluster", "properties": [{"pid": "pic", "v": "222222222"}]},
    })
    schemas("reconciliation-result-batch", answer)
    alpha = str(ID["organisation/alpha-hub"])
    assert answer["pic"]["result"][0]["id"] == alpha and answer["pic"]["result"][0]["match"] and answer["pic"]["result"][0]["score"] == 100
    assert answer["ror"]["result"][0]["id"] == alpha and answer["ror"]["result"][0]["match"]
    wrong = answer["wrongpic"]["result"][0]
    assert wrong["id"] == alpha and not wrong["match"] and wrong["score"] < 50  # the name matches, the PIC does not
    assert answer["nordic"]["result"][0]["id"].endswith("nordic-sound-se") and answer["nordic"]["result"][0]["match"]


def test_suggest(server, schemas):
    _, _, body = get(server, "/suggest/entity", prefix="maz")
    entities = json.loads(body)
    schemas("suggest-entities-response", entities)
    assert entities["result"][0]["name"] == "Mazovia ICT Cluster"
    _, _, body = get(server, "/suggest/type", prefix="public")
    types = json.loads(body)
    schemas("suggest-types-response", types)
    assert [t["id"] for t in types["result"]] == [str(CG.PublicBody)]
    _, _, body = get(server, "/suggest/property", prefix="")
    props = json.loads(body)
    schemas("suggest-properties-response", props)
    assert {"country", "city", "sector", "pic", "vat", "ror", "wikidata", "eccp", "domain", "projects", "labels"} <= {p["id"] for p in props["result"]}


def test_preview(server):
    status, kind, body = get(server, "/preview", id=str(ID["organisation/alpha-hub"]))
    text = body.decode()
    assert status == 200 and kind.startswith("text/html")
    assert "Alpha Innovation Hub" in text and "999999999" in text and "Germany" in text
    assert get(server, "/preview", id="https://example.org/nobody")[0] == 404


def test_data_extension(server, schemas):
    _, _, body = get(server, "/extend/propose", type=ORG)
    proposal = json.loads(body)
    schemas("data-extension-property-proposal", proposal)
    assert {"country", "sector", "projects", "labels", "pic"} <= {p["id"] for p in proposal["properties"]}
    query = {
        "ids": [str(ID["organisation/cap-digital"]), str(ID["organisation/alpha-hub"]), "https://example.org/nobody"],
        "properties": [{"id": p} for p in ("country", "sector", "projects", "labels", "pic", "vat", "website")],
    }
    schemas("data-extension-query", query)
    status, answer = post_form(server, extend=query)
    assert status == 200
    schemas("data-extension-response", answer)
    cap = answer["rows"][str(ID["organisation/cap-digital"])]
    assert cap["country"] == [{"id": "http://publications.europa.eu/resource/authority/country/FRA", "name": "France"}]
    assert cap["labels"][0] == {"str": "Cap Digital"} and cap["projects"] and cap["sector"]
    alpha = answer["rows"][str(ID["organisation/alpha-hub"])]
    assert alpha["pic"] == [{"str": "999999999"}] and alpha["vat"] == [{"str": "DE123456789"}]
    assert all(v == [] for v in answer["rows"]["https://example.org/nobody"].values())


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"queries": "{not json"}, "not JSON"),
        ({"queries": json.dumps({"q0": {"query": "x", "type": "cg:Person"}})}, "unknown type"),
        ({"queries": json.dumps({"q0": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}})}, "unknown property"),
        ({"queries": json.dumps({"q0": {}})}, "neither"),
        ({"extend": json.dumps({"ids": "x"})}, "needs 'ids'"),
    ],
)
def test_bad_requests_are_400_with_a_fix(server, fields, needle):
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(server.url, data=body, method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    answer = json.loads(info.value.read())
    assert info.value.code == 400 and needle in answer["error"] and answer["fix"]


def test_a_foreign_host_name_is_refused(server):
    request = urllib.request.Request(server.url, headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 400


def test_an_oversized_body_is_413_before_it_is_read(server):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", "/")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(64 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413 and "fewer queries" in json.loads(response.read())["fix"]
    connection.close()


def test_the_specification_examples_are_valid_for_the_schemas_used(schemas):
    """The schema check itself can fail: the specification's invalid examples are refused."""
    from pathlib import Path

    spec = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "reconciliation-api-0.2"
    bad = json.loads((spec / "examples" / "data-extension-response" / "invalid" / "wrong-properties.json").read_text())
    with pytest.raises(AssertionError):
        schemas("data-extension-response", bad)
    good = json.loads((spec / "examples" / "reconciliation-result-batch" / "valid" / "example-full.json").read_text())
    schemas("reconciliation-result-batch", good)
