"""A column reconciled at once, from Python and from the command line; the service mounted in `clustergraph serve`."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pandas as pd
import pytest
from click.testing import CliRunner

from clustergraph.cli import main
from clustergraph.errors import InputError
from clustergraph.namespaces import ID
from clustergraph.reconciliation import reconcile_table

ROWS = "name,country\nCAP DIGITAL SAS,FR\nNordic Sound Cluster,\nNordic Sound Cluster,Sweden\nSilicon Saxony,DE\n,\nComisión Europea,\n"


def test_reconcile_table_returns_a_frame(tmp_path, index):
    path = tmp_path / "partners.csv"
    path.write_text(ROWS, encoding="utf-8")
    done = reconcile_table(path, index, column="name", country_column="country")
    f = done.frame
    assert list(f.columns) == ["name", "country", "match_iri", "match_name", "match_score", "candidates"]
    assert f["match_iri"].tolist()[:4] == [str(ID["organisation/cap-digital"]), "", str(ID["organisation/nordic-sound-se"]), ""]
    assert f["match_name"].tolist()[4] == "European Commission"  # the blank row 6 is left out
    assert "nordic-sound-dk" in f["candidates"].tolist()[1] and "nordic-sound-se" in f["candidates"].tolist()[1]
    assert done.counts == {"rows": 5, "matched": 3, "to review": 1, "no candidate": 1}
    review = done.review
    assert set(review["row"]) == {3} and review["rank"].tolist()[:2] == [1, 2] and (review["decision"] == "").all()


def test_type_constraint_and_missing_column(index):
    frame = pd.DataFrame({"name": ["ESCA", "Cap Digital"]})
    done = reconcile_table(frame, index, column="name", type="cg:PublicBody")
    assert done.frame["match_iri"].tolist() == ["", ""]
    with pytest.raises(InputError, match="no column 'organisation'"):
        reconcile_table(frame, index, column="organisation")


def test_cli_writes_table_and_review(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text("partner,land\nCap Digital S.A.S.,Francia\nEuropean Cluster,\n=HYPERLINK(1),\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["reconcile", str(path), "--column", "partner", "--country-column", "land", "--type", "cg:Organisation"])
    assert result.exit_code == 0, result.output
    assert "3 rows: 1 matched, 1 to review, 1 without a candidate" in result.output
    out = pd.read_csv(tmp_path / "partners-reconciled.csv", keep_default_na=False)
    assert out["match_name"].tolist()[0] == "Cap Digital" and out["partner"].tolist()[2].startswith("'=")
    review = pd.read_csv(tmp_path / "partners-review.csv", keep_default_na=False)
    assert review["value"].tolist()[0] == "European Cluster" and "European Cluster Alliance" in review["candidate_name"].tolist()


def test_cli_errors_are_one_line(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text("partner\nCap Digital\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["reconcile", str(path), "--column", "name"])
    assert result.exit_code == 2 and "no column 'name'" in result.output and "fix:" in result.output
    result = CliRunner().invoke(main, ["reconcile", str(tmp_path / "nothing.csv"), "--column", "name"])
    assert result.exit_code == 2 and "file not found" in result.output


def test_mounted_in_the_sparql_endpoint(graph, schemas):
    """What `clustergraph serve` runs: the endpoint with the service under /reconcile, reached over loopback."""
    from functools import partial

    from clustergraph.publishing.server import Server
    from clustergraph.reconciliation import mount

    with Server(graph, port=0, wrap=partial(mount, source=graph)) as server:
        base = server.url.rstrip("/") + "/reconcile"
        with urllib.request.urlopen(base, timeout=10) as response:  # no trailing slash, as typed in OpenRefine
            manifest = json.loads(response.read())
        schemas("manifest", manifest)
        assert manifest["suggest"]["entity"]["service_url"] == base
        body = urllib.parse.urlencode({"queries": json.dumps({"q0": {"query": "zinnae sl"}})}).encode()
        with urllib.request.urlopen(urllib.request.Request(base, data=body, method="POST"), timeout=10) as response:
            answer = json.loads(response.read())
        schemas("reconciliation-result-batch", answer)
        assert answer["q0"]["result"][0]["match"]
        with urllib.request.urlopen(base + "/suggest/entity?prefix=dan", timeout=10) as response:
            assert json.loads(response.read())["result"][0]["name"] == "Danish Sound"
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        request = urllib.request.Request(server.url + "?" + query, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as response:  # the SPARQL endpoint still answers
            assert int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"]) > 0
