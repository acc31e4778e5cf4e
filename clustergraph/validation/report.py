"""Validation reports a data steward can act on: findings, text, JSON and SHACL Turtle.

A :class:`ValidationReport` is a list of :class:`Finding` objects, whichever engine
produced them (pySHACL, or the SHACL-to-SPARQL compiler), plus the policy that
decides whether the data conforms (``fail_on``). It renders as

* **text** (:func:`to_text`): grouped by entity, each entity headed by its name, IRI
  and the source file and row it came from; one line per finding with its severity,
  the property, the data file and line of the offending value (when known), what is
  wrong and the fix; a summary line last;
* **JSON** (:func:`to_json`): for machines, with the stable keys listed in
  :data:`JSON_KEYS` and :data:`FINDING_KEYS`;
* **Turtle** (:func:`to_turtle`, :func:`to_graph`): the standard SHACL validation
  report graph (``sh:ValidationReport`` with one ``sh:result`` per finding).

Exit status policy (``clustergraph validate``, see :data:`EXIT_CODES`):

====  ==============================================================================
0     the data conforms: no finding at or above the ``--fail-on`` severity
1     the data does not conform
2     usage or input error (unknown option, missing or unparsable data file)
3     broken shapes (unparsable Turtle, invalid SHACL, a refused ``SERVICE``)
====  ==============================================================================

``--fail-on violation`` (the default) fails on violations only; ``warning`` also on
warnings; ``info`` on any finding (the SHACL definition of conformance). The
``sh:conforms`` of the Turtle report follows the same policy.

>>> from rdflib import URIRef, Literal
>>> from rdflib.namespace import SH
>>> f = Finding(URIRef("https://w3id.org/clustergraph/id/project/cecil"),
...             URIRef("https://w3id.org/clustergraph/ontology#euContribution"),
...             "Violation", "The EU contribution is too high. Fix: check it.",
...             Literal(299450), URIRef("https://w3id.org/clustergraph/shapes#ProjectBudgetRule"),
...             SH.SPARQLConstraintComponent, entity_name="CECIL")
>>> f.problem, f.fix
('The EU contribution is too high.', 'check it.')
>>> report = ValidationReport([f])
>>> report.conforms, report.summary()
(False, '1 violation, 0 warnings, 0 info')
>>> print(to_text(report, color=False), end="")
CECIL  <https://w3id.org/clustergraph/id/project/cecil>
  Violation  cg:euContribution  The EU contribution is too high. Fix: check it.
<BLANKLINE>
1 violation, 0 warnings, 0 info: does not conform (fails on violation)
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from ..errors import ClusterGraphError
from ..namespaces import PREFIXES, bind_prefixes

__all__ = [
    "SEVERITIES",
    "EXIT_CODES",
    "JSON_KEYS",
    "FINDING_KEYS",
    "Finding",
    "ValidationReport",
    "severity_name",
    "check_fail_on",
    "sort_findings",
    "copy_description",
    "summary",
    "to_text",
    "to_html",
    "to_json",
    "to_graph",
    "to_turtle",
    "render",
]

#: Severities from the most to the least serious, as written in findings.
SEVERITIES = ("Violation", "Warning", "Info")
_RANK = {name: i for i, name in enumerate(SEVERITIES)}
_FAIL_ON = {"violation": 0, "warning": 1, "info": 2}

#: Exit status of ``clustergraph validate`` by outcome.
EXIT_CODES = {"conforms": 0, "does not conform": 1, "input or usage error": 2, "broken shapes": 3}

#: Top-level keys of :func:`to_json`, always present, in this order.
JSON_KEYS = ("conforms", "fail_on", "engine", "summary", "counts", "findings")
#: Keys of each finding in :func:`to_json`, always present (``null`` when unknown), in this order.
FINDING_KEYS = (
    "severity",
    "focus",
    "entity_name",
    "source_file",
    "source_row",
    "path",
    "value",
    "message",
    "problem",
    "fix",
    "source_shape",
    "constraint",
    "data_file",
    "data_line",
)

_FIX = " Fix: "


def severity_name(node: Any) -> str:
    """``sh:Violation`` (or ``"violation"``) → ``"Violation"``.

    SHACL allows custom severities: they keep their full IRI and rank (and count)
    as violations.

    >>> severity_name(SH.Warning), severity_name("info"), severity_name("http://ex.org/Severe")
    ('Warning', 'Info', 'http://ex.org/Severe')
    """
    text = str(node)
    if text.startswith(str(SH)) or ":" not in text:
        local = text.rsplit("#", 1)[-1].capitalize()
        if local in _RANK:
            return local
    return text or "Violation"


def copy_description(source: Graph, node: Node, target: Graph, _seen: set[Node] | None = None) -> None:
    """Copy the triples that describe the blank node ``node`` (following blank-node
    objects: SHACL paths, lists, blank-node shapes) from ``source`` to ``target``,
    keeping the blank node identifiers. IRIs and literals need no description."""
    if not isinstance(node, BNode):
        return
    seen = _seen if _seen is not None else set()
    if node in seen:
        return
    seen.add(node)
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        copy_description(source, o, target, seen)


def check_fail_on(fail_on: str) -> str:
    """Return ``fail_on`` normalised (``violation``, ``warning`` or ``info``), or raise.

    >>> check_fail_on("Warning")
    'warning'
    """
    name = str(fail_on).lower()
    if name not in _FAIL_ON:
        raise ClusterGraphError(f"unknown --fail-on level {fail_on!r}", fix="use violation, warning or info")
    return name


@dataclass(frozen=True)
class Finding:
    """One validation result, in terms a steward can act on.

    Both validation engines produce these; :func:`clustergraph.validation.engine.validate`
    fills the last fields (name, source file and row, path text) from the data.

    Attributes
    ----------
    focus:
        The entity (focus node) the finding is about.
    path:
        The property (an IRI, or the blank node of a complex SHACL path in the shapes
        graph), or ``None`` for a finding about the entity as a whole.
    severity:
        ``"Violation"`` (broken data), ``"Warning"`` (suspicious) or ``"Info"`` (a hint).
    message:
        What is wrong and, after ``" Fix: "``, what to do (:attr:`problem`, :attr:`fix`).
    value:
        The offending value, if any.
    source_shape:
        The shape that produced the finding (``cgsh:Project-totalBudget-datatype``).
    constraint:
        The SHACL constraint component (``sh:DatatypeConstraintComponent``...).
    source_constraint:
        For SPARQL-based constraints, the ``sh:sparql`` node.
    entity_name, source_file, source_row:
        The entity's name (``rdfs:label``, ``cg:acronym``, ``skos:prefLabel`` or
        ``dcterms:title``) and the table file and row it was imported from.
    path_text:
        The path as a steward reads it (``cg:euContribution``, ``^cg:project``).
    message_lang:
        The language tag of the shape's ``sh:message``, if it has one.
    data_file, data_line:
        The RDF data file and line where the offending value is written, when the
        data was validated from files and the value's text is found there.
    """

    focus: Node
    path: Node | None
    severity: str
    message: str
    value: Node | None
    source_shape: Node | None
    constraint: Node | None
    source_constraint: Node | None = None
    entity_name: str | None = None
    source_file: str | None = None
    source_row: int | None = None
    path_text: str | None = None
    message_lang: str | None = None
    data_file: str | None = None
    data_line: int | None = None

    @property
    def problem(self) -> str:
        """What is wrong: the message up to ``" Fix: "``."""
        return self.message.split(_FIX, 1)[0].strip()

    @property
    def fix(self) -> str | None:
        """What to do: the message after ``" Fix: "``, or ``None``."""
        parts = self.message.split(_FIX, 1)
        return parts[1].strip() if len(parts) == 2 else None

    @property
    def rank(self) -> int:
        """0 for violations (and custom severities), 1 for warnings, 2 for info."""
        return _RANK.get(self.severity, 0)

    def with_(self, **changes: Any) -> Finding:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary with the keys of :data:`FINDING_KEYS`."""
        return {
            "severity": self.severity,
            "focus": _term_text(self.focus),
            "entity_name": self.entity_name,
            "source_file": self.source_file,
            "source_row": self.source_row,
            "path": self.path_text if self.path_text is not None else _term_text(self.path),
            "value": _term_text(self.value),
            "message": self.message,
            "problem": self.problem,
            "fix": self.fix,
            "source_shape": _term_text(self.source_shape),
            "constraint": _term_text(self.constraint),
            "data_file": self.data_file,
            "data_line": self.data_line,
        }


def _term_text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


@dataclass
class ValidationReport:
    """The findings of one validation run, and the policy that decides conformance.

    Attributes
    ----------
    findings:
        Sorted by severity, then entity.
    fail_on:
        ``"violation"`` (default), ``"warning"`` or ``"info"``: the least severe
        finding that makes the data not conform.
    engine:
        ``"pyshacl"`` or ``"sparql"``.
    context:
        Triples that describe the blank nodes findings refer to (complex paths,
        blank-node shapes, blank focus nodes), for :func:`to_graph`.
    """

    findings: list[Finding] = field(default_factory=list)
    fail_on: str = "violation"
    engine: str = "pyshacl"
    context: Graph | None = None

    def __post_init__(self) -> None:
        self.fail_on = check_fail_on(self.fail_on)

    @property
    def conforms(self) -> bool:
        """True when no finding is at or above :attr:`fail_on`."""
        limit = _FAIL_ON[self.fail_on]
        return not any(f.rank <= limit for f in self.findings)

    @property
    def exit_code(self) -> int:
        """0 if the data conforms, else 1 (see :data:`EXIT_CODES`)."""
        return 0 if self.conforms else 1

    def counts(self) -> dict[str, int]:
        """Number of findings per severity: ``{"violation": 3, "warning": 2, "info": 1}``."""
        out = {"violation": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[SEVERITIES[f.rank].lower()] += 1
        return out

    def by_entity(self) -> list[tuple[Node, list[Finding]]]:
        """Findings grouped by focus node; the entity with the most serious finding first."""
        groups: dict[Node, list[Finding]] = {}
        for f in self.findings:
            groups.setdefault(f.focus, []).append(f)
        return sorted(groups.items(), key=lambda kv: (min(f.rank for f in kv[1]), _entity_key(kv[1][0])))

    def where(self, *, focus: Node | None = None, severity: str | None = None, shape: Node | None = None) -> list[Finding]:
        """The findings about ``focus``, of ``severity`` and/or from ``shape``."""
        return [
            f
            for f in self.findings
            if (focus is None or f.focus == focus)
            and (severity is None or f.severity.lower() == severity.lower())
            and (shape is None or f.source_shape == shape)
        ]

    def summary(self) -> str:
        """``"3 violations, 2 warnings, 1 info"``."""
        return summary(self)

    def to_text(self, *, summary: bool = True, color: bool = False) -> str:
        """The text report (see :func:`to_text`)."""
        return to_text(self, summary=summary, color=color)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The JSON report (see :func:`to_json`)."""
        return to_json(self, indent=indent)

    def to_graph(self) -> Graph:
        """The SHACL validation report graph (see :func:`to_graph`)."""
        return to_graph(self)

    def to_turtle(self) -> str:
        """The SHACL validation report in Turtle."""
        return to_turtle(self)

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.findings)

    def __repr__(self) -> str:
        verdict = "conforms" if self.conforms else "does not conform"
        return f"<ValidationReport ({self.engine}): {self.summary()}; {verdict} (fails on {self.fail_on})>"

    def _repr_html_(self) -> str:
        return to_html(self)


def _entity_key(f: Finding) -> tuple[str, str]:
    return ((f.entity_name or "").casefold(), str(f.focus))


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in report order: severity, entity name, entity, path, message."""
    return sorted(
        findings,
        key=lambda f: (f.rank, *_entity_key(f), f.path_text or _term_text(f.path) or "", f.message, _term_text(f.value) or ""),
    )


def summary(report: ValidationReport) -> str:
    """Counts per severity, e.g. ``"3 violations, 2 warnings, 1 info"``.

    >>> summary(ValidationReport([]))
    '0 violations, 0 warnings, 0 info'
    """
    c = report.counts()
    v, w = c["violation"], c["warning"]
    return f"{v} violation{'' if v == 1 else 's'}, {w} warning{'' if w == 1 else 's'}, {c['info']} info"


def _qname(node: Node | None) -> str:
    if node is None:
        return ""
    text = str(node)
    for prefix, ns in PREFIXES.items():
        if text.startswith(str(ns)) and len(text) > len(str(ns)):
            local = text[len(str(ns)) :]
            if "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
    return f"<{text}>" if isinstance(node, URIRef) else text


_COLORS = {"Violation": "\x1b[31m", "Warning": "\x1b[33m", "Info": "\x1b[36m"}


def to_text(report: ValidationReport, *, summary: bool = True, color: bool = False) -> str:
    """The report as text, grouped by entity.

    Each entity is headed by its name, ``<IRI>`` and ``file:row`` (when it came from
    a table), followed by one line per finding: severity, property, ``file:line`` where
    the offending value is written (when known), message (what is wrong, then ``Fix:``
    what to do). The last line is the summary with the
    conformance verdict under the report's ``fail_on``.

    Parameters
    ----------
    summary:
        Add the summary line.
    color:
        Colour the severities with ANSI codes (for terminals).
    """
    lines: list[str] = []
    for focus, findings in report.by_entity():
        first = findings[0]
        head = []
        if first.entity_name:
            head.append(first.entity_name)
        head.append(f"<{focus}>" if isinstance(focus, URIRef) else _term_text(focus) or "")
        if first.source_file:
            head.append(first.source_file + (f":{first.source_row}" if first.source_row is not None else ""))
        lines.append("  ".join(head))
        for f in sort_findings(findings):
            sev = f"{f.severity:<9}"
            if color:
                sev = f"{_COLORS.get(f.severity, '')}{sev}\x1b[0m"
            where = f.path_text or _qname(f.path)
            line = f"{f.data_file}:{f.data_line}  " if f.data_line is not None else ""
            lines.append(f"  {sev}  {where + '  ' if where else ''}{line}{f.message}")
        lines.append("")
    if summary:
        verdict = "conforms" if report.conforms else "does not conform"
        lines.append(f"{report.summary()}: {verdict} (fails on {report.fail_on})")
    return "\n".join(lines).rstrip("\n") + "\n" if lines else ""


def to_html(report: ValidationReport, *, max_entities: int = 50) -> str:
    """The report as HTML (Jupyter's view): the verdict and counts, then the findings by entity.

    Each entity is a header row (its name linked to its IRI, the source file and row,
    how many findings) followed by one row per finding; every value is escaped.

    >>> from rdflib import URIRef
    >>> f = Finding(URIRef("https://w3id.org/clustergraph/id/project/x"), None, "Violation", "No <call>. Fix: add one.", None, None, None)
    >>> html = to_html(ValidationReport([f]))
    >>> "does not conform" in html, "No &lt;call&gt;." in html, "(1 finding)" in html
    (True, True, True)
    """
    from ..display import escape, key_values_html, plural, term_html, term_text

    verdict = "conforms" if report.conforms else "does not conform"
    counts = report.counts()
    groups = report.by_entity()
    out = [key_values_html([("verdict", f"{verdict} (fails on {report.fail_on})"), ("violations", counts["violation"]),
                            ("warnings", counts["warning"]), ("info", counts["info"]), ("entities", len(groups)), ("engine", report.engine)],
                           caption="Validation report")]
    if not groups:
        return "".join(out)
    rows = ['<table class="clustergraph"><thead><tr><th>severity</th><th>property</th><th>value</th><th>problem</th><th>fix</th></tr></thead><tbody>']
    for focus, findings in groups[:max_entities]:
        first = findings[0]
        where = (first.source_file + (f":{first.source_row}" if first.source_row is not None else "")) if first.source_file else ""
        head = f"{term_html(focus, first.entity_name)} {escape(where)} ({escape(plural(len(findings), 'finding'))})"
        rows.append(f'<tr><th colspan="5" style="text-align:left">{head}</th></tr>')
        for x in sort_findings(findings):
            colour = {"Violation": "#c00", "Warning": "#b60", "Info": "#06c"}.get(x.severity, "#000")
            rows.append(
                f'<tr><td style="color:{colour}">{escape(x.severity)}</td><td>{escape(x.path_text or _qname(x.path))}</td>'
                f"<td>{escape(term_text(x.value))}</td><td>{escape(x.problem)}</td><td>{escape(x.fix)}</td></tr>"
            )
    rows.append("</tbody></table>")
    if len(groups) > max_entities:
        rows.append(f"<p>… and {len(groups) - max_entities:,} more entities</p>")
    return "".join(out + rows)


def to_json(report: ValidationReport, *, indent: int | None = 2) -> str:
    """The report as JSON with stable keys (:data:`JSON_KEYS`, :data:`FINDING_KEYS`).

    >>> data = json.loads(to_json(ValidationReport([])))
    >>> list(data) == list(JSON_KEYS), data["counts"]
    (True, {'violation': 0, 'warning': 0, 'info': 0})
    """
    data = {
        "conforms": report.conforms,
        "fail_on": report.fail_on,
        "engine": report.engine,
        "summary": report.summary(),
        "counts": report.counts(),
        "findings": [f.as_dict() for f in report.findings],
    }
    return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


def to_graph(report: ValidationReport) -> Graph:
    """The standard SHACL validation report graph.

    One ``sh:ValidationReport`` with ``sh:conforms`` (under the report's
    ``fail_on``; with ``fail_on="info"`` this is SHACL's own definition) and one
    ``sh:ValidationResult`` per finding with ``sh:focusNode``, ``sh:resultPath``,
    ``sh:value``, ``sh:resultSeverity``, ``sh:resultMessage``, ``sh:sourceShape``,
    ``sh:sourceConstraintComponent`` and ``sh:sourceConstraint``. Blank nodes
    (complex paths, blank-node shapes) are copied with their description.
    """
    g = bind_prefixes(Graph())
    g.bind("cgsh", "https://w3id.org/clustergraph/shapes#")
    vr = BNode()
    g.add((vr, RDF.type, SH.ValidationReport))
    g.add((vr, SH.conforms, Literal(report.conforms)))
    context = report.context if report.context is not None else Graph()
    for prefix, ns in context.namespaces():
        g.bind(prefix, ns, override=False)
    copied: set[Node] = set()

    def node(term: Node) -> Node:
        copy_description(context, term, g, copied)
        return term

    for f in report.findings:
        r = BNode()
        g.add((vr, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, node(f.focus)))
        g.add((r, SH.resultSeverity, SH[f.severity] if f.severity in _RANK else URIRef(f.severity)))
        g.add((r, SH.resultMessage, Literal(f.message, lang=f.message_lang)))
        if f.path is not None:
            g.add((r, SH.resultPath, node(f.path)))
        if f.value is not None:
            g.add((r, SH.value, node(f.value)))
        if f.source_shape is not None:
            g.add((r, SH.sourceShape, node(f.source_shape)))
        if f.constraint is not None:
            g.add((r, SH.sourceConstraintComponent, f.constraint))
        if f.source_constraint is not None:
            g.add((r, SH.sourceConstraint, node(f.source_constraint)))
    return g


def to_turtle(report: ValidationReport) -> str:
    """The SHACL validation report graph serialised as Turtle.

    Offending values are written as they are, in quotes where rdflib would write a
    malformed number or boolean bare (``"maybe"^^xsd:boolean`` as ``maybe``), so the
    report always parses.

    >>> import warnings
    >>> from rdflib.namespace import XSD
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     maybe = Literal("maybe", datatype=XSD.boolean, normalize=False)
    >>> f = Finding(URIRef("urn:x"), None, "Violation", "Bad. Fix: fix.", maybe, None, None)
    >>> '"maybe"^^xsd:boolean' in to_turtle(ValidationReport([f]))
    True
    """
    graph = to_graph(report)
    logger = logging.getLogger("rdflib.term")  # rdflib logs a traceback for each literal it cannot read
    was = logger.disabled
    logger.disabled = True
    try:
        with warnings.catch_warnings():  # and warns about each ill-typed number or boolean it writes
            warnings.simplefilter("ignore")
            for s, p, o in list(graph):
                if isinstance(o, Literal) and o.datatype in _BARE and not _BARE[o.datatype].fullmatch(str(o)):
                    graph.remove((s, p, o))
                    graph.add((s, p, _Quoted(str(o), datatype=o.datatype, normalize=False)))
            return graph.serialize(format="turtle")
    finally:
        logger.disabled = was


# The lexical forms rdflib may write without quotes (it writes a number or boolean bare
# whenever it reads a value from it, even "1_000"^^xsd:integer or "maybe"^^xsd:boolean).
_BARE = {
    XSD.integer: re.compile(r"[+-]?[0-9]+"),
    XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+|[+-]?[0-9]+"),
    XSD.double: re.compile(r".*"),  # rdflib writes the number it read, in its own notation
    XSD.boolean: re.compile(r"true|false"),
}


class _Quoted(Literal):
    """A literal that Turtle serialisers write in quotes with its datatype."""

    __slots__ = ()

    def _literal_n3(self, use_plain: bool = False, qname_callback: Any = None) -> str:
        return super()._literal_n3(False, qname_callback)


_RENDERERS = {"text": to_text, "json": to_json, "turtle": to_turtle}


def render(report: ValidationReport, format: str = "text", **options: Any) -> str:
    """Render ``report`` as ``text``, ``json`` or ``turtle``.

    >>> render(ValidationReport([]), "text").strip()
    '0 violations, 0 warnings, 0 info: conforms (fails on violation)'
    """
    try:
        renderer = _RENDERERS[format]
    except KeyError:
        raise ClusterGraphError(f"unknown report format {format!r}", fix="use text, json or turtle") from None
    return renderer(report, **options)  # type: ignore[operator]
