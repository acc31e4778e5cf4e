"""One headless Chromium for many pages, driven over the DevTools protocol on a pipe.

Starting Chromium costs seconds on a busy machine; a page load in a running one costs
a fraction of a second. :class:`Browser` starts Chromium once with
``--remote-debugging-pipe`` (no port, no network) and, per page, navigates, returns the
rendered DOM and the accessibility tree, and takes a screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-javascript", "--hide-scrollbars", "--remote-debugging-pipe",
]


class Browser:
    def __init__(self, timeout: float = 30.0) -> None:
        assert CHROMIUM, "chromium must be installed"
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="clustergraph-chromium-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        child_in = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def wire() -> None:  # in the child: the protocol's pipes are fds 3 and 4
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, pass_fds=(3, 4, child_in, child_out),
        )
        os.close(child_in)
        os.close(child_out)
        self.write = os.fdopen(to_browser_w, "wb", buffering=0)
        self.read_fd = from_browser_r
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "DOM", "Accessibility"):
            self.call(f"{domain}.enable", session=True)

    def _message(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self.write.write(json.dumps(message).encode() + b"\0")
        while True:
            answer = self._message()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def open(self, url: str) -> None:
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.call("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            self.events.append(self._message())

    def dom(self) -> str:
        root = self.call("DOM.getDocument", {"depth": -1}, session=True)["root"]
        return self.call("DOM.getOuterHTML", {"nodeId": root["nodeId"]}, session=True)["outerHTML"]

    def text(self) -> str:
        """The page's text as the accessibility tree gives it to a reader (names of the visible nodes)."""
        nodes = self.call("Accessibility.getFullAXTree", {}, session=True)["nodes"]
        parts = [n.get("name", {}).get("value", "") for n in nodes if not n.get("ignored") and n.get("role", {}).get("value") == "StaticText"]
        return " ".join(" ".join(parts).split())

    def ax_nodes(self) -> list[dict[str, Any]]:
        return self.call("Accessibility.getFullAXTree", {}, session=True)["nodes"]

    def screenshot(self, target: Path, width: int = 1200, height: int = 1600) -> bytes:
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)
        data = base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return data

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.write.close()
        os.close(self.read_fd)
        shutil.rmtree(self.profile, ignore_errors=True)
