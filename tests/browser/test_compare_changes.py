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
