import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_renders_in_chromium(page):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Documents"
    assert page.js_errors == []
