"""Phone and laptop layout, printing, and axe-core on every kind of page.

axe-core comes from the npm registry, pinned in tests/browser/package-lock.json and
installed by `make test` / .ci/run (`npm ci`); Playwright injects it into each page.
The pages' Content-Security-Policy forbids inline scripts, so these contexts bypass
CSP for the injected checker only.
"""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from documents.models import Clause, Document
from tests.browser.conftest import REQUIRED

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
WIDTHS = [(390, 844), (1366, 800)]  # a phone, a laptop
STAFF_PASSWORD = "a-long-test-password-1"


@pytest.fixture
def corpus_pages(tmp_path):
    """Two real versions of Cloudflare's terms (defined terms, renumbering, a long
    preamble), imported as an administrator would; the URLs of the five reading pages."""
    folder = tmp_path / "corpus" / "cloudflare" / "terms-of-service"
    folder.mkdir(parents=True)
    for name in ("2024-12-03.md", "2025-10-03.md"):
        shutil.copy(CORPUS / "cloudflare" / "terms-of-service" / name, folder / name)
    call_command("import_documents", str(tmp_path / "corpus"), stdout=StringIO(), stderr=StringIO())
    document = Document.objects.get(slug="cloudflare-terms-of-service")
    old = document.versions.exclude(pk=document.current_version_id).get()
    clause = Clause.objects.filter(version=document.current_version).exclude(number="").order_by("position")[3]
    return {
        "home": "/",
        "document": document.get_absolute_url(),
        "clause": clause.get_permalink(),
        # An old pinned link: a banner says what changed since (with the word diff).
        "old clause": _amended_clause(old, document.current_version).get_permalink(),
        "compare": f"/compare/?a={document.slug}@{old.label}&b={document.slug}@{document.current_version.label}",
        "search": "/search/?q=customer+data",
    }


def _amended_clause(old, new):
    """A clause of ``old`` whose text differs in ``new``."""
    latest = {c.lineage_id: c.text_sha for c in new.clauses.all()}
    return next(c for c in old.clauses.order_by("position") if latest.get(c.lineage_id, c.text_sha) != c.text_sha)


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make(width=1366, height=800):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height}, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()


def _axe_source() -> str:
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE}): run `npm ci` in tests/browser (make test does)."
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def _serious_violations(page, source: str) -> list[str]:
    page.add_script_tag(content=source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_no_horizontal_scrolling_and_the_title_on_the_first_screen(new_page, corpus_pages):
    for width, height in WIDTHS:
        page = new_page(width, height)
        for name, url in corpus_pages.items():
            page.goto(url)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (name, width, scroll_width)
            first = page.locator(".results li").first if name == "search" else page.locator("h1")
            assert page.locator("h1").count() == 1, (name, width)
            box = first.bounding_box()
            assert box is not None and box["y"] + min(box["height"], 40) <= height, (name, width, box)
        assert page.js_errors == []


def test_phone_layout_collapses_contents_and_stacks_the_comparison(new_page, corpus_pages):
    page = new_page(390, 844)
    page.goto(corpus_pages["document"])
    assert page.locator(".toc-box").get_attribute("open") is None  # collapsed above the text
    assert not page.locator(".toc").is_visible()
    page.locator(".toc-box summary").click()
    assert page.locator(".toc").is_visible()
    page.goto(corpus_pages["compare"])
    row = page.locator(".compare-grid .row.status-changed").first
    old, new = row.locator(".cell.old").bounding_box(), row.locator(".cell.new").bounding_box()
    assert new["y"] >= old["y"] + old["height"] - 1  # one column: before above after
    unchanged = page.locator(".compare-grid .row.status-unchanged").first
    assert not unchanged.locator(".cell.old").is_visible() and unchanged.locator(".cell.new").is_visible()
    # The marks stay in the one column, and the change list takes at most half a screen.
    assert row.locator("del, ins").first.is_visible()
    assert page.locator(".change-list").bounding_box()["height"] <= 844 / 2
    # A laptop shows the contents beside the text, and the two sides side by side.
    page = new_page(1366, 800)
    page.goto(corpus_pages["document"])
    assert page.locator(".toc").is_visible()
    page.goto(corpus_pages["compare"])
    row = page.locator(".compare-grid .row.status-changed").first
    old, new = row.locator(".cell.old").bounding_box(), row.locator(".cell.new").bounding_box()
    assert abs(old["y"] - new["y"]) < 2 and old["x"] < new["x"]


def test_printing_a_document_leaves_out_navigation_and_controls(new_page, corpus_pages):
    page = new_page()
    page.goto(corpus_pages["document"])
    page.emulate_media(media="print")
    for selector in ["header.site", ".site-search", ".doc-side", ".timeline", ".anchor-link", "footer.site", ".doc-actions"]:
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("form:visible, button:visible, input:visible, select:visible").count() == 0
    # Clause numbers and permalinks are printed, the full URL after each link.
    assert page.locator(".clause-heading .num").first.is_visible()
    permalink = page.locator(".clause-tools .permalink").first
    assert permalink.is_visible()
    printed = page.evaluate("(el) => getComputedStyle(el, '::after').content", permalink.element_handle())
    assert "/c/" in printed and printed.strip('"').lstrip(": ").startswith("http")
    assert page.evaluate("getComputedStyle(document.querySelector('.clause-heading')).breakAfter") == "avoid"
    # On screen, the controls are back.
    page.emulate_media(media="screen")
    assert page.locator("header.site").is_visible()


def test_printing_a_comparison_shows_every_row(new_page, corpus_pages):
    page = new_page()
    page.goto(corpus_pages["compare"])
    grid = page.locator(".compare-grid")
    total = int(grid.get_attribute("data-total-rows"))
    # On screen, long unchanged runs are not sent: they load on demand.
    assert page.locator(".collapsed-run").count() > 0
    assert page.locator(".compare-grid .row").count() < total
    page.emulate_media(media="print")
    # Printing loads every missing row first (one request), so paper has them all.
    page.wait_for_function("document.querySelectorAll('.compare-grid .collapsed-run').length === 0")
    rows = page.locator(".compare-grid .row")
    assert rows.count() == total
    assert all(rows.nth(i).is_visible() for i in range(total))
    assert not page.locator(".compare-tools").is_visible()
    assert not page.locator(".change-list").is_visible()
    assert page.js_errors == []


def test_axe_finds_no_serious_violation(new_page, corpus_pages, django_user_model):
    source = _axe_source()
    pages = dict(corpus_pages)
    pages["login"] = "/admin/login/?next=/staff/upload/"
    pages["not found"] = "/d/no-such-document/"
    failures = {}
    for width, height in WIDTHS:
        page = new_page(width, height)
        for name, url in pages.items():
            page.goto(url)
            found = _serious_violations(page, source)
            if found:
                failures[f"{name} at {width}px"] = found
    # Staff pages: upload, and a draft's preview.
    django_user_model.objects.create_user("editor", password=STAFF_PASSWORD, is_staff=True)
    page = new_page()
    page.goto("/admin/login/?next=/staff/upload/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/staff/upload/")
    found = _serious_violations(page, source)
    if found:
        failures["upload"] = found
    page.reload()
    page.select_option("#id_document", index=1)
    page.fill("#id_text", (CORPUS / "cloudflare" / "terms-of-service" / "2025-10-03.md").read_text().replace("September 12, 2025", "November 1, 2025"))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/staff/drafts/*/")
    found = _serious_violations(page, source)
    if found:
        failures["draft preview"] = found
    assert failures == {}
    # The checker is live: an unlabelled control and an image without text are caught.
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
    caught = " ".join(_serious_violations(page, source))
    assert "image-alt" in caught and "label" in caught


def test_keyboard_user_skips_to_the_content(new_page, corpus_pages):
    page = new_page()
    page.goto(corpus_pages["document"])
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.is_visible() and skip.bounding_box()["y"] >= 0
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
