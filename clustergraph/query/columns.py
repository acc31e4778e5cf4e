"""DataFrame columns from RDF terms: one set of dtype rules for every result path.

:meth:`clustergraph.query.QueryResult.to_dataframe` (rdflib terms) and
:func:`clustergraph.query.dataframe` (Oxigraph's TSV) both reduce a column to the kinds
of its cells and their lexical forms, and :func:`typed_series` makes the pandas column.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib.namespace import XSD

__all__ = ["kind_of_datatype", "typed_series"]

_INTEGER = {
    str(XSD[t])
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}
_FLOAT = {str(XSD.decimal), str(XSD.double), str(XSD.float)}
_STRING = {str(XSD.string), str(XSD.normalizedString), str(XSD.token), str(XSD.anyURI)}
_OTHER = {str(XSD.date): "date", str(XSD.dateTime): "datetime", str(XSD.gYear): "year", str(XSD.boolean): "boolean"}


def kind_of_datatype(datatype: str | None, language: str | None = None) -> str:
    """The DataFrame kind of a literal: ``string``, ``integer``, ``float``, ``date``, ``datetime``, ``year`` or ``boolean``.

    >>> kind_of_datatype("http://www.w3.org/2001/XMLSchema#int"), kind_of_datatype(None, "en")
    ('integer', 'string')
    """
    if language or datatype is None or datatype in _STRING:
        return "string"
    if datatype in _INTEGER:
        return "integer"
    if datatype in _FLOAT:
        return "float"
    return _OTHER.get(datatype, "string")


def typed_series(kinds: set[str], texts: list[str | None], strings: list[str | None] | None = None) -> Any:
    """A pandas column from the cells' ``kinds`` and lexical ``texts`` (``None`` where unbound).

    One kind gives its dtype (integers ``Int64``; decimal, double and float
    ``float64``; dates and dateTimes ``datetime64``; gYear ``Int64``; booleans
    ``boolean``); integers with floats give ``float64``; anything else ``string``
    from ``strings`` (``texts`` when not given; blank nodes as ``_:id``).

    >>> typed_series({"integer"}, ["1", None]).tolist()
    [1, <NA>]
    """
    import pandas as pd

    kinds = set(kinds)
    if kinds == {"integer", "float"}:
        kinds = {"float"}
    kind = kinds.pop() if len(kinds) == 1 else "string"
    if kind == "integer":
        return pd.to_numeric(pd.Series(texts, dtype="object"), errors="coerce").astype("Int64")
    if kind == "float":
        return pd.to_numeric(pd.Series(texts, dtype="object"), errors="coerce").astype("float64")
    if kind == "year":
        years = [None if t is None else re.match(r"^-?\d+", t) for t in texts]
        return pd.array([int(m.group(0)) if m else None for m in years], dtype="Int64")
    if kind in ("date", "datetime"):
        utc = kind == "datetime" and any(t and (t.endswith("Z") or "+" in t[10:]) for t in texts)
        values = [None if t is None else (t[:10] if kind == "date" else t) for t in texts]
        return pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce", utc=utc)
    if kind == "boolean":
        return pd.array([None if t is None else t.strip().lower() in ("true", "1") for t in texts], dtype="boolean")
    return pd.array(texts if strings is None else strings, dtype="string")
