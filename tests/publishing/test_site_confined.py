"""`publish` is confined: hostile resource IRIs never make it write outside --out.

Each hostile IRI tries to reach a "victim" folder beside the output folder (and, by
climbing to the file system root and down again, the same folder by its absolute path).
The victim holds files with the names publish writes; after publishing they must be
byte-identical, nothing new may appear outside the output folder, and every hostile IRI
the site cannot hold must be reported, through the Python API and the command line.
"""

from __future__ import annotations

import html
import itertools
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from clustergraph.cli import main
from clustergraph.errors import ClusterGraphError
from clustergraph.namespaces import ID
from clustergraph.publishing.site import MAX_SEGMENT_BYTES, publish, resource_path

NS = str(ID)
VICTIM_FILES = {"index.html": b"<p>mine</p>", "index.ttl": b"# mine\n", "index.jsonld": b"{}", "x": b"keep me"}


def climbs(tmp: Path) -> list[str]:
    """Relative climbs towards ``tmp/victim`` at every depth, and by its absolute path."""
    out = [("../" * n) + "victim" for n in range(1, 9)]
    out += [("../" * 40) + str(tmp / "victim").lstrip("/")]
    out += ["project/" + ("../" * n) + "victim" for n in range(1, 9)]
    return out


def hostile_tails(tmp: Path) -> list[str]:
    """IRI tails (after the namespace) that must never become a path outside the site."""
    tails = list(climbs(tmp))
    # percent-encoded dots and slashes, in every case and mixture
    for dots, slash in itertools.product(["%2e%2e", "%2E%2E", ".%2e", "%2e.", ".."], ["/", "%2f", "%2F", "%5c", "%5C", "\\"]):
        tails.append((dots + slash) * 6 + "victim")
        tails.append("project/" + (dots + slash) * 6 + str(tmp / "victim").lstrip("/"))
    tails += [
        "..", ".", "project/..", "project/.", "./x", "x/./y", "x/../../..",
        "", "/", "//x", "x//y", "x/", "/etc/passwd", "project/x/",
        "x%00y", "x\x00y", "x\ny", "x%0ay", "x%0d%0ay", "x%7fy", "x%e2%80%aey", "x%e2%80%8by", "x\u202ey",
        "a" * (MAX_SEGMENT_BYTES + 1), "project/" + "é" * (MAX_SEGMENT_BYTES // 2 + 1), "/".join(["a"] * 40),
        ".htaccess", "%2ehtaccess", "x/.git/config", ".well-known/x",
        "project/index.html", "index.ttl", "x/index.jsonld",
        "x?y=../../victim", "x#/../../victim", "x?", "x#",
        "%ff%fe", "%c0%ae%c0%ae/victim", "100%", "%zz", "%",
        "x\\..\\..\\victim", "..;/victim",
    ]
    return tails


def storable(iri: str) -> bool:
    try:
        pyoxigraph.NamedNode(iri)
    except ValueError:
        return False
    return True


def snapshot(root: Path, skip: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` except ``skip``, with file contents (None for folders)."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here == skip or skip in here.parents:
            dirnames[:] = []
            continue
        for name in dirnames:
            if here / name != skip:
                out[str(here / name)] = None
        for name in filenames:
            out[str(here / name)] = (here / name).read_bytes()
    return out


@pytest.fixture
def arena(tmp_path: Path) -> tuple[Path, Path]:
    """``(tmp, out)``: a victim folder with files, and an output folder beside it."""
    victim = tmp_path / "victim"
    victim.mkdir()
    for name, data in VICTIM_FILES.items():
        (victim / name).write_bytes(data)
    (tmp_path / "project").mkdir()  # a folder a climb from id/ could reach
    out = tmp_path / "out" / "site"
    return tmp_path, out


def assert_inside(out: Path) -> None:
    real = os.path.realpath(out)
    for dirpath, dirnames, filenames in os.walk(out):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            assert not path.is_symlink(), path
            assert os.path.commonpath([os.path.realpath(path), real]) == real, path


def test_hostile_iris_write_nothing_outside_the_site(arena: tuple[Path, Path]) -> None:
    tmp, out = arena
    tails = hostile_tails(tmp)
    assert len(tails) > 100
    g = Graph()
    g.add((ID["project/ok"], RDFS.label, Literal("Fine")))
    for tail in tails:
        if storable(NS + tail):  # the dumps hold only IRIs Oxigraph accepts; the rest come as resources=
            g.add((URIRef(NS + tail), RDFS.label, Literal("evil")))
            g.add((ID["project/ok"], RDFS.seeAlso, URIRef(NS + tail)))
    before = snapshot(tmp, skip=tmp / "out")
    result = publish(g, out, resources=[URIRef(NS + t) for t in tails] + [ID["project/ok"]])
    assert snapshot(tmp, skip=tmp / "out") == before
    assert_inside(out)
    assert result.pages >= 1 and (out / "id" / "project" / "ok" / "index.html").is_file()
    skipped = {p.value for p in result.skipped}
    for tail in tails:
        iri = NS + tail
        try:
            rel = resource_path(iri)
        except ClusterGraphError:
            assert iri in skipped, f"{iri!r} was not reported"
            continue
        # the few hostile-looking IRIs that are plain names once decoded stay inside the site
        assert (out / "id" / rel / "index.html").is_file(), iri
    # the page of project/ok links its neighbours, but a relative link never leads out of the site
    page = out / "id" / "project" / "ok" / "index.html"
    hrefs = re.findall(r'href="([^"]*)"', page.read_text())
    relative = [html.unescape(h) for h in hrefs if not h.startswith(("https://", "http://"))]
    assert relative and all(not h.startswith(("http:", "file:", "javascript:")) for h in relative)
    for h in relative:
        target = os.path.realpath(page.parent / unquote(h))
        assert os.path.commonpath([target, os.path.realpath(out)]) == os.path.realpath(out), h


def test_every_reported_resource_says_why_and_how_to_fix(arena: tuple[Path, Path]) -> None:
    tmp, out = arena
    g = Graph()
    for tail in ("../../../victim", "%2e%2e/%2e%2e/victim", "x%2fy", "x%00y", "a" * 300, ".htaccess"):
        g.add((URIRef(NS + tail), RDFS.label, Literal("evil")))
    result = publish(g, out)
    assert result.pages == 0 and len(result.skipped) == 6
    for problem in result.skipped:
        assert problem.message.startswith("resource page not written: ")
        assert problem.fix and problem.value.startswith(NS)
        assert "\x00" not in str(problem)  # the IRI is shown escaped


def test_only_the_dataset_namespace_gets_pages(arena: tuple[Path, Path]) -> None:
    tmp, out = arena
    g = Graph()
    g.add((ID["project/ok"], RDFS.label, Literal("Fine")))
    others = [
        "https://example.org/../../victim", "file:///etc/passwd", f"file://{tmp / 'victim'}",
        "https://w3id.org/clustergraph/idx/../victim", "https://w3id.org/clustergraph/id", "urn:x:../../victim",
        "javascript:alert(1)", "https://w3id.org/clustergraph/ontology#Project",
    ]
    before = snapshot(tmp, skip=tmp / "out")
    result = publish(g, out, resources=[URIRef(o) for o in others] + [ID["project/ok"]])
    assert snapshot(tmp, skip=tmp / "out") == before
    assert result.pages == 1
    assert {p.value for p in result.skipped} == set(others)


def test_two_iris_for_one_folder_are_not_merged(arena: tuple[Path, Path]) -> None:
    _tmp, out = arena
    g = Graph()
    g.add((URIRef(NS + "project/aA"), RDFS.label, Literal("first")))
    g.add((URIRef(NS + "project/a%41"), RDFS.label, Literal("second")))
    result = publish(g, out)
    assert result.pages == 1 and len(result.skipped) == 1
    assert "would share the folder id/project/aA" in result.skipped[0].message


def test_percent_encoded_names_become_the_folders_a_server_looks_for(arena: tuple[Path, Path]) -> None:
    _tmp, out = arena
    g = Graph()
    iri = URIRef(NS + "organisation/%E6%9D%B1%E4%BA%AC")
    g.add((iri, RDFS.label, Literal("Tokyo")))
    g.add((ID["project/p"], RDFS.seeAlso, iri))
    result = publish(g, out)
    assert result.skipped == []
    assert (out / "id" / "organisation" / "東京" / "index.html").is_file()
    # the link keeps the IRI's encoding; decoded, as a browser or server does, it finds the folder
    page = (out / "id" / "project" / "p" / "index.html").read_text()
    assert 'href="../../../id/organisation/%E6%9D%B1%E4%BA%AC/"' in page


def test_links_to_non_web_iris_are_text_not_hrefs(arena: tuple[Path, Path]) -> None:
    _tmp, out = arena
    g = Graph()
    g.add((ID["project/p"], RDFS.seeAlso, URIRef("javascript:alert(1)")))
    g.add((ID["project/p"], RDFS.seeAlso, URIRef("file:///etc/passwd")))
    g.add((ID["project/p"], RDFS.seeAlso, URIRef("https://example.org/x")))
    publish(g, out)
    page = (out / "id" / "project" / "p" / "index.html").read_text()
    assert 'href="javascript' not in page and 'href="file:' not in page
    assert 'href="https://example.org/x"' in page


HOSTILE_TURTLE = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/clustergraph/id/project/ok> rdfs:label "Fine" .
<https://w3id.org/clustergraph/id/../../../victim> rdfs:label "dots" .
<https://w3id.org/clustergraph/id/%2e%2e/%2e%2e/%2e%2e/victim> rdfs:label "encoded dots" .
<https://w3id.org/clustergraph/id/..%2f..%2f..%2fvictim> rdfs:label "encoded slashes" .
<https://w3id.org/clustergraph/id/..%5c..%5c..%5cvictim> rdfs:label "encoded backslashes" .
<https://w3id.org/clustergraph/id/x%00y> rdfs:label "nul" .
<https://w3id.org/clustergraph/id/.htaccess> rdfs:label "hidden" .
<https://w3id.org/clustergraph/id/project/index.html> rdfs:label "page name" .
<https://w3id.org/clustergraph/id/x/> rdfs:label "trailing slash" .
<https://w3id.org/clustergraph/id/LONG> rdfs:label "long" .
"""


def test_cli_publish_warns_and_stays_inside(arena: tuple[Path, Path]) -> None:
    tmp, out = arena
    source = tmp / "hostile.ttl"
    source.write_text(HOSTILE_TURTLE.replace("LONG", "a" * 400), encoding="utf-8")
    before = snapshot(tmp, skip=tmp / "out")
    res = CliRunner().invoke(main, ["publish", "--data", str(source), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert snapshot(tmp, skip=tmp / "out") == before
    assert_inside(out)
    assert res.stdout.startswith("wrote 1 resource pages, dumps and void.ttl to ")
    warnings = [line for line in res.stderr.splitlines() if line]
    assert len(warnings) == 9, res.stderr
    assert all(line.startswith("clustergraph: warning: resource page not written: ") for line in warnings)
    assert any("'https://w3id.org/clustergraph/id/../../../victim'" in line for line in warnings)


def test_cli_publish_from_a_csv_template(arena: tuple[Path, Path]) -> None:
    """A ``{+name}`` URI template passes '../' through: the row is published as data, never as a path."""
    tmp, out = arena
    (tmp / "things.csv").write_text(
        "name,label\nproject/ok,Fine\n../../../victim,Evil\n" + "/".join([".."] * 30) + str(tmp / "victim") + ",Deep\n",
        encoding="utf-8",
    )
    (tmp / "things.csv-metadata.json").write_text(
        '{"@context": "http://www.w3.org/ns/csvw", "url": "things.csv", "tableSchema": {"aboutUrl": "cgid:{+name}",'
        ' "columns": [{"name": "name", "titles": "name", "suppressOutput": true},'
        ' {"name": "label", "titles": "label", "propertyUrl": "rdfs:label"}]}}',
        encoding="utf-8",
    )
    before = snapshot(tmp, skip=tmp / "out")
    res = CliRunner().invoke(main, ["publish", "--data", str(tmp / "things.csv"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert snapshot(tmp, skip=tmp / "out") == before
    assert_inside(out)
    assert "wrote 1 resource pages" in res.stdout
    assert res.stderr.count("clustergraph: warning: resource page not written: segment '..'") == 2
    assert "Evil" in (out / "dataset" / "clustergraph.nt").read_text()  # the data is kept, only the page is not


def test_cli_publish_counts_the_warnings_it_does_not_list(arena: tuple[Path, Path]) -> None:
    tmp, out = arena
    source = tmp / "many.nt"
    source.write_text("".join(f"<{NS}{'../' * (1 + i % 5)}v{i}> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n" for i in range(80)))
    res = CliRunner().invoke(main, ["publish", "--data", str(source), "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = res.stderr.splitlines()
    assert len(lines) == 51 and lines[-1] == "clustergraph: warning: ... and 30 more resources skipped"
    assert not any((tmp / f"v{i}").exists() for i in range(80))


def test_links_planted_in_an_existing_site_are_replaced_not_followed(arena: tuple[Path, Path]) -> None:
    """Publishing again into a site where someone put symbolic links to elsewhere."""
    tmp, out = arena
    g = Graph()
    g.add((ID["project/ok"], RDFS.label, Literal("Fine")))
    publish(g, out)
    for name in ("id", "index.html", "void.ttl", "dataset"):
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    (out / "id").symlink_to(tmp / "victim")
    (out / "index.html").symlink_to(tmp / "victim" / "index.html")
    (out / "void.ttl").symlink_to(tmp / "victim" / "x")
    (out / "dataset").symlink_to(tmp / "victim")
    before = snapshot(tmp, skip=tmp / "out")
    result = publish(g, out)
    assert snapshot(tmp, skip=tmp / "out") == before
    assert result.pages == 1
    assert_inside(out)
    assert not (out / "id").is_symlink() and (out / "id" / "project" / "ok" / "index.html").is_file()
