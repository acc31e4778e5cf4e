"""Progress bars: shown on a terminal (and when a caller turns them on), never otherwise."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from clustergraph import progress
from clustergraph.generate import generate
from clustergraph.store import load, open_dataset
from clustergraph.validation.engine import validate


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "g.nt"
    generate(path, organisations=40, projects=40, seed=1)
    return path


def _validate(path: Path) -> None:
    ds = open_dataset()
    load(ds, path, graph="urn:g")
    validate(ds, engine="sparql")


def test_the_library_is_silent_unless_asked(generated, capfd):
    _validate(generated)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_a_caller_turns_bars_on(generated, capfd):
    with progress.showing():
        _validate(generated)
    _, err = capfd.readouterr()
    assert "validating" in err and "check" in err
    with progress.showing(False):
        progress.enable()
        assert list(progress.iterate(range(3), "pages")) == [0, 1, 2]
    progress.enable(False)
    assert capfd.readouterr().err == ""


def test_iterate_and_task_count_steps(capfd):
    with progress.showing():
        assert list(progress.iterate(range(3), "pages")) == [0, 1, 2]
        with progress.task("work", total=4) as bar:
            bar.to(4)
            assert bar.done == 4
    assert "pages" in capfd.readouterr().err


def _cli_on_a_terminal(args: list[str], cwd: Path) -> str:
    """Run the command with standard output and error on a pseudo-terminal; return what it showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "clustergraph.cli", *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_the_command_line_shows_bars_on_a_terminal_only(tmp_path):
    args = ["generate", "--organisations", "50", "--projects", "200", "--out", "g.nt"]
    shown = _cli_on_a_terminal(args, tmp_path)
    assert "generating" in shown and "%" in shown and "wrote" in shown
    quiet = _cli_on_a_terminal(["--quiet", *args], tmp_path)
    assert "generating" not in quiet and "wrote" in quiet
    from click.testing import CliRunner

    from clustergraph.cli import main

    piped = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "piped.nt")])
    assert piped.exit_code == 0 and "generating" not in piped.output and "wrote" in piped.output
