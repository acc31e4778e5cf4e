"""A column of organisation names reconciled at once: matched IRIs, scores, and what a person must decide.

:func:`reconcile_table` reads a CSV, TSV, XLSX or JSON table (or takes a DataFrame),
reconciles the names in one column against the graph's organisations, and returns the
table with four columns added: ``match_iri`` and ``match_name`` (filled only for an
automatic match), ``match_score`` (the best candidate's score) and ``candidates`` (for the
rows a person must decide: the best candidates as ``name <iri> (score)``, separated by
`` | ``). :attr:`ReconciledTable.review` lists those rows one candidate per line, with an
empty ``decision`` column to fill in. ``clustergraph reconcile`` writes both.

>>> import pandas as pd
>>> from clustergraph.ingest import load_embedded
>>> frame = pd.DataFrame({"name": ["CAP DIGITAL SAS", "Mazovia ICT Clustr", "Danish Water Cluster"], "country": ["FR", "PL", "DK"]})
>>> done = reconcile_table(frame, load_embedded(), column="name", country_column="country")
>>> done.frame[["name", "match_name"]].values.tolist()
[['CAP DIGITAL SAS', 'Cap Digital'], ['Mazovia ICT Clustr', 'Mazovia ICT Cluster'], ['Danish Water Cluster', '']]
>>> done.counts
{'rows': 3, 'matched': 2, 'to review': 1, 'no candidate': 0}
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib.graph import Graph

from ..errors import InputError
from .index import Index
from .service import reconcile

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ReconciledTable", "reconcile_table", "read_frame", "ADDED_COLUMNS"]

ADDED_COLUMNS = ("match_iri", "match_name", "match_score", "candidates")
"""The columns :func:`reconcile_table` adds."""

_BATCH = 200


@dataclass
class ReconciledTable:
    """The table with its matches, and the rows to review (one line per candidate)."""

    frame: pd.DataFrame
    review: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        """Rows, automatic matches, rows to review (with candidates), rows without any candidate."""
        f = self.frame
        matched = int((f["match_iri"] != "").sum())
        review = int(((f["match_iri"] == "") & (f["candidates"] != "")).sum())
        return {"rows": len(f), "matched": matched, "to review": review, "no candidate": len(f) - matched - review}

    def write(self, output: str | os.PathLike[str], review: str | os.PathLike[str]) -> None:
        """Write the table (CSV, TSV or XLSX by the ending) and the review file (the same)."""
        _write(self.frame, Path(output))
        _write(self.review, Path(review))


def read_frame(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> pd.DataFrame:
    """A CSV, TSV, XLSX or JSON table as a DataFrame of text (read like ``clustergraph import`` reads it),
    indexed by the row numbers a spreadsheet shows (header = 1; blank rows are left out)."""
    import pandas as pd

    from ..ingest.tabular import read_table

    table = read_table(path, encoding=encoding)
    if table.problems:
        raise InputError(table.problems[0].message, file=str(path), row=table.problems[0].row, fix=table.problems[0].fix)
    rows = [{h: ("" if r.cells.get(h) is None else str(r.cells.get(h))) for h in table.header} for r in table.rows]
    return pd.DataFrame(rows, columns=table.header, index=[r.number for r in table.rows])


def _write(frame: pd.DataFrame, path: Path) -> None:
    from ..atomic import atomic_write
    from ..spreadsheet import safe_frame

    suffix = path.suffix.lower()
    safe = safe_frame(frame)
    if suffix == ".xlsx":
        import io

        buffer = io.BytesIO()
        safe.to_excel(buffer, index=False)
        with atomic_write(path, "wb", encoding=None) as out:
            out.write(buffer.getvalue())
        return
    with atomic_write(path) as out:
        safe.to_csv(out, index=False, sep="\t" if suffix == ".tsv" else ",", lineterminator="\n")


def reconcile_table(
    table: pd.DataFrame | str | os.PathLike[str],
    source: Index | Graph,
    *,
    column: str,
    country_column: str | None = None,
    type: str | None = None,  # noqa: A002 - the name the command line uses
    limit: int = 3,
) -> ReconciledTable:
    """Reconcile the names in ``column`` of ``table`` against the organisations of ``source``.

    Parameters
    ----------
    table:
        a DataFrame, or the path of a CSV, TSV, XLSX or JSON table.
    source:
        the graph (or an :class:`Index` of it).
    column:
        the column of names.
    country_column:
        a column of countries (ISO codes, names in five languages, or EU authority IRIs)
        that constrains each row's candidates.
    type:
        only organisations of this type (``cg:ClusterOrganisation``, ``cg:PublicBody``...).
    limit:
        candidates listed for the rows to review.

    Returns
    -------
    ReconciledTable

    Raises
    ------
    InputError
        the column (or country column) is not in the table.
    """
    import pandas as pd

    from_file = not isinstance(table, pd.DataFrame)
    frame = read_frame(table) if from_file else table.copy()
    path = str(table) if not isinstance(table, pd.DataFrame) else "the table"
    for name in (column, country_column):
        if name is not None and name not in frame.columns:
            raise InputError(
                f"no column {name!r}", file=path, row=1, column=name,
                fix=f"choose one of the columns {', '.join(map(str, frame.columns))}",
            )
    clash = [c for c in ADDED_COLUMNS if c in frame.columns]
    if clash:
        raise InputError(f"the table already has a column {clash[0]!r}", file=path, row=1, column=clash[0],
                         fix="reconcile the original table, or rename that column")
    index = source if isinstance(source, Index) else Index.from_graph(source)
    answers: dict[int, list[dict[str, Any]]] = {}
    queries: dict[str, Any] = {}
    for i, value in enumerate(frame[column].tolist()):
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
        if not text:
            continue
        q: dict[str, Any] = {"query": text, "limit": max(limit, 2)}
        if type:
            q["type"] = type
        if country_column is not None:
            country = frame[country_column].iloc[i]
            if isinstance(country, str) and country.strip():
                q["properties"] = [{"pid": "country", "v": country.strip()}]
        queries[f"q{i}"] = q
    keys = list(queries)
    for start in range(0, len(keys), _BATCH):
        batch = {k: queries[k] for k in keys[start : start + _BATCH]}
        for k, v in reconcile(index, batch).items():
            answers[int(k[1:])] = v["result"]
    iris, names, scores, listed = [], [], [], []
    review_rows = []
    # the row a spreadsheet shows: read from the file, or counted from 2 (header = row 1)
    numbers = list(frame.index) if from_file else list(range(2, len(frame) + 2))
    for i in range(len(frame)):
        result = answers.get(i, [])
        top = result[0] if result else None
        if top is not None and top.get("match"):
            iris.append(top["id"]), names.append(top["name"]), scores.append(top["score"]), listed.append("")
            continue
        iris.append(""), names.append(""), scores.append(top["score"] if top else None)
        shown = result[:limit]
        listed.append(" | ".join(f"{c['name']} <{c['id']}> ({c['score']:g})" for c in shown))
        for rank, c in enumerate(shown, start=1):
            review_rows.append({
                "row": int(numbers[i]), "value": str(frame[column].iloc[i]), "rank": rank, "candidate_iri": c["id"],
                "candidate_name": c["name"], "description": c.get("description", ""), "score": c["score"], "decision": "",
            })
    out = frame.copy().reset_index(drop=True)
    out["match_iri"], out["match_name"], out["match_score"], out["candidates"] = iris, names, scores, listed
    review = pd.DataFrame(review_rows, columns=["row", "value", "rank", "candidate_iri", "candidate_name", "description", "score", "decision"])
    return ReconciledTable(out, review)
