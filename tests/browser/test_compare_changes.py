"""The compare page's change list, kinds of change and collapsed runs, in Chromium."""

import pytest

from tests import factories
from tests.test_compare_views import KINDS_NEW, KINDS_OLD

pytestmark = pytest.mark.django_db(transaction=True)


def _filler(n):
    return "\n".join(f"## {k}. Section {k}\n\nThe unchanged wording of section number {k} stays here.\n" for k in range(10, 10 + n))


@pytest.fixture
def pair():
    doc = factories.document(title="Kinds")
    v1 = factories.publish(doc, KINDS_OLD + "\n" + _filler(12)).version
    v2 = factories.publish(doc, KINDS_NEW + "\n" + _filler(12)).version
    return doc, v1, v2


def test_change_list_jumps_hides_editorial_and_loads_collapsed_rows(page, pair):
    doc, v1, v2 = pair
    page.goto(f"/compare/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}")
    items = page.locator(".change-list li")
    kinds = [items.nth(i).get_attribute("data-kind") for i in range(items.count())]
    assert sorted(kinds) == ["editorial", "moved", "renumbered", "substantive"]
    assert "1 editorial" in page.locator(".summary-bar").inner_text()

    # A jump link in the change list brings its row into view and marks it.
    page.locator(".change-list li[data-kind=substantive] a.jump").click()
    current = page.locator(".row.current-change")
    assert current.get_attribute("data-kind") == "substantive"
    assert page.url.endswith("#" + current.get_attribute("id"))
    # The moved clause links to where it came from in the old version.
    moved_from = page.locator(".row.kind-moved .moved-from a")
    assert moved_from.get_attribute("href").endswith(f"{v1.get_absolute_url()}#s4")

    # Hide editorial: the editorial row and its change-list entry disappear, and
    # next/previous skip it.
    page.get_by_label("Hide editorial").check()
    assert not page.locator(".row.kind-editorial").is_visible()
    assert not page.locator(".change-list li[data-kind=editorial]").is_visible()
    for _ in range(4):
        page.keyboard.press("j")
        assert page.locator(".row.current-change").get_attribute("data-kind") != "editorial"

    # The unchanged run was not sent; it loads on demand.
    assert page.locator(".collapsed-run").count() == 1
    assert page.get_by_text("section number 14 stays").count() == 0
    page.locator("a.load-rows").click()
    page.wait_for_selector("text=section number 14 stays")
    assert page.locator(".collapsed-run").count() == 0
    assert page.js_errors == []


def test_editorial_banner_on_a_clause_page(page, pair):
    doc, v1, v2 = pair
    clause = v1.clauses.get(heading="Fees")
    page.goto(clause.get_permalink())
    banner = page.locator(".banner")
    assert "editorial change only" in banner.inner_text()
    assert banner.locator("del").inner_text() == "," and banner.locator("ins").inner_text() == ";"


def test_rows_past_the_page_budget_load_as_the_reader_scrolls(page, monkeypatch):
    from documents import comparison

    monkeypatch.setattr(comparison, "PAGE_TEXT_BUDGET", 300)  # about one row
    doc = factories.document(title="Budget")
    body = "\n".join(f"## {k}. Part {k}\n\nThe wording of part number {k} is long enough to weigh on the page, as real clauses do.\n"
                     for k in range(1, 61))
    v1 = factories.publish(doc, body).version
    v2 = factories.publish(doc, body.replace("part number 50 is", "part number fifty is")).version
    sent = page.goto(f"/compare/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}").text()
    # The server sent about one row; the rest are placeholders (the ones in view load
    # at once, the others as the reader comes near them).
    assert 'class="collapsed-run deferred"' in sent and "part number fifty is" not in sent
    # The change list still names the change; j goes to it, loading its rows first.
    assert page.locator(".change-list li").count() == 1
    page.keyboard.press("j")
    page.wait_for_selector(".row.current-change")
    assert "part number fifty is" in page.locator(".row.current-change").inner_text()
    # Scrolling to the end loads the deferred chunks that come into view.
    for _ in range(20):
        if page.locator(".collapsed-run.deferred").count() == 0:
            break
        page.mouse.wheel(0, 20_000)
        page.wait_for_timeout(150)
    assert page.locator(".collapsed-run.deferred").count() == 0
    assert page.get_by_text("part number 60 is").count() == 2  # before and after, once each
    total = int(page.locator(".compare-grid").get_attribute("data-total-rows"))
    folded = page.evaluate("[...document.querySelectorAll('.collapsed-run')].reduce((n, r) => n + (+r.dataset.stop - +r.dataset.start), 0)")
    assert page.locator(".compare-grid .row").count() + folded == total  # every row once (unchanged runs stay folded)
    assert page.js_errors == []


def test_a_split_links_both_halves(page):
    from tests.test_compare_views import SPLIT_NEW, SPLIT_OLD

    doc = factories.document(title="Split")
    v1 = factories.publish(doc, SPLIT_OLD).version
    v2 = factories.publish(doc, SPLIT_NEW).version
    page.goto(f"/compare/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}")
    item = page.locator(".change-list li", has_text="split from")
    assert item.count() == 1
    item.locator(".from a").click()
    current = page.locator(".row.current-change")
    assert "Split: part of its text went to" in current.inner_text()
    current.locator(".went-to a").click()
    assert "Split from old" in page.locator(".row.current-change").inner_text()
    assert page.js_errors == []


def test_edits_listed_under_a_clause_and_moved_sentences_keep_next_change_working(page):
    old = ("# E\n\n## 1. Sharing\n\nWe share personal data with the partners listed below. We keep it for thirty days. "
           "We never sell it to brokers of any kind. We answer requests within one month of receipt.\n\n"
           "## 2. Data\n\nWe collect your name and address. We use cookies on every page you visit. "
           "We delete inactive accounts after two years.\n\n## 3. Security\n\nWe protect data with encryption.\n")
    new = ("# E\n\n## 1. Sharing\n\nWe share personal data with the partners listed here. We keep it for fourteen days. "
           "We never sell it to brokers of any kind. We answer requests within two months of receipt.\n\n"
           "## 2. Data\n\nWe use cookies on every page you visit. We delete inactive accounts after two years. "
           "We collect your full name and address.\n\n## 3. Security\n\nWe protect data with strong encryption.\n")
    doc = factories.document(title="Edits")
    v1 = factories.publish(doc, old).version
    v2 = factories.publish(doc, new).version
    page.goto(f"/compare/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}")
    # Each edit of section 1 is listed under its entry and jumps to its row.
    edits = page.locator(".change-list > ol > li").first.locator("ol.edits li")
    assert edits.count() == 3
    edits.nth(1).locator("a").click()
    assert page.locator(".row.current-change").get_attribute("id") == "row-1"
    # The moved sentence is marked in both columns, its inserted word inside it.
    assert page.locator(".row .cell.old .moved-away").count() == 1
    assert page.locator(".row .cell.new .moved ins").inner_text().strip() == "full"
    # Next change walks the entries (not the edits listed under one).
    page.keyboard.press("j")
    assert page.locator(".row.current-change").get_attribute("id") == "row-2"
    page.keyboard.press("j")
    assert page.locator(".row.current-change").get_attribute("id") == "row-3"
