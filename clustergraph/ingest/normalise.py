"""Normalisers: the clean-up a data steward would otherwise do by hand.

Each normaliser is a named function that takes a cell as written in a table
and returns a clean value, or raises :class:`~clustergraph.errors.NormalisationError`
that says what is wrong and how to fix it. They never guess: a value that could
mean two things is refused.

A CSVW mapping names a normaliser on a column with the common property
``"cg:normalise"`` (see :mod:`clustergraph.mapping`); the names are the keys of
:data:`NORMALISERS`.

>>> money("€258.437")
Decimal('258437')
>>> date("16/11/2016")
rdflib.term.Literal('2016-11-16', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
>>> country("República Checa")
rdflib.term.URIRef('http://publications.europa.eu/resource/authority/country/CZE')
>>> organisation_key("BalticNet-PlasmaTec e.V.")
'BalticNet-PlasmaTec'
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ..errors import NormalisationError
from ..identifiers import SCHEMES
from ..identifiers import canonical as canonical_identifier
from ..iri import mint
from ..namespaces import COUNTRY

__all__ = [
    "money",
    "date",
    "country",
    "url",
    "organisation_key",
    "organisation",
    "fold",
    "COUNTRY_NAMES",
    "NORMALISERS",
    "normaliser",
    "identifier",
]


def fold(text: str) -> str:
    """Fold ``text`` for comparison: accents removed, case folded, punctuation and spaces collapsed.

    >>> fold("  República   Checa ")
    'republica checa'
    >>> fold("Großbritannien")
    'grossbritannien'
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", stripped).split())


# --- money -----------------------------------------------------------------------

_CURRENCY = re.compile(r"^(?:€|eur(?:os?)?\b)\s*|\s*(?:€|eur(?:os?)?)$", re.IGNORECASE)
_OTHER_CURRENCY = re.compile(r"[$£¥₹]|\b(?:usd|gbp|chf|pln|czk|dkk|sek|huf|ron|bgn|nok|try)\b", re.IGNORECASE)
_ABBREVIATED = re.compile(r"\d\s*(?:k|m|mn|mio|million|millions|bn|b|billion|tsd|mil|millones|mrd)\.?$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def money(text: Any) -> Decimal:
    """Read an amount of euros written in European or English notation.

    Currency signs and codes (``€``, ``EUR``, ``euro``) before or after the number
    are dropped; spaces, non-breaking spaces and apostrophes group thousands.
    The decimal separator is decided by this rule, never by locale:

    * with both ``.`` and ``,`` the last one is the decimal separator
      (``258.437,50`` and ``258,437.50``);
    * a separator that occurs more than once groups thousands (``1.234.567``);
    * a single separator followed by exactly three digits groups thousands
      (``€258.437`` is 258437 euros, as the Cluster Excellence pages write it),
      except after a lone ``0`` (``0.500`` is refused as ambiguous);
    * any other single separator is the decimal separator (``1.5``, ``12,75``).

    Abbreviated amounts (``EUR 1.2m``, ``250k``) and other currencies are refused.

    Parameters
    ----------
    text:
        the cell as written; an ``int``/``Decimal`` (from a spreadsheet) passes through.

    Returns
    -------
    decimal.Decimal
        the amount in euros.

    >>> money("€258.437"), money("258,437"), money("258.437,50"), money("EUR 258 437")
    (Decimal('258437'), Decimal('258437'), Decimal('258437.50'), Decimal('258437'))
    >>> money("1,234,567.89"), money("1.5"), money("€ 12,75")
    (Decimal('1234567.89'), Decimal('1.5'), Decimal('12.75'))
    >>> money("EUR 1.2m")
    Traceback (most recent call last):
    ...
    clustergraph.errors.NormalisationError: abbreviated amount; fix: write the amount in full, e.g. 1200000 or 1.200.000
    """
    if isinstance(text, bool):
        raise NormalisationError("not an amount of money", value=text, fix="write the amount in euros, e.g. €258.437")
    if isinstance(text, (int, Decimal)):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    raw = str(text).strip()
    if not raw:
        raise NormalisationError("empty amount", value=text, fix="write the amount in euros, e.g. €258.437")
    if _OTHER_CURRENCY.search(raw):
        raise NormalisationError(
            "amount is not in euros", value=text, fix="convert the amount to euros and write it with € or EUR"
        )
    body = raw
    for _ in range(2):
        body = _CURRENCY.sub("", body).strip()
    if _ABBREVIATED.search(body):
        raise NormalisationError(
            "abbreviated amount", value=text, fix="write the amount in full, e.g. 1200000 or 1.200.000"
        )
    sign = ""
    if body[:1] in "-−":
        sign, body = "-", body[1:].strip()
    # spaces group thousands: each group after the first has 3 digits
    if _SPACES.search(body):
        parts = _SPACES.split(body)
        parts = [p for p in parts if p]
        if not all(re.fullmatch(r"\d{3}(?:[.,]\d+)?", p) for p in parts[1:]) or not re.fullmatch(r"\d{1,3}", parts[0]):
            raise _not_a_number(text)
        body = "".join(parts)
    if not re.fullmatch(r"\d[\d.,]*", body) or body[-1] in ".,":
        raise _not_a_number(text)
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_sep = "." if body.rfind(".") > body.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        whole, _, frac = body.rpartition(decimal_sep)
        if body.count(decimal_sep) != 1 or not _grouped(whole, group_sep):
            raise _ambiguous(text)
        number = whole.replace(group_sep, "") + "." + frac
    elif dots + commas == 0:
        number = body
    else:
        sep = "." if dots else ","
        if dots + commas > 1:
            if not _grouped(body, sep):
                raise _ambiguous(text)
            number = body.replace(sep, "")
        else:
            whole, _, frac = body.partition(sep)
            if len(frac) == 3:
                if whole == "0":
                    raise _ambiguous(text)
                number = whole + frac
            else:
                number = whole + "." + frac
    try:
        return Decimal(sign + number)
    except InvalidOperation:  # pragma: no cover - guarded by the regular expressions
        raise _not_a_number(text) from None


def _grouped(text: str, sep: str) -> bool:
    groups = text.split(sep)
    return bool(re.fullmatch(r"\d{1,3}", groups[0])) and all(re.fullmatch(r"\d{3}", g) for g in groups[1:])


def _not_a_number(text: Any) -> NormalisationError:
    return NormalisationError(
        "not an amount of money", value=text, fix="write the amount in euros with digits, e.g. €258.437 or 258437.50"
    )


def _ambiguous(text: Any) -> NormalisationError:
    return NormalisationError(
        "ambiguous thousands and decimal separators",
        value=text,
        fix="write the amount without grouping, e.g. 258437 or 258437.50",
    )


# --- dates -----------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "enero", "januar", "janvier", "gennaio"),
            ("february", "feb", "febrero", "februar", "fevrier", "febbraio"),
            ("march", "mar", "marzo", "marz", "mars"),
            ("april", "apr", "abril", "avril", "aprile"),
            ("may", "mayo", "mai", "maggio"),
            ("june", "jun", "junio", "juni", "juin", "giugno"),
            ("july", "jul", "julio", "juli", "juillet", "luglio"),
            ("august", "aug", "agosto", "aout"),
            ("september", "sep", "sept", "septiembre", "setiembre", "septembre", "settembre"),
            ("october", "oct", "octubre", "oktober", "octobre", "ottobre"),
            ("november", "nov", "noviembre", "novembre"),
            ("december", "dec", "diciembre", "dezember", "decembre", "dicembre"),
        ],
        start=1,
    )
    for name in names
}
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|\.|º|er)?"
_MONTH_NAME = r"(?P<month>[a-z]+)\.?"
_YEAR = r"(?P<year>\d{4})"
_NAMED = [
    re.compile(rf"^{_MONTH_NAME} {_DAY}(?: {_YEAR})?$"),  # December 4th [2019]
    re.compile(rf"^{_DAY} (?:de )?{_MONTH_NAME}(?: (?:de )?{_YEAR})?$"),  # 4 December [2019], 4 de diciembre de 2019
]


def date(text: Any, year: int | None = None) -> Literal:
    """Read a date as the seeds write it and return an ``xsd:date`` or ``xsd:gYear`` literal.

    Accepted: day-first numeric dates (``01/01/2016``, ``16.11.2016``, ``16-11-2016``),
    ISO dates (``2016-01-01``), a year alone (``2014`` gives ``xsd:gYear``) and
    dates with a month name in English, Spanish, German, French or Italian
    (``December 4th 2019``, ``4 de diciembre de 2019``). A date without a year
    (``December 4th``) is refused unless ``year`` is given: the year is never guessed.
    Two-digit years are refused.

    Parameters
    ----------
    text:
        the cell as written (a ``datetime.date`` from a spreadsheet passes through).
    year:
        the year to use when the text gives only day and month.

    Returns
    -------
    rdflib.Literal
        typed ``xsd:date`` or ``xsd:gYear``.

    >>> str(date("01/01/2016")), str(date("2016-01-01")), str(date("December 4th", year=2019))
    ('2016-01-01', '2016-01-01', '2019-12-04')
    >>> date("2014").datatype == XSD.gYear
    True
    >>> date("42370")  # a date cell exported as a number is refused, and said to be one
    Traceback (most recent call last):
    ...
    clustergraph.errors.NormalisationError: a number, not a date: as an Excel date serial it would be 01/01/2016, but that is not assumed; fix: format the cell as a date in the spreadsheet (or write the date, e.g. 01/01/2016) and export it again
    >>> date("December 4th")
    Traceback (most recent call last):
    ...
    clustergraph.errors.NormalisationError: date without a year; fix: add the year (e.g. 'December 4th 2019') or leave the date out and keep the text in a note
    """
    if isinstance(text, _dt.datetime):
        return Literal(text.date().isoformat(), datatype=XSD.date)
    if isinstance(text, _dt.date):
        return Literal(text.isoformat(), datatype=XSD.date)
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    raw = " ".join(str(text).strip().split())
    if not raw:
        raise NormalisationError("empty date", value=text, fix="write the date as dd/mm/yyyy, e.g. 01/01/2016")
    if re.fullmatch(r"\d{4}", raw):
        return Literal(raw, datatype=XSD.gYear)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    if m:
        return _make_date(text, int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d+)", raw)
    if m:
        if len(m[3]) != 4:
            raise NormalisationError(
                "the year must have four digits", value=text, fix="write the date as dd/mm/yyyy, e.g. 16/11/2016"
            )
        return _make_date(text, int(m[3]), int(m[2]), int(m[1]))
    low = fold(raw.replace(",", " "))
    low = re.sub(r"(\d)\s+(st|nd|rd|th|er)\b", r"\1\2", low)
    for pattern in _NAMED:
        m = pattern.fullmatch(low)
        if m and m["month"] in _MONTHS:
            the_year = int(m["year"]) if m["year"] else year
            if the_year is None:
                raise NormalisationError(
                    "date without a year",
                    value=text,
                    fix=f"add the year (e.g. '{raw} 2019') or leave the date out and keep the text in a note",
                )
            return _make_date(text, the_year, _MONTHS[m["month"]], int(m["day"]))
    m = re.fullmatch(r"(\d{5})(?:\.\d+)?", raw)
    if m and 61 <= int(m[1]) <= 2958465:
        shown = (_dt.date(1899, 12, 30) + _dt.timedelta(days=int(m[1]))).strftime("%d/%m/%Y")
        raise NormalisationError(
            f"a number, not a date: as an Excel date serial it would be {shown}, but that is not assumed",
            value=text,
            fix=f"format the cell as a date in the spreadsheet (or write the date, e.g. {shown}) and export it again",
        )
    raise NormalisationError(
        "not a date", value=text, fix="write the date day first as dd/mm/yyyy (01/01/2016), or yyyy-mm-dd, or a year"
    )


def _make_date(text: Any, year: int, month: int, day: int) -> Literal:
    try:
        value = _dt.date(year, month, day)
    except ValueError as exc:
        raise NormalisationError(
            f"no such date ({exc})", value=text, fix="check day and month; dates are read day first (dd/mm/yyyy)"
        ) from None
    return Literal(value.isoformat(), datatype=XSD.date)


# --- countries ---------------------------------------------------------------------

# ISO 3166 alpha-3 (the EU country authority code) -> alpha-2 and names in
# English, Spanish, German, French and Italian. EU, EEA, UK, Switzerland, the
# Western Balkans, Ukraine and Turkey.
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "AUT": ("AT", "Austria", "Österreich", "Autriche"),
    "BEL": ("BE", "Belgium", "Bélgica", "Belgien", "Belgique", "Belgio"),
    "BGR": ("BG", "Bulgaria", "Bulgarien", "Bulgarie"),
    "HRV": ("HR", "Croatia", "Croacia", "Kroatien", "Croatie", "Croazia"),
    "CYP": ("CY", "Cyprus", "Chipre", "Zypern", "Chypre", "Cipro"),
    "CZE": ("CZ", "Czechia", "Czech Republic", "República Checa", "Chequia", "Tschechien",
            "Tschechische Republik", "Tchéquie", "République tchèque", "Repubblica Ceca", "Cechia"),
    "DNK": ("DK", "Denmark", "Dinamarca", "Dänemark", "Danemark", "Danimarca"),
    "EST": ("EE", "Estonia", "Estland", "Estonie"),
    "FIN": ("FI", "Finland", "Finlandia", "Finnland", "Finlande"),
    "FRA": ("FR", "France", "Francia", "Frankreich"),
    "DEU": ("DE", "Germany", "Alemania", "Deutschland", "Allemagne", "Germania"),
    "GRC": ("GR", "EL", "Greece", "Grecia", "Griechenland", "Grèce", "Hellas"),
    "HUN": ("HU", "Hungary", "Hungría", "Ungarn", "Hongrie", "Ungheria"),
    "IRL": ("IE", "Ireland", "Irlanda", "Irland", "Irlande"),
    "ITA": ("IT", "Italy", "Italia", "Italien", "Italie"),
    "LVA": ("LV", "Latvia", "Letonia", "Lettland", "Lettonie", "Lettonia"),
    "LTU": ("LT", "Lithuania", "Lituania", "Litauen", "Lituanie"),
    "LUX": ("LU", "Luxembourg", "Luxemburgo", "Luxemburg", "Lussemburgo"),
    "MLT": ("MT", "Malta", "Malte"),
    "NLD": ("NL", "Netherlands", "The Netherlands", "Holland", "Países Bajos", "Holanda", "Niederlande",
            "Pays-Bas", "Paesi Bassi"),
    "POL": ("PL", "Poland", "Polonia", "Polen", "Pologne"),
    "PRT": ("PT", "Portugal", "Portogallo"),
    "ROU": ("RO", "Romania", "Rumanía", "Rumänien", "Roumanie"),
    "SVK": ("SK", "Slovakia", "Slovak Republic", "Eslovaquia", "Slowakei", "Slovaquie", "Slovacchia"),
    "SVN": ("SI", "Slovenia", "Eslovenia", "Slowenien", "Slovénie"),
    "ESP": ("ES", "Spain", "España", "Spanien", "Espagne", "Spagna"),
    "SWE": ("SE", "Sweden", "Suecia", "Schweden", "Suède", "Svezia"),
    "ISL": ("IS", "Iceland", "Islandia", "Island", "Islande", "Islanda"),
    "LIE": ("LI", "Liechtenstein"),
    "NOR": ("NO", "Norway", "Noruega", "Norwegen", "Norvège", "Norvegia"),
    "GBR": ("GB", "UK", "United Kingdom", "Great Britain", "Reino Unido", "Vereinigtes Königreich",
            "Großbritannien", "Royaume-Uni", "Regno Unito"),
    "CHE": ("CH", "Switzerland", "Suiza", "Schweiz", "Suisse", "Svizzera"),
    "ALB": ("AL", "Albania", "Albanien", "Albanie"),
    "BIH": ("BA", "Bosnia and Herzegovina", "Bosnia y Herzegovina", "Bosnien und Herzegowina",
            "Bosnie-Herzégovine", "Bosnia ed Erzegovina"),
    "MNE": ("ME", "Montenegro", "Monténégro"),
    "MKD": ("MK", "North Macedonia", "Macedonia del Norte", "Nordmazedonien", "Macédoine du Nord",
            "Macedonia del Nord"),
    "SRB": ("RS", "Serbia", "Serbien", "Serbie"),
    # Kosovo has no ISO 3166 code; XK/XKX are the user-assigned codes the EU uses.
    "XKX": ("XK", "Kosovo"),
    "UKR": ("UA", "Ukraine", "Ucrania", "Ucraina"),
    "TUR": ("TR", "Turkey", "Türkiye", "Turquía", "Türkei", "Turquie", "Turchia"),
}

COUNTRY_NAMES: dict[str, str] = {}
"""Folded country name or ISO code -> EU country authority code (``'alemania' -> 'DEU'``)."""
for _code, _names in _COUNTRIES.items():
    for _name in (_code, *_names):
        COUNTRY_NAMES[fold(_name)] = _code


def country(text: Any) -> URIRef:
    """Return the EU country authority IRI for a country name or ISO code.

    Names in English, Spanish, German, French and Italian and ISO 3166 alpha-2
    and alpha-3 codes are recognised, without regard to case or accents, for the
    EU and EEA countries, the United Kingdom, Switzerland, the Western Balkans,
    Ukraine and Turkey.

    Parameters
    ----------
    text:
        the country as written (``"Alemania"``, ``"DE"``, ``"deu"``).

    Returns
    -------
    rdflib.URIRef
        ``http://publications.europa.eu/resource/authority/country/<ISO3>``.

    >>> [country(x).rsplit("/", 1)[1] for x in ("Alemania", "España", "Deutschland", "DE", "DEU", "Tchéquie")]
    ['DEU', 'ESP', 'DEU', 'DEU', 'DEU', 'CZE']
    >>> country("Atlantis")
    Traceback (most recent call last):
    ...
    clustergraph.errors.NormalisationError: unknown country; fix: write the country in English, Spanish, German, French or Italian, or as an ISO code (DE, DEU)
    """
    key = fold(str(text)).removeprefix("the ")
    code = COUNTRY_NAMES.get(key)
    if code is None:
        raise NormalisationError(
            "unknown country",
            value=text,
            fix="write the country in English, Spanish, German, French or Italian, or as an ISO code (DE, DEU)",
        )
    return COUNTRY[code]


# --- web addresses ---------------------------------------------------------------


def url(text: Any) -> Literal:
    """Return a web address as an ``xsd:anyURI`` literal; a bare host gets ``http://``.

    >>> str(url("www.capdigital.com"))
    'http://www.capdigital.com'
    >>> str(url("https://www.danishsound.org/"))
    'https://www.danishsound.org/'
    """
    raw = str(text).strip()
    if not raw or re.search(r"\s", raw):
        raise NormalisationError("not a web address", value=text, fix="write the address like www.example.org")
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", raw):
        if not re.match(r"^[\w\-]+(\.[\w\-]+)+(/.*)?$", raw):
            raise NormalisationError("not a web address", value=text, fix="write the address like www.example.org")
        raw = "http://" + raw
    return Literal(raw, datatype=XSD.anyURI)


# --- organisations ---------------------------------------------------------------

_LEGAL_SUFFIXES = {
    fold(s).replace(" ", "")
    for s in (
        "GmbH", "gGmbH", "mbH", "e.V.", "eV", "e.G.", "AG", "KG", "UG", "GmbH & Co. KG",
        "S.L.", "S.L.U.", "S.A.", "S.A.U.", "S.Coop.", "S.A.S.", "SAS", "SARL", "S.à r.l.", "SCOP",
        "S.r.l.", "S.p.A.", "S.c.a.r.l.", "Scarl", "S.c.r.l.",
        "z.s.", "z. s.", "s.r.o.", "a.s.", "o.p.s.", "z.ú.",
        "Sp. z o.o.", "S.A.", "Ltd", "Ltd.", "Limited", "LLP", "plc", "Inc", "Inc.", "LLC", "CIC",
        "B.V.", "N.V.", "vzw", "asbl", "VZW", "AISBL",
        "AB", "ApS", "A/S", "Oy", "Oyj", "AS", "ASA", "d.o.o.", "d.d.", "Kft.", "Zrt.", "Nyrt.", "OÜ", "UAB",
        "SIA", "Lda", "Lda.",
    )
}
_MAX_SUFFIX_TOKENS = 4


def organisation_key(name: Any) -> str:
    """Return the merge key of an organisation name: the name without legal-form suffixes.

    Case, accents and punctuation are folded later by :func:`clustergraph.iri.slug`;
    this function removes what ``slug`` cannot know about: legal forms at the end
    of the name (``GmbH``, ``e.V.``, ``S.L.``, ``z.s.``, ``Ltd``, ``Sp. z o.o.``...).
    A name that is only a legal form is kept as it is.

    >>> organisation_key("Nanoprogress, z.s.")
    'Nanoprogress'
    >>> organisation_key("ZINNAE S. L.")
    'ZINNAE'
    >>> organisation_key("AB")
    'AB'
    """
    return _organisation_key(str(name))


@functools.lru_cache(maxsize=65536)
def _organisation_key(name: str) -> str:
    text = " ".join(name.split())
    tokens = text.replace(",", " , ").split()
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for k in range(min(_MAX_SUFFIX_TOKENS, len(tokens) - 1), 0, -1):
            tail = fold("".join(tokens[-k:])).replace(" ", "")
            if tail and tail in _LEGAL_SUFFIXES and any(fold(t) for t in tokens[:-k]):
                tokens = tokens[:-k]
                while tokens and tokens[-1] in {",", "-", "–"}:
                    tokens.pop()
                changed = True
                break
    key = " ".join(tokens).replace(" , ", ", ").strip(" ,")
    return key or text


def organisation(name: Any) -> URIRef:
    """Return the stable IRI of an organisation from its name (legal suffix, case and accents ignored).

    >>> organisation("Cap Digital SAS") == organisation("CAP DIGITAL")
    True
    >>> str(organisation("Madrid ICT-Audiovisual Cluster"))
    'https://w3id.org/clustergraph/id/organisation/madrid-ict-audiovisual-cluster'
    """
    return mint("organisation", organisation_key(name))


# --- identifiers -----------------------------------------------------------------


def identifier(scheme: str) -> Callable[[Any], Literal]:
    """The normaliser of one identifier scheme (``pic``, ``vat``, ``ror``, ``wikidata``, ``eccp``,
    ``domain``; see :mod:`clustergraph.identifiers`): its canonical notation as a plain string.

    >>> identifier("vat")("gr 094014201")
    rdflib.term.Literal('EL094014201')
    """

    def read(text: Any) -> Literal:
        return Literal(canonical_identifier(scheme, text))

    read.__name__ = scheme
    return read


# --- registry --------------------------------------------------------------------

NORMALISERS: dict[str, Callable[[Any], Any]] = {
    "money": money,
    "date": date,
    "country": country,
    "url": url,
    "organisation": organisation,
    **{scheme: identifier(scheme) for scheme in SCHEMES},
}
"""Normalisers by the name a mapping uses in ``"cg:normalise"``; ``mint:<kind>`` is also accepted."""


def normaliser(name: str) -> Callable[[Any], Any]:
    """Return the normaliser called ``name`` (``money``, ``date``, ``country``, ``url``,
    ``organisation``, or ``mint:<kind>`` for :func:`clustergraph.iri.mint`).

    >>> str(normaliser("mint:project")("INNO-DROP"))
    'https://w3id.org/clustergraph/id/project/inno-drop'
    """
    if name in NORMALISERS:
        return NORMALISERS[name]
    if name.startswith("mint:"):
        kind = name.removeprefix("mint:")
        if kind == "organisation":
            return organisation
        from ..iri import KINDS

        if kind not in KINDS:
            raise NormalisationError(
                f"unknown kind of entity {kind!r} in normaliser {name!r}", value=name, fix=f"use mint:<kind> with one of {', '.join(KINDS)}"
            )
        return lambda value: mint(kind, value)
    raise NormalisationError(
        f"unknown normaliser {name!r}",
        value=name,
        fix=f"use one of {', '.join([*NORMALISERS, 'mint:<kind>'])}",
    )
