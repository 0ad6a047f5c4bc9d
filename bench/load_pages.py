"""Bounded loopback load test of the reading pages: home, clause permalink, document.

Starts gunicorn (2 workers x 2 threads, production settings) on 127.0.0.1 over a
throw-away data folder (``loopback.portal``) holding seeds/, ../shared/corpus-wide
(mirrored under slugified folder names, as in bench_import.py) and a synthetic
2,231-clause terms of service, then:

* home and a clause permalink, one client, ``--requests`` each: p50/p95 latency;
* the largest document pages (the synthetic one and the largest real one), with
  ``--clients`` concurrent clients for ``--seconds``: p50/p95, first (cold) request
  apart, and the same with ``If-None-Match`` (a browser revalidating: 304s);
* page sizes.

With ``--data DIR`` it serves an existing data folder instead (an archive imported with
``import_documents`` or ``import_ota``; nothing is imported or changed) and times the
pages issue #23 sets targets for: ``/``, the document with the most versions,
``/changes/``, ``/feed/`` and one page of ``/api/documents/``. For each page a fresh
gunicorn worker is started and warmed up (``post_worker_init``), then the page's
first request is timed (what a worker's first request pays), then ``--requests``
more (warm: p50/p95 and the worker's CPU per request). Targets: < 300 ms first,
< 30 ms warm.

Only ever talks to 127.0.0.1; every loop is bounded. Latencies are wall-clock on a
machine shared with other work.

    .venv/bin/python bench/load_pages.py [--clients 4] [--seconds 15] [--corpus PATH]
    .venv/bin/python bench/load_pages.py --data /work/data/scale [--requests 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from corpus_tools import mirror, synthetic_text
from loopback import MANAGE, ROOT, percentile, portal, serve, worker_pids


def fetch(url: str, headers: dict | None = None) -> tuple[float, int, bytes, dict]:
    """(seconds, status, body, headers) of one GET: the headers carry the ETag."""
    request = urllib.request.Request(url, headers=headers or {})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            return time.perf_counter() - start, response.status, body, dict(response.headers)
    except urllib.error.HTTPError as exc:  # 304 arrives as an HTTPError
        return time.perf_counter() - start, exc.code, b"", dict(exc.headers)


def pct(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


def mirror_corpus(source: Path, target: Path) -> Path:
    mirror(source, target)
    synthetic = target / "bench" / "synthetic-terms-of-service"
    synthetic.mkdir(parents=True)
    (synthetic / "2024-01-01.md").write_text(synthetic_text(), encoding="utf-8")
    return target


PROBE = (
    "from django.db.models import Count; from documents.models import Document, ClauseLineage;"
    "ds = Document.objects.annotate(n=Count('current_version__clauses')).order_by('-n');"
    "real = ds.exclude(slug__startswith='bench-').first(); syn = ds.filter(slug__startswith='bench-').first();"
    "print(Document.objects.count());"
    "print(syn.slug, syn.n); print(real.slug, real.n);"
    "print(ClauseLineage.objects.filter(document=real).order_by('pk')[10].key)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus-wide")
    parser.add_argument("--data", type=Path, help="serve this existing data folder (see above)")
    args = parser.parse_args()
    if args.data:
        measure_archive(args.data.resolve(), args)
        return

    source = Path(tempfile.mkdtemp(prefix="portal-load-pages-corpus-"))
    try:
        corpus = mirror_corpus(args.corpus.resolve(), source / "corpus")
        with portal(str(corpus), workers=2, threads=2) as (base, env, server):
            probe = subprocess.run([*MANAGE, "shell", "-v0", "-c", PROBE], env=env, cwd=ROOT, check=True,
                                   capture_output=True, text=True).stdout.split("\n")
            measure(base, args, probe, server_cpu(server))
    finally:
        shutil.rmtree(source, ignore_errors=True)


def server_cpu(server):
    """A function returning the CPU milliseconds gunicorn's workers used since it was
    last called: on a shared machine a steadier figure than wall-clock latency."""
    tick = os.sysconf("SC_CLK_TCK")
    last = [0.0]

    def used() -> float:
        total = 0.0
        for pid in worker_pids(server):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) * 1000 / tick  # utime + stime
        delta, last[0] = total - last[0], total
        return delta

    return used


def measure(base: str, args, probe: list[str], cpu_used) -> None:
    documents = int(probe[0])
    synthetic, synthetic_n = probe[1].split()
    real, real_n = probe[2].split()
    key = probe[3].strip()
    print(f"load_pages: gunicorn 2 workers x 2 threads, {documents} documents")
    for name, path in (("home", "/"), ("clause permalink", f"/c/{key}/")):
        times = []
        size = 0
        cpu_used()
        for _ in range(args.requests):
            elapsed, status, body, _headers = fetch(base + path)
            assert status == 200, (path, status)
            times.append(elapsed)
            size = len(body)
        print(f"  {name} ({path}), 1 client, {args.requests} requests: p50 {pct(times, .5):.1f} ms, "
              f"p95 {pct(times, .95):.1f} ms, {size / 1024:.0f} KB; server CPU {cpu_used() / len(times):.1f} ms "
              "per request")

    for label, slug, clauses in (("synthetic", synthetic, synthetic_n), ("largest real", real, real_n)):
        url = f"{base}/d/{slug}/"
        # Each worker renders the page once, then serves it from its own cache: the first
        # requests (up to 8, until two in a row are fast) are reported apart.
        cold = [fetch(url)[0]]
        while len(cold) < 8 and not (len(cold) >= 3 and max(cold[-2:]) < cold[0] / 5):
            cold.append(fetch(url)[0])
        _elapsed, _status, body, headers = fetch(url)
        for conditional in (False, True):
            times: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            deadline = time.monotonic() + args.seconds
            extra = {"If-None-Match": headers.get("ETag", "")} if conditional else {}

            def client(extra=extra, times=times, errors=errors, lock=lock, deadline=deadline, url=url):
                while time.monotonic() < deadline:
                    elapsed, status, _body, _h = fetch(url, extra)
                    with lock:
                        (times.append(elapsed) if status in (200, 304) else errors.append(str(status)))

            cpu_used()
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            kind = "If-None-Match (304)" if conditional else "full page"
            print(f"  {label} document ({clauses} clauses, {len(body) / 1e6:.2f} MB), {args.clients} clients "
                  f"x {args.seconds:.0f} s, {kind}: {len(times)} ok, {len(errors)} errors, "
                  f"p50 {pct(times, .5):.0f} ms, p95 {pct(times, .95):.0f} ms"
                  + f"; server CPU {cpu_used() / max(1, len(times)):.1f} ms per request"
                  + ("" if conditional else "; first requests (renders) " + "/".join(f"{c * 1000:.0f}" for c in cold)
                     + " ms"))


ARCHIVE_PROBE = (
    "from django.db.models import Count; from documents.models import Document, DocumentVersion;"
    "d = Document.objects.annotate(n=Count('versions')).order_by('-n').first();"
    "print(Document.objects.count(), DocumentVersion.objects.count()); print(d.slug, d.n)"
)


def measure_archive(data: Path, args) -> None:
    env = dict(os.environ, PORTAL_DATA_DIR=str(data))
    env.pop("DATABASE_URL", None)
    probe = subprocess.run([*MANAGE, "shell", "-v0", "-c", ARCHIVE_PROBE], env=env, cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split("\n")
    documents, versions = probe[0].split()
    slug, n = probe[1].split()
    db = data / "portal.sqlite3"
    print(f"load_pages --data {data}: {documents} documents, {versions} versions; database "
          f"{db.stat().st_size / 1e6:.0f} MB; 1 gunicorn worker x 2 threads per page, started fresh")
    pages = [("home", "/"), (f"document ({n} versions)", f"/d/{slug}/"), ("changes", "/changes/"),
             ("feed", "/feed/"), ("api documents, page 1", "/api/documents/")]
    for name, path in pages:
        with serve(data, workers=1, threads=2) as (base, _env, server):
            cpu_used = server_cpu(server)
            cpu_used()
            first, status, body, _h = fetch(base + path)
            assert status == 200, (path, status)
            first_cpu = cpu_used()
            times = []
            for _ in range(args.requests):
                elapsed, status, body, _h = fetch(base + path)
                assert status == 200, (path, status)
                times.append(elapsed)
            print(f"  {name:<28} {path:<34} first {first * 1000:6.0f} ms (worker CPU {first_cpu:4.0f} ms); "
                  f"warm p50 {pct(times, .5):5.1f} ms, p95 {pct(times, .95):5.1f} ms, "
                  f"CPU {cpu_used() / len(times):4.1f} ms/request; {len(body) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
