"""Minting stable IRIs for data: the same key always gives the same IRI.

>>> str(mint("organisation", "Cap Digital"))
'https://w3id.org/clustergraph/id/organisation/cap-digital'
>>> str(mint("organisation", "ZINNAE (España)")) == str(mint("organisation", "zinnae espana"))
True
>>> str(mint("project", "INNO-DROP"))
'https://w3id.org/clustergraph/id/project/inno-drop'
>>> str(mint("organisation", "東京"))
'https://w3id.org/clustergraph/id/organisation/%E6%9D%B1%E4%BA%AC'
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

from .errors import NormalisationError
from .namespaces import ID

__all__ = ["slug", "mint", "KINDS"]

KINDS = (
    "organisation",
    "project",
    "call",
    "programme",
    "participation",
    "award",
    "partnership",
    "event",
    "service",
    "objective",
    "sector",
    "ecosystem",
    "valuechain",
    "person",
    "workpackage",
    "place",
    "source",
    "statistic",
    "labeltarget",
)

def slug(key: str) -> str:
    """Normalise a key to the slug used in IRIs.

    Lower case, accents folded, punctuation and spaces collapsed to ``-``; text in
    scripts without an ASCII folding is percent-encoded, never passed through.

    >>> slug("  MADRID ICT-AUDIOVISUAL CLUSTER ")
    'madrid-ict-audiovisual-cluster'
    >>> slug("República Checa")
    'republica-checa'
    """
    text = unicodedata.normalize("NFKD", str(key)).strip().lower()
    out: list[str] = []
    for ch in text:
        if unicodedata.combining(ch):
            continue
        if ch.isascii():
            out.append(ch if ch.isalnum() else "-")
        elif ch.isalnum():
            out.append(quote(ch, safe=""))
        else:
            out.append("-")
    result = re.sub(r"-+", "-", "".join(out)).strip("-")
    if not result:
        raise NormalisationError(
            "the key is empty after normalisation", value=key, fix="give a name or identifier with letters or digits"
        )
    return result


def mint(kind: str, key: str) -> URIRef:
    """Return the IRI for an entity of ``kind`` with the stable ``key``.

    ``kind`` is one of :data:`KINDS`; ``key`` is a name, acronym or identifier.
    """
    if kind not in KINDS:
        raise NormalisationError(f"unknown kind of entity {kind!r}", value=kind, fix=f"use one of {', '.join(KINDS)}")
    return ID[f"{kind}/{slug(key)}"]
