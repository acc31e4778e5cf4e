"""Start-up of the command line: ``clustergraph --help`` and a named query on the embedded dataset.

Each command runs ``--repeat`` times as a child process (the first run is a warm-up
that also lets Python write its bytecode cache); the median wall time and the median
CPU time (user + system, from the child's resource usage) are reported, with Python's
own start (``python -c pass``) as the same-run baseline. On a shared machine the wall
time counts the time the process waited for a core; the CPU time does not.

    python benchmarks/bench_startup.py --repeat 7 [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "clustergraph --help": [sys.executable, "-m", "clustergraph.cli", "--help"],
    "clustergraph query coordinators": [sys.executable, "-m", "clustergraph.cli", "query", "coordinators"],
}


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--results", type=Path, default=None, help="record the table in this Markdown file (block bench_startup)")
    args = parser.parse_args(argv)
    env_note = "PYTHONDONTWRITEBYTECODE is set: every run compiles the modules again" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "bytecode cached"
    loads = [" ".join(f"{x:.2f}" for x in os.getloadavg())]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    for name, cmd in COMMANDS.items():
        timed(cmd)  # warm-up
        runs = [timed(cmd) for _ in range(args.repeat)]
        rows.append((name, statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)))
        print(f"{name}: wall {rows[-1][1]:.3f} s, CPU {rows[-1][2]:.3f} s", file=sys.stderr)
    loads.append(" ".join(f"{x:.2f}" for x in os.getloadavg()))
    base_wall, base_cpu = rows[0][1], rows[0][2]
    lines = [
        "## Start-up (`benchmarks/bench_startup.py`)",
        "",
        f"- Command: `python benchmarks/bench_startup.py --repeat {args.repeat}`; {started}; {env_note}; "
        f"`{shutil.which('clustergraph') or 'clustergraph'}` run as `python -m clustergraph.cli`.",
        f"- Load average (1, 5, 15 min) at start: {loads[0]}; at end: {loads[1]} (2 cores).",
        "",
        "| command | median wall (s) | median CPU (s) | wall / baseline | CPU / baseline |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, wall, cpu in rows:
        lines.append(f"| `{name}` | {wall:.3f} | {cpu:.3f} | {wall / base_wall:.1f}x | {cpu / base_cpu:.1f}x |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from results import record

        record(args.results, "bench_startup", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
