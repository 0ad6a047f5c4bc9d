"""Issue 14 end to end in Chromium: a reader watches a clause, a staff publisher
publishes a change to it through the upload flow, the alert reaches a real SMTP
server (aiosmtpd, tests/smtp_server.py), and its links open in the browser. Then the
alerts pages on a phone, with axe-core, and in print (issue 15).

Nothing in the delivery is called by the test: the publish's commit starts the
background send, as in production (PORTAL_ALERTS_SEND_ON_PUBLISH), and a later
``send_alerts`` run, as cron makes, finds nothing left to send.
"""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from documents.alerts import services
from documents.alerts.models import Alert, AlertStatus, Watch
from documents.models import ClauseLineage
from tests import factories
from tests.smtp_server import smtp_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-1"


def _href(html_part: str, css_class: str) -> str:
    match = re.search(rf'<a class="{css_class}" href="([^"]+)"', html_part)
    assert match, f"no {css_class} link in the e-mail"
    return html.unescape(match.group(1))


def test_watch_a_clause_publish_a_change_and_open_the_alerts_compare(
        browser, live_server, page, smtp_server, settings, django_user_model):  # noqa: F811 - the fixture
    settings.PORTAL_BASE_URL = live_server.url  # links in the e-mail point at this server
    settings.PORTAL_ALERTS_SEND_ON_PUBLISH = True
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    django_user_model.objects.create_user("reader", email="reader@example.com", password=PASSWORD)
    publisher = django_user_model.objects.create_user("publisher", password=PASSWORD, is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publishers"))
    lineage = ClauseLineage.objects.get(document=doc, clauses__version=v1, clauses__content__heading="Information We Collect")

    # 1. The reader opens the clause's permalink, signs in from it and watches the clause.
    page.goto(lineage.get_absolute_url())
    page.get_by_role("link", name="Sign in to watch this clause").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "reader")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{lineage.get_absolute_url()}")
    page.get_by_role("button", name="Watch this clause").click()
    page.wait_for_url(f"**{lineage.get_absolute_url()}")
    assert page.get_by_role("button", name=re.compile("Watching this clause")).is_visible()
    assert Watch.objects.filter(user__username="reader", lineage=lineage, active=True).count() == 1

    # 2. A publisher, in another browser session, uploads the amended text and publishes it.
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 800})
    staff_page = staff.new_page()
    staff_page.goto("/admin/login/?next=/staff/upload/")
    staff_page.fill("#id_username", "publisher")
    staff_page.fill("#id_password", PASSWORD)
    staff_page.click("input[type=submit]")
    staff_page.wait_for_url("**/staff/upload/")
    staff_page.select_option("#id_document", label="Example Corp — Privacy Policy")
    staff_page.fill("#id_text", factories.POLICY_V2)
    staff_page.get_by_role("button", name="Preview").click()
    staff_page.wait_for_url("**/staff/drafts/*/")
    staff_page.get_by_role("button", name="Publish").click()
    staff_page.wait_for_url(f"**/d/{doc.slug}/v/2024-06-01/")
    staff.close()

    # 3. The alert arrives: one e-mail, to the reader, with the clause's word diff.
    received = smtp_server.wait_for(1, timeout=30)
    services.delivery_join(timeout=30)
    assert [r.rcpt_tos for r in received] == [["reader@example.com"]]
    text, html_part = received[0].part("text/plain"), received[0].part("text/html")
    assert "Information We Collect" in text and "{+phone number+}" in text
    assert "<ins>" in html_part and "phone number" in html_part
    assert "Cookies" not in text  # a clause watch hears about its clause only
    # cron's send_alerts run afterwards finds nothing left: still exactly one e-mail.
    call_command("send_alerts", stdout=open("/dev/null", "w"))
    assert smtp_server.attempts == 1 and len(smtp_server.received) == 1
    assert list(Alert.objects.values_list("status", flat=True)) == [AlertStatus.SENT]

    # 4. The e-mail's compare link opens the comparison of the two versions, showing the change.
    compare = _href(html_part, "compare")
    assert compare.startswith(live_server.url + "/compare/")
    page.goto(compare)
    assert page.locator("h1").count() == 1
    assert any("phone number" in ins for ins in page.locator(".row ins").all_inner_texts())
    assert page.locator(".change-list li[data-kind=substantive]").count() >= 1
    # and its permalink opens the clause as it reads in the new version.
    page.goto(_href(html_part, "permalink"))
    assert "phone number" in page.locator(".clause-page").inner_text()
    assert page.js_errors == []


def test_the_alerts_pages_fit_a_phone_and_pass_axe(browser, live_server, django_user_model):
    """Recent changes, the citation check (empty and with a report), watches and the
    account pages: no horizontal scrolling and the H1 on the first screen at 390 and
    1366 px, and no serious or critical axe-core violation."""
    from tests.browser.test_layout_and_accessibility import WIDTHS, _axe_source, _serious_violations

    source = _axe_source()
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    factories.publish(doc, factories.POLICY_V2)
    reader = django_user_model.objects.create_user("reader", email="reader@example.com", password=PASSWORD)
    services.watch_document(user=reader, document=doc)
    services.watch_search(user=reader, query="cookies and a long saved search phrase that has to wrap")
    cited = " ".join(c.get_permalink() for c in v1.clauses.all())
    urls = ["/changes/", "/citations/", f"/citations/?text={cited}", "/watches/", "/accounts/login/",
            "/accounts/password_reset/"]
    failures = {}
    for width, height in WIDTHS:
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height},
                                      bypass_csp=True)  # for the injected checker only
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", "reader")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/watches/")
        for url in urls:
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (url, width)
            assert page.locator("h1").count() == 1, url
            assert page.locator("h1").bounding_box()["y"] + 40 <= height, (url, width)
            if "?text=" in url:  # the report, with its word diffs, is what is checked
                assert page.locator("[data-status]").count() == v1.clauses.count()
            found = _serious_violations(page, source)
            if found:
                failures[f"{url} at {width}px"] = found
        context.close()
    assert failures == {}


def test_printing_a_clause_or_document_leaves_out_the_watch_and_check_tools(page, django_user_model):
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    django_user_model.objects.create_user("reader", email="reader@example.com", password=PASSWORD)
    page.goto("/accounts/login/")
    page.fill("#id_username", "reader")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/watches/")
    for url in (v1.clauses.get(heading="Contact Us").get_permalink(), doc.get_absolute_url()):
        page.goto(url)
        tools = page.locator(".alert-tools")
        assert tools.first.is_visible() and page.get_by_role("button", name=re.compile("^Watch this")).is_visible()
        page.emulate_media(media="print")
        assert tools.count() >= 1 and not any(tools.nth(i).is_visible() for i in range(tools.count())), url
        assert page.locator("h1").is_visible()
        page.emulate_media(media="screen")
