"""The CSVW processor: the parts of CSVW it supports, and mistakes in mappings."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from clustergraph.ingest import mapping as mapping_module
from clustergraph.errors import MappingError
from clustergraph.ingest.importer import canonical_mappings
from clustergraph.iri import mint
from clustergraph.ingest.mapping import load_mapping, map_table
from clustergraph.namespaces import CG, COUNTRY
from clustergraph.ingest.normalise import organisation
from clustergraph.resources import data_dir
from clustergraph.ingest.tabular import read_table

CSVW = "http://www.w3.org/ns/csvw"


def _meta(tmp_path: Path, columns: list, **schema) -> Path:
    p = tmp_path / "t.csv-metadata.json"
    p.write_text(json.dumps({"@context": CSVW, "url": "t.csv", "tableSchema": {"columns": columns, **schema}}))
    return p


def _run(tmp_path: Path, meta: Path, text: str):
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    return map_table(load_mapping(meta), read_table(tmp_path / "t.csv"))


def test_doctests():
    assert doctest.testmod(mapping_module).failed == 0


def test_every_shipped_mapping_loads():
    assert len(canonical_mappings()) >= 15
    for path in canonical_mappings():
        m = load_mapping(path)
        assert m.url == path.name.removesuffix("-metadata.json")
        assert (data_dir() / m.url).is_file()


def test_templates_separators_virtual_columns_and_column_about(tmp_path):
    meta = _meta(
        tmp_path,
        [
            {"name": "project", "titles": ["Project", "Projekt"], "propertyUrl": "cg:service",
             "aboutUrl": "cgid:project/{project}", "valueUrl": "cgid:service/{project}-{key}"},
            {"name": "key", "suppressOutput": True},
            {"name": "label", "propertyUrl": "rdfs:label", "lang": "de"},
            {"name": "roles", "propertyUrl": "cg:role", "valueUrl": "cg:{roles}", "separator": "|"},
            {"name": "rel", "suppressOutput": True},
            {"name": "who", "propertyUrl": "cg:{rel}", "cg:normalise": "mint:organisation"},
            {"virtual": True, "propertyUrl": "rdf:type", "valueUrl": "cg:Service"},
        ],
        aboutUrl="cgid:service/{project}-{key}",
    )
    result = _run(tmp_path, meta, "Projekt,key,label,roles,rel,who\nCLUS3,bench,Vergleich,Partner|Coordinator,attendee,Cap Digital SAS\n")
    assert not result.problems
    service = mint("service", "CLUS3-bench")
    triples = set(result.triples)
    assert (mint("project", "clus3"), CG.service, service) in triples
    assert (service, RDFS.label, Literal("Vergleich", lang="de")) in triples
    assert {(service, CG.role, CG.Partner), (service, CG.role, CG.Coordinator)} <= triples
    assert (service, CG.attendee, organisation("Cap Digital")) in triples
    assert (service, RDF.type, CG.Service) in triples
    assert result.subjects == {2: [service]}


def test_null_default_and_datatypes(tmp_path):
    meta = _meta(
        tmp_path,
        [
            {"name": "id", "propertyUrl": "cg:acronym", "required": True},
            {"name": "n", "propertyUrl": "cg:ordinal", "datatype": "integer", "null": ["n/a", ""]},
            {"name": "c", "propertyUrl": "cg:country", "cg:normalise": "country", "default": "Spain"},
            {"name": "v", "propertyUrl": "cg:value", "datatype": "decimal"},
        ],
        aboutUrl="cgid:project/{id}",
    )
    result = _run(tmp_path, meta, "id,n,c,v\nA,n/a,,0.5\nB,x,Germany,1e\n")
    a = mint("project", "A")
    assert (a, CG.country, COUNTRY.ESP) in result.triples and (a, CG.ordinal, None) not in set(result.triples)
    assert (a, CG.value, Literal("0.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))) in result.triples
    assert [(p.row, p.column) for p in result.problems] == [(3, "n"), (3, "v")]
    assert result.skipped == [3]


def test_an_empty_key_is_reported_once(tmp_path):
    meta = _meta(tmp_path, [{"name": "id", "propertyUrl": "rdfs:label"}, {"name": "c", "propertyUrl": "cg:country", "cg:normalise": "country"}],
                 aboutUrl="cgid:project/{id}")
    result = _run(tmp_path, meta, "id,c\n,Spain\n")
    assert [(p.row, p.column, p.message) for p in result.problems] == [(2, "id", "the row's key is empty")]


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"@context": "http://example.org/ctx", "tableSchema": {"columns": [{"name": "a"}]}}, "@context"),
        ({"@context": CSVW, "tableSchema": {"columns": [{"name": "a", "propertyURL": "x:y"}]}}, "unknown property 'propertyURL'"),
        ({"@context": CSVW, "tableSchema": {"aboutUrl": "cgid:x/{a}", "columns": [{"name": "a", "propertyUrl": "rdfs:label", "datatype": "money"}]}}, "unsupported datatype"),
        ({"@context": CSVW, "tableSchema": {"aboutUrl": "cgid:x/{a}", "columns": [{"name": "a", "propertyUrl": "rdfs:label", "cg:normalise": "euros"}]}}, "unknown normaliser"),
        ({"@context": CSVW, "tableSchema": {"aboutUrl": "cgid:x/{b}", "columns": [{"name": "a", "propertyUrl": "rdfs:label"}]}}, "unknown column"),
        ({"@context": CSVW, "tableSchema": {"columns": [{"name": "a", "propertyUrl": "rdfs:label"}]}}, "no aboutUrl"),
        ({"@context": CSVW, "tableSchema": {"aboutUrl": "cgid:x/{a}", "columns": [{"name": "a"}]}}, "no propertyUrl"),
        ({"@context": CSVW}, "tableSchema"),
    ],
)
def test_mistakes_in_a_mapping_are_caught(tmp_path, meta, message):
    p = tmp_path / "m.json"
    p.write_text(json.dumps(meta))
    with pytest.raises(MappingError, match=re.escape(message)):
        load_mapping(p)


def test_the_readme_example_mapping_works(tmp_path):
    text = (data_dir() / "README.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    (tmp_path / "members.csv-metadata.json").write_text(json.dumps(example))
    (tmp_path / "members.csv").write_text("Cluster name,Land,Web,Sectors,Remarks\nCap Digital,Frankreich,www.capdigital.com,digital creative industries,ok\n")
    result = map_table(load_mapping(tmp_path / "members.csv-metadata.json"), read_table(tmp_path / "members.csv"))
    assert not result.problems
    assert (organisation("Cap Digital"), CG.country, COUNTRY.FRA) in result.triples


def test_semicolon_csv_is_detected(tmp_path):
    meta = _meta(tmp_path, [{"name": "id", "propertyUrl": "rdfs:label"}, {"name": "budget", "propertyUrl": "cg:totalBudget", "cg:normalise": "money"}],
                 aboutUrl="cgid:project/{id}")
    result = _run(tmp_path, meta, "id;budget\nX;258.437,50 €\n")
    assert (mint("project", "X"), CG.totalBudget, Literal("258437.50", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))) in result.triples
