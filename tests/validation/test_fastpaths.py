"""The fast paths of the compiled SHACL engine give the answers of the plain ones.

- The quick reading of a SPARQL constraint's WHERE group (``plainly_joined``) decides
  "join the focus nodes" only where rdflib's algebra decides the same: every query below
  and every shipped shape compiles to the same checks with and without it.
- The fused and threaded evaluation gives the findings of the checks run one by one.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from clustergraph.generate import generate
from clustergraph import store
from clustergraph.validation.engine import add_ontology_context, ontology_graph
from clustergraph.validation.shapes import load_shapes
from clustergraph.validation.sparql import Plan, compile_shapes, sparqlconstraints, validate_sparql
from clustergraph.validation.sparql.sparqlconstraints import plainly_joined

P = "<http://ex.org/p>"
Q = "<http://ex.org/q>"

#: WHERE groups and whether the quick reading may decide them (True) or leaves them to rdflib (False).
QUERIES = [
    (f"SELECT $this WHERE {{ $this {P} ?v . }}", True),
    (f"SELECT $this ?v WHERE {{ $this {P} ?v . FILTER (?v < 3 && BOUND($this)) }}", True),
    (f"SELECT $this WHERE {{ FILTER (isIRI($this)) }}", True),
    (f"SELECT $this WHERE {{ BIND (STR($this) AS ?s) ?x {P} ?s }}", True),
    (f"SELECT $this WHERE {{ FILTER NOT EXISTS {{ $this {P} ?v }} }}", True),
    (f"SELECT $this WHERE {{ FILTER EXISTS {{ ?x {P} ?v FILTER (?v = $this) }} }}", False),  # rdflib: joined; left to it
    (f"SELECT $this WHERE {{ ?x {P} ?v . FILTER (STR(?x) < STR($this)) }}", True),
    (f"SELECT $this WHERE {{ {{ $this {P} ?v }} UNION {{ ?v {Q} $this }} }}", True),
    (f"SELECT $this WHERE {{ OPTIONAL {{ $this {P} ?v }} FILTER (!BOUND(?v)) }}", True),
    (f"SELECT $this WHERE {{ $this {P} ?v . # a comment with {{ ( $this\n FILTER (?v != \"{{ ( $this\") }}", True),
    (f"SELECT $this WHERE {{ ?x {P} ?v . OPTIONAL {{ ?v {Q} ?w FILTER (?w != $this) }} }}", False),
    (f"SELECT $this WHERE {{ ?x {P} ?v . OPTIONAL {{ ?v {Q} ?w BIND ($this AS ?t) }} }}", False),
    (f"SELECT $this WHERE {{ {{ ?x {P} ?v FILTER (?v = $this) }} UNION {{ $this {Q} ?w }} }}", False),
    (f"SELECT $this WHERE {{ {{ ?x {P} ?v BIND ($this AS ?y) }} }}", False),
    (f"SELECT $this WHERE {{ {{ SELECT $this WHERE {{ $this {P} ?v }} }} }}", False),
    (f"SELECT $this WHERE {{ GRAPH ?g {{ $this {P} ?v }} }}", False),
    (f"SELECT $this WHERE {{ $this {P} ?v }} LIMIT 1", False),
    (f"SELECT $this WHERE {{ $this {P} ?v }} ORDER BY ?v OFFSET 2", False),
]


def _shapes(select: str) -> Graph:
    sg = Graph()
    sg.parse(
        format="turtle",
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://ex.org/S> sh:targetNode <http://ex.org/a> ; sh:sparql <http://ex.org/c> .""",
    )
    sg.add((URIRef("http://ex.org/c"), SH.select, Literal(select)))
    return sg


def _per_focus(shapes: Graph) -> list[str | None]:
    return [c.sparql.per_focus if c.sparql else None for c in compile_shapes(shapes).checks]


@pytest.mark.parametrize("query,plain", QUERIES)
def test_quick_reading_decides_only_what_rdflib_decides_the_same_way(query, plain, monkeypatch):
    assert plainly_joined(query) is plain
    quick = _per_focus(_shapes(query))
    monkeypatch.setattr(sparqlconstraints, "plainly_joined", lambda q: False)
    assert _per_focus(_shapes(query)) == quick


def test_shipped_shapes_compile_the_same_without_rdflib(monkeypatch):
    shapes = load_shapes()
    quick = [(c.query, c.sparql.per_focus if c.sparql else None) for c in compile_shapes(shapes).checks]
    monkeypatch.setattr(sparqlconstraints, "plainly_joined", lambda q: False)
    plain = [(c.query, c.sparql.per_focus if c.sparql else None) for c in compile_shapes(shapes).checks]
    assert quick == plain


# --- the evaluation ------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A generated graph with many deliberate errors in Oxigraph, the shipped shapes and the ontology context."""
    path = tmp_path_factory.mktemp("fastpaths") / "g.nt"
    generate(path, organisations=30, projects=120, seed=7, error_rate=0.2)
    ds = store.open_dataset("oxigraph")
    store.load(ds, path, graph="urn:x:g")
    context = Graph()
    add_ontology_context(context, ontology_graph(None, shipped=True))
    return ds, load_shapes(), context


def _multiset(results) -> list:
    return sorted(repr(tuple(r)) for r in results)


def test_threaded_evaluation_gives_the_findings_of_checks_run_one_by_one(loaded):
    ds, shapes, context = loaded
    plan = compile_shapes(shapes)
    together = validate_sparql(ds, shapes, plan=plan, context=context).results
    alone = [r for c in plan.checks for r in validate_sparql(ds, shapes, plan=Plan([c], {}, plan.shapes_graph), context=context).results]
    assert len(together) > 20  # the generated errors are found
    assert _multiset(together) == _multiset(alone)


QUALIFIED = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
ex:AtLeastOne sh:targetNode ex:a, ex:c, ex:d ;
  sh:property [ sh:path ex:knows ; sh:qualifiedValueShape [ sh:class ex:Sub ] ; sh:qualifiedMinCount 1 ] .
ex:None sh:targetNode ex:a, ex:c, ex:d ;
  sh:property [ sh:path ex:knows ; sh:qualifiedValueShape [ sh:class ex:Sub ] ; sh:qualifiedMaxCount 0 ] .
"""
QUALIFIED_DATA = """
@prefix ex: <http://ex.org/> .
ex:a ex:knows ex:b, ex:e . ex:b a ex:Sub . ex:d ex:knows ex:e . ex:e a ex:Other .
"""


def test_qualified_counts_of_one_and_none_are_existence_checks_with_pyshacls_results():
    import pyshacl

    from clustergraph.validation.sparql import results_from_report

    shapes = Graph().parse(data=QUALIFIED, format="turtle")
    data = Graph().parse(data=QUALIFIED_DATA, format="turtle")
    queries = [c.query for c in compile_shapes(shapes).checks]
    assert not any("GROUP BY" in q for q in queries) and sum("EXISTS" in q for q in queries) == 2
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes)
    ours = validate_sparql(data, shapes).results
    assert sorted(str(r.focus) for r in ours) == ["http://ex.org/a", "http://ex.org/c", "http://ex.org/d"]
    assert _multiset(ours) == _multiset(results_from_report(report))


SUBJECTS_OF = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Named sh:targetSubjectsOf ex:name, ex:code ;
  sh:property [ sh:path ex:name ; sh:datatype xsd:string ; sh:maxCount 1 ] ;
  sh:property [ sh:path ex:code ; sh:minCount 1 ; sh:pattern "^[A-Z]+$" ] ;
  sh:property [ sh:path ex:other ; sh:nodeKind sh:IRI ] .
"""
SUBJECTS_OF_DATA = """
@prefix ex: <http://ex.org/> .
ex:a ex:name "A", "Alpha" ; ex:code "ab" ; ex:other "x" .
ex:b ex:name 3 . ex:c ex:code "C" . ex:d ex:other "not a focus node" .
"""


def test_values_on_a_target_predicate_need_no_focus_query_with_pyshacls_results():
    import pyshacl

    from clustergraph.validation.sparql import results_from_report

    shapes = Graph().parse(data=SUBJECTS_OF, format="turtle")
    data = Graph().parse(data=SUBJECTS_OF_DATA, format="turtle")
    queries = [c.query for c in compile_shapes(shapes).checks]
    assert sum("SELECT DISTINCT ?this WHERE" not in q for q in queries) == 1  # ex:name: datatype and maxCount, no focus query
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes)
    ours = validate_sparql(data, shapes).results
    assert len(ours) == 5  # a: two names, code pattern, other; b: datatype, no code (d is no focus node)
    assert _multiset(ours) == _multiset(results_from_report(report))
