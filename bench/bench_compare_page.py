"""Server time and size of the compare page and /api/compare/ on the largest real pair.

Run:  .venv/bin/python bench/bench_compare_page.py [--runs N] [--pair OLD.md NEW.md]

Finds the consecutive pair of versions with the most bytes in ../shared/corpus-wide,
../shared/corpus and tests/corpus (or takes --pair), publishes both into a throw-away
database (a temporary PORTAL_DATA_DIR), and times through Django's test client:

- the compare page, cold (alignment cache cleared: what the first reader waits) and warm;
- one collapsed run loaded on demand;
- /api/compare/ (first page of 200 rows);

with the bytes each sends. Targets: compare page < 300 ms server time, < 600 KB.
Figures are medians of N runs, wall time and (steadier when other processes share the
machine) this process's CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def largest_pair() -> tuple[Path, Path]:
    best = None
    for corpus in (ROOT.parent / "shared" / "corpus-wide", ROOT.parent / "shared" / "corpus", ROOT / "tests" / "corpus"):
        manifest = corpus / "manifest.json"
        if not manifest.exists():
            continue
        docs: dict = {}
        for e in json.loads(manifest.read_text()):
            docs.setdefault((e.get("service"), e["document_type"]), []).append(e)
        for entries in docs.values():
            entries.sort(key=lambda e: e["date"])
            for x, y in zip(entries, entries[1:]):
                size = x["bytes"] + y["bytes"]
                if best is None or size > best[0]:
                    best = (size, corpus / x["path"], corpus / y["path"])
    if best is None:
        raise SystemExit("No corpus found.")
    return best[1], best[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pair", nargs=2, type=Path)
    args = ap.parse_args()
    old_path, new_path = args.pair or largest_pair()

    tmp = tempfile.mkdtemp(prefix="bench-compare-")
    os.environ["PORTAL_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from documents import services

    doc = services.document_get_or_create(publisher_name="Bench", title="Largest pair", kind="terms")
    import datetime as dt

    v1 = services.version_publish(document=doc, source_text=old_path.read_text(), filename=old_path.name,
                                  effective_date=dt.date(2020, 1, 1)).version
    v2 = services.version_publish(document=doc, source_text=new_path.read_text(), filename=new_path.name,
                                  effective_date=dt.date(2021, 1, 1)).version
    params = {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}
    client = Client()
    print(f"pair: {old_path} ({old_path.stat().st_size:,} B, {v1.clauses.count()} clauses) -> "
          f"{new_path} ({new_path.stat().st_size:,} B, {v2.clauses.count()} clauses)")

    cpu_ms = []

    def timed(url, data, cold):
        times, cpu, size = [], [], 0
        for _ in range(args.runs):
            if cold:
                cache.clear()
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url, data)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            assert response.status_code == 200, response.status_code
            size = len(response.content)
        cpu_ms[:] = [statistics.median(cpu) * 1000]
        return statistics.median(times) * 1000, size, response

    ms, size, response = timed("/compare/", params, cold=True)
    print(f"compare page, cold:  {ms:7.1f} ms  {size / 1024:7.1f} KB  (CPU {cpu_ms[0]:.1f} ms)")
    ms, size, response = timed("/compare/", params, cold=False)
    print(f"compare page, warm:  {ms:7.1f} ms  {size / 1024:7.1f} KB  (CPU {cpu_ms[0]:.1f} ms)")
    from documents.comparison import compare_versions

    comparison = compare_versions(v1, v2)
    runs = [r for r in comparison.html_rows() if r.collapsed]
    print(f"  {len(comparison.rows)} rows, {len(comparison.changes)} changes, {len(runs)} collapsed runs "
          f"holding {sum(r.count for r in runs)} rows; counts {comparison.counts}")
    if runs:
        big = max(runs, key=lambda r: r.count)
        ms, size, _ = timed("/compare/rows/", {**params, "start": big.start, "stop": big.stop}, cold=False)
        print(f"largest collapsed run ({big.count} rows) on demand: {ms:7.1f} ms  {size / 1024:7.1f} KB")
    ms, size, _ = timed("/compare/", {**params, "full": "1"}, cold=False)
    print(f"compare page, full:  {ms:7.1f} ms  {size / 1024:7.1f} KB (every row, ?full=1)")
    ms, size, _ = timed("/api/compare/", params, cold=True)
    print(f"/api/compare/ cold:  {ms:7.1f} ms  {size / 1024:7.1f} KB (page 1 of 200 rows; CPU {cpu_ms[0]:.1f} ms)")
    ms, size, _ = timed("/api/compare/", params, cold=False)
    print(f"/api/compare/ warm:  {ms:7.1f} ms  {size / 1024:7.1f} KB")


if __name__ == "__main__":
    main()
