"""PDF downloads of the largest version and the largest redline: cold and cached.

Run:  .venv/bin/python bench/bench_pdf.py [--runs N] [--pair OLD.md NEW.md]

Publishes the largest version and the consecutive pair of versions with the most bytes
(of the shared corpus-wide and corpus folders beside the checkout or its parent, and
tests/corpus) into a throw-away database and prints, for the version's PDF and the pair's redline:

- cold: making the PDF (HTML from the database, then WeasyPrint), the median of N runs,
  CPU time of this process (what the background worker spends; steadier than wall time
  on a shared machine) and wall time, with the page count and size;
- the same through the view: the request that queues the job and waits for it;
- cached: the next request, served from the disk store.

Target (issue 24): a 50-page version under 2 s of CPU. The machine's load average is
printed too: on 2 shared cores CPU times grow with it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))



CORPORA = [ROOT.parent / "shared" / "corpus-wide", ROOT.parent.parent / "shared" / "corpus-wide",
           ROOT.parent / "shared" / "corpus", ROOT / "tests" / "corpus"]


def pages(data: bytes) -> str:
    """The page count, as pdfinfo (poppler-utils) reads it."""
    if not shutil.which("pdfinfo"):
        return "?"
    out = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True).stdout.decode()
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "?")


def _manifests():
    """(corpus folder, its manifest's entries) of each corpus found, once each."""
    seen = set()
    for corpus in CORPORA:
        manifest = corpus / "manifest.json"
        if manifest.exists() and manifest.resolve() not in seen:
            seen.add(manifest.resolve())
            yield corpus, json.loads(manifest.read_text())


def largest_pair() -> tuple[Path, Path]:
    """The consecutive versions of one document with the most bytes together."""
    best = None
    for corpus, entries in _manifests():
        docs: dict = {}
        for e in entries:
            docs.setdefault((e.get("service"), e["document_type"]), []).append(e)
        for versions in docs.values():
            versions.sort(key=lambda e: e["date"])
            for x, y in zip(versions, versions[1:]):
                if best is None or x["bytes"] + y["bytes"] > best[0]:
                    best = (x["bytes"] + y["bytes"], corpus / x["path"], corpus / y["path"])
    if best is None:
        raise SystemExit("No corpus found.")
    return best[1], best[2]


def largest_version() -> Path:
    """The largest version file of the corpora (by bytes, as their manifests say)."""
    best = None
    for corpus, entries in _manifests():
        for e in entries:
            if best is None or e["bytes"] > best[0]:
                best = (e["bytes"], corpus / e["path"])
    if best is None:
        raise SystemExit("No corpus found.")
    return best[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pair", nargs=2, type=Path, help="the redline's two versions (default: the largest pair)")
    ap.add_argument("--version", type=Path, help="the version to print (default: the largest version)")
    args = ap.parse_args()
    old_path, new_path = args.pair or largest_pair()
    big_path = args.version or largest_version()

    tmp = tempfile.mkdtemp(prefix="bench-pdf-")
    os.environ["PORTAL_DATA_DIR"] = tmp
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["PORTAL_PDF_WAIT"] = "600"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from documents import pdf, services

    doc = services.document_get_or_create(publisher_name="Bench", title="Largest pair", kind="terms")
    v1 = services.version_publish(document=doc, source_text=old_path.read_text(), filename=old_path.name,
                                  effective_date=dt.date(2020, 1, 1)).version
    v2 = services.version_publish(document=doc, source_text=new_path.read_text(), filename=new_path.name,
                                  effective_date=dt.date(2021, 1, 1)).version
    big = services.version_publish(document=services.document_get_or_create(
        publisher_name="Bench", title="Largest version", kind="privacy"), source_text=big_path.read_text(),
        filename=big_path.name, effective_date=dt.date(2020, 1, 1)).version
    print(f"version: {big_path} ({big_path.stat().st_size:,} B, {big.clauses.count()} clauses)")
    print(f"pair: {old_path} ({old_path.stat().st_size:,} B) -> {new_path} ({new_path.stat().st_size:,} B, "
          f"{v2.clauses.count()} clauses); load average {os.getloadavg()[0]:.1f}")
    pdf.html_to_pdf("<p>warm-up: WeasyPrint's fonts and stylesheets</p>")
    site_url = "http://testserver"

    def cold(name, make):
        cpu, wall = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            data = make()
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        n = pages(data)
        per_page = f"  = {statistics.median(cpu) / int(n) * 1000:4.0f} ms CPU a page" if n.isdigit() else ""
        print(f"{name} cold, made in-process: CPU {statistics.median(cpu):5.2f} s  wall {statistics.median(wall):5.2f} s"
              f"  {n} pages  {len(data) / 1024:6.0f} KB{per_page}  (median of {args.runs})")

    # The reference: raw WeasyPrint on the same clauses' plain text, as bare paragraphs
    # under a one-rule stylesheet (no numbers, permalinks, defined terms or styling):
    # what any PDF of this text costs here. On a shared machine both grow with the load;
    # their ratio, and the portal's time per page, much less.
    from html import escape

    from weasyprint import CSS, HTML

    bare = "<h1>%s</h1>%s" % (escape(big.document.title), "".join(
        f"<p>{escape(c.heading)} {escape(c.text)}</p>" for c in big.clauses.order_by("position")))
    bare_css = CSS(string="@page { size: A4; margin: 20mm 18mm 22mm } body { font: 10pt/1.45 'DejaVu Serif', serif }")
    cold("raw WeasyPrint, same text as bare paragraphs (reference)",
         lambda: HTML(string=bare).write_pdf(stylesheets=[bare_css]))
    cold("version", lambda: pdf.version_pdf(big, site_url=site_url))
    cold("redline", lambda: pdf.comparison_pdf(v1, v2, site_url=site_url))

    client = Client()
    for name, url in (("version", f"/d/{big.document.slug}/v/{big.label}/pdf/"),
                      ("redline", f"/compare/pdf/?a={doc.slug}@{v1.label}&b={doc.slug}@{v2.label}")):
        t = time.perf_counter()
        response = client.get(url)
        first = time.perf_counter() - t
        assert response.status_code == 200, response.status_code
        b"".join(response.streaming_content)
        times = []
        for _ in range(max(args.runs, 5)):
            t = time.perf_counter()
            response = client.get(url)
            data = b"".join(response.streaming_content)
            times.append(time.perf_counter() - t)
        print(f"{name} through the view: first request (queued, waited) {first:5.2f} s; "
              f"cached (from disk) median {statistics.median(times) * 1000:6.1f} ms, {len(data) / 1024:.0f} KB")

    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
