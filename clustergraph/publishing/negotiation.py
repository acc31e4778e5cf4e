"""Content negotiation: which representation an ``Accept`` header asks for.

The one implementation used by ``clustergraph serve`` (resources, SPARQL results, the
service description) and mirrored by the Apache type maps that
:mod:`clustergraph.publishing.hosting` writes, so that a static site and the live server
answer the same request with the same representation.

The rules are HTTP's (RFC 9110, section 12.5.1) with Apache's one refinement:

* each media range has a quality ``q`` (default 1, three decimals at most); ``q=0``
  means "not acceptable";
* an offer takes the quality of the *most specific* range that matches it
  (``text/turtle`` before ``text/*`` before ``*/*``; a range with parameters before one
  without), so ``*/*;q=0.1, text/turtle`` prefers Turtle and ``*/*, text/html;q=0``
  refuses HTML;
* if no range in the header carries an explicit ``q``, wildcards count as ``0.01``
  (``*/*``) and ``0.02`` (``type/*``), as Apache's mod_negotiation does, so that
  ``text/turtle, */*`` means "Turtle, else anything";
* equal qualities are broken by the server's order of preference (the order of the
  offers); no header at all takes the first offer;
* nothing acceptable is ``None``: the server answers 406 Not Acceptable.

Media-type parameters (``charset``, a JSON-LD ``profile``) are parsed and make a range
more specific; they never exclude an offer, since each offer has one serialisation.

>>> choose("text/turtle;q=0.9, text/html;q=0.5", RESOURCE_TYPES)
'text/turtle'
>>> choose("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", RESOURCE_TYPES)
'text/html'
>>> choose("application/ld+json, */*", RESOURCE_TYPES)
'application/ld+json'
>>> choose("image/png", RESOURCE_TYPES) is None
True
>>> extension_of("application/n-triples"), RESOURCE_FORMATS["ttl"]
('nt', 'text/turtle')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MediaRange",
    "parse_accept",
    "quality",
    "choose",
    "RESOURCE_FORMATS",
    "RESOURCE_TYPES",
    "RDFLIB_FORMATS",
    "extension_of",
]

#: The representations of a resource: file suffix -> media type, in the server's order of
#: preference (HTML first, for browsers that send ``*/*``). The static site has one file
#: ``index.SUFFIX`` per representation; ``clustergraph serve`` answers the same set.
RESOURCE_FORMATS: dict[str, str] = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
#: The media types of :data:`RESOURCE_FORMATS`, in order of preference.
RESOURCE_TYPES: tuple[str, ...] = tuple(RESOURCE_FORMATS.values())
#: Media type -> rdflib serialiser name, for every RDF representation.
RDFLIB_FORMATS: dict[str, str] = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"\s*({_TOKEN})/({_TOKEN})\s*")
_PARAM = re.compile(rf"\s*;\s*({_TOKEN})\s*=\s*({_TOKEN}|\"(?:[^\"\\]|\\.)*\")\s*")
_Q = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header: ``type/subtype``, its parameters and quality.

    ``explicit`` says whether the header gave ``q``; ``position`` is its place in the
    header.
    """

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()
    q: float = 1.0
    explicit: bool = False
    position: int = 0

    def matches(self, media_type: str) -> bool:
        """True if this range covers ``media_type`` (``type/subtype``, no parameters).

        >>> MediaRange("text", "*").matches("text/turtle"), MediaRange("text", "*").matches("application/ld+json")
        (True, False)
        """
        kind, _, sub = media_type.lower().partition("/")
        if self.type == "*":
            return True
        return self.type == kind and self.subtype in ("*", sub)

    @property
    def specificity(self) -> int:
        """3 for ``type/subtype;param``, 2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2


def _split(header: str) -> list[str]:
    """Split at commas outside quoted strings."""
    parts, current, quoted, escaped = [], [], False, False
    for ch in header:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header, in header order; malformed entries are skipped.

    A ``q`` that is not a number between 0 and 1 with at most three decimals makes its
    entry unusable (skipped), as does anything that is not ``type/subtype``. Parameters
    after ``q`` (accept extensions) are ignored.

    >>> [(r.type, r.subtype, r.q, r.params) for r in parse_accept('text/turtle;charset=utf-8;q=0.5, */*;q=0.1')]
    [('text', 'turtle', 0.5, (('charset', 'utf-8'),)), ('*', '*', 0.1, ())]
    >>> [r.subtype for r in parse_accept('application/ld+json;profile="a,b", text/html;q=2, nonsense')]
    ['ld+json']
    """
    ranges: list[MediaRange] = []
    for position, entry in enumerate(_split(header or "")):
        if not entry.strip():
            continue
        found = _RANGE.match(entry)
        if not found:
            continue
        kind, sub = found.group(1).lower(), found.group(2).lower()
        if kind == "*" and sub != "*":
            continue
        rest = entry[found.end():]
        params: list[tuple[str, str]] = []
        q, explicit, ok = 1.0, False, True
        while rest.strip():
            param = _PARAM.match(rest)
            if not param:
                ok = False
                break
            name, value = param.group(1).lower(), param.group(2)
            rest = rest[param.end():]
            if name == "q":
                if not _Q.match(value):
                    ok = False
                    break
                q, explicit = float(value), True
                break  # what follows q is an accept extension
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params.append((name, value))
        if ok:
            ranges.append(MediaRange(kind, sub, tuple(params), q, explicit, position))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality ``ranges`` give ``media_type``: that of the most specific matching range.

    >>> ranges = parse_accept("*/*;q=0.1, text/*;q=0.5, text/turtle")
    >>> quality(ranges, "text/turtle"), quality(ranges, "text/html"), quality(ranges, "image/png")
    (1.0, 0.5, 0.1)
    >>> quality(parse_accept("text/turtle, */*"), "text/html")  # no explicit q: wildcards are weak
    0.01
    """
    explicit = any(r.explicit for r in ranges)
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    if best is None:
        return 0.0
    if not explicit and best.specificity < 2:
        return 0.01 if best.specificity == 0 else 0.02
    return best.q


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer (a media type) to answer ``accept`` with, or ``None`` if none is acceptable.

    ``offers`` are in the server's order of preference: the first wins a tie and answers
    a request without ``Accept`` (or with an empty or wholly malformed one).

    >>> choose(None, ["text/html", "text/turtle"])
    'text/html'
    >>> choose("text/html;q=0, */*", ["text/html", "text/turtle"])
    'text/turtle'
    >>> choose("text/turtle;q=0", ["text/turtle"]) is None
    True
    """
    if not offers:
        return None
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def extension_of(media_type: str) -> str:
    """The file suffix of a resource representation's media type (see :data:`RESOURCE_FORMATS`).

    >>> extension_of("text/html")
    'html'
    """
    for suffix, media in RESOURCE_FORMATS.items():
        if media == media_type:
            return suffix
    raise KeyError(media_type)
