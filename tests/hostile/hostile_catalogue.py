"""The catalogue of hostile and sloppy RDF inputs: how each is made, and what must happen.

Every case is generated into a temporary folder (nothing hostile is kept in the
repository) and names its expected behaviour: refused with an
:class:`~clustergraph.errors.InputError` whose text contains ``refused`` (and names the
file, and the line where one is given), or loaded with ``triples`` statements. A case
may expect something else on one store kind (``per_store``), with the reason.

Contexts, ``FROM`` and ``SERVICE`` targets point at :class:`Recorder`, a loopback HTTP
server that notes every request it gets: the tests assert that it got none.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: A store kind for the Python API: (label, kind, on disk?).
STORES = [("oxigraph", "oxigraph", False), ("oxigraph-disk", "oxigraph", True), ("memory", "memory", False)]

DTD = "DTDs are refused because"
TOO_DEEP = "nested more than 100 levels deep"
LITERAL = "16,777,216 bytes"  # the default literal limit, and Oxigraph's own
REMOTE = "is remote, and clustergraph never fetches contexts"
LOCAL_FILE = "would be read from a file, and clustergraph reads only the files you name"


class Recorder:
    """A loopback HTTP server that records every request and answers something plausible.

    ``silent`` is a second listening socket that accepts nothing and answers nothing:
    a client that reached it would hang. :meth:`silent_contacted` says whether anyone
    connected to it.
    """

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorder.requests.append(f"{self.command} {self.path}")
                if "sparql" in self.path:
                    body = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "remote"}}]}}'
                    kind = "application/sparql-results+json"
                elif self.path.endswith(".ttl"):
                    body, kind = b'<http://remote.example/s> <http://remote.example/p> "remote" .\n', "text/turtle"
                else:
                    body, kind = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode(), "application/ld+json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.silent.bind(("127.0.0.1", 0))
        self.silent.listen(16)
        self.silent_port = self.silent.getsockname()[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def silent_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.silent_port}/{path.lstrip('/')}"

    def silent_contacted(self) -> bool:
        """True if a connection is waiting on (or was taken from) the silent port."""
        self.silent.setblocking(False)
        try:
            conn, _ = self.silent.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.silent.close()


@dataclass(frozen=True)
class Case:
    """One hostile input, and what clustergraph must do with it."""

    id: str
    file: str
    make: Callable[[Path, Recorder], bytes]
    expect: str
    refused: str | None = None
    line: int | None = None
    triples: int | None = None
    per_store: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)
    crash: bool = False  # crashed, hung or blew up memory before: also run in a subprocess

    def write(self, folder: Path, recorder: Recorder) -> Path:
        path = folder / self.file
        path.write_bytes(self.make(folder, recorder))
        return path

    def expected(self, store: str) -> tuple[str | None, int | None]:
        """(message part if refused, triples if loaded) on ``store``."""
        return self.per_store.get(store, (self.refused, self.triples))


# --- generators -----------------------------------------------------------------------------

RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/"'


def billion_laughs(levels: int = 10) -> bytes:
    """RDF/XML of a few hundred bytes whose entities expand to 3 * 10**levels bytes."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(entities)
        + f'\n]>\n<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://ex.org/a"><ex:p>&lol{levels};</ex:p></rdf:Description></rdf:RDF>\n'
    ).encode()


def xxe(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{target}">]>\n'
        f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://ex.org/a"><ex:p>&x;</ex:p></rdf:Description></rdf:RDF>\n'
    ).encode()


def nested_objects(depth: int) -> bytes:
    return ('{"@id": "http://ex.org/a", "http://ex.org/p": ' * depth + '{"@id": "http://ex.org/z"}' + "}" * depth).encode()


def nested_arrays(depth: int) -> bytes:
    return ('{"@id": "http://ex.org/a", "http://ex.org/p": ' + "[" * depth + '"x"' + "]" * depth + "}").encode()


def jsonld(context: object, **more: object) -> bytes:
    return json.dumps({"@context": context, "@id": "http://ex.org/a", "name": "x", **more}).encode()


BIG = "x" * (20 * 1024 * 1024)

CASES: list[Case] = [
    Case("billion-laughs", "laughs.rdf", lambda d, r: billion_laughs(10), "refused before expansion (3e10 bytes if expanded)", DTD, line=2, crash=True),
    Case("xxe-file", "xxe.rdf", lambda d, r: xxe("file:///etc/passwd"), "refused: the external entity would read a local file", DTD, line=2),
    Case("xxe-http", "xxe-http.rdf", lambda d, r: xxe(r.url("entity.txt")), "refused: the external entity would be fetched", DTD, line=2),
    Case(
        "dtd-after-comment",
        "dtd-late.rdf",
        lambda d, r: b'<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE r [<!ENTITY a "b">]>\n<rdf:RDF ' + RDF_NS.encode() + b"/>\n",
        "refused: a DTD is found wherever it stands",
        DTD,
        line=3,
    ),
    Case(
        "dtd-utf16",
        "dtd-utf16.rdf",
        lambda d, r: ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE r [<!ENTITY a "b">]>\n<rdf:RDF ' + RDF_NS + "/>\n").encode("utf-16"),
        "refused: UTF-16 does not hide a DTD",
        DTD,
        line=2,
    ),
    Case(
        "doctype-quoted-in-cdata",
        "cdata.rdf",
        lambda d, r: (
            f'<?xml version="1.0"?>\n<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://ex.org/a">'
            "<ex:html><![CDATA[<!DOCTYPE html><p>page</p>]]></ex:html></rdf:Description></rdf:RDF>\n"
        ).encode(),
        "loads: '<!DOCTYPE' inside a CDATA section is text, not a DTD",
        triples=1,
    ),
    Case("json-objects-5000", "objects-5000.jsonld", lambda d, r: nested_objects(5000), "refused before parsing (segfaulted Oxigraph)", TOO_DEEP, line=1, crash=True),
    Case("json-objects-100000", "objects-100000.jsonld", lambda d, r: nested_objects(100_000), "refused before parsing", TOO_DEEP, line=1, crash=True),
    Case("json-arrays-5000", "arrays-5000.jsonld", lambda d, r: nested_arrays(5000), "refused before parsing", TOO_DEEP, line=1),
    Case("json-arrays-100000", "arrays-100000.jsonld", lambda d, r: nested_arrays(100_000), "refused before parsing (RecursionError before)", TOO_DEEP, line=1, crash=True),
    Case("json-depth-at-limit", "depth-100.jsonld", lambda d, r: nested_objects(99), "loads: 100 levels are allowed (2 distinct triples)", triples=2),
    Case("context-remote", "remote.jsonld", lambda d, r: jsonld(r.url("context.jsonld")), "refused, the server is not contacted", REMOTE, line=1),
    Case("context-silent-port", "silent.jsonld", lambda d, r: jsonld(r.silent_url("context.jsonld")), "refused at once, the silent port is not contacted (it hung before)", REMOTE, line=1, crash=True),
    Case("context-file", "file.jsonld", lambda d, r: jsonld("file:///etc/passwd"), "refused, the file is not read", LOCAL_FILE, line=1),
    Case(
        "context-relative",
        "relative.jsonld",
        lambda d, r: ((d / "ctx.jsonld").write_text('{"@context": {"name": "http://schema.org/name"}}'), jsonld("ctx.jsonld"))[1],
        "refused: a relative context IRI would read a file beside the input",
        LOCAL_FILE,
        line=1,
    ),
    Case(
        "context-scoped",
        "scoped.jsonld",
        lambda d, r: jsonld({"name": "http://schema.org/name", "knows": {"@id": "http://schema.org/knows", "@context": r.url("scoped.jsonld")}}),
        "refused: a scoped context named by IRI",
        "scoped @context of the term 'knows'",
        line=1,
    ),
    Case(
        "context-import",
        "import.jsonld",
        lambda d, r: jsonld({"@version": 1.1, "@import": r.url("imported.jsonld"), "name": "http://schema.org/name"}),
        "refused: an @import names a remote context",
        "@import <http://127.0.0.1:",
        line=1,
    ),
    Case(
        "context-in-a-list",
        "list.jsonld",
        lambda d, r: jsonld([{"name": "http://schema.org/name"}, r.url("second.jsonld")]),
        "refused: a remote context after an inline one",
        REMOTE,
        line=1,
    ),
    Case(
        "context-embedded-node",
        "embedded.jsonld",
        lambda d, r: jsonld({"name": "http://schema.org/name"}, knows={"@context": r.url("inner.jsonld"), "@id": "http://ex.org/b", "name": "y"}),
        "refused: a context on a nested node",
        REMOTE,
        line=1,
    ),
    Case(
        "context-key-escaped",
        "escaped.jsonld",
        lambda d, r: ('{"\\u0040context": "' + r.url("escaped.jsonld") + '", "@id": "http://ex.org/a", "name": "x"}').encode(),
        "refused: a JSON escape does not hide @context",
        REMOTE,
        line=1,
    ),
    Case(
        "context-bundled",
        "bundled.jsonld",
        lambda d, r: json.dumps({"@context": "https://w3id.org/clustergraph/context.jsonld", "@id": "cgid:project/x", "@type": "cg:Project"}).encode(),
        "loads: the bundled clustergraph context is copied in, not fetched",
        triples=1,
    ),
    Case("literal-20mb-turtle", "big.ttl", lambda d, r: f'<http://ex.org/a> <http://ex.org/p> """{BIG}""" .\n'.encode(), "refused naming the limit (MemoryError before)", LITERAL, crash=True),
    Case("literal-20mb-ntriples", "big.nt", lambda d, r: f'<http://ex.org/a> <http://ex.org/p> "{BIG}" .\n'.encode(), "refused naming the limit", LITERAL),
    Case("literal-20mb-jsonld", "big.jsonld", lambda d, r: json.dumps({"@id": "http://ex.org/a", "http://ex.org/p": BIG}).encode(), "refused naming the limit", LITERAL),
    Case(
        "literal-20mb-rdfxml",
        "big.rdf",
        lambda d, r: f'<?xml version="1.0"?>\n<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://ex.org/a"><ex:p>{BIG}</ex:p></rdf:Description></rdf:RDF>\n'.encode(),
        "refused naming the limit (Oxigraph's RDF/XML parser has no buffer limit: checked separately)",
        LITERAL,
    ),
    Case(
        "turtle-nested-20000",
        "deep.ttl",
        lambda d, r: ("<http://ex.org/a> <http://ex.org/p>\n" + "[ <http://ex.org/p>\n" * 20_000 + '"x"' + "\n]" * 20_000 + " .\n").encode(),
        "Oxigraph reads it (no recursion), also for the memory store",
        triples=20_001,
    ),
]

#: Queries that would reach outside the dataset: (id, query text with {url} and {file}, clause named in the error).
QUERIES: list[tuple[str, str, str]] = [
    ("service", "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE <http://127.0.0.1:"),
    ("service-silent", "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}", "SERVICE <http://127.0.0.1:"),
    ("service-variable", "SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}", "SERVICE ?e"),
    ("service-escaped", "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE <http://127.0.0.1:"),
    ("service-ask", "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE <http://127.0.0.1:"),
    ("service-construct", "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE <http://127.0.0.1:"),
    ("from-http", "SELECT * FROM <{data}> WHERE {{ ?s ?p ?o }}", "FROM <http://127.0.0.1:"),
    ("from-named-http", "SELECT * FROM NAMED <{data}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED <http://127.0.0.1:"),
    ("from-file", "SELECT * FROM <{file}> WHERE {{ ?s ?p ?o }}", "FROM <file:"),
    ("from-prefixed", "PREFIX r: <{base}> SELECT * FROM r:data.ttl WHERE {{ ?s ?p ?o }}", "FROM <http://127.0.0.1:"),
]

# --- more hostile and sloppy inputs (second round) -------------------------------------------------

MALFORMED_TURTLE = "malformed Turtle at line"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

CASES += [
    Case(
        "ill-typed-literals",
        "ill-typed.ttl",
        lambda d, r: (
            f"@prefix xsd: <{XSD_NS}> .\n<http://ex.org/a> <http://ex.org/age> \"nineteen\"^^xsd:integer ;\n"
            '  <http://ex.org/born> "2023-13-45"^^xsd:date ;\n  <http://ex.org/small> "300"^^xsd:byte .\n'
        ).encode(),
        "loads as written; import warns with subject, predicate and line (--strict refuses: test_ill_typed_*)",
        triples=3,
    ),
    Case(
        "bom-and-crlf",
        "windows.ttl",
        lambda d, r: b"\xef\xbb\xbf@prefix ex: <http://ex.org/> .\r\nex:a ex:p \"x\" .\r\nex:b ex:p \"y\" .\r\n",
        "loads: a byte-order mark and CRLF line ends, as Windows editors write",
        triples=2,
    ),
    Case(
        "iri-with-space",
        "space.ttl",
        lambda d, r: b'@prefix ex: <http://ex.org/> .\nex:a ex:p "x" .\n<http://ex.org/a b> ex:p "y" .\n',
        "refused at line 3 with line and column (no 'character' wording)",
        MALFORMED_TURTLE + " 3, column",
        line=3,
    ),
    Case(
        "bad-language-tag",
        "lang.ttl",
        lambda d, r: b'<http://ex.org/a> <http://ex.org/p> "x"@a_b .\n',
        "refused: not a BCP 47 language tag (read as N-Triples or Turtle, by store)",
        "at line 1, column",
        line=1,
    ),
    Case(
        "surrogate-escape",
        "surrogate.nt",
        lambda d, r: b'<http://ex.org/a> <http://ex.org/p> "\\uD800" .\n',
        "refused: an escape for a lone surrogate is no character",
        "malformed N-Triples at line 1",
        line=1,
    ),
    Case(
        "invalid-utf8",
        "latin1.ttl",
        lambda d, r: '<http://ex.org/a> <http://ex.org/p> "Université" .\n'.encode("latin-1"),
        "refused: a Latin-1 file read as UTF-8, with the line",
        "at line 1, column",
        line=1,
    ),
    Case(
        "literal-subject",
        "literal-subject.nq",
        lambda d, r: b'"s" <http://ex.org/p> "o" <http://ex.org/g> .\n',
        "refused: a literal cannot be a subject",
        "malformed N-Quads at line 1",
        line=1,
    ),
    Case(
        "nul-escape",
        "nul.nt",
        lambda d, r: b'<http://ex.org/a> <http://ex.org/p> "a\\u0000b" .\n',
        "loads: a NUL written as an escape is a character of RDF (RDF/XML dumps refuse it: test_properties)",
        triples=1,
    ),
    Case(
        "doctype-system-only",
        "system.rdf",
        lambda d, r: f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{r.url("rdf.dtd")}">\n<rdf:RDF {RDF_NS}/>\n'.encode(),
        "refused: an external DTD alone would be fetched",
        DTD,
        line=2,
    ),
    Case(
        "xml-base-file",
        "xmlbase.rdf",
        lambda d, r: f'<?xml version="1.0"?>\n<rdf:RDF {RDF_NS} xml:base="file:///etc/"><rdf:Description rdf:about="passwd"><ex:p>x</ex:p></rdf:Description></rdf:RDF>\n'.encode(),
        "loads: xml:base makes an IRI, it reads no file",
        triples=1,
    ),
    Case(
        "jsonld-base-file",
        "base.jsonld",
        lambda d, r: json.dumps({"@context": {"@base": "file:///etc/", "name": "http://schema.org/name"}, "@id": "passwd", "name": "x"}).encode(),
        "loads: @base makes an IRI, it reads no file",
        triples=1,
    ),
    Case(
        "context-in-graph",
        "graph-context.jsonld",
        lambda d, r: json.dumps({"@context": None, "@graph": [{"@context": r.url("g.jsonld"), "@id": "http://ex.org/a", "name": "x"}]}).encode(),
        "refused: a remote context inside @graph after a null context",
        REMOTE,
        line=1,
    ),
    Case(
        "prefix-file-iri",
        "file-prefix.ttl",
        lambda d, r: b"@prefix etc: <file:///etc/> .\netc:passwd etc:shadow etc:hosts .\n",
        "loads: file: IRIs are names, never opened",
        triples=1,
    ),
    Case(
        "one-long-line",
        "long-line.ttl",
        lambda d, r: b" ".join(f'<http://ex.org/s{i}> <http://ex.org/p> "{i}" .'.encode() for i in range(3_000)) + b"\n",
        "loads in linear time: 3,000 triples (150 KB) on one Turtle line (rdflib's reader was quadratic; N-Triples refuses two on a line)",
        triples=3_000,
    ),
    Case(
        "nested-collections",
        "lists.ttl",
        lambda d, r: ("<http://ex.org/a> <http://ex.org/p> " + "(" * 1_000 + '"x"' + ")" * 1_000 + " .\n").encode(),
        "loads: 1,000 nested lists, no recursion (2 triples a list, plus one)",
        triples=2_001,
    ),
    Case(
        "huge-double",
        "huge.jsonld",
        lambda d, r: b'{"@id": "http://ex.org/a", "http://ex.org/p": 1e400}',
        "loads: a JSON number beyond double range does not crash the parser",
        triples=1,
    ),
    Case(
        "json-value-deep",
        "json-literal.jsonld",
        lambda d, r: ('{"@context": {"p": {"@id": "http://ex.org/p", "@type": "@json"}}, "@id": "http://ex.org/a", "p": '
                      + "[" * 200 + "]" * 200 + "}").encode(),
        "refused: a JSON literal (@json) counts towards the nesting limit",
        TOO_DEEP,
        line=1,
    ),
]
