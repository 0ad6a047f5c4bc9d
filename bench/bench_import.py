"""Bulk import: CPU, wall time and index entries written, beside raw Whoosh.

Run:  .venv/bin/python bench/bench_import.py                       # ../shared/corpus-wide
      .venv/bin/python bench/bench_import.py PATH [--batch 50]

Django is set up with a temporary PORTAL_DATA_DIR (SQLite and Whoosh inside it,
deleted at the end). The corpus is mirrored into the temporary folder with slugified
folder names (and its manifest rewritten to match), because some archives name
folders "Privacy Policy"; the importer itself is not changed for the benchmark.

Figures:
* import CPU (``time.process_time``, this process only) and wall time for
  ``importing.import_items`` over every file: parse, align, database, spans, index;
  and the part of that CPU spent writing the index (one writer and commit per batch);
* index entries written (``indexing.WRITES``) against the final number of spans and
  index documents: the target is entries <= final spans + changed ones;
* raw Whoosh reference, same run: the final spans' prepared documents written into a
  fresh index with the same schema by Whoosh's own writer, in one writer and commit,
  and in as many writers as the import had batches (the import's pattern).

Targets (issue 13): corpus-wide (518 versions, 18.7 MB) under 45 s of CPU.
CPU time is what matters on a shared machine: wall time includes other processes.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus_tools import Phases, django_setup, mirror  # noqa: E402

TMP = django_setup("bench-import-")


def raw_whoosh(spans_docs: list[dict], schema, batches: int = 1) -> float:
    """CPU seconds for Whoosh's own writer to write ``spans_docs`` into a fresh index
    with ``schema``, in ``batches`` writers and commits of equal size."""
    from whoosh import index as whoosh_index

    folder = Path(tempfile.mkdtemp(prefix=f"whoosh_raw_{batches}_", dir=TMP))
    started = time.process_time()
    ix = whoosh_index.create_in(str(folder), schema)
    size = max(1, -(-len(spans_docs) // batches))
    for start in range(0, len(spans_docs), size):
        writer = ix.writer(limitmb=128)
        for doc in spans_docs[start:start + size]:
            writer.add_document(**doc)
        writer.commit()
    return time.process_time() - started


def stock_schema(schema):
    """``schema`` with Whoosh's own TEXT fields where the portal's FastTEXT are: the
    reference for what Whoosh alone costs (the postings are the same, tested)."""
    import copy

    from whoosh.fields import TEXT

    from documents.search.whoosh_analysis import FastTEXT

    stock = copy.deepcopy(schema)
    for name, field in list(stock.items()):
        if isinstance(field, FastTEXT):
            field.__class__ = TEXT  # FastTEXT only overrides TEXT.index
    return stock


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default=str(ROOT.parent / "shared" / "corpus-wide"))
    parser.add_argument("--batch", type=int, default=None, help="versions per batch")
    args = parser.parse_args()

    from documents import importing, indexing
    from documents.models import ClauseSpan, DocumentVersion

    source = Path(args.path).resolve()
    items = importing.collect([mirror(source, TMP / "corpus")])
    size = sum(item.path.stat().st_size for item in items)
    kwargs = {"batch_versions": args.batch} if args.batch else {}
    counts = {"created": 0, "unchanged": 0, "failed": 0}
    batches = index_cpu = 0
    failures = []
    phases = Phases((  # disjoint parts of the import
        ("documents.services", "version_parse", "parse"),
        ("documents.align", "align", "align"),
        ("documents.indexing:IndexBatch", "flush", "index writes"),
    ))
    phases.active = True
    wall, cpu = time.perf_counter(), time.process_time()
    for outcome in importing.import_items(items, **kwargs):
        if isinstance(outcome, importing.BatchDone):
            batches += 1
            index_cpu += outcome.index_cpu_seconds
            print(f"  {outcome.done}/{outcome.total} files, batch wrote {outcome.index_entries} entries", flush=True)
            continue
        counts[outcome.status] += 1
        if outcome.status == "failed":
            failures.append(f"{outcome.item.path.name}: {outcome.detail}")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    phases.active = False

    spans = ClauseSpan.objects.count()
    changed = ClauseSpan.objects.filter(valid_to__isnull=False).count()
    backend = indexing.backend()
    entries = backend.searcher().doc_count()
    index = indexing._index()
    docs = list(backend._prepare(index, index.index_queryset().order_by("pk")).values())
    raw = raw_whoosh(docs, backend.schema)
    raw_batched = raw_whoosh(docs, backend.schema, batches=max(1, indexing.WRITES["commits"]))
    stock = raw_whoosh(docs, stock_schema(backend.schema), batches=max(1, indexing.WRITES["commits"]))
    drift = indexing.compare()

    print(f"corpus: {source} ({len(items)} files, {size / 1e6:.1f} MB)")
    print(f"versions: {counts['created']} created, {counts['unchanged']} unchanged, {counts['failed']} failed "
          f"({DocumentVersion.objects.count()} in the database)")
    for line in failures[:5]:
        print(f"  failed: {line}")
    print(f"import: {cpu:.1f} s CPU, {wall:.1f} s wall ({counts['created'] / wall:.1f} versions/s, "
          f"{size / 1e6 / wall:.2f} MB/s), {batches} batches")
    print(f"  of which index writes: {index_cpu:.1f} s CPU ({indexing.WRITES['commits']} commits)")
    print(f"  CPU s by phase: {phases.breakdown(cpu, rest='database, lineage, spans, alerts (the rest)', unit=1, digits=1)}")
    print(f"index entries written: {indexing.WRITES['entries']} (+{indexing.WRITES['removals']} removals); "
          f"final spans {spans} (of which {changed} closed by a change), index documents {entries}")
    print(f"raw Whoosh, same {len(docs)} span documents and schema: one writer {raw:.1f} s CPU "
          f"(its pool spills sorted runs to disk); {indexing.WRITES['commits']} writers, as the import's batches: "
          f"{raw_batched:.1f} s CPU; the same batches with Whoosh's own TEXT analysis in place of the "
          f"portal's FastTEXT (same postings): {stock:.1f} s CPU")
    print(f"drift after import: {drift.summary()}")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
