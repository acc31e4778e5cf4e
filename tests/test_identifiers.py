"""Organisation identifiers: canonical forms, checksums, and the optional identifier columns."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Literal

from clustergraph.errors import InputErrors, NormalisationError
from clustergraph.identifiers import SCHEMES, canonical, ror_checksum
from clustergraph.ingest import import_sources
from clustergraph.ingest.normalise import organisation
from clustergraph.namespaces import CG
from clustergraph.resources import data_dir


@pytest.mark.parametrize(
    ("scheme", "written", "notation"),
    [
        ("pic", " 999.999.999 ", "999999999"),
        ("vat", "de 123 456 789", "DE123456789"),
        ("vat", "GR094014201", "EL094014201"),
        ("vat", "FR 40 303 265 045", "FR40303265045"),
        ("vat", "NL123456789B01", "NL123456789B01"),
        ("ror", "https://ror.org/05dxps055", "05dxps055"),
        ("ror", "03YRM5C26", "03yrm5c26"),
        ("wikidata", "https://www.wikidata.org/wiki/Q95", "Q95"),
        ("eccp", "https://clustercollaboration.eu/cluster-organisations/cap-digital/", "cap-digital"),
        ("domain", "HTTPS://www.CapDigital.com/en/about?x=1", "capdigital.com"),
    ],
)
def test_canonical(scheme, written, notation):
    assert canonical(scheme, written) == notation


@pytest.mark.parametrize(
    ("scheme", "written", "message"),
    [
        ("pic", "99999999", "nine digits"),
        ("pic", "99999999X", "nine digits"),
        ("vat", "123456789", "country prefix"),
        ("vat", "DE12345678", "not a DE VAT number"),
        ("vat", "ZZ123", "country prefix"),
        ("ror", "03yrm5c27", "check digits are wrong (expected 26)"),
        ("ror", "13yrm5c26", "a ROR ID is 0"),
        ("ror", "03yrm5i26", "a ROR ID is 0"),
        ("wikidata", "P31", "Q followed by a number"),
        ("wikidata", "Q0", "Q followed by a number"),
        ("eccp", "Cap Digital!", "not an ECCP profile"),
        ("domain", "localhost", "not a web domain"),
    ],
)
def test_refused_with_a_fix(scheme, written, message):
    with pytest.raises(NormalisationError) as info:
        canonical(scheme, written)
    assert message in info.value.message and info.value.fix


def test_ror_checksums_of_published_ids():
    for ror in ("03yrm5c26", "05dxps055", "02mhbdp94", "04wxnsj81", "01an7q238"):
        assert ror_checksum(ror[:7]) == int(ror[7:])


def test_every_scheme_example_is_canonical():
    for scheme in SCHEMES.values():
        assert canonical(scheme.name, scheme.example) == scheme.example


HEADER = "name,type,alt_names,country,city,region,website,sectors,pic,vat,ror,wikidata,eccp,domain,source,note\n"


def _table(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    shutil.copy(data_dir() / "organisations.csv-metadata.json", tmp_path / f"{name}-metadata.json")
    return path


def test_identifier_columns_are_imported_in_canonical_form(tmp_path):
    path = _table(
        tmp_path, "orgs.csv",
        HEADER + "Alpha Cluster,ClusterOrganisation,,Germany,,,www.alpha.example,,999 999 999,de123456789,https://ror.org/05dxps055,q95,alpha,https://www.alpha.example/,,\n",
    )
    from clustergraph.store import open_dataset

    ds = open_dataset()
    import_sources([path], ds, root=tmp_path)
    org = organisation("Alpha Cluster")
    got = {p: ds.value(org, p) for p in (CG.pic, CG.vatNumber, CG.rorId, CG.wikidataId, CG.eccpProfile, CG.domain)}
    assert got == {
        CG.pic: Literal("999999999"), CG.vatNumber: Literal("DE123456789"), CG.rorId: Literal("05dxps055"),
        CG.wikidataId: Literal("Q95"), CG.eccpProfile: Literal("alpha"), CG.domain: Literal("alpha.example"),
    }


def test_a_bad_identifier_is_a_problem_with_row_column_and_fix(tmp_path):
    path = _table(tmp_path, "orgs.csv", HEADER + "Alpha Cluster,ClusterOrganisation,,Germany,,,,,,,03yrm5c27,,,,,\n")
    with pytest.raises(InputErrors) as info:
        import_sources([path], root=tmp_path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (2, "ror") and "check digits" in problem.message and problem.fix


def test_tables_without_the_identifier_columns_still_import(tmp_path):
    old = "name,type,alt_names,country,city,region,website,sectors,source,note\nAlpha,ClusterOrganisation,,Germany,,,,,,\n"
    path = tmp_path / "organisations.csv"  # no mapping beside it: found by its header
    path.write_text(old, encoding="utf-8")
    report = import_sources([path], root=tmp_path)
    assert report.sources[0].mapping.endswith("organisations.csv-metadata.json")


# --- the shapes agree with clustergraph.identifiers, in both engines -------------------


def test_shape_patterns_are_the_scheme_patterns():
    from rdflib.namespace import SH

    from clustergraph.validation.shapes import load_shapes

    shapes = load_shapes()
    for scheme in SCHEMES.values():
        (shape,) = [s for s in shapes.subjects(SH.path, scheme.property) if shapes.value(s, SH.pattern) is not None]
        assert str(shapes.value(shape, SH.pattern)) == scheme.pattern, scheme.name


@pytest.mark.parametrize("engine", ["pyshacl", "sparql"])
def test_ror_checksum_rule_agrees_with_python(engine):
    """30 ROR IDs, half with their right check digits, half off by one: the rule flags exactly the wrong ones."""
    import random

    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, RDFS

    from clustergraph.validation import validate

    rng = random.Random(7)
    data, wrong = Graph(), set()
    for i in range(30):
        body = "0" + "".join(rng.choice("0123456789abcdefghjkmnpqrstvwxyz") for _ in range(6))
        check = ror_checksum(body)
        if i % 2:
            check = (check + 1) % 100 if check != 97 else 2
        node = URIRef(f"https://w3id.org/clustergraph/id/organisation/r{i}")
        data.add((node, RDF.type, CG.Organisation))
        data.add((node, RDFS.label, Literal(f"R{i}", lang="en")))
        data.add((node, CG.rorId, Literal(f"{body}{check:02d}")))
        if i % 2:
            wrong.add(node)
    from clustergraph.resources import shapes_dir

    shapes = Graph().parse(shapes_dir() / "identifier.ttl").parse(shapes_dir() / "prefixes.ttl")
    report = validate(data, shapes=shapes, engine=engine, fail_on="info", ontology=False)
    flagged = {f.focus for f in report.findings if str(f.source_shape).endswith("RorChecksumRule")}
    assert flagged == wrong
