"""The main job: import the dataset, check it, and write it out.

:func:`build` imports the embedded Cluster Excellence dataset (or the tables and
RDF files a user names), optionally adds inferred triples, validates the result
against the shipped SHACL shapes, writes Turtle, N-Triples, JSON-LD and TriG
(with the named graphs and provenance) atomically, and returns a
:class:`BuildResult` whose :meth:`~BuildResult.summary` is what ``clustergraph
build`` prints.

>>> import tempfile
>>> result = build(tempfile.mkdtemp(), validate=False, network=False)
>>> result.counts["cg:Project"] >= 12
True
>>> sorted(p.name for p in result.files)
['clustergraph.jsonld', 'clustergraph.nt', 'clustergraph.trig', 'clustergraph.ttl']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset

from .store import dataset as _store
from .atomic import atomic_dir
from .namespaces import CG

__all__ = ["BuildResult", "build", "class_counts", "OUTPUT_FORMATS"]

#: File name suffix → format written by :func:`build`.
OUTPUT_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig"}

_COUNT_QUERY = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s a ?class . FILTER(STRSTARTS(STR(?class), "https://w3id.org/clustergraph/ontology#")) }
GROUP BY ?class ORDER BY ?class
"""


@dataclass
class BuildResult:
    """What :func:`build` made: the dataset, the files, the counts and the findings."""

    dataset: Dataset
    files: list[Path] = field(default_factory=list)
    triples: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    report: Any = None
    inferred: int = 0
    highlights: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Short human-readable lines: triples, entities per class, findings, network highlights."""
        lines = [f"{self.triples} triples" + (f" ({self.inferred} inferred)" if self.inferred else "")]
        lines.append("entities: " + ", ".join(f"{n} {c.split(':', 1)[1]}" for c, n in self.counts.items()))
        if self.report is not None:
            lines.append("validation: " + self.report.summary())
            lines.extend("  " + line for line in self.report.to_text(summary=False).splitlines() if line.strip())
        if self.highlights:
            lines.append("network:")
            lines.extend("  " + h for h in self.highlights)
        if self.files:
            lines.append("wrote " + ", ".join(str(p) for p in self.files))
        return lines


def class_counts(graph: Any) -> dict[str, int]:
    """Number of distinct entities per clustergraph class, as ``{"cg:Project": 12, ...}``.

    >>> from clustergraph.store import open_dataset, load
    >>> ds = open_dataset()
    >>> _ = load(ds, b'<http://ex.org/p> a <https://w3id.org/clustergraph/ontology#Project> .', format="turtle", graph="http://ex.org/g")
    >>> class_counts(ds)
    {'cg:Project': 1}
    """
    _, rows = _store.select(graph, _COUNT_QUERY)
    return {"cg:" + str(c)[len(str(CG)) :]: int(n) for c, n in rows}


def build(
    out: str | os.PathLike[str] | None = None,
    *,
    sources: Sequence[str | os.PathLike[str]] | None = None,
    store: str = "oxigraph",
    store_path: str | os.PathLike[str] | None = None,
    validate: bool = True,
    reason: bool = False,
    network: bool = True,
) -> BuildResult:
    """Build the knowledge graph and write it to ``out``.

    Parameters
    ----------
    out:
        Directory that receives ``clustergraph.ttl``, ``.nt``, ``.jsonld`` and
        ``.trig``; ``None`` writes nothing. Files appear all together or not at all.
    sources:
        Tables (CSV, XLSX, JSON) and RDF files to import instead of the embedded
        dataset.
    store, store_path:
        Where the graph lives while it is built (see :func:`clustergraph.store.open_dataset`).
    validate:
        Run the SHACL shapes and attach the report (the data is written either way:
        findings are for the steward to read, the published figures stay as they are).
    reason:
        Add the lightweight inferences (:func:`clustergraph.reasoning.rules.materialise`) in
        their own named graph.
    network:
        Compute the network highlights (brokers, cross-sector bridges).

    Returns
    -------
    BuildResult
    """
    from .ingest import importer as ingest

    dataset = _store.open_dataset(store, store_path)
    if sources:
        ingest.import_sources(list(sources), dataset)
    else:
        ingest.load_embedded(dataset)
    result = BuildResult(dataset=dataset)
    if reason:
        from .reasoning.rules import materialise

        inferred = materialise(dataset)
        result.inferred = len(inferred)
    result.triples = len(_store.union(dataset))
    result.counts = class_counts(dataset)
    if validate:
        from .validation.engine import validate as _validate

        result.report = _validate(dataset)
    if network:
        from .network.overview import highlights

        result.highlights = highlights(dataset)
    if out is not None:
        with atomic_dir(out) as tmp:
            for suffix, fmt in OUTPUT_FORMATS.items():
                _store.dump(dataset, tmp / f"clustergraph.{suffix}", fmt)
        result.files = [Path(out) / f"clustergraph.{suffix}" for suffix in OUTPUT_FORMATS]
    return result
