"""Atom feeds of changes (Django's syndication framework): all documents, one publisher,
one document, one clause lineage.

Each entry is one published version (for a clause: one version that changed it),
links to the compare with the version before, and says what changed in a sentence.
Entry ids are tag URIs built from the document slug, the version label and the clause
key, which never change, so a reader never sees an entry twice. ``<updated>`` is the
date the version takes effect (for a version that states no date and has no recorded
one, the moment it was added here: its import day is no date of the document) and
``<published>`` the moment it was published here, or that date when it is earlier: a
2018 text imported today was not published after it took effect. Each entry's content
is what changed: the changed clauses' word diffs (new clauses' text), the first
``CHANGES_PER_ENTRY`` of them, then a link to the comparison.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from documents import diff
from documents import selectors as document_selectors
from documents.alerts import changes, selectors
from documents.safe_text import clean_text

FEED_SIZE = 50
CHANGES_PER_ENTRY = 12
TAG = "tag:policy-portal.invalid,2026:"


def _serialisable(value):
    """``value`` with every string in it cleaned of what XML 1.0 cannot carry."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_serialisable(v) for v in value)
    if isinstance(value, dict):
        return {k: _serialisable(v) for k, v in value.items()}
    return value


class SafeAtom1Feed(Atom1Feed):
    """Atom that writes what is already stored, whatever it is: a control character in
    a published clause's heading (which can never change) would otherwise make its
    feeds raise UnserializableContentError for ever."""

    def __init__(self, *args, **kwargs):
        super().__init__(*_serialisable(args), **_serialisable(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*_serialisable(args), **_serialisable(kwargs))


class _ChangesFeed(Feed):
    feed_type = SafeAtom1Feed
    author_name = "Policy portal"

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return render_to_string("alerts/feed_entry.html", {
            "sentence": item.sentence, "changes": self._clause_changes(item)[:CHANGES_PER_ENTRY],
            "more": max(0, len(self._clause_changes(item)) - CHANGES_PER_ENTRY),
        })

    def _clause_changes(self, item):
        # Memoised on the item: the description asks twice.
        if not hasattr(item, "_feed_changes"):
            object.__setattr__(item, "_feed_changes", changes.clause_changes(item.previous, item.version))
        return item._feed_changes

    def item_link(self, item):
        return item.compare_url

    def item_guid(self, item):
        return f"{TAG}version:{item.version.document.slug}:{item.version.label}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        if selectors.is_undated(item.version):
            return item.version.published_at
        return selectors.as_date(item.version.effective_date)

    def item_pubdate(self, item):
        return min(item.version.published_at, self.item_updateddate(item))

    def item_author_name(self, item):
        return item.version.document.publisher.name

    def item_categories(self, item):
        return [item.version.document.get_kind_display()]

    def _changes(self, **filters):
        items, _ = selectors.recent_changes(page_size=FEED_SIZE, **filters)
        return items


class AllChangesFeed(_ChangesFeed):
    title = "Policy portal: all changes"
    subtitle = "Every new version of every document, with what changed."

    def link(self):
        return reverse("alerts:changes")

    def items(self):
        return self._changes()


class PublisherChangesFeed(_ChangesFeed):
    def get_object(self, request, slug):
        return selectors.publisher_get(slug)

    def title(self, obj):
        return f"Policy portal: changes by {obj.name}"

    def subtitle(self, obj):
        return f"Every new version of {obj.name}'s documents."

    def link(self, obj):
        return f"{reverse('alerts:changes')}?publisher={obj.slug}"

    def items(self, obj):
        return self._changes(publisher=obj.slug)


class DocumentChangesFeed(_ChangesFeed):
    def get_object(self, request, slug):
        return document_selectors.document_get(slug)

    def title(self, obj):
        return f"Policy portal: {obj.publisher.name} · {obj.title}"

    def subtitle(self, obj):
        return f"Every new version of {obj.title}, with what changed."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self._changes(document=obj.slug)


class ClauseChangesFeed(_ChangesFeed):
    def get_object(self, request, key):
        return document_selectors.lineage_get(key)

    def title(self, obj):
        return f"Policy portal: clause {obj.key} of {obj.document.title}"

    def subtitle(self, obj):
        return f"Every version of {obj.document.title} that changed this clause."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return selectors.lineage_events(obj)[:FEED_SIZE]

    def item_title(self, item):
        clause = item.new or item.old
        name = " ".join(p for p in (clause.number, clause.heading) if p) or clause.anchor
        return f"{name}: {item.kind} in the version of {item.version.effective_date:%-d %B %Y}"

    def item_categories(self, item):
        # The kind of change (documents.kinds, the compare page's word), for feed readers' filters.
        return [item.version.document.get_kind_display(), item.kind]

    def item_guid(self, item):
        return f"{TAG}clause:{item.lineage_key}:{item.version.document.slug}:{item.version.label}"

    def item_description(self, item):
        # The clause as it changed: its word diff, or its text when it first appears.
        html = ""
        if item.old is not None and item.new is not None and item.old.text != item.new.text:
            html = diff.render_inline_diff_html(item.old.text, item.new.text)
        return render_to_string("alerts/feed_clause_entry.html", {
            "sentence": item.sentence, "diff": mark_safe(html),  # noqa: S308 - the diff escapes every word
            "text": "" if html else (item.new or item.old).text,
        })
