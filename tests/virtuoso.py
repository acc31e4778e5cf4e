"""A real Virtuoso Open Source server for the tests, on loopback, from a temporary directory.

The server gets its own ``virtuoso.ini`` (loopback ports only, no Unix socket, two
threads per query) and database in a fresh directory; a new database always has
the account ``dba``/``dba``. Reads go to ``/sparql``; writes need HTTP Digest at
``/sparql-auth`` (SPARQL Update) and ``/sparql-graph-crud-auth`` (Graph Store
HTTP Protocol).

"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Virtuoso", "free_port", "EXECUTABLE"]

EXECUTABLE = "virtuoso-t"
USER, PASSWORD = "dba", "dba"

_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., {d}
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
MaxQueryMem          = 256M

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {d}/vsp
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 100000
MaxQueryCostEstimationTime = 60
MaxQueryExecutionTime      = 60
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Virtuoso:
    """A running ``virtuoso-t`` process and its loopback URLs."""

    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    user: str = USER
    password: str = PASSWORD

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """Anonymous, read-only SPARQL endpoint."""
        return self.base + "/sparql"

    @property
    def update(self) -> str:
        """SPARQL endpoint that accepts updates (HTTP Digest)."""
        return self.base + "/sparql-auth"

    @property
    def graph_store(self) -> str:
        """Graph Store HTTP Protocol endpoint (HTTP Digest)."""
        return self.base + "/sparql-graph-crud-auth"

    @classmethod
    def start(cls, directory: str | os.PathLike[str] | None = None, timeout: float = 60.0, settings: dict[str, object] | None = None) -> "Virtuoso":
        """Start a server with a fresh database in ``directory``; wait until it answers ``ASK {}``.

        ``settings`` replaces values of ``virtuoso.ini`` by key (e.g. ``{"NumberOfBuffers": 100000}``
        for a benchmark at a million triples).
        """
        exe = shutil.which(EXECUTABLE)
        if exe is None:
            raise FileNotFoundError(f"{EXECUTABLE} not found; install the Debian package virtuoso-opensource")
        d = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="virtuoso-"))
        d.mkdir(parents=True, exist_ok=True)
        (d / "vsp").mkdir(exist_ok=True)
        server = cls(d, free_port(), free_port())
        ini = d / "virtuoso.ini"
        text = _INI.format(d=d, sql_port=server.sql_port, http_port=server.http_port)
        for key, value in (settings or {}).items():
            text = re.sub(rf"(?m)^{re.escape(key)}(\s*)=.*$", lambda m: f"{key}{m.group(1)}= {value}", text)
        ini.write_text(text)
        log = open(d / "stdout.log", "wb")
        server.process = subprocess.Popen(
            [exe, "+configfile", str(ini), "+foreground"],
            cwd=d,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with status {server.process.returncode}: {server.log_tail()}")
            if server._answers():
                return server
            time.sleep(0.25)
        server.stop()
        raise TimeoutError(f"virtuoso-t did not answer within {timeout} s: {server.log_tail()}")

    def _answers(self) -> bool:
        url = self.sparql + "?" + urllib.parse.urlencode({"query": "ASK {}", "format": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                return res.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, n: int = 20) -> str:
        lines: list[str] = []
        for name in ("virtuoso.log", "stdout.log"):
            p = self.directory / name
            if p.exists():
                lines += p.read_text(errors="replace").splitlines()[-n:]
        return "\n".join(lines[-n:])

    def stop(self) -> None:
        """SIGTERM the server (it stops in about a second), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
