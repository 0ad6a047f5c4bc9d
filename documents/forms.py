"""The staff upload form. It checks everything a person can get wrong before anything
is saved; the checks themselves live in ``documents.drafts``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.core.exceptions import ValidationError

from documents import drafts, services
from documents.models import Document, DocumentKind, Publisher
from documents.safe_text import clean_name, clean_text, unsafe_characters
from documents.services import PublishError


EARLIEST_PLAUSIBLE = dt.date(1990, 1, 1)


def implausible_date(date: dt.date | None) -> str:
    """Why an effective date looks like a typo (9999-12-31 would stay current forever), or ""."""
    if date is None:
        return ""
    today = timezone.localdate()
    if date < EARLIEST_PLAUSIBLE:
        return f"The effective date {drafts.day(date)} is before 1990."
    if date > today + dt.timedelta(days=2 * 365 + 1):
        return f"The effective date {drafts.day(date)} is more than two years ahead."
    return ""


def name_checked(value: str, what: str) -> str:
    """``value`` as a name is stored (``safe_text.clean_name``); a ValidationError
    naming the characters when it holds controls or bidi overrides, which a person
    never means to type and which would break feeds and e-mails."""
    bad = unsafe_characters(value, name=True)
    if bad:
        raise ValidationError(f"The {what} contains invisible control characters ({', '.join(bad[:5])}); "
                              "type it again without them.")
    return clean_name(value)


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.publisher.name} — {obj.title}"


class UploadForm(forms.Form):
    document = DocumentChoiceField(
        queryset=Document.objects.select_related("publisher").order_by("publisher__name", "title"),
        to_field_name="slug",
        required=False,
        empty_label="— a new document —",
        label="Existing document",
    )
    new_publisher = forms.CharField(
        max_length=200, required=False, label="Publisher",
        widget=forms.TextInput(attrs={"list": "publisher-names", "autocomplete": "off"}),
    )
    new_title = forms.CharField(max_length=300, required=False, label="Title")
    new_kind = forms.ChoiceField(
        choices=DocumentKind.choices, required=False, initial=DocumentKind.OTHER, label="Kind"
    )
    file = forms.FileField(
        required=False, label="File",
        help_text="UTF-8 text: .md, .txt, .html or .htm.",
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,.txt,.html,.htm"}),
    )
    text = forms.CharField(
        required=False, strip=False, label="Or paste the text",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    effective_date = forms.DateField(
        required=False, label="Effective date",
        help_text="Leave empty to use the date stated in the text, or else today.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    confirm_date = forms.BooleanField(
        required=False, label="The effective date is right",
        help_text="Needed for a date before 1990 or more than two years ahead.",
    )
    change_note = forms.CharField(
        required=False, label="Change note",
        help_text="What changed and why, for the record (shown with the version).",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_new_publisher(self):
        return name_checked(self.cleaned_data.get("new_publisher") or "", "publisher")

    def clean_new_title(self):
        return name_checked(self.cleaned_data.get("new_title") or "", "title")

    def clean_change_note(self):
        return clean_text(self.cleaned_data.get("change_note") or "")

    def publisher_names(self) -> list[str]:
        return list(Publisher.objects.order_by("name").values_list("name", flat=True))

    def clean(self):
        data = super().clean()
        self._clean_target(data)
        uploaded = self._clean_text(data)
        if uploaded is None or self.errors:
            return data
        try:
            parsed = drafts.text_parse(uploaded)
        except PublishError as exc:
            raise ValidationError(str(exc)) from None
        document = data.get("document")
        if document is not None:
            identical = services.version_find_identical(document, parsed)
            if identical is not None:
                raise ValidationError(
                    f"This text is identical to version {identical.label} of {document.title} "
                    f"(effective {drafts.day(identical.effective_date)}); there is nothing new to publish."
                )
        date = data.get("effective_date") or parsed.effective_date
        problem = implausible_date(date)
        if problem and not data.get("confirm_date"):
            field = "effective_date" if data.get("effective_date") else None
            self.add_error(field, f"{problem} If it is right, tick “The effective date is right” and upload again.")
            return data
        data["uploaded"] = uploaded
        data["parsed"] = parsed
        return data

    def _clean_target(self, data) -> None:
        document = data.get("document")
        publisher = (data.get("new_publisher") or "").strip()
        title = (data.get("new_title") or "").strip()
        if document is not None:
            if publisher or title:
                self.add_error("document", "Choose an existing document or describe a new one, not both.")
            return
        if "document" in self.errors:
            return
        if not publisher or not title:
            hint = "(or choose an existing document)"
            if not publisher:
                self.add_error("new_publisher", f"Give the publisher of the new document {hint}.")
            if not title:
                self.add_error("new_title", f"Give the title of the new document {hint}.")
            return
        slug = drafts.new_document_slug(publisher_name=publisher, title=title)
        existing = Document.objects.select_related("publisher").filter(slug=slug).first()
        if existing is not None:
            self.add_error("new_title", (
                f"{existing.publisher.name} already has a document called “{existing.title}”: "
                "choose it under Existing document."
            ))

    def _clean_text(self, data) -> drafts.UploadedText | None:
        upload = data.get("file")
        text = data.get("text") or ""
        if upload and text.strip():
            self.add_error(None, "Upload a file or paste the text, not both.")
            return None
        try:
            if upload:
                # Check the size before reading, so an oversized file is never read into memory.
                drafts.check_size(upload.size, f"“{upload.name}”")
                try:
                    raw = upload.read()
                finally:
                    upload.close()
                return drafts.upload_read(raw=raw, filename=upload.name)
            if text:
                return drafts.pasted_read(text=text)
        except PublishError as exc:
            self.add_error("file" if upload else "text", str(exc))
            return None
        if "file" not in self.errors:
            self.add_error(None, "Upload a file or paste the text of the document.")
        return None
