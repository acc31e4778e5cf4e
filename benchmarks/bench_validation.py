#!/usr/bin/env python
"""Validation at 1M triples: the step after loading, and ``clustergraph validate`` end to end.

Usage (from the repository root, under the shared benchmark lock)::

    flock /work/wt/bench.lock python benchmarks/bench_validation.py \\
        --data /work/bench-data/generated-1M-seed1-errors0.05.nt --repeat 3 --results benchmarks/RESULTS.md

Each measurement runs in a fresh process, the two sides alternating:

- step: the data loaded into Oxigraph (``store.load``), then ``validate_sparql`` with the
  shipped shapes and the ontology context timed alone (compiling the shapes included);
- end to end: ``clustergraph validate FILE --out report.txt`` from Python's start to the
  report written (strict load, validation, names and sources of the findings).

The baseline is the code of an earlier commit (``--baseline DIR``, a checkout of it, imported
instead of this one), or else this code with the fast paths switched off in that process:
every SHACL-SPARQL constraint parsed with rdflib to decide how ``$this`` is bound, and the
checks run in plan order. Findings are compared between the two sides (a digest of the
step's results; the report files byte for byte).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Switches this round's fast paths off in the process that runs it (the baseline).
PLAIN = """
from clustergraph.validation.sparql import execution, sparqlconstraints
sparqlconstraints.plainly_joined = lambda query: False
execution._weight = lambda check: 0
"""

STEP = """
import hashlib, json, sys, time
from rdflib import Graph
from clustergraph import store
from clustergraph.validation.engine import add_ontology_context, ontology_graph
from clustergraph.validation.shapes import load_shapes
from clustergraph.validation.sparql import validate_sparql
shapes = load_shapes()
context = Graph()
add_ontology_context(context, ontology_graph(None, shipped=True))
ds = store.open_dataset("oxigraph")
store.load(ds, sys.argv[1], graph="https://w3id.org/clustergraph/graph/generated")
start = time.perf_counter()
report = validate_sparql(ds, shapes, context=context)
seconds = time.perf_counter() - start
rows = sorted(repr((str(r.focus), str(r.path), str(r.value), str(r.severity), str(r.source_shape), str(r.component), r.message)) for r in report.results)
print(json.dumps({"seconds": seconds, "findings": len(rows), "digest": hashlib.sha256("\\n".join(rows).encode()).hexdigest()[:16]}))
"""

END_TO_END = """
import sys
from clustergraph.cli import main
sys.argv = ["clustergraph", "validate", sys.argv[1], "--out", sys.argv[2]]
main()
"""


def _run(code: str, *args: str, tree: Path | None = None) -> tuple[float, str]:
    env = dict(os.environ)
    if tree is not None:  # the package imported from that checkout instead of this one
        env["PYTHONPATH"] = str(tree) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    start = time.perf_counter()
    # run from that checkout too: `python -c` puts the working directory first on the path
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=tree)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # validate exits 1 when the data does not conform
        raise SystemExit(f"failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def measure(data: Path, repeat: int, log, baseline: Path | None = None) -> dict:
    out: dict = {"step": {"fast": [], "plain": []}, "end_to_end": {"fast": [], "plain": []}, "same": {}}
    work = Path(tempfile.mkdtemp(prefix="bench-validation-"))
    reports = {}
    for i in range(repeat):
        sides = [("fast", ""), ("plain", "" if baseline else PLAIN)]
        for side, prefix in sides if i % 2 == 0 else sides[::-1]:  # each side goes first in turn: the load drifts
            tree = baseline if side == "plain" else None
            _, line = _run(prefix + STEP, str(data), tree=tree)
            step = json.loads(line)
            out["step"][side].append(step)
            target = work / f"{side}-{i}.txt"
            seconds, _ = _run(prefix + END_TO_END, str(data), str(target), tree=tree)
            out["end_to_end"][side].append(seconds)
            reports[side] = hashlib.sha256(target.read_bytes()).hexdigest()[:16]
            summary = target.read_text(encoding="utf-8").count("\n")
            log(f"  {side}: step {step['seconds']:.2f} s ({step['findings']} findings), end to end {seconds:.2f} s ({summary} report lines)")
    fast, plain = out["step"]["fast"], out["step"]["plain"]
    out["same"] = {
        "step": all(s["digest"] == fast[0]["digest"] for s in fast + plain),
        "findings": fast[0]["findings"],
        "reports": reports["fast"] == reports["plain"],
    }
    return out


def report(res: dict, command: str, commit: str, started: str, loads: tuple[str, str], data: Path) -> str:
    med = lambda xs: statistics.median(xs)  # noqa: E731
    step_fast = med([s["seconds"] for s in res["step"]["fast"]])
    step_plain = med([s["seconds"] for s in res["step"]["plain"]])
    e2e_fast, e2e_plain = med(res["end_to_end"]["fast"]), med(res["end_to_end"]["plain"])
    runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    same = res["same"]
    return "\n".join(
        [
            "## Validation at 1M triples (`benchmarks/bench_validation.py`, issue 18 target 2)",
            "",
            f"- Command: `{command}`",
            f"- Commit: {commit}; date: {started} (UTC); data: `{data.name}`",
            f"- Load average (1, 5, 15 min) at start: {loads[0]}; at end: {loads[1]} (2 cores; above ~1 the machine was shared)",
            "- Baseline, in the same run: "
            + (res.get("baseline") or "this code with the fast paths switched off (every SHACL-SPARQL constraint parsed by rdflib to decide how `$this` is bound; checks in plan order)")
            + ". Medians of the runs; the two sides alternate, each run in a fresh process.",
            "",
            "| measurement | fast (s) | baseline (s) | ratio | runs fast / baseline | target | same findings |",
            "| --- | ---: | ---: | ---: | --- | --- | --- |",
            f"| validation step after loading (`validate_sparql`, compiling included) | {step_fast:.2f} | {step_plain:.2f} | {step_plain / step_fast:.2f}x | "
            f"{runs([s['seconds'] for s in res['step']['fast']])} / {runs([s['seconds'] for s in res['step']['plain']])} | under 2.5 s: {'yes' if step_fast < 2.5 else '**no**'} | "
            f"{'yes' if same['step'] else '**no**'} ({same['findings']:,} findings) |",
            f"| `clustergraph validate FILE --out report.txt` end to end | {e2e_fast:.2f} | {e2e_plain:.2f} | {e2e_plain / e2e_fast:.2f}x | "
            f"{runs(res['end_to_end']['fast'])} / {runs(res['end_to_end']['plain'])} | under 5 s: {'yes' if e2e_fast < 5 else '**no**'} | "
            f"{'yes, reports byte for byte' if same['reports'] else '**no**'} |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the N-Triples file to validate (e.g. generated-1M-seed1-errors0.05.nt)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--results", type=Path, default=None, help="record the table in this Markdown file, as its bench_validation block")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw measurements as JSON")
    parser.add_argument("--baseline", type=Path, default=None, help="a checkout of the code to compare with (e.g. `git worktree add DIR COMMIT`); default: this code with the fast paths switched off")
    args = parser.parse_args(argv)
    command = "python benchmarks/bench_validation.py " + " ".join(argv if argv is not None else sys.argv[1:])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    res = measure(args.data, args.repeat, lambda t: print(t, file=sys.stderr, flush=True), args.baseline)
    if args.baseline:
        base = subprocess.run(["git", "log", "-1", "--format=%h"], capture_output=True, text=True, cwd=args.baseline).stdout.strip()
        res["baseline"] = f"the code of commit {base or args.baseline.name.rsplit('-', 1)[-1]}, imported from a copy of it"
    load_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(res, command, commit, started, (load_start, load_end), args.data)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    print(text)
    if args.results:
        sys.path.insert(0, str(HERE))
        from results import record

        record(args.results, "bench_validation", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
