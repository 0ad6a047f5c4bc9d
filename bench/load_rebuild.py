"""Bounded loopback test: searches keep answering while the index is rebuilt.

Starts gunicorn (2 workers x 4 threads) over a throw-away copy of the seeds and the
development corpus, then runs ``--clients`` searchers (queries that have hits) while
``manage.py search_sync --rebuild`` runs ``--rebuilds`` times in another process.
Target: 0 empty answers and 0 errors.

    .venv/bin/python bench/load_rebuild.py [--clients 4] [--rebuilds 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time

from loopback import MANAGE, ROOT, get, percentile, portal

# Plain queries: costly ones (phrases, prefixes) may be answered "busy" (503) by the
# costly-search slot when several arrive at once, which is not what this test measures.
QUERIES = ["cookies", "personal data", "third party", "termination", "privacy -cookie", "refund"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rebuilds", type=int, default=2)
    parser.add_argument("--corpus", default="tests/corpus/")
    args = parser.parse_args()
    with portal(args.corpus) as (base, env, _server):
        expected = {}
        for q in QUERIES:
            status, body, _ = get(base, "/api/search/", {"q": q})
            expected[q] = json.loads(body)["count"] if status == 200 else 0
        stop = threading.Event()
        answers, empty, errors, times = [0], [], [], []
        lock = threading.Lock()

        def client(seed: int) -> None:
            n = seed
            while not stop.is_set():
                q = QUERIES[n % len(QUERIES)]
                n += 1
                status, body, elapsed = get(base, "/api/search/", {"q": q})
                with lock:
                    answers[0] += 1
                    times.append(elapsed)
                    if status != 200:
                        errors.append(status)
                    elif json.loads(body)["count"] == 0 and expected[q]:
                        empty.append((q, json.loads(body).get("message")))

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
        for t in threads:
            t.start()
        started = time.monotonic()
        for _ in range(args.rebuilds):
            subprocess.run([*MANAGE, "search_sync", "--rebuild"], env=env, cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, timeout=900)
        wall = time.monotonic() - started
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(60)
    by_status = {code: errors.count(code) for code in sorted(set(errors))}
    print(f"{args.rebuilds} rebuilds in {wall:.1f} s while {args.clients} clients searched: "
          f"{answers[0]} answers, {len(empty)} empty, {len(errors)} errors {by_status}; "
          f"p50 {percentile(times, .5) * 1000:.0f} ms, p95 {percentile(times, .95) * 1000:.0f} ms")
    for q, message in empty[:5]:
        print(f"  empty answer to {q!r}: {message}")
    return 0 if not empty and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
