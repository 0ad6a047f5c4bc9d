"""Bounded loopback test of what an anonymous reader or a hostile upload can cost.

Starts gunicorn (2 workers x 4 threads, the production configuration) over a
throw-away copy of the seeds and the development corpus, then, as ``--only`` says
(default: all three):

search
    A normal query's latency alone ("quiet"), then again while ``--clients`` clients
    (default 8) send adversarial queries in a loop: 500-letter nonsense words (the
    spelling corrector), many prefixes and fuzzy words, long phrases of common words,
    deep pages, huge OR lists. Target: the normal query's p95 under load stays under
    3x its quiet p95.
uploads
    The hostile upload shapes of issue #25 (``hostile_uploads.py``: 5 MB of real
    policies, a 4 MB line, a 20,000-row table, a 50,000-column HTML table, a list
    nested 5,000 deep, 49,000 headings, a 5 MB nested list), each posted twice by a
    signed-in publisher: the time and status of each answer, and whether both runs
    answered the same. Target: each under 2 s, the same answer every run.
memory
    The RSS of each worker before, during and after ``--comparisons`` (default 50)
    different comparisons of the corpus's largest versions, then the same pairs again
    (cached). Target: bounded (the cache is on disk, bounded in bytes; a worker's RSS
    does not grow by each pair).

    .venv/bin/python bench/load_adversarial.py [--only search|uploads|memory]
        [--clients 8] [--seconds 20] [--comparisons 50]
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import threading
import time

import html
import http.client
import itertools
import re
import subprocess
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from hostile_uploads import shapes
from loopback import MANAGE, ROOT, get, percentile, portal, rss_mb, worker_pids

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


PASSWORD = "load-test-password-1"


class Session:
    """Cookies and the CSRF token across requests, as a browser keeps them."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.cookies = parts.hostname, parts.port, {}

    def request(self, method, path, body=None, content_type=None, timeout=120):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Referer": f"http://{self.host}:{self.port}{path}"}
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        page = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
        return response.status, page, elapsed

    def csrf(self, path):
        status, page, _ = self.request("GET", path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _multipart(fields: dict, filename: str, raw: bytes) -> tuple[bytes, str]:
    boundary = "----portal-bench-boundary"
    out = []
    for name, value in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
               "Content-Type: application/octet-stream\r\n\r\n".encode() + raw + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def _answer(status: int, page: str) -> str:
    """What the upload page said: a redirect to the draft, or its first error."""
    if status == 302:
        return "accepted (draft)"
    found = (re.search(r'class="form-errors"[^>]*>\s*<p>(.*?)</p>', page, re.S)
             or re.search(r'class="field-error"[^>]*>(.*?)</p>', page, re.S))
    text = re.sub(r"<[^>]+>", "", found.group(1)) if found else "(no message found)"
    return html.unescape(re.sub(r"\s+", " ", text)).strip()[:150]


def run_uploads(base: str, env: dict) -> bool:
    subprocess.run([*MANAGE, "shell", "-c",
                    "from django.contrib.auth.models import Group, User; "
                    f"u = User.objects.create_user('bench-editor', password='{PASSWORD}', is_staff=True); "
                    "u.groups.add(Group.objects.get(name='Publishers'))"], env=env, check=True, cwd=ROOT)
    session = Session(base)
    token = session.csrf("/admin/login/")
    session.request("POST", "/admin/login/?next=/staff/upload/", urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "username": "bench-editor", "password": PASSWORD,
        "next": "/staff/upload/"}), "application/x-www-form-urlencoded")
    ok = True
    corpus = Path("/work/shared/corpus-wide") if Path("/work/shared/corpus-wide").is_dir() else ROOT / "tests" / "corpus"
    print(f"hostile uploads (each posted twice; target < 2 s, the same answer both times):")
    for n, (name, filename, raw) in enumerate(shapes(corpus)):
        answers, times = [], []
        for attempt in range(2):
            token = session.csrf("/staff/upload/")
            body, content_type = _multipart({"csrfmiddlewaretoken": token, "document": "",
                                             "new_publisher": "Bench Co", "new_title": f"Hostile {n} {attempt}",
                                             "new_kind": "terms"}, filename, raw)
            status, page, elapsed = session.request("POST", "/staff/upload/", body, content_type)
            answers.append(f"{status} {_answer(status, page)}")
            times.append(elapsed)
        same = answers[0] == answers[1]
        ok &= same and max(times) < 2
        print(f"  {name:26} {len(raw) / 1e6:5.2f} MB  {times[0]:6.2f} s {times[1]:6.2f} s  "
              f"{'same' if same else 'DIFFERENT'}: {answers[0]}")
    start = time.perf_counter()
    status, _, _ = session.request("GET", "/staff/upload/")
    print(f"  upload page after them: {status} in {(time.perf_counter() - start) * 1000:.0f} ms")
    return ok


def _largest_refs(base: str, corpus: Path, count: int) -> list[str]:
    """``slug@label`` of the ``count`` largest version files of ``corpus`` the portal has."""
    import json

    _, body, _ = get(base, "/api/documents/")
    known = {f"{d['slug']}@{v['label']}" for d in json.loads(body)["documents"] for v in d["versions"]}
    sized = []
    for path in corpus.rglob("*.md"):
        ref = f"{path.parent.parent.name}-{path.parent.name}@{path.stem}"
        if ref in known:
            sized.append((path.stat().st_size, ref))
    return [ref for _, ref in sorted(sized, reverse=True)[:count]]


def run_memory(base: str, server, corpus: str, comparisons: int) -> bool:
    refs = _largest_refs(base, ROOT / corpus, 12)
    pairs = list(itertools.combinations(refs, 2))[:comparisons]
    pids = worker_pids(server)

    def rss() -> str:
        return ", ".join(f"{rss_mb(pid):.0f}" for pid in pids)

    for _ in range(4):  # every worker has served a page
        get(base, "/compare/", {"a": refs[0], "b": refs[0]})
    print(f"worker memory (RSS MB of {len(pids)} workers) over {len(pairs)} different comparisons "
          f"of the {len(refs)} largest versions:")
    before = [rss_mb(pid) for pid in pids]
    print(f"  before: {rss()}")
    statuses: dict[int, int] = {}
    costs = []
    for n, (a, b) in enumerate(pairs, 1):
        status, _, elapsed = get(base, "/compare/", {"a": a, "b": b}, timeout=120)
        statuses[status] = statuses.get(status, 0) + 1
        costs.append(elapsed)
        if n in (10, 25) or n == len(pairs):
            print(f"  after {n}: {rss()}")
    middle = [rss_mb(pid) for pid in pids]
    again = []
    for a, b in pairs:
        again.append(get(base, "/compare/", {"a": a, "b": b}, timeout=120)[2])
    after = [rss_mb(pid) for pid in pids]
    print(f"  the same {len(pairs)} again (cached): {rss()}")
    print(f"  statuses {dict(sorted(statuses.items()))}; first time p50 {percentile(costs, 0.5):.2f} s, "
          f"max {max(costs):.2f} s; cached p50 {percentile(again, 0.5) * 1000:.0f} ms")
    growth = [m - b for m, b in zip(middle, before)]
    regrowth = [a - m for a, m in zip(after, middle)]
    per_pair = max(growth) / len(pairs)
    print(f"  growth: {', '.join(f'{g:+.0f}' for g in growth)} MB over the first pass "
          f"({per_pair:.2f} MB per pair at most), {', '.join(f'{g:+.0f}' for g in regrowth)} MB over the cached pass")
    return max(regrowth) < 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--corpus", default="tests/corpus/")
    parser.add_argument("--comparisons", type=int, default=50)
    parser.add_argument("--only", choices=["search", "uploads", "memory"])
    parser.add_argument("--cache", choices=["disk", "memory"], default="disk",
                        help="memory: Django's per-process cache, the reference for the memory figures")
    args = parser.parse_args()
    ok = True
    with portal(args.corpus, extra_env={"PORTAL_CACHE": args.cache}) as (base, env, server):
        print(f"cache: {args.cache}")
        if args.only in (None, "uploads"):
            ok &= run_uploads(base, env)
        if args.only in (None, "memory"):
            ok &= run_memory(base, server, args.corpus, args.comparisons)
        if args.only not in (None, "search"):
            return 0 if ok else 1
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
    return 0 if ratio < 3 and ok else 1


if __name__ == "__main__":
    sys.exit(main())
