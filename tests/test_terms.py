"""Every cg: term that code, mappings, shapes and queries use is defined in the ontology."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph

from clustergraph.namespaces import CG
from clustergraph.resources import ontology_path

ROOT = Path(__file__).resolve().parents[1]
_USE = re.compile(r'(?:\bcg:|\bCG\.|\bCG\["|ontology#)([A-Za-z][A-Za-z0-9_]*)')


def test_every_used_term_is_defined() -> None:
    onto = Graph().parse(ontology_path())
    defined = {str(s)[len(str(CG)) :] for s in onto.subjects() if str(s).startswith(str(CG))}
    files = [
        *ROOT.glob("clustergraph/**/*.py"),
        *ROOT.glob("shapes/*.ttl"),
        *ROOT.glob("queries/*.rq"),
        *ROOT.glob("data/*.csv-metadata.json"),
    ]
    assert len(files) > 40
    undefined = {}
    for path in files:
        for term in _USE.findall(path.read_text(encoding="utf-8")):
            if term not in defined:
                undefined.setdefault(term, set()).add(path.relative_to(ROOT).as_posix())
    assert not undefined, f"terms used but not in ontology/clustergraph.ttl: {undefined}"
