"""Organisation identifiers: the schemes, their syntax, checksums and canonical forms.

An organisation may carry six kinds of identifier, each a direct property of the
organisation whose value is the identifier's notation as a plain ``xsd:string``:

=============  =====================  ===============================================
scheme         property               notation (canonical form)
=============  =====================  ===============================================
``pic``        ``cg:pic``             EU Participant Identification Code, 9 digits
``vat``        ``cg:vatNumber``       VAT number with its country prefix, ``DE123456789``
``ror``        ``cg:rorId``           ROR ID: ``0`` + 6 Crockford base-32 + 2 check digits
``wikidata``   ``cg:wikidataId``      Wikidata item, ``Q42``
``eccp``       ``cg:eccpProfile``     European Cluster Collaboration Platform profile slug
``domain``     ``cg:domain``          the website's host without ``www.``, ``capdigital.com``
=============  =====================  ===============================================

Every scheme but ``domain`` is *unique*: two organisations with the same value are the
same organisation (:mod:`clustergraph.ingest.merge` merges them, the shapes report it).
Several organisations can share a web domain (``madridnetwork.org`` hosts several
clusters), so a shared domain is evidence for matching, never a reason to merge.

:func:`canonical` reads what people write (spaces, dots, a URL around the notation,
``GR`` for Greek VAT numbers) and returns the notation or raises
:class:`~clustergraph.errors.NormalisationError` with a fix.

>>> canonical("ror", "https://ror.org/03yrm5c26")
'03yrm5c26'
>>> canonical("vat", "de 123.456.789")
'DE123456789'
>>> canonical("wikidata", "http://www.wikidata.org/entity/q42")
'Q42'
>>> ror_checksum("03yrm5c")
26
>>> canonical("ror", "03yrm5c27")
Traceback (most recent call last):
...
clustergraph.errors.NormalisationError: the ROR ID's check digits are wrong (expected 26); fix: copy the ROR ID again from ror.org: the last two digits check the others
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from .errors import NormalisationError
from .namespaces import CG

__all__ = [
    "Scheme",
    "SCHEMES",
    "UNIQUE_SCHEMES",
    "VAT_PATTERNS",
    "CROCKFORD",
    "canonical",
    "ror_checksum",
    "scheme_of",
]

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
"""Crockford's base-32 digits (no i, l, o, u), as ROR IDs use them."""

VAT_PATTERNS: dict[str, str] = {
    "AT": r"U[0-9]{8}",
    "BE": r"[01][0-9]{9}",
    "BG": r"[0-9]{9,10}",
    "CY": r"[0-9]{8}[A-Z]",
    "CZ": r"[0-9]{8,10}",
    "DE": r"[0-9]{9}",
    "DK": r"[0-9]{8}",
    "EE": r"[0-9]{9}",
    "EL": r"[0-9]{9}",
    "ES": r"[A-Z0-9][0-9]{7}[A-Z0-9]",
    "FI": r"[0-9]{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}[0-9]{9}",
    "HR": r"[0-9]{11}",
    "HU": r"[0-9]{8}",
    "IE": r"[0-9][A-Z0-9+*][0-9]{5}[A-W][A-I]?",
    "IT": r"[0-9]{11}",
    "LT": r"[0-9]{9}|[0-9]{12}",
    "LU": r"[0-9]{8}",
    "LV": r"[0-9]{11}",
    "MT": r"[0-9]{8}",
    "NL": r"[0-9]{9}B[0-9]{2}",
    "PL": r"[0-9]{10}",
    "PT": r"[0-9]{9}",
    "RO": r"[1-9][0-9]{1,9}",
    "SE": r"[0-9]{10}01",
    "SI": r"[0-9]{8}",
    "SK": r"[0-9]{10}",
    "XI": r"[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3}",
    "GB": r"[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3}",
    "CH": r"E[0-9]{9}(MWST|TVA|IVA)?",
    "NO": r"[0-9]{9}(MVA)?",
}
"""The syntax of VAT numbers after the two-letter prefix (EU VIES formats; ``EL`` is Greece,
``XI`` Northern Ireland; the United Kingdom, Switzerland and Norway too)."""


@dataclass(frozen=True)
class Scheme:
    """One kind of identifier."""

    name: str
    property: URIRef
    label: str
    pattern: str
    """The notation's regular expression (anchored, as used in the shapes)."""
    unique: bool
    example: str
    url: str | None = None
    """Where a notation resolves: ``{}`` is replaced by it."""

    def link(self, notation: str) -> str | None:
        """The web page of an identifier, if the scheme has one.

        >>> SCHEMES["wikidata"].link("Q42")
        'https://www.wikidata.org/wiki/Q42'
        """
        return self.url.format(notation) if self.url else None


_VAT = "^(" + "|".join(f"{prefix}({body})" for prefix, body in VAT_PATTERNS.items()) + ")$"

SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("pic", CG.pic, "PIC", r"^[0-9]{9}$", True, "999999999", None),
        Scheme("vat", CG.vatNumber, "VAT number", _VAT, True, "DE123456789", None),
        Scheme("ror", CG.rorId, "ROR ID", r"^0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$", True, "03yrm5c26", "https://ror.org/{}"),
        Scheme("wikidata", CG.wikidataId, "Wikidata item", r"^Q[1-9][0-9]*$", True, "Q42", "https://www.wikidata.org/wiki/{}"),
        Scheme("eccp", CG.eccpProfile, "ECCP profile", r"^[a-z0-9]+(-[a-z0-9]+)*$", True, "example-cluster",
               "https://clustercollaboration.eu/cluster-organisations/{}"),
        Scheme("domain", CG.domain, "web domain", r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$", False, "example.org", "https://{}"),
    )
}
"""The identifier schemes by name."""

UNIQUE_SCHEMES = tuple(name for name, s in SCHEMES.items() if s.unique)
"""Schemes whose shared value means one organisation (all but ``domain``)."""


def scheme_of(prop: Any) -> Scheme | None:
    """The scheme whose property is ``prop``, or None.

    >>> scheme_of(CG.pic).name
    'pic'
    """
    for s in SCHEMES.values():
        if s.property == prop:
            return s
    return None


def ror_checksum(body: str) -> int:
    """The two check digits of a ROR ID from its first seven characters (ISO 7064 mod 97-10).

    >>> ror_checksum("05dxps0")
    55
    """
    number = 0
    for c in body.lower():
        number = number * 32 + CROCKFORD.index(c)
    return 98 - (number * 100) % 97


def _fail(scheme: str, value: Any, message: str, fix: str) -> NormalisationError:
    return NormalisationError(message, value=value, fix=fix)


def canonical(scheme: str, value: Any) -> str:
    """The canonical notation of ``value`` in ``scheme`` (see the module's table).

    Raises
    ------
    NormalisationError
        the value is not an identifier of that scheme (wrong length, characters,
        country prefix or check digits), with what to write instead.

    >>> canonical("pic", "999 999 999")
    '999999999'
    >>> canonical("domain", "https://www.CapDigital.com/en/")
    'capdigital.com'
    >>> canonical("eccp", "https://clustercollaboration.eu/cluster-organisations/cap-digital")
    'cap-digital'
    """
    if scheme not in SCHEMES:
        raise NormalisationError(f"unknown identifier scheme {scheme!r}", value=scheme, fix=f"use one of {', '.join(SCHEMES)}")
    text = str(value).strip()
    if scheme == "pic":
        digits = re.sub(r"[\s.\-]", "", text)
        if not re.fullmatch(r"[0-9]{9}", digits):
            raise _fail(scheme, value, "a PIC is nine digits", "copy the Participant Identification Code from the EU Funding & Tenders portal, e.g. 999999999")
        return digits
    if scheme == "vat":
        compact = re.sub(r"[\s.\-/]", "", text).upper()
        if compact.startswith("GR"):
            compact = "EL" + compact[2:]
        prefix = compact[:2]
        if prefix not in VAT_PATTERNS:
            raise _fail(
                scheme, value, "a VAT number starts with its two-letter country prefix",
                "write the prefix before the number, e.g. DE123456789, ESB12345678 (EL for Greece)",
            )
        if not re.fullmatch(VAT_PATTERNS[prefix], compact[2:]):
            raise _fail(
                scheme, value, f"not a {prefix} VAT number (expected {prefix} + {VAT_PATTERNS[prefix]})",
                "check the number against the VIES register (ec.europa.eu/taxation_customs/vies)",
            )
        return compact
    if scheme == "ror":
        body = re.sub(r"^(https?://)?(www\.)?ror\.org/", "", text, flags=re.IGNORECASE).lower()
        if not re.fullmatch(SCHEMES["ror"].pattern[1:-1], body):
            raise _fail(scheme, value, "a ROR ID is 0, six letters or digits and two check digits", "copy it from ror.org, e.g. 03yrm5c26 or https://ror.org/03yrm5c26")
        expected = ror_checksum(body[:7])
        if int(body[7:]) != expected:
            raise _fail(
                scheme, value, f"the ROR ID's check digits are wrong (expected {expected:02d})",
                "copy the ROR ID again from ror.org: the last two digits check the others",
            )
        return body
    if scheme == "wikidata":
        item = re.sub(r"^(https?://)?(www\.)?wikidata\.org/(wiki|entity)/", "", text, flags=re.IGNORECASE)
        item = item.upper()
        if not re.fullmatch(r"Q[1-9][0-9]*", item):
            raise _fail(scheme, value, "a Wikidata item is Q followed by a number", "copy the item's Q-number from wikidata.org, e.g. Q42")
        return item
    if scheme == "eccp":
        slug = re.sub(r"^(https?://)?([\w.-]*clustercollaboration\.eu)/", "", text, flags=re.IGNORECASE)
        slug = slug.strip("/").rsplit("/", 1)[-1].lower()
        if not re.fullmatch(SCHEMES["eccp"].pattern[1:-1], slug):
            raise _fail(
                scheme, value, "not an ECCP profile",
                "copy the address of the organisation's profile on clustercollaboration.eu, or its last part (e.g. cap-digital)",
            )
        return slug
    # domain
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", "", text).split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    host = host.lower().removeprefix("www.").rstrip(".")
    if not re.fullmatch(SCHEMES["domain"].pattern[1:-1], host):
        raise _fail(scheme, value, "not a web domain", "write the website's host, e.g. capdigital.com or www.capdigital.com")
    return host
