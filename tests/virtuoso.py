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
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sparql_servers import ServerProcess, free_port

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


@dataclass
class Virtuoso(ServerProcess):
    """A running ``virtuoso-t`` process and its loopback URLs."""

    NAME = "virtuoso-t"
    LOGS = ("virtuoso.log", "stdout.log")
    GRACE = 15.0

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
        server.launch([exe, "+configfile", str(ini), "+foreground"], cwd=d, timeout=timeout, poll=0.25)
        return server

    def answers(self, params=None) -> bool:  # type: ignore[no-untyped-def]
        return super().answers({"format": "application/sparql-results+json", **(params or {})})
