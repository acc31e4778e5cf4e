"""The published site under a real Apache 2.4: every media type by Accept, Vary, Link, 303, 404, 406, never 500.

One Apache instance (Debian's ``apache2``, its own ServerRoot and config in a temporary
folder, mpm_event, listening on a free loopback port) serves a site published from the
embedded dataset with the ``.htaccess`` and type maps that ``publish`` writes; it is
stopped at the end of the module.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from negotiation_cases import ACCEPTS
from rdflib import Graph, URIRef

from clustergraph import store
from clustergraph.ingest.importer import load_embedded
from clustergraph.namespaces import ID
from clustergraph.publishing.negotiation import RDFLIB_FORMATS, RESOURCE_FORMATS, choose
from clustergraph.publishing.site import publish

APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
NEEDED = ("mpm_event", "authz_core", "mime", "dir", "negotiation", "headers", "rewrite")

_CONF = """\
ServerRoot "{root}"
PidFile "{root}/apache.pid"
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
ErrorLog "{root}/error.log"
LogLevel warn
{user}
{modules}
TypesConfig /etc/mime.types
DocumentRoot "{site}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{site}">
    AllowOverride All
    Require all granted
</Directory>
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Apache:
    """An Apache 2.4 instance of its own serving ``site`` on loopback."""

    def __init__(self, site: Path, root: Path, modules_loaded: tuple[str, ...] = NEEDED) -> None:
        self.port = _free_port()
        root.mkdir(parents=True, exist_ok=True)
        modules = "\n".join(f"LoadModule {m}_module {MODULES / f'mod_{m}.so'}" for m in modules_loaded)
        user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
        conf = root / "apache.conf"
        conf.write_text(_CONF.format(root=root, port=self.port, site=site, modules=modules, user=user))
        self.root = root
        self.process = subprocess.Popen([APACHE, "-f", str(conf), "-DFOREGROUND"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    out = self.process.stdout.read().decode() if self.process.stdout else ""
                    raise RuntimeError(f"apache did not start: {out}")
                time.sleep(0.05)

    def get(self, path: str, accept: str | None = None, method: str = "GET") -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request(method, path, headers={"Accept": accept} if accept is not None else {})
        res = conn.getresponse()
        res.body = res.read()  # type: ignore[attr-defined]
        conn.close()
        return res

    def errors(self) -> str:
        return (self.root / "error.log").read_text()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _readable(folder: Path) -> None:
    """Apache's workers run as nobody when the tests run as root: open the site to them."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture(scope="module")
def published():
    """A site published from the embedded dataset (plus a non-ASCII IRI), readable by nobody."""
    # Not under pytest's temporary root: another pytest run may make that 0700 again,
    # and the web servers' workers (nobody) could no longer read the site.
    base = Path(tempfile.mkdtemp(prefix="clustergraph-hosting-"))
    base.chmod(0o755)
    data = load_embedded(store.open_dataset())
    store.load(data, TOKYO.encode(), format="turtle", graph="https://w3id.org/clustergraph/graph/test")
    site = publish(data, base / "site").path
    _readable(site)
    try:
        yield base, site
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def apache(published):
    if not (os.access(APACHE, os.X_OK) and all((MODULES / f"mod_{m}.so").exists() for m in NEEDED)):
        if os.environ.get("CI"):
            pytest.fail("Debian's apache2 must be installed on CI (.ci/run installs it)")
        pytest.skip("Debian's apache2 is not installed")
    base, site = published
    server = Apache(site, base / "apache")
    try:
        yield server, site
    finally:
        server.stop()


CECIL = "/id/project/cecil/"
#: A resource whose IRI path is not ASCII (percent-encoded in the IRI, UTF-8 on disk).
TOKYO = '<https://w3id.org/clustergraph/id/organisation/%E6%9D%B1%E4%BA%AC> <http://www.w3.org/2000/01/rdf-schema#label> "Tokyo cluster"@en .'




@pytest.mark.parametrize(("accept", "suffix"), ACCEPTS)
def test_every_representation_by_accept(apache, accept, suffix) -> None:
    server, site = apache
    assert choose(accept, list(RESOURCE_FORMATS.values())) == RESOURCE_FORMATS[suffix], "serve would answer otherwise"
    res = server.get(CECIL, accept)
    assert res.status == 200, res.body[:300]
    media = RESOURCE_FORMATS[suffix]
    assert res.getheader("Content-Type").split(";")[0].strip() == media
    assert "accept" in res.getheader("Vary", "").lower()
    assert res.body == (site / "id" / "project" / "cecil" / f"index.{suffix}").read_bytes()
    if suffix != "html":
        graph = Graph().parse(data=res.body, format=RDFLIB_FORMATS[media])
        assert (ID["project/cecil"], None, None) in graph


def test_link_header_names_the_alternates(apache) -> None:
    server, _ = apache
    for path in (CECIL, CECIL + "index.ttl"):
        link = server.get(path, "text/turtle").getheader("Link", "")
        found = dict((t, u) for u, t in re.findall(r'<([^>]+)>;\s*rel="alternate";\s*type="([^"]+)"', link))
        assert found == {media: f"index.{suffix}" for suffix, media in RESOURCE_FORMATS.items()}, link


def test_the_iri_redirects_to_its_document(apache) -> None:
    server, _ = apache
    res = server.get("/id/project/cecil", "text/turtle")
    assert res.status == 303
    assert urlsplit(res.getheader("Location")).path == CECIL


def test_non_ascii_iri_redirects_escaped(apache) -> None:
    server, site = apache
    assert (site / "id" / "organisation" / "東京" / "index.var").exists()
    path = "/id/organisation/%E6%9D%B1%E4%BA%AC"
    res = server.get(path, "text/turtle")
    location = urlsplit(res.getheader("Location")).path
    assert res.status == 303 and location.isascii() and unquote(location) == unquote(path) + "/"  # %e6 is %E6
    assert server.get(path + "/", "text/turtle").status == 200


def test_unacceptable_is_406_and_unknown_is_404(apache) -> None:
    server, _ = apache
    assert server.get(CECIL, "image/png").status == 406
    assert server.get(CECIL, "text/turtle;q=0, text/html;q=0").status == 406
    for path in ("/id/project/no-such-project", "/id/project/no-such-project/", "/id/nothing/at/all", "/id/project/cecil/index.csv"):
        res = server.get(path, "text/turtle")
        assert res.status == 404, (path, res.status)


def test_dumps_have_their_media_types(apache) -> None:
    server, _ = apache
    for suffix, media in (("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"), ("trig", "application/trig")):
        res = server.get(f"/dataset/clustergraph.{suffix}")
        assert res.status == 200 and res.getheader("Content-Type").split(";")[0] == media


def test_no_url_of_the_site_answers_500(apache) -> None:
    """Every file and folder of the site, and every IRI, under several Accept headers."""
    server, site = apache
    paths = set()
    for path in site.rglob("*"):
        rel = "/" + "/".join(quote(p) for p in path.relative_to(site).parts)
        paths.add(rel + ("/" if path.is_dir() else ""))
        if path.is_dir():
            paths.add(rel)
    assert len(paths) > 500
    statuses: dict[int, int] = {}
    for i, path in enumerate(sorted(paths)):
        accept = (None, "text/turtle", "application/ld+json;q=0.5, text/html;q=0.4", "image/png")[i % 4]
        status = server.get(path, accept).status
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (path, accept, status)
    assert statuses.get(200, 0) > 400
    assert "AH00124" not in server.errors()  # "exceeded the limit of 10 internal redirects"


def test_every_published_iri_dereferences(apache) -> None:
    """Each resource page's IRI, followed like a linked-data client does, gives its Turtle."""
    server, site = apache
    folders = sorted(p.parent for p in (site / "id").rglob("index.var"))
    assert folders
    for folder in folders[::7]:  # a sample keeps this fast; test_no_url... covers every path
        path = "/" + "/".join(quote(p) for p in folder.relative_to(site).parts)
        res = server.get(path, "text/turtle")
        assert res.status == 303
        res = server.get(urlsplit(res.getheader("Location")).path, "text/turtle")
        assert res.status == 200 and res.getheader("Content-Type").startswith("text/turtle")
        iri = URIRef(str(ID) + path[len("/id/"):])
        assert (iri, None, None) in Graph().parse(data=res.body, format="turtle") or (None, None, iri) in Graph().parse(data=res.body, format="turtle")


def test_without_the_optional_modules_the_site_degrades_never_fails(apache, published) -> None:
    """A host without mod_negotiation, mod_headers and mod_rewrite serves the HTML, not a 500."""
    base, site = published
    bare = Apache(site, base / "apache-bare", ("mpm_event", "authz_core", "mime", "dir"))
    try:
        for path, accept in ((CECIL, "text/turtle"), (CECIL, None), ("/id/project/cecil", "text/html"), (CECIL + "index.ttl", None), ("/", None)):
            res = bare.get(path, accept)
            assert res.status in (200, 301), (path, res.status, res.body[:200])
        res = bare.get(CECIL, "text/turtle")
        assert res.getheader("Content-Type").startswith("text/html")  # no negotiation without the module: HTML
        assert bare.get(CECIL + "index.ttl").getheader("Content-Type").startswith("text/turtle")
    finally:
        bare.stop()


# --- nginx, with the snippet the site ships -------------------------------------------------

NGINX = "/usr/sbin/nginx"


class Nginx(Apache):
    """An nginx instance of its own serving ``site`` with its ``nginx.conf`` (the map moved to http level)."""

    def __init__(self, site: Path, root: Path) -> None:  # noqa: D107 - same interface as Apache
        self.port = _free_port()
        root.mkdir(parents=True, exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)
        snippet = (site / "nginx.conf").read_text()
        block = re.search(r"# map \$http_accept.*?# \}", snippet, re.S)
        assert block, "nginx.conf has no map to copy"
        mapping = "\n".join(line[2:] if line.startswith("# ") else line for line in block.group(0).splitlines())
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        temp = " ".join(f"{k}_temp_path {root}/tmp;" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = root / "nginx.conf"
        conf.write_text(
            f"daemon off; pid {root}/nginx.pid; error_log {root}/error.log; worker_processes 1; {user}\n"
            f"events {{ worker_connections 64; }}\nhttp {{ access_log off; {temp}\n{mapping}\n"
            f"server {{ listen 127.0.0.1:{self.port}; root {site}; include {site}/nginx.conf; }} }}\n"
        )
        self.root = root
        self.process = subprocess.Popen([NGINX, "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    out = self.process.stdout.read().decode() if self.process.stdout else ""
                    raise RuntimeError(f"nginx did not start: {out}")
                time.sleep(0.05)


@pytest.fixture(scope="module")
def nginx(published):
    if not os.access(NGINX, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail("Debian's nginx must be installed on CI (.ci/run installs nginx-light)")
        pytest.skip("Debian's nginx is not installed")
    base, site = published
    server = Nginx(site, base / "nginx")
    try:
        yield server, site
    finally:
        server.stop()


#: What the nginx snippet answers: the same as Apache and serve where no q-value decides
#: between two listed types (nginx cannot weigh them).
NGINX_ACCEPTS = [(a, s) for a, s in ACCEPTS if a is None or ";q=" not in a or a.startswith("text/html;q=0,") or a.startswith("text/html,")]


@pytest.mark.parametrize(("accept", "suffix"), NGINX_ACCEPTS)
def test_nginx_snippet_negotiates(nginx, accept, suffix) -> None:
    server, site = nginx
    res = server.get(CECIL, accept)
    assert res.status == 200 and res.getheader("Content-Type").split(";")[0] == RESOURCE_FORMATS[suffix]
    assert res.getheader("Vary") == "Accept" and 'rel="alternate"' in res.getheader("Link", "")
    assert res.body == (site / "id" / "project" / "cecil" / f"index.{suffix}").read_bytes()


def test_nginx_snippet_redirects_refuses_and_misses(nginx) -> None:
    server, _ = nginx
    res = server.get("/id/project/cecil", "text/turtle")
    assert res.status == 303 and urlsplit(res.getheader("Location")).path == CECIL
    assert server.get(CECIL, "image/png").status == 406
    assert server.get("/id/project/no-such-project", "text/turtle").status == 404
    assert server.get("/id/project/no-such-project/", "text/turtle").status == 404
    assert server.get("/dataset/clustergraph.nt").getheader("Content-Type").startswith("application/n-triples")
