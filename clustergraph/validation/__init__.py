"""SHACL validation: the engine choice, shapes compiled to SPARQL, and reports.

Owns loading and checking shapes (:mod:`.shapes`), choosing between pySHACL and the
compiled engine (:mod:`.engine`), compiling SHACL shapes to SPARQL and running them
in the store (the :mod:`.sparql` package), and the steward-readable report with its
exit statuses (:mod:`.report`).

Imports from: core and :mod:`clustergraph.store`.
"""

from __future__ import annotations

from .engine import (
    AUTO_SPARQL_TRIPLES,
    ENGINES,
    INFERENCE,
    entity_name,
    rdfs_closure,
    source_of,
    validate,
)
from .report import (
    EXIT_CODES,
    FINDING_KEYS,
    JSON_KEYS,
    SEVERITIES,
    Finding,
    ValidationReport,
    check_fail_on,
    copy_description,
    render,
    severity_name,
    sort_findings,
    summary,
    to_graph,
    to_json,
    to_text,
    to_turtle,
)
from .shapes import SHAPES, check_shapes_safety, load_shapes
from .sparql import (
    Check,
    Plan,
    Result,
    SparqlReport,
    check,
    compile_shapes,
    results_from_report,
    validate_sparql,
)

__all__ = [
    "AUTO_SPARQL_TRIPLES",
    "Check",
    "ENGINES",
    "EXIT_CODES",
    "FINDING_KEYS",
    "Finding",
    "INFERENCE",
    "JSON_KEYS",
    "Plan",
    "Result",
    "SEVERITIES",
    "SHAPES",
    "SparqlReport",
    "ValidationReport",
    "check",
    "check_fail_on",
    "check_shapes_safety",
    "compile_shapes",
    "copy_description",
    "entity_name",
    "load_shapes",
    "rdfs_closure",
    "render",
    "results_from_report",
    "severity_name",
    "sort_findings",
    "source_of",
    "summary",
    "to_graph",
    "to_json",
    "to_text",
    "to_turtle",
    "validate",
    "validate_sparql",
]
