"""A real Oxigraph SPARQL server for the tests, on loopback, with its data in a temporary directory.

``oxigraph serve`` (the ``oxigraph`` package on PyPI, same version as pyoxigraph)
answers SPARQL 1.1 queries at ``/query``, updates at ``/update`` and the Graph Store
HTTP Protocol at ``/store``, without authentication. It is started *without*
``--union-default-graph``: its default graph is a graph of its own, unlike
Virtuoso's (the union of all graphs), so the tests exercise both behaviours.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sparql_servers import ServerProcess, free_port

__all__ = ["OxigraphServer", "executable", "EXECUTABLE"]

EXECUTABLE = "oxigraph"


def executable() -> str | None:
    """The ``oxigraph`` command: on PATH, next to this Python, or where the ``oxigraph`` package put it."""
    found = shutil.which(EXECUTABLE) or shutil.which(EXECUTABLE, path=os.path.dirname(sys.executable))
    if found:
        return found
    try:
        dist = importlib.metadata.distribution("oxigraph")
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or ():
        if Path(str(f)).name == EXECUTABLE and "bin" in Path(str(f)).parts:
            path = Path(dist.locate_file(f)).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    return None


@dataclass
class OxigraphServer(ServerProcess):
    """A running ``oxigraph serve`` process and its loopback URLs."""

    NAME = "oxigraph serve"

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sparql(self) -> str:
        """SPARQL 1.1 query endpoint."""
        return self.base + "/query"

    @property
    def update(self) -> str:
        """SPARQL 1.1 Update endpoint (no authentication)."""
        return self.base + "/update"

    @property
    def graph_store(self) -> str:
        """Graph Store HTTP Protocol endpoint."""
        return self.base + "/store"

    user = None
    password = None

    @classmethod
    def start(cls, directory: str | os.PathLike[str] | None = None, timeout: float = 30.0, port: int | None = None) -> "OxigraphServer":
        """Start a server storing its data in ``directory``; wait until it answers ``ASK {}``."""
        exe = executable()
        if exe is None:
            raise FileNotFoundError(f"{EXECUTABLE} not found; pip install oxigraph (the test extra)")
        d = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="oxigraph-"))
        d.mkdir(parents=True, exist_ok=True)
        server = cls(d, port or free_port())
        server.launch([exe, "serve", "--location", str(d / "data"), "--bind", f"127.0.0.1:{server.port}"], timeout=timeout)
        return server

    def restart(self) -> None:
        """Start the server again on the same port and data directory (after :meth:`stop` or a kill)."""
        self.stop()
        again = OxigraphServer.start(self.directory, port=self.port)
        self.process = again.process
