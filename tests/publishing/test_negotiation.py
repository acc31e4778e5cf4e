"""Content negotiation: Accept parsing (q-values, wildcards, parameters) and the choice of representation."""

from __future__ import annotations

import pytest

from clustergraph.publishing.negotiation import RESOURCE_TYPES, choose, parse_accept, quality

HTML, TTL, JSONLD, NT, RDFXML = RESOURCE_TYPES


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, HTML),
        ("", HTML),
        ("*/*", HTML),
        ("text/turtle", TTL),
        ("application/ld+json, text/html;q=0.1", JSONLD),
        ("text/html,application/xhtml+xml,*/*;q=0.8", HTML),
        ("text/turtle;q=0.9, text/html;q=0.5", TTL),
        ("text/turtle, */*", TTL),  # no explicit q: the wildcard is weak (Apache's rule)
        ("text/turtle, */*;q=1", HTML),  # an explicit q: the wildcard counts fully, ties go to the server
        ("text/html;q=0, */*", TTL),  # the specific range beats the wildcard, even at q=0
        ("*/*;q=0.1, application/n-triples", NT),
        ("application/rdf+xml;q=0.5, text/*;q=0.4", RDFXML),
        ("text/*;q=0.5, text/turtle;q=0.6", TTL),
        ("text/turtle;q=0.5, text/turtle;charset=utf-8;q=0.9, text/html;q=0.8", TTL),  # most specific range wins
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted, x";q=0.9, text/html;q=0.8', JSONLD),
        ("TEXT/Turtle", TTL),  # media types are case-insensitive
        ("text/turtle;q=0.9;foo=bar, text/html;q=0.8", TTL),  # accept extensions after q are ignored
        ("application/n-triples;q=0.3,application/rdf+xml;q=0.3", NT),  # a tie: the server's order
        ("text/turtle;q=1.5, text/html;q=0.2", HTML),  # an invalid q makes its entry unusable
        ("garbage, text/turtle", TTL),
        ("garbage", HTML),  # nothing usable: as if no Accept
    ],
)
def test_choice(accept, expected) -> None:
    assert choose(accept, RESOURCE_TYPES) == expected


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0", "application/json", "text/turtle;q=0, text/html;q=0, application/*;q=0", "*/*;q=0"])
def test_nothing_acceptable(accept) -> None:
    assert choose(accept, RESOURCE_TYPES) is None


def test_parsing_keeps_parameters_and_order() -> None:
    ranges = parse_accept('text/turtle ; charset="utf-8" ; q=0.7 , application/ld+json')
    assert [(r.type, r.subtype, r.params, r.q, r.explicit, r.position) for r in ranges] == [
        ("text", "turtle", (("charset", "utf-8"),), 0.7, True, 0),
        ("application", "ld+json", (), 1.0, False, 1),
    ]
    assert [r.specificity for r in ranges] == [3, 2]
    assert parse_accept("*/turtle, text/") == []


def test_quality_of_offers() -> None:
    ranges = parse_accept("text/*;q=0.3, text/html;q=0.7, */*;q=0.1")
    assert [quality(ranges, t) for t in (HTML, TTL, JSONLD)] == [0.7, 0.3, 0.1]
    assert choose("text/*;q=0.3, text/html;q=0.7, */*;q=0.1", [JSONLD, TTL]) == TTL
    assert choose("anything", []) is None
