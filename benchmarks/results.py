"""Record a benchmark's Markdown block in a results file (``benchmarks/RESULTS.md``).

Each benchmark owns the block between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``;
recording replaces that block (or appends it when it is missing) and leaves the rest of
the file alone. The file is replaced atomically.
"""

from __future__ import annotations

import re
from pathlib import Path

from clustergraph.atomic import atomic_write


def record(path: Path, name: str, body: str) -> None:
    """Put ``body`` between the markers of ``name`` in ``path``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end) + "\n?", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block
    with atomic_write(path) as fh:
        fh.write(text)
