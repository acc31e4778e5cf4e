"""The on-disk store: which folders may hold one, and real write failures becoming WriteError.

Failures are real system calls, never mocks: a file-size limit (``RLIMIT_FSIZE``, EFBIG) set
in a subprocess after the store is opened, and a file where a folder should be (ENOTDIR).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from clustergraph import store
from clustergraph.errors import StoreError, WriteError

ROOT = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(os.name != "posix", reason="rlimits")


def _made_store(folder: Path) -> Path:
    ds = store.open_dataset("oxigraph", folder)
    store.load(ds, b'<http://ex.org/a> <http://ex.org/p> "kept" .', format="nt", graph="http://ex.org/g")
    ds.close()
    return folder


# --- store_folder ---------------------------------------------------------------------


def test_a_new_or_empty_folder_is_taken_only_to_create(tmp_path: Path) -> None:
    new, empty = tmp_path / "a" / "new", tmp_path / "empty"
    empty.mkdir()
    assert store.store_folder(new, create=True) == new
    assert store.store_folder(empty, create=True) == empty
    assert not new.exists(), "checking makes nothing"
    with pytest.raises(StoreError, match="no store at .*new: the folder does not exist") as info:
        store.store_folder(new, create=False)
    assert "build --store" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(StoreError, match="no store at .*empty: the folder is empty"):
        store.store_folder(empty, create=False)


def test_a_store_folder_is_taken_either_way(tmp_path: Path) -> None:
    folder = _made_store(tmp_path / "st")
    assert store.store_folder(folder, create=False) == folder
    assert store.store_folder(str(folder), create=True) == folder


def test_a_folder_of_other_files_or_a_file_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (mine / name).write_text("mine")
    for create in (True, False):
        with pytest.raises(StoreError) as info:
            store.store_folder(mine, create=create)
        text = str(info.value)
        assert f"the folder {mine} is not empty (a.txt, b.txt, c.txt and 1 more) and holds no store" in text
        assert "fix: give a new or empty folder, or a store folder" in text and "\n" not in text
    with pytest.raises(StoreError, match="is a file, not a store folder"):
        store.store_folder(mine / "a.txt", create=True)
    assert sorted(p.name for p in mine.iterdir()) == ["a.txt", "b.txt", "c.txt", "d.txt"]


# --- opening --------------------------------------------------------------------------


def test_open_dataset_makes_the_parent_folders(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "er" / "store"
    ds = store.open_dataset("oxigraph", folder)
    ds.close()
    assert store.store_folder(folder, create=False) == folder


def test_open_dataset_under_a_file_is_a_write_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a folder")
    with pytest.raises(WriteError) as info:
        store.open_dataset("oxigraph", tmp_path / "plain" / "store")
    assert info.value.errno == errno.EEXIST  # making the parent folder: a file has its name
    assert info.value.path == str(tmp_path / "plain" / "store")
    assert str(info.value).startswith(f"cannot write {tmp_path / 'plain' / 'store'}: file exists; fix: something already has that name")
    assert (tmp_path / "plain").read_text() == "not a folder"


# --- write failures while loading -----------------------------------------------------

_EFBIG = """
import resource, signal, sys
from rdflib import Literal, URIRef
from clustergraph import store
from clustergraph.errors import WriteError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death by signal
folder, action, graph = sys.argv[1:4]
ds = store.open_dataset("oxigraph", folder)
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
rows = [(URIRef(f"http://ex.org/s{i}"), URIRef("http://ex.org/p"), Literal("x" * 200)) for i in range(30_000)]
try:
    if action == "load":
        data = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\\n" for s, p, o in rows)
        store.load(ds, data.encode(), format="nt", graph=graph)
    else:
        store.replace_graph(ds, graph, rows)
except WriteError as exc:
    print(exc.errno, exc.path)
    print(exc)
    sys.exit(exc.exit_code)
print("written")
"""


@posix_only
@pytest.mark.parametrize("action", ["load", "replace_graph"])
@pytest.mark.parametrize("graph", ["http://ex.org/g", "http://ex.org/new"], ids=["replacing", "new"])
def test_a_file_size_limit_is_a_write_error_and_changes_nothing(tmp_path: Path, action: str, graph: str) -> None:
    folder = _made_store(tmp_path / "st")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_EFBIG), str(folder), action, graph],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 2, (done.stdout, done.stderr[-3000:])
    code, path = done.stdout.splitlines()[0].split(" ", 1)
    assert int(code) == errno.EFBIG and path == str(folder)
    assert f"cannot write {folder}: file too large" in done.stdout and "ulimit -f" in done.stdout
    ds = store.open_dataset("oxigraph", folder)
    try:
        quads = set(store.quads(ds))
    finally:
        ds.close()
    assert quads == {(URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal("kept"), URIRef("http://ex.org/g"))}


# --- a failed import leaves no store it made ----------------------------------------------------


def _import(args: list[str]):
    from click.testing import CliRunner

    from clustergraph.cli import main

    return CliRunner().invoke(main, ["import", *args])


def test_a_failed_import_removes_the_store_folder_it_made(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://ex.org/a> <http://ex.org/p> .\n")
    new, empty = tmp_path / "made" / "store", tmp_path / "empty"
    empty.mkdir()
    for target in (new, empty):
        result = _import([str(bad), "--store", str(target)])
        assert result.exit_code == 2, result.output
    assert not (tmp_path / "made").exists()  # with the parent made for it
    assert empty.is_dir() and not any(empty.iterdir())


def test_a_failed_import_leaves_an_existing_store_as_it_was(tmp_path: Path) -> None:
    folder = _made_store(tmp_path / "store")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://ex.org/a> <http://ex.org/p> .\n")
    assert _import([str(bad), "--store", str(folder)]).exit_code == 2
    ds = store.open_dataset("oxigraph", folder)
    try:
        assert [str(o) for o in ds.objects()] == ["kept"] and len(ds) == 1
    finally:
        ds.close()


def test_a_good_import_keeps_the_store_it_made(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text("<http://ex.org/a> <http://ex.org/p> 1 .\n")
    assert _import([str(good), "--store", str(tmp_path / "new")]).exit_code == 0
    assert store.store_folder(tmp_path / "new", create=False)
