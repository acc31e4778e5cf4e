"""The OWL ontology: it parses, is documented, matches its term list, and is OWL 2 DL."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from clustergraph.iri import slug
from clustergraph.namespaces import CG, EURIO, FRAPO, ID, ORG, SCHEMA
from clustergraph.resources import ontology_path

PROV = "http://www.w3.org/ns/prov#"
README = ontology_path().parent / "README.md"
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


def declared(onto: Graph, kind: URIRef) -> set[URIRef]:
    return {s for s in onto.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def own(terms: set[URIRef]) -> set[URIRef]:
    return {t for t in terms if str(t).startswith(str(CG))}


def test_header(onto):
    header = URIRef("https://w3id.org/clustergraph/ontology")
    assert (header, RDF.type, OWL.Ontology) in onto
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.license, OWL.versionInfo, OWL.versionIRI):
        assert onto.value(header, p) is not None, p
    assert not list(onto.triples((None, OWL.imports, None)))  # no network


def test_every_term_has_an_english_label_and_a_one_line_comment(onto):
    terms = own(declared(onto, OWL.Class) | declared(onto, OWL.ObjectProperty) | declared(onto, OWL.DatatypeProperty))
    assert len(terms) > 60
    for term in terms:
        labels = [lbl for lbl in onto.objects(term, RDFS.label) if isinstance(lbl, Literal) and lbl.language == "en"]
        comments = [c for c in onto.objects(term, RDFS.comment) if isinstance(c, Literal)]
        assert labels, f"{term} has no English rdfs:label"
        assert len(comments) == 1 and "\n" not in str(comments[0]), f"{term} needs one one-line rdfs:comment"


def test_every_property_has_domain_and_range(onto):
    for prop in own(declared(onto, OWL.ObjectProperty) | declared(onto, OWL.DatatypeProperty)):
        assert onto.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
        assert onto.value(prop, RDFS.range) is not None, f"{prop} has no rdfs:range"


def test_term_list_and_ontology_agree(onto):
    """Every cg: term the README names exists, and every cg: term declared is in the README."""
    text = README.read_text(encoding="utf-8")
    named = {CG[m] for m in re.findall(r"`cg:([A-Za-z]+)`", text)}
    everything = declared(onto, OWL.Class) | declared(onto, OWL.ObjectProperty) | declared(onto, OWL.DatatypeProperty)
    individuals = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef)}
    missing = {t for t in named if t not in everything and t not in individuals}
    assert not missing, f"README names terms the ontology lacks: {sorted(missing)}"
    undocumented = own(everything) - named
    assert not undocumented, f"terms missing from ontology/README.md: {sorted(undocumented)}"


def test_individuals(onto):
    for role in ("Coordinator", "Partner", "LeadPartner", "WorkPackageLeader"):
        assert (CG[role], RDF.type, CG.Role) in onto and (CG[role], SKOS.inScheme, CG.RoleScheme) in onto
    ranks = {str(onto.value(CG[level], SKOS.prefLabel)): int(onto.value(CG[level], CG.rank)) for level in ("Bronze", "Silver", "Gold")}
    assert ranks == {"Bronze": 1, "Silver": 2, "Gold": 3}
    for scheme in ("RoleScheme", "LabelLevelScheme", "SectorScheme", "EcosystemScheme"):
        assert (CG[scheme], RDF.type, SKOS.ConceptScheme) in onto


def test_the_fourteen_ecosystems(onto):
    ecosystems = {s for s in onto.subjects(RDF.type, CG.Ecosystem)}
    assert len(ecosystems) == 14
    for eco in ecosystems:
        label = onto.value(eco, RDFS.label)
        assert eco == ID[f"ecosystem/{slug(str(label))}"], eco
        assert (eco, SKOS.inScheme, CG.EcosystemScheme) in onto
        assert "Industrial Strategy" in str(onto.value(eco, DCTERMS.source))
    assert ID["ecosystem/mobility-transport-and-automotive"] in ecosystems
    assert ID["ecosystem/proximity-social-economy-and-civil-security"] in ecosystems


def test_alignments_are_axioms(onto):
    prov = lambda name: URIRef(PROV + name)  # noqa: E731
    for sub, sup in [
        (CG.Organisation, ORG.Organization),
        (CG.Organisation, SCHEMA.Organization),
        (CG.Partnership, ORG.OrganizationalCollaboration),
        (CG.Project, EURIO.Project),
        (CG.Project, FRAPO.Project),
        (CG.Project, SCHEMA.Project),
        (CG.Participation, EURIO.OrganisationRole),
        (CG.Programme, FRAPO.FundingProgramme),
        (CG.LabelAward, prov("Entity")),
        (CG.ValueChainLink, prov("Entity")),
        (CG.Statistic, prov("Entity")),
        (CG.Event, SCHEMA.Event),
        (CG.Place, SCHEMA.Place),
        (CG.Service, SCHEMA.Service),
        (CG.LabelLevel, SKOS.Concept),
    ]:
        assert (sub, RDFS.subClassOf, sup) in onto, (sub, sup)
    assert (CG.member, RDFS.subPropertyOf, ORG.hasMember) in onto
    assert (CG.awardedBy, RDFS.subPropertyOf, prov("wasAttributedTo")) in onto
    assert (CG.startDate, RDFS.subPropertyOf, SCHEMA.startDate) in onto


def test_dl_hygiene(onto):
    """Each IRI has one OWL kind; external terms are declared; no data property under an object property."""
    kinds: dict[URIRef, set[URIRef]] = {}
    for kind in KINDS:
        for term in declared(onto, kind):
            kinds.setdefault(term, set()).add(kind)
    assert not {t: k for t, k in kinds.items() if len(k) > 1}
    used = set()
    for s, p, o in onto:
        if p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.onProperty, RDFS.domain, RDFS.range) and isinstance(o, URIRef):
            used.add(o)
    builtins = {OWL.Thing, RDF.PlainLiteral}
    undeclared = {t for t in used if t not in kinds and t not in builtins and not str(t).startswith("http://www.w3.org/2001/XMLSchema#")}
    assert not undeclared, sorted(undeclared)
    datatype_props = declared(onto, OWL.DatatypeProperty)
    object_props = declared(onto, OWL.ObjectProperty)
    for p in datatype_props:
        assert not set(onto.objects(p, RDFS.subPropertyOf)) & object_props
    for p in object_props:
        assert not set(onto.objects(p, RDFS.subPropertyOf)) & datatype_props


def test_disjointness_guards_the_data(onto):
    pairs = set()
    for node in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(onto, onto.value(node, OWL.members)))
        pairs |= {frozenset((a, b)) for a in members for b in members if a != b}
    for a, b in [(CG.Project, CG.Organisation), (CG.LabelLevel, CG.Sector), (CG.Event, CG.Project), (CG.Role, CG.LabelLevel)]:
        assert frozenset((a, b)) in pairs


@pytest.mark.java
def test_consistent_and_every_class_satisfiable_under_hermit(onto):
    import io

    import owlready2

    world = owlready2.World()
    try:
        world.get_ontology("https://w3id.org/clustergraph/ontology").load(
            fileobj=io.BytesIO(onto.serialize(format="nt", encoding="utf-8")), format="ntriples"
        )
        owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
        assert list(world.inconsistent_classes()) == []
    finally:
        world.close()


_DL_CHECK = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
public class DLCheck {
  public static void main(String[] args) throws Exception {
    OWLOntologyManager m = OWLManager.createOWLOntologyManager();
    OWLOntology o = m.loadOntologyFromOntologyDocument(new File(args[0]));
    OWLProfileReport r = new OWL2DLProfile().checkOntology(o);
    for (OWLProfileViolation v : r.getViolations()) System.out.println("VIOLATION: " + v);
    System.out.println(r.isInProfile() ? "IN-PROFILE" : "NOT-IN-PROFILE");
  }
}
"""


@pytest.mark.java
def test_owl2_dl_profile(tmp_path):
    """The OWL API's OWL 2 DL profile checker (bundled with owlready2's HermiT) finds no violation."""
    import owlready2

    java = shutil.which("java")
    if java is None or shutil.which("javac") is None:
        pytest.skip("running the profile checker needs a JDK (java and javac)")
    source = tmp_path / "DLCheck.java"
    source.write_text(_DL_CHECK)
    classpath = str(Path(owlready2.__file__).parent / "hermit" / "HermiT.jar")
    proc = subprocess.run([java, "-cp", classpath, str(source), str(ontology_path())], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().endswith("IN-PROFILE") and "VIOLATION" not in proc.stdout, proc.stdout + proc.stderr[-2000:]
