"""What a person sees in Chromium: clause links and copying, comparing and jumping."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.test_permalinks import POLICY_V3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def versions():
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    v2 = factories.publish(doc, factories.POLICY_V2).version
    v3 = factories.publish(doc, POLICY_V3).version
    return doc, v1, v2, v3


def test_open_a_clause_link_and_copy_it(page, versions):
    doc, v1, v2, v3 = versions
    clause = v1.clauses.get(heading="Information We Collect")
    page.goto(clause.get_permalink())
    assert "amended" in page.locator(".banner").inner_text()
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(".copy-status")).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(clause.get_permalink())
    page.get_by_role("button", name="Copy citation").click()
    expect(page.locator(".copy-status")).to_have_text("Citation copied")
    citation = page.evaluate("navigator.clipboard.readText()")
    assert citation.startswith("Example Corp, Example Privacy Policy, § 2 Information We Collect (version of 2024-01-01).")
    assert "We collect your name and email address" in citation
    assert page.js_errors == []


def test_follow_the_version_page_anchor(page, versions):
    doc, v1, v2, v3 = versions
    clause = v3.clauses.get(heading="Contact Us")
    page.goto(doc.get_absolute_url())
    page.locator(f'.toc a[href="#{clause.anchor}"]').click()
    assert page.url.endswith(f"#{clause.anchor}")
    assert page.locator(f"#{clause.anchor}").is_visible()


def test_compare_two_versions_and_jump_through_the_changes(page, versions):
    doc, v1, v2, v3 = versions
    page.goto(v2.get_absolute_url())
    page.get_by_role("link", name="compare with previous").first.click()
    page.wait_for_selector(".summary-bar")
    assert "2 changed" in page.locator(".summary-bar").inner_text()
    changes = page.locator(".compare-grid .row.is-change")
    assert changes.count() >= 2
    page.get_by_role("button", name="↓ Next change").click()
    first = page.locator(".row.current-change")
    assert first.count() == 1
    first_id = first.get_attribute("id")
    assert page.url.endswith("#" + first_id)
    page.keyboard.press("j")
    second_id = page.locator(".row.current-change").get_attribute("id")
    assert second_id != first_id
    # "Only changes" hides every unchanged row.
    page.get_by_label("Only changes").check()
    unchanged = page.locator(".compare-grid .row:not(.is-change)")
    for i in range(unchanged.count()):
        assert not unchanged.nth(i).is_visible()
    assert page.js_errors == []


def test_compare_fits_a_laptop_screen(page, versions):
    doc, v1, v2, v3 = versions
    page.goto(f"/compare/?a={doc.slug}@{v1.label}&b={doc.slug}@{v3.label}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366  # no horizontal scrolling at 1366 px
    old, new = page.locator(".row .cell.old").first.bounding_box(), page.locator(".row .cell.new").first.bounding_box()
    assert abs(old["y"] - new["y"]) < 2 and old["x"] < new["x"]  # aligned side by side
