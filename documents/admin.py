"""The admin: a window on the data, not a way round the publish flow.

Published versions and their clauses are read-only here (no add, change or delete
permission, whoever you are); new versions come through the staff upload page, which
every version and document page links to. A document's title and kind may be edited.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from documents.forms import name_checked
from documents.models import Clause, Document, DocumentVersion, Publisher, VersionDraft


class PublisherForm(forms.ModelForm):
    class Meta:
        model = Publisher
        fields = "__all__"

    def clean_name(self):
        return name_checked(self.cleaned_data.get("name") or "", "name")


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = "__all__"

    def clean_title(self):
        return name_checked(self.cleaned_data.get("title") or "", "title")


def _upload_url(document: Document | None = None) -> str:
    url = reverse("documents:upload")
    return f"{url}?document={document.slug}" if document is not None else url


class ReadOnlyMixin:
    """Whatever the user's permissions: view only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    form = PublisherForm
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        # The slug is in every document's URL: fixed once the publisher exists.
        return ["slug"] if obj is not None else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyMixin, admin.TabularInline):
    model = DocumentVersion
    fields = ["label", "effective_date", "published_at", "added_by", "change_note"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    ordering = ["effective_date", "published_at"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = ["title", "publisher", "kind", "current_version", "upload_link"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "slug", "publisher__name"]
    list_select_related = ["publisher", "current_version"]
    fields = ["publisher", "slug", "title", "kind", "current_version", "created_at", "upload_link"]
    readonly_fields = ["publisher", "slug", "current_version", "created_at", "upload_link"]
    inlines = [VersionInline]

    @admin.display(description="New version")
    def upload_link(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return format_html('<a href="{}">Upload a new version</a>', _upload_url(obj))

    def has_add_permission(self, request):
        # Documents are created with their first version, on the upload page.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClauseInline(ReadOnlyMixin, admin.TabularInline):
    model = Clause
    fields = ["position", "number", "heading", "anchor", "depth", "lineage"]
    readonly_fields = fields
    ordering = ["position"]
    extra = 0
    can_delete = False


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["document", "label", "effective_date", "published_at", "added_by", "upload_link"]
    list_filter = ["document__publisher", "document__kind"]
    search_fields = ["document__title", "label", "change_note"]
    list_select_related = ["document__publisher", "added_by"]
    date_hierarchy = "effective_date"
    fields = [
        "document", "label", "effective_date", "effective_date_stated", "published_at", "added_by",
        "change_note", "kind", "origin", "source_commit", "snapshot_url", "source_filename", "source_format",
        "source_sha256", "sha256", "page_link", "upload_link", "source_text",
    ]
    readonly_fields = fields
    inlines = [ClauseInline]

    @admin.display(description="Page")
    def page_link(self, obj):
        return format_html('<a href="{}">View on site</a>', obj.get_absolute_url())

    @admin.display(description="New version")
    def upload_link(self, obj):
        return format_html('<a href="{}">Upload a new version</a>', _upload_url(obj.document))


@admin.register(Clause)
class ClauseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "version", "position", "anchor", "lineage"]
    list_filter = ["version__document"]
    # The texts are stored compressed (textstore): the heading is what can be searched.
    search_fields = ["content__heading", "anchor", "citation", "lineage__key"]
    list_select_related = ["version__document", "lineage", "content"]
    fields = [
        "version", "position", "number", "citation", "heading", "anchor", "depth", "parent", "lineage", "text_sha",
        "body", "closing",
    ]
    readonly_fields = fields


@admin.register(VersionDraft)
class VersionDraftAdmin(admin.ModelAdmin):
    """Drafts can be looked at and deleted (= discarded); they are made and published on the upload page."""

    list_display = ["__str__", "effective_date", "created_by", "created_at", "preview_link"]
    list_select_related = ["document__publisher", "created_by"]
    fields = [
        "document", "new_publisher", "new_title", "new_kind", "source_filename", "source_format",
        "upload_sha256", "effective_date", "change_note", "created_by", "created_at", "preview_link",
        "source_text",
    ]
    readonly_fields = fields

    @admin.display(description="Preview")
    def preview_link(self, obj):
        url = reverse("documents:draft", args=[obj.pk])
        return format_html('<a href="{}">Preview, publish or discard</a>', url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
