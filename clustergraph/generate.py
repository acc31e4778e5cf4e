"""Synthetic cluster-programme data for benchmarks and tests, streamed to N-Triples.

The generator writes data in the clustergraph ontology with realistic shapes:
sectors and the 14 EU industrial ecosystems with skewed (Zipf-like) sizes,
skewed countries, calls per programme and year, projects with 3 to 15
participations and exactly one coordinator (work package leaders with their
work packages), budgets, Bronze→Silver→Gold label
awards over time with a validity of about two years, and strategic
partnerships. A controlled share of entities carries one deliberate error each
(see :data:`ERROR_KINDS`); the returned :class:`GenerateStats` counts them and
names the nodes, so tests can check that validation finds exactly them.

Output is streamed in batches (memory does not grow with the size of the
graph), written to a temporary file and renamed at the end, and is
byte-identical for the same arguments.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "small.nt"
>>> stats = generate(out, organisations=20, projects=10, seed=1, error_rate=0.0)
>>> stats.triples == len(out.read_text().splitlines())
True
>>> stats.projects, sum(stats.errors.values())
(10, 0)
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_write
from .errors import ParameterError
from .iri import slug
from .namespaces import CG, COUNTRY, ID

__all__ = [
    "ERROR_KINDS",
    "ECOSYSTEMS",
    "GenerateStats",
    "generate",
    "sizes_for",
]

#: Deliberate errors the generator can inject, by the entity that carries them.
ERROR_KINDS: dict[str, str] = {
    "eu_contribution_above_budget": "project: cg:euContribution greater than cg:totalBudget",
    "end_before_start": "project: cg:endDate before cg:startDate",
    "missing_coordinator": "project: no participation with the role cg:Coordinator",
    "two_coordinators": "project: two participations with the role cg:Coordinator",
    "missing_country": "cluster organisation: no cg:country",
    "award_expires_before_award": "label award: cg:validUntil before cg:awardDate",
}
_PROJECT_ERRORS = ("eu_contribution_above_budget", "end_before_start", "missing_coordinator", "two_coordinators")

#: The 14 industrial ecosystems of the EU Industrial Strategy: slug -> English label.
ECOSYSTEMS: dict[str, str] = {
    "aerospace-and-defence": "Aerospace and defence",
    "agri-food": "Agri-food",
    "construction": "Construction",
    "cultural-and-creative-industries": "Cultural and creative industries",
    "digital": "Digital",
    "electronics": "Electronics",
    "energy-intensive-industries": "Energy-intensive industries",
    "renewable-energy": "Renewable energy",
    "health": "Health",
    "mobility-transport-and-automotive": "Mobility, transport and automotive",
    "proximity-social-economy-and-civil-security": "Proximity, social economy and civil security",
    "retail": "Retail",
    "textile": "Textile",
    "tourism": "Tourism",
}

# Sectors (English label, Spanish label, ecosystem slug), in order of popularity;
# popularity follows a Zipf law over this list, so ecosystem sizes are skewed too.
_SECTORS: tuple[tuple[str, str, str], ...] = (
    ("ICT", "TIC", "digital"),
    ("Advanced manufacturing", "Fabricación avanzada", "energy-intensive-industries"),
    ("Automotive", "Automoción", "mobility-transport-and-automotive"),
    ("Agri-food", "Agroalimentación", "agri-food"),
    ("Health and life sciences", "Salud y ciencias de la vida", "health"),
    ("Renewable energy", "Energías renovables", "renewable-energy"),
    ("Audiovisual", "Audiovisual", "cultural-and-creative-industries"),
    ("Logistics", "Logística", "mobility-transport-and-automotive"),
    ("Aeronautics", "Aeronáutica", "aerospace-and-defence"),
    ("Construction materials", "Materiales de construcción", "construction"),
    ("Textile and fashion", "Textil y moda", "textile"),
    ("Tourism", "Turismo", "tourism"),
    ("Microelectronics", "Microelectrónica", "electronics"),
    ("Chemicals", "Química", "energy-intensive-industries"),
    ("Biotechnology", "Biotecnología", "health"),
    ("Cybersecurity", "Ciberseguridad", "digital"),
    ("Maritime", "Marítimo", "mobility-transport-and-automotive"),
    ("Food processing", "Procesado de alimentos", "agri-food"),
    ("Social economy", "Economía social", "proximity-social-economy-and-civil-security"),
    ("Retail", "Comercio minorista", "retail"),
    ("Photonics", "Fotónica", "electronics"),
    ("Space", "Espacio", "aerospace-and-defence"),
    ("Smart buildings", "Edificación inteligente", "construction"),
    ("Video games", "Videojuegos", "cultural-and-creative-industries"),
    ("Medical devices", "Dispositivos médicos", "health"),
    ("Hydrogen", "Hidrógeno", "renewable-energy"),
    ("Wood and furniture", "Madera y mueble", "construction"),
    ("Steel and metals", "Acero y metales", "energy-intensive-industries"),
    ("Civil security", "Seguridad civil", "proximity-social-economy-and-civil-security"),
    ("Wine", "Vino", "agri-food"),
    ("Design", "Diseño", "cultural-and-creative-industries"),
    ("Railway", "Ferrocarril", "mobility-transport-and-automotive"),
    ("E-commerce", "Comercio electrónico", "retail"),
    ("Leather and footwear", "Cuero y calzado", "textile"),
    ("Sustainable tourism", "Turismo sostenible", "tourism"),
    ("Artificial intelligence", "Inteligencia artificial", "digital"),
    ("Defence", "Defensa", "aerospace-and-defence"),
    ("Batteries", "Baterías", "electronics"),
)

# Countries (EU authority code, local language tag or None, a few cities), skewed by weight.
_COUNTRIES: tuple[tuple[str, str | None, float, tuple[str, ...]], ...] = (
    ("ESP", "es", 18.0, ("Madrid", "Barcelona", "Bilbao", "Valencia", "Sevilla", "Zaragoza")),
    ("DEU", "de", 15.0, ("Berlin", "München", "Hamburg", "Stuttgart", "Köln")),
    ("FRA", "fr", 13.0, ("Paris", "Lyon", "Toulouse", "Grenoble", "Nantes")),
    ("ITA", "it", 11.0, ("Milano", "Torino", "Bologna", "Roma", "Napoli")),
    ("POL", None, 5.0, ("Warszawa", "Kraków", "Wrocław")),
    ("NLD", None, 4.0, ("Amsterdam", "Eindhoven", "Rotterdam")),
    ("BEL", None, 4.0, ("Brussels", "Gent", "Liège")),
    ("AUT", "de", 3.5, ("Wien", "Graz", "Linz")),
    ("PRT", None, 3.5, ("Lisboa", "Porto", "Braga")),
    ("SWE", None, 3.0, ("Stockholm", "Göteborg", "Malmö")),
    ("DNK", None, 2.5, ("København", "Aarhus", "Odense")),
    ("CZE", None, 2.5, ("Praha", "Brno", "Ostrava")),
    ("FIN", None, 2.0, ("Helsinki", "Tampere", "Oulu")),
    ("GRC", None, 2.0, ("Athina", "Thessaloniki", "Patra")),
    ("ROU", None, 2.0, ("Bucureşti", "Cluj-Napoca", "Iaşi")),
    ("HUN", None, 1.5, ("Budapest", "Debrecen", "Szeged")),
    ("IRL", None, 1.5, ("Dublin", "Cork", "Galway")),
    ("SVN", None, 1.2, ("Ljubljana", "Maribor")),
    ("SVK", None, 1.0, ("Bratislava", "Košice")),
    ("BGR", None, 1.0, ("Sofia", "Plovdiv")),
    ("HRV", None, 1.0, ("Zagreb", "Split")),
    ("LTU", None, 0.8, ("Vilnius", "Kaunas")),
    ("LVA", None, 0.6, ("Rīga",)),
    ("EST", None, 0.6, ("Tallinn", "Tartu")),
    ("LUX", None, 0.4, ("Luxembourg",)),
    ("CYP", None, 0.3, ("Nicosia",)),
    ("MLT", None, 0.2, ("Valletta",)),
    ("NOR", None, 0.8, ("Oslo", "Bergen")),
    ("TUR", None, 0.8, ("İstanbul", "Ankara")),
    ("ISL", None, 0.1, ("Reykjavík",)),
)

# Programmes: slug, label, acronym, parent slug, first year, last year, calls per year.
_PROGRAMMES: tuple[tuple[str, str, str, str | None, int, int, int], ...] = (
    ("cosme", "Programme for the Competitiveness of Enterprises and SMEs", "COSME", None, 2014, 2020, 2),
    ("cluster-excellence-programme", "Cluster Excellence Programme", "CEP", "cosme", 2014, 2020, 1),
    ("escp-4i", "European Strategic Cluster Partnerships for smart specialisation investments", "ESCP-4i", "cosme", 2016, 2020, 1),
    ("single-market-programme", "Single Market Programme", "SMP", None, 2021, 2024, 2),
    ("euroclusters", "Euroclusters", "EUROCLUSTERS", "single-market-programme", 2021, 2024, 1),
    ("horizon-europe", "Horizon Europe", "HE", None, 2021, 2024, 3),
    ("interreg-europe", "Interreg Europe", "IE", None, 2015, 2024, 1),
)

_WORDS_A = (
    "Aurora", "Boreal", "Cantabria", "Danube", "Alpine", "Baltic", "Atlantic", "Iberian",
    "Nordic", "Rhine", "Adriatic", "Celtic", "Carpathian", "Meridian", "Pyrenean", "Aegean",
    "Tyrrhenian", "Hanseatic", "Pannonian", "Ligurian", "Biscay", "Flemish", "Moravian", "Lusitanian",
)
_WORDS_B = (
    "Innovation", "Technology", "Industry", "Digital", "Green", "Smart", "Future", "Advanced",
    "Creative", "Mobility", "Health", "Energy", "Food", "Materials", "Textile", "Maritime",
)
_WORDS_C = ("Cluster", "Network", "Association", "Alliance", "Platform", "Hub", "Consortium", "Forum")
_ORG_KINDS = ("University", "Institute", "Technologies", "Systems", "Labs", "Industries", "Solutions", "Foundation")
_SYLLABLES = (
    "CE", "CI", "DI", "GI", "TA", "NO", "VA", "RE", "SU", "CO", "LA", "MI", "TE", "BIO",
    "ECO", "NE", "XO", "PRO", "IN", "DRO", "SMART", "CLU", "TEX", "MED", "AGRO", "NAV",
)
_TITLE_WORDS = (
    "cross-sectoral", "cluster", "innovation", "SME", "internationalisation", "digital", "green",
    "transition", "value chains", "skills", "resilience", "partnership", "excellence", "circular",
    "supply chains", "upskilling", "scale-up", "industrial", "regional", "European",
)

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_SKOS_IN_SCHEME = "<http://www.w3.org/2004/02/skos/core#inScheme>"
_DCT_TITLE = "<http://purl.org/dc/terms/title>"
_XSD = "http://www.w3.org/2001/XMLSchema#"

_FIRST_AWARD_YEAR, _LAST_AWARD_YEAR = 2012, 2025


def _iri(term: object) -> str:
    return f"<{term}>"


def _cg(name: str) -> str:
    return f"<{CG[name]}>"


def _id(path: str) -> str:
    return f"<{ID}{path}>"


def _text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _lang(value: str, lang: str) -> str:
    return f"{_text(value)}@{lang}"


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{_XSD}{datatype}>'


def _add_years(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: _dt.date, months: int) -> _dt.date:
    month0 = day.month - 1 + months
    return _dt.date(day.year + month0 // 12, month0 % 12 + 1, min(day.day, 28))


@dataclass(frozen=True)
class GenerateStats:
    """What :func:`generate` wrote.

    ``errors`` counts the injected errors by kind (every kind of
    :data:`ERROR_KINDS` is present, possibly 0); ``error_nodes`` lists, by kind,
    the IRIs of the nodes that carry them (the project, organisation or award).
    """

    path: Path
    triples: int
    organisations: int
    projects: int
    participations: int
    awards: int
    calls: int
    programmes: int
    partnerships: int
    sectors: int
    seed: int
    error_rate: float
    errors: dict[str, int] = field(default_factory=dict)
    error_nodes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def summary(self) -> list[str]:
        """Human-readable lines for the command line."""
        lines = [
            f"wrote {self.triples:,} triples to {self.path}",
            f"  {self.organisations:,} organisations, {self.projects:,} projects, {self.participations:,} participations, "
            f"{self.awards:,} label awards, {self.calls:,} calls, {self.partnerships:,} partnerships",
        ]
        total = sum(self.errors.values())
        if total:
            lines.append(f"  {total:,} deliberate errors: " + ", ".join(f"{k} {v}" for k, v in self.errors.items() if v))
        else:
            lines.append("  no deliberate errors")
        return lines

    def __repr__(self) -> str:
        return f"<GenerateStats: {self.triples:,} triples in {self.path}, {sum(self.errors.values()):,} deliberate errors>"

    def _repr_html_(self) -> str:
        from .display import key_values_html

        keys = ("triples", "organisations", "projects", "participations", "awards", "calls", "programmes", "partnerships", "sectors", "seed", "error_rate")
        return key_values_html([("file", str(self.path))] + [(k, getattr(self, k)) for k in keys] + [(f"errors: {k}", v) for k, v in self.errors.items()], caption="Generated data")


class _Writer:
    """Collects N-Triples lines and writes them out one batch at a time."""

    def __init__(self, fh, batch_size: int, progress: Callable[[int], None] | None) -> None:
        self.fh = fh
        self.batch_size = batch_size
        self.batch: list[str] = []
        self.count = 0
        self.max_batch = 0
        self.progress = progress

    def add(self, s: str, p: str, o: str) -> None:
        self.batch.append(f"{s} {p} {o} .\n")
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        self.max_batch = max(self.max_batch, len(self.batch))
        self.fh.write("".join(self.batch))
        self.count += len(self.batch)
        self.batch = []
        if self.progress is not None:
            self.progress(self.count)


def _zipf_cumulative(n: int, exponent: float) -> list[float]:
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += 1.0 / rank**exponent
        out.append(total)
    return out


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def _organisation_name(j: int) -> str:
    """A stable name for organisation ``j`` (its IRI is the slug of this name)."""
    a = _WORDS_A[j % len(_WORDS_A)]
    b = _WORDS_B[(j // len(_WORDS_A)) % len(_WORDS_B)]
    if _is_cluster(j):
        return f"{a} {b} {_WORDS_C[(j // 7) % len(_WORDS_C)]} {j}"
    return f"{a} {b} {_ORG_KINDS[(j // 5) % len(_ORG_KINDS)]} {j}"


def _is_cluster(j: int) -> bool:
    return j % 10 in (0, 3, 7)


def _acronym(i: int) -> str:
    a = _SYLLABLES[i % len(_SYLLABLES)]
    b = _SYLLABLES[(i // len(_SYLLABLES)) % len(_SYLLABLES)]
    return f"{a}{b}-{i}"


def sizes_for(triples: int) -> tuple[int, int]:
    """Organisations and projects that give about ``triples`` triples.

    >>> sizes_for(1_000_000)
    (8333, 25000)
    """
    if triples < 1000:
        raise ParameterError(f"cannot generate a graph of only {triples} triples", fix="ask for at least 1000 triples")
    projects = max(3, round(triples / 40.0))
    return max(20, round(projects / 3)), projects


def generate(
    out: str | os.PathLike[str],
    *,
    organisations: int,
    projects: int,
    seed: int = 0,
    error_rate: float = 0.01,
    batch_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> GenerateStats:
    """Write a synthetic cluster-programme graph as N-Triples to ``out``.

    Parameters
    ----------
    out:
        The ``.nt`` file to write (atomically: a temporary file renamed at the end).
    organisations, projects:
        How many organisations (about 30% of them cluster organisations) and
        projects. About 40 triples per project and 3 projects per organisation
        give a graph of ``40 * projects`` triples; :func:`sizes_for` picks both
        for a target number of triples.
    seed:
        The random seed; the same arguments give a byte-identical file.
    error_rate:
        Share (0–1) of projects, organisations and label awards that carry one
        deliberate error each (see :data:`ERROR_KINDS`).
    batch_size:
        Lines held in memory before they are written.
    progress:
        Called with the number of triples written after each batch.

    Returns
    -------
    GenerateStats
        Counts of what was written, and the injected errors by kind.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> a = generate(d / "a.nt", organisations=30, projects=20, seed=7)
    >>> b = generate(d / "b.nt", organisations=30, projects=20, seed=7)
    >>> (d / "a.nt").read_bytes() == (d / "b.nt").read_bytes()
    True
    """
    if organisations < 3:
        raise ParameterError(f"--organisations must be at least 3 (got {organisations})", fix="pass a larger number of organisations")
    if projects < 0:
        raise ParameterError(f"--projects must not be negative (got {projects})", fix="pass 0 or more projects")
    if not 0.0 <= error_rate <= 1.0:
        raise ParameterError(f"--error-rate must be between 0 and 1 (got {error_rate})", fix="pass a share such as 0.01")
    if batch_size < 1:
        raise ParameterError(f"batch_size must be positive (got {batch_size})", fix="pass batch_size=10000")
    target = Path(out)
    rng = random.Random(seed)
    errors: dict[str, list[str]] = {kind: [] for kind in ERROR_KINDS}
    counts = {"participations": 0, "awards": 0, "calls": 0, "partnerships": 0}

    with atomic_write(target, "w") as fh:
        w = _Writer(fh, batch_size, progress)
        _write_vocabulary(w)
        calls = _write_programmes_and_calls(w, rng)
        counts["calls"] = len(calls)
        _write_public_bodies(w)
        sector_cum = _zipf_cumulative(len(_SECTORS), 1.1)
        country_cum: list[float] = []
        total = 0.0
        for _code, _lang_tag, weight, _cities in _COUNTRIES:
            total += weight
            country_cum.append(total)
        for j in range(organisations):
            counts["awards"] += _write_organisation(w, rng, j, sector_cum, country_cum, error_rate, errors)
        counts["partnerships"] = _write_partnerships(w, rng, organisations)
        org_cum = _zipf_cumulative(organisations, 0.8)
        for i in range(projects):
            counts["participations"] += _write_project(w, rng, i, calls, org_cum, sector_cum, error_rate, errors)
        w.flush()
        triples = w.count

    return GenerateStats(
        path=target,
        triples=triples,
        organisations=organisations,
        projects=projects,
        participations=counts["participations"],
        awards=counts["awards"],
        calls=counts["calls"],
        programmes=len(_PROGRAMMES),
        partnerships=counts["partnerships"],
        sectors=len(_SECTORS),
        seed=seed,
        error_rate=error_rate,
        errors={k: len(v) for k, v in errors.items()},
        error_nodes={k: tuple(v) for k, v in errors.items()},
    )


def _write_vocabulary(w: _Writer) -> None:
    for eco, label in ECOSYSTEMS.items():
        s = _id(f"ecosystem/{eco}")
        w.add(s, _RDF_TYPE, _cg("Ecosystem"))
        w.add(s, _SKOS_IN_SCHEME, _cg("EcosystemScheme"))
        w.add(s, _RDFS_LABEL, _lang(label, "en"))
    for en, es, eco in _SECTORS:
        s = _id(f"sector/{slug(en)}")
        w.add(s, _RDF_TYPE, _cg("Sector"))
        w.add(s, _SKOS_IN_SCHEME, _cg("SectorScheme"))
        w.add(s, _RDFS_LABEL, _lang(en, "en"))
        w.add(s, _RDFS_LABEL, _lang(es, "es"))
        w.add(s, _cg("ecosystem"), _id(f"ecosystem/{eco}"))
    for role in ("Coordinator", "Partner", "LeadPartner", "WorkPackageLeader"):
        w.add(_cg(role), _RDF_TYPE, _cg("Role"))
    for rank, level in enumerate(("Bronze", "Silver", "Gold"), start=1):
        w.add(_cg(level), _RDF_TYPE, _cg("LabelLevel"))
        w.add(_cg(level), _cg("rank"), _typed(rank, "integer"))


def _write_programmes_and_calls(w: _Writer, rng: random.Random) -> list[tuple[str, int]]:
    calls: list[tuple[str, int]] = []
    for slug_, label, acronym, parent, first, last, per_year in _PROGRAMMES:
        s = _id(f"programme/{slug_}")
        w.add(s, _RDF_TYPE, _cg("Programme"))
        w.add(s, _RDFS_LABEL, _lang(label, "en"))
        w.add(s, _cg("acronym"), _text(acronym))
        if parent:
            w.add(s, _cg("partOf"), _id(f"programme/{parent}"))
        ordinal = 0
        for year in range(first, last + 1):
            for _ in range(rng.randint(1, per_year)):
                ordinal += 1
                c = _id(f"call/{slug_}-{ordinal}")
                w.add(c, _RDF_TYPE, _cg("Call"))
                w.add(c, _cg("programme"), s)
                w.add(c, _cg("callIdentifier"), _text(f"{acronym}-{year}-{ordinal:02d}"))
                w.add(c, _cg("ordinal"), _typed(ordinal, "integer"))
                w.add(c, _cg("year"), _typed(year, "gYear"))
                w.add(c, _RDFS_LABEL, _lang(f"{acronym} call {ordinal} ({year})", "en"))
                calls.append((c, year))
    return calls


def _write_public_bodies(w: _Writer) -> None:
    esca = _id("organisation/esca")
    w.add(esca, _RDF_TYPE, _cg("Organisation"))
    w.add(esca, _RDF_TYPE, _cg("LabellingBody"))
    w.add(esca, _RDFS_LABEL, _lang("European Secretariat for Cluster Analysis", "en"))
    w.add(esca, _cg("acronym"), _text("ESCA"))
    w.add(esca, _cg("country"), _iri(COUNTRY["DEU"]))
    eismea = _id("organisation/eismea")
    w.add(eismea, _RDF_TYPE, _cg("Organisation"))
    w.add(eismea, _RDF_TYPE, _cg("PublicBody"))
    w.add(eismea, _RDFS_LABEL, _lang("European Innovation Council and SMEs Executive Agency", "en"))
    w.add(eismea, _cg("acronym"), _text("EISMEA"))
    w.add(eismea, _cg("country"), _iri(COUNTRY["BEL"]))


def _write_organisation(
    w: _Writer,
    rng: random.Random,
    j: int,
    sector_cum: list[float],
    country_cum: list[float],
    error_rate: float,
    errors: dict[str, list[str]],
) -> int:
    name = _organisation_name(j)
    key = slug(name)
    s = _id(f"organisation/{key}")
    code, lang, _weight, cities = _COUNTRIES[_pick(rng, country_cum)]
    cluster = _is_cluster(j)
    w.add(s, _RDF_TYPE, _cg("Organisation"))  # every organisation, as the importer types them
    if cluster:
        w.add(s, _RDF_TYPE, _cg("ClusterOrganisation"))
    w.add(s, _RDFS_LABEL, _lang(name, "en"))
    if lang and rng.random() < 0.5:
        local = {"es": "Clúster", "de": "Verbund", "fr": "Pôle", "it": "Distretto"}[lang]
        w.add(s, _RDFS_LABEL, _lang(f"{local} {name}", lang))
    if cluster and rng.random() < error_rate:  # the shapes ask cluster organisations for a country
        errors["missing_country"].append(s[1:-1])
    else:
        w.add(s, _cg("country"), _iri(COUNTRY[code]))
    w.add(s, _cg("city"), _text(cities[rng.randrange(len(cities))]))
    w.add(s, _cg("website"), _typed(f"https://www.{key}.example.eu/", "anyURI"))
    first = _pick(rng, sector_cum)
    w.add(s, _cg("sector"), _id(f"sector/{slug(_SECTORS[first][0])}"))
    if rng.random() < 0.35:
        second = _pick(rng, sector_cum)
        if second != first:
            w.add(s, _cg("sector"), _id(f"sector/{slug(_SECTORS[second][0])}"))
    if not cluster:
        return 0
    w.add(s, _cg("acronym"), _text(f"{name.split()[0][:3].upper()}{name.split()[1][:2].upper()}{j}"))
    return _write_awards(w, rng, s, key, error_rate, errors)


def _write_awards(w: _Writer, rng: random.Random, holder: str, key: str, error_rate: float, errors: dict[str, list[str]]) -> int:
    """Label awards of one cluster organisation: Bronze first, then renewals and upgrades every ~2 years."""
    if rng.random() >= 0.7:
        return 0
    year = rng.randint(_FIRST_AWARD_YEAR, _LAST_AWARD_YEAR - 1)
    day = _dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    level, written = 0, 0
    levels = ("bronze", "silver", "gold")
    while day.year <= _LAST_AWARD_YEAR:
        a = _id(f"award/{key}-{levels[level]}-{day.isoformat()}")
        valid = _add_months(day, rng.choice((24, 24, 24, 23, 25, 26)))
        if rng.random() < error_rate:
            errors["award_expires_before_award"].append(a[1:-1])
            valid = _add_months(day, -rng.randint(1, 12))
        w.add(a, _RDF_TYPE, _cg("LabelAward"))
        w.add(a, _cg("holder"), holder)
        w.add(a, _cg("level"), _cg(levels[level].capitalize()))
        w.add(a, _cg("awardedBy"), _id("organisation/esca"))
        w.add(a, _cg("awardDate"), _typed(day.isoformat(), "date"))
        w.add(a, _cg("validUntil"), _typed(valid.isoformat(), "date"))
        written += 1
        r = rng.random()
        if r < 0.45 and level < 2:
            level += 1
        elif r > 0.8:
            break
        day = _add_months(day, rng.randint(22, 30))
    return written


def _write_partnerships(w: _Writer, rng: random.Random, organisations: int) -> int:
    clusters = (organisations + 9) // 10 * 3
    n = max(1, organisations // 200)
    for k in range(n):
        programme = ("escp-4i", "euroclusters", "interreg-europe")[k % 3]
        label = f"{_WORDS_A[k % len(_WORDS_A)]} {_WORDS_B[(k // 3) % len(_WORDS_B)]} Partnership {k + 1}"
        p = _id(f"partnership/{slug(label)}")
        w.add(p, _RDF_TYPE, _cg("Partnership"))
        w.add(p, _RDFS_LABEL, _lang(label, "en"))
        w.add(p, _cg("programme"), _id(f"programme/{programme}"))
        members: list[int] = []
        for _ in range(rng.randint(3, 12)):
            # the m-th cluster organisation has index 10*(m//3) + (0, 3, 7)[m % 3]
            m = rng.randrange(clusters)
            j = 10 * (m // 3) + (0, 3, 7)[m % 3]
            if j < organisations and j not in members:
                members.append(j)
        for j in members:
            w.add(p, _cg("member"), _id(f"organisation/{slug(_organisation_name(j))}"))
    return n


def _write_project(
    w: _Writer,
    rng: random.Random,
    i: int,
    calls: list[tuple[str, int]],
    org_cum: list[float],
    sector_cum: list[float],
    error_rate: float,
    errors: dict[str, list[str]],
) -> int:
    acronym = _acronym(i)
    key = slug(acronym)
    s = _id(f"project/{key}")
    call, year = calls[rng.randrange(len(calls))]
    start = _dt.date(year + rng.randint(0, 1), rng.randint(1, 12), 1)
    end = _add_months(start, rng.randint(12, 48)) - _dt.timedelta(days=1)
    budget = int(math.exp(rng.gauss(13.3, 0.8)))  # median about 600,000 euros
    budget = max(50_000, min(budget, 20_000_000))
    contribution = int(budget * rng.uniform(0.5, 1.0))
    error = rng.choice(_PROJECT_ERRORS) if rng.random() < error_rate else None
    if error == "eu_contribution_above_budget":
        contribution = int(budget * rng.uniform(1.05, 1.5))
    elif error == "end_before_start":
        end = start - _dt.timedelta(days=rng.randint(30, 400))
    if error:
        errors[error].append(s[1:-1])
    words = rng.sample(_TITLE_WORDS, 3)
    w.add(s, _RDF_TYPE, _cg("Project"))
    w.add(s, _cg("acronym"), _text(acronym))
    w.add(s, _DCT_TITLE, _lang(f"{acronym}: {words[0]} {words[1]} for {words[2]}", "en"))
    w.add(s, _cg("call"), call)
    w.add(s, _cg("startDate"), _typed(start.isoformat(), "date"))
    w.add(s, _cg("endDate"), _typed(end.isoformat(), "date"))
    w.add(s, _cg("totalBudget"), _typed(budget, "decimal"))
    w.add(s, _cg("euContribution"), _typed(contribution, "decimal"))
    w.add(s, _cg("sector"), _id(f"sector/{slug(_SECTORS[_pick(rng, sector_cum)][0])}"))
    # 3 to 15 partners, most projects small: P(n) falls off geometrically.
    n = 3
    while n < 15 and rng.random() < 0.72:
        n += 1
    chosen: list[int] = []
    seen: set[int] = set()
    while len(chosen) < min(n, len(org_cum)):
        j = _pick(rng, org_cum)
        if j not in seen:
            seen.add(j)
            chosen.append(j)
    coordinators = {0}
    if error == "missing_coordinator":
        coordinators = set()
    elif error == "two_coordinators":
        coordinators = {0, 1}
    work_packages = 0
    for k, j in enumerate(chosen):
        org_key = slug(_organisation_name(j))
        p = _id(f"participation/{key}-{org_key}")
        w.add(p, _RDF_TYPE, _cg("Participation"))
        w.add(p, _cg("participant"), _id(f"organisation/{org_key}"))
        w.add(p, _cg("project"), s)
        w.add(p, _cg("role"), _cg("Coordinator" if k in coordinators else "Partner"))
        if k and rng.random() < 0.2:
            work_packages += 1
            wp = _id(f"workpackage/{key}-wp{work_packages}")
            w.add(wp, _RDF_TYPE, _cg("WorkPackage"))
            w.add(wp, _cg("project"), s)
            w.add(wp, _cg("workPackageNumber"), _typed(work_packages, "integer"))
            w.add(wp, _RDFS_LABEL, _lang(f"WP{work_packages} of {acronym}", "en"))
            w.add(p, _cg("role"), _cg("WorkPackageLeader"))
            w.add(p, _cg("workPackage"), wp)
    return len(chosen)
