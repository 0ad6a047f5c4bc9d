"""Bounded loopback load test of the reading pages: home, clause permalink, document.

Starts gunicorn (2 workers x 2 threads, production settings) on 127.0.0.1 over a
throw-away data folder holding ../shared/corpus-wide (mirrored under slugified folder
names, as in bench_import.py) and a synthetic 2,231-clause terms of service, then:

* home and a clause permalink, one client, ``--requests`` each: p50/p95 latency;
* the largest document pages (the synthetic one and the largest real one), with
  ``--clients`` concurrent clients for ``--seconds``: p50/p95, first (cold) request
  apart, and the same with ``If-None-Match`` (a browser revalidating: 304s);
* page sizes.

Only ever talks to 127.0.0.1; every loop is bounded. Latencies are wall-clock on a
machine shared with other work.

    .venv/bin/python bench/load_pages.py [--clients 4] [--seconds 15] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, headers: dict | None = None) -> tuple[float, int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            return time.perf_counter() - start, response.status, body, dict(response.headers)
    except urllib.error.HTTPError as exc:  # 304 arrives as an HTTPError
        return time.perf_counter() - start, exc.code, b"", dict(exc.headers)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def mirror_corpus(source: Path, target: Path) -> None:
    from corpus_tools import mirror, synthetic_text

    mirror(source, target)
    synthetic = target / "bench" / "synthetic-terms-of-service"
    synthetic.mkdir(parents=True)
    (synthetic / "2024-01-01.md").write_text(synthetic_text(), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus-wide")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="portal-load-pages-"))
    env = dict(os.environ, PORTAL_DATA_DIR=str(data), PORTAL_ENV="production",
               DJANGO_SECRET_KEY="load-test-only-" + "x" * 40, DJANGO_ALLOWED_HOSTS="127.0.0.1",
               DJANGO_SECURE_SSL_REDIRECT="0", AXES_ENABLED="0", LOG_LEVEL="WARNING")
    manage = [PY, str(ROOT / "manage.py")]
    server = None
    try:
        mirror_corpus(args.corpus.resolve(), data / "corpus")
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "import_documents", "-v0", str(data / "corpus")], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        probe = subprocess.run(
            [*manage, "shell", "-v0", "-c",
             "from django.db.models import Count; from documents.models import Document, ClauseLineage;"
             "ds = Document.objects.annotate(n=Count('current_version__clauses')).order_by('-n');"
             "real = ds.exclude(slug__startswith='bench-').first(); syn = ds.filter(slug__startswith='bench-').first();"
             "print(Document.objects.count());"
             "print(syn.slug, syn.n); print(real.slug, real.n);"
             "print(ClauseLineage.objects.filter(document=real).order_by('pk')[10].key)"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout.split("\n")
        documents = int(probe[0])
        synthetic, synthetic_n = probe[1].split()
        real, real_n = probe[2].split()
        key = probe[3].strip()

        port = free_port()
        server = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "-c", "portal/gunicorn.conf.py", "--workers", "2", "--threads", "2",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "portal.wsgi"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):  # bounded wait for the server to come up
            try:
                urllib.request.urlopen(base + "/", timeout=10).read()
                break
            except OSError:  # refused, reset or timed out while the workers boot
                time.sleep(0.1)

        print(f"load_pages: gunicorn 2 workers x 2 threads, {documents} documents")
        for name, path in (("home", "/"), ("clause permalink", f"/c/{key}/")):
            times = []
            size = 0
            for _ in range(args.requests):
                elapsed, status, body, _headers = fetch(base + path)
                assert status == 200, (path, status)
                times.append(elapsed)
                size = len(body)
            print(f"  {name} ({path}), 1 client, {args.requests} requests: p50 {pct(times, .5):.1f} ms, "
                  f"p95 {pct(times, .95):.1f} ms, {size / 1024:.0f} KB")

        for label, slug, clauses in (("synthetic", synthetic, synthetic_n), ("largest real", real, real_n)):
            url = f"{base}/d/{slug}/"
            cold = [fetch(url)[0], fetch(url)[0]]  # each worker renders once, then serves from its cache
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

                threads = [threading.Thread(target=client) for _ in range(args.clients)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                kind = "If-None-Match (304)" if conditional else "full page"
                print(f"  {label} document ({clauses} clauses, {len(body) / 1e6:.2f} MB), {args.clients} clients "
                      f"x {args.seconds:.0f} s, {kind}: {len(times)} ok, {len(errors)} errors, "
                      f"p50 {pct(times, .5):.0f} ms, p95 {pct(times, .95):.0f} ms"
                      + ("" if conditional else f"; first requests (render) {cold[0] * 1000:.0f}/{cold[1] * 1000:.0f} ms"))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
