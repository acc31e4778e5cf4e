"""Normalisers on the seeds' real spellings, and on the values they must refuse."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest
from rdflib import Literal
from rdflib.namespace import XSD as _XSD

from clustergraph.ingest import normalise
from clustergraph.errors import NormalisationError
from clustergraph.namespaces import COUNTRY
from clustergraph.ingest.normalise import country, date, money, organisation, organisation_key, url


def test_doctests():
    assert doctest.testmod(normalise).failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("€258.437", "258437"),  # seed 001, European grouping
        ("€308.894", "308894"),
        ("€160.477", "160477"),
        ("258,437", "258437"),
        ("258.437,50", "258437.50"),
        ("258,437.50", "258437.50"),
        ("EUR 258 437", "258437"),
        ("258\u00a0437 €", "258437"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567", "1234567"),
        ("1.5", "1.5"),
        ("12,75", "12.75"),
        ("2500", "2500"),
        ("euros 1.000", "1000"),
    ],
)
def test_money_reads_european_and_english_notation(text, expected):
    assert money(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("EUR 1.2m", "abbreviated"),
        ("250k", "abbreviated"),
        ("€1.5 million", "abbreviated"),
        ("$258.437", "not in euros"),
        ("GBP 100", "not in euros"),
        ("0.500", "ambiguous"),
        ("1.234.56", "ambiguous"),
        ("1,23.456", "ambiguous"),
        ("12 34", "not an amount"),
        ("twelve", "not an amount"),
        ("", "empty"),
        ("258.", "not an amount"),
    ],
)
def test_money_refuses_what_it_would_have_to_guess(text, why):
    with pytest.raises(NormalisationError) as info:
        money(text)
    assert why in info.value.message
    assert info.value.fix


@pytest.mark.parametrize(
    ("text", "expected", "datatype"),
    [
        ("01/01/2016", "2016-01-01", _XSD.date),
        ("16/11/2016", "2016-11-16", _XSD.date),
        ("05/02/2016", "2016-02-05", _XSD.date),  # day first: 5 February
        ("31/12/2017", "2017-12-31", _XSD.date),
        ("2016-01-01", "2016-01-01", _XSD.date),
        ("16.11.2016", "2016-11-16", _XSD.date),
        ("2014", "2014", _XSD.gYear),
        ("December 4th 2019", "2019-12-04", _XSD.date),
        ("4 de diciembre de 2019", "2019-12-04", _XSD.date),
        ("4. Dezember 2019", "2019-12-04", _XSD.date),
    ],
)
def test_date_reads_the_seed_forms(text, expected, datatype):
    value = date(text)
    assert value == Literal(expected, datatype=datatype)
    assert value.datatype == datatype


def test_date_without_year_needs_one():
    with pytest.raises(NormalisationError, match="without a year"):
        date("December 4th")  # seed 003
    assert date("December 4th", year=2019) == Literal("2019-12-04", datatype=_XSD.date)


@pytest.mark.parametrize("text", ["31/02/2016", "16/11/16", "last November", "2016-13-01", "13/13/2013", ""])
def test_date_refusals(text):
    with pytest.raises(NormalisationError) as info:
        date(text)
    assert info.value.fix


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Alemania", "DEU"), ("República Checa", "CZE"), ("España", "ESP"),  # seed 004, Spanish
        ("Spain", "ESP"), ("France", "FRA"), ("Poland", "POL"), ("Denmark", "DNK"),  # seed 000, English
        ("Germany", "DEU"), ("Deutschland", "DEU"), ("Allemagne", "DEU"), ("Germania", "DEU"),
        ("DE", "DEU"), ("DEU", "DEU"), ("deu", "DEU"), ("Czechia", "CZE"), ("Tchéquie", "CZE"),
        ("REPUBLICA CHECA", "CZE"), ("Tschechien", "CZE"), ("Repubblica Ceca", "CZE"),
        ("United Kingdom", "GBR"), ("Schweiz", "CHE"), ("North Macedonia", "MKD"), ("Ucrania", "UKR"),
        ("Türkiye", "TUR"), ("EL", "GRC"), ("Norge" if False else "Norway", "NOR"), ("Islandia", "ISL"),
        ("the Netherlands", "NLD"), ("Países Bajos", "NLD"),
    ],
)
def test_country_names_and_codes(text, code):
    assert country(text) == COUNTRY[code]


@pytest.mark.parametrize("text", ["Atlantis", "", "Germ", "XX", "Europe"])
def test_country_refuses_unknown(text):
    with pytest.raises(NormalisationError, match="unknown country"):
        country(text)


def test_organisation_iris_are_stable_and_ignore_case_accents_and_legal_suffixes():
    same = ["Cap Digital", "CAP DIGITAL", "Cap Digital SAS", "cap digital, S.A.S."]
    assert len({organisation(n) for n in same}) == 1
    assert organisation("BalticNet-PlasmaTec e.V.") == organisation("BalticNet-PlasmaTec")
    assert organisation("ZINNAE S.L.") == organisation("Zinnae")
    assert organisation("Nanoprogress z.s.") == organisation("NANOPROGRESS")
    assert organisation("Clúster Ñandú GmbH") == organisation("cluster nandu")
    assert organisation("Cap Digital") != organisation("Cap Digitale")
    assert organisation_key("GmbH") == "GmbH"
    # characters that cannot be in an IRI are encoded, never passed through
    assert " " not in str(organisation("Madrid ICT-Audiovisual Cluster"))
    assert "%" in str(organisation("東京クラスター"))


def test_url_adds_the_scheme_browsers_assume():
    assert url("www.capdigital.com") == Literal("http://www.capdigital.com", datatype=_XSD.anyURI)
    with pytest.raises(NormalisationError):
        url("not a url")


def test_normaliser_registry():
    assert normalise.normaliser("money") is money
    with pytest.raises(NormalisationError, match="unknown normaliser"):
        normalise.normaliser("euros")
    with pytest.raises(NormalisationError, match="unknown kind"):
        normalise.normaliser("mint:planet")
