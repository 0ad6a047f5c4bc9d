"""Bounded load test on loopback: concurrent searchers while versions are published.

Starts gunicorn (production-like: two workers) on 127.0.0.1 over a throw-away data
folder, imports the seeds, then runs N searcher threads for a fixed time while another
process publishes the corpus's versions one after another. Prints requests/s, latency
percentiles and the error count. Only ever talks to 127.0.0.1; every loop is bounded.

    .venv/bin/python bench/load_search.py [--clients 4] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
QUERIES = ["cookies", "personal data", '"third party"', "terminate OR suspend", "privacy -cookie",
           "process*", "publisher:zendesk api", "arbitration", "refund", "law enforcement"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="portal-load-"))
    env = dict(os.environ, PORTAL_DATA_DIR=str(data), PORTAL_ENV="production",
               DJANGO_SECRET_KEY="load-test-only-" + "x" * 40, DJANGO_ALLOWED_HOSTS="127.0.0.1",
               DJANGO_SECURE_SSL_REDIRECT="0", AXES_ENABLED="0", LOG_LEVEL="WARNING")
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "import_documents", "-v0", "seeds/"], env=env, check=True, cwd=ROOT)
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "-c", "portal/gunicorn.conf.py", "--workers", "2", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "portal.wsgi"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # bounded wait for the server to come up
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        publisher = subprocess.Popen([*manage, "import_documents", "tests/corpus/"], env=dict(env, PYTHONUNBUFFERED="1"), cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def searcher(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                q = urllib.parse.quote(rng.choice(QUERIES))
                url = f"{base}/search/?q={q}" + ("&all=1" if rng.random() < 0.3 else "")
                start = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:
                        response.read()
                        ok = response.status == 200
                except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                    ok = False
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                elapsed = time.perf_counter() - start
                with lock:
                    if ok:
                        latencies.append(elapsed)

        threads = [threading.Thread(target=searcher, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        publisher_running = publisher.poll() is None
        publisher.terminate() if publisher_running else None
        out = publisher.communicate(timeout=60)[0].decode()
        created = sum(" created " in line for line in out.splitlines())
        versions = f"{created} versions published" + (" (then stopped with the searchers)" if publisher_running else "")
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
        print(f"load test: {args.clients} concurrent searchers for {wall:.1f} s against gunicorn (2 workers x 2 threads)")
        print(f"  publishing the corpus meanwhile: {versions}")
        print(f"  requests: {len(latencies)} ok, {len(errors)} errors, {len(latencies) / wall:.1f} requests/s")
        if latencies:
            print(f"  latency ms: p50 {p(0.50):.0f}  p95 {p(0.95):.0f}  max {latencies[-1] * 1000:.0f}  "
                  f"mean {statistics.mean(latencies) * 1000:.0f}")
        for e in errors[:5]:
            print("  error:", e)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
