"""Helpers shared by the tests that run real SPARQL servers (Virtuoso, Oxigraph's server) on loopback.

:class:`ServerProcess` is what both fixtures' servers do alike: start the program with
its output in a log file, wait until it answers ``ASK {}``, show the end of its logs in
an error, and stop it (SIGTERM, then SIGKILL if it lingers).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

__all__ = ["ServerProcess", "free_port", "server_endpoint"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_endpoint(server, timeout: float = 30):
    """An :class:`~clustergraph.store.remote.Endpoint` with the query, update and Graph Store URLs of a test server."""
    from clustergraph.store.remote import Endpoint

    return Endpoint(server.sparql, update_url=server.update, graph_store_url=server.graph_store, user=server.user, password=server.password, timeout=timeout)


class ServerProcess:
    """A server program run by a test: its process, its folder, its logs. Subclasses give ``sparql`` and ``NAME``."""

    NAME = "server"
    #: Log files in the server's folder, read by :meth:`log_tail` in this order.
    LOGS: tuple[str, ...] = ("stdout.log",)
    #: Seconds SIGTERM is given before SIGKILL.
    GRACE = 10.0
    directory: Path
    process: subprocess.Popen[bytes] | None
    sparql: str

    def launch(self, command: list[str], *, cwd: Path | None = None, timeout: float = 30.0, poll: float = 0.1) -> None:
        """Run ``command`` (output to ``stdout.log`` in :attr:`directory`); return once it answers ``ASK {}``."""
        with open(self.directory / "stdout.log", "ab") as log:
            self.process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.NAME} exited with status {self.process.returncode}: {self.log_tail()}")
            if self.answers():
                return
            time.sleep(poll)
        self.stop()
        raise TimeoutError(f"{self.NAME} did not answer within {timeout} s: {self.log_tail()}")

    def answers(self, params: dict[str, Any] | None = None) -> bool:
        """Whether the query endpoint answers ``ASK {}`` now."""
        url = self.sparql + "?" + urllib.parse.urlencode({"query": "ASK {}", **(params or {})})
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}), timeout=2) as res:
                return res.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, n: int = 20) -> str:
        lines: list[str] = []
        for name in self.LOGS:
            p = self.directory / name
            if p.exists():
                lines += p.read_text(errors="replace").splitlines()[-n:]
        return "\n".join(lines[-n:])

    def kill(self) -> None:
        """SIGKILL: the server stops at once, in the middle of whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM the server, SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=self.GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
