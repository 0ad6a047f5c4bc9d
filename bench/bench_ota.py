"""import_ota of a whole Open Terms Archive bundle: CPU, wall, peak memory, database and
index size, what the history became, and a rerun with the last commits new.

Run:  .venv/bin/python bench/bench_ota.py                      # ../shared/ota/contrib-sample.bundle
      .venv/bin/python bench/bench_ota.py BUNDLE [--new 100] [--no-reference] [--keep DIR]

Django is set up over a temporary PORTAL_DATA_DIR (SQLite and Whoosh inside it). The
bundle is cloned first (timed apart: it is git's work, once per archive). Then:

1. ``import_ota`` up to HEAD~N (N = --new, 100 by default): CPU of this process and of
   its git children, wall time, peak RSS;
2. ``import_ota`` again: the N new commits, as a daily run would see them;
3. database size (SQLite file, and the bytes of its largest tables from dbstat) and the
   Whoosh index's size beside it; versions, corrections, checks and refusals.

The issue's figures are set for a machine where bench_import.py's raw-Whoosh reference
(11 writers, corpus-wide) takes 35 s of CPU: unless --no-reference, this script runs
bench_import.py in a subprocess afterwards and prints that reference from the same run,
so the figures above can be scaled. CPU time is what matters on a shared machine.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_tools import django_setup  # noqa: E402

# shared/ beside the checkout, or beside the worktrees' folder.
SHARED = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared")


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle", nargs="?", default=str(SHARED / "ota" / "contrib-sample.bundle"))
    parser.add_argument("--new", type=int, default=100, help="commits left for the rerun")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--keep", default="", help="a folder to keep the data in (else a temporary one)")
    args = parser.parse_args()

    data = Path(args.keep) if args.keep else None
    if data:
        data.mkdir(parents=True, exist_ok=True)
    data = django_setup("bench-ota-", data)
    try:
        run(args, data)
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


def run(args, data: Path) -> None:
    from django.conf import settings
    from django.db import connection

    from documents.archive import git, importing
    from documents.models import DocumentVersion, RefusedCapture, VersionCheck

    bundle = Path(args.bundle).resolve()
    wall = time.perf_counter()
    repository = importing.repository_for(str(bundle), data_dir=settings.DATA_DIR)
    print(f"clone: {time.perf_counter() - wall:.1f} s wall ({bundle.name}, {bundle.stat().st_size / 1e6:.0f} MB)")
    total = git.count(Path(repository.path))
    print(f"commits: {total}", flush=True)

    def timed_import(until: str, label: str):
        started_cpu, started_wall = cpu(), time.perf_counter()
        last = None
        for progress in importing.import_repository(repository, until=until):
            last = progress
            if progress.done and progress.done % 1000 < importing.BATCH_COMMITS:
                print(f"  {label}: {progress.done}/{progress.total} commits, {cpu() - started_cpu:.0f} s CPU, "
                      f"{time.perf_counter() - started_wall:.0f} s wall", flush=True)
        return cpu() - started_cpu, time.perf_counter() - started_wall, last

    first_cpu, first_wall, first = timed_import(f"HEAD~{args.new}", "import")
    peak_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rerun_cpu, rerun_wall, rerun = timed_import("HEAD", "rerun")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    counts = {
        "versions": DocumentVersion.objects.filter(kind="version").count(),
        "corrections": DocumentVersion.objects.filter(kind="correction").count(),
        "checks": VersionCheck.objects.count(), "refused": RefusedCapture.objects.count(),
    }
    db_file = Path(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8")
            tables = cursor.fetchall()
        except Exception:  # noqa: BLE001 - dbstat is optional in SQLite builds
            tables = []
    index_dir = Path(settings.HAYSTACK_CONNECTIONS["default"].get("PATH", data / "whoosh_portal"))

    c = first.counts if first else None
    print(f"import up to HEAD~{args.new}: {first.done if first else 0} commits, {first_cpu:.1f} s CPU "
          f"(this process and git), {first_wall:.1f} s wall, peak RSS {peak_first:.0f} MB")
    if c:
        print(f"  made: {c.versions} versions, {c.corrections} corrections, {c.checks} checks, {c.refused} refused, "
              f"{c.failed} failed, {c.skipped} skipped")
    print(f"rerun with {args.new} new commits: {rerun.done if rerun else 0} commits, {rerun_cpu:.2f} s CPU, "
          f"{rerun_wall:.2f} s wall; peak RSS over both {peak:.0f} MB")
    print(f"archive now: {counts}")
    print(f"database: {db_file.stat().st_size / 1e6:.1f} MB (SQLite file); index: {folder_size(index_dir) / 1e6:.1f} MB")
    for name, size in tables:
        print(f"  {name}: {size / 1e6:.1f} MB")
    sys.stdout.flush()
    if not args.no_reference:
        print("reference: bench/bench_import.py (corpus-wide), same machine, right after:", flush=True)
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_import.py"), str(SHARED / "corpus-wide")], capture_output=True, text=True)
        for line in done.stdout.splitlines():
            if re.match(r"(import:|raw Whoosh|corpus:)", line):
                print("  " + line)
        if done.returncode:
            print("  bench_import.py failed: " + done.stderr[-500:])


if __name__ == "__main__":
    main()
