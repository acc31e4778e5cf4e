"""Publishing is repeatable and atomic: the same data gives the same bytes; a new site
replaces the old one whole; a failed publish leaves the old site as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from sitebuild import ENDPOINT, embedded, published

from clustergraph.cli import main
from clustergraph.errors import ClusterGraphError
from clustergraph.namespaces import ID
from clustergraph.publishing.serialisation import serialise
from clustergraph.publishing.site import publish


def snapshot(root: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            out[os.path.relpath(os.path.join(dirpath, name), root)] = None
        for name in filenames:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, root)] = Path(path).read_bytes()
    return out


def small() -> Graph:
    g = Graph()
    g.add((ID["project/ok"], RDFS.label, Literal("Fine", lang="en")))
    return g


def test_the_same_data_gives_a_byte_identical_site(tmp_path: Path) -> None:
    first = snapshot(published())
    publish(embedded(), tmp_path / "again", endpoint=ENDPOINT)
    second = snapshot(tmp_path / "again")
    assert sorted(first) == sorted(second)
    differ = sorted(k for k in first if first[k] != second[k])
    assert differ == []
    assert sum(1 for k in first if k.endswith(".jsonld")) > 200


def test_blank_nodes_get_the_same_labels_every_time() -> None:
    def build() -> Graph:
        g = Graph()
        r = BNode()
        g.add((ID["thing/a"], RDFS.subClassOf, r))
        g.add((r, RDF.type, OWL.Restriction))
        g.add((r, OWL.onProperty, URIRef("https://example.org/p")))
        return g

    for fmt in ("ttl", "jsonld", "rdf", "nt"):
        assert serialise(build(), fmt) == serialise(build(), fmt)


def test_publishing_into_an_existing_site_replaces_it_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    publish(small(), out)
    (out / "left-over.html").write_text("<p>from an earlier site</p>")
    (out / "id" / "project" / "gone").mkdir()
    (out / "id" / "project" / "gone" / "index.html").write_text("old page")
    before = snapshot(out)
    source = tmp_path / "data.ttl"
    small().serialize(source, format="turtle")
    # a second publish into the same folder, from the command line: no traceback, no mixed site
    res = CliRunner().invoke(main, ["publish", "--data", str(source), "--out", str(out)])
    assert res.exit_code == 0, res.output
    source.unlink()
    after = snapshot(out)
    assert "left-over.html" not in after and "id/project/gone" not in after
    assert "id/project/ok/index.html" in after and before["id/project/ok/index.html"] is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporaries left beside it


def test_a_failed_publish_leaves_the_previous_site_intact(tmp_path: Path) -> None:
    out = tmp_path / "site"
    publish(small(), out)
    before = snapshot(out)
    bad = small()
    bad.add((ID["project/ok"], RDFS.seeAlso, URIRef("https://example.org/a b")))  # no writer can hold this IRI
    with pytest.raises(ClusterGraphError):
        publish(bad, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_site_whose_parent_is_read_only_is_still_replaced_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the site folder is writable (a mount point): the new site is built inside it and swapped in."""
    import tempfile

    from clustergraph.publishing import site as site_module

    out = tmp_path / "site"
    publish(small(), out)
    (out / "left-over.html").write_text("old")
    real = tempfile.mkdtemp

    def refuse_beside(*args, **kwargs):  # the parent refuses new entries, as a read-only parent does for a user
        if Path(kwargs.get("dir", "")) == tmp_path:
            raise PermissionError(13, "Permission denied", str(tmp_path))
        return real(*args, **kwargs)

    monkeypatch.setattr(site_module.tempfile, "mkdtemp", refuse_beside)
    publish(small(), out)
    names = sorted(p.name for p in out.iterdir())
    assert "left-over.html" not in names and "index.html" in names and (out / "id" / "project" / "ok" / "index.html").is_file()
    assert not any(n.startswith(".") and n != ".htaccess" for n in names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
