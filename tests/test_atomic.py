"""Atomic writes: nothing lost (the previous version survives any failure), nothing left
(no temporary survives, a killed writer's are removed by the next one), one error (a
file-system error is a WriteError naming the final path and the fix).

The failures are real system calls, never mocks: ``/dev/full`` (ENOSPC on every write),
a file-size limit (``RLIMIT_FSIZE``, EFBIG) in a subprocess, a file where a folder
should be (ENOTDIR), a writer killed with SIGKILL.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from clustergraph.atomic import (
    TEMP_MARKER,
    atomic_dir,
    atomic_write,
    clean_stale,
    scratch_dir,
    umask,
    write_error,
    writing,
)
from clustergraph.errors import ClusterGraphError, WriteError

ROOT = Path(__file__).resolve().parents[1]
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX locks, /dev/full and rlimits")


def leftovers(folder: Path) -> list[str]:
    """Every name under ``folder`` that carries the temporary marker."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if TEMP_MARKER in p.name)


def python(code: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True, cwd=ROOT, **kwargs)


# --- one error: real failing system calls ---------------------------------------------


@posix_only
def test_a_real_disk_full_error_names_the_path_and_the_fix() -> None:
    with pytest.raises(OSError) as info:
        with open("/dev/full", "wb") as fh:
            fh.write(b"x" * 10)
    assert info.value.errno == errno.ENOSPC
    err = write_error(info.value, "out/clustergraph.ttl", unchanged=True)
    assert isinstance(err, ClusterGraphError) and err.exit_code == 2
    assert err.errno == errno.ENOSPC and err.path == "out/clustergraph.ttl"
    text = str(err)
    assert "\n" not in text
    assert text.startswith("cannot write out/clustergraph.ttl: no space left on device (nothing was changed); fix: free some space")


def test_oxigraph_style_errors_are_recognised_from_their_text() -> None:
    """RocksDB (the on-disk store) raises OSError with no errno, only a message."""
    err = write_error(OSError("IO error: No space left on device: While appending to file: st/000008.log"), "st")
    assert err.errno == errno.ENOSPC and str(err).startswith("cannot write st: no space left on device; fix: free some space")


def test_writing_translates_only_write_errors_about_its_path(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(WriteError) as info:
        with writing(a_file / "store"):
            open(a_file / "store" / "x.log", "w")  # real ENOTDIR
    assert info.value.errno == errno.ENOTDIR and info.value.path == str(a_file / "store")
    assert "a part of the path is a file" in str(info.value)
    # an input that cannot be read is not a write error
    with pytest.raises(FileNotFoundError):
        with writing(tmp_path / "store"):
            open(tmp_path / "missing-input.csv")
    # nor is a socket's
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectionRefusedError):
        with writing(tmp_path / "store"):
            socket.create_connection(("127.0.0.1", port), timeout=5)


def test_a_file_where_a_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(WriteError, match=r"cannot write .*out/site: not a directory") as info:
        with atomic_dir(tmp_path / "out" / "site"):
            pass
    assert info.value.errno == errno.ENOTDIR
    with pytest.raises(WriteError, match="not a directory"):
        with atomic_dir(tmp_path / "out"):
            pass
    assert (tmp_path / "out").read_text() == "not a folder"
    assert leftovers(tmp_path) == []


_EFBIG = """
import resource, signal, sys
from pathlib import Path
from clustergraph.atomic import atomic_dir, atomic_write
from clustergraph.errors import WriteError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
target = Path(sys.argv[1])
try:
    if sys.argv[2] == "file":
        with atomic_write(target) as fh:
            for _ in range(100):
                fh.write("x" * 4096)
    else:
        with atomic_dir(target) as tmp:
            (tmp / "small.txt").write_text("fits")
            with atomic_write(tmp / "big.nt") as fh:
                fh.write("x" * 200_000)
except WriteError as exc:
    print(exc.errno, exc.path)
    print(exc)
    sys.exit(exc.exit_code)
"""


@posix_only
def test_a_file_size_limit_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    target.write_text("previous\n")
    done = python(_EFBIG, str(target), "file")
    assert done.returncode == 2, done.stderr
    code, path = done.stdout.splitlines()[0].split(" ", 1)
    assert int(code) == errno.EFBIG and path == str(target)
    assert "file too large" in done.stdout and "ulimit -f" in done.stdout
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]


@posix_only
def test_a_failed_folder_write_names_the_final_path_not_the_staging_one(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "small.txt").write_text("previous")
    done = python(_EFBIG, str(out), "dir")
    assert done.returncode == 2, done.stderr
    code, path = done.stdout.splitlines()[0].split(" ", 1)
    assert int(code) == errno.EFBIG and path == str(out / "big.nt")
    assert TEMP_MARKER not in done.stdout
    assert (out / "small.txt").read_text() == "previous"
    assert sorted(p.name for p in out.iterdir()) == ["small.txt"]


# --- nothing lost, permissions kept ------------------------------------------------------


def test_a_failed_block_keeps_the_previous_file_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "out.ttl"
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write("half")
            raise RuntimeError("interrupted")
    assert not (tmp_path / "deep").exists()  # the folders it made for the file are gone too
    target.parent.mkdir(parents=True)
    target.write_text("previous")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.ttl"]


def test_a_replaced_file_keeps_its_mode_and_a_new_one_gets_the_usual_mode(tmp_path: Path) -> None:
    private = tmp_path / "private.ttl"
    private.write_text("old")
    private.chmod(0o600)
    with atomic_write(private) as fh:
        fh.write("new")
    assert private.read_text() == "new" and (private.stat().st_mode & 0o777) == 0o600
    with atomic_write(tmp_path / "fresh.ttl") as fh:
        fh.write("new")
    assert ((tmp_path / "fresh.ttl").stat().st_mode & 0o777) == 0o666 & ~umask()


def test_a_replaced_folder_keeps_its_mode_and_its_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    out.chmod(0o700)
    (out / "notes.txt").write_text("mine")
    (out / "data.ttl").write_text("old")
    (out / "data.ttl").chmod(0o640)
    with atomic_dir(out) as tmp:
        (tmp / "data.ttl").write_text("new")
    assert (out.stat().st_mode & 0o777) == 0o700
    assert ((out / "data.ttl").stat().st_mode & 0o777) == 0o640
    assert (out / "data.ttl").read_text() == "new" and (out / "notes.txt").read_text() == "mine"
    with atomic_dir(tmp_path / "fresh") as tmp:
        (tmp / "a.txt").write_text("a")
    assert ((tmp_path / "fresh").stat().st_mode & 0o777) == 0o777 & ~umask()
    assert leftovers(tmp_path) == []


def test_subfolders_are_replaced_whole(tmp_path: Path) -> None:
    """Publishing twice into the same folder: the second ``id/`` replaces the first (it used to fail)."""
    site = tmp_path / "site"
    for run, pages in enumerate((["a", "stale"], ["a", "b"])):
        with atomic_dir(site) as tmp:
            for page in pages:
                (tmp / "id" / page).mkdir(parents=True)
                (tmp / "id" / page / "index.html").write_text(f"run {run}")
            (tmp / "index.html").write_text(f"run {run}")
    assert sorted(p.name for p in (site / "id").iterdir()) == ["a", "b"]
    assert (site / "id" / "a" / "index.html").read_text() == "run 1"
    assert leftovers(tmp_path) == []


def test_a_failed_folder_write_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with atomic_dir(out / "sub") as tmp:
            (tmp / "a.txt").write_text("a")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []  # neither the folder nor the parents it made
    out.mkdir()
    (out / "a.txt").write_text("previous")
    with pytest.raises(RuntimeError):
        with atomic_dir(out) as tmp:
            (tmp / "a.txt").write_text("new")
            raise RuntimeError("interrupted")
    assert [p.name for p in out.iterdir()] == ["a.txt"] and (out / "a.txt").read_text() == "previous"


# --- nothing left: a killed writer's temporaries ------------------------------------------

_HOLD = """
import sys, time
from pathlib import Path
from clustergraph.atomic import atomic_dir, atomic_write
target = Path(sys.argv[1])
if sys.argv[2] == "dir":
    with atomic_dir(target) as tmp:
        (tmp / "half.nt").write_text("half")
        print(tmp, flush=True)
        time.sleep(120)
else:
    with atomic_write(target) as fh:
        fh.write("half")
        fh.flush()
        print("writing", flush=True)
        time.sleep(120)
"""

_CLEAN = """
import sys
from clustergraph.atomic import clean_stale
print("\\n".join(p.name for p in clean_stale(sys.argv[1])))
"""


def _start_holder(target: Path, kind: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(target), kind], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, "the writer did not start"
    return proc


def _backdate(folder: Path) -> None:
    for p in folder.iterdir():
        if TEMP_MARKER in p.name:
            os.utime(p, (time.time() - 3600, time.time() - 3600))


@posix_only
@pytest.mark.parametrize("kind", ["dir", "file"])
def test_a_running_writers_temporaries_are_kept_and_a_killed_ones_removed(tmp_path: Path, kind: str) -> None:
    target = tmp_path / ("out" if kind == "dir" else "out.nt")
    (tmp_path / "notes.txt").write_text("mine")
    proc = _start_holder(target, kind)
    try:
        temps = leftovers(tmp_path)
        assert len(temps) == 1 and temps[0].startswith(f".{target.name}.{TEMP_MARKER}")
        _backdate(tmp_path)  # old enough to be stale, were it not locked
        # a concurrent run (a new process) keeps it: the writer holds its lock
        again = python(_CLEAN, str(target))
        assert again.returncode == 0 and again.stdout.strip() == "", again.stderr
        assert leftovers(tmp_path) == temps
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not target.exists() and leftovers(tmp_path) == temps  # SIGKILL: no clean-up ran
    # the next run removes what the killed one left, and nothing else
    done = python(_CLEAN, str(target))
    assert done.stdout.split() == [temps[0]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_fresh_unlocked_temporary_is_kept(tmp_path: Path) -> None:
    """One made a moment ago may belong to a run that has not locked it yet."""
    fresh = tmp_path / f".out.{TEMP_MARKER}abcd1234.tmp"
    fresh.mkdir()
    assert clean_stale(tmp_path / "out") == [] and fresh.exists()


def test_only_our_own_temporaries_are_ever_removed(tmp_path: Path) -> None:
    old = time.time() - 3600
    names = [
        ".out.abcd1234",  # what an older clustergraph left: not recognisable, kept
        f".out.{TEMP_MARKER}notes.txt",
        f".other.{TEMP_MARKER}abcd1234.tmp",  # another target's
        f"out.{TEMP_MARKER}abcd1234.tmp",  # not hidden
    ]
    for name in names:
        (tmp_path / name).write_text("keep")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "precious").write_text("keep")
    link = tmp_path / f".out.{TEMP_MARKER}abcd1234.tmp"
    link.symlink_to(outside, target_is_directory=True)
    for p in tmp_path.iterdir():
        os.utime(p, (old, old), follow_symlinks=False)
    assert clean_stale(tmp_path / "out") == []
    assert (outside / "precious").exists() and link.is_symlink()
    assert all((tmp_path / n).exists() for n in names)


def test_scratch_folders_are_removed_whatever_happens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError):
        with scratch_dir("test") as d:
            (d / "input.nt").write_text("x")
            raise RuntimeError("the reasoner failed")
    assert list(tmp_path.iterdir()) == []
    left = tmp_path / f"{TEMP_MARKER}test-abcd1234.tmp"  # from a killed run, an hour ago
    left.mkdir()
    os.utime(left, (time.time() - 3600, time.time() - 3600))
    with scratch_dir("test"):
        assert not left.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_doctests_leave_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    """The examples call ``tempfile.mkdtemp()``; the root conftest gives each a folder it removes."""
    modules = [
        "clustergraph/atomic.py",
        "clustergraph/generate.py",
        "clustergraph/ingest/template.py",
        "clustergraph/ingest/tabular.py",
        "clustergraph/ingest/mapping.py",
        "clustergraph/store/dataset.py",
        "clustergraph/network/metrics.py",
    ]
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules", *modules],
        capture_output=True, text=True, cwd=ROOT, env=env,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert sorted(p.name for p in tmp.iterdir()) == []
