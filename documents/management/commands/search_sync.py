"""Compare the search index with the database's ClauseSpans, and repair the drift.

    manage.py search_sync            report: missing, stale and orphaned entries
    manage.py search_sync --repair   fix them (and build the index if it is empty or
                                     was written with another schema); removes what a
                                     killed rebuild left. Run at start-up (make run,
                                     make serve-production), so a killed import or
                                     rebuild is repaired by itself.
    manage.py search_sync --rebuild  write every span into a new index beside the live
                                     one, then switch to it atomically: searches keep
                                     answering from the old index until the switch
    manage.py search_sync --warm     open the searcher and its filter sets (start-up)

Missing: a span with no index entry. Stale: an entry whose fingerprint (see
``ClauseSpanIndex.span_fingerprint``) differs from the span's. Orphaned: an entry for a
span that no longer exists. The report exits with status 1 when there is drift, so a
cron job or CI step can alert on it. The repair is one batch (one writer, one commit)
for the Whoosh engine.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from documents import indexing as sync


class Command(BaseCommand):
    help = "Report drift between the ClauseSpans and the search index; --repair fixes it."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Index missing and stale spans, drop orphans.")
        parser.add_argument("--rebuild", action="store_true", help="Empty the index and index every span.")
        parser.add_argument("--warm", action="store_true", help="Open the searcher and warm its caches.")
        parser.add_argument("--show", type=int, default=10, help="How many ids of each kind to list (default 10).")

    def handle(self, *args, repair=False, rebuild=False, warm=False, show=10, **options):
        try:
            if rebuild:
                written = sync.rebuild()
                self.stdout.write(f"Rebuilt the search index: {written} spans indexed.")
                return
            if warm and not repair:
                self._warm()
                return
            engine = sync.backend()
            if repair and hasattr(engine, "cleanup_rebuilds"):
                for name in engine.cleanup_rebuilds():
                    self.stdout.write(f"Removed {name}, left by an interrupted rebuild.")
            report = sync.compare()
            self.stdout.write(report.summary())
            if show:
                for label, ids in (("missing", report.missing), ("stale", report.stale), ("orphaned", report.orphaned)):
                    if ids:
                        listed = ", ".join(str(i) for i in sorted(ids)[:show])
                        more = f" (+{len(ids) - show} more)" if len(ids) > show else ""
                        self.stdout.write(f"  {label}: {listed}{more}")
            if repair:
                if report.rebuild_needed:
                    written = sync.rebuild()
                    self.stdout.write(f"Rebuilt the search index ({report.rebuild_reason}): {written} spans indexed.")
                elif report.drift:
                    fixed = sync.repair(report)
                    self.stdout.write(f"Repaired: {fixed['written']} spans indexed, {fixed['removed']} entries removed.")
                else:
                    self.stdout.write("Nothing to repair.")
                after = sync.compare()
                self.stdout.write(f"After repair: {after.summary()}")
                if after.drift:
                    raise CommandError("Drift remains after the repair.")
                if warm:
                    self._warm()
            elif report.drift or report.rebuild_needed:
                raise SystemExit(1)
        except CommandError:
            raise
        except SystemExit:
            raise
        except Exception as exc:  # a locked or unreachable index: say so, do not dump a trace
            from haystack.exceptions import SearchBackendError

            if isinstance(exc, (SearchBackendError, OSError)):
                raise CommandError(f"The search index could not be used: {exc}") from exc
            raise

    def _warm(self):
        from documents.search.service import warm

        seconds = warm()
        self.stdout.write(f"Search warmed in {seconds * 1000:.0f} ms.")
