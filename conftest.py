"""Names the examples in the library's docstrings use (``pytest --doctest-modules``).

The library has no path into ``tests/``: a doctest that needs the small network
fixture reads ``CLUSTERS``, put into pytest's ``doctest_namespace`` here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: The hand-checkable network fixture (10 organisations, 4 projects, a value chain).
CLUSTERS = Path(__file__).resolve().parent / "tests" / "network" / "fixtures" / "clusters.ttl"


@pytest.fixture(autouse=True, scope="session")
def _doctest_names(doctest_namespace: dict) -> None:
    """``CLUSTERS``: the path of the network fixture, as a string ready for ``store.load``."""
    doctest_namespace["CLUSTERS"] = str(CLUSTERS)


@pytest.fixture(autouse=True)
def _doctest_tempdir(request: pytest.FixtureRequest):
    """A doctest's temporary files and folders go into a folder of its own, removed afterwards.

    The examples call ``tempfile.mkdtemp()`` the way a user would; during a doctest
    the system's temporary folder (``tempfile.tempdir`` and ``TMPDIR``, for the
    subprocesses it starts) is a fresh folder that is removed when the example ends,
    so the suite leaves nothing behind in ``/tmp``. Other tests are not touched.
    """
    from _pytest.doctest import DoctestItem

    if not isinstance(request.node, DoctestItem):
        yield
        return
    import os
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="clustergraph-doctest-")
    saved_dir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder
    try:
        yield
    finally:
        tempfile.tempdir = saved_dir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(folder, ignore_errors=True)
