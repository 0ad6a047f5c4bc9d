from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from haystack.exceptions import SearchBackendError

from documents import importing, services


class Command(BaseCommand):
    help = (
        "Import policy files as document versions. Takes files listed in a manifest.json "
        "beside them (as in seeds/) and folders laid out <publisher>/<document>/<YYYY-MM-DD>.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, paths, **options):
        try:
            items = importing.collect(paths)
        except importing.ImportSourceError as exc:
            raise CommandError(str(exc)) from exc
        counts = {"created": 0, "unchanged": 0, "failed": 0}
        failures = []
        width = len(str(len(items)))
        try:
            self._run(items, counts, failures, width, options)
        except (SearchBackendError, OSError, DatabaseError) as exc:
            # A read-only or full index or database: a message, not a traceback. The
            # open batch was rolled back; the next import (or search_sync --repair)
            # brings the index back in step.
            where = "search index" if isinstance(exc, (SearchBackendError, OSError)) else "database"
            raise CommandError(
                f"The import stopped: the {where} could not be written ({exc}). The batch being written "
                f"was rolled back; {counts['created']} versions committed before it are kept. Run the import "
                "again once it can be written (it skips what is already there)."
            ) from exc
        self._finish(items, counts, failures)

    def _run(self, items, counts, failures, width, options):
        n = 0
        for outcome in importing.import_items(items):
            if isinstance(outcome, importing.BatchDone):
                if outcome.repaired is not None:
                    self.stdout.write(f"An earlier import was interrupted; search index repaired: {outcome.repaired}.")
                elif options["verbosity"] >= 1:
                    self.stdout.write(f"  committed {outcome.done}/{outcome.total} files, {outcome.index_entries} index entries")
                continue
            n += 1
            item = outcome.item
            counts[outcome.status] += 1
            line = f"[{n:>{width}}/{len(items)}] {outcome.status:<9} {item.path} ({outcome.detail})"
            if outcome.status == "failed":
                failures.append(outcome)
                self.stderr.write(line)
            elif options["verbosity"] >= 1:
                self.stdout.write(line)

    def _finish(self, items, counts, failures):
        # Upcoming versions whose day has come become current (published rows stay as they are).
        services.documents_current_refresh()
        documents = len({item.slug or (item.publisher, item.title) for item in items})
        self.stdout.write(
            f"Summary: {documents} documents, {counts['created']} versions created, "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed."
        )
        for outcome in failures:
            self.stdout.write(f"  failed: {outcome.item.path}: {outcome.detail}")
        if failures and not counts["created"] and not counts["unchanged"]:
            raise CommandError("Nothing could be imported.")
