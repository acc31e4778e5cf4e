"""Static hosting: the files that make a published site negotiate like ``clustergraph serve``.

:func:`write_hosting_files` runs at the end of :func:`clustergraph.publishing.site.publish`
(inside its temporary folder, so a publish stays all or nothing). For every folder that
holds a resource's pages (``index.html`` beside ``index.ttl``) it

* writes the representations the site lacks from the Turtle: ``index.nt`` (N-Triples)
  and ``index.rdf`` (RDF/XML), with blank nodes numbered in document order, so that
  the same Turtle always gives the same bytes;
* writes ``index.var``, an Apache **type map** listing the representations with their
  media types and a source quality (``qs``) that encodes the server's order of
  preference: HTML, Turtle, JSON-LD, N-Triples, RDF/XML. Apache's mod_negotiation
  multiplies the client's ``q`` by ``qs``; the ``qs`` values differ by 0.0001 only, so a
  higher ``q`` always wins and equal ``q`` goes to the server's preference, which is
  exactly :func:`clustergraph.publishing.negotiation.choose`.

and at the top of the site

* ``.htaccess`` for Apache 2.4: ``DirectoryIndex index.var`` with the type-map handler
  (q-values honoured, ``Vary: accept``, 406 when nothing is acceptable), the media types,
  a ``Link`` header to the alternates, and a ``303 See Other`` from a resource IRI
  (``/id/project/cecil``) to its document (``/id/project/cecil/``), whose relative links
  are then right. Every directive that needs a module sits in ``<IfModule>``, and none
  needs ``AllowOverride Options``, so a missing module degrades to plain HTML, never to a
  500;
* ``nginx.conf``: a snippet for an nginx ``server`` block doing the same, as far as
  nginx can without a script (see the comments in the file).

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as folder:
...     page = Path(folder) / "id" / "project" / "x"
...     page.mkdir(parents=True)
...     _ = (page / "index.html").write_text("<!DOCTYPE html><title>x</title>")
...     _ = (page / "index.ttl").write_text("<https://w3id.org/clustergraph/id/project/x> a [] .")
...     print(write_hosting_files(folder))
...     print((page / "index.nt").read_text().strip())
...     print(sorted(p.name for p in page.iterdir()))
1
<https://w3id.org/clustergraph/id/project/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> _:b0 .
['index.html', 'index.jsonld', 'index.nt', 'index.rdf', 'index.ttl', 'index.var']
"""

from __future__ import annotations

import os
from pathlib import Path

from .negotiation import RESOURCE_FORMATS

__all__ = ["write_hosting_files", "type_map", "HTACCESS", "NGINX_CONF", "SOURCE_QUALITY"]

#: Apache ``qs`` per representation: the server's order of preference, by steps of 0.0001.
SOURCE_QUALITY: dict[str, str] = {suffix: f"{1 - i / 10000:.4f}" for i, suffix in enumerate(RESOURCE_FORMATS)}

_CHARSET = {"html", "ttl", "jsonld", "nt"}  # text formats written as UTF-8 (RDF/XML says so itself)

_LINK = ", ".join(
    f'<index.{suffix}>; rel=\\"alternate\\"; type=\\"{media}\\"' for suffix, media in RESOURCE_FORMATS.items()
)

HTACCESS = f"""# clustergraph: linked-data content negotiation for Apache 2.4.
# Needs AllowOverride FileInfo Indexes (or All) for this folder. Modules: mod_mime,
# mod_dir, mod_negotiation (type maps), mod_headers (Link, Vary), mod_rewrite (303 from
# a resource IRI to its document). Each block is skipped when its module is missing.
#
# A resource's folder holds index.html, index.ttl, index.jsonld, index.nt, index.rdf and
# index.var, a type map: mod_negotiation picks the representation by the Accept
# header's q-values times the map's qs (the server's preference: HTML, Turtle, JSON-LD,
# N-Triples, RDF/XML), answers "Vary: accept" and 406 when nothing is acceptable.
# Regular expressions on Accept (RewriteCond %{{HTTP_ACCEPT}}) are not used: they ignore q.

AddType text/html .html
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/n-triples .nt
AddType application/rdf+xml .rdf
AddType application/trig .trig
AddType application/n-quads .nq
AddCharset utf-8 .html .ttl .jsonld .nt .trig .nq

<IfModule mod_negotiation.c>
    AddHandler type-map .var
    DirectoryIndex index.var index.html
</IfModule>
<IfModule !mod_negotiation.c>
    DirectoryIndex index.html
</IfModule>

<IfModule mod_headers.c>
    # The alternates of a resource document, relative to the requested URL.
    <FilesMatch "^index\\.(var|html|ttl|jsonld|nt|rdf)$">
        Header always set Link "{_LINK}" "expr=-f '%{{REQUEST_FILENAME}}' && %{{REQUEST_FILENAME}} =~ m#^(.*/)index\\.[a-z]+$# && -f '$1index.var'"
    </FilesMatch>
</IfModule>

<IfModule mod_rewrite.c>
    RewriteEngine On
    # A resource IRI (no trailing slash) names the thing; 303 See Other to its document.
    RewriteCond %{{REQUEST_FILENAME}} -d
    RewriteCond %{{REQUEST_FILENAME}}/index.var -f
    RewriteRule ^(.*[^/])$ %{{REQUEST_URI}}/ [R=303,L]
</IfModule>
"""

NGINX_CONF = """# clustergraph: linked-data content negotiation for nginx.
# Include this inside the server { } block that serves the published site, e.g.
#     server { listen 80; server_name data.example.org; root /srv/clustergraph-site;
#              include /srv/clustergraph-site/nginx.conf; }
# except for the map, which nginx wants at http { } level: copy it there.
#
# nginx has no q-value negotiation of its own. The map below picks the first of the
# site's media types that the Accept header names (HTML unless an RDF type comes
# first), and */* or no Accept gives HTML (Turtle if HTML is given q=0); a q-value
# is not weighed, except that a type given q=0 is never chosen. For exactly the
# negotiation of `clustergraph serve` (q-values, 406), proxy the resource paths to it:
#     location ~ ^/(id|ontology|graph)/ { proxy_pass http://127.0.0.1:8891; proxy_set_header Host $host; }
# and start it with --host-name for the public name.

# --- http { } level ---------------------------------------------------------
# map $http_accept $clustergraph_ext {
#     default                                                                   html;
#     "~*^(?:(?!text/turtle|application/ld\\+json|application/n-triples|application/rdf\\+xml).)*text/html(?!\\s*;\\s*q=0(?:\\.0*)?\\s*(?:,|$))" html;
#     "~*text/turtle(?!\\s*;\\s*q=0(?:\\.0*)?\\s*(?:,|$))"                          ttl;
#     "~*application/ld\\+json(?!\\s*;\\s*q=0(?:\\.0*)?\\s*(?:,|$))"               jsonld;
#     "~*application/n-triples(?!\\s*;\\s*q=0(?:\\.0*)?\\s*(?:,|$))"               nt;
#     "~*application/rdf\\+xml(?!\\s*;\\s*q=0(?:\\.0*)?\\s*(?:,|$))"               rdf;
#     "~*text/html\\s*;\\s*q=0(?:\\.0*)?\\s*(?:,|$)"                                   ttl;
#     "~*(?:^|,)\\s*(?:\\*/\\*|text/\\*)"                                               html;
#     "~."                                                                      none;
# }

# --- server { } level -------------------------------------------------------
# (a types block replaces nginx's list for this server: the site's other files are listed too)
types {
    text/css               css;
    application/javascript js;
    application/json       json;
    image/svg+xml          svg;
    image/png              png;
    text/plain             txt;
    text/html              html;
    text/turtle            ttl;
    application/ld+json    jsonld;
    application/n-triples  nt;
    application/rdf+xml    rdf;
    application/trig       trig;
    application/n-quads    nq;
}
charset utf-8;
charset_types text/turtle application/ld+json application/n-triples;

location ~ ^(?<clustergraph_doc>/.+)/$ {
    if ($clustergraph_ext = none) { return 406; }
    add_header Vary Accept always;
    add_header Link '<index.html>; rel="alternate"; type="text/html", <index.ttl>; rel="alternate"; type="text/turtle", <index.jsonld>; rel="alternate"; type="application/ld+json", <index.nt>; rel="alternate"; type="application/n-triples", <index.rdf>; rel="alternate"; type="application/rdf+xml"' always;
    try_files $uri/index.$clustergraph_ext $uri/index.html =404;
}
location ~ ^(?<clustergraph_iri>/(?:id|ontology|graph)/.*[^/])$ {
    if (-d $request_filename) { return 303 $clustergraph_iri/; }
    try_files $uri =404;
}
"""


def type_map(suffixes: list[str]) -> str:
    """The Apache type map for a folder holding ``index.SUFFIX`` for each of ``suffixes``.

    >>> print(type_map(["html", "ttl"]))
    URI: index
    <BLANKLINE>
    URI: index.html
    Content-Type: text/html; charset=utf-8; qs=1.0000
    <BLANKLINE>
    URI: index.ttl
    Content-Type: text/turtle; charset=utf-8; qs=0.9999
    <BLANKLINE>
    """
    blocks = ["URI: index\n"]
    for suffix in RESOURCE_FORMATS:
        if suffix in suffixes:
            charset = "; charset=utf-8" if suffix in _CHARSET else ""
            blocks.append(f"URI: index.{suffix}\nContent-Type: {RESOURCE_FORMATS[suffix]}{charset}; qs={SOURCE_QUALITY[suffix]}\n")
    return "\n".join(blocks)


def _numbered(quads: list) -> list:  # type: ignore[type-arg]
    """The triples of ``quads`` with blank nodes renamed b0, b1, ... in order of appearance."""
    import pyoxigraph as ox

    names: dict[str, ox.BlankNode] = {}

    def rename(term: object) -> object:
        if isinstance(term, ox.BlankNode):
            if term.value not in names:
                names[term.value] = ox.BlankNode(f"b{len(names)}")
            return names[term.value]
        return term

    return [ox.Triple(rename(q.subject), q.predicate, rename(q.object)) for q in quads]  # type: ignore[arg-type]


def _derive(folder: Path) -> None:
    """Write the representations missing in ``folder`` from its ``index.ttl``."""
    import pyoxigraph as ox

    wanted = {"nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}
    missing = {suffix: fmt for suffix, fmt in wanted.items() if not (folder / f"index.{suffix}").exists()}
    if not missing:
        return
    triples = _numbered(list(ox.parse(path=folder / "index.ttl", format=ox.RdfFormat.TURTLE)))
    for suffix, fmt in missing.items():
        (folder / f"index.{suffix}").write_bytes(ox.serialize(triples, format=fmt))


def write_hosting_files(site: str | os.PathLike[str]) -> int:
    """Write ``.htaccess``, ``nginx.conf`` and each resource folder's type map; return the folder count.

    A resource folder is one holding ``index.html`` and ``index.ttl``; the
    representations it lacks (``index.nt``, ``index.rdf``, ``index.jsonld``) are
    written from the Turtle first. Files are written in place: call it on a folder
    that is not served yet (``publish`` calls it on its temporary folder).
    """
    root = Path(site)
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if "index.html" in filenames and "index.ttl" in filenames:
            folder = Path(dirpath)
            _derive(folder)
            present = [s for s in RESOURCE_FORMATS if (folder / f"index.{s}").exists()]
            (folder / "index.var").write_text(type_map(present), encoding="utf-8")
            count += 1
    (root / ".htaccess").write_text(HTACCESS, encoding="utf-8")
    (root / "nginx.conf").write_text(NGINX_CONF, encoding="utf-8")
    return count
