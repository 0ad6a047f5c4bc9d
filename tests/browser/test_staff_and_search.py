"""Staff upload, preview and publish in Chromium, then find the new text in search;
and hostile documents shown everywhere without a single script running."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

NEW_POLICY = """# Widget Terms

Effective: March 3, 2025

## 1. Acceptance

By using Widgets you accept these terms.

## 2. Zorbulation

Widgets may zorbulate your account data for fraud prevention.
"""

XSS_POLICY = """# Hostile Terms

Effective: April 4, 2025

## 1. Payloads <img src=x onerror="window.__xss='heading'">

Script <script>window.__xss='script'</script> tag and an image <img src=x onerror="window.__xss='img'"> here.
A [javascript link](javascript:window.__xss='js') and a [data link](data:text/html,<script>window.__xss='data'</script>).
An ![image](x" onerror="window.__xss='attr') and a {: onclick="window.__xss='attr_list'" } attribute list.
<a href="#" onmouseover="window.__xss='hover'">hover me</a> and <svg onload="window.__xss='svg'"></svg> xsspayload.

## 2. More payloads

<iframe src="javascript:window.__xss='iframe'"></iframe> <details open ontoggle="window.__xss='toggle'">x</details> xsspayload too.
"""


def _login(page, django_user_model, *groups, username="editor"):
    """Sign a staff user in through the admin's login form; ``groups`` by name."""
    from django.contrib.auth.models import Group

    factories.publish_groups()
    user = django_user_model.objects.create_user(username, password="a-long-test-password-1", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    assert user.groups.count() == len(groups)
    page.goto("/admin/login/?next=/staff/upload/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password-1")
    page.click("input[type=submit]")
    page.wait_for_url("**/staff/upload/")


def _upload_widget_draft(page):
    factories.publish(factories.document(publisher="Widget Co", title="Widget Terms", kind="terms"),
                      NEW_POLICY.replace("zorbulate your account data", "process your account data")
                      .replace("March 3, 2025", "January 5, 2025"))
    page.goto("/staff/upload/")  # the form lists the document just made
    page.select_option("#id_document", label="Widget Co — Widget Terms")
    page.fill("#id_text", NEW_POLICY)
    page.fill("#id_change_note", "Adds zorbulation")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/staff/drafts/*/")
    assert "Zorbulation" in page.content()
    assert page.locator(".summary-bar").count() == 1  # the diff against the current version


def test_staff_upload_preview_publish_then_search(page, django_user_model):
    _login(page, django_user_model, "Publishers")
    _upload_widget_draft(page)
    assert page.locator(".publish-refusal").count() == 0
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/d/widget-co-widget-terms/v/2025-03-03/")
    assert "Adds zorbulation" in page.content()
    # Search from the header box and open the result.
    page.fill("#site-q", "zorbulate")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=zorbulate*")
    first = page.locator(".results li").first
    assert "<mark>" in first.inner_html().lower() or first.locator("mark").count() == 1
    first.locator("h2 a").click()
    page.wait_for_selector(".clause-page")
    assert "Zorbulation" in page.locator("h1").inner_text()
    assert page.js_errors == []


def test_staff_without_the_publish_permission_are_told_why_there_is_no_publish_button(page, django_user_model):
    _login(page, django_user_model)  # staff, in no group
    _upload_widget_draft(page)
    assert page.get_by_role("button", name="Publish").count() == 0
    refusal = page.locator(".publish-refusal")
    assert refusal.is_visible() and "Publishers group" in refusal.inner_text()
    assert page.get_by_role("button", name="Discard").is_visible()  # their own draft: theirs to discard
    # A publish sent anyway (an old tab, a script) is a 403 page saying the same.
    response = page.request.post(page.url + "publish/", headers={"Referer": page.url}, form={
        "csrfmiddlewaretoken": page.locator("input[name=csrfmiddlewaretoken]").first.input_value()})
    assert response.status == 403 and "Publishers group" in response.text()
    assert page.js_errors == []


def test_search_from_the_home_page_and_open_a_result(page):
    factories.publish(factories.document(), factories.POLICY_V1)
    page.goto("/")
    page.fill("#site-q", "receipts")
    page.keyboard.press("Enter")
    page.wait_for_selector(".results li")
    page.locator(".results li h2 a").first.click()
    page.wait_for_selector(".clause-page")
    assert "How We Use Information" in page.locator("h1").inner_text()


def test_hostile_document_runs_no_script_anywhere(page, live_server):
    doc = factories.document(publisher="Evil Inc", title="Hostile Terms", kind="terms")
    v1 = factories.publish(doc, XSS_POLICY.replace("Effective: April 4, 2025", "Effective: April 1, 2025").replace("too.", "")).version
    v2 = factories.publish(doc, XSS_POLICY).version
    clause = v2.clauses.exclude(heading="").first()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    urls = [
        doc.get_absolute_url(),
        clause.get_permalink(),
        v1.clauses.exclude(heading="").first().get_permalink(),
        f"/compare/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}",
        "/search/?q=xsspayload",
        "/search/?q=xsspayload&all=1",
    ]
    for url in urls:
        page.goto(url)
        for link in page.locator("main a").all():
            href = link.get_attribute("href") or ""
            assert not href.strip().lower().startswith(("javascript:", "data:")), (url, href)
        page.locator("main").hover()
        assert page.evaluate("window.__xss === undefined"), (url, page.evaluate("window.__xss"))
        assert page.locator("main script, main iframe, main svg, main [onerror], main [onload], main [onclick]").count() == 0, url
    assert dialogs == []
