"""The synthetic data generator: determinism, streaming, ontology fidelity, error bookkeeping."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import XSD

from clustergraph.cli import main
from clustergraph.errors import ParameterError
from clustergraph.generate import ECOSYSTEMS, ERROR_KINDS, generate, sizes_for
from clustergraph.namespaces import CG, COUNTRY, ID


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "sample.nt"
    stats = generate(out, organisations=300, projects=600, seed=11, error_rate=0.08)
    g = Graph()
    g.parse(out, format="nt")
    return stats, g


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path):
    a = generate(tmp_path / "a.nt", organisations=60, projects=120, seed=5)
    b = generate(tmp_path / "b.nt", organisations=60, projects=120, seed=5, batch_size=7)
    c = generate(tmp_path / "c.nt", organisations=60, projects=120, seed=6)
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()
    assert (tmp_path / "a.nt").read_bytes() != (tmp_path / "c.nt").read_bytes()
    assert a.errors == b.errors and a.error_nodes == b.error_nodes
    assert a.triples == len((tmp_path / "a.nt").read_bytes().splitlines())
    assert c.triples != a.triples or c.error_nodes != a.error_nodes


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out.nt"
    target.write_text("old\n")
    with pytest.raises(ParameterError):
        generate(target, organisations=1, projects=3)
    assert target.read_text() == "old\n"

    def boom(n: int) -> None:
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        generate(target, organisations=50, projects=200, batch_size=100, progress=boom)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.nt"]


def test_batches_bound_what_is_held_in_memory(tmp_path):
    seen = []
    generate(tmp_path / "x.nt", organisations=100, projects=400, batch_size=500, progress=seen.append)
    steps = [b - a for a, b in zip([0, *seen], seen)]
    assert max(steps) <= 500 and len(steps) > 10


_PEAK = """
import resource, sys
from clustergraph.generate import generate
generate(sys.argv[1], organisations=int(sys.argv[2]), projects=int(sys.argv[3]), seed=1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_peak_memory_does_not_grow_with_size(tmp_path):
    def peak(orgs: int, projects: int) -> int:
        out = subprocess.run([sys.executable, "-c", _PEAK, str(tmp_path / "p.nt"), str(orgs), str(projects)], capture_output=True, text=True, check=True)
        return int(out.stdout.strip())  # KiB

    small = peak(30, 300)  # ~10k triples
    large = peak(2500, 8000)  # ~320k triples
    assert large - small < 20_000, (small, large)


def test_sizes_for_hits_the_target_roughly(tmp_path):
    orgs, projects = sizes_for(50_000)
    stats = generate(tmp_path / "s.nt", organisations=orgs, projects=projects)
    assert 45_000 < stats.triples < 55_000


def test_terms_follow_the_ontology(sample):
    stats, g = sample
    assert stats.triples == len(g)
    assert len(set(g.subjects(RDF.type, CG.Project))) == stats.projects
    orgs = set(g.subjects(RDF.type, CG.Organisation)) - {ID["organisation/esca"], ID["organisation/eismea"]}
    assert len(orgs) == stats.organisations
    assert set(g.subjects(RDF.type, CG.ClusterOrganisation)) <= orgs  # typed as both, as the importer does
    assert all(str(o).startswith(str(ID) + "organisation/") for o in orgs)
    assert {str(e) for e in g.subjects(RDF.type, CG.Ecosystem)} == {f"{ID}ecosystem/{k}" for k in ECOSYSTEMS}
    assert len(ECOSYSTEMS) == 14
    for sector in g.subjects(RDF.type, CG.Sector):
        assert str(sector).startswith(f"{ID}sector/")
        assert len(list(g.objects(sector, CG.ecosystem))) == 1
    for c in g.objects(None, CG.country):
        assert str(c).startswith(str(COUNTRY)) and len(str(c)) == len(str(COUNTRY)) + 3
    for p in g.subjects(RDF.type, CG.Project):
        for prop in (CG.totalBudget, CG.euContribution):
            (v,) = g.objects(p, prop)
            assert v.datatype == XSD.decimal
        for prop in (CG.startDate, CG.endDate):
            (v,) = g.objects(p, prop)
            assert v.datatype == XSD.date
        (acronym,) = g.objects(p, CG.acronym)
        assert acronym.datatype is None and acronym.language is None
        (title,) = g.objects(p, URIRef("http://purl.org/dc/terms/title"))
        assert title.language == "en"
    for o in orgs:
        assert all(label.language for label in g.objects(o, RDFS.label))
    for call in g.subjects(RDF.type, CG.Call):
        assert g.value(call, CG.year).datatype == XSD.gYear
        assert g.value(call, CG.ordinal).datatype == XSD.integer
        assert (g.value(call, CG.programme), RDF.type, CG.Programme) in g
    assert stats.partnerships == len(set(g.subjects(RDF.type, CG.Partnership)))
    for part in g.subjects(RDF.type, CG.Partnership):
        assert list(g.objects(part, CG.member))


def test_realistic_shapes(sample):
    stats, g = sample
    partners = Counter(g.value(p, CG.project) for p in g.subjects(RDF.type, CG.Participation))
    assert min(partners.values()) >= 3 and max(partners.values()) <= 15
    assert len(partners) == stats.projects
    countries = Counter(g.objects(None, CG.country))
    top = countries.most_common()
    assert top[0][1] > 5 * top[-1][1]  # skewed
    sectors = Counter(g.objects(None, CG.sector))
    assert sectors.most_common()[0][1] > 5 * sectors.most_common()[-1][1]
    levels = {g.value(a, CG.level) for a in g.subjects(RDF.type, CG.LabelAward)}
    assert levels == {CG.Bronze, CG.Silver, CG.Gold}
    # progressions: some holder has Bronze before Silver before Gold
    by_holder: dict = {}
    for a in g.subjects(RDF.type, CG.LabelAward):
        by_holder.setdefault(g.value(a, CG.holder), []).append((g.value(a, CG.awardDate).toPython(), g.value(a, CG.level)))
    progressed = [h for h, aw in by_holder.items() if [lvl for _, lvl in sorted(aw)][:3] == [CG.Bronze, CG.Silver, CG.Gold]]
    assert progressed
    for h, aw in by_holder.items():
        assert sorted(aw)[0][1] == CG.Bronze


def test_injected_errors_are_exactly_the_ones_counted(sample):
    stats, g = sample
    assert set(stats.errors) == set(ERROR_KINDS)
    assert all(stats.errors[k] == len(stats.error_nodes[k]) for k in ERROR_KINDS)
    assert all(stats.errors[k] > 0 for k in ERROR_KINDS)

    def dec(s, p):
        return Decimal(str(g.value(s, p)))

    projects = list(g.subjects(RDF.type, CG.Project))
    above = {str(p) for p in projects if dec(p, CG.euContribution) > dec(p, CG.totalBudget)}
    reversed_ = {str(p) for p in projects if g.value(p, CG.endDate).toPython() < g.value(p, CG.startDate).toPython()}
    coordinators = Counter(g.value(pa, CG.project) for pa in g.subjects(CG.role, CG.Coordinator))
    none = {str(p) for p in projects if coordinators[p] == 0}
    two = {str(p) for p in projects if coordinators[p] == 2}
    assert max(coordinators.values()) <= 2
    orgs = set(g.subjects(RDF.type, CG.Organisation))
    no_country = {str(o) for o in orgs if g.value(o, CG.country) is None}
    awards = list(g.subjects(RDF.type, CG.LabelAward))
    expired = {str(a) for a in awards if g.value(a, CG.validUntil).toPython() < g.value(a, CG.awardDate).toPython()}
    assert above == set(stats.error_nodes["eu_contribution_above_budget"])
    assert reversed_ == set(stats.error_nodes["end_before_start"])
    assert none == set(stats.error_nodes["missing_coordinator"])
    assert two == set(stats.error_nodes["two_coordinators"])
    assert no_country == set(stats.error_nodes["missing_country"])
    assert expired == set(stats.error_nodes["award_expires_before_award"])


def test_no_errors_when_rate_is_zero(tmp_path):
    stats = generate(tmp_path / "clean.nt", organisations=100, projects=300, error_rate=0.0)
    assert sum(stats.errors.values()) == 0


def test_literals_are_canonical_so_every_store_keeps_them(tmp_path):
    """Oxigraph rewrites non-canonical numbers ("1.50" -> "1.5"); the generator writes canonical ones."""
    import pyoxigraph as ox

    out = tmp_path / "c.nt"
    generate(out, organisations=40, projects=80)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    written = {line for line in out.read_text(encoding="utf-8").splitlines()}
    dumped = {line.rstrip() for line in store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8").splitlines()}
    assert written == dumped


def test_cli_generate(tmp_path):
    out = tmp_path / "cli.nt"
    result = CliRunner().invoke(main, ["generate", "--organisations", "30", "--projects", "50", "--seed", "2", "--error-rate", "0.1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "triples" in result.output and out.exists()
    again = tmp_path / "again.nt"
    CliRunner().invoke(main, ["generate", "--organisations", "30", "--projects", "50", "--seed", "2", "--error-rate", "0.1", "--out", str(again)])
    assert out.read_bytes() == again.read_bytes()
    bad = CliRunner().invoke(main, ["generate", "--organisations", "30", "--projects", "50", "--error-rate", "2", "--out", str(out)])
    assert bad.exit_code == 2 and "error-rate" in bad.output
