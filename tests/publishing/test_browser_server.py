"""The live server in headless Chromium, with every other host unreachable: the query page runs a named query.

Chromium resolves no host but 127.0.0.1 (``--host-resolver-rules``), so a page that
needed a CDN or another service would stay blank. Screenshots are kept in
``tests/artifacts/`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from clustergraph.publishing.server import Server
from clustergraph.query import execution as query

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium must be installed on CI (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed")
    profile = tempfile.mkdtemp(prefix="clustergraph-chromium-")
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # offline: no other host resolves
        "--virtual-time-budget=15000",  # let the page's scripts and its query finish
    ]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=60)  # type: ignore[list-item]

    yield run
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def server():
    with Server(query.open_data()) as running:
        yield running


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&lt;", "<").replace("&gt;", ">")


def test_the_query_page_runs_a_named_query_offline(chromium, server) -> None:
    url = server.url + "sparql?example=projects-per-call&run=1"
    dom = chromium("--dump-dom", url).stdout
    assert 'id="yasgui"' in dom and "CodeMirror" in dom, "the editor did not start (its assets must come from this server)"
    table = dom[dom.find("<tbody"):]
    assert dom.find("<tbody") > 0, "no result table"
    text = _text(table)
    assert "Showing 1 to 12 of 12 entries" in _text(dom)  # projects-per-call has 12 rows on the embedded dataset
    assert "https://w3id.org/clustergraph/id/call/cluster-excellence-programme-1" in text and "5FOREXCELLENCE" in text
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "query-page-projects-per-call.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,1000", url)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_a_resource_iri_opens_as_a_page(chromium, server) -> None:
    dom = chromium("--dump-dom", server.url + "id/project/cecil").stdout
    assert "<h1>CECIL</h1>" in dom and "cap-digital" in dom
