"""Issue #25, item 1: a control character in a name or heading is normalised or refused
at the door (import, upload, admin), and every feed, page and e-mail copes with what
was stored before."""

from __future__ import annotations

import feedparser
import pytest
from django.urls import reverse

from documents import safe_text, services
from documents.models import Clause, Document, Publisher, VersionDraft
from documents.text_repair import repair_stored_text
from tests import factories

BAD = "\x1b\x07\x08"


# --- the pure cleaner, exact output ---------------------------------------------------


def test_clean_text_drops_controls_and_keeps_layout():
    assert safe_text.clean_text("a\x1b[31mb\x07c\x08d\te\nf\r\ng\x0ch\x85i\x7fj\x9fk\ufffel\ud800m") == \
        "a[31mbcd\te\nf\r\ng\nh\nijkl\ufffdm"


def test_clean_name_is_one_line_without_bidi_overrides():
    assert safe_text.clean_name("  Acme\u202e Corp\x1b\n Ltd\u2066 ") == "Acme Corp Ltd"
    assert safe_text.clean_name("Société\u0301") == "Société\u0301"  # combining marks kept (NFC)
    assert safe_text.clean_name("\u05d0\u200f\u05d1") == "\u05d0\u200f\u05d1"  # RLM is not an override


def test_unsafe_characters_names_what_it_found():
    assert safe_text.unsafe_characters("a\x1bb\x07\x1b") == ["U+0007", "U+001B"]
    assert safe_text.unsafe_characters("a\u202eb") == []
    assert safe_text.unsafe_characters("a\u202eb", name=True) == ["U+202E"]


# --- at the door ---------------------------------------------------------------------

HEADED = factories.POLICY_V1.replace("## 2. Information We Collect", f"## 2. Information{BAD} We Collect")


@pytest.mark.django_db
def test_import_normalises_names_and_headings():
    doc = services.document_get_or_create(publisher_name=f"Evil{BAD} Corp", title=f"Privacy{BAD}\u202e Policy")
    assert (doc.publisher.name, doc.title) == ("Evil Corp", "Privacy Policy")
    version = factories.publish(doc, HEADED, change_note=f"note{BAD}").version
    headings = list(version.clauses.values_list("heading", flat=True))
    assert "Information We Collect" in headings
    assert not any(safe_text.unsafe_characters(h) for h in headings)
    assert version.change_note == "note" and "\x1b" not in version.source_text


@pytest.fixture
def staff_client(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", "editor@example.com", "pw", is_staff=True, is_superuser=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["new_publisher", "new_title"])
def test_upload_refuses_a_name_with_control_characters(staff_client, field):
    data = {"new_publisher": "Example Corp", "new_title": "Privacy Policy", "new_kind": "privacy",
            "text": factories.POLICY_V1}
    data[field] = f"Bad{BAD}name"
    response = staff_client.post(reverse("documents:upload"), data)
    assert response.status_code == 400
    assert "invisible control characters (U+0007, U+0008, U+001B)" in response.content.decode()
    assert not VersionDraft.objects.exists()


@pytest.mark.django_db
def test_admin_refuses_a_title_with_control_characters(staff_client):
    doc = factories.document()
    url = reverse("admin:documents_document_change", args=[doc.pk])
    response = staff_client.post(url, {"title": f"Privacy{BAD}", "kind": "privacy"})
    assert response.status_code == 200 and "invisible control characters" in response.content.decode()
    doc.refresh_from_db()
    assert doc.title == "Privacy Policy"
    url = reverse("admin:documents_publisher_change", args=[doc.publisher.pk])
    response = staff_client.post(url, {"name": f"Example{BAD}"})
    assert response.status_code == 200 and "invisible control characters" in response.content.decode()


# --- what is already stored ------------------------------------------------------------


@pytest.fixture
def stored_before(monkeypatch):
    """A document, publisher and published clause heading stored with control characters,
    as the door let them through before: the cleaners are switched off while publishing."""
    monkeypatch.setattr(services, "clean_name", lambda s: " ".join(s.split()), raising=False)
    monkeypatch.setattr(services, "clean_text", lambda s: s, raising=False)
    doc = factories.document(publisher=f"Evil{BAD} Corp", title=f"Privacy{BAD} Policy", slug="privacy")
    factories.publish(doc, HEADED)
    factories.publish(doc, HEADED.replace("Effective: January 1, 2024", "Effective: March 1, 2024")
                      .replace("send receipts", "send invoices"))
    monkeypatch.undo()
    doc.refresh_from_db()
    assert "\x1b" in doc.title and "\x1b" in doc.publisher.name
    clause = Clause.objects.filter(version=doc.current_version, heading__contains="\x1b").get()
    return doc, clause


def _atom(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.django_db
def test_every_feed_answers_with_bad_text_already_stored(client, stored_before):
    doc, clause = stored_before
    for url in ["/feed/", "/atom/", f"/feed/publisher/{doc.publisher.slug}/", f"/d/{doc.slug}/feed/",
                f"/c/{clause.lineage.key}/feed/"]:
        feed = _atom(client, url)
        assert feed.entries, url
        assert all("\x1b" not in e.title for e in feed.entries)
    clause_feed = _atom(client, f"/c/{clause.lineage.key}/feed/")
    assert "Information We Collect" in clause_feed.entries[0].title
    # The pages and the JSON too.
    for url in ["/changes/", doc.get_absolute_url(), doc.current_version.get_absolute_url(),
                clause.lineage.get_absolute_url(), "/api/changes/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_repair_cleans_mutable_rows_and_leaves_published_text(stored_before):
    doc, clause = stored_before
    assert repair_stored_text()["Document"] == 1
    doc.refresh_from_db()
    assert (doc.title, doc.publisher.name) == ("Privacy Policy", "Evil Corp")
    assert repair_stored_text() == {"Publisher": 0, "Document": 0, "VersionDraft": 0}
    clause.refresh_from_db()
    assert "\x1b" in clause.heading  # published: never changed, the renderers cope


@pytest.mark.django_db
def test_alert_mail_subject_is_clean(stored_before, django_user_model):
    from documents.alerts import emails, services as alert_services
    from documents.alerts.models import Alert

    doc, _ = stored_before
    user = django_user_model.objects.create_user("ann", "ann@example.com", "pw")
    alert_services.watch_document(user=user, document=doc)
    factories.publish(doc, HEADED.replace("Effective: January 1, 2024", "Effective: May 1, 2024")
                      .replace("send receipts", "send bills"))
    alert = Alert.objects.get()
    message = emails.alert_message(alert, list(user.watches.all()))
    assert message.subject.startswith("Privacy Policy (Evil Corp): ")
    message.message().as_bytes()  # serialisable
