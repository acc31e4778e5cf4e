"""The Accept headers every way of serving the site must answer alike: Apache's type maps, nginx and ``serve``."""

from __future__ import annotations

__all__ = ["ACCEPTS"]

ACCEPTS = [  # (Accept header, expected representation: the file suffix)
    (None, "html"),
    ("*/*", "html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"),
    ("text/turtle;q=0.9, text/html;q=0.5", "ttl"),
    ("text/html;q=0.5, application/ld+json;q=0.6", "jsonld"),
    ("text/turtle, */*", "ttl"),
    ("text/turtle;q=0.5, application/n-triples", "nt"),
    ("text/*", "html"),
    ("text/html;q=0, */*;q=0.5", "ttl"),
    ("application/rdf+xml;q=1.0, text/turtle;q=0.999", "rdf"),
    ("text/turtle;charset=utf-8", "ttl"),
]
