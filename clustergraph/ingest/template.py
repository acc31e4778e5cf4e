"""Empty canonical tables for data stewards to fill in.

:func:`write_templates` writes one CSV per kind of record, with the header row
and one example row, next to its CSVW mapping (``<table>.csv-metadata.json``,
the same mapping the embedded dataset uses). Fill the CSVs in a spreadsheet
program (keep the header; delete the example row), then ``clustergraph import``
them.

>>> import tempfile
>>> scratch = tempfile.TemporaryDirectory()
>>> paths = write_templates(scratch.name)
>>> sorted(p.name for p in paths if p.suffix == ".csv")[:3]
['calls.csv', 'event_participants.csv', 'events.csv']
>>> scratch.cleanup()
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from ..atomic import atomic_dir
from ..errors import ClusterGraphError
from ..resources import data_dir
from .mapping import load_mapping

__all__ = ["TEMPLATES", "EXAMPLES", "write_templates"]

EXAMPLES: dict[str, dict[str, str]] = {
    "organisations": {
        "name": "Example Cluster e.V.",
        "type": "ClusterOrganisation",
        "alt_names": "EXC",
        "country": "Deutschland",
        "city": "Berlin",
        "region": "",
        "website": "www.example.org",
        "sectors": "information technology",
        "pic": "999999999",
        "vat": "DE123456789",
        "ror": "",
        "wikidata": "",
        "eccp": "",
        "domain": "example.org",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
    "projects": {
        "acronym": "EXAMPLE",
        "title": "Example project for cluster management excellence",
        "call": "Cluster Excellence Programme 3",
        "start_date": "01/01/2019",
        "end_date": "31/12/2020",
        "total_budget": "€250.000",
        "eu_contribution": "€200.000",
        "sectors": "information technology",
        "description": "",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
    "participations": {
        "project": "EXAMPLE",
        "organisation": "Example Cluster e.V.",
        "roles": "Coordinator;WorkPackageLeader",
        "work_packages": "1",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
    "label_awards": {
        "holder": "Example Cluster e.V.",
        "level": "Gold",
        "awarded_by": "ESCA",
        "award_date": "15/03/2019",
        "valid_until": "14/03/2021",
        "date_as_published": "",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
    "calls": {
        "programme": "Cluster Excellence Programme",
        "ordinal": "3",
        "year": "2018",
        "label": "3rd call for proposals of the Cluster Excellence Programme",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
    "partnerships": {
        "name": "Example Partnership",
        "alt_names": "",
        "programme": "ESCP-4x",
        "related_project": "EXAMPLE",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
    "partnership_members": {
        "partnership": "Example Partnership",
        "organisation": "Example Cluster e.V.",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
    "events": {
        "name": "Example Cluster Matchmaking Day",
        "date": "04/12/2019",
        "date_as_published": "",
        "place": "Brussels",
        "sectors": "",
        "description": "",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
    "event_participants": {
        "event": "Example Cluster Matchmaking Day",
        "organisation": "Example Cluster e.V.",
        "relation": "attendee",
        "source": "",
        "note": "Example row: replace it with your own.",
    },
}
"""One example row per canonical table, by column name."""

TEMPLATES: tuple[str, ...] = tuple(EXAMPLES)
"""The canonical tables ``clustergraph template`` writes."""


def write_templates(directory: str | os.PathLike[str], *, tables: tuple[str, ...] = TEMPLATES, overwrite: bool = False) -> list[Path]:
    """Write the canonical templates (CSV with header and one example row, plus CSVW mapping) to ``directory``.

    Parameters
    ----------
    directory:
        created if missing. The files are written together or not at all (a full
        disk leaves the folder as it was); the folder's other files are kept.
    tables:
        which templates (default all of :data:`TEMPLATES`).
    overwrite:
        replace files that already exist (by default an existing file is an error,
        so a steward's filled-in table is never lost).

    Returns
    -------
    list[pathlib.Path]
        the files written, CSV then mapping for each table.
    """
    out = Path(directory)
    unknown = [t for t in tables if t not in EXAMPLES]
    if unknown:
        raise ClusterGraphError(f"unknown template(s) {', '.join(unknown)}", fix=f"choose from {', '.join(TEMPLATES)}")
    targets = [(out / f"{t}.csv", out / f"{t}.csv-metadata.json") for t in tables]
    if not overwrite:
        existing = [str(p) for pair in targets for p in pair if p.exists()]
        if existing:
            raise ClusterGraphError(
                f"{existing[0]} already exists" + (f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""),
                fix="choose an empty directory, or move the filled-in tables away first",
            )
    # All files land together or none does: a full disk or a refused write half-way
    # leaves the folder as it was (``atomic_dir`` keeps the folder's other files).
    with atomic_dir(out) as staging:
        for table in tables:
            source_meta = data_dir() / f"{table}.csv-metadata.json"
            mapping = load_mapping(source_meta)
            header = mapping.header
            example = EXAMPLES[table]
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(header)
            writer.writerow([example.get(c.name, "") for c in mapping.columns if not c.virtual])
            (staging / f"{table}.csv").write_text(buffer.getvalue(), encoding="utf-8")
            meta = json.loads(source_meta.read_text(encoding="utf-8"))
            meta["url"] = f"{table}.csv"
            (staging / f"{table}.csv-metadata.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [p for pair in targets for p in pair]
