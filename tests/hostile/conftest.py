"""Fixtures of the hostile-input catalogue: a recording loopback server and the generated files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_catalogue import CASES, Recorder


@pytest.fixture(scope="session")
def recorder():
    """The loopback server that hostile inputs point at; it must never be contacted."""
    server = Recorder()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def hostile_files(tmp_path_factory, recorder) -> dict[str, Path]:
    """Every case of the catalogue written to a temporary folder, by case id."""
    folder = tmp_path_factory.mktemp("hostile")
    return {case.id: case.write(folder, recorder) for case in CASES}


@pytest.fixture(autouse=True)
def _nothing_contacted(recorder):
    """After each test: the recording server got no request and the silent port no connection."""
    before = len(recorder.requests)
    yield
    assert recorder.requests[before:] == [], f"the loopback server was contacted: {recorder.requests[before:]}"
    assert not recorder.silent_contacted(), "the silent port was contacted"
