"""Bounded loopback test: a gunicorn worker's memory after many searches with 4
threads, and the first search after a publish.

One gunicorn worker with 4 threads over a throw-away copy of the seeds and the
development corpus; 4 clients send ``--searches`` searches in all (varied queries and
filters); the worker's RSS is read from /proc before and after. Then one-word fixes to
the largest current document are published from another process (``--publishes``,
default 3) and the first search that must see each is timed, over HTTP (one warm
request before each publish, so only the index refresh differs).
Targets: RSS under 160 MB after 500 searches; first search after a publish under 50 ms.

    .venv/bin/python bench/load_memory.py [--searches 500] [--publishes 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from loopback import MANAGE, ROOT, get, portal, rss_mb, worker_pids

QUERIES = ["cookies", "personal data", '"third party"', "terminat*", "privacy -cookie", "refund",
           "arbitration", "law enforcement", "account", "cokie~", "children", "data retention"]


# Run in the server's data folder: the largest current version, and a word of one of
# its middle clauses that occurs once in the source (so replacing it changes one clause).
FIND_FIX = """
import json, re, sys
from collections import Counter
from documents.models import Clause, Document
docs = Document.objects.exclude(current_version=None).select_related("current_version")
doc = max(docs, key=lambda d: d.current_version.clauses.count())
version = doc.current_version
source = version.source_text
counts = Counter(re.findall(r"[A-Za-z]+", source))
clauses = list(version.clauses.order_by("position").values_list("text", flat=True))
word = ""
for text in clauses[len(clauses) // 2:] + clauses:
    once = [w for w in re.findall(r"[A-Za-z]{6,}", text) if counts[w] == 1]
    if once:
        word = once[0]
        break
sys.stdout.write(json.dumps({"slug": doc.slug, "format": version.source_format, "text": source, "word": word}))
"""


def one_word_fix(env, folder: Path, new_word: str) -> tuple[str, Path]:
    """(slug, file): the largest current document with one word replaced by ``new_word``."""
    out = subprocess.run([*MANAGE, "shell", "-c", FIND_FIX], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    found = json.loads(out[out.index("{"):])
    assert found["word"], "no word to fix in the largest document"
    text = re.sub(rf"\b{found['word']}\b", new_word, found["text"], count=1)
    suffix = {"markdown": ".md", "html": ".html"}.get(found["format"], ".txt")
    path = folder / f"fixed{suffix}"
    path.write_text(text, encoding="utf-8")
    return found["slug"], path


def timed_search(base: str, word: str) -> tuple[int, bytes, float, float]:
    """(status, body, seconds, the search's CPU ms in the worker from Server-Timing)."""
    url = f"{base}/api/search/?" + urllib.parse.urlencode({"q": word})
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        body, status, timing = response.read(), response.status, response.headers.get("Server-Timing", "")
    elapsed = time.perf_counter() - started
    found = re.search(r"search-cpu;dur=([\d.]+)", timing)
    return status, body, elapsed, float(found.group(1)) if found else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--corpus", default="tests/corpus/")
    parser.add_argument("--publishes", type=int, default=3, help="one-word fixes, each followed by a timed search")
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
        # First search after a publish: a one-word fix to the largest current document,
        # published from another process, the new word only in the fixed clause; each
        # fix a day after the one before (all of them in the past: current at once).
        firsts, seconds, found, first_cpu, second_cpu = [], [], [], [], []
        for k in range(args.publishes):
            get(base, "/search/", {"q": "cookies"})
            word = "zygomorphic" + "abcdefghij"[k % 10]
            day = dt.date.today() - dt.timedelta(days=args.publishes - 1 - k)
            with tempfile.TemporaryDirectory() as tmp:
                slug, path = one_word_fix(env, Path(tmp), word)
                subprocess.run([*MANAGE, "publish_version", str(path), "--document", slug,
                                "--effective-date", day.isoformat()], env=env, cwd=ROOT, check=True,
                               stdout=subprocess.DEVNULL)
            status, body, first, cpu = timed_search(base, word)
            found.append(json.loads(body).get("count") if status == 200 else None)
            firsts.append(first * 1000)
            first_cpu.append(cpu)
            _, _, second, cpu = timed_search(base, word)
            seconds.append(second * 1000)
            second_cpu.append(cpu)
        after_publish = rss_mb(pid)
    by_status = {code: statuses.count(code) for code in sorted(set(statuses))}
    print(f"worker RSS: {before:.0f} MB at start (warmed), {after:.0f} MB after {len(statuses)} searches "
          f"(by status {by_status}; 503 is the costly-search slot) with 4 threads, {after_publish:.0f} MB "
          f"after {args.publishes} publishes; target < 160 MB")
    print(f"first search after a publish ({slug}, one word fixed), ms: "
          f"{', '.join(f'{t:.1f}' for t in firsts)} (median {statistics.median(firsts):.1f}; found {found}); "
          f"the next one: median {statistics.median(seconds):.1f}; target < 50 ms")
    print(f"  the search's own CPU time in the worker (Server-Timing search-cpu), ms: first after a publish "
          f"{', '.join(f'{t:.1f}' for t in first_cpu)}; the next one {', '.join(f'{t:.1f}' for t in second_cpu)}")
    return 0 if max(after, after_publish) < 160 and statistics.median(firsts) < 50 and all(found) else 1

if __name__ == "__main__":
    sys.exit(main())
