"""Bounded load test on loopback: concurrent searchers while versions are published.

Starts gunicorn (production-like: two workers, two threads each) on 127.0.0.1 over a
throw-away data folder with the seeds imported (``loopback.portal``), then runs N
searcher threads for a fixed time while another process publishes the development
corpus's versions one after another. Prints requests/s, latency percentiles and the
error count. Only ever talks to 127.0.0.1; every loop is bounded.

    .venv/bin/python bench/load_search.py [--clients 4] [--seconds 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import threading
import time

from loopback import MANAGE, ROOT, get, percentile, portal

QUERIES = ["cookies", "personal data", '"third party"', "terminate OR suspend", "privacy -cookie",
           "process*", "publisher:zendesk api", "arbitration", "refund", "law enforcement"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    with portal(corpus="", workers=2, threads=2) as (base, env, _server):
        publisher = subprocess.Popen([*MANAGE, "import_documents", "tests/corpus/"], env=dict(env, PYTHONUNBUFFERED="1"),
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def searcher(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                params = {"q": rng.choice(QUERIES)}
                if rng.random() < 0.3:
                    params["versions"] = "all"
                status, _, elapsed = get(base, "/search/", params)
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors.append(f"status {status} for {params}")

        threads = [threading.Thread(target=searcher, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 60)
        wall = time.monotonic() - started
        publisher_running = publisher.poll() is None
        if publisher_running:
            publisher.terminate()
        out = publisher.communicate(timeout=60)[0].decode()
    created = sum(" created " in line for line in out.splitlines())
    versions = f"{created} versions published" + (" (then stopped with the searchers)" if publisher_running else "")
    print(f"load test: {args.clients} concurrent searchers for {wall:.1f} s against gunicorn (2 workers x 2 threads)")
    print(f"  publishing the corpus meanwhile: {versions}")
    print(f"  requests: {len(latencies)} ok, {len(errors)} errors, {len(latencies) / wall:.1f} requests/s")
    if latencies:
        print(f"  latency ms: p50 {percentile(latencies, 0.50) * 1000:.0f}  p95 {percentile(latencies, 0.95) * 1000:.0f}  "
              f"max {max(latencies) * 1000:.0f}  mean {statistics.mean(latencies) * 1000:.0f}")
    for e in errors[:5]:
        print("  error:", e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
