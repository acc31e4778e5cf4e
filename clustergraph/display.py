"""How results look in Jupyter and in a ``repr``: escaped HTML tables, compact IRIs, links.

Every result object (a query result, a validation report, a build, a reasoning
run, a network analysis, an import, a push, a published site) has a one-line
``__repr__`` and a ``_repr_html_`` that Jupyter shows; they are written with these
helpers, so every value is escaped once, here, and IRIs read the same everywhere
(``cgid:project/cecil``, linked to the full IRI when it is a web address).

>>> compact("https://w3id.org/clustergraph/id/project/cecil")
'cgid:project/cecil'
>>> print(table_html(["name", "budget"], [["<CECIL>", 247283]], caption="Projects"))
<table class="clustergraph"><caption>Projects</caption><thead><tr><th>name</th><th>budget</th></tr></thead><tbody><tr><td>&lt;CECIL&gt;</td><td style="text-align:right">247283</td></tr></tbody></table>
>>> from rdflib import URIRef
>>> print(term_html(URIRef("https://w3id.org/clustergraph/id/project/cecil"), "CECIL"))
<a href="https://w3id.org/clustergraph/id/project/cecil" title="https://w3id.org/clustergraph/id/project/cecil">CECIL</a>
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rdflib import BNode, Literal, URIRef

from .namespaces import PREFIXES

__all__ = [
    "Html",
    "MAX_ROWS",
    "compact",
    "escape",
    "key_values_html",
    "plural",
    "readable",
    "shorten",
    "table_html",
    "term_html",
    "term_text",
]

#: Rows shown by an HTML table before "... and N more".
MAX_ROWS = 50

_NAMESPACES = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda kv: -len(kv[0]))
_LOCAL = re.compile(r"^[\w./-]*$")
_NUMBER = (int, float)


class Html(str):
    """Text that is already HTML (not escaped again by :func:`table_html`)."""

    __slots__ = ()


def escape(value: Any) -> str:
    """``value`` as HTML text (``None`` is empty; :class:`Html` is kept as it is).

    >>> escape('<a href="x">'), escape(None), escape(Html("<b>x</b>"))
    ('&lt;a href=&quot;x&quot;&gt;', '', '<b>x</b>')
    """
    if value is None:
        return ""
    if isinstance(value, Html):
        return str(value)
    return html.escape(str(value), quote=True)


def compact(iri: str) -> str:
    """Shorten ``iri`` with the clustergraph prefixes (longest namespace wins).

    >>> compact("https://w3id.org/clustergraph/ontology#Gold"), compact("http://example.org/x")
    ('cg:Gold', 'http://example.org/x')
    """
    for ns, prefix in _NAMESPACES:
        if iri.startswith(ns):
            local = iri[len(ns):]
            return f"{prefix}:{local}" if _LOCAL.match(local) else iri
    return iri


def shorten(text: str, width: int = 80) -> str:
    """``text`` on one line, cut to ``width`` characters with ``…``.

    >>> shorten("a  long\\ntext", 8)
    'a long …'
    """
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 finding"``, ``"2 findings"`` (thousands separated).

    >>> plural(1, "row"), plural(12000, "entity", "entities")
    ('1 row', '12,000 entities')
    """
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def term_text(term: Any) -> str:
    """A term as plain text: IRIs compacted, blank nodes ``_:id``, literals their value, ``None`` empty."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def term_html(term: Any, label: str | None = None) -> Html:
    """A term as HTML: a web IRI is a link (its label, or its compact form, as text; the IRI as title)."""
    if isinstance(term, URIRef):
        iri = str(term)
        text = escape(label if label else compact(iri))
        if iri.startswith(("http://", "https://")):
            return Html(f'<a href="{escape(iri)}" title="{escape(iri)}">{text}</a>')
        return Html(f'<span title="{escape(iri)}">{text}</span>')
    return Html(escape(shorten(term_text(term), 200)))


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, _NUMBER):
        return True
    if isinstance(value, Literal):
        return isinstance(value.toPython(), _NUMBER) or type(value.toPython()).__name__ == "Decimal"
    return type(value).__name__ == "Decimal"


def table_html(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    caption: str | None = None,
    total: int | None = None,
    max_rows: int = MAX_ROWS,
    note: str | None = None,
) -> str:
    """An HTML table; cells are escaped unless they are :class:`Html`, numbers are right-aligned.

    ``total`` is the number of rows there are when ``rows`` holds only the first
    ones; at most ``max_rows`` are shown, then a line says how many more there are.
    """
    out = ['<table class="clustergraph">']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in columns) + "</tr></thead><tbody>")
    shown = 0
    for row in rows:
        if shown == max_rows:
            break
        cells = []
        for value in row:
            align = ' style="text-align:right"' if _numeric(value) else ""
            cells.append(f"<td{align}>{escape(value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
        shown += 1
    out.append("</tbody></table>")
    count = total if total is not None else None
    if count is not None and count > shown:
        out.append(f"<p>… and {count - shown:,} more (of {count:,})</p>")
    if note:
        out.append(f"<p>{escape(note)}</p>")
    return "".join(out)


def key_values_html(pairs: Mapping[str, Any] | Iterable[tuple[str, Any]], *, caption: str | None = None) -> str:
    """A two-column table of names and values (a summary).

    >>> key_values_html({"triples": 1200}, caption="Build")
    '<table class="clustergraph"><caption>Build</caption><tbody><tr><th style="text-align:left">triples</th><td style="text-align:right">1,200</td></tr></tbody></table>'
    """
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    out = ['<table class="clustergraph">']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<tbody>")
    for name, value in items:
        if isinstance(value, float):
            shown: Any = f"{value:,.4g}"
        elif isinstance(value, int) and not isinstance(value, bool):
            shown = f"{value:,}"
        else:
            shown = value
        align = ' style="text-align:right"' if _numeric(value) else ""
        out.append(f'<tr><th style="text-align:left">{escape(name)}</th><td{align}>{escape(shown)}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def readable(frame: Any) -> Any:
    """A copy of a pandas DataFrame with IRIs compacted (index and cells) and text as ``string``.

    Tables indexed by full IRIs are very wide in a notebook; this one reads
    ``cgid:organisation/cap-digital``. Numbers, booleans and dates keep their dtypes.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["Cap Digital"], "degree": [3]},
    ...                   index=pd.Index(["https://w3id.org/clustergraph/id/organisation/cap-digital"], name="node"))
    >>> out = readable(df)
    >>> out.index.tolist(), out.dtypes.astype(str).tolist()
    (['cgid:organisation/cap-digital'], ['string', 'int64'])
    """
    import pandas as pd

    def text(value: Any) -> Any:
        return compact(value) if isinstance(value, str) and value.startswith(("http://", "https://")) else value

    out = frame.copy()
    if out.index.dtype == object:
        out.index = pd.Index([text(v) for v in out.index], name=out.index.name, dtype="string")
    for column in out.columns:
        if out[column].dtype == object and all(isinstance(v, str) or v is None or v != v for v in out[column]):
            out[column] = pd.array([text(v) if isinstance(v, str) else None for v in out[column]], dtype="string")
    return out
