"""Watches and alert delivery, through a real SMTP server (tests/smtp_server.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents import indexing
from documents.alerts import services
from documents.alerts.models import Alert, AlertStatus, ChangeSet, Watch
from documents.alerts.tokens import unsubscribe_token
from documents.models import ClauseLineage
from tests import factories
from tests.smtp_server import smtp_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_background_send(settings):
    # These tests run inside one transaction, so nothing commits and the on-commit
    # background send never runs: delivery is driven by send_alerts, as cron does.
    settings.PORTAL_BASE_URL = "https://portal.example.com"


def _user(django_user_model, name, **extra):
    return django_user_model.objects.create_user(name, email=f"{name}@example.com",
                                                 password="a-long-test-password-1", **extra)


def _lineage(doc, heading):
    return ClauseLineage.objects.get(document=doc, clauses__version=doc.current_version,
                                     clauses__content__heading=heading)


@pytest.fixture
def watched(django_user_model):
    """Version 1 published; ann watches the document AND section 2; bob watches section 2."""
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    doc.refresh_from_db()
    ann, bob = _user(django_user_model, "ann"), _user(django_user_model, "bob")
    collect = _lineage(doc, "Information We Collect")
    services.watch_document(user=ann, document=doc)
    services.watch_clause(user=ann, lineage=collect)
    services.watch_clause(user=bob, lineage=collect)
    return doc, ann, bob, collect


def test_publish_sends_exactly_one_email_per_watcher_with_the_diff(watched, smtp_server):
    doc, ann, bob, collect = watched
    v2 = factories.publish(doc, factories.POLICY_V2).version
    assert smtp_server.received == []  # queued in the outbox, not sent in the transaction

    call_command("send_alerts", stdout=open("/dev/null", "w"))

    received = smtp_server.received
    assert sorted(r.rcpt_tos[0] for r in received) == ["ann@example.com", "bob@example.com"]
    by_user = {r.rcpt_tos[0]: r for r in received}
    bob_text = by_user["bob@example.com"].part("text/plain")
    bob_html = by_user["bob@example.com"].part("text/html")
    # The word diff of section 2, in both parts.
    assert ("We collect your name[- -]{+, email address +}and [-email address-]{+phone number+} "
            "when you register.") in bob_text
    assert "<ins>" in bob_html and "phone number" in bob_html
    permalink = f"https://portal.example.com/c/{collect.key}/{v2.label}/"
    compare = f"https://portal.example.com/compare/?a={doc.slug}%40{doc.versions.first().label}&amp;b={doc.slug}%40{v2.label}"
    assert permalink in bob_text and permalink in bob_html
    assert compare in bob_html
    # Bob watches one clause: he hears about it alone. Ann watches the document too,
    # and gets the whole change set in ONE e-mail.
    assert "Cookies" not in bob_text
    ann_text = by_user["ann@example.com"].part("text/plain")
    assert "Cookies" in ann_text and "Information We Collect" in ann_text
    # Every watch in the e-mail has its own unsubscribe link.
    assert len(re.findall(r"/alerts/unsubscribe/[^/\s]+/", ann_text)) == 2
    assert by_user["ann@example.com"].message["List-Unsubscribe"].strip().startswith("<https://portal.example.com/alerts/")

    # A second run sends nothing more.
    call_command("send_alerts", stdout=open("/dev/null", "w"))
    assert len(smtp_server.received) == 2
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.SENT}


def test_a_version_that_does_not_touch_the_watched_clause_alerts_only_document_watchers(watched, smtp_server):
    doc, ann, bob, collect = watched
    factories.publish(doc, factories.POLICY_V1.replace("send receipts", "send invoices"))
    services.alerts_deliver()
    assert [r.rcpt_tos for r in smtp_server.received] == [["ann@example.com"]]


def test_a_rolled_back_publish_sends_nothing(watched, smtp_server):
    doc, *_ = watched
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.publish(doc, factories.POLICY_V2)
        assert ChangeSet.objects.count() == 2
        raise RuntimeError("the publish fails after the outbox rows were written")
    assert ChangeSet.objects.count() == 1  # only version 1's
    assert Alert.objects.count() == 0
    services.alerts_deliver()
    assert smtp_server.attempts == 0


def test_a_publish_that_fails_in_the_index_step_sends_nothing(watched, smtp_server, monkeypatch):
    doc, *_ = watched

    def broken(*args, **kwargs):
        raise OSError("index locked")

    monkeypatch.setattr(indexing, "spans_update", broken)
    with pytest.raises(OSError):
        factories.publish(doc, factories.POLICY_V2)
    assert Alert.objects.count() == 0
    services.alerts_deliver()
    assert smtp_server.attempts == 0


def test_a_failed_send_is_retried_with_backoff_and_delivered_once(watched, smtp_server):
    doc, ann, bob, collect = watched
    services.watch_set_active(watch=Watch.objects.get(user=ann, kind="document"), active=False)
    Watch.objects.filter(user=ann).delete()
    factories.publish(doc, factories.POLICY_V2)
    smtp_server.fail_next = 1

    now = timezone.now()
    report = services.alerts_deliver(now=now)
    assert (report.sent, report.retrying) == (0, 1)
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.PENDING and alert.attempts == 1
    assert "451" in alert.last_error
    assert alert.next_attempt_at == now + services.backoff(1)

    # Before the backoff has passed nothing is tried.
    services.alerts_deliver(now=now + dt.timedelta(seconds=30))
    assert smtp_server.attempts == 1

    report = services.alerts_deliver(now=now + dt.timedelta(minutes=1, seconds=1))
    assert report.sent == 1
    assert [r.rcpt_tos for r in smtp_server.received] == [["bob@example.com"]]
    services.alerts_deliver(now=now + dt.timedelta(hours=1))
    assert smtp_server.attempts == 2 and len(smtp_server.received) == 1
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == (AlertStatus.SENT, 2)


def test_an_smtp_server_that_is_down_is_retried_then_given_up(watched, settings):
    from tests.smtp_server import free_port

    doc, *_ = watched
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.PORTAL_ALERTS_MAX_ATTEMPTS = 2
    factories.publish(doc, factories.POLICY_V2)
    now = timezone.now()
    assert services.alerts_deliver(now=now).retrying == 2
    assert services.alerts_deliver(now=now + dt.timedelta(hours=1)).failed == 2
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.FAILED}


def test_an_alert_is_claimed_by_one_worker_only(watched):
    doc, *_ = watched
    factories.publish(doc, factories.POLICY_V2)
    alert = Alert.objects.first()
    now = timezone.now()
    assert services._claim(alert, now) is True
    assert services._claim(alert, now) is False  # a second worker finds it taken


def test_a_worker_that_died_mid_send_leaves_the_alert_uncertain_never_resent(watched, smtp_server):
    doc, *_ = watched
    factories.publish(doc, factories.POLICY_V2)
    now = timezone.now()
    for alert in Alert.objects.all():
        assert services._claim(alert, now - dt.timedelta(hours=1))
    report = services.alerts_deliver(now=now)
    assert report.uncertain == 2 and report.sent == 0
    assert smtp_server.attempts == 0


def test_saved_search_alerts_fire_when_a_new_or_changed_clause_matches(django_user_model, smtp_server):
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    cat, dan = _user(django_user_model, "cat"), _user(django_user_model, "dan")
    services.watch_search(user=cat, query="cookies")  # section 3 of version 2 is new
    services.watch_search(user=dan, query="receipts")  # matches only an unchanged clause
    factories.publish(doc, factories.POLICY_V2)
    report = services.alerts_deliver()
    assert report.expanded == 1
    assert [r.rcpt_tos for r in smtp_server.received] == [["cat@example.com"]]
    text = smtp_server.received[0].part("text/plain")
    assert "Cookies" in text and "search “cookies”" in text
    assert "Information We Collect" not in text  # changed, but not what the search finds


def test_one_email_for_a_user_whose_clause_watch_and_saved_search_both_match(watched, smtp_server):
    doc, ann, bob, collect = watched
    services.watch_search(user=bob, query="phone")
    factories.publish(doc, factories.POLICY_V2)
    services.alerts_deliver()
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == ["ann@example.com", "bob@example.com"]


def test_unsubscribe_link_works_without_signing_in(watched, client, smtp_server):
    doc, ann, bob, collect = watched
    watch = Watch.objects.get(user=bob)
    url = reverse("alerts:unsubscribe", args=[unsubscribe_token(watch.pk)])
    # Following the link (as mail scanners do) changes nothing; the page's one button does.
    response = client.get(url)
    assert response.status_code == 200 and b">Unsubscribe</button>" in response.content
    watch.refresh_from_db()
    assert watch.active is True
    response = client.post(url, {"action": "unsubscribe"})
    assert response.status_code == 200 and b"no longer get e-mails" in response.content
    watch.refresh_from_db()
    assert watch.active is False
    factories.publish(doc, factories.POLICY_V2)
    services.alerts_deliver()
    assert [r.rcpt_tos for r in smtp_server.received] == [["ann@example.com"]]

    # Undo, and the RFC 8058 one-click POST a mail client sends (no cookie, no CSRF token).
    assert client.post(url, {"action": "undo"}).status_code == 200
    watch.refresh_from_db()
    assert watch.active is True
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    watch.refresh_from_db()
    assert watch.active is False


def test_a_forged_or_damaged_token_is_a_404(watched, client):
    doc, ann, bob, collect = watched
    watch = Watch.objects.get(user=bob)
    token = unsubscribe_token(watch.pk)
    assert client.get(reverse("alerts:unsubscribe", args=[token[:-2] + "xx"])).status_code == 404
    from django.core import signing

    forged = signing.dumps({"w": watch.pk}, salt="another-salt")
    assert client.get(reverse("alerts:unsubscribe", args=[forged])).status_code == 404
    watch.refresh_from_db()
    assert watch.active is True


def test_readers_sign_in_and_watch_without_staff_rights(client, django_user_model):
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    doc.refresh_from_db()
    _user(django_user_model, "reader")
    assert client.get(reverse("alerts:watches"))["Location"].startswith(reverse("login"))
    response = client.post(reverse("login"), {"username": "reader", "password": "a-long-test-password-1"})
    assert response.status_code == 302 and response["Location"] == reverse("alerts:watches")

    lineage = _lineage(doc, "Contact Us")
    page = client.get(lineage.get_absolute_url())
    assert b"Watch this clause" in page.content and b"check a ticket" in page.content
    response = client.post(reverse("alerts:watch_add"), {"clause": lineage.key, "next": lineage.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == lineage.get_absolute_url()
    assert b"Watching this clause" in client.get(lineage.get_absolute_url()).content
    client.post(reverse("alerts:watch_add"), {"document": doc.slug})
    client.post(reverse("alerts:watch_add"), {"q": "personal information", "kind": "privacy"})
    client.post(reverse("alerts:watch_add"), {"clause": lineage.key})  # twice: still one watch
    listing = client.get(reverse("alerts:watches")).content.decode()
    assert "Contact" in listing or lineage.key in listing
    assert "personal information" in listing and doc.title in listing
    assert Watch.objects.count() == 3
    # Bad input is a 4xx, nothing saved.
    assert client.post(reverse("alerts:watch_add"), {"clause": "nosuchkey"}).status_code == 404
    assert client.post(reverse("alerts:watch_add"), {}).status_code == 400
    client.post(reverse("alerts:watch_add"), {"q": "   "})
    assert Watch.objects.count() == 3


def test_a_user_cannot_remove_someone_elses_watch(watched, client):
    doc, ann, bob, collect = watched
    client.force_login(bob)
    annes = Watch.objects.filter(user=ann).first()
    assert client.post(reverse("alerts:watch_remove", args=[annes.pk])).status_code == 404
    assert Watch.objects.filter(pk=annes.pk).exists()


def test_password_reset_by_email(client, django_user_model):
    _user(django_user_model, "forgetful")
    response = client.post(reverse("password_reset"), {"email": "forgetful@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and b"Choose a new password" in page.content


@pytest.mark.django_db(transaction=True)
def test_alerts_go_out_right_after_the_publish_commits(django_user_model, smtp_server, settings):
    settings.PORTAL_ALERTS_SEND_ON_PUBLISH = True
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    doc.refresh_from_db()
    services.watch_document(user=_user(django_user_model, "eve"), document=doc)
    factories.publish(doc, factories.POLICY_V2)  # commits: the background send starts
    services.delivery_join(timeout=30)
    assert [r.rcpt_tos for r in smtp_server.wait_for(1)] == [["eve@example.com"]]
    assert Alert.objects.get().status == AlertStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_publish_sends_nothing_with_real_commits(django_user_model, smtp_server, settings, monkeypatch):
    # The same as above with real transactions and the background send on, as in
    # production: neither the on-commit send nor a later send_alerts finds anything.
    settings.PORTAL_ALERTS_SEND_ON_PUBLISH = True
    doc = factories.document()
    factories.publish(doc, factories.POLICY_V1)
    doc.refresh_from_db()
    services.watch_clause(user=_user(django_user_model, "fay"), lineage=_lineage(doc, "Information We Collect"))
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.publish(doc, factories.POLICY_V2)
        raise RuntimeError("the caller's transaction fails after the publish")

    def broken(*args, **kwargs):
        raise OSError("index locked")

    monkeypatch.setattr(indexing, "spans_update", broken)
    with pytest.raises(OSError):
        factories.publish(doc, factories.POLICY_V2)
    services.delivery_join(timeout=30)
    call_command("send_alerts", stdout=open("/dev/null", "w"))
    assert (ChangeSet.objects.count(), Alert.objects.count(), smtp_server.attempts) == (1, 0, 0)
    # The same publish, once it succeeds, does alert: the test could see an e-mail.
    monkeypatch.undo()
    factories.publish(doc, factories.POLICY_V2)
    services.delivery_join(timeout=30)
    assert [r.rcpt_tos for r in smtp_server.wait_for(1)] == [["fay@example.com"]]


def test_changes_between_names_each_kind_of_change():
    from documents.alerts.changes import changes_between

    old = {1: ("a", "1"), 2: ("b", "2"), 3: ("c", "3"), 4: ("d", "4")}
    new = {1: ("a", "1"), 2: ("B", "2"), 3: ("c", "4"), 4: ("D", "5"), 9: ("z", "6")}
    assert changes_between(old, new) == {
        2: {"amended"}, 3: {"renumbered"}, 4: {"amended", "renumbered"}, 9: {"added"},
    }
    assert changes_between(new, {1: ("a", "1")}) == {2: {"removed"}, 3: {"removed"}, 4: {"removed"}, 9: {"removed"}}
    assert changes_between({}, {}) == {}


@pytest.mark.parametrize("order", ["appended", "back-dated"])
def test_the_outbox_of_a_publish_holds_what_the_database_says_changed(django_user_model, order):
    # The publish works the changes out from what it has in hand; they must be what
    # reading both versions back gives, in either place on the timeline.
    from documents.alerts import changes

    doc = factories.document()
    ann = _user(django_user_model, "ann")
    services.watch_document(user=ann, document=doc)
    dates = {"appended": (dt.date(2024, 1, 1), dt.date(2024, 6, 1)),
             "back-dated": (dt.date(2024, 6, 1), dt.date(2024, 1, 1))}[order]
    factories.publish(doc, factories.POLICY_V1, dates[0])
    v2 = factories.publish(doc, factories.POLICY_V2, dates[1]).version
    changeset = ChangeSet.objects.get(version=v2)
    expected = changes.lineage_changes(changes.version_previous(v2), v2)
    assert changeset.previous == changes.version_previous(v2)
    assert expected  # the two texts differ
    assert Alert.objects.get(changeset=changeset).lineage_ids == sorted(expected)
