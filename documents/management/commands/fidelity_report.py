import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from documents import fidelity, importing

_INNER = "PORTAL_FIDELITY_DATA_DIR"


class Command(BaseCommand):
    help = (
        "Import files and folders into a throwaway data folder (temporary SQLite and Whoosh "
        "index) and report, per version and in total, how faithfully the clauses keep the "
        "source: words kept, furniture, numbered headings, clause sizes, dates, lineage, pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--json", dest="json_path", metavar="FILE",
                            help="also write the figures as JSON to FILE ('-' for standard output only)")
        parser.add_argument("--pages", choices=["none", "sample", "all"], default="sample",
                            help="which pages to request (default: every document/version page, 3 clauses each)")
        parser.add_argument("--keep", action="store_true", help="keep the throwaway data folder and say where")

    def handle(self, *args, paths, json_path, pages, keep, **options):
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path}: no such file or folder")
        if os.environ.get(_INNER) != str(settings.DATA_DIR):
            return self._in_throwaway_folder(paths, json_path, pages, keep)
        call_command("migrate", verbosity=0, interactive=False)
        progress = (lambda line: self.stderr.write(line)) if options["verbosity"] >= 2 else None
        try:
            report = fidelity.run(paths, pages=pages, progress=progress)
        except importing.ImportSourceError as exc:
            raise CommandError(str(exc)) from exc
        if json_path == "-":
            self.stdout.write(json.dumps(report, indent=1, default=str))
            return
        self.stdout.write(fidelity.format_text(report))
        if json_path:
            Path(json_path).write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")

    def _in_throwaway_folder(self, paths, json_path, pages, keep):
        # Settings are read once at start-up, so the measuring run is a fresh process whose
        # data folder, database and index are all temporary: nothing touches the real ones.
        folder = Path(tempfile.mkdtemp(prefix="fidelity-"))
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "WHOOSH_PATH", "SEARCH_URL")}
        env.update({"PORTAL_DATA_DIR": str(folder), _INNER: str(folder.resolve()), "SEARCH_BACKEND": "whoosh",
                    "PORTAL_ENV": "development"})
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "fidelity_report",
                   *map(str, (p.resolve() for p in paths)), "--pages", pages]
        if json_path:
            command += ["--json", json_path if json_path == "-" else str(Path(json_path).resolve())]
        try:
            done = subprocess.run(command, env=env, stdout=self.stdout._out, stderr=self.stderr._out, check=False)
        finally:
            if keep:
                self.stderr.write(f"Data kept in {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
        if done.returncode:
            raise CommandError(f"The report failed (exit status {done.returncode}).")
