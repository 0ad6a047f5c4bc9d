"""The writes of watches and alerts.

Delivery that loses nothing, in three steps:

1. ``alerts_enqueue_for_version`` runs inside ``version_publish``'s transaction: it
   writes the ChangeSet and an Alert for each user watching the document or a changed
   clause. A publish that rolls back takes them with it.
2. ``changesets_expand`` (the worker) matches saved searches against the index, adding
   those watchers to the alerts, then marks the change set ready.
3. ``alerts_deliver`` (the worker) claims each due alert with a conditional update
   (pending -> sending) so no two workers send it, sends it, and marks it sent. A send
   that fails goes back to pending with exponential backoff, up to
   PORTAL_ALERTS_MAX_ATTEMPTS; one whose worker died mid-send is marked uncertain and
   never resent automatically (at most once beats twice for e-mail).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from documents.alerts import changes, matching
from documents.alerts.models import Alert, AlertStatus, ChangeSet, Watch, WatchKind
from documents.models import ClauseLineage, Document, DocumentKind, DocumentVersion
from documents.slugs import slug_error

log = logging.getLogger(__name__)

# A claimed alert that is still "sending" after this long belongs to a worker that died.
STALE_CLAIM = dt.timedelta(minutes=15)
MAX_BACKOFF = dt.timedelta(hours=6)


class WatchError(ValueError):
    """A watch that cannot be made, with a message for the person who tried."""


# --- Watches ------------------------------------------------------------------------


def _watch_save(watch: Watch, lookup: dict) -> tuple[Watch, bool]:
    existing = Watch.objects.filter(**lookup).first()
    if existing is not None:
        if not existing.active:
            existing.active = True
            existing.save(update_fields=["active"])
        return existing, False
    try:
        watch.full_clean()
    except ValidationError as exc:  # what the checks above missed is still the sender's error
        raise WatchError(" ".join(exc.messages)) from None
    try:
        with transaction.atomic():
            watch.save()
    except IntegrityError:  # the same watch made by a second click meanwhile
        return Watch.objects.get(**lookup), False
    return watch, True


def watch_document(*, user, document: Document) -> tuple[Watch, bool]:
    lookup = {"user": user, "kind": WatchKind.DOCUMENT, "document": document}
    return _watch_save(Watch(**lookup), lookup)


def watch_clause(*, user, lineage: ClauseLineage) -> tuple[Watch, bool]:
    lookup = {"user": user, "kind": WatchKind.CLAUSE, "lineage": lineage}
    return _watch_save(Watch(**lookup), lookup)


def watch_search(*, user, query: str, publisher: str = "", kind: str = "", document: str = "") -> tuple[Watch, bool]:
    query = " ".join((query or "").split())
    if not query:
        raise WatchError("A saved search needs some words to search for.")
    if len(query) > 500:
        raise WatchError("A saved search can be at most 500 characters long.")
    if kind and kind not in DocumentKind.values:
        raise WatchError(f"Unknown kind “{kind[:16]}”.")
    error = (slug_error(publisher, what="publisher name", max_length=80)
             or slug_error(document, what="document name", max_length=120))
    if error:
        raise WatchError(error)
    lookup = {"user": user, "kind": WatchKind.SEARCH, "query": query, "publisher_slug": publisher,
              "document_kind": kind, "document_slug": document}
    return _watch_save(Watch(**lookup), lookup)


def watch_set_active(*, watch: Watch, active: bool) -> Watch:
    """Unsubscribe (or undo it). Pending alerts for a watch no longer active are not sent."""
    if watch.active != active:
        watch.active = active
        watch.save(update_fields=["active"])
    return watch


def watch_delete(*, watch: Watch) -> None:
    watch.delete()


# --- 1. The outbox, written by the publish ------------------------------------------


_UNKNOWN = object()


def alerts_enqueue_for_version(
    *, version: DocumentVersion, previous=_UNKNOWN, changed: dict[int, set[str]] | None = None
) -> ChangeSet:
    """Record the change set of a just-published version and queue the alerts of
    document and clause watchers. Call inside the publish transaction.

    ``previous`` (the version before it on the timeline, or None) and ``changed`` (its
    ``changes.lineage_changes``) are passed by a publish that knows them already; else
    they are read here."""
    if previous is _UNKNOWN:
        previous = changes.version_previous(version)
    changeset = ChangeSet.objects.create(version=version, previous=previous)
    if changed is None:
        changed = changes.lineage_changes(previous, version)
    by_user: dict[int, tuple[list[Watch], set[int]]] = {}
    if changed:
        watches = Watch.objects.active().filter(kind=WatchKind.DOCUMENT, document_id=version.document_id)
        for watch in watches:
            entry = by_user.setdefault(watch.user_id, ([], set()))
            entry[0].append(watch)
            entry[1].update(changed)
        for watch in Watch.objects.active().filter(kind=WatchKind.CLAUSE, lineage_id__in=list(changed)):
            entry = by_user.setdefault(watch.user_id, ([], set()))
            entry[0].append(watch)
            entry[1].add(watch.lineage_id)
    for user_id, (watches, lineage_ids) in by_user.items():
        alert = Alert.objects.create(user_id=user_id, changeset=changeset, lineage_ids=sorted(lineage_ids),
                                     next_attempt_at=timezone.now())
        alert.watches.add(*watches)
    if not Watch.objects.active().filter(kind=WatchKind.SEARCH).exists():
        # No saved search to match: the alerts are ready to go as they are.
        changeset.expanded_at = timezone.now()
        changeset.save(update_fields=["expanded_at"])
    if settings.PORTAL_ALERTS_SEND_ON_PUBLISH and (by_user or changeset.expanded_at is None):
        transaction.on_commit(delivery_kick)
    return changeset


# --- 2. Saved searches ----------------------------------------------------------------


def changeset_expand(*, changeset: ChangeSet) -> int:
    """Match the saved searches against one change set; returns the alerts added to.
    Idempotent: an alert already queued for a user gains the watch, no second alert."""
    version = changeset.version
    changed = changes.lineage_changes(changeset.previous, version)
    # New or amended clauses only: a renumbering or a removal is not new text to find.
    candidates = {lid for lid, what in changed.items() if what & {changes.ADDED, changes.AMENDED}}
    keys = dict(ClauseLineage.objects.filter(pk__in=candidates).values_list("key", "pk"))
    touched = 0
    watches = Watch.objects.active().filter(kind=WatchKind.SEARCH, created_at__lte=changeset.created_at)
    results: dict[tuple, set[str]] = {}
    with transaction.atomic():
        for watch in watches.order_by("pk"):
            if not keys:
                break
            spec = (watch.query, watch.publisher_slug, watch.document_kind, watch.document_slug)
            if spec not in results:  # users with the same saved search share one query
                results[spec] = matching.saved_search_matches(
                    query=watch.query, publisher=watch.publisher_slug, kind=watch.document_kind,
                    document=watch.document_slug, version=version, keys=set(keys))
            found = results[spec]
            if not found:
                continue
            alert, _ = Alert.objects.get_or_create(
                user_id=watch.user_id, changeset=changeset,
                defaults={"lineage_ids": [], "next_attempt_at": timezone.now()})
            if alert.status != AlertStatus.PENDING:
                continue  # already sent (a re-run after a crash): never a second e-mail
            alert.lineage_ids = sorted(set(alert.lineage_ids) | {keys[k] for k in found})
            alert.save(update_fields=["lineage_ids"])
            alert.watches.add(watch)
            touched += 1
        changeset.expanded_at = timezone.now()
        changeset.save(update_fields=["expanded_at"])
    return touched


def changesets_expand() -> int:
    done = 0
    for changeset in ChangeSet.objects.filter(expanded_at__isnull=True).select_related(
            "version__document__publisher", "previous").order_by("pk"):
        try:
            changeset_expand(changeset=changeset)
        except Exception:  # noqa: BLE001 - e.g. the index is busy: its alerts wait for the next run
            log.exception("matching saved searches against %s failed; will retry", changeset)
            continue
        done += 1
    return done


# --- 3. Sending -------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: 1, 2, 4, 8 … minutes, at most six hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class DeliveryReport:
    expanded: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
                f"{self.cancelled} cancelled, {self.uncertain} uncertain "
                f"({self.expanded} change sets matched against saved searches)")


def alerts_mark_stale(*, now: dt.datetime) -> int:
    return Alert.objects.filter(status=AlertStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=AlertStatus.UNCERTAIN,
        last_error="The worker sending this alert stopped before recording the result; "
                   "it may or may not have been delivered, so it is not sent again.")


def _claim(alert: Alert, now: dt.datetime) -> bool:
    """pending -> sending, for exactly one worker."""
    return bool(Alert.objects.filter(pk=alert.pk, status=AlertStatus.PENDING).update(
        status=AlertStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1))


def alerts_deliver(*, now: dt.datetime | None = None, limit: int | None = None) -> DeliveryReport:
    """Send every due alert once. Safe to run from several places at once."""
    from documents.alerts import emails

    report = DeliveryReport()
    report.expanded = changesets_expand()
    now = now or timezone.now()
    report.uncertain = alerts_mark_stale(now=now)
    due = (Alert.objects.filter(status=AlertStatus.PENDING, next_attempt_at__lte=now,
                                changeset__expanded_at__isnull=False)
           .select_related("user", "changeset__version__document__publisher", "changeset__previous")
           .order_by("next_attempt_at", "pk"))
    if limit:
        due = due[:limit]
    max_attempts = settings.PORTAL_ALERTS_MAX_ATTEMPTS
    # Opened by the first send, not here: an SMTP server that is down fails that send,
    # which is then retried, instead of the whole run.
    conn = mail.get_connection()
    try:
        for alert in due:
            if not _claim(alert, now):
                continue
            attempts = alert.attempts + 1
            watches = list(alert.watches.filter(active=True))
            if not watches or not alert.user.email or not alert.user.is_active:
                Alert.objects.filter(pk=alert.pk).update(
                    status=AlertStatus.CANCELLED,
                    last_error="No active watch left, or the user has no e-mail address.")
                report.cancelled += 1
                continue
            try:
                message = emails.alert_message(alert, watches, connection=conn)
                if message is None:
                    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.CANCELLED,
                                                             last_error="Nothing left to report.")
                    report.cancelled += 1
                    continue
                message.send()
            except Exception as exc:  # noqa: BLE001 - any failure is retried, and logged
                error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("alert %s: send failed (attempt %s): %s", alert.pk, attempts, error)
                report.errors.append(f"alert {alert.pk}: {error}")
                if attempts >= max_attempts:
                    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.FAILED, last_error=error)
                    report.failed += 1
                else:
                    Alert.objects.filter(pk=alert.pk).update(
                        status=AlertStatus.PENDING, last_error=error, next_attempt_at=now + backoff(attempts))
                    report.retrying += 1
                # A failed conversation leaves the SMTP connection unusable: start afresh.
                conn.close()
                continue
            Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.SENT, sent_at=timezone.now(), last_error="")
            report.sent += 1
    finally:
        conn.close()
    return report


# --- Right after a publish ------------------------------------------------------------

_kick_lock = threading.Lock()
_kick_running = False
_kick_again = False
_kick_thread: threading.Thread | None = None


def delivery_kick() -> None:
    """Send in a background thread (the publishing request does not wait for SMTP).
    One thread per process; a publish during its run makes it run once more."""
    global _kick_running, _kick_again, _kick_thread
    with _kick_lock:
        if _kick_running:
            _kick_again = True
            return
        _kick_running = True
        _kick_again = False
        # Not a daemon: a command that publishes and exits waits for its alerts to go out.
        _kick_thread = threading.Thread(target=_kick_run, name="send-alerts", daemon=False)
        _kick_thread.start()


def delivery_join(timeout: float = 30) -> None:
    """Wait for the background send started by a publish (tests, commands)."""
    thread = _kick_thread
    if thread is not None:
        thread.join(timeout)


def _kick_run() -> None:
    global _kick_running, _kick_again
    try:
        while True:
            close_old_connections()
            try:
                alerts_deliver()
            except Exception:  # noqa: BLE001 - the cron run of send_alerts will retry
                log.exception("sending alerts after publish failed; send_alerts will retry")
            with _kick_lock:
                if not _kick_again:
                    _kick_running = False
                    return
                _kick_again = False
    finally:
        connection.close()
        with _kick_lock:
            _kick_running = False
