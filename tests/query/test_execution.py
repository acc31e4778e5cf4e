"""Running the library on the embedded dataset: expected rows, every store agrees, binding is safe.

The expected rows were checked by hand against the seeds in ``../shared/seeds``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from clustergraph import store
from clustergraph.query import library
from clustergraph.query import execution as query
from clustergraph.cli import main
from clustergraph.errors import ParameterError, QueryError
from clustergraph.namespaces import CG, COUNTRY, ID

CALL1, CALL2 = ID["call/cluster-excellence-programme-1"], ID["call/cluster-excellence-programme-2"]

# Figures as published in seed 001 (€258.437 is 258,437 euros): acronym -> (total budget, EU contribution).
FIGURES = {
    "MATERIALIX": (258437, 308894),
    "RUE AERO": (263060, 249851),
    "CECIL": (247283, 299450),
    "5FOREXCELLENCE": (249416, 236944),
    "CLUSTEM": (262530, 249401),
    "TCE": (249422, 236950),
    "SmartSports4GoodLife": (469905, 359989),
    "INNO-DROP": (284392, 213294),
    "CLUSGRID": (268727, 201545),
    "TRACE-KEI": (284984, 213738),
    "COSMENERG": (280685, 210510),
    "ECRI": (228949, 160477),
}
FIRST_CALL = ["MATERIALIX", "RUE AERO", "CECIL", "5FOREXCELLENCE", "CLUSTEM", "TCE"]
SECOND_CALL = ["SmartSports4GoodLife", "INNO-DROP", "CLUSGRID", "TRACE-KEI", "COSMENERG", "ECRI"]

# Parameter values that exercise each query beyond its defaults (also run on every store).
VARIANTS = [
    ("projects-per-call", {"call": "cgid:call/cluster-excellence-programme-2"}),
    ("eu-contribution-by-country", {"call": "cgid:call/cluster-excellence-programme-2"}),
    ("eu-contribution-by-sector", {"ecosystem": "cgid:ecosystem/electronics"}),
    ("labels-on-date", {"date": "2017-06-30", "level": "cg:Bronze"}),
    ("cross-sector-projects", {"minSectors": 1}),
    ("co-participants", {"organisation": "cgid:organisation/cap-digital"}),
    ("coordinators", {"role": "cg:LeadPartner"}),
    ("project-consortium", {"acronym": "INNO-DROP"}),
    ("events", {"relation": "invitee"}),
    ("participations-by-country", {"role": "cg:Coordinator"}),
    ("projects-in-year", {"year": 2020}),
    ("project-dates-vs-call", {"maxYears": 0}),
    ("published-statistics", {"about": "cgid:project/inno-drop"}),
    ("organisations-by-name", {"name": "ict"}),
    ("collaboration-network", {"project": "cgid:project/inno-drop"}),
    ("holds-label", {"organisation": "cgid:organisation/friuli-venezia-giulia-regional-clusters", "level": "cg:Bronze"}),
    ("label-progression", {"holder": "cgid:organisation/ditenave"}),
]
REQUIRED = {"organisations-by-name": {"name": "cluster"}, "holds-label": {"organisation": "cgid:organisation/ditenave"}}
CASES = [(q.name, REQUIRED.get(q.name, {})) for q in library.list_queries()] + VARIANTS


@pytest.fixture(scope="module")
def data():
    """The embedded dataset with the ontology, in Oxigraph (what ``clustergraph query`` uses)."""
    return query.open_data()


def rows(result, *names):
    """The result's rows as tuples of Python values for the named columns."""
    return [tuple(r[n] for n in names) for r in result.records()]


def run(data, query_name, **params):
    return query.run(data, query_name, params)


# --- every library query returns the rows the seeds give -------------------------------


def test_projects_per_call(data):
    result = run(data, "projects-per-call")
    got = rows(result, "call", "acronym", "totalBudget", "euContribution")
    assert sorted(a for c, a, *_ in got if c == str(CALL1)) == sorted(FIRST_CALL)
    assert sorted(a for c, a, *_ in got if c == str(CALL2)) == sorted(SECOND_CALL)
    assert {a: (int(t), int(e)) for _, a, t, e in got} == FIGURES
    cecil = next(r for r in result.records() if r["acronym"] == "CECIL")
    assert cecil["euShare"] == Decimal("1.211") and cecil["year"] is not None
    assert (cecil["startDate"], cecil["endDate"]) == (dt.date(2016, 1, 1), dt.date(2017, 12, 31))
    assert len(run(data, "projects-per-call", call="cgid:call/cluster-excellence-programme-2")) == 6


def test_call_budgets(data):
    got = {r["ordinal"]: r for r in run(data, "call-budgets").records()}
    assert set(got) == {1, 2}
    for ordinal, names in ((1, FIRST_CALL), (2, SECOND_CALL)):
        assert got[ordinal]["projects"] == 6
        assert got[ordinal]["totalBudgets"] == sum(FIGURES[n][0] for n in names)
        assert got[ordinal]["euContributions"] == sum(FIGURES[n][1] for n in names)
    assert got[1]["euContributions"] > got[1]["totalBudgets"]  # the published contradiction shows


def test_eu_contribution_by_country(data):
    got = {r["country"]: (r["projects"], r["totalEuContribution"], r["meanEuContribution"]) for r in run(data, "eu-contribution-by-country").records()}
    cecil, inno = FIGURES["CECIL"][1], FIGURES["INNO-DROP"][1]
    assert got == {
        str(COUNTRY.ESP): (2, cecil + inno, Decimal(cecil + inno) / 2),  # Madrid ICT-Audiovisual Cluster and ZINNAE
        str(COUNTRY.FRA): (1, cecil, cecil),
        str(COUNTRY.POL): (1, cecil, cecil),
        str(COUNTRY.DNK): (1, cecil, cecil),
        str(COUNTRY.DEU): (1, inno, inno),  # BalticNet-PlasmaTec ("Alemania")
        str(COUNTRY.CZE): (1, inno, inno),  # Nanoprogress ("República Checa")
    }
    only2 = rows(run(data, "eu-contribution-by-country", call=str(CALL2)), "country")
    assert sorted(only2) == sorted([(str(COUNTRY[c]),) for c in ("ESP", "DEU", "CZE")])


def test_eu_contribution_by_sector(data):
    got = {r["sectorName"]: (r["ecosystem"], r["projects"], r["totalEuContribution"]) for r in run(data, "eu-contribution-by-sector").records()}
    assert got["digital creative industries"] == (str(ID["ecosystem/cultural-and-creative-industries"]), 1, FIGURES["CECIL"][1])
    assert got["new materials"][2] == FIGURES["MATERIALIX"][1]
    for inno_sector in ("nanotechnology", "plasma", "sensors and membranes", "water"):
        assert got[inno_sector][1:] == (1, FIGURES["INNO-DROP"][1])
    assert len(got) == 10
    electronics = rows(run(data, "eu-contribution-by-sector", ecosystem="cgid:ecosystem/electronics"), "sectorName")
    assert sorted(electronics) == [("nanotechnology",), ("plasma",), ("sensors and membranes",)]


def test_labels_on_date_with_the_seeds_and_with_dated_awards(data):
    # The seeds give no year for the Friuli clusters' Bronze label ("last November"), so no
    # award has a date and none is provably held on any day.
    assert run(data, "labels-on-date").rows == []
    dated = store.to_memory(data)
    g = dated.graph(URIRef("urn:test:dated"))
    for key, holder, level, awarded, until in (
        ("a", "friuli-venezia-giulia-regional-clusters", CG.Bronze, "2015-11-15", "2017-11-14"),
        ("b", "ditenave", CG.Gold, "2017-06-01", None),
    ):
        award = ID[f"award/test-{key}"]
        g.add((award, CG.holder, ID[f"organisation/{holder}"]))
        g.add((award, CG.level, level))
        g.add((award, CG.awardDate, Literal(awarded, datatype=XSD.date)))
        if until:
            g.add((award, CG.validUntil, Literal(until, datatype=XSD.date)))
    held = lambda **p: sorted(r["holderName"] for r in run(dated, "labels-on-date", **p).records())  # noqa: E731
    assert held(date="2015-11-14") == []
    assert held() == ["Friuli Venezia Giulia regional clusters"]
    assert held(date="2017-06-30") == ["DITENAVE", "Friuli Venezia Giulia regional clusters"]
    assert held(date="2017-06-30", level="cg:Gold") == ["DITENAVE"]
    assert held(date="2018-01-01") == ["DITENAVE"]
    first = run(dated, "labels-on-date", date="2017-06-30").records()[0]
    assert first["level"] == str(CG.Gold) and first["rank"] == 3, "Gold first"


def test_label_progression(data):
    got = rows(run(data, "label-progression"), "holderName", "level", "rank", "status", "dateAsPublished")
    assert got == [
        ("DITENAVE", str(CG.Gold), 3, "target", None),
        ("Friuli Venezia Giulia regional clusters", str(CG.Bronze), 1, "awarded", "last November"),
    ]


def test_cross_sector_projects(data):
    assert rows(run(data, "cross-sector-projects"), "acronym", "partners", "sectors", "ecosystems") == [("INNO-DROP", 3, 2, 1)]
    assert rows(run(data, "cross-sector-projects", minSectors=1), "acronym") == [("INNO-DROP",), ("CECIL",)]
    assert run(data, "cross-sector-projects", minEcosystems=2).rows == []


def test_co_participants(data):
    got = run(data, "co-participants").records()
    assert len(got) == 12 + 6  # CECIL: 4 partners, 4*3 ordered pairs; INNO-DROP: 3*2
    assert {r["sharedProjects"] for r in got} == {1}
    cap = run(data, "co-participants", organisation="cgid:organisation/cap-digital")
    assert sorted(rows(cap, "partnerName")) == [("Danish Sound",), ("Madrid ICT-Audiovisual Cluster",), ("Mazovia ICT Cluster",)]


def test_coordinators(data):
    assert sorted(rows(run(data, "coordinators"), "name", "acronym", "country")) == [
        ("BalticNet-PlasmaTec", "INNO-DROP", str(COUNTRY.DEU)),
        ("Madrid ICT-Audiovisual Cluster", "CECIL", str(COUNTRY.ESP)),
    ]
    assert rows(run(data, "coordinators", role="cg:LeadPartner"), "name", "acronym") == [("Informest", "Clus3")]


def test_project_consortium(data):
    cecil = rows(run(data, "project-consortium"), "name", "role")
    assert sorted(cecil) == sorted(
        [("Madrid ICT-Audiovisual Cluster", str(CG.Coordinator))] + [(n, str(CG.Partner)) for n in ("Cap Digital", "Mazovia ICT Cluster", "Danish Sound")]
    )
    inno = rows(run(data, "project-consortium", acronym="INNO-DROP"), "name", "role")
    assert sorted(inno) == sorted(
        [("BalticNet-PlasmaTec", str(CG.Coordinator)), ("BalticNet-PlasmaTec", str(CG.WorkPackageLeader))]
        + [(n, str(r)) for n in ("Nanoprogress", "ZINNAE") for r in (CG.Partner, CG.WorkPackageLeader)]
    )


def test_work_package_leaders(data):
    assert rows(run(data, "work-package-leaders"), "acronym", "number", "leaderName") == [
        ("INNO-DROP", 1, "Nanoprogress"),
        ("INNO-DROP", 2, "BalticNet-PlasmaTec"),
        ("INNO-DROP", 4, "ZINNAE"),
        ("INNO-DROP", 5, "BalticNet-PlasmaTec"),
    ]


def test_partnerships_and_their_members(data):
    # Seed 004: INNO-DROP's members belong to ESCP-4i AdPack and EnW, without saying who is in which.
    assert rows(run(data, "partnership-members"), "name", "programme", "member", "relatedProject") == [
        ("AdPack", str(ID["programme/escp-4i"]), None, str(ID["project/inno-drop"])),
        ("EnW", str(ID["programme/escp-4i"]), None, str(ID["project/inno-drop"])),
    ]
    assert run(data, "project-and-partnership-members").rows == []
    with_members = store.to_memory(data)
    with_members.graph(URIRef("urn:test:members")).add((ID["partnership/adpack"], CG.member, ID["organisation/zinnae"]))
    assert rows(run(with_members, "project-and-partnership-members"), "name", "acronym", "partnershipName") == [("ZINNAE", "INNO-DROP", "AdPack")]
    assert rows(run(with_members, "partnership-members"), "name", "memberName")[0] == ("AdPack", "ZINNAE")


def test_events(data):
    got = rows(run(data, "events"), "name", "organisationName", "relation", "placeName", "country", "date", "dateAsPublished")
    event = "Meeting of 50 Gold-Label Clusters"
    assert got == [
        (event, "IT-Logistikcluster", "invitee", "Brussels", str(COUNTRY.BEL), None, "December 4th"),
        (event, "DG GROW", "organiser", "Brussels", str(COUNTRY.BEL), None, "December 4th"),
    ]
    assert rows(run(data, "events", relation="invitee"), "organisationName") == [("IT-Logistikcluster",)]


def test_participations_by_country(data):
    got = rows(run(data, "participations-by-country"), "country", "participations", "organisations", "projects")
    assert got[0] == (str(COUNTRY.ESP), 2, 2, 2)
    assert sorted(got[1:]) == [(str(COUNTRY[c]), 1, 1, 1) for c in ("CZE", "DEU", "DNK", "FRA", "POL")]
    assert sorted(rows(run(data, "participations-by-country", role="cg:Coordinator"), "country")) == [(str(COUNTRY.DEU),), (str(COUNTRY.ESP),)]


@pytest.mark.parametrize(
    "year, expected",
    [
        (2015, ["Clus3"]),
        (2016, ["Clus3"] + FIRST_CALL + [a for a in SECOND_CALL if a != "SmartSports4GoodLife"]),
        (2017, FIRST_CALL + [a for a in SECOND_CALL if a != "SmartSports4GoodLife"]),
        (2020, ["SmartSports4GoodLife"]),
        (2023, []),
    ],
)
def test_projects_in_year(data, year, expected):
    assert sorted(a for (a,) in rows(run(data, "projects-in-year", year=year), "acronym")) == sorted(expected)


def test_data_quality_queries(data):
    missing = [a for (a,) in rows(run(data, "projects-without-coordinator"), "acronym")]
    assert sorted(missing) == sorted(a for a in FIGURES if a not in ("CECIL", "INNO-DROP")), "Clus3 has a lead partner"
    assert rows(run(data, "organisations-without-country"), "name", "participations") == [
        ("DG GROW", 0), ("EASME", 0), ("ESCA", 0), ("European Cluster Alliance", 0), ("European Commission", 0), ("Informest", 1),
    ]
    assert rows(run(data, "eu-contribution-above-budget"), "acronym", "excess") == [("CECIL", 299450 - 247283), ("MATERIALIX", 308894 - 258437)]
    # Seed 001 lists SmartSports4GoodLife in the 2nd call (2015) but dates it 2020.
    assert rows(run(data, "project-dates-vs-call"), "acronym", "callYear", "yearsAfterCall") == [("SmartSports4GoodLife", "2015", 5)]


def test_published_statistics(data):
    got = {(r["about"], r["measure"]): (r["comparator"], r["value"], r["sourceTitle"]) for r in run(data, "published-statistics").records()}
    assert len(got) == 14
    meeting = str(ID["event/meeting-of-50-gold-label-clusters"])
    assert got[(meeting, "SMEs represented")][:2] == ("more than", 6500)
    assert got[(meeting, "countries")][:2] == ("exactly", 17)
    assert got[(meeting, "countries")][2].startswith("IT-Logistikcluster")
    assert got[(str(CALL1), "projects selected")][:2] == ("exactly", 6)


def test_organisations_by_name(data):
    got = sorted(n for (n,) in rows(run(data, "organisations-by-name", name="CLUSTER"), "label"))
    assert got == ["ESCA", "European Cluster Alliance", "Friuli Venezia Giulia regional clusters", "IT-Logistikcluster", "Madrid ICT-Audiovisual Cluster", "Mazovia ICT Cluster"]


def test_collaboration_network_is_a_graph(data):
    result = run(data, "collaboration-network")
    assert result.kind == "CONSTRUCT"
    links = set(result.graph.subject_objects(CG.collaboratesWith))
    assert len(links) == 18 and (ID["organisation/cap-digital"], ID["organisation/danish-sound"]) in links
    assert "cg:collaboratesWith" in result.to_turtle()


def test_holds_label(data):
    friuli = "cgid:organisation/friuli-venezia-giulia-regional-clusters"
    assert run(data, "holds-label", organisation=friuli, level="cg:Bronze").boolean is True
    assert run(data, "holds-label", organisation=friuli).boolean is False  # default level: Gold
    assert run(data, "holds-label", organisation="cgid:organisation/ditenave").boolean is False  # a target only


# --- the same answers on every store ---------------------------------------------------


def _key(result):
    if result.kind == "ASK":
        return result.boolean
    if result.graph is not None:
        return sorted(result.graph)
    return sorted(tuple("" if t is None else t.n3() for t in row) for row in result.rows)


@pytest.fixture(scope="module")
def stores(data, tmp_path_factory):
    on_disk = query.open_data(path=tmp_path_factory.mktemp("oxigraph-store"))
    memory = query.open_data(kind="memory")
    return {"oxigraph on disk": on_disk, "rdflib memory": memory}


@pytest.mark.parametrize("name, params", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_every_store_gives_the_same_answer(data, stores, name, params):
    expected = query.run(data, name, params)
    for kind, ds in stores.items():
        got = query.run(ds, name, params)
        assert got.variables == expected.variables, kind
        if expected.graph is not None:
            assert isomorphic(got.graph, expected.graph), kind
        else:
            assert _key(got) == _key(expected), kind


def test_on_disk_store_is_reopened_with_its_data(tmp_path):
    first = query.open_data(path=tmp_path / "store")
    n = len(query.run(first, "projects-per-call"))
    del first
    import gc

    gc.collect()
    again = query.open_data(path=tmp_path / "store")
    assert len(query.run(again, "projects-per-call")) == n == 12


# --- binding, not pasting ------------------------------------------------------------------

INJECTIONS = [
    'CECIL"} UNION { ?project ?p ?o } #',
    'CECIL" } } ; DELETE WHERE { ?s ?p ?o } #',
    "CECIL' } UNION { ?project ?p ?o } #",
    'CECIL\\" } UNION { ?project ?p ?o } #',
    "CECIL> } UNION { ?project ?p ?o } #",
]


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
@pytest.mark.parametrize("evil", INJECTIONS)
def test_parameters_cannot_inject_sparql(data, stores, kind, evil):
    ds = data if kind == "oxigraph" else stores["rdflib memory"]
    before = len(store.union(ds))
    assert query.run(ds, "project-consortium", {"acronym": evil}).rows == []
    assert query.run(ds, "organisations-by-name", {"name": evil}).rows == []
    assert len(store.union(ds)) == before
    assert len(query.run(ds, "project-consortium", {"acronym": "CECIL"})) == 4


def test_an_iri_parameter_cannot_carry_syntax(data):
    with pytest.raises(ParameterError):
        query.run(data, "projects-per-call", {"call": "http://x> } UNION { ?s ?p ?o"})


# --- results as tables ------------------------------------------------------------------------


def test_dataframe_dtypes(data):
    df = run(data, "projects-per-call").to_dataframe()
    dtypes = df.dtypes.astype(str).to_dict()
    assert dtypes == {
        "call": "string",
        "ordinal": "Int64",
        "year": "Int64",  # xsd:gYear
        "project": "string",
        "acronym": "string",
        "startDate": "datetime64[ns]",
        "endDate": "datetime64[ns]",
        "totalBudget": "float64",
        "euContribution": "float64",
        "euShare": "float64",
    }
    cecil = df.set_index("acronym").loc["CECIL"]
    assert cecil["totalBudget"] == 247283 and cecil["year"] == 2014
    assert str(cecil["startDate"].date()) == "2016-01-01"
    assert df["euContribution"].sum() == sum(e for _, e in FIGURES.values())
    stats = run(data, "published-statistics").to_dataframe()
    assert str(stats["value"].dtype) == "float64" and stats["sourceTitle"].isna().sum() == 0
    assert run(data, "holds-label", organisation="cgid:organisation/ditenave").to_dataframe()["ask"].tolist() == [False]
    graph_df = run(data, "collaboration-network").to_dataframe()
    assert list(graph_df.columns) == ["s", "p", "o"] and len(graph_df) == 25


def test_dataframe_missing_values_and_mixed_columns():
    result = query.QueryResult(
        "SELECT",
        ["n", "mixed", "flag", "when"],
        [
            (Literal(1), Literal("a"), Literal(True), Literal("2020-01-02T03:04:05", datatype=XSD.dateTime)),
            (None, Literal(2), None, None),
        ],
    )
    df = result.to_dataframe()
    assert df.dtypes.astype(str).tolist() == ["Int64", "string", "boolean", "datetime64[ns]"]
    assert df["n"].isna().tolist() == [False, True]


def test_csv_tsv_json(data):
    result = run(data, "coordinators")
    csv_text = result.to_csv()
    assert csv_text.splitlines()[0] == "organisation,name,country,project,acronym,call"
    assert "Madrid ICT-Audiovisual Cluster" in csv_text and csv_text.endswith("\r\n")
    tsv = result.to_tsv().splitlines()
    assert tsv[0].split("\t")[:2] == ["?organisation", "?name"]
    assert '"Madrid ICT-Audiovisual Cluster"@en' in result.to_tsv()
    doc = json.loads(result.to_json())
    assert doc["head"]["vars"][0] == "organisation" and len(doc["results"]["bindings"]) == 2
    assert {"type": "literal", "value": "CECIL"} in [b["acronym"] for b in doc["results"]["bindings"]]
    assert json.loads(run(data, "holds-label", organisation="cgid:organisation/ditenave").to_json()) == {"head": {}, "boolean": False}
    with pytest.raises(QueryError, match="turtle is for CONSTRUCT"):
        result.to_turtle()
    with pytest.raises(QueryError, match="is a graph"):
        run(data, "collaboration-network").to_csv()


def test_table_shortens_iris(data):
    table = run(data, "coordinators").to_table()
    assert "cgid:organisation/balticnet-plasmatec" in table and "country:DEU" in table
    assert table.splitlines()[1].startswith("-")


def test_adhoc_queries_and_their_errors(data, tmp_path):
    text = "PREFIX cg: <https://w3id.org/clustergraph/ontology#>\nSELECT ?p WHERE { ?p cg:acronym ?a }"
    assert query.run(data, text, {"a": "TCE"}).rows == [(ID["project/tce"],)]
    path = tmp_path / "mine.rq"
    path.write_text(text)
    assert len(query.run(data, path)) == 13 + 3  # the projects, and COSME, ESCP-4i, ESCP-4x
    assert len(query.run(data, str(path))) == 16
    with pytest.raises(QueryError, match="malformed SPARQL"):
        query.run(data, "SELECT ?x WHERE { ?x ?p }")
    with pytest.raises(QueryError, match="malformed SPARQL"):
        query.run(query.open_data(kind="memory"), "SELECT ?x WHERE { ?x ?p }")


# --- the command line --------------------------------------------------------------------------


def test_cli_list_and_run(tmp_path):
    runner = CliRunner()
    listing = runner.invoke(main, ["query", "--list"])
    assert listing.exit_code == 0
    assert "projects-per-call  [SELECT]" in listing.output and "--param date (xsd:date, default 2016-12-31)" in listing.output
    out = runner.invoke(main, ["query", "projects-per-call", "--param", "call=cgid:call/cluster-excellence-programme-1", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert len(out.output.strip().splitlines()) == 1 + 6
    out = runner.invoke(main, ["query", "collaboration-network", "--format", "turtle", "-p", "project=cgid:project/inno-drop"])
    assert out.exit_code == 0 and "cg:collaboratesWith" in out.output
    data_file = tmp_path / "mini.ttl"
    data_file.write_text('<http://ex.org/p> <https://w3id.org/clustergraph/ontology#acronym> "X" .\n')
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?p WHERE { ?p <https://w3id.org/clustergraph/ontology#acronym> ?a }")
    out = runner.invoke(main, ["query", "--file", str(rq), "--data", str(data_file), "--format", "json", "-p", "a=X"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["results"]["bindings"] == [{"p": {"type": "uri", "value": "http://ex.org/p"}}]
    out = runner.invoke(main, ["query", "coordinators", "--store", str(tmp_path / "store"), "--format", "tsv"])
    assert out.exit_code == 0 and len(out.output.splitlines()) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["query", "labels-on-date", "--param", "date=31/12/2016"], "parameter 'date' of query 'labels-on-date' must be an xsd:date"),
        (["query", "labels-on-date", "--param", "day=2016-12-31"], "has no parameter 'day'"),
        (["query", "labels-on-date", "--param", "date"], "is not NAME=VALUE"),
        (["query", "nope"], "no query named 'nope'"),
        (["query"], "give either a query NAME or --file"),
        (["query", "coordinators", "--data", "missing.ttl"], "missing.ttl: file not found"),
        (["query", "coordinators", "--format", "turtle"], "turtle is for CONSTRUCT"),
        (["query", "coordinators", "--graph", "urn:x"], "--graph only applies with --endpoint"),
    ],
)
def test_cli_errors_are_one_line(args, message):
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clustergraph: error: ") and message in lines[0], out.output


# --- a real remote store: Virtuoso, loaded with `clustergraph push` ------------------------------

NUMERIC = {XSD[t] for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger")}


def normalise(term):
    """Compare values, not lexical forms, where Virtuoso normalises what it stores.

    Measured on Virtuoso 7.2 (see ENVIRONMENT.md and clustergraph.push):
    - numbers come back in canonical form ("258437.50" as 258437.5, "007" as 7,
      "1.5e3" as 1500.0) and aggregates may carry other precision: numbers are
      compared as values, to 9 significant digits;
    - xsd:boolean comes back as "1"/"0" in SPARQL JSON: compared as truth values;
    - blank node labels are the store's own: every blank node compares equal;
    - plain strings reported as xsd:string are turned plain by the endpoint module
      (as the store layer does for Oxigraph), so strings compare as they are.
    """
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal):
        if term.datatype in NUMERIC:
            return ("number", float(f"{float(term):.9g}"))
        if term.datatype == XSD.boolean:
            return ("boolean", bool(term.toPython()))
        return ("literal", str(term), term.language, str(term.datatype or ""))
    return ("iri", str(term))


def normalised(result):
    if result.kind == "ASK":
        return result.boolean
    rows_ = [tuple(normalise(t) for t in triple) for triple in result.graph] if result.graph is not None else [tuple(normalise(t) for t in row) for row in result.rows]
    return sorted(rows_, key=repr)


REMOTE_GRAPH = "https://w3id.org/clustergraph/graph/test-embedded"


@pytest.fixture(scope="module")
def remote(virtuoso):
    """Virtuoso holding the embedded dataset, pushed with ``clustergraph push``; a dataset over that graph."""
    from clustergraph.store.remote import open_remote

    env = {"CLUSTERGRAPH_ENDPOINT_USER": virtuoso.user, "CLUSTERGRAPH_ENDPOINT_PASSWORD": virtuoso.password, "CLUSTERGRAPH_CONFIG": ""}
    out = CliRunner().invoke(main, ["push", "--endpoint", virtuoso.sparql, "--flavour", "virtuoso", "--graph", REMOTE_GRAPH], env=env)
    assert out.exit_code == 0, out.output
    assert out.output.startswith(f"replaced <{REMOTE_GRAPH}> with ")
    return open_remote(virtuoso.sparql, graph=REMOTE_GRAPH, timeout=30)


@pytest.mark.virtuoso
@pytest.mark.parametrize("name, params", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_remote_store_gives_the_same_answer(data, remote, name, params):
    local = query.run(data, name, params)
    got = query.run(remote, name, params)
    assert got.kind == local.kind and got.variables == local.variables
    assert normalised(got) == normalised(local)


@pytest.mark.virtuoso
def test_cli_queries_the_remote_store(remote, virtuoso):
    out = CliRunner().invoke(main, ["query", "coordinators", "--endpoint", virtuoso.sparql, "--graph", REMOTE_GRAPH, "--format", "csv"], env={"CLUSTERGRAPH_CONFIG": ""})
    assert out.exit_code == 0, out.output
    assert "Madrid ICT-Audiovisual Cluster" in out.output and len(out.output.strip().splitlines()) == 3


@pytest.mark.virtuoso
def test_remote_injection_returns_nothing_and_changes_nothing(remote):
    before = len(query.run(remote, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
    for evil in INJECTIONS:
        assert query.run(remote, "project-consortium", {"acronym": evil}).rows == []
    assert len(query.run(remote, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")) == before
    assert len(query.run(remote, "project-consortium", {"acronym": "CECIL"})) == 4


@pytest.mark.virtuoso
def test_remote_dataframe_has_the_same_dtypes(data, remote):
    local = query.run(data, "projects-per-call").to_dataframe()
    far = query.run(remote, "projects-per-call").to_dataframe()
    assert far.dtypes.astype(str).to_dict() == local.dtypes.astype(str).to_dict()
    assert far.sort_values("acronym").reset_index(drop=True).equals(local.sort_values("acronym").reset_index(drop=True))

