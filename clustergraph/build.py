"""The main job: import the dataset, check it, and write it out.

:func:`build` imports the embedded Cluster Excellence dataset (or the tables and
RDF files a user names), optionally adds inferred triples, validates the result
against the shipped SHACL shapes, writes Turtle, N-Triples, JSON-LD and TriG
(with the named graphs and provenance) atomically, and returns a
:class:`BuildResult` whose :meth:`~BuildResult.summary` is what ``clustergraph
build`` prints.

Nothing is lost and nothing is left: the four files replace the previous ones
together at the end or not at all (a failure, ``kill -9`` included, leaves the
previous output as it was, and the next build removes what the killed one left);
a full disk or a folder that cannot be written is a
:class:`~clustergraph.errors.WriteError` naming the path; an on-disk store is
created only in a new or empty folder (or reopened where one already is), and a
store this build created is removed again if the build fails.

>>> import tempfile
>>> scratch = tempfile.TemporaryDirectory()
>>> result = build(scratch.name, validate=False, network=False)
>>> result.counts["cg:Project"] >= 12
True
>>> sorted(p.name for p in result.files)
['clustergraph.jsonld', 'clustergraph.nt', 'clustergraph.trig', 'clustergraph.ttl']
>>> scratch.cleanup()
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset

from .atomic import atomic_dir, writing
from .namespaces import CG
from .store import dataset as _store

__all__ = ["BuildResult", "build", "class_counts", "finding_groups", "OUTPUT_FORMATS"]

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
    stored: list[Any] = field(default_factory=list)
    endpoint: str | None = None

    def summary(self, *, verbose: bool = True, width: int = 80) -> list[str]:
        """Human-readable lines: triples, entities per class, findings, network highlights.

        ``verbose`` (the default) lists every finding on its own line, as
        ``clustergraph validate`` does; otherwise (``clustergraph build`` without
        ``--verbose``) the lines fit ``width`` columns and findings of the same kind
        are counted on one line ("9 projects: no consortium recorded: ...").
        """
        if not verbose:
            return self._brief(width)
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
        return lines + self._stored_lines()

    def _brief(self, width: int) -> list[str]:
        import textwrap

        def wrap(text: str, indent: str = "  ", lines: int = 3) -> list[str]:
            return textwrap.wrap(text, width, subsequent_indent=indent, max_lines=lines, placeholder=" …", break_on_hyphens=False) or [""]

        out = [f"{self.triples:,} triples" + (f" ({self.inferred:,} inferred)" if self.inferred else "")]
        by_size = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out += wrap("entities: " + ", ".join(f"{n} {c.split(':', 1)[1]}" for c, n in by_size), lines=5)
        if self.report is not None:
            out.append(f"validation: {self.report.summary()} (--verbose lists each)")
            for severity, text, names in finding_groups(self.report.findings):
                label = f"  {severity:<9}  "
                shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
                out += wrap(f"{label}{text}: {shown}", " " * len(label), 2)
        if self.highlights:
            out.append("network:")
            for h in self.highlights:
                out += wrap("  " + h, "    ", 2)
        if self.files:
            folder = self.files[0].parent
            out += wrap(f"wrote {folder}: " + ", ".join(p.name for p in self.files))
        out += self._stored_lines()
        return out

    def _stored_lines(self) -> list[str]:
        if not self.stored:
            return []
        return [f"stored {len(self.stored)} graphs ({sum(r.triples for r in self.stored)} triples) in {self.endpoint}"]

    def __repr__(self) -> str:
        found = f"; {self.report.summary()}" if self.report is not None else ""
        return f"<BuildResult: {self.triples:,} triples, {sum(self.counts.values()):,} entities{found}; {len(self.files)} files>"

    def _repr_html_(self) -> str:
        from .display import key_values_html, table_html

        summary = [("triples", self.triples), ("inferred", self.inferred), ("entities", sum(self.counts.values()))]
        if self.report is not None:
            summary.append(("validation", self.report.summary()))
        summary += [("files", ", ".join(p.name for p in self.files))]
        parts = [key_values_html(summary, caption="Build"), table_html(["class", "entities"], sorted(self.counts.items()), caption="Entities per class")]
        if self.highlights:
            parts.append(table_html(["network highlights"], [[h] for h in self.highlights]))
        return "".join(parts)


def finding_groups(findings: Sequence[Any]) -> list[tuple[str, str, list[str]]]:
    """Findings of the same kind counted together: ``(severity, "9 projects: no consortium recorded", names)``.

    A kind is the shape and property that found it; its text is the problem without the
    figures in brackets, up to its first clause; names are the entities' names.

    >>> from rdflib import URIRef
    >>> from clustergraph.validation.report import Finding
    >>> f = [Finding(URIRef(f"https://w3id.org/clustergraph/id/project/{n}"), None, "Info",
    ...      "No consortium recorded: no organisation takes part. Fix: add them.", None, URIRef("urn:s"), None, entity_name=n)
    ...      for n in ("B", "A")]
    >>> finding_groups(f)
    [('Info', '2 projects: no consortium recorded', ['A', 'B'])]
    """
    import re

    groups: dict[tuple[int, str, str], list[Any]] = {}
    for f in findings:
        key = (f.rank, str(f.source_shape or ""), str(f.path_text or f.path or "") + ("" if f.source_shape else f.problem))
        groups.setdefault(key, []).append(f)
    out = []
    for (_, _, _), items in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]), kv[1][0].problem)):
        first = items[0]
        problem = re.sub(r"\s*\([^)]*\)", "", first.problem)
        problem = re.split(r"[:;,.](?:\s|$)", problem, maxsplit=1)[0].strip()
        problem = problem[:1].lower() + problem[1:]
        kinds = {_kind_of(f.focus) for f in items}
        kind = kinds.pop() if len(kinds) == 1 else "entity"
        plural = "entities" if kind == "entity" else (kind[:-1] + "ies" if kind.endswith("y") else kind + "s")
        count = f"{len(items)} {kind if len(items) == 1 else plural}"
        names = sorted((f.entity_name or str(f.focus).rsplit("/", 1)[-1] for f in items), key=str.casefold)
        out.append((first.severity, f"{count}: {problem}", names))
    return out


def _kind_of(focus: Any) -> str:
    text = str(focus)
    base = "https://w3id.org/clustergraph/id/"
    return text[len(base):].split("/", 1)[0] if text.startswith(base) and "/" in text[len(base):] else "entity"


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
    endpoint: Any = None,
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
    endpoint:
        A remote store that receives the graph once it is built and written: an
        :class:`~clustergraph.store.remote.Endpoint`, a query URL or a name from the
        endpoints file. Every named graph (sources, provenance, inferred) and the
        shipped ontology, in a graph of its own, replace their namesakes all or nothing
        (:func:`clustergraph.store.upload.push_graphs`); ``result.stored`` lists them.

    Returns
    -------
    BuildResult
    """
    from .ingest import importer as ingest

    created = _store.store_target(store_path) if store_path is not None else None
    with contextlib.ExitStack() as stack:
        # The staging folder is made first: an output folder that cannot be written
        # fails at once, not after the whole build.
        staging = stack.enter_context(atomic_dir(out)) if out is not None else None
        try:
            with writing(store_path, unchanged=created is not None) if store_path is not None else contextlib.nullcontext():
                if created is not None and not created[1]:
                    Path(store_path).mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]  # Oxigraph makes no parents
                result = _run(ingest, sources, store, store_path, validate, reason, network)
            if staging is not None:
                for suffix, fmt in OUTPUT_FORMATS.items():
                    _store.dump(result.dataset, staging / f"clustergraph.{suffix}", fmt)
        except BaseException as exc:
            if created is not None:  # a failed build leaves no store it made
                result = None  # type: ignore[assignment]
                _store.remove_created(created, exc)
            raise
    if out is not None:
        result.files = [Path(out) / f"clustergraph.{suffix}" for suffix in OUTPUT_FORMATS]
    if endpoint is not None:
        from .store.remote import Endpoint, resolve
        from .store.upload import push_graphs

        ep = endpoint if isinstance(endpoint, Endpoint) else resolve(endpoint)
        result.stored = push_graphs(with_ontology(result.dataset), ep)
        result.endpoint = ep.url
    return result


def with_ontology(dataset: Dataset) -> Dataset:
    """``dataset`` with the shipped ontology in its own named graph (``cggraph:ontology``), unless it has it.

    A store that is sent the data gets the class hierarchy its queries and the
    validation in the store rely on.

    >>> from clustergraph import store
    >>> ds = store.open_dataset()
    >>> from clustergraph.namespaces import CG
    >>> (CG.Gold, CG.rank, None) in with_ontology(ds)
    True
    """
    from .namespaces import GRAPH
    from .resources import ontology_path

    if (CG.Gold, CG.rank, None) not in dataset:
        _store.load(dataset, ontology_path(), graph=GRAPH.ontology)
    return dataset


def _run(ingest: Any, sources: Sequence[Any] | None, store: str, store_path: Any, validate: bool, reason: bool, network: bool) -> BuildResult:
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
    return result


