"""The main job: `clustergraph build` on the embedded dataset; nothing lost, nothing left when writes fail."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from clustergraph import store
from clustergraph.atomic import TEMP_MARKER
from clustergraph.build import build
from clustergraph.cli import main
from clustergraph.namespaces import CG, ID

CECIL = ID["project/cecil"]


def test_build_writes_three_formats_that_agree(tmp_path: Path) -> None:
    result = build(tmp_path, validate=False, network=False)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["clustergraph.jsonld", "clustergraph.nt", "clustergraph.trig", "clustergraph.ttl"]
    graphs = []
    for name, fmt in (("clustergraph.ttl", "turtle"), ("clustergraph.nt", "nt"), ("clustergraph.jsonld", "json-ld")):
        g = Graph().parse(tmp_path / name, format=fmt)
        graphs.append(g)
    assert len(graphs[0]) == result.triples > 500
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    trig = Dataset().parse(tmp_path / "clustergraph.trig", format="trig")
    assert len({g.identifier for g in trig.graphs()}) > 3  # one graph per source, plus provenance
    # figures as published: CECIL's EU contribution exceeds its total budget
    g = graphs[0]
    assert g.value(CECIL, CG.totalBudget) == Literal("247283", datatype=XSD.decimal)
    assert g.value(CECIL, CG.euContribution) == Literal("299450", datatype=XSD.decimal)
    assert result.counts["cg:Project"] >= 12


def test_build_twice_is_isomorphic(tmp_path: Path) -> None:
    build(tmp_path / "a", validate=False, network=False)
    build(tmp_path / "b", validate=False, network=False)
    a = Graph().parse(tmp_path / "a" / "clustergraph.nt")
    b = Graph().parse(tmp_path / "b" / "clustergraph.nt")
    assert isomorphic(a, b)
    assert (tmp_path / "a" / "clustergraph.nt").read_bytes() == (tmp_path / "b" / "clustergraph.nt").read_bytes()


def test_memory_and_oxigraph_builds_agree(tmp_path: Path) -> None:
    ox = build(None, store="oxigraph", validate=False, network=False)
    mem = build(None, store="memory", validate=False, network=False)
    assert ox.counts == mem.counts
    assert isomorphic(store.union(ox.dataset), store.union(mem.dataset))


def test_cli_build_prints_summary_and_findings(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = res.output
    assert "triples" in text and "entities:" in text
    assert "validation:" in text
    # the published contradictions are reported, by name
    for name in ("CECIL", "MATERIALIX", "SmartSports4GoodLife"):
        assert name in text
    assert (out / "clustergraph.ttl").stat().st_size > 1000


def test_cli_missing_input_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    done = subprocess.run(
        [sys.executable, "-m", "clustergraph.cli", "build", str(missing), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_cli_help_lists_commands() -> None:
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    assert "build" in res.output
    res = CliRunner().invoke(main, ["build", "--help"])
    assert res.exit_code == 0 and "--out" in res.output


def test_failed_build_leaves_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(out, validate=False, network=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "broken.ttl"
    bad.write_text("<http://ex.org/a> <http://ex.org/p> .\n")
    res = CliRunner().invoke(main, ["build", str(bad), "--out", str(out)])
    assert res.exit_code == 2
    assert "broken.ttl" in res.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# --- nothing lost, nothing left: failing disks, read-only folders, kill -9, stores ---------
#
# Every failure below is real: a file-size limit (RLIMIT_FSIZE, EFBIG) or a full tmpfs
# (ENOSPC), folders that refuse writes, a build killed with SIGKILL. What is checked is
# what the user sees: one line, exit status 2, the path named, the previous output intact
# and no temporary left.

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "clustergraph.cli"]
QUICK = ["--no-validate", "--no-network"]
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX rlimits, signals and permissions")


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=kwargs.pop("cwd", ROOT), **kwargs)


def one_line_error(done: subprocess.CompletedProcess, *names: str) -> str:
    """The error line, after checking it is the only one, exit status 2, no traceback, naming ``names``."""
    assert done.returncode == 2, (done.returncode, done.stderr[-3000:])
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clustergraph: error: "), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``, hidden ones included, with its bytes (``None`` for a folder)."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if TEMP_MARKER in p.name)


def _file_size_limit(limit: int):
    import resource  # POSIX only

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death by signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A complete earlier output of ``clustergraph build`` (the embedded dataset)."""
    out = tmp_path_factory.mktemp("previous") / "out"
    build(out, validate=False, network=False)
    return out


@posix_only
def test_cli_build_over_a_file_size_limit_is_one_line_and_keeps_the_previous_output(tmp_path: Path, previous: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = snapshot(out)
    done = run_cli("build", *QUICK, "--out", str(out), preexec_fn=_file_size_limit(64 * 1024))
    line = one_line_error(done, str(out / "clustergraph."), "file too large", "nothing was changed", "ulimit -f")
    assert TEMP_MARKER not in line
    assert snapshot(out) == before
    # a new output folder is not created at all
    done = run_cli("build", *QUICK, "--out", str(tmp_path / "new" / "out"), preexec_fn=_file_size_limit(64 * 1024))
    one_line_error(done, str(tmp_path / "new" / "out"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _can_mount_tmpfs() -> bool:
    if os.name != "posix" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


_FULL_DISK = r"""
set -u
mount -t tmpfs -o size=256k tmpfs "$1" || exit 99
mkdir -m 700 "$1/out"
printf 'previous ttl\n' > "$1/out/clustergraph.ttl"
printf 'mine\n' > "$1/out/notes.txt"
shift
"$@" 2> "$ERR"
echo "status=$?"
stat -c 'mode=%a' "$OUT"
ls -A "$OUT"
cat "$OUT/clustergraph.ttl"
"""


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs 'unshare -m' and tmpfs mounts (root with CAP_SYS_ADMIN); the file-size-limit test covers the same path everywhere")
def test_cli_build_on_a_full_disk_is_one_line_and_keeps_the_previous_output(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    err = tmp_path / "stderr.txt"
    env = {**os.environ, "ERR": str(err), "OUT": str(disk / "out")}
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", _FULL_DISK, "sh", str(disk), *CLI, "build", *QUICK, "--out", str(disk / "out")],
        capture_output=True, text=True, cwd=ROOT, env=env,
    )
    report = done.stdout.splitlines()
    assert report[0] == "status=2", (done.stdout, done.stderr, err.read_text())
    line = err.read_text().strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert line.startswith(f"clustergraph: error: cannot write {disk / 'out'}/clustergraph.")
    assert "no space left on device (nothing was changed); fix: free some space on that disk" in line
    # the folder keeps its mode, the user's file, the previous output, and no temporary
    assert report[1:] == ["mode=700", "clustergraph.ttl", "notes.txt", "previous ttl"]


def _without_root_overrides() -> None:
    """In the child, before ``exec``: drop CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER
    from the bounding set, so that a root process is bound by file modes like anyone else."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):  # linux/capability.h
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _bound_by_modes(folder: Path) -> dict | None:
    """subprocess arguments under which writes into a 0555 folder really fail; None if there are none."""
    kwargs: dict = {} if os.geteuid() != 0 else {"preexec_fn": _without_root_overrides}
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        done = subprocess.run([sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"], capture_output=True, text=True, **kwargs)
    except OSError:
        return None
    finally:
        probe.chmod(0o755)
        shutil.rmtree(probe)
    return kwargs if "PermissionError" in done.stderr else None


@pytest.fixture
def writable_again(tmp_path: Path):
    """``tmp_path``, made writable again afterwards whatever a test did to it (chmod, chattr +i)."""
    yield tmp_path
    for p in [tmp_path, *tmp_path.rglob("*")]:
        if p.is_dir() and not p.is_symlink():
            if shutil.which("chattr"):
                subprocess.run(["chattr", "-i", str(p)], capture_output=True)
            p.chmod(0o755)


@posix_only
@pytest.mark.parametrize("how", ["permissions", "immutable", "read-only mount"])
def test_cli_build_into_a_folder_that_refuses_writes(writable_again: Path, previous: Path, how: str) -> None:
    out = writable_again / "out"
    shutil.copytree(previous, out)
    out.chmod(0o755)
    before = snapshot(out)
    args = ["build", *QUICK, "--out", str(out)]
    if how == "permissions":  # modes bind everyone but root: root runs the command without its overrides
        kwargs = _bound_by_modes(writable_again)
        if kwargs is None:
            message = "cannot make a process that file modes bind (as root: prctl(PR_CAPBSET_DROP) needs CAP_SETPCAP)"
            if os.environ.get("CI"):
                pytest.fail(message + " and CI is set: the read-only folder test must run", pytrace=False)
            pytest.skip(message)
        out.chmod(0o555)
        done = run_cli(*args, **kwargs)
        expected = ("permission denied", "chmod u+w")
    elif how == "immutable":
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not permitted here (needs CAP_LINUX_IMMUTABLE and ext4, xfs, btrfs or tmpfs)")
        done = run_cli(*args)
        subprocess.run(["chattr", "-i", str(out)], check=True)
        expected = ("operation not permitted", "refuses writes")
    else:
        script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" || exit 99; shift; exec "$@"'
        done = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(out), *CLI, *args], capture_output=True, text=True, cwd=ROOT) if shutil.which("unshare") else None
        if done is None or done.returncode == 99:
            pytest.skip("read-only bind mounts need 'unshare -m' (root with CAP_SYS_ADMIN)")
        expected = ("read-only file system", "write to a folder on a writable disk")
    one_line_error(done, f"cannot write {out}", "nothing was changed", *expected)
    out.chmod(0o755)
    assert snapshot(out) == before


def test_build_keeps_the_output_folders_mode_and_the_files_modes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o700)
    build(out, validate=False, network=False)
    (out / "clustergraph.nt").chmod(0o600)
    (out / "notes.txt").write_text("mine")
    build(out, validate=False, network=False)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "clustergraph.nt").stat().st_mode) == 0o600
    assert (out / "notes.txt").read_text() == "mine"
    assert leftovers(tmp_path) == []


def _kill_when_writing(proc: subprocess.Popen, staging_parent: Path, timeout: float = 120) -> list[str]:
    """SIGKILL ``proc`` as soon as its staging folder holds a written file; return the leftovers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the build ended before it was killed: {proc.returncode}")
        staging = [p for p in staging_parent.iterdir() if TEMP_MARKER in p.name and p.is_dir()]
        if staging and any(staging[0].iterdir()):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return leftovers(staging_parent)
        time.sleep(0.005)
    proc.kill()
    raise AssertionError("the build never started writing")


@posix_only
def test_a_killed_build_leaves_the_previous_output_and_the_next_build_removes_its_leftovers(tmp_path: Path, previous: Path) -> None:
    from clustergraph.generate import generate

    source = tmp_path / "big.nt"
    generate(source, organisations=10, projects=60, seed=3)  # not the embedded data: a replaced file would show
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = snapshot(out)
    proc = subprocess.Popen([*CLI, "build", str(source), *QUICK, "--out", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    left = _kill_when_writing(proc, out)
    assert left and all(name.startswith(f".{TEMP_MARKER}") for name in left), left
    visible = {k: v for k, v in snapshot(out).items() if TEMP_MARKER not in k}
    assert visible == before  # the previous output, complete
    # a new output folder: the staging folder is beside it, the folder itself never appears
    fresh = tmp_path / "fresh"
    proc = subprocess.Popen([*CLI, "build", str(source), *QUICK, "--out", str(fresh)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert [n.split(TEMP_MARKER)[0] for n in _kill_when_writing(proc, tmp_path) if "/" not in n] == [".fresh."]
    assert not fresh.exists()
    # the next builds remove what the killed ones left
    for target in (out, fresh):
        done = run_cli("build", *QUICK, "--out", str(target))
        assert done.returncode == 0, done.stderr
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    assert (out / "clustergraph.nt").read_bytes() == before["clustergraph.nt"]


def test_a_store_is_never_made_among_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    done = run_cli("build", *QUICK, "--store", str(folder), "--out", str(tmp_path / "out"))
    one_line_error(done, str(folder), "not empty", "notes.txt", "new or empty folder")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert not (tmp_path / "out").exists()


def test_a_store_is_made_in_an_empty_folder_and_reopened(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    for _ in range(2):  # the second build reopens the store the first made
        done = run_cli("build", *QUICK, "--store", str(folder))
        assert done.returncode == 0, done.stderr
    assert (folder / "CURRENT").is_file()
    done = run_cli("query", "projects-per-call", "--store", str(folder), "--format", "csv")
    assert done.returncode == 0 and "CECIL" in done.stdout, done.stderr


def test_a_failed_build_removes_the_store_it_made(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("<http://ex.org/a> <http://ex.org/p> .\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (tmp_path / "new" / "store", empty):
        done = run_cli("build", str(bad), *QUICK, "--store", str(folder))
        one_line_error(done, "broken.ttl")
    assert not (tmp_path / "new").exists()
    assert list(empty.iterdir()) == []


@posix_only
def test_cli_build_store_over_a_file_size_limit_leaves_no_store(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    done = run_cli("build", *QUICK, "--store", str(folder), "--out", str(tmp_path / "out"), preexec_fn=_file_size_limit(100_000))
    one_line_error(done, f"cannot write {folder}", "file too large")
    assert list(tmp_path.iterdir()) == []
