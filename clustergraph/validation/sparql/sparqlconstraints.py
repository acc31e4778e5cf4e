"""SHACL-SPARQL constraints (``sh:sparql``): their SELECT queries as checks, with ``$this`` joined or pre-bound."""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from ...bindings import where_group_start
from ...errors import ShapesError
from .checks import PLACEHOLDER, Check, Route, SparqlInfo
from .compiler import Compiler
from .shapes import Shape, Unsupported
from .text import property_path, term

__all__ = ["compile_sparql", "plainly_joined"]


_PATH_VAR = re.compile(r"([\s{}()])[\$\?]PATH", re.M)
_CURRENT = re.compile(r"([\s{}()])[\$\?]currentShape", re.M)
_SHAPES_GRAPH = re.compile(r"([\s{}()])[\$\?]shapesGraph", re.M)
_MINUS = re.compile(r"^(?:[^#]*|M)(?!#)#?[^\?\$\#]M?INUS[\s\{]", re.M | re.I)
_VALUES = re.compile(r"^(?!\s*#).*?(?<![\w\-\:])VALUES\b(?:\s*(?:\(|[\?\$]\w+|\{|\w|\s))", re.M | re.I)
_SERVICE = re.compile(r"^(?:[^#]*|S)(?!#)#?[^\?\$\#]S?ERVICE[\s\<]", re.M | re.I)
_SELECT = re.compile(r"\bSELECT\b\s*(DISTINCT\b|REDUCED\b)?", re.I)
_PROJECTION_VAR = re.compile(r"[\?\$]([A-Za-z_][A-Za-z0-9_]*)")


def _sparql_prefixes(sg: Graph, constraint: Node) -> dict[str, str]:
    """The prefixes a SPARQL constraint declares through sh:prefixes (pySHACL's rules)."""
    prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    values = set(sg.objects(constraint, SH.prefixes))
    if not values:
        return prefixes
    g_name = sg.identifier
    ng_declares = set(sg.objects(g_name, SH.declare)) if g_name else set()
    onts = set(sg.subjects(RDF.type, OWL.Ontology))
    ont_declares: set[Node] = set()
    for o in onts:
        ont_declares.update(sg.objects(o, SH.declare))
    global_declares = ng_declares | ont_declares
    for pv in values:
        own = set(sg.objects(pv, SH.declare))
        declares = own | ng_declares if own and pv in onts else global_declares | own
        for dec in declares:
            prefix = sg.value(dec, SH.prefix)
            namespace = sg.value(dec, SH.namespace)
            if prefix is None or namespace is None:
                raise ShapesError(f"sh:declare {dec} needs one sh:prefix and one sh:namespace", fix="add both")
            prefixes[str(prefix)] = str(namespace)
    return prefixes


def compile_sparql(compiler: Compiler, shape: Shape, route: Route) -> list[Check]:
    """The checks for the active ``sh:sparql`` constraints of ``shape``, whose focus nodes ``route`` reaches."""
    sg = compiler.sg
    checks = []
    for constraint in set(sg.objects(shape.node, SH.sparql)):
        selects = list(sg.objects(constraint, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise ShapesError(f"the SPARQL constraint {constraint} of {shape.node} needs exactly one sh:select string", fix="give it one sh:select")
        deact = sg.value(constraint, SH.deactivated)
        if isinstance(deact, Literal) and deact.value is True:
            continue
        text = str(selects[0])
        _check_prebindable(text, constraint, shape.node)
        if _SHAPES_GRAPH.search(text):
            raise Unsupported("$shapesGraph in a SPARQL constraint")
        if shape.path is not None:
            text = _PATH_VAR.sub(lambda m: m.group(1) + property_path(sg, shape.path), text)  # type: ignore[arg-type]
        elif _PATH_VAR.search(text):
            raise ShapesError(f"the SPARQL constraint {constraint} uses $PATH but {shape.node} has no sh:path", fix="use it in a property shape")
        if _CURRENT.search(text):
            text = _CURRENT.sub(lambda m: m.group(1) + term(shape.node), text)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _sparql_prefixes(sg, constraint).items())
        query = prologue + text
        try:
            start = where_group_start(query)
        except Exception as exc:
            raise ShapesError(f"the SPARQL constraint {constraint} of {shape.node} is not a SELECT query: {exc}", fix="write sh:select as SELECT ... WHERE { ... }") from None
        select = _SELECT.search(query, 0, start)
        if select is None:
            raise ShapesError(f"the SPARQL constraint {constraint} of {shape.node} is not a SELECT query", fix="write sh:select as SELECT ... WHERE { ... }")
        projection = query[select.end() : start]
        star = projection.strip().startswith("*")
        projected = frozenset(_PROJECTION_VAR.findall(projection)) if not star else frozenset({"*"})
        focus = route.focus("?this", barrier=True)
        body = query[: start + 1] + " " + focus + " " + query[start + 1 :]
        grouped = re.search(r"\bGROUP\s+BY\b", query[start:], re.I) is not None
        per_focus = None
        if not star and "this" not in projected:
            if grouped:
                per_focus = query
            else:
                body = body[: select.end()] + " ?this " + body[select.end() :]
        if per_focus is None and not (plainly_joined(query) or _join_prebinds(body)):
            per_focus = query
        if per_focus is not None:
            # $this is always bound in SHACL; Oxigraph's substitution leaves BOUND($this) false
            per_focus = _BOUND_THIS.sub("(true)", per_focus)
        messages = tuple(m for m in set(sg.objects(constraint, SH.message)) if isinstance(m, Literal))
        checks.append(Check(shape, SH.SPARQLConstraintComponent, body, route, sparql=SparqlInfo(constraint, messages, projected, per_focus)))
    return checks


_BOUND_THIS = re.compile(r"\bBOUND\s*\(\s*[?$]this\s*\)", re.I)
_NESTED_SELECT = re.compile(r"SELECT[\s\(\)\$\?\a-z]*\{[^\}]*SELECT\s+((?:(?:[\?\$]\w+\s+)|(?:\*\s+))+)", re.M | re.I)
_AS_VAR = re.compile(r"[^\w]+AS[\s]+[\$\?](\w+)", re.M | re.I)


def _check_prebindable(text: str, constraint: Node, shape: Node) -> None:
    """Refuse the queries pySHACL refuses (SHACL's rules for pre-bound variables)."""
    where = f"the SPARQL constraint {constraint} of {shape}"
    for regex, what in ((_MINUS, "MINUS"), (_VALUES, "VALUES"), (_SERVICE, "SERVICE")):
        if regex.search(text):
            raise ShapesError(f"{where} contains {what}", fix=f"rewrite the query without {what}")
    nested = _NESTED_SELECT.search(text)
    if nested:
        names = [v.lstrip("$?").rstrip() for v in nested.group(1).split()]
        if names == ["*"]:
            raise ShapesError(f"{where} uses SELECT * in a nested SELECT, which does not select the pre-bound $this", fix="select $this explicitly in the nested SELECT")
        if "this" not in names:
            raise ShapesError(f"{where} has a nested SELECT that does not select $this", fix="add $this to the nested SELECT's variables")
    rebound = _AS_VAR.search(text)
    if rebound and rebound.group(1) in ("this", "shapesGraph", "currentShape"):
        raise ShapesError(f"{where} rebinds ${rebound.group(1)} with AS", fix="bind another variable")


#: The tokens the quick reading of a WHERE group tells apart: comments, strings, IRIs, variables, brackets, words.
_TOKEN = re.compile(
    r"#[^\n]*"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|[?$][A-Za-z0-9_]+"
    r"|[{}()]"
    r"|[A-Za-z_][A-Za-z0-9_:.-]*"
    r"|\S",
    re.S,
)
#: Words after which the quick reading does not decide (rdflib's algebra does).
_UNSURE = {"SELECT", "GRAPH", "SERVICE", "VALUES", "MINUS", "LIMIT", "OFFSET"}


def plainly_joined(query: str) -> bool:
    """True if the WHERE group of ``query`` plainly allows joining the focus nodes instead of
    pre-binding ``$this``: every mention of ``$this`` is in a triple pattern (at any depth) or
    in an expression of the WHERE group itself (a FILTER or BIND there sees ``$this`` bound
    by the focus nodes joined at the start of the group).

    False means "not plainly": the full analysis (rdflib's algebra, much slower to get)
    decides. A quick reading of the text, so that compiling the shipped shapes does not
    parse every SPARQL constraint with rdflib.

    >>> plainly_joined("SELECT $this WHERE { $this <http://ex.org/p> ?v . FILTER (?v < 3 && BOUND($this)) }")
    True
    >>> plainly_joined("SELECT $this WHERE { ?x <http://ex.org/p> ?v . OPTIONAL { ?v <http://ex.org/q> ?w FILTER (?w != $this) } }")
    False
    """
    try:
        start = where_group_start(query)
    except Exception:
        return False
    stack: list[str] = []
    for m in _TOKEN.finditer(query, start):
        tok = m.group(0)
        if tok in ("{", "("):
            stack.append(tok)
        elif tok in ("}", ")"):
            if not stack:
                return False
            stack.pop()
            if not stack:
                return _tail_sure(query[m.end() :])
        elif tok.upper() in _UNSURE:
            return False
        elif tok in ("?this", "$this") and "(" in stack:
            if stack[1 : stack.index("(")].count("{"):  # an expression of a nested group
                return False
    return False


def _tail_sure(tail: str) -> bool:
    """True if the solution modifiers after the WHERE group keep per-focus answers (no LIMIT or OFFSET)."""
    return not any(m.group(0).upper() in _UNSURE for m in _TOKEN.finditer(tail))


def _join_prebinds(query: str) -> bool:
    """True if joining the focus nodes at the start of the WHERE group gives the same
    solutions as pre-binding ``$this`` (SHACL's substitution): every FILTER, BIND and
    OPTIONAL condition that reads ``$this`` sees it bound by the patterns it applies to.
    Otherwise the query runs once per focus node with ``$this`` substituted."""
    from rdflib import Variable
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    from ...namespaces import PREFIXES

    this = Variable("this")
    query = PLACEHOLDER.sub(lambda m: f"{m.group(2)} <{RDF.type}> <{m.group(3)}> .", query)
    try:
        algebra = prepareQuery(query, initNs={k: str(v) for k, v in PREFIXES.items()}).algebra
    except Exception:  # rdflib cannot parse it: run it per focus node in Oxigraph
        return False

    def mentions(node: Any) -> bool:
        if node == this:
            return True
        if isinstance(node, dict):
            return any(mentions(v) for k, v in node.items() if k != "_vars")
        if isinstance(node, (list, tuple, set)):
            return any(mentions(v) for v in node)
        return False

    def binds(node: Any) -> set:
        if not isinstance(node, CompValue):
            return set()
        name = node.name
        if name == "BGP":
            return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
        if name == "Join":
            return binds(node.p1) | binds(node.p2)
        if name in ("LeftJoin", "Minus"):
            return binds(node.p1)
        if name == "Union":
            return binds(node.p1) & binds(node.p2)
        if name == "Extend":
            return binds(node.p) | {node.var}
        if name == "ToMultiSet":
            inner = node.p
            while isinstance(inner, CompValue) and inner.name in ("Distinct", "Reduced", "Slice", "OrderBy"):
                inner = inner.p
            if isinstance(inner, CompValue) and inner.name == "Project":
                return set(inner.PV)
            return set(getattr(inner, "_vars", set()) or set())
        if name == "Graph":
            return binds(node.p) | ({node.term} if isinstance(node.term, Variable) else set())
        if "p" in node:
            return binds(node.p)
        return set()

    def safe(node: Any) -> bool:
        if not isinstance(node, CompValue):
            return True
        name = node.name
        if name in ("Filter", "Extend") and mentions(node.expr) and this not in binds(node.p):
            return False
        if name == "LeftJoin" and node.expr is not None and mentions(node.expr) and this not in (binds(node.p1) | binds(node.p2)):
            return False
        if name == "Group" and node.expr and mentions(node.expr) and this not in binds(node.p):
            return False
        return all(safe(node[k]) for k in ("p", "p1", "p2") if k in node)

    return safe(algebra)
