"""clustergraph: the European cluster excellence ecosystem as a knowledge graph.

The rdflib ``Dataset`` is the currency between stages: import builds one,
validation, queries, reasoning, network analysis and publishing read it.

>>> import clustergraph
>>> clustergraph.CG.Project
rdflib.term.URIRef('https://w3id.org/clustergraph/ontology#Project')
"""

from __future__ import annotations

import sys
import types

from .errors import (
    ClusterGraphError,
    EndpointError,
    InconsistentOntologyError,
    InputError,
    InputErrors,
    JavaNotFoundError,
    MappingError,
    NormalisationError,
    ParameterError,
    Problem,
    QueryError,
    ReasonerError,
    ShapesError,
    StoreError,
)

__version__ = "0.1.0"

#: Every public name but the errors is imported on first use (PEP 562), so that
#: ``clustergraph --help`` and a command that needs one stage do not pay for the others:
#: rdflib's SPARQL engine, Oxigraph, pySHACL, networkx, pandas and scipy load only when a
#: name that needs them is used.
_LAZY = {
    "BuildResult": "build",
    "build": "build",
    "GenerateStats": "generate",
    "generate": "generate",
    "ImportReport": "ingest.importer",
    "import_sources": "ingest.importer",
    "load_embedded": "ingest.importer",
    "write_templates": "ingest.template",
    "mint": "iri",
    "slug": "iri",
    "CG": "namespaces",
    "COUNTRY": "namespaces",
    "GRAPH": "namespaces",
    "ID": "namespaces",
    "bind_prefixes": "namespaces",
    "affiliation_graph": "network.graphs",
    "collaboration_graph": "network.graphs",
    "country_graph": "network.graphs",
    "sector_graph": "network.graphs",
    "analyse": "network.metrics",
    "write_metrics": "network.metrics",
    "highlights": "network.overview",
    "publish": "publishing.site",
    "QueryResult": "query.execution",
    "list_queries": "query.execution",
    "open_data": "query.execution",
    "run": "query.execution",
    "ReasoningResult": "reasoning.reasoners",
    "add_inferred": "reasoning.reasoners",
    "explain": "reasoning.reasoners",
    "reason": "reasoning.reasoners",
    "infer": "reasoning.rules",
    "materialise": "reasoning.rules",
    "data_dir": "resources",
    "ontology_path": "resources",
    "queries_dir": "resources",
    "shapes_dir": "resources",
    "dump": "store.dataset",
    "load": "store.dataset",
    "open_dataset": "store.dataset",
    "oxigraph": "store.dataset",
    "replace_graph": "store.dataset",
    "select": "store.dataset",
    "to_memory": "store.dataset",
    "union": "store.dataset",
    "open_remote": "store.remote",
    "validate": "validation.engine",
    "Finding": "validation.report",
    "ValidationReport": "validation.report",
    "validate_sparql": "validation.sparql",
}

#: Functions named like the submodule that defines them: ``clustergraph.build`` is the
#: function, not the module ``clustergraph/build.py``, however the module was imported.
_SHADOWED = frozenset({"build", "generate"})


class _Package(types.ModuleType):
    """The package module, keeping the functions of ``_SHADOWED`` on their names.

    The import system binds a submodule to its parent's attribute once the submodule is
    loaded; for ``build`` and ``generate`` that would put the module where the function
    is documented.

    >>> import clustergraph, clustergraph.build
    >>> callable(clustergraph.build), clustergraph.build.__module__
    (True, 'clustergraph.build')
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    """Import the module behind a lazily exported name (PEP 562).

    >>> import clustergraph
    >>> clustergraph.collaboration_graph.__module__
    'clustergraph.network.graphs'
    """
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'clustergraph' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext clustergraph``: the ``%sparql`` and ``%%sparql`` magics (:mod:`clustergraph.magic`)."""
    from .magic import load_ipython_extension as load

    load(ipython)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "__version__",
    "load_ipython_extension",
    # namespaces and IRIs
    "CG",
    "ID",
    "GRAPH",
    "COUNTRY",
    "bind_prefixes",
    "mint",
    "slug",
    # the main job and publishing
    "build",
    "BuildResult",
    "publish",
    # stores
    "open_dataset",
    "load",
    "dump",
    "select",
    "replace_graph",
    "to_memory",
    "union",
    "oxigraph",
    # import
    "import_sources",
    "load_embedded",
    "ImportReport",
    "write_templates",
    # queries and remote stores
    "run",
    "list_queries",
    "open_data",
    "QueryResult",
    "open_remote",
    # network analysis
    "collaboration_graph",
    "affiliation_graph",
    "sector_graph",
    "country_graph",
    "highlights",
    "analyse",
    "write_metrics",
    # reasoning
    "reason",
    "ReasoningResult",
    "add_inferred",
    "explain",
    "infer",
    "materialise",
    # scale: synthetic data, validation as SPARQL
    "generate",
    "GenerateStats",
    "validate_sparql",
    # validation
    "validate",
    "ValidationReport",
    "Finding",
    # shipped resources
    "ontology_path",
    "shapes_dir",
    "queries_dir",
    "data_dir",
    # errors
    "ClusterGraphError",
    "InputError",
    "InputErrors",
    "Problem",
    "MappingError",
    "NormalisationError",
    "ShapesError",
    "QueryError",
    "ParameterError",
    "StoreError",
    "EndpointError",
    "ReasonerError",
    "JavaNotFoundError",
    "InconsistentOntologyError",
]
