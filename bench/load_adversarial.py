"""Bounded loopback test: costly, adversarial queries must not slow a normal query much.

Starts gunicorn (2 workers x 4 threads) over a throw-away copy of the seeds and the
development corpus, measures a normal query's latency alone ("quiet"), then again
while ``--clients`` clients (default 8) send adversarial queries in a loop: 500-letter
nonsense words (the spelling corrector), many prefixes and fuzzy words, long phrases
of common words, deep pages, huge OR lists. Target: the normal query's p95 under load
stays under 3x its quiet p95.

    .venv/bin/python bench/load_adversarial.py [--clients 8] [--seconds 20]
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import threading
import time

from loopback import get, percentile, portal

NORMAL = ["personal data", "cookies", "account termination", "refund", "law enforcement"]


def adversarial(rng: random.Random) -> dict:
    letters = string.ascii_lowercase
    kind = rng.randrange(7)
    if kind == 0:
        q = "".join(rng.choice(letters) for _ in range(500))
    elif kind == 1:
        q = " ".join(rng.choice(letters) + rng.choice(letters) + "*" for _ in range(24))
    elif kind == 2:
        q = " OR ".join("".join(rng.choice(letters) for _ in range(rng.randint(5, 20))) + "~2" for _ in range(24))
    elif kind == 3:
        q = '"' + " ".join(rng.choice(["the", "of", "and", "to", "you", "we", "data", "or"]) for _ in range(60)) + '"'
    elif kind == 4:
        q = "(" * 500 + "a* " * 100 + ")" * 500
    elif kind == 5:
        return {"q": "the OR a OR to OR of", "page": "250", "versions": "all", "sort": "newest"}
    else:
        q = " ".join("".join(rng.choice(letters) for _ in range(40)) for _ in range(24))
    return {"q": q, "versions": rng.choice(["all", "current"])}


def measure(base: str, seconds: float, stop: threading.Event | None = None) -> list[float]:
    times = []
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline and (stop is None or not stop.is_set()):
        status, _, elapsed = get(base, "/search/", {"q": NORMAL[n % len(NORMAL)]})
        n += 1
        if status == 200:
            times.append(elapsed)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--corpus", default="tests/corpus/")
    args = parser.parse_args()
    with portal(args.corpus) as (base, _env, _server):
        for _ in range(3):
            measure(base, 1.0)  # warm every worker
        quiet = measure(base, args.seconds / 2)
        stop = threading.Event()
        statuses: dict[int, int] = {}
        costs: list[float] = []
        lock = threading.Lock()

        def attacker(seed: int) -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                status, _, elapsed = get(base, "/search/", adversarial(rng), timeout=60)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    costs.append(elapsed)

        threads = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        loaded = measure(base, args.seconds)
        stop.set()
        for t in threads:
            t.join(70)
    q50, q95 = percentile(quiet, 0.5) * 1000, percentile(quiet, 0.95) * 1000
    l50, l95 = percentile(loaded, 0.5) * 1000, percentile(loaded, 0.95) * 1000
    ratio = l95 / q95
    print(f"normal query alone: {len(quiet)} requests, p50 {q50:.1f} ms, p95 {q95:.1f} ms")
    print(f"with {args.clients} adversarial clients: {len(loaded)} requests, p50 {l50:.1f} ms, p95 {l95:.1f} ms "
          f"({ratio:.2f}x quiet p95; target < 3x)")
    print(f"adversarial requests: {sum(statuses.values())}, by status {dict(sorted(statuses.items()))}, "
          f"p50 {percentile(costs, 0.5) * 1000:.0f} ms, max {max(costs or [0]) * 1000:.0f} ms")
    return 0 if ratio < 3 else 1


if __name__ == "__main__":
    sys.exit(main())
