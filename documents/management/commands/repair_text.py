"""Clean control characters and bidi overrides out of stored names, titles and drafts
(``documents.text_repair``); migrate runs the same after every migration."""

from django.core.management.base import BaseCommand

from documents.text_repair import repair_stored_text


class Command(BaseCommand):
    help = "Clean control characters out of publishers' names, documents' titles and drafts."

    def handle(self, *args, **options):
        changed = repair_stored_text()
        for model, count in changed.items():
            self.stdout.write(f"{model}: {count} row(s) cleaned")
