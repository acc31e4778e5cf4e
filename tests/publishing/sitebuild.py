"""The embedded dataset published once per test session, and a reader of its HTML.

``published()`` builds the site the first time it is called and returns the same folder
afterwards, so every site test shares one build. ``read_page`` parses a page with the
standard library's :mod:`html.parser` into what the crawler and the accessibility check
need: links, anchors, headings, landmarks, images, form labels.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from clustergraph import store
from clustergraph.ingest.importer import load_embedded
from clustergraph.publishing.site import publish

ENDPOINT = "http://127.0.0.1:8000/sparql"
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"


@functools.lru_cache(maxsize=1)
def embedded():
    return load_embedded(store.open_dataset())


@functools.lru_cache(maxsize=1)
def published() -> Path:
    """The embedded dataset's site, built once (removed when the interpreter exits)."""
    folder = Path(tempfile.mkdtemp(prefix="clustergraph-site-"))
    import atexit

    atexit.register(shutil.rmtree, folder, True)
    publish(embedded(), folder / "site", endpoint=ENDPOINT)
    return folder / "site"


@dataclass
class Page:
    path: Path
    lang: str | None = None
    title: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    ids: set[str] = field(default_factory=set)
    headings: list[tuple[int, str]] = field(default_factory=list)
    landmarks: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    inputs: list[dict[str, str | None]] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    link_rel: list[dict[str, str | None]] = field(default_factory=list)
    meta: list[dict[str, str | None]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str | None], str]] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        p = self.page
        if a.get("id"):
            p.ids.add(a["id"])  # type: ignore[arg-type]
        if tag == "html":
            p.lang = a.get("lang")
        if tag in ("header", "nav", "main", "footer"):
            p.landmarks.append(tag)
        if tag in ("img", "svg"):
            p.images.append({"tag": tag, **a})
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            p.inputs.append(a)
        if tag == "label" and a.get("for"):
            p.label_for.add(a["for"])  # type: ignore[arg-type]
        if tag == "link":
            p.link_rel.append(a)
        if tag == "meta":
            p.meta.append(a)
        if tag in ("a", "title", "script", "style") or (len(tag) == 2 and tag[0] == "h" and tag[1].isdigit()):
            self.stack.append((tag, a, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                _, a, parts = self.stack.pop(i)
                text = " ".join("".join(parts).split())
                if tag == "a" and a.get("href") is not None:
                    self.page.links.append((a["href"], text or (a.get("aria-label") or "")))  # type: ignore[arg-type]
                elif tag == "title" and not any(t[0] == "svg" for t in self.stack):
                    if not self.page.title:
                        self.page.title = text
                elif tag == "script":
                    self.page.scripts.append((a, "".join(parts)))
                elif tag[0] == "h" and tag[1:].isdigit():
                    self.page.headings.append((int(tag[1:]), text))
                break

    def handle_data(self, data: str) -> None:
        for _, _, parts in self.stack:
            parts.append(data)
        if not any(t[0] in ("script", "style") for t in self.stack):
            self.texts.append(data)


def read_page(path: Path) -> Page:
    page = Page(path)
    reader = _Reader(page)
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    page.text = " ".join("".join(reader.texts).split())
    return page
