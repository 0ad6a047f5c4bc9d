"""The alert e-mail: text and HTML parts, one per user per change set."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from documents.alerts import changes
from documents.alerts.models import Alert, Watch
from documents.alerts.tokens import unsubscribe_token
from documents.safe_text import clean_name


def absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def unsubscribe_url(watch: Watch) -> str:
    return absolute(reverse("alerts:unsubscribe", args=[unsubscribe_token(watch.pk)]))


def alert_message(alert: Alert, watches: list[Watch], *, connection=None) -> EmailMultiAlternatives | None:
    """The e-mail for ``alert``, or None when none of its clauses changed after all."""
    changeset = alert.changeset
    version, previous = changeset.version, changeset.previous
    document = version.document
    clause_changes = changes.clause_changes(previous, version, set(alert.lineage_ids))
    if not clause_changes:
        return None
    compare = absolute(changes.compare_url(previous, version))
    items = [{"change": ch, "permalink": absolute(ch.permalink)} for ch in clause_changes]
    context = {
        "user": alert.user, "document": document, "version": version, "previous": previous,
        "items": items, "compare_url": compare, "version_url": absolute(version.get_absolute_url()),
        "watches": [{"watch": w, "unsubscribe": unsubscribe_url(w)} for w in watches],
        "watches_url": absolute(reverse("alerts:watches")),
    }
    count = len(clause_changes)
    subject = clean_name(f"{document.title} ({document.publisher.name}): {count} clause{'s' if count != 1 else ''} "
               f"changed in the version of {version.effective_date:%-d %B %Y}")
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/email/alert.txt", context),
        to=[alert.user.email],
        connection=connection,
        headers={
            # The same id however often it is built: a mail system that sees it twice
            # can tell it is one message.
            "Message-ID": f"<alert-{alert.pk}.changeset-{changeset.pk}@policy-portal>",
            "List-Unsubscribe": f"<{unsubscribe_url(watches[0])}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("alerts/email/alert.html", context), "text/html")
    return message
