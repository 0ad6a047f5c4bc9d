import sys
from pathlib import Path
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.archive import git, importing


class Command(BaseCommand):
    help = (
        "Import an Open Terms Archive versions repository (a path, a git bundle or a URL) in "
        "commit order: versions, extraction corrections, checks and refused captures. A second "
        "run imports only the commits after the last one imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("repo", help="a repository's folder, a git bundle, or a URL to clone")
        parser.add_argument("--name", default="", help="the collection's name (default: the repository's)")
        parser.add_argument("--pull", action="store_true", help="fetch the remote's new commits first")
        parser.add_argument("--until", default="HEAD", help="import up to this commit (default HEAD)")
        parser.add_argument("--batch", type=int, default=importing.BATCH_COMMITS, help="commits per transaction")

    def handle(self, *args, repo, name, pull, until, batch, **options):
        try:
            repository = importing.repository_for(repo, name=name, data_dir=settings.DATA_DIR)
            if pull:
                git.pull(Path(repository.path))
            progress = None
            bar = sys.stdout.isatty() and options["verbosity"] >= 1
            started = time.monotonic()
            for progress in importing.import_repository(repository, until=until, batch_commits=batch):
                if progress.repaired is not None:
                    self.stdout.write(f"An earlier import was interrupted; search index repaired: {progress.repaired}.")
                    continue
                if bar:
                    self.stdout.write("\r" + _bar(progress, time.monotonic() - started), ending="")
                    self.stdout.flush()
                elif options["verbosity"] >= 2:
                    self.stdout.write(f"  {progress.done}/{progress.total} commits, up to {progress.last_commit[:12]}")
        except (importing.ArchiveError, git.GitError) as exc:
            raise CommandError(str(exc)) from exc
        if bar:
            self.stdout.write("")
        if progress is None or not progress.total:
            self.stdout.write(f"{repository.name}: up to date at {repository.last_commit[:12] or 'nothing'}.")
            return
        c = progress.counts
        self.stdout.write(
            f"{repository.name}: {progress.done} commits imported up to {repository.last_commit[:12]}: "
            f"{c.versions} versions, {c.corrections} corrections, {c.checks} checks (unchanged), "
            f"{c.refused} refused, {c.failed} failed, {c.skipped} skipped; {progress.cpu_seconds:.1f} s CPU."
        )


def _bar(progress, elapsed: float, width: int = 30) -> str:
    share = progress.done / progress.total if progress.total else 1.0
    filled = int(share * width)
    rate = progress.done / elapsed if elapsed > 0 else 0.0
    left = (progress.total - progress.done) / rate if rate else 0.0
    eta = f"{int(left // 60)}:{int(left % 60):02d}"
    return (f"[{'#' * filled}{'-' * (width - filled)}] {progress.done}/{progress.total} commits "
            f"{rate:.1f}/s ETA {eta}   ")
