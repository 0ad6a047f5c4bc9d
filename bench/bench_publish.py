"""A one-word fix to a large document: time, queries and index entries of one publish.

Run:  .venv/bin/python bench/bench_publish.py                # the largest document of
                                                             # ../shared/corpus-wide and a
                                                             # synthetic 2,229-clause one
      .venv/bin/python bench/bench_publish.py --runs 9 --folder PATH/<publisher>/<document>

Django is set up with a temporary PORTAL_DATA_DIR (deleted at the end). For each
document: its versions are imported, then ``--runs`` successive one-word fixes are
published (each the previous text with one more word replaced, dated a day later), and
for each of two flows the figures are:

* the import flow (``import_documents``): the text is parsed, then
  ``services.version_publish`` publishes the parsed text (aligning it with the version
  before it); the publish is timed, the parse apart;
* the staff flow: ``drafts.draft_create`` (the upload: parse in a child process,
  alignment with the current version, both stored on the draft; the preview shows
  them), then ``drafts.draft_publish``, the one atomic step timed, which reuses them;
* for each: wall and CPU time, the CPU of each phase of the publish, database queries,
  and index entries written (``indexing.WRITES``);
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

from corpus_tools import Phases, django_setup, synthetic_text  # noqa: E402

TMP = django_setup("bench-publish-")


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


def raw_reference(changed_ids) -> tuple[float, float]:
    """Raw Whoosh: the same entries updated in a copy of the index, one writer: (wall, CPU)
    seconds of the writer and its commit (the documents are prepared before)."""
    from whoosh import index as whoosh_index

    from documents import indexing

    backend = indexing.backend()
    index = indexing._index()
    docs = backend._prepare(index, index.index_queryset().filter(pk__in=changed_ids))
    copy = TMP / "whoosh_raw"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(TMP / "whoosh_portal", copy)
    ix = whoosh_index.open_dir(str(copy))
    started, cpu = time.perf_counter(), time.process_time()
    writer = ix.writer()
    for doc in docs.values():
        writer.update_document(**doc)
    writer.commit()
    return time.perf_counter() - started, time.process_time() - cpu


PHASES = (  # (module, function, what the breakdown calls it); disjoint parts of a publish
    ("documents.drafts", "draft_parsed", "draft's stored parse read"),
    ("documents.drafts", "draft_alignments", "draft's stored alignment read"),
    ("documents.services", "_inherited_lineages", "lineage keys (align, or reuse the draft's)"),
    ("documents.services", "_rows_insert", "clause rows inserted"),
    ("documents.services", "alerts_enqueue_for_version", "alert outbox"),
    ("documents.services", "spans_extend", "spans"),
    ("documents.services", "spans_rebuild", "spans"),
    ("documents.indexing", "spans_update", "index write"),
)
REST = "the rest (version row, current pointer, queries, commit)"


def run_document(name: str, document, texts: list[tuple[str, dt.date]], runs: int, phases: Phases, user) -> None:
    from documents import drafts, indexing, services
    from documents.models import ClauseSpan

    for text, date in texts:
        services.version_publish(document=document, source_text=text, filename="v.md", effective_date=date)
    base, date = texts[-1]
    clauses = document.versions.get(pk=document.__class__.objects.get(pk=document.pk).current_version_id).clauses.count()
    print(f"{name}: {clauses} clauses, {len(texts)} versions imported, {runs} one-word fixes per flow")
    n = 0
    for flow in ("import", "staff"):
        rows = []
        cpu_total = 0.0
        for _ in range(runs):
            n += 1
            base = one_word_fix(base, n)
            date = date + dt.timedelta(days=1)
            before = dict(indexing.WRITES)
            last_span = ClauseSpan.objects.order_by("-pk").values_list("pk", flat=True).first()
            cpu, wall = time.process_time(), time.perf_counter()
            if flow == "import":
                # What import_documents does: parse, then publish the parsed text.
                parsed = services.version_parse(base, filename="v.md")
                before_wall, before_cpu = time.perf_counter() - wall, time.process_time() - cpu
                result, pub_wall, pub_cpu, queries = phases.measure(lambda: services.version_publish(
                    document=document, source_text=base, filename="v.md", effective_date=date, parsed=parsed))
            else:
                # Upload (parse in a child process, alignment with the current version,
                # stored on the draft) and preview happen before; publish is the one step timed.
                draft = drafts.draft_create(created_by=user, uploaded=drafts.pasted_read(text=base),
                                            document=document, effective_date=date)
                before_wall, before_cpu = time.perf_counter() - wall, time.process_time() - cpu
                result, pub_wall, pub_cpu, queries = phases.measure(
                    lambda: drafts.draft_publish(draft=draft, published_by=user))
            assert result.created
            cpu_total += pub_cpu
            entries = indexing.WRITES["entries"] - before["entries"]
            changed = list(ClauseSpan.objects.filter(pk__gt=last_span).values_list("pk", flat=True)) + list(
                ClauseSpan.objects.filter(ended_by=result.version).values_list("pk", flat=True))
            rows.append((pub_wall, pub_cpu, before_wall, before_cpu, queries, entries, *raw_reference(changed)))
        ms = lambda i: statistics.median(r[i] for r in rows) * 1000  # noqa: E731
        if flow == "import":
            print(f"  import flow, publish of the parsed text: median {ms(0):.0f} ms wall, {ms(1):.0f} ms CPU "
                  f"(max {max(r[0] for r in rows) * 1000:.0f} ms wall); the parse before it: {ms(2):.0f} ms wall, "
                  f"{ms(3):.0f} ms CPU")
        else:
            print(f"  staff flow, publish of a previewed draft: median {ms(0):.0f} ms wall, {ms(1):.0f} ms CPU "
                  f"(max {max(r[0] for r in rows) * 1000:.0f} ms wall); the upload before it (parse in a child, "
                  f"align, save the draft): {ms(2):.0f} ms wall, {ms(3):.0f} ms CPU of this process")
        print(f"    CPU ms per publish: {phases.breakdown(cpu_total, runs, rest=REST)}")
        print(f"    queries per publish: {sorted({r[4] for r in rows})}; "
              f"index entries written per publish: {sorted({r[5] for r in rows})}; "
              f"raw Whoosh, same entries, one writer into a copy of the index: median {ms(6):.0f} ms wall, "
              f"{ms(7):.0f} ms CPU (compare with the index write's CPU above)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=None, help="a <publisher>/<document> folder of dated files")
    args = parser.parse_args()
    from django.contrib.auth.models import Permission, User

    from documents import services

    user = User.objects.create_user("bench", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="publish_version"))
    phases = Phases(PHASES)
    folder, clauses = (args.folder, None) if args.folder else largest_folder(CORPUS)
    texts = [(p.read_text(encoding="utf-8"), dt.date.fromisoformat(p.stem)) for p in sorted(folder.glob("*.md"))]
    document = services.document_get_or_create(publisher_name="Bench", title="Largest corpus document")
    run_document(f"{folder.parent.name}/{folder.name}", document, texts, args.runs, phases, user)

    synthetic = services.document_get_or_create(publisher_name="Bench", title="Synthetic terms")
    run_document("synthetic terms of service", synthetic, [(synthetic_text(), dt.date(2024, 1, 1))], args.runs,
                 phases, user)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
