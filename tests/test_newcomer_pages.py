"""What a new reader meets (issue 24): names, dates, staff pages and the API, as pages
through Django's client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from documents import importing
from documents.alerts import services as alert_services
from documents.models import ClauseLineage
from tests import factories

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- Names ------------------------------------------------------------------------

def test_watches_name_a_clause_by_its_citation_and_heading(client, django_user_model):
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    factories.publish(doc, factories.POLICY_V2)  # "Contact Us" is § 5 now
    doc.refresh_from_db()
    user = django_user_model.objects.create_user("reader", password="a-long-test-password-1")
    lineage = ClauseLineage.objects.get(document=doc, clauses__version=doc.current_version, clauses__content__heading="Contact Us")
    alert_services.watch_clause(user=user, lineage=lineage)
    client.force_login(user)
    page = _text(client.get(reverse("alerts:watches")).content.decode())
    assert "§ 5 Contact Us of Example Corp — Privacy Policy" in page
    assert lineage.key not in page and "clause " not in page


def test_breadcrumb_does_not_repeat_the_kind_as_the_title(client):
    doc = factories.document(publisher="Wise", title="Terms of Service", kind="terms")
    factories.publish(doc, factories.POLICY_V1.replace("# Example Privacy Policy", "# Terms of Service"))
    html = client.get(doc.get_absolute_url()).content.decode()
    crumbs = _text(re.search(r'<p class="crumbs">(.*?)</p>', html, re.S).group(1))
    assert crumbs == "Wise"
    other = factories.document(publisher="Wise", title="Card Terms", kind="terms")
    factories.publish(other, factories.POLICY_V1.replace("# Example Privacy Policy", "# Card Terms"))
    html = client.get(other.get_absolute_url()).content.decode()
    assert _text(re.search(r'<p class="crumbs">(.*?)</p>', html, re.S).group(1)) == "Wise · Terms of service"


def test_readers_never_see_the_importers_file_name(client, tmp_path):
    folder = tmp_path / "Example Corp" / "Privacy Policy"
    folder.mkdir(parents=True)
    (folder / "2024-01-01.md").write_text(factories.POLICY_V1)
    [outcome] = [importing.import_item(item) for item in importing.collect([tmp_path])]
    assert outcome.status == "created"
    version = outcome.version if hasattr(outcome, "version") else None
    from documents.models import DocumentVersion
    version = version or DocumentVersion.objects.get()
    assert version.change_note == "" and version.source_filename == "2024-01-01.md"
    page = client.get(version.document.get_absolute_url()).content.decode()
    assert "Imported from" not in page and "2024-01-01.md" not in page
    # A staff note stays; an older import's bookkeeping note is not shown.
    version.change_note = "Imported from 2024-01-01.md"
    assert version.reader_note == ""
    version.change_note = "Clarified the cookie section."
    assert version.reader_note == "Clarified the cookie section."


def test_home_sorts_names_whatever_their_case_and_dates_by_the_version(client):
    for publisher in ("Wise", "iCloud", "Grammarly"):
        doc = factories.document(publisher=publisher, title="Privacy Policy")
        if publisher == "iCloud":  # a text that states no date, recorded (archived) in 2018
            factories.publish(doc, factories.POLICY_V1.replace("Effective: January 1, 2024\n", ""),
                              recorded_date=dt.date(2018, 3, 4))
        else:
            factories.publish(doc, factories.POLICY_V1)
    html = client.get("/").content.decode()
    rows = re.findall(r'<tr data-publisher="([^"]+)"', html)
    assert rows == ["grammarly", "icloud", "wise"]
    # "Last change": the date the text gives (1 January 2024) or records, never today's import.
    icloud = re.search(r'<tr data-publisher="icloud".*?</tr>', html, re.S).group(0)
    wise = re.search(r'<tr data-publisher="wise".*?</tr>', html, re.S).group(0)
    assert re.findall(r"<time[^>]*>([^<]+)</time>", wise)[-1] == "1 Jan 2024"
    assert re.findall(r"<time[^>]*>([^<]+)</time>", icloud)[-1] == "4 Mar 2018"
    assert dt.date.today().strftime("%-d %b %Y") not in _text(html)


# --- API ------------------------------------------------------------------------------

def _absolute_everywhere(data, where="") -> list[str]:
    """Every string that looks like a link but is not absolute."""
    bad = []
    if isinstance(data, dict):
        for k, v in data.items():
            bad += _absolute_everywhere(v, f"{where}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            bad += _absolute_everywhere(v, f"{where}[{i}]")
    elif isinstance(data, str) and data.startswith("/"):
        bad.append(f"{where}={data}")
    return bad


def test_api_index_and_document_endpoint_give_absolute_urls(client, two_versions):
    doc, v1, v2 = two_versions
    index = client.get("/api/").json()
    assert index["documents"] == "http://testserver/api/documents/"
    assert index["document"] == "http://testserver/api/documents/{slug}/"
    assert not _absolute_everywhere(index)
    detail = client.get(f"/api/documents/{doc.slug}/")
    assert detail.status_code == 200
    data = detail.json()
    assert data["slug"] == doc.slug and data["publisher"] == {"slug": "example-corp", "name": "Example Corp"}
    assert data["url"] == f"http://testserver{doc.get_absolute_url()}"
    assert [v["label"] for v in data["versions"]] == [v1.label, v2.label]
    assert data["current_version"]["api_url"] == f"http://testserver/api/documents/{doc.slug}/versions/{v2.label}/"
    assert client.get(data["current_version"]["api_url"]).status_code == 200  # the links lead somewhere
    assert not _absolute_everywhere(data)
    missing = client.get("/api/documents/no-such-document/")
    assert missing.status_code == 404 and "error" in missing.json()


def test_api_search_results_link_absolutely(client, two_versions):
    data = client.get("/api/search/", {"q": "cookies"}).json()
    assert data["results"], data
    for hit in data["results"]:
        assert hit["permalink"].startswith("http://testserver/c/") and hit["url"].startswith("http://testserver/")
    assert not _absolute_everywhere(data["results"])


# --- Feeds and changes -------------------------------------------------------------------

UNDATED = """# House rules

## 1. Be kind

Treat other members with respect.
"""


def test_a_text_without_a_date_never_tops_changes_or_the_feed(client):
    import feedparser

    undated_doc = factories.document(publisher="Seed Co", title="House rules", kind="other")
    undated = factories.publish(undated_doc, UNDATED).version  # no date stated, none recorded
    assert not undated.effective_date_stated and undated.effective_date == dt.date.today()
    dated_doc = factories.document()
    factories.publish(dated_doc, factories.POLICY_V1)
    newest = factories.publish(dated_doc, factories.POLICY_V2).version  # 1 June 2024
    data = client.get("/api/changes/").json()
    labels = [(c["document"]["slug"], c["version"]["label"]) for c in data["results"]] if "results" in data else \
        [(c["document"]["slug"], c["version"]["label"]) for c in data["changes"]]
    assert labels[0] == (dated_doc.slug, newest.label) and labels[-1] == (undated_doc.slug, undated.label)
    feed = feedparser.parse(client.get("/feed/").content)
    assert feed.entries[0].id.endswith(f":{dated_doc.slug}:{newest.label}")
    assert feed.entries[-1].id.endswith(f":{undated_doc.slug}:{undated.label}")
    for entry in feed.entries:
        assert entry.published_parsed <= entry.updated_parsed
    # The dated entries are dated by the document; the undated one by when it was added.
    assert feed.entries[0].updated_parsed[:3] == (2024, 6, 1)
    assert feed.entries[-1].updated_parsed[:3] == undated.published_at.timetuple()[:3]
    # Its entry carries the word diff of the amended clause and the new clause's text.
    summary = feed.entries[0].summary
    assert "<del>" in summary and "<ins>" in summary and "phone number" in summary
    assert "We use cookies to keep you signed in." in summary
    page = client.get("/changes/").content.decode()
    assert page.index(dated_doc.title) < page.index("House rules")
