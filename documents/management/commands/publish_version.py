import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from documents import drafts, services
from documents.models import Document, DocumentKind


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Publish one file as a new version of a document: the shell equivalent of the staff "
        "upload page. Name an existing document with --document, or create one with "
        "--publisher and --title (and --kind)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A UTF-8 .md, .txt, .html or .htm file.")
        parser.add_argument("--document", default="", help="Slug of an existing document.")
        parser.add_argument("--publisher", default="", help="Publisher of a new document.")
        parser.add_argument("--title", default="", help="Title of a new document.")
        parser.add_argument("--kind", default="", choices=DocumentKind.values,
                            help="Kind of a new document (default: guessed from the title).")
        parser.add_argument("--effective-date", type=_date, default=None,
                            help="YYYY-MM-DD; else the date stated in the text, else today.")
        parser.add_argument("--note", default="", help="The change note.")
        parser.add_argument("--user", default="", help="Username recorded as the publisher of the version.")

    def handle(self, *args, file, document, publisher, title, kind, effective_date, note, user, **options):
        if bool(document) == bool(publisher or title):
            raise CommandError("Give either --document SLUG, or --publisher and --title for a new document.")
        if not document and not (publisher and title):
            raise CommandError("A new document needs both --publisher and --title.")
        added_by = None
        if user:
            try:
                added_by = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user called {user!r}.") from None
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            uploaded = drafts.upload_read(raw=raw, filename=file.name)
            with transaction.atomic():
                if document:
                    target = Document.objects.filter(slug=document).first()
                    if target is None:
                        raise CommandError(f"No document with the slug {document!r}.")
                else:
                    target = services.document_get_or_create(
                        publisher_name=publisher, title=title, kind=kind or services.kind_guess(title)
                    )
                result = services.version_publish(
                    document=target,
                    source_text=uploaded.text,
                    filename=uploaded.filename,
                    source_format=uploaded.source_format,
                    effective_date=effective_date,
                    change_note=note,
                    added_by=added_by,
                )
                if result.created and added_by is not None:
                    label = result.version.label
                    drafts.version_log(user=added_by, version=result.version,
                                       message=f"Published version {label} from {file.name} (publish_version).")
        except services.PublishError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.message)
        if result.created:
            self.stdout.write(f"  {result.version.get_absolute_url()}")
