"""Where the shipped ontology, shapes, query library and embedded dataset live.

They sit at the top of a checkout (``ontology/``, ``shapes/``, ``queries/``,
``data/``) and inside the package (``clustergraph/_resources/...``) in a wheel.

>>> ontology_path().name
'clustergraph.ttl'
>>> (data_dir() / "README.md").exists() or data_dir().is_dir()
True
"""

from __future__ import annotations

from pathlib import Path

from .errors import ClusterGraphError

__all__ = ["resource_dir", "ontology_path", "shapes_dir", "queries_dir", "data_dir"]

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the directory ``name`` (ontology, shapes, queries, data) from the wheel or the checkout."""
    for candidate in (_PACKAGE / "_resources" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ClusterGraphError(
        f"the shipped '{name}/' directory was not found next to {_PACKAGE}",
        fix="reinstall clustergraph with 'pip install .' from a complete checkout",
    )


def ontology_path() -> Path:
    """The OWL ontology in Turtle."""
    return resource_dir("ontology") / "clustergraph.ttl"


def shapes_dir() -> Path:
    """The directory of SHACL shapes (Turtle)."""
    return resource_dir("shapes")


def queries_dir() -> Path:
    """The directory of named SPARQL queries (``*.rq``)."""
    return resource_dir("queries")


def data_dir() -> Path:
    """The embedded dataset: CSV tables and their CSVW mappings."""
    return resource_dir("data")
