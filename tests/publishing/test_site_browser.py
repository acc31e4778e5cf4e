"""The published site in headless Chromium: what a person sees on the pages that matter.

One Chromium (driven over the DevTools protocol on a pipe, see ``headless.py``) opens
each page from ``file://`` with JavaScript off; the tests read the accessibility tree
(the text a reader or a screen reader gets) and the rendered tables, and keep a
screenshot of each page under ``test-artefacts/browser/`` (gitignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from headless import CHROMIUM, Browser
from sitebuild import ARTEFACTS, published

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM, "chromium must be installed on CI (.ci/run installs it)"
    b = Browser()
    try:
        yield b
    finally:
        b.close()


def visit(browser: Browser, page: Path, shot: str) -> tuple[str, str]:
    """(DOM, text a reader gets) of ``page`` as Chromium renders it; a screenshot is kept."""
    browser.open(page.as_uri())
    data = browser.screenshot(ARTEFACTS / "browser" / f"{shot}.png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return browser.dom(), browser.text()


def rows(html: str, section: str) -> list[str]:
    """The text of each body row of the table in the section headed ``section``."""
    start = html.index(f'id="{section}"')
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    return [" ".join(re.sub(r"<[^>]+>", " ", re.sub(r"^[^>]*>", "", chunk).split("</tr>")[0]).split()).replace("&amp;", "&")
            for chunk in body.split("<tr")[1:]]


def test_cecil_lists_its_four_partners_with_countries_and_marks_the_coordinator(browser: Browser) -> None:
    html, text = visit(browser, published() / "id" / "project" / "cecil" / "index.html", "project-cecil")
    consortium = rows(html, "consortium")
    assert len(consortium) == 4
    expected = {"Cap Digital": "France", "Danish Sound": "Denmark", "Madrid ICT-Audiovisual Cluster": "Spain", "Mazovia ICT Cluster": "Poland"}
    for partner, country in expected.items():
        row = next(r for r in consortium if r.startswith(partner))
        assert country in row, row
    assert consortium[0] == "Madrid ICT-Audiovisual Cluster coordinator Spain Coordinator"
    assert all("coordinator" not in r for r in consortium[1:])
    assert "CECIL" in text and "€299,450" in text and "EU contribution exceeds the total budget" in text


def test_cap_digital_lists_cecil(browser: Browser) -> None:
    html, text = visit(browser, published() / "id" / "organisation" / "cap-digital" / "index.html", "organisation-cap-digital")
    projects = rows(html, "projects")
    assert any(r.startswith("CECIL Cluster Excellence for Creative Industries Leadership Partner") for r in projects), projects
    assert "France" in text


def test_the_bronze_award_names_holder_and_labelling_body(browser: Browser) -> None:
    _html, text = visit(browser, published() / "id" / "award" / "friuli-venezia-giulia-regional-clusters-bronze" / "index.html", "award-bronze")
    assert text.count("Bronze label of Friuli Venezia Giulia regional clusters") >= 1
    assert "Awarded by ESCA" in text
    assert re.search(r"holder Friuli Venezia Giulia regional clusters", text)
    assert re.search(r"awarded by ESCA", text, re.IGNORECASE)


def test_every_kind_of_page_has_a_clean_accessibility_tree(browser: Browser) -> None:
    """One page per template: every image and link has a name, one main landmark, one level-1 heading."""
    site = published()
    samples = ["index.html", "browse/Project/index.html", "id/project/cecil/index.html", "id/organisation/cap-digital/index.html",
               "id/call/cluster-excellence-programme-1/index.html", "ontology/index.html", "ontology/Project/index.html",
               "graph/index.html", "graph/source/data-projects-csv/index.html"]
    problems = []
    for rel in samples:
        browser.open((site / rel).as_uri())
        nodes = [n for n in browser.ax_nodes() if not n.get("ignored")]
        role = lambda n: n.get("role", {}).get("value")  # noqa: E731
        name = lambda n: n.get("name", {}).get("value", "").strip()  # noqa: E731
        if sum(1 for n in nodes if role(n) == "main") != 1:
            problems.append(f"{rel}: main landmarks")
        levels = [p["value"]["value"] for n in nodes if role(n) == "heading" for p in n.get("properties", []) if p["name"] == "level"]
        if levels.count(1) != 1:
            problems.append(f"{rel}: level-1 headings {levels.count(1)}")
        for n in nodes:
            if role(n) in ("link", "image", "img", "button", "textbox") and not name(n):
                problems.append(f"{rel}: a {role(n)} without a name")
    assert problems == []
    browser.screenshot(ARTEFACTS / "browser" / "graph-source.png")
