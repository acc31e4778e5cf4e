"""The compiler: the SHACL Core constraints of one shape as SPARQL patterns."""

from __future__ import annotations

import itertools
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH, XSD
from rdflib.term import Node

from ...errors import ShapesError
from .checks import MessageFn, Row, Violation
from .messages import static_message, stringify
from .shapes import Shape, Unsupported
from .text import RDF_TYPE, datatype_ok, property_path, string_key, term

__all__ = ["Compiler"]


class Compiler:
    """Compiles the SHACL Core constraints of the shapes of ``sg`` into :class:`Violation`
    patterns over a focus variable, with fresh variable names throughout."""

    def __init__(self, sg: Graph, shapes: dict[Node, Shape]) -> None:
        self.sg = sg
        self.shapes = shapes
        self.counter = itertools.count(1)
        self.stack: list[Node] = []

    def var(self, stem: str = "v") -> str:
        return f"?cg_{stem}{next(self.counter)}"

    def shape(self, node: Node, role: str) -> Shape:
        shape = self.shapes.get(node)
        if shape is None:
            raise ShapesError(f"the shape {node} referenced by {role} is not defined", fix="define the shape or fix the reference")
        return shape

    # value nodes ---------------------------------------------------------------

    def values(self, shape: Shape, x: str) -> tuple[str, str]:
        if not shape.is_property:
            return "", x
        v = self.var()
        return f"{x} {property_path(self.sg, shape.path)} {v} .", v  # type: ignore[arg-type]

    # conformance ---------------------------------------------------------------

    def nonconforming(self, node: Node, x: str, role: str) -> str:
        """A pattern with a solution iff ``x`` does not conform to the shape ``node``."""
        shape = self.shape(node, role)
        if node in self.stack:
            raise Unsupported(f"the shape {node} refers to itself (recursive shapes are not compiled)")
        if shape.deactivated:
            return "FILTER(false)"
        self.stack.append(node)
        try:
            parts = [v.exists or v.pattern for v in self.violations(shape, x, nested=True)]
        finally:
            self.stack.pop()
        if not parts:
            return "FILTER(false)"
        return " UNION ".join("{ " + p + " }" for p in parts)

    # constraints ---------------------------------------------------------------

    def violations(self, shape: Shape, x: str, nested: bool = False) -> list[Violation]:
        sg, node = self.sg, shape.node
        out: list[Violation] = []
        params = {p for p, _ in sg.predicate_objects(node)}
        path_text = lambda sg_: stringify(sg_, shape.path) if shape.path is not None else None  # noqa: E731

        # sh:class
        classes = list(sg.objects(node, SH["class"]))
        for c in classes:
            vp, v = self.values(shape, x)
            if len(classes) < 2:
                msg = static_message(lambda dg, sg_, c=c: f"Value does not have class {stringify(sg_, c)}")
            else:
                msg = static_message(lambda dg, sg_: "Value class is not in classes ({})".format(", ".join(stringify(sg_, k) for k in classes)))
            cond = f"NOT EXISTS {{ %%ISA {v} {term(c)}%% }}"
            out.append(Violation(SH.ClassConstraintComponent, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        # sh:datatype
        datatypes = list(sg.objects(node, SH.datatype))
        if len(datatypes) > 1:
            raise ShapesError(f"the shape {node} has more than one sh:datatype", fix="keep one sh:datatype")
        for dt in datatypes:
            vp, v = self.values(shape, x)
            msg = static_message(lambda dg, sg_, dt=dt: f"Value is not Literal with datatype {stringify(sg_, dt)}")
            cond = f"!{datatype_ok(v, dt)}"
            out.append(Violation(SH.DatatypeConstraintComponent, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        # sh:nodeKind
        kinds = list(sg.objects(node, SH.nodeKind))
        if len(kinds) > 1:
            raise ShapesError(f"the shape {node} has more than one sh:nodeKind", fix="keep one sh:nodeKind")
        for kind in kinds:
            vp, v = self.values(shape, x)
            ok = {
                SH.IRI: f"isIRI({v})",
                SH.BlankNode: f"isBlank({v})",
                SH.Literal: f"isLiteral({v})",
                SH.BlankNodeOrIRI: f"(isBlank({v}) || isIRI({v}))",
                SH.BlankNodeOrLiteral: f"(isBlank({v}) || isLiteral({v}))",
                SH.IRIOrLiteral: f"(isIRI({v}) || isLiteral({v}))",
            }.get(kind, "false")  # type: ignore[call-overload]
            msg = static_message(lambda dg, sg_, kind=kind: f"Value is not of Node Kind {stringify(sg_, kind)}")
            out.append(Violation(SH.NodeKindConstraintComponent, f"{vp} FILTER(!{ok})", v, message=msg, cond=f"!{ok}"))

        # sh:minCount / sh:maxCount
        for pred, comp in ((SH.minCount, SH.MinCountConstraintComponent), (SH.maxCount, SH.MaxCountConstraintComponent)):
            counts = list(sg.objects(node, pred))
            if len(counts) > 1:
                raise ShapesError(f"the shape {node} has more than one {pred.n3(sg.namespace_manager)}", fix="keep one")
            if not counts:
                continue
            lit = counts[0]
            if not isinstance(lit, Literal) or not isinstance(lit.value, int) or lit.value < 0:
                raise ShapesError(f"{pred.n3(sg.namespace_manager)} of {node} must be a non-negative integer (got {lit!r})", fix="write it as 1, 2…")
            if pred == SH.maxCount and not shape.is_property:
                raise ShapesError(f"sh:maxCount on the node shape {node}", fix="move sh:maxCount into a property shape")
            n = int(lit.value)
            if pred == SH.minCount and n == 0:
                continue
            word = "Less than" if pred == SH.minCount else "More than"

            def msg(dg: Graph, sg_: Graph, row: Row, n: Any = lit.value, word: str = word) -> list[str]:
                focus = stringify(dg, row.focus)
                if shape.path is not None:
                    return [f"{word} {n} values on {focus}->{path_text(sg_)}"]
                return [f"{word} {n} values on {focus}"]

            out.append(self._count(shape, x, comp, n, pred == SH.minCount, msg))

        # value ranges
        for pred, comp, op, word in (
            (SH.minExclusive, SH.MinExclusiveConstraintComponent, ">", ">"),
            (SH.minInclusive, SH.MinInclusiveConstraintComponent, ">=", ">="),
            (SH.maxExclusive, SH.MaxExclusiveConstraintComponent, "<", "<"),
            (SH.maxInclusive, SH.MaxInclusiveConstraintComponent, "<=", "<="),
        ):
            bounds = list(sg.objects(node, pred))
            for b in bounds:
                if not isinstance(b, Literal):
                    raise ShapesError(f"the bound {b} of {node} is not a literal", fix="write the bound as a literal")
                vp, v = self.values(shape, x)
                if len(bounds) < 2:
                    msg = static_message(lambda dg, sg_, b=b, word=word: f"Value is not {word} {stringify(sg_, b)}")
                else:
                    msg = static_message(lambda dg, sg_, bounds=bounds, word=word: "Value is not {} in ({})".format(word, ", ".join(stringify(sg_, c) for c in bounds)))
                # pySHACL: a string bound only compares with strings, a non-string bound with non-strings
                b_is_string = isinstance(b.value, str)
                v_string = f"(isLiteral({v}) && (lang({v}) != \"\" || datatype({v}) = <{XSD.string}>))"
                same_kind = v_string if b_is_string else f"!{v_string}"
                cond = f"!(isLiteral({v}) && {same_kind} && COALESCE({v} {op} {term(b)}, false))"
                out.append(Violation(comp, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        # string-based
        for pred, comp, op, word in ((SH.minLength, SH.MinLengthConstraintComponent, ">=", ">="), (SH.maxLength, SH.MaxLengthConstraintComponent, "<=", "<=")):
            rules = list(sg.objects(node, pred))
            if len(rules) > 1:
                raise ShapesError(f"the shape {node} has more than one {pred.n3(sg.namespace_manager)}", fix="keep one")
            for r in rules:
                if not isinstance(r, Literal) or not isinstance(r.value, int) or r.value < 0:
                    raise ShapesError(f"{pred.n3(sg.namespace_manager)} of {node} must be a non-negative integer", fix="write it as 1, 2…")
                if pred == SH.minLength and r.value == 0:
                    continue
                vp, v = self.values(shape, x)
                msg = static_message(lambda dg, sg_, r=r, word=word: f"String length not {word} {stringify(dg, r)}")
                cond = f"isBlank({v}) || !(STRLEN(STR({v})) {op} {int(r.value)})"
                out.append(Violation(comp, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        patterns = list(sg.objects(node, SH.pattern))
        if patterns:
            flags_found = list(sg.objects(node, SH.flags))
            flags = "".join(f for f in "im" if flags_found and f in str(flags_found[0]).lower())
            for pat in patterns:
                if not isinstance(pat, Literal):
                    raise ShapesError(f"sh:pattern of {node} is not a literal", fix="write the pattern as a string")
                vp, v = self.values(shape, x)
                if len(patterns) < 2:
                    msg = static_message(lambda dg, sg_, pat=pat: f"Value does not match pattern '{pat.value}'")
                else:
                    msg = static_message(lambda dg, sg_: "Value does not match every pattern in ('{}')".format("', '".join(str(c.value) for c in patterns)))
                regex = f"REGEX(STR({v}), {term(Literal(str(pat)))}, {term(Literal(flags))})"
                cond = f"isBlank({v}) || !{regex}"
                out.append(Violation(SH.PatternConstraintComponent, f"{vp} FILTER({cond})", v, message=msg, cond=cond))

        lang_lists = list(sg.objects(node, SH.languageIn))
        if len(lang_lists) > 1:
            raise ShapesError(f"the shape {node} has more than one sh:languageIn", fix="keep one list")
        for lst in lang_lists:
            wanted = sorted({str(i).lower() for i in sg.items(lst)})
            vp, v = self.values(shape, x)
            if "*" in wanted:
                ok = f"(isLiteral({v}) && lang({v}) != \"\")"
            else:
                options = ", ".join(term(Literal(w)) for w in wanted) or '""'
                primary = f"LCASE(STRBEFORE(CONCAT(lang({v}), \"-\"), \"-\"))"
                ok = f"(isLiteral({v}) && lang({v}) != \"\" && (LCASE(lang({v})) IN ({options}) || {primary} IN ({options})))"
            msg = static_message(lambda dg, sg_, lst=lst: f"String language is not in {stringify(sg_, lst)}")
            out.append(Violation(SH.LanguageInConstraintComponent, f"{vp} FILTER(!{ok})", v, message=msg, cond=f"!{ok}"))

        unique = list(sg.objects(node, SH.uniqueLang))
        if unique:
            if not shape.is_property:
                raise ShapesError(f"sh:uniqueLang on the node shape {node}", fix="move it into a property shape")
            if isinstance(unique[0], Literal) and unique[0].value is True:
                p = property_path(sg, shape.path)  # type: ignore[arg-type]
                v1, v2, lang = self.var(), self.var(), self.var("lang")
                pattern = (
                    f"{x} {p} {v1} . {x} {p} {v2} . FILTER(!sameTerm({v1}, {v2}) && isLiteral({v1}) && isLiteral({v2}) && lang({v1}) != \"\" "
                    f"&& LCASE(lang({v1})) = LCASE(lang({v2}))) BIND(LCASE(lang({v1})) AS {lang})"
                )
                out.append(Violation(SH.UniqueLangConstraintComponent, pattern, None, extra=(lang,), message=static_message(lambda dg, sg_: "More than one String shares the same Language")))

        # sh:in
        in_lists = list(sg.objects(node, SH["in"]))
        if len(in_lists) > 1:
            raise ShapesError(f"the shape {node} has more than one sh:in", fix="keep one list")
        for lst in in_lists:
            in_vals: set[Node] = set()
            for item in sg.items(lst):
                in_vals.add(item)
            vp, v = self.values(shape, x)
            cond = " || ".join(f"sameTerm({v}, {term(i)})" for i in in_vals) or "false"

            def msg_in(dg: Graph, sg_: Graph, row: Row, in_vals: set[Node] = in_vals) -> list[str]:
                list1 = [stringify(sg_, val) for val in in_vals]
                return [f"Value {stringify(dg, row.value)} not in list {list1}"]

            out.append(Violation(SH.InConstraintComponent, f"{vp} FILTER(!({cond}))", v, message=msg_in, cond=f"!({cond})"))

        # sh:hasValue
        has_values = set(sg.objects(node, SH.hasValue))
        for hv in has_values:

            def msg_hv(dg: Graph, sg_: Graph, row: Row) -> list[str]:
                the_set = [stringify(sg_, s) for s in has_values]
                if shape.path is not None:
                    return [f"Node {stringify(dg, row.focus)}->{path_text(sg_)} does not contain a value in the set: {the_set}"]
                return [f"Node {stringify(dg, row.focus)} value is not a in the set of values: {the_set}"]

            if shape.is_property:
                pattern = f"FILTER NOT EXISTS {{ {x} {property_path(sg, shape.path)} {term(hv)} }}"  # type: ignore[arg-type]
            else:
                pattern = f"FILTER(!sameTerm({x}, {term(hv)}))"
            out.append(Violation(SH.HasValueConstraintComponent, pattern, None, message=msg_hv))

        # property pairs
        for pred, comp, sign in (
            (SH.equals, SH.EqualsConstraintComponent, "!="),
            (SH.disjoint, SH.DisjointConstraintComponent, "=="),
            (SH.lessThan, SH.LessThanConstraintComponent, "<="),  # sic: pySHACL's wording
            (SH.lessThanOrEquals, SH.LessThanOrEqualsConstraintComponent, "<"),  # sic
        ):
            compare_set = set(sg.objects(node, pred))
            if compare_set and pred in (SH.lessThan, SH.lessThanOrEquals) and not shape.is_property:
                raise ShapesError(f"{pred.n3(sg.namespace_manager)} on the node shape {node}", fix="move it into a property shape")
            for other in compare_set:
                if not isinstance(other, URIRef):
                    raise Unsupported(f"{pred} with a non-IRI value")

                def msg_pair(dg: Graph, sg_: Graph, row: Row, compare_set: set[Node] = compare_set, sign: str = sign) -> list[str]:
                    if len(compare_set) < 2:
                        rules = stringify(sg_, next(iter(compare_set)))
                    else:
                        rules = ", ".join(stringify(sg_, p) for p in compare_set)
                    return [f"Value of {stringify(dg, row.focus)}->{rules} {sign} {stringify(dg, row.value)}"]

                o = f"<{other}>"
                if pred == SH.equals:
                    # two checks, no UNION: values that are not objects of `other`, and the reverse
                    vp, v = self.values(shape, x)
                    cond = f"NOT EXISTS {{ {x} {o} {v} }}"
                    out.append(Violation(comp, f"{vp} FILTER({cond})", v, message=msg_pair, cond=cond))
                    w = self.var("w")
                    if shape.is_property:
                        back = f"FILTER NOT EXISTS {{ {x} {property_path(sg, shape.path)} {w} }}"  # type: ignore[arg-type]
                    else:
                        back = f"FILTER(!sameTerm({w}, {x}))"
                    out.append(Violation(comp, f"{x} {o} {w} . {back}", w, message=msg_pair))
                elif pred == SH.disjoint:
                    vp, v = self.values(shape, x)
                    cond = f"EXISTS {{ {x} {o} {v} }}"
                    out.append(Violation(comp, f"{vp} {x} {o} {v} .", v, message=msg_pair, cond=cond))
                else:
                    vp, v = self.values(shape, x)
                    w = self.var("w")
                    op = "<" if pred == SH.lessThan else "<="
                    kinds = f"(isIRI({v}) || isLiteral({v})) && (isIRI({w}) || isLiteral({w}))"
                    cond = f"{kinds} && COALESCE({string_key(v)} {op} {string_key(w)}, false)"
                    out.append(Violation(comp, f"{vp} {x} {o} {w} . FILTER(!({cond}))", v, extra=(w,), message=msg_pair))

        # shape-based: sh:node, sh:not, sh:and, sh:or, sh:xone
        node_shapes = list(sg.objects(node, SH.node))
        for ns in node_shapes:
            vp, v = self.values(shape, x)
            inner = self.nonconforming(ns, v, "sh:node")
            if len(node_shapes) < 2:
                msg = static_message(lambda dg, sg_, ns=ns: f"Value does not conform to Shape {stringify(sg_, ns)}. See details for more information.")
            else:
                msg = static_message(lambda dg, sg_: "Value must conform to every Shape in ('{}'). See details for more information.".format("', '".join(stringify(sg_, c) for c in node_shapes)))
            out.append(Violation(SH.NodeConstraintComponent, f"{vp} FILTER EXISTS {{ {inner} }}", v, message=msg, cond=f"EXISTS {{ {inner} }}"))

        not_list = list(sg.objects(node, SH["not"]))
        for ns in not_list:
            vp, v = self.values(shape, x)
            inner = self.nonconforming(ns, v, "sh:not")

            def msg_not(dg: Graph, sg_: Graph, row: Row) -> list[str]:
                value = stringify(dg, row.value)
                if len(not_list) == 1:
                    return [f"Node {value} must not conform to shape {stringify(sg_, not_list[0])}"]
                return [f"Node {value} must not conform to any shapes in {' , '.join(stringify(sg_, n) for n in not_list)}"]

            out.append(Violation(SH.NotConstraintComponent, f"{vp} FILTER NOT EXISTS {{ {inner} }}", v, message=msg_not, cond=f"NOT EXISTS {{ {inner} }}"))

        for pred, comp, phrase in (
            (SH["and"], SH.AndConstraintComponent, "must conform to all shapes in"),
            (SH["or"], SH.OrConstraintComponent, "must conform to one or more shapes in"),
            (SH.xone, SH.XoneConstraintComponent, "must conform to exactly one shape in"),
        ):
            lists = list(sg.objects(node, pred))
            for lst in lists:
                members = list(sg.items(lst))
                vp, v = self.values(shape, x)
                bad = [f"EXISTS {{ {self.nonconforming(m, v, pred.n3(sg.namespace_manager))} }}" for m in members]
                if pred == SH["and"]:
                    cond = " || ".join(bad) or "false"
                elif pred == SH["or"]:
                    cond = " && ".join(bad) or "true"
                else:
                    cond = "(" + " + ".join(f"IF({b}, 0, 1)" for b in bad) + ") != 1" if bad else "true"

                def msg_logic(dg: Graph, sg_: Graph, row: Row, lists: list[Node] = lists, phrase: str = phrase) -> list[str]:
                    if len(lists) < 2:
                        text = " , ".join(stringify(sg_, a) for a in sg_.items(lists[0]))
                    else:
                        text = " and ".join("({})".format(" , ".join(stringify(sg_, a) for a in sg_.items(lst_))) for lst_ in lists)
                    return [f"Node {stringify(dg, row.value)} {phrase} {text}"]

                out.append(Violation(comp, f"{vp} FILTER({cond})", v, message=msg_logic, cond=cond))

        # sh:qualifiedValueShape
        qvs = set(sg.objects(node, SH.qualifiedValueShape))
        if qvs and shape.is_property:
            out.extend(self._qualified(shape, x, qvs))

        # sh:closed
        closed = list(sg.objects(node, SH.closed))
        if (SH.ignoredProperties in params) and not closed:
            raise ShapesError(f"sh:ignoredProperties without sh:closed on {node}", fix="add sh:closed true")
        if closed and isinstance(closed[0], Literal) and closed[0].value is True:
            allowed: set[Node] = set()
            for lst in sg.objects(node, SH.ignoredProperties):
                allowed.update(sg.items(lst))
            for ps in sg.objects(node, SH.property):
                prop = self.shape(ps, "sh:property")
                if not prop.is_property:
                    raise ShapesError(f"the shape {ps} in sh:property of {node} has no sh:path", fix="give it a sh:path")
                if isinstance(prop.path, URIRef):
                    allowed.add(prop.path)
            vp, v = self.values(shape, x)
            p, o = self.var("p"), self.var("o")
            keep = " && ".join(f"{p} != {term(a)}" for a in sorted(allowed, key=str) if isinstance(a, URIRef)) or "true"
            pattern = f"{vp} {v} {p} {o} . FILTER({keep} && !({p} = {RDF_TYPE} && {o} = <{RDFS.Resource}>))"
            msg_closed = lambda dg, sg_, row: [f"Node {stringify(dg, row.focus)} is closed. It cannot have value: {stringify(dg, row.value)}"]  # noqa: E731
            out.append(Violation(SH.ClosedConstraintComponent, pattern, o, message=msg_closed, result_path=p))

        # sh:property (in conformance checks only; reported results come from the property shape itself)
        if nested:
            for ps in sg.objects(node, SH.property):
                prop = self.shape(ps, "sh:property")
                if not prop.is_property:
                    raise ShapesError(f"the shape {ps} in sh:property of {node} has no sh:path", fix="give it a sh:path")
                if prop.deactivated:
                    continue
                vp, v = self.values(shape, x)
                if node in [prop.node]:
                    raise Unsupported("a shape that is its own property shape")
                inner = self.nonconforming(ps, v, "sh:property")
                out.append(Violation(SH.PropertyConstraintComponent, f"{vp} FILTER EXISTS {{ {inner} }}", None))

        # sh:sparql
        if (node, SH.sparql, None) in sg:
            if nested:
                raise Unsupported("sh:sparql constraints inside sh:node, sh:not, sh:and, sh:or, sh:xone or sh:property checks")
        # constraint components declared in the shapes graph
        custom = self._custom_components(params)
        if custom:
            raise Unsupported(f"custom constraint components ({', '.join(sorted(str(c) for c in custom))})")
        return out

    def _custom_components(self, params: set[Node]) -> set[Node]:
        found = set()
        for comp in set(self.sg.subjects(SH.parameter, None)):
            if str(comp).startswith(str(SH)):
                continue  # the core components, when the SHACL vocabulary is part of the shapes graph
            for param in self.sg.objects(comp, SH.parameter):
                if self.sg.value(param, SH.path) in params:
                    found.add(comp)
        return found

    def _count(self, shape: Shape, x: str, comp: URIRef, n: int, is_min: bool, msg: MessageFn) -> Violation:
        if not shape.is_property:
            # a node shape has exactly one value node: itself
            pattern = "FILTER(false)" if (is_min and n <= 1) or (not is_min and n >= 1) else ""
            return Violation(comp, pattern, None, message=msg)
        p = property_path(self.sg, shape.path)  # type: ignore[arg-type]
        if is_min and n == 1:
            any_ = self.var("any")
            return Violation(comp, f"FILTER NOT EXISTS {{ {x} {p} {any_} }}", None, message=msg, count="min")
        if not is_min and n == 1:
            v1, v2 = self.var(), self.var()
            return Violation(comp, f"{x} {p} {v1} . {x} {p} {v2} . FILTER(!sameTerm({v1}, {v2}))", None, message=msg, count="max")
        v, c = self.var(), self.var("n")
        op = "<" if is_min else ">"
        sub = f"{{ SELECT {x} (COUNT(DISTINCT {v}) AS {c}) WHERE {{ {x} {p} {v} }} GROUP BY {x} }}"
        if is_min:
            exists = f"OPTIONAL {sub} FILTER(COALESCE({c}, 0) < {n})"
        else:
            exists = f"{sub} FILTER({c} > {n})"

        def query(focus: str) -> str:
            return (
                f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} {v} }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {op} {n})"
            )

        return Violation(comp, exists, None, message=msg, query=query)

    def _qualified(self, shape: Shape, x: str, qvs: set[Node]) -> list[Violation]:
        sg, node = self.sg, shape.node

        def one(name: URIRef) -> int | None:
            vals = list(sg.objects(node, name))
            if len(vals) > 1:
                raise ShapesError(f"the shape {node} has more than one {name.n3(sg.namespace_manager)}", fix="keep one")
            if not vals:
                return None
            if not isinstance(vals[0], Literal) or not isinstance(vals[0].value, int):
                raise ShapesError(f"{name.n3(sg.namespace_manager)} of {node} must be an integer", fix="write it as 1, 2…")
            return vals[0].value

        min_count, max_count = one(SH.qualifiedMinCount), one(SH.qualifiedMaxCount)
        if min_count is None and max_count is None:
            raise ShapesError(f"sh:qualifiedValueShape on {node} without sh:qualifiedMinCount or sh:qualifiedMaxCount", fix="add one of them")
        disjoint = any(isinstance(d, Literal) and d.value is True for d in sg.objects(node, SH.qualifiedValueShapesDisjoint))
        p = property_path(sg, shape.path)  # type: ignore[arg-type]
        out = []
        for q in qvs:
            siblings: set[Node] = set()
            if disjoint:
                for parent in set(sg.subjects(SH.property, node)):
                    for s in set(sg.objects(parent, SH.property)):
                        for sib in set(sg.objects(s, SH.qualifiedValueShape)):
                            if sib != q:
                                siblings.add(sib)
            v = self.var()
            cond = [f"NOT EXISTS {{ {self.nonconforming(q, v, 'sh:qualifiedValueShape')} }}"]
            cond += [f"EXISTS {{ {self.nonconforming(s, v, 'sh:qualifiedValueShape')} }}" for s in sorted(siblings, key=str)]
            counted = f"{x} {p} {v} . FILTER({' && '.join(cond)})"
            shapes_string = lambda sg_: ",".join(stringify(sg_, s) for s in qvs)  # noqa: E731
            count_message = (f" MinCount {min_count}" if min_count is not None else "") + (f" MaxCount {max_count}" if max_count is not None else "")
            noun = "shapes" if len(qvs) > 1 else "shape"

            def msg(dg: Graph, sg_: Graph, row: Row, noun: str = noun, count_message: str = count_message) -> list[str]:
                s = shapes_string(sg_)
                return [f"Focus node does not conform to {noun}{count_message}: ({s})" if noun == "shapes" else f"Focus node does not conform to {noun}{count_message}: {s}"]

            for bound, comp, op in ((min_count, SH.QualifiedMinCountConstraintComponent, "<"), (max_count, SH.QualifiedMaxCountConstraintComponent, ">")):
                if bound is None:
                    continue
                c = self.var("n")
                sub = f"{{ SELECT {x} (COUNT(DISTINCT {v}) AS {c}) WHERE {{ {counted} }} GROUP BY {x} }}"
                exists = f"OPTIONAL {sub} FILTER(COALESCE({c}, 0) {op} {bound})"

                def query(focus: str, counted: str = counted, v: str = v, op: str = op, bound: int = bound) -> str:
                    inner = counted.replace(x, "?this")
                    if (op, bound) in (("<", 1), (">", 0)):
                        # fewer than one / more than none: whether one exists, without counting them all
                        return f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER {'NOT ' if op == '<' else ''}EXISTS {{ {inner} }} }}"
                    return f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {inner} }} }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {op} {bound})"

                if bound == 0 and op == "<":
                    continue
                out.append(Violation(comp, exists, None, message=msg, query=query))
        return out
