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
