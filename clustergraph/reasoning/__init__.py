"""Reasoning: OWL DL reasoners and the lightweight rules run in the store.

Owns HermiT and Pellet through owlready2 with their explanations (:mod:`.reasoners`) and
the OWL RL-style rules compiled to SPARQL updates (:mod:`.rules`).

Imports from: core and :mod:`clustergraph.store`.
"""

from __future__ import annotations

from .reasoners import (
    REASONERS,
    ReasoningResult,
    add_inferred,
    counts,
    explain,
    java_executable,
    reason,
)
from .remote import StoreRun, infer_in_store
from .rules import (
    DEFINED_CLASS_RULES,
    GROUPS,
    HIDDEN_PROPERTIES,
    IRREFLEXIVE_OUTPUT,
    Rule,
    RuleRun,
    Workspace,
    compile_rules,
    infer,
    last_run,
    materialise,
    superclasses,
    ontology_graph,
)

__all__ = [
    "DEFINED_CLASS_RULES",
    "GROUPS",
    "HIDDEN_PROPERTIES",
    "IRREFLEXIVE_OUTPUT",
    "REASONERS",
    "ReasoningResult",
    "Rule",
    "RuleRun",
    "StoreRun",
    "Workspace",
    "add_inferred",
    "compile_rules",
    "counts",
    "explain",
    "infer",
    "infer_in_store",
    "java_executable",
    "last_run",
    "materialise",
    "ontology_graph",
    "reason",
    "superclasses",
]
