"""The hostile-input catalogue through the command line: validate, import, query.

Every refused input ends the command with exit status 2 and one line
``clustergraph: error: FILE...`` on stderr, never a traceback; inputs that load are
accepted. The cases that crashed, hung or took gigabytes before also run in a
subprocess, with a timeout, whose time and peak memory are bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_catalogue import CASES, Case

from clustergraph.cli import main

#: Each command and its arguments for a data file (``{file}``, ``{out}``).
COMMANDS = {
    "validate": ["validate", "{file}"],
    "import": ["import", "{file}", "--out", "{out}"],
    "query": ["query", "--data", "{file}", "--file", "{query}"],
    "query-memory": ["query", "--memory-store", "--data", "{file}", "--file", "{query}"],
    "import-store": ["import", "{file}", "--store", "{store}"],
}
#: The store each command parses with (for a case that differs by store).
STORE_OF = {"validate": "oxigraph", "import": "oxigraph", "query": "oxigraph", "query-memory": "memory", "import-store": "oxigraph"}

#: A subprocess may take this long (seconds) and this much memory (KiB of peak RSS).
TIME_BOUND = 60.0
MEMORY_BOUND_KIB = 600 * 1024


def _args(command: str, path: Path, tmp_path: Path) -> list[str]:
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    values = {"file": str(path), "out": str(tmp_path / "out.ttl"), "query": str(query), "store": str(tmp_path / "store")}
    return [part.format(**values) for part in COMMANDS[command]]


def _check_error_line(stderr: str, path: Path, message: str) -> None:
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("clustergraph: error: ")]
    assert len(errors) == 1, stderr
    assert str(path) in errors[0] and message in errors[0], errors[0]


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_command(case: Case, command: str, hostile_files, tmp_path) -> None:
    path = hostile_files[case.id]
    message, _triples = case.expected(STORE_OF[command])
    result = CliRunner().invoke(main, _args(command, path, tmp_path))
    if message is None:
        assert result.exit_code in (0, 1), result.output  # 1: validate found the data does not conform
        return
    assert result.exit_code == 2, result.output
    _check_error_line(result.stderr, path, message)
    if command.startswith("import"):  # the importer lists each problem, then the error line
        assert not (tmp_path / "out.ttl").exists()
        assert not (tmp_path / "store").exists(), "a refused import left the store folder it made"
    else:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


#: Runs the command line in a child process and writes its exit status and peak memory.
_PROBE = """
import json, resource, sys
from clustergraph.cli import main
status = 0
try:
    main(sys.argv[2:], prog_name="clustergraph")
except SystemExit as exc:
    status = exc.code if isinstance(exc.code, int) else 1
finally:
    with open(sys.argv[1], "w") as fh:
        json.dump({"status": status, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, fh)
sys.exit(status)
"""


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "import", "query", "query-memory"])
@pytest.mark.parametrize("case", [c for c in CASES if c.crash], ids=[c.id for c in CASES if c.crash])
def test_subprocess_is_bounded(case: Case, command: str, hostile_files, tmp_path) -> None:
    """No crash, no hang, bounded memory: the cases that segfaulted, hung or took GBs before."""
    path = hostile_files[case.id]
    message, _ = case.expected(STORE_OF[command])
    report = tmp_path / "probe.json"
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(report), *_args(command, path, tmp_path)],
        capture_output=True,
        text=True,
        timeout=TIME_BOUND,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 2, proc.stderr  # not 139 (segfault), not 1 (uncaught MemoryError)
    _check_error_line(proc.stderr, path, message)
    probe = json.loads(report.read_text())
    assert probe["peak_kib"] < MEMORY_BOUND_KIB, f"peak memory {probe['peak_kib'] // 1024} MiB"
    assert elapsed < TIME_BOUND
