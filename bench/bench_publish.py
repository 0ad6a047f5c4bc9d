"""A one-word fix to a large document: time, queries and index entries of one publish.

Run:  .venv/bin/python bench/bench_publish.py                # the largest document of
                                                             # ../shared/corpus-wide and a
                                                             # synthetic 2,229-clause one
      .venv/bin/python bench/bench_publish.py --runs 9 --folder PATH/<publisher>/<document>

Django is set up with a temporary PORTAL_DATA_DIR (deleted at the end). For each
document: its versions are imported, then ``--runs`` successive one-word fixes are
published (each the previous text with one more word replaced, dated a day later), and
for each publish the figures are:

* wall and CPU time of ``services.version_publish`` given the parsed text (the database,
  lineage, spans and index step) and, separately, of parsing the text;
* database queries of the publish, and index entries written (``indexing.WRITES``);
* raw Whoosh reference, same run: the same changed entries written into a copy of the
  same index with one writer (``update_document``) and one commit.

Target (issue 13): under 150 ms and O(1) index entries for the one-word fix.
Timings on a machine shared with other work: CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus_tools import django_setup, synthetic_text  # noqa: E402

TMP = django_setup("bench-publish-")

from django.db import connection  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus-wide"


def largest_folder(root: Path) -> tuple[Path, int]:
    """The <publisher>/<document> folder whose newest version has the most clauses."""
    from documents.ingest import parse_document

    best = (None, -1)
    for folder in sorted({p.parent for p in root.rglob("*.md")}):
        newest = sorted(folder.glob("*.md"))[-1]
        n = len(parse_document(newest.read_text(encoding="utf-8"), filename=newest.name).clauses)
        if n > best[1]:
            best = (folder, n)
    return best


_WORD = re.compile(r"\b[a-z]{5,}\b")


def one_word_fix(text: str, n: int) -> str:
    """``text`` with one word near the middle replaced (a different place each run)."""
    matches = list(_WORD.finditer(text))
    match = matches[(len(matches) // 2 + 97 * n) % len(matches)]
    return text[: match.start()] + f"fixed{n}x" + text[match.end():]


def raw_reference(changed_ids) -> float:
    """Raw Whoosh: the same entries updated in a copy of the index, one writer."""
    from whoosh import index as whoosh_index

    from documents import indexing

    backend = indexing.backend()
    index = indexing._index()
    docs = backend._prepare(index, index.index_queryset().filter(pk__in=changed_ids))
    copy = TMP / "whoosh_raw"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(TMP / "whoosh_portal", copy)
    ix = whoosh_index.open_dir(str(copy))
    started = time.perf_counter()
    writer = ix.writer()
    for doc in docs.values():
        writer.update_document(**doc)
    writer.commit()
    return time.perf_counter() - started


def run_document(name: str, document, texts: list[tuple[str, dt.date]], runs: int) -> None:
    from documents import indexing, services
    from documents.models import ClauseSpan

    for text, date in texts:
        services.version_publish(document=document, source_text=text, filename="v.md", effective_date=date)
    base, date = texts[-1]
    clauses = document.versions.get(pk=document.__class__.objects.get(pk=document.pk).current_version_id).clauses.count()
    rows = []
    for n in range(1, runs + 1):
        base = one_word_fix(base, n)
        date = date + dt.timedelta(days=1)
        cpu = time.process_time()
        wall = time.perf_counter()
        parsed = services.version_parse(base, filename="v.md")
        parse_wall, parse_cpu = time.perf_counter() - wall, time.process_time() - cpu
        before = dict(indexing.WRITES)
        last_span = ClauseSpan.objects.order_by("-pk").values_list("pk", flat=True).first()
        queries = []
        with connection.execute_wrapper(lambda execute, sql, params, many, context: (
                queries.append(sql), execute(sql, params, many, context))[1]):
            cpu = time.process_time()
            wall = time.perf_counter()
            result = services.version_publish(document=document, source_text=base, filename="v.md",
                                              effective_date=date, parsed=parsed)
            pub_wall, pub_cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert result.created
        entries = indexing.WRITES["entries"] - before["entries"]
        changed = list(ClauseSpan.objects.filter(pk__gt=last_span).values_list("pk", flat=True)) + list(
            ClauseSpan.objects.filter(ended_by=result.version).values_list("pk", flat=True))
        rows.append((pub_wall, pub_cpu, parse_wall, parse_cpu, len(queries), entries, raw_reference(changed)))
    ms = lambda i: statistics.median(r[i] for r in rows) * 1000  # noqa: E731
    print(f"{name}: {clauses} clauses, {len(texts)} versions imported, {runs} one-word fixes")
    print(f"  publish (parsed text given): median {ms(0):.0f} ms wall, {ms(1):.0f} ms CPU; "
          f"max {max(r[0] for r in rows) * 1000:.0f} ms wall")
    print(f"  parse of the text:           median {ms(2):.0f} ms wall, {ms(3):.0f} ms CPU")
    print(f"  total publish + parse:       median {ms(0) + ms(2):.0f} ms wall")
    print(f"  queries per publish: {sorted({r[4] for r in rows})}; "
          f"index entries written per publish: {sorted({r[5] for r in rows})}")
    print(f"  raw Whoosh, same entries, one writer into a copy of the index: median {ms(6):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=None, help="a <publisher>/<document> folder of dated files")
    args = parser.parse_args()
    from documents import services

    folder, clauses = (args.folder, None) if args.folder else largest_folder(CORPUS)
    texts = [(p.read_text(encoding="utf-8"), dt.date.fromisoformat(p.stem)) for p in sorted(folder.glob("*.md"))]
    document = services.document_get_or_create(publisher_name="Bench", title="Largest corpus document")
    run_document(f"{folder.parent.name}/{folder.name}", document, texts, args.runs)

    synthetic = services.document_get_or_create(publisher_name="Bench", title="Synthetic terms")
    run_document("synthetic terms of service", synthetic, [(synthetic_text(), dt.date(2024, 1, 1))], args.runs)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
