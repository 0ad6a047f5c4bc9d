"""The reading pages' structure: home as one table with filters and recent changes,
official titles, descriptive link text, ordered headings, the staff preview's order."""

from __future__ import annotations

import re

import pytest

from documents import presenters, selectors
from tests import factories

pytestmark = pytest.mark.django_db

TERMS = """# Widget Terms

Effective: March 3, 2025

## 1. Acceptance

By using Widgets you accept these terms.
"""


@pytest.fixture
def shelf(two_versions):
    doc, v1, v2 = two_versions
    widget = factories.document(publisher="Widget Co", title="Widget Terms", kind="terms")
    factories.publish(widget, TERMS)
    return doc, v1, v2, widget


def test_home_is_one_table_with_publisher_in_every_link(client, shelf):
    doc, v1, v2, widget = shelf
    html = client.get("/").content.decode()
    assert html.count("<table") == 1
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html)
    assert headers == ["Publisher", "Document", "Kind", "Current version", "Versions", "Last change"]
    assert f'<a href="{doc.get_absolute_url()}">Example Corp — Privacy Policy</a>' in html
    assert f'<a href="{widget.get_absolute_url()}">Widget Co — Widget Terms</a>' in html


def test_home_filters(client, shelf):
    doc, v1, v2, widget = shelf
    by_kind = client.get("/?kind=terms").context
    assert [d.slug for d in by_kind["documents"]] == [widget.slug]
    by_text = client.get("/?filter=example+privacy").context
    assert [d.slug for d in by_text["documents"]] == [doc.slug]
    by_publisher = client.get(f"/?publisher={widget.publisher.slug}").context
    assert [d.slug for d in by_publisher["documents"]] == [widget.slug]
    nothing = client.get("/?filter=zzzz")
    assert nothing.status_code == 200 and "No document matches the filter" in nothing.content.decode()


def test_recently_changed_lists_changes_not_first_versions(client, shelf):
    doc, v1, v2, widget = shelf
    recent = selectors.recent_changes()
    assert [(r.version.pk, r.previous.pk) for r in recent] == [(v2.pk, v1.pk)]  # Widget's only version is no change
    html = client.get("/").content.decode()
    assert "Recently changed" in html
    assert f"/compare/?a={doc.slug}@{v1.label}&amp;b={doc.slug}@{v2.label}" in html


def test_official_title_is_the_heading_and_the_portal_title_stays_in_the_crumbs(client, two_versions, monkeypatch):
    doc, v1, v2 = two_versions
    version = selectors.version_get(doc, v2.label)
    version.official_title = "Example Corp Global Privacy Notice"  # in memory only: published rows never change
    monkeypatch.setattr(selectors, "version_get", lambda document, label: version)
    html = client.get(v2.get_absolute_url()).content.decode()
    assert "<h1>Example Corp Global Privacy Notice</h1>" in html
    assert "· Privacy Policy</p>" in html


def test_version_page_links_say_where_they_go(client, two_versions):
    doc, v1, v2 = two_versions
    html = client.get(v2.get_absolute_url()).content.decode()
    assert ">permalink<" not in html
    assert ">Link to § 2<" in html and ">Link to § 5<" in html
    assert re.search(r'> from<span class="visually-hidden"> 1 June 2024</span></label>', html)
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html


def test_heading_levels_never_skip():
    assert presenters.heading_levels([0, 1, 2, 1, 0]) == [2, 3, 4, 3, 2]
    # Sub-clauses of an untitled clause (None) go one level below the last heading.
    assert presenters.heading_levels([0, None, 2, 3, 0]) == [2, 3, 3, 4, 2]
    assert presenters.heading_levels([3, 3, 0, 2, 1, 2]) == [2, 2, 2, 3, 3, 4]
    assert presenters.heading_levels([0, 1, 2, 3, 4, 5, 6]) == [2, 3, 4, 5, 6, 6, 6]


def test_staff_preview_offers_publish_then_the_diff_then_the_clauses(client, two_versions, django_user_model):
    doc, v1, v2 = two_versions
    from django.contrib.auth.models import Group

    staff = django_user_model.objects.create_user("editor", password="x-long-password-1", is_staff=True)
    staff.groups.add(Group.objects.get(name="Publishers"))  # may publish (migration 0006)
    client.force_login(staff)
    response = client.post("/staff/upload/", {
        "document": doc.slug, "new_publisher": "", "new_title": "", "new_kind": "", "effective_date": "", "change_note": "",
        "text": factories.POLICY_V2.replace("June 1, 2024", "July 1, 2024").replace("phone number", "postal address"),
    })
    assert response.status_code == 302, response.context["form"].errors
    html = client.get(response["Location"]).content.decode()
    diff_at, clauses_at, publish_at = html.index("draft-compare"), html.index("draft-clauses"), html.index(">Publish")
    # Publish comes first (issue #24: not at the bottom of a long preview), then the diff, then the clauses.
    assert publish_at < diff_at < clauses_at
    section = html[clauses_at:]
    assert "<details>" in section and "<details open" not in section  # the split list is collapsed


def test_staff_who_may_not_publish_a_draft_are_told_why_in_place_of_the_button(client, two_versions, django_user_model):
    doc, v1, v2 = two_versions
    from django.contrib.auth.models import Group

    author = django_user_model.objects.create_user("author", password="x-long-password-1", is_staff=True)
    other = django_user_model.objects.create_user("other", password="x-long-password-1", is_staff=True)
    for user in (author, other):
        user.groups.add(Group.objects.get(name="Publishers"))
    client.force_login(author)
    response = client.post("/staff/upload/", {
        "document": doc.slug, "new_publisher": "", "new_title": "", "new_kind": "", "effective_date": "", "change_note": "",
        "text": factories.POLICY_V2.replace("June 1, 2024", "July 1, 2024").replace("phone number", "postal address"),
    })
    draft_url = response["Location"]
    assert ">Publish" in client.get(draft_url).content.decode()
    # Another publisher: someone else's draft needs the Reviewers' permission.
    client.force_login(other)
    html = client.get(draft_url).content.decode()
    assert ">Publish" not in html and ">Discard" not in html
    assert "uploaded by someone else" in html and "Reviewers group" in html
