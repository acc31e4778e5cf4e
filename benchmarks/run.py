#!/usr/bin/env python
"""Benchmarks: clustergraph's fast path against the plain rdflib / pySHACL path, measured in the same run.

Usage (from the repository root)::

    python benchmarks/run.py --sizes 10k,100k,1M --cutoff 120 --out benchmarks/RESULTS.md

For each size a synthetic graph is generated with ``clustergraph.generate`` (seed 1,
5% deliberate errors) and cached under ``--work``. Every measurement runs in its own
subprocess, so that its peak memory (VmHWM) is its own and a baseline that runs past
``--cutoff`` seconds can be killed and reported as "> cut-off":

- load: Oxigraph's bulk loader, and ``store.load`` (the library's staged, all-or-nothing load into
  an Oxigraph dataset), vs ``rdflib.Graph().parse``;
- queries: every library query (``queries/*.rq``, default parameters) through
  ``clustergraph.query.execution.run`` on Oxigraph vs rdflib's memory store (each rdflib query
  cut off alone; rows compared between the two);
- validation: the project's shapes compiled to SPARQL (``clustergraph.validation.sparql``,
  load + validate) vs pySHACL on rdflib's memory store (findings compared);
- turbo, rudof: the same validation against ``pyshacl-turbo`` (on rdflib's memory store, as
  pySHACL) and ``pyrudof`` (reading the files itself), each in the interpreter given by
  ``--turbo-python`` / ``--rudof-python`` (their own virtual environments: nothing from
  clustergraph is imported there; the shapes and the ontology context are written to
  ``--work`` as files); a process above 8 GB resident is stopped and reported as such;
- shapes: the same comparison shape file by shape file (only that file's targets kept), so
  that the findings are compared with pySHACL's where pySHACL finishes a file within the
  cut-off even when it cannot finish all of them;
- network: ``clustergraph.network.graphs.collaboration_graph`` on Oxigraph vs rdflib's store;
- publish: an N-Triples dump with ``store.dump`` (sorted, atomic) and with Oxigraph's own
  serializer vs ``Graph.serialize``.

Ratios are baseline time / fast time. The results and the command go to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GRAPH = "https://w3id.org/clustergraph/graph/generated"
#: Values for library queries whose parameters have no default (they exist in generated data).
PARAMS = {
    "holds-label": {"organisation": "cgid:organisation/aurora-innovation-cluster-0"},
    "organisations-by-name": {"name": "cluster"},
}
TASKS = {
    "bulk": ("load-pyoxigraph", "load-rdflib"),
    "load": ("load-oxigraph", "load-rdflib"),
    "queries": ("queries-oxigraph", "queries-rdflib"),
    "validation": ("validate-sparql", "validate-pyshacl"),
    "turbo": ("validate-sparql", "validate-turbo"),
    "rudof": ("validate-sparql", "validate-rudof"),
    "shapes": ("shapes-sparql", "shapes-pyshacl"),
    "network": ("network-oxigraph", "network-rdflib"),
    "publish": ("dump-oxigraph", "dump-rdflib"),
    "serialize": ("dump-pyoxigraph", "dump-rdflib"),
    "results": ("results-stream", "results-plain"),
    "plans": ("results-plan", "results-sparql"),
}
#: Queries of the ``results`` group: big results written to CSV and read into a DataFrame.
RESULT_QUERIES = {
    "co-participants": "co-participants",
    "all triples": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
}
if os.environ.get("CLUSTERGRAPH_BENCH_CONSTRUCT"):  # its plain path (rdflib terms, then Turtle) takes minutes at 1M
    RESULT_QUERIES["collaboration-network"] = "collaboration-network"
#: Queries of the ``plans`` group: the library queries with a columnar plan, against Oxigraph's own evaluation.
PLAN_QUERIES = {"co-participants": "co-participants", "collaboration-network": "collaboration-network"}


def sparql_twin(name: str) -> Any:
    """Library query ``name`` with a no-op ``FILTER (true)`` added: no columnar plan, so Oxigraph evaluates it."""
    from clustergraph.query.library import get, parse

    text = get(name).text
    twin = text.replace("FILTER (?partner != ?organisation)", "FILTER (?partner != ?organisation) FILTER (true)")
    assert twin != text, name
    return parse(twin, name=name)
ERROR_RATE = 0.05


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --- workers (each runs in its own process) ------------------------------------------


class Cutoff(BaseException):
    """Raised by the timer; a BaseException so that library code's ``except Exception`` lets it through."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise Cutoff()


def _timed(fn, cutoff: float | None = None) -> tuple[float | None, Any]:
    """Run ``fn``; (seconds, result), or (None, None) if it ran past ``cutoff`` (pure-Python code is interrupted)."""
    if cutoff:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, cutoff)
    start = time.perf_counter()
    try:
        result = fn()
    except Cutoff:
        return None, None
    finally:
        if cutoff:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - start, result


def _norm(term: Any) -> Any:
    from rdflib import BNode, Literal

    if isinstance(term, Literal) and term.datatype and isinstance(term.value, (int, float, Decimal)) and not isinstance(term.value, bool):
        return ("number", round(float(term.value), 4))
    if isinstance(term, BNode):
        return "_:b"
    return str(term) if term is not None else None


def _digest(rows: Any) -> str:
    counted = Counter(tuple(_norm(x) for x in row) for row in rows)
    return hashlib.sha256(repr(sorted(counted.items(), key=repr)).encode()).hexdigest()[:16]


def _answer(result: Any) -> list[tuple[Any, ...]]:
    """A query's answer as rows: SELECT rows, CONSTRUCT triples, or the ASK boolean."""
    if result.kind == "SELECT":
        return list(result.rows)
    if result.kind == "ASK":
        return [(result.boolean,)]
    return list(result.graph or ())


def _dataset(kind: str, data: str) -> Any:
    from clustergraph import store

    ds = store.open_dataset(kind)
    store.load(ds, data, graph=GRAPH)
    return ds


def _context() -> Any:
    from rdflib import Graph

    from clustergraph.validation.engine import add_ontology_context, ontology_graph

    context = Graph()
    add_ontology_context(context, ontology_graph(None, shipped=True))
    return context


def _shapes_by_file(shapes: Any, shapes_dir: str | None) -> dict[str, Any]:
    """One shapes graph per shape file: all shapes, but only that file's shapes keep their targets."""
    from rdflib import Graph
    from rdflib.namespace import SH

    from clustergraph.resources import shapes_dir as shipped
    from clustergraph.validation.sparql.execution import restricted

    targets = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target)
    out = {}
    for file in sorted(Path(shapes_dir or shipped()).glob("*.ttl")):
        own = Graph().parse(file, format="turtle")
        keep = {s for p in targets for s in own.subjects(p, None)}
        if keep:
            out[file.name] = restricted(shapes, keep)
    return out


def _validations(kind: str, data: str, suites: dict[str, Any], cutoff: float) -> tuple[float | None, dict[str, Any]]:
    """Load ``data`` once and validate it with each shapes graph of ``suites``.

    ``kind`` "oxigraph": the shapes compiled to SPARQL, in Oxigraph; otherwise pySHACL on
    rdflib's memory store, each suite cut off after ``cutoff`` seconds. Returns the load
    time and, per suite, its time, findings and their digest (or ``{"cutoff": True}``).
    """
    context = _context()
    runs: dict[str, Any] = {}
    if kind == "oxigraph":
        from clustergraph.validation.sparql import validate_sparql

        load, ds = _timed(lambda: _dataset("oxigraph", data))
        for name, sg in suites.items():
            seconds, report = _timed(lambda: validate_sparql(ds, sg, context=context))  # noqa: B023 (called at once)
            runs[name] = {"seconds": seconds, "fallback": len(report.fallback), **_findings(report.results)}
        return load, runs
    import pyshacl
    from rdflib import Graph

    from clustergraph.validation.sparql import results_from_report

    load, g = _timed(lambda: Graph().parse(data, format="nt"))
    for t in context:
        g.add(t)
    for name, sg in suites.items():
        seconds, report = _timed(lambda: pyshacl.validate(g, shacl_graph=sg, inplace=True, allow_warnings=True, allow_infos=True)[1], cutoff)  # noqa: B023
        runs[name] = {"cutoff": True} if report is None else {"seconds": seconds, **_findings(results_from_report(report))}
    return load, runs


def _findings(results: Any) -> dict[str, Any]:
    results = list(results)
    return {
        "findings": len(results),
        "digest": _digest((r.focus, r.path, r.value, r.severity, r.source_shape, r.component, r.message) for r in results),
        "keys": _keys((r.focus, r.path, r.value, r.severity, r.component) for r in results),
    }


def _local(text: Any) -> str:
    return re.split(r"[#/:]", str(text).strip("<>"))[-1]


def _keys(rows: Any) -> str:
    """A digest of (focus, path, value, severity, component) that engines wording their results
    differently can share: IRIs as text, a complex path or blank node as "_:b", severity and
    component by local name, literals by their lexical form."""

    def text(term: Any) -> str | None:
        if term is None:
            return None
        value = str(term)
        if value.startswith("_:") or type(term).__name__ == "BNode":
            return "_:b"
        if value.startswith('"') and type(term).__name__ != "Literal":  # an engine's own text: "2020-01-01"^^xsd:date
            return value[1 : value.rindex('"')]
        return value.strip("<>")

    counted = Counter((text(f), text(p), text(v), _local(s), _local(c)) for f, p, v, s, c in rows)
    return hashlib.sha256(repr(sorted(counted.items(), key=repr)).encode()).hexdigest()[:16]


def _report_results(report: Any) -> list[tuple[Any, ...]]:
    """(focus, path, value, severity, source shape, component, message) of each result of a SHACL
    validation report graph (rdflib), the messages joined as clustergraph joins them."""
    from rdflib import Literal
    from rdflib.namespace import SH

    out = []
    for r in report.objects(None, SH.result):
        messages = "\n".join(sorted({str(m) for m in report.objects(r, SH.resultMessage) if isinstance(m, Literal)})) or None
        out.append(tuple(report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity, SH.sourceShape, SH.sourceConstraintComponent)) + (messages,))
    return out


def _other_engine(task: str, data: str, cutoff: float, inputs: Path) -> dict[str, Any]:
    """``validate-turbo`` (pyshacl-turbo on rdflib's memory store, as pySHACL is run) or
    ``validate-rudof`` (pyrudof reading the files itself), in an interpreter of their own:
    nothing from clustergraph is imported; the shapes and the ontology context come as files
    the parent wrote (``inputs``)."""
    shapes_file, context_file = inputs / "validation-shapes.ttl", inputs / "validation-context.nt"
    out: dict[str, Any] = {"task": task}
    if task == "validate-turbo":
        import pyshacl_turbo
        from rdflib import Graph

        out["version"] = getattr(pyshacl_turbo, "__version__", None) or _version("pyshacl-turbo")
        out["load"], g = _timed(lambda: Graph().parse(data, format="nt"))
        g.parse(context_file, format="nt")
        sg = Graph().parse(shapes_file, format="turtle")
        seconds, report = _timed(lambda: pyshacl_turbo.validate(g, shacl_graph=sg, inplace=True, allow_warnings=True, allow_infos=True)[1], cutoff)
        if report is None:
            return {**out, "cutoff": True, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        rows = _report_results(report)
        out["seconds"] = seconds
        out.update({"findings": len(rows), "digest": _digest(rows), "keys": _keys(r[:4] + (r[5],) for r in rows)})
    else:
        import pyrudof

        out["version"] = _version("pyrudof")
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())

        def load() -> None:
            rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
            rudof.read_data(str(context_file), format=pyrudof.RDFFormat.NTriples, merge=True)
            rudof.read_shacl(str(shapes_file), format=pyrudof.ShaclFormat.Turtle)

        out["load"], _ = _timed(load)
        seconds, report = _timed(lambda: rudof.validate_shacl(), cutoff)
        if report is None:
            return {**out, "cutoff": True, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        rows = [(e.focus_node, e.path, e.value, e.severity, e.constraint_component) for e in report.violations]
        out["seconds"] = seconds
        out.update({"findings": len(rows), "keys": _keys(rows)})
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def write_inputs(work: Path, shapes_dir: str | None) -> None:
    """The shapes and the ontology context as files, for engines run without clustergraph."""
    from clustergraph.validation.shapes import load_shapes

    load_shapes(shapes_dir).serialize(work / "validation-shapes.ttl", format="turtle")
    _context().serialize(work / "validation-context.nt", format="nt", encoding="utf-8")


def _warm_up() -> None:
    """Import and exercise the libraries once, so that timings measure work, not imports."""
    import pyoxigraph  # noqa: F401
    import pyshacl  # noqa: F401
    from rdflib import Graph

    from clustergraph import store
    from clustergraph import network  # noqa: F401
    from clustergraph.query import execution as query
    from clustergraph.validation import sparql  # noqa: F401

    tiny = b"<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> .\n"
    for kind in ("oxigraph", "memory"):
        store.load(store.open_dataset(kind), tiny, format="nt", graph=GRAPH)
    Graph().parse(data=tiny.decode(), format="nt").serialize(format="nt")


def worker(task: str, data: str, cutoff: float, shapes_dir: str | None = None, inputs: str | None = None) -> dict[str, Any]:
    if task in OTHER_ENGINES:
        return _other_engine(task, data, cutoff, Path(inputs or "."))
    out: dict[str, Any] = {"task": task}
    kind = "oxigraph" if task.endswith(("oxigraph", "sparql")) else "memory"
    _warm_up()
    if task.endswith("pyoxigraph"):
        kind = "pyoxigraph"
    if task == "load-pyoxigraph":
        import pyoxigraph as ox

        native = ox.Store()
        seconds, _ = _timed(lambda: native.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH)))
        out["triples"] = len(native)
        out["seconds"] = seconds
    elif task.startswith("load"):
        if kind == "oxigraph":
            seconds, ds = _timed(lambda: _dataset("oxigraph", data))
            from clustergraph.store.dataset import oxigraph

            out["triples"] = len(oxigraph(ds))
        else:
            from rdflib import Graph

            seconds, g = _timed(lambda: Graph().parse(data, format="nt"), cutoff)
            if g is None:
                return {**out, "cutoff": True, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
            out["triples"] = len(g)
        out["seconds"] = seconds
    elif task.startswith("queries"):
        from clustergraph.errors import ParameterError
        from clustergraph.query.library import list_queries
        from clustergraph.query.execution import run

        out["load"], ds = _timed(lambda: _dataset(kind, data))
        from clustergraph.store.dataset import oxigraph

        huge = len(oxigraph(ds) or ()) > QUERY_BASELINE_MAX
        queries = {}
        for named in list_queries():
            params = PARAMS.get(named.name, {})
            try:
                named.bindings(params)
            except ParameterError as exc:
                queries[named.name] = {"skipped": str(exc)}
                continue
            if huge and named.name in LARGE_RESULTS:
                # streamed through Oxigraph's own result writers: no Python object per term
                from clustergraph.query.results import stream

                target = Path(tempfile.mkdtemp()) / "result"
                fmt = "csv" if named.form == "SELECT" else "turtle"
                seconds, rows = _timed(lambda: stream(ds, named, target, fmt, params))
                queries[named.name] = {"seconds": seconds, "rows": rows, "streamed": fmt}
                target.unlink()
                continue
            if kind == "oxigraph":  # best of three (one run above 1M triples); keep one result only
                seconds, result = _timed(lambda: run(ds, named, params))
                for _ in range(0 if huge else 2):
                    again, _ = _timed(lambda: len(run(ds, named, params).rows))
                    seconds = min(seconds, again)
            else:
                seconds, result = _timed(lambda: run(ds, named, params), cutoff)
            entry: dict[str, Any] = {"seconds": seconds}
            if result is not None:
                rows = _answer(result)
                entry["rows"] = len(rows)
                entry["digest"] = _digest(rows)
            queries[named.name] = entry
        out["queries"] = queries
    elif task.startswith(("validate", "shapes")):
        from clustergraph.validation.shapes import load_shapes

        shapes = load_shapes(shapes_dir)
        whole = task.startswith("validate")
        out["load"], runs = _validations(kind, data, {"all": shapes} if whole else _shapes_by_file(shapes, shapes_dir), cutoff)
        if not whole:
            out["files"] = runs
        elif runs["all"].get("cutoff"):
            return {**out, "cutoff": True, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        else:
            out.update(runs["all"])
    elif task.startswith("results"):
        from clustergraph.query.execution import run
        from clustergraph.query.results import dataframe, stream

        out["load"], ds = _timed(lambda: _dataset("oxigraph", data))
        target = Path(tempfile.mkdtemp()) / "result.csv"
        entries: dict[str, Any] = {}
        queries = PLAN_QUERIES if task in ("results-plan", "results-sparql") else RESULT_QUERIES
        for name, query in queries.items():
            entry: dict[str, Any] = {}
            # a CONSTRUCT result is a graph: Turtle (Oxigraph's serializer on the fast paths, rdflib's on the plain one)
            fmt = "turtle" if name == "collaboration-network" else "csv"
            entry["format"] = fmt
            if task == "results-sparql":
                query = sparql_twin(name)
            if task in ("results-stream", "results-plan", "results-sparql"):
                entry["csv"], entry["rows"] = _timed(lambda: stream(ds, query, target, fmt), cutoff if task == "results-sparql" else None)
                if entry["csv"] is None:
                    entries[name] = {"cutoff": True}
                    continue
                entry["digest"] = _graph_digest(target) if fmt == "turtle" else hashlib.sha256(target.read_bytes()).hexdigest()[:16]
                if fmt == "turtle":
                    target.unlink()
                    entries[name] = entry
                    continue
                entry["dataframe"], frame = _timed(lambda: dataframe(ds, query), cutoff if task == "results-sparql" else None)
                if frame is None:
                    entries[name] = {**entry, "cutoff": True}
                    continue
            else:
                ran, result = _timed(lambda: run(ds, query), cutoff)
                if result is None:
                    entries[name] = {"cutoff": True}
                    continue
                written, _ = _timed(lambda: target.write_bytes(result.serialize(fmt).encode()))
                entry["csv"], entry["rows"] = ran + written, len(result)
                entry["digest"] = hashlib.sha256(target.read_bytes()).hexdigest()[:16] if fmt == "csv" else _graph_digest(target)
                if fmt == "turtle":
                    del result
                    target.unlink()
                    entries[name] = entry
                    continue
                converted, frame = _timed(lambda: result.to_dataframe())
                entry["dataframe"] = ran + converted
                del result
            entry["frame_digest"] = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16] if fmt == "csv" else None
            del frame
            target.unlink()
            entries[name] = entry
        out["results"] = entries
    elif task.startswith("network"):
        from clustergraph.network.graphs import collaboration_graph

        out["load"], ds = _timed(lambda: _dataset(kind, data))
        out["seconds"], G = _timed(lambda: collaboration_graph(ds), cutoff if kind == "memory" else None)
        if G is None:
            return {**out, "cutoff": True, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        out["nodes"], out["edges"] = G.number_of_nodes(), G.number_of_edges()
        out["digest"] = _digest((u, v, d.get("weight")) if u < v else (v, u, d.get("weight")) for u, v, d in G.edges(data=True))
    elif task.startswith("dump"):
        target = Path(tempfile.mkdtemp()) / "dump.nt"
        if task == "dump-pyoxigraph":
            import pyoxigraph as ox

            native = ox.Store()
            out["load"], _ = _timed(lambda: native.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH)))
            out["seconds"], _ = _timed(lambda: native.dump(str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH)))
        elif kind == "oxigraph":
            from clustergraph import store

            out["load"], ds = _timed(lambda: _dataset("oxigraph", data))
            out["seconds"], _ = _timed(lambda: store.dump(ds, target, "nt"))
        else:
            from rdflib import Graph

            out["load"], g = _timed(lambda: Graph().parse(data, format="nt"))
            out["seconds"], done = _timed(lambda: g.serialize(destination=str(target), format="nt", encoding="utf-8") or True, cutoff)
            if done is None:
                return {**out, "cutoff": True, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        out["bytes"] = target.stat().st_size
        with target.open("rb") as fh:
            out["lines"] = sum(1 for line in fh if line.strip())
        target.unlink()
    else:
        raise SystemExit(f"unknown task {task}")
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


# --- the parent: subprocesses, cut-offs, peak memory ------------------------------------


def _graph_digest(path: Path) -> str:
    """A digest of the triples of a Turtle file, whatever their order and prefixes."""
    import pyoxigraph as ox

    return _digest((str(t),) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def _hwm(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


SHAPES_DIR: str | None = None
COMMAND = ""
#: The validation engines run in an interpreter of their own (``--turbo-python``, ``--rudof-python``):
#: task -> (package, interpreter; the benchmark's own unless given).
OTHER_ENGINES: dict[str, list[str | None]] = {"validate-turbo": ["pyshacl-turbo", None], "validate-rudof": ["pyrudof", None]}
#: Where the files those engines read (shapes, ontology context) are written.
INPUTS: Path | None = None
#: A process above this resident size is stopped and reported as such (the machine is shared).
MEMORY_CAP_MB = 8192.0
#: pySHACL gets this many cut-offs: it is the reference whose answers the fast path must match.
VALIDATION_FACTOR = 3


def spawn(task: str, data: Path, cutoff: float, timeout: float) -> dict[str, Any]:
    """Run one worker; kill it after ``timeout`` seconds and report it as cut off."""
    python = (OTHER_ENGINES.get(task) or [None, None])[1] or sys.executable
    cmd = [python, str(Path(__file__).resolve()), "--worker", task, "--data", str(data), "--cutoff", str(cutoff)]
    if SHAPES_DIR:
        cmd += ["--shapes", SHAPES_DIR]
    if task in OTHER_ENGINES and INPUTS is not None:
        cmd += ["--inputs", str(INPUTS)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    start, peak = time.perf_counter(), 0.0
    while proc.poll() is None:
        peak = max(peak, _hwm(proc.pid) or 0.0)
        over = peak > MEMORY_CAP_MB
        if time.perf_counter() - start > timeout or over:
            proc.kill()
            proc.wait()
            return {"task": task, "cutoff": True, "memory_cap": over, "peak_mb": peak, "wall": time.perf_counter() - start}
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{task} failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_mb"] = max(result.get("peak_mb", 0.0), peak)
    result["wall"] = time.perf_counter() - start
    return result


def dataset_file(size: int, work: Path, seed: int = 1) -> tuple[Path, int]:
    from clustergraph.generate import generate, sizes_for

    path = work / f"generated-{label(size)}-seed{seed}-errors{ERROR_RATE:g}.nt"
    meta = path.with_suffix(".json")
    if not (path.exists() and meta.exists()):
        organisations, projects = sizes_for(size)
        stats = generate(path, organisations=organisations, projects=projects, seed=seed, error_rate=ERROR_RATE)
        meta.write_text(json.dumps({"triples": stats.triples, "organisations": organisations, "projects": projects}))
    return path, json.loads(meta.read_text())["triples"]


def _fmt(seconds: float | None, cutoff: float | None = None) -> str:
    if seconds is None:
        return f"> {cutoff:g}" if cutoff else "–"
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def _ratio(fast: float | None, base: float | None, cutoff: float) -> tuple[float | None, str]:
    if fast is None or fast <= 0:
        return None, "–"
    if base is None:
        return cutoff / fast, f"> {cutoff / fast:,.0f}x"
    r = base / fast
    return r, (f"{r:,.1f}x" if r < 100 else f"{r:,.0f}x")


#: Queries whose answer grows with the square of the data: above 1M triples the Python result
#: (a DataFrame of millions of rows) would need tens of GB, so they are not run there.
LARGE_RESULTS = {
    "co-participants": "every pair of co-participating organisations: 640k rows (3.4 GB) at 1M triples",
    "collaboration-network": "every collaborating pair: 650k rows at 1M triples",
}
#: Loads are short and noisy on a shared machine: each side is measured this many times
#: (each in a fresh process, the two sides alternating) and the median run is reported.
LOAD_REPEATS = 3
#: Above this size the rdflib side of the query benchmark is not run: loading alone takes
#: minutes and most of its queries ran past the cut-off already at 1M triples.
QUERY_BASELINE_MAX = 1_000_000


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (a cut-off run counts as the slowest); all times kept."""
    ranked = sorted(runs, key=lambda r: float("inf") if r.get("cutoff") else r.get("seconds") or 0.0)
    chosen = dict(ranked[len(ranked) // 2])
    chosen["runs"] = [None if r.get("cutoff") else r.get("seconds") for r in runs]
    chosen["peak_mb"] = max(r["peak_mb"] for r in runs)
    return chosen


def measure(size: int, work: Path, cutoff: float, only: list[str], log) -> dict[str, Any]:
    data, triples = dataset_file(size, work)
    log(f"== {label(size)}: {triples:,} triples in {data.name}")
    out: dict[str, Any] = {"size": size, "triples": triples, "command": COMMAND, "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    for group, (fast_task, base_task) in TASKS.items():
        if only and group not in only:
            continue
        # a baseline shared with a group measured above (rdflib's parse, its dump) is measured once
        earlier = next((out[g]["baseline"] for g, (_, b) in TASKS.items() if g in out and b == base_task), None)
        skipped = group == "queries" and size > QUERY_BASELINE_MAX
        phase = _phase(group, cutoff)
        reps = LOAD_REPEATS if group in ("bulk", "load") and size <= 1_000_000 else 1
        fast_runs, base_runs = [], []
        # a fast side shared with a group measured above (the compiled validation) is measured once
        fast_earlier = next((out[g]["fast"] for g, (f, _) in TASKS.items() if g in out and f == fast_task), None)
        if group in ("turbo", "rudof"):
            reps = 1
        for _ in range(reps):
            fast_runs.append(fast_earlier or spawn(fast_task, data, cutoff, timeout=max(600.0, 20 * cutoff)))
            if earlier is None and not skipped:
                # the worker cuts off the measured phase (per query, per shape file); the process gets time to load on top
                n = len(fast_runs[-1].get("queries", {})) or len(fast_runs[-1].get("files", {})) or 1
                base_runs.append(spawn(base_task, data, phase, timeout=phase * n + 600))
        fast = fast_earlier or _median_run(fast_runs)
        base = earlier or (_median_run(base_runs) if base_runs else {"task": base_task, "skipped": True, "peak_mb": 0.0})
        log(f"   {fast_task}: {_fmt(fast.get('seconds'))} s (runs {fast['runs']}), {fast['peak_mb']:.0f} MB")
        if skipped:
            log(f"   {base_task}: not run above {label(QUERY_BASELINE_MAX)} triples")
        elif earlier is None:
            log(f"   {base_task}: {'cut off' if base.get('cutoff') else _fmt(base.get('seconds')) + ' s'} (runs {base['runs']}), {base['peak_mb']:.0f} MB")
        out[group] = {"fast": fast, "baseline": base}
    return out


# --- the report ---------------------------------------------------------------------------


def _machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        mem_gb = f"{int(mem.split()[1]) / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        mem_gb = "unknown"
    import pyoxigraph
    import pyshacl
    import rdflib

    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": f"rdflib {rdflib.__version__}, pyoxigraph {pyoxigraph.__version__}, pySHACL {pyshacl.__version__}",
    }


def report(results: list[dict[str, Any]], args: argparse.Namespace, started: str, loads: tuple[str, str]) -> str:
    m = _machine()
    cutoff = args.cutoff
    lines = [
        "# Benchmarks",
        "",
        "The fast path (Oxigraph behind the rdflib API, shapes compiled to SPARQL) against the plain",
        "rdflib / pySHACL path, measured in the same run on synthetic data from `clustergraph generate`",
        f"(seed 1, {ERROR_RATE:.0%} deliberate errors). Ratios are baseline time / fast time; \"> N\" means the baseline",
        f"was cut off after {cutoff:g} s ({VALIDATION_FACTOR * cutoff:g} s for pySHACL's whole validation, {10 * cutoff:g} s for rdflib's parse; the ratio is then at least that). Peak memory is each path's own",
        "process (VmHWM), loading included.",
        "",
        f"- Date: {started} (UTC)",
        f"- Machine: {m['cpu']}, {m['memory']} RAM; {m['os']}; Python {m['python']}; {m['versions']}",
        f"- Load average (1, 5, 15 min) at start: {loads[0]}; at end: {loads[1]} (other work shared the machine when above ~0.5)",
        *[f"- Command: `{c}`" for c in dict.fromkeys(c for r in results for c in (r.get("commands") or [r.get("command") or args.command]))],
        "",
        "## Summary",
        "",
        "| size | operation | fast (s) | baseline (s) | ratio | peak MB fast | peak MB baseline | same answers |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    targets: dict[str, tuple[bool | None, str]] = {}
    for res in results:
        size = f"{label(res['size'])} ({res['triples']:,})"
        for group in TASKS:
            if group not in res or group in ("results", "plans"):  # their own sections below
                continue
            fast, base = res[group]["fast"], res[group]["baseline"]
            if group == "queries" and base.get("skipped"):
                q = _query_summary(fast, {}, cutoff)
                lines.append(f"| {size} | {len(q['ratios'])} library queries (median) | {_fmt(q['median_fast'])} | not run | – | {fast['peak_mb']:.0f} | – | – |")
                continue
            if group == "queries":
                q = _query_summary(fast, base, cutoff)
                lines.append(f"| {size} | {len(q['ratios'])} library queries (median) | {_fmt(q['median_fast'])} | {q['median_base_text']} | {q['median_text']} | {fast['peak_mb']:.0f} | {base['peak_mb']:.0f} | {q['same']} |")
                continue
            if group == "shapes":
                sh = _shapes_summary(fast, base)
                lines.append(f"| {size} | validate shape file by shape file (sum of files finished by both) | {_fmt(sh['fast'])} | {_fmt(sh['base'])} | {sh['ratio']} | {fast['peak_mb']:.0f} | {base['peak_mb']:.0f} | {sh['same']} |")
                continue
            fs = fast.get("seconds")
            bs = None if base.get("cutoff") else base.get("seconds")
            if group in ("validation", "turbo", "rudof"):
                fs = (fast.get("load") or 0) + (fast.get("seconds") or 0)
                bs = None if base.get("cutoff") or base.get("seconds") is None else base["load"] + base["seconds"]
            phase = _phase(group, cutoff)
            _, ratio = _ratio(fs, bs, phase)
            same = _same(group, fast, base)
            if base.get("memory_cap"):  # stopped for its memory, not its time: no ratio
                ratio = "–"
            name = {
                "bulk": "load N-Triples: pyoxigraph bulk loader",
                "load": "load N-Triples: store.load (all or nothing, strictly checked)",
                "validation": "validate (load + validate)",
                "turbo": "validate (load + validate) vs pyshacl-turbo" + (f" {base['version']}" if base.get("version") else ""),
                "rudof": "validate (load + validate) vs pyrudof" + (f" {base['version']}" if base.get("version") else ""),
                "network": "collaboration projection",
                "publish": "dump N-Triples: store.dump (sorted, atomic)",
                "serialize": "dump N-Triples: pyoxigraph serializer",
            }[group]
            shown = f"stopped at {MEMORY_CAP_MB / 1024:.0f} GB after {base['wall']:.0f} s" if base.get("memory_cap") else _fmt(bs, phase)
            lines.append(f"| {size} | {name} | {_fmt(fs)} | {shown} | {ratio} | {fast['peak_mb']:.0f} | {base['peak_mb']:.0f} | {same} |")
    at = next((r for r in results if r["size"] == 1_000_000), None) or max((r for r in results if r["size"] < 1_000_000), key=lambda r: r["size"], default=None)
    targets = _targets(at, cutoff) if at else {}
    lines += _results_tables(results, cutoff)
    lines += ["", "## Library queries", ""]
    for res in results:
        if "queries" not in res:
            continue
        fast, base = res["queries"]["fast"], res["queries"]["baseline"]
        lines += [f"### {label(res['size'])} ({res['triples']:,} triples)", ""]
        if base.get("skipped"):
            lines += ["| query | rows (triples for CONSTRUCT) | Oxigraph (s) |", "| --- | ---: | ---: |"]
            for name, f in sorted(fast.get("queries", {}).items()):
                lines.append(f"| {name} | {f.get('rows', '–')} | {_fmt(f.get('seconds'))} |" if "skipped" not in f else f"| {name} | – | not run: {f['skipped']} |")
            lines += ["", f"rdflib was not run at this size (above {label(QUERY_BASELINE_MAX)} triples): loading alone takes minutes (see the load rows).", ""]
            continue
        lines += ["| query | rows (triples for CONSTRUCT) | Oxigraph (s) | rdflib (s) | ratio | same rows |", "| --- | ---: | ---: | ---: | ---: | --- |"]
        bq = base.get("queries", {})
        for name, f in sorted(fast.get("queries", {}).items()):
            if "skipped" in f:
                lines.append(f"| {name} | – | – | – | – | skipped: {f['skipped']} |")
                continue
            b = bq.get(name, {})
            bs = b.get("seconds") if not base.get("cutoff") else None
            _, ratio = _ratio(f["seconds"], bs, cutoff)
            same = "–" if "digest" not in b else ("yes" if b["digest"] == f.get("digest") else "**no**")
            lines.append(f"| {name} | {f.get('rows', '–')} | {_fmt(f['seconds'])} | {_fmt(bs, cutoff)} | {ratio} | {same} |")
        lines.append("")
    shape_runs = [r for r in results if "shapes" in r]
    if shape_runs:
        lines += [
            "## Validation, shape file by shape file",
            "",
            f"Each shape file's shapes validated alone (the other files' targets removed); pySHACL is cut off after {cutoff:g} s per file.",
            "",
            "| size | shape file | compiled SPARQL (s) | pySHACL (s) | ratio | findings | same findings |",
            "| --- | --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for res in shape_runs:
            fast, base = res["shapes"]["fast"], res["shapes"]["baseline"]
            for name, f in fast.get("files", {}).items():
                b = {"cutoff": True} if base.get("cutoff") else base.get("files", {}).get(name, {"cutoff": True})
                bs = None if b.get("cutoff") else b["seconds"]
                _, ratio = _ratio(f["seconds"], bs, cutoff)
                same = "– (pySHACL cut off)" if bs is None else ("yes" if b["digest"] == f["digest"] else f"**no** ({b['findings']} from pySHACL)")
                lines.append(f"| {label(res['size'])} | {name} | {_fmt(f['seconds'])} | {_fmt(bs, cutoff)} | {ratio} | {f['findings']} | {same} |")
        lines.append("")
    lines += ["## Targets (issue 8, at 1M triples)", "", "| target | result | met |", "| --- | --- | --- |"]
    for name, (met, text) in targets.items():
        lines.append(f"| {name} | {text} | {'yes' if met else 'not measured' if met is None else '**no**'} |")
    lines += [
        "",
        "Validation results are compared as multisets of (focus, path, value, severity, source shape,",
        "component, message); query rows as multisets with numbers compared by value. The test suite",
        "(`tests/test_shaclsparql.py`, `tests/test_scale.py`) checks the same equalities on every run.",
        "",
    ]
    return "\n".join(lines)


def _results_tables(results: list[dict[str, Any]], cutoff: float) -> list[str]:
    """The tables of the ``results`` group (fast path against rdflib terms) and the ``plans`` group (columnar plans against Oxigraph's evaluation)."""
    lines: list[str] = []
    intros = {
        "results": (
            "## Large results (`--only results`)",
            "Each query's result written to a CSV file (a CONSTRUCT's to Turtle) and read into a pandas DataFrame: through Oxigraph's own result",
            "writers (`clustergraph.query.stream` and `clustergraph.query.dataframe`) and through the plain path",
            "(`run()`, one rdflib term per cell, then `QueryResult.to_csv()` / `to_dataframe()` / `to_turtle()`), each path in its own process",
            "on the same Oxigraph store (peak memory: that process, loading included). Times include running the query.",
        ),
        "plans": (
            "## Columnar plans (`--only plans`)",
            "The library queries with a columnar plan (`clustergraph.query.columnar`), written by `clustergraph.query.stream` to CSV",
            "(a CONSTRUCT's graph to Turtle) and read by `clustergraph.query.dataframe`: through the plan, and through Oxigraph's own",
            "evaluation of the same query (its text with a no-op `FILTER (true)`, which has no plan) and the same writers, each in its own",
            "process. Same output: the CSV bytes and the DataFrame (hashes), or the set of triples.",
        ),
    }
    for group, (heading, *intro) in intros.items():
        runs = [r for r in results if group in r]
        if not runs:
            continue
        fast_name, base_name = ("fast", "plain") if group == "results" else ("plan", "SPARQL")
        lines += [
            "",
            heading,
            "",
            *intro,
            "",
            f"| size | query | rows | {fast_name} CSV (s) | {base_name} CSV (s) | ratio | {fast_name} DataFrame (s) | {base_name} DataFrame (s) | ratio | {fast_name} rows/s (CSV) | same output | peak MB {fast_name} / {base_name} |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for res in runs:
            fast, base = res[group]["fast"], res[group]["baseline"]
            for name, f in fast.get("results", {}).items():
                b = base.get("results", {}).get(name, {"cutoff": True})
                bc, bd = (None, None) if b.get("cutoff") else (b["csv"], b.get("dataframe"))
                if b.get("cutoff"):
                    same = f"– ({base_name} path cut off)"
                elif f.get("format") == "turtle":
                    same = "yes (same triples)" if f.get("digest") == b.get("digest") else "**no**"
                else:
                    same = "yes" if (b["digest"], b.get("frame_digest")) == (f["digest"], f.get("frame_digest")) else "**no**"
                turtle = f.get("format") == "turtle"
                lines.append(
                    f"| {label(res['size'])} | {name}{' (Turtle)' if turtle else ''} | {f['rows']:,} | {_fmt(f['csv'])} | {_fmt(bc, cutoff)} | {_ratio(f['csv'], bc, cutoff)[1]} | "
                    f"{'–' if turtle else _fmt(f.get('dataframe'))} | {'–' if turtle else _fmt(bd, cutoff)} | {'–' if turtle else _ratio(f.get('dataframe'), bd, cutoff)[1]} | {f['rows'] / f['csv']:,.0f} | {same} | "
                    f"{fast['peak_mb']:.0f} / {base['peak_mb']:.0f} |"
                )
        lines.append("")
    return lines


def _same(group: str, fast: dict[str, Any], base: dict[str, Any]) -> str:
    if base.get("memory_cap"):
        return f"– (baseline stopped above {MEMORY_CAP_MB / 1024:.0f} GB)"
    if base.get("cutoff") or ("digest" not in base and "keys" not in base and group not in ("bulk", "load", "publish", "serialize")):
        return "– (baseline cut off)" if base.get("cutoff") else "–"
    if group in ("bulk", "load"):
        return f"yes ({fast.get('triples'):,} triples)" if fast.get("triples") == base.get("triples") else "**no**"
    if group in ("publish", "serialize"):
        return f"yes ({fast['lines']:,} triples)" if fast.get("lines") == base.get("lines") else f"**no** ({fast.get('lines')} vs {base.get('lines')} triples)"
    if group in ("validation", "turbo"):
        return f"yes ({fast['findings']} findings)" if fast.get("digest") == base.get("digest") else f"**no** ({fast['findings']} vs {base['findings']})"
    if group == "rudof":  # pyrudof words its results its own way: focus, path, value, severity, component compared
        return f"yes ({fast['findings']} findings, without messages)" if fast.get("keys") == base.get("keys") else f"**no** ({fast['findings']} vs {base['findings']})"
    return "yes" if fast.get("digest") == base.get("digest") else "**no**"


def _phase(group: str, cutoff: float) -> float:
    """How long the baseline of ``group`` may run before it is cut off."""
    return VALIDATION_FACTOR * cutoff if group in ("validation", "turbo", "rudof") else 10 * cutoff if group in ("bulk", "load") else cutoff


def _shapes_summary(fast: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Totals over the shape files that both engines finished, and whether their findings agree."""
    files = fast.get("files", {})
    done = {} if base.get("cutoff") else {n: b for n, b in base.get("files", {}).items() if not b.get("cutoff")}
    agree = [n for n in done if n in files and done[n]["digest"] == files[n]["digest"]]
    f_total = sum(files[n]["seconds"] for n in done if n in files)
    b_total = sum(b["seconds"] for b in done.values())
    _, ratio = _ratio(f_total, b_total, 0) if done else (None, "–")
    findings = sum(files[n]["findings"] for n in done if n in files)
    if not done:
        same = "– (pySHACL cut off on every file)"
    elif len(agree) == len(done):
        same = f"yes ({len(done)} of {len(files)} files compared, {findings} findings)"
    else:
        same = f"**no** ({', '.join(sorted(set(done) - set(agree)))} differ)"
    return {"fast": f_total if done else None, "base": b_total if done else None, "ratio": ratio, "same": same, "compared": len(done), "files": len(files), "agree": len(agree) == len(done) and bool(done)}


def _query_summary(fast: dict[str, Any], base: dict[str, Any], cutoff: float) -> dict[str, Any]:
    ratios: list[tuple[float, bool]] = []
    fast_times: list[float] = []
    base_times: list[float | None] = []
    same = True
    compared = 0
    for name, f in fast.get("queries", {}).items():
        if "skipped" in f:
            continue
        b = {} if base.get("cutoff") else base.get("queries", {}).get(name, {})
        bs = b.get("seconds")
        fast_times.append(f["seconds"])
        base_times.append(bs)
        r, _ = _ratio(f["seconds"], bs, cutoff)
        ratios.append((r or 0.0, bs is None))
        if "digest" in b:
            compared += 1
            same = same and b["digest"] == f.get("digest")
    ordered = sorted(ratios)
    mid = ordered[len(ordered) // 2] if ordered else (0.0, False)
    if len(ordered) % 2 == 0 and ordered:
        lo, hi = ordered[len(ordered) // 2 - 1], ordered[len(ordered) // 2]
        mid = ((lo[0] + hi[0]) / 2, lo[1] or hi[1])
    finite = [t for t in base_times if t is not None]
    cut = len(base_times) - len(finite)
    median_base = statistics.median([t if t is not None else float("inf") for t in base_times]) if base_times else None
    return {
        "ratios": ratios,
        "median": mid[0],
        "median_lower_bound": mid[1],
        "median_text": (f"> {mid[0]:,.0f}x" if mid[1] else f"{mid[0]:,.1f}x") if ordered else "–",
        "median_fast": statistics.median(fast_times) if fast_times else None,
        "median_base_text": ("> cut-off" if median_base == float("inf") else _fmt(median_base)) + (f" ({cut} cut off)" if cut else ""),
        "min_ratio": ordered[0][0] if ordered else None,
        "same": f"yes ({compared} compared)" if same else "**no**",
    }


def _targets(res: dict[str, Any], cutoff: float) -> dict[str, tuple[bool | None, str]]:
    out: dict[str, tuple[bool | None, str]] = {}
    size = label(res["size"])
    for group, what in (("bulk", "Oxigraph's bulk loader"), ("load", "store.load")):
        if group not in res:
            continue
        fast, base = res[group]["fast"], res[group]["baseline"]
        r, text = _ratio(fast["seconds"], None if base.get("cutoff") else base.get("seconds"), _phase(group, cutoff))
        out[f"load ≥ 10x faster than rdflib.Graph().parse ({what})"] = (r is not None and r >= 10, f"{text} at {size}")
        out[f"peak memory below rdflib's memory store ({what})"] = (fast["peak_mb"] < base["peak_mb"], f"{fast['peak_mb']:.0f} MB vs {base['peak_mb']:.0f} MB at {size}")
    if "queries" in res:
        q = _query_summary(res["queries"]["fast"], res["queries"]["baseline"], cutoff)
        out["queries: median ≥ 20x faster than rdflib"] = (q["median"] >= 20, f"median {q['median_text']} at {size}")
        out["queries: none slower than rdflib"] = ((q["min_ratio"] or 0) >= 1, f"lowest ratio {q['min_ratio']:.1f}x at {size} (a lower bound where rdflib was cut off)" if q["min_ratio"] is not None else "–")
        out["queries: median under 1 s"] = ((q["median_fast"] or 99) < 1, f"median {_fmt(q['median_fast'])} s at {size}")
    if "validation" in res:
        fast, base = res["validation"]["fast"], res["validation"]["baseline"]
        total = (fast.get("load") or 0) + (fast.get("seconds") or 0)
        out["validation under 15 s end to end"] = (total < 15, f"{total:.1f} s (load {fast['load']:.1f} + validate {fast['seconds']:.1f}) at {size}")
        same = _same("validation", fast, base)
        out["validation identical to pySHACL"] = (None if base.get("cutoff") else same.startswith("yes"), same + f" at {size}")
    others = {g: res[g] for g in ("turbo", "rudof") if g in res}
    if others:
        fast = next(iter(others.values()))["fast"]
        total = (fast.get("load") or 0) + (fast.get("seconds") or 0)
        ratios = {}
        for g, r in others.items():
            b = r["baseline"]
            if b.get("memory_cap"):  # did not finish within the machine's share of memory
                continue
            base_total = None if b.get("cutoff") else (b.get("load") or 0) + (b.get("seconds") or 0)
            ratios[g] = _ratio(total, base_total, _phase(g, cutoff))
        if ratios:
            fastest = min(ratios, key=lambda g: ratios[g][0] or float("inf"))
            r, text = ratios[fastest]
            name = {"turbo": "pyshacl-turbo", "rudof": "pyrudof"}[fastest]
            capped = [g for g in others if g not in ratios]
            note = f" ({', '.join({'turbo': 'pyshacl-turbo', 'rudof': 'pyrudof'}[g] for g in capped)} stopped above {MEMORY_CAP_MB / 1024:.0f} GB)" if capped else ""
            out["validation ≥ 10x faster than the fastest other engine (load + validate)"] = (r is not None and r >= 10, f"{text} vs {name} at {size}{note}")
    step = res.get("validation") or next(iter(others.values()), None)
    if step is not None:
        fast = step["fast"]
        out["validation step (after loading) under 2.5 s"] = (fast.get("seconds") is not None and fast["seconds"] < 2.5, f"{_fmt(fast.get('seconds'))} s at {size}")
    if "shapes" in res:
        sh = _shapes_summary(res["shapes"]["fast"], res["shapes"]["baseline"])
        out["validation identical to pySHACL, shape file by shape file"] = (sh["agree"] if sh["compared"] else None, f"{sh['same']} at {size}")
    if "network" in res:
        fast = res["network"]["fast"]
        out["collaboration projection under 10 s"] = (fast["seconds"] < 10, f"{fast['seconds']:.1f} s ({fast['nodes']:,} organisations, {fast['edges']:,} edges) at {size}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog="See the module docstring for what is measured.")
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated graph sizes in triples (10k, 100k, 1M, 10M)")
    parser.add_argument("--cutoff", type=float, default=120.0, help="seconds after which a baseline measurement is stopped (default 120; pySHACL gets three times as long)")
    parser.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(TASKS))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "clustergraph-benchmarks", help="where generated graphs are cached")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown report here (default: print it)")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw measurements as JSON")
    parser.add_argument("--results", type=Path, default=None, help="also record the report in this Markdown file, as its bench_run block (e.g. benchmarks/RESULTS.md)")
    parser.add_argument("--merge", type=Path, default=None, help="start from the raw measurements of an earlier run (JSON); this run's replace them where both measured")
    parser.add_argument("--shapes", default=None, help="validate with the shapes in this directory instead of the shipped ones")
    parser.add_argument("--turbo-python", default=None, help="the Python interpreter with pyshacl-turbo installed, for the turbo group (default: this one)")
    parser.add_argument("--rudof-python", default=None, help="the Python interpreter with pyrudof installed, for the rudof group (default: this one)")
    parser.add_argument("--inputs", help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.cutoff, args.shapes, args.inputs)))
        return 0
    global SHAPES_DIR, COMMAND, INPUTS
    SHAPES_DIR = args.shapes
    OTHER_ENGINES["validate-turbo"][1] = args.turbo_python
    OTHER_ENGINES["validate-rudof"][1] = args.rudof_python
    args.command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    COMMAND = args.command
    args.work.mkdir(parents=True, exist_ok=True)
    if not args.only or {"turbo", "rudof"} & set(args.only.split(",")):
        INPUTS = args.work
        write_inputs(args.work, args.shapes)
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    only = [o for o in args.only.split(",") if o]

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    results = [measure(parse_size(s), args.work, args.cutoff, only, log) for s in args.sizes.split(",") if s]
    if args.merge:
        earlier = {r["size"]: r for r in json.loads(args.merge.read_text())}
        for r in results:
            prev = earlier.get(r["size"], {})
            commands = [*(prev.get("commands") or ([prev["command"]] if prev.get("command") else [])), r["command"]]
            earlier[r["size"]] = {**prev, **r, "commands": list(dict.fromkeys(commands))}
        results = [earlier[k] for k in sorted(earlier)]
    load_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(results, args, started, (load_start, load_end))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    if args.out:
        from clustergraph.atomic import atomic_write

        with atomic_write(args.out) as fh:
            fh.write(text)
        log(f"wrote {args.out}")
    else:
        print(text)
    if args.results:
        from results import record

        # the report's headings one level down, under the block's own
        body = re.sub(r"^(#+) ", r"#\1 ", text.split("\n", 1)[1], flags=re.M)
        record(args.results, "bench_run", "## Load, queries, validation, projection, dump (`benchmarks/run.py`)\n" + body)
        log(f"recorded in {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
