"""Bounded loopback test: a gunicorn worker's memory after many searches with 4
threads, and the first search after a publish.

One gunicorn worker with 4 threads over a throw-away copy of the seeds and the
development corpus; 4 clients send ``--searches`` searches in all (varied queries and
filters); the worker's RSS is read from /proc before and after. Then a new version is
published from another process and the first search that must see it is timed, over
HTTP (one warm request before the publish, so only the index refresh differs).
Targets: RSS under 160 MB after 500 searches; first search after a publish under 50 ms.

    .venv/bin/python bench/load_memory.py [--searches 500]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from loopback import MANAGE, ROOT, get, portal, rss_mb, worker_pids

QUERIES = ["cookies", "personal data", '"third party"', "terminat*", "privacy -cookie", "refund",
           "arbitration", "law enforcement", "account", "cokie~", "children", "data retention"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--corpus", default="tests/corpus/")
    args = parser.parse_args()
    with portal(args.corpus, workers=1, threads=4) as (base, env, server):
        pid = worker_pids(server)[0]
        before = rss_mb(pid)
        per_client = args.searches // 4
        statuses: list[int] = []

        def client(seed: int) -> None:
            for n in range(per_client):
                q = QUERIES[(seed * 7 + n) % len(QUERIES)]
                params = {"q": q}
                if n % 3 == 0:
                    params["versions"] = "all"
                if n % 5 == 0:
                    params["page"] = "2"
                statuses.append(get(base, "/search/", params)[0])

        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        after = rss_mb(pid)
        # First search after a publish: a word only the new version has.
        get(base, "/search/", {"q": "cookies"})
        with tempfile.TemporaryDirectory() as tmp:
            text = [p for p in (ROOT / "seeds").rglob("*") if p.suffix in (".md", ".txt", ".html")]
            source = next(iter(sorted(text))).read_text(encoding="utf-8")
            path = Path(tmp) / "new.md"
            path.write_text(source + "\n\n## 99. Zygomorphic\n\nZygomorphic clauses are new here.\n", encoding="utf-8")
            subprocess.run([*MANAGE, "publish_version", str(path), "--publisher", "Bench", "--title", "Bench Terms",
                            "--kind", "terms", "--effective-date", "2030-01-01"], env=env, cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        status, body, first = get(base, "/api/search/", {"q": "zygomorphic"})
        found = json.loads(body).get("count") if status == 200 else None
        _, _, second = get(base, "/api/search/", {"q": "zygomorphic"})
    ok = statuses.count(200)
    print(f"worker RSS: {before:.0f} MB at start (warmed), {after:.0f} MB after {len(statuses)} searches "
          f"({ok} ok) with 4 threads; target < 160 MB")
    print(f"first search after a publish: {first * 1000:.1f} ms (found {found}); the next one {second * 1000:.1f} ms; "
          "target < 50 ms")
    return 0 if after < 160 and first < 0.05 and found else 1


if __name__ == "__main__":
    sys.exit(main())
