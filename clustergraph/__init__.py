"""clustergraph: the European cluster excellence ecosystem as a knowledge graph.

The rdflib ``Dataset`` is the currency between stages: import builds one,
validation, queries, reasoning, network analysis and publishing read it.

>>> import clustergraph
>>> clustergraph.CG.Project
rdflib.term.URIRef('https://w3id.org/clustergraph/ontology#Project')
"""

from __future__ import annotations

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
from .iri import mint, slug
from .namespaces import CG, COUNTRY, GRAPH, ID, bind_prefixes
from .resources import data_dir, ontology_path, queries_dir, shapes_dir
from .store.dataset import dump, load, open_dataset, oxigraph, replace_graph, select, to_memory, union
from .ingest.importer import ImportReport, import_sources, load_embedded
from .ingest.template import write_templates
from .query.execution import QueryResult, list_queries, open_data, run
from .store.remote import open_remote
from .validation.report import Finding, ValidationReport
from .validation.engine import validate
from .build import BuildResult, build
from .publishing.site import publish
from .reasoning.reasoners import ReasoningResult, add_inferred, explain, reason
from .reasoning.rules import infer, materialise
from .generate import GenerateStats, generate
from .validation.sparql import validate_sparql

__version__ = "0.1.0"

#: Names imported on first use: their modules pull in networkx, pandas and scipy, which
#: would triple the start-up time of every command that does not analyse networks. (A name
#: that is also a submodule's name, such as ``build``, cannot be lazy: importing the
#: submodule would put the module where the function should be.)
_LAZY = {
    "affiliation_graph": "network.graphs",
    "collaboration_graph": "network.graphs",
    "country_graph": "network.graphs",
    "highlights": "network.overview",
    "sector_graph": "network.graphs",
    "analyse": "network.metrics",
    "write_metrics": "network.metrics",
}


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
