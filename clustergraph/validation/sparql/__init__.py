"""SHACL compiled to SPARQL and run inside Oxigraph, with the results pySHACL gives.

Owns the compiled validation engine, one module per concept: the shapes model
(:mod:`.shapes`), SPARQL text (:mod:`.text`), compiled checks and their results
(:mod:`.checks`), messages in pySHACL's wording (:mod:`.messages`), the compiler of
SHACL Core constraints (:mod:`.compiler`), SHACL-SPARQL constraints
(:mod:`.sparqlconstraints`), compiling a shapes graph (:mod:`.compilation`),
running it (:mod:`.execution`), and literals as the data writes them and as both
engines read them (:mod:`.literals`). Semantics follow pySHACL 0.40 where it departs from
the specification, so both engines agree result for result; a shape the compiler
cannot translate is validated by pySHACL alone and the report says so
(:attr:`SparqlReport.fallback`).

Imports from: core, clustergraph.store, and clustergraph.validation.report.
"""

from __future__ import annotations

from .checks import Check, Plan, Result, SparqlReport
from .compilation import compile_shapes
from .execution import check, results_from_report, validate_sparql

__all__ = [
    "Result",
    "Check",
    "Plan",
    "SparqlReport",
    "compile_shapes",
    "validate_sparql",
    "check",
    "results_from_report",
]
