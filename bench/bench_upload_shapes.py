"""In-process cost of the hostile upload shapes (issue #25, item 8), beside real text.

For each shape of ``hostile_uploads.py``: what the upload boundary answers
(``documents.upload_shape``, with its time) and, with ``--parse``, what the parser alone
costs on it (``services.version_parse``, no shape check, no time limit) in CPU seconds
(the machine's other load does not inflate them) and wall seconds. Then the parser's
CPU time on real policies of growing size, and on ``n`` headings with a line of text
each for doubling ``n``: a ratio above 2 per doubling is superlinear.

    .venv/bin/python bench/bench_upload_shapes.py [--parse [--limit 120]] [--corpus /work/shared/corpus-wide]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from documents import services, upload_shape  # noqa: E402
from hostile_uploads import MB, _realistic, shapes  # noqa: E402


def timed(fn, *args, **kwargs):
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the answer is what is measured
        result = exc
    return result, time.process_time() - cpu, time.perf_counter() - wall


def parse_in_child(text: str, filename: str, limit: float) -> str:
    """The parse of ``text`` in a forked child killed after ``limit`` seconds: its
    CPU and wall seconds and clause count, or that it did not finish."""
    import multiprocessing
    import resource

    def child(conn):
        parsed = services.version_parse(text, filename=filename)
        conn.send(len(parsed.clauses))

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    process = context.Process(target=child, args=(sender,), daemon=True)
    process.start()
    sender.close()
    done = receiver.poll(limit)
    clauses = receiver.recv() if done else None
    if process.is_alive():
        process.kill()
    process.join()
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if clauses is None:
        return f"parse did not finish: killed after {wall:.0f} s wall, {cpu:.1f} s cpu"
    return f"parse {cpu:6.2f} s cpu {wall:6.2f} s wall ({clauses} clauses)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parse", action="store_true", help="also parse each hostile shape (minutes)")
    parser.add_argument("--corpus", default="/work/shared/corpus-wide")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds a shape's parse may take (default 120)")
    args = parser.parse_args()
    corpus = Path(args.corpus) if Path(args.corpus).is_dir() else Path(__file__).resolve().parent.parent / "tests/corpus"
    print("hostile shapes: the boundary's answer (CPU s), and the parser alone (CPU s / wall s)")
    for name, filename, raw in shapes(corpus):
        text = raw.decode("utf-8", "ignore")
        problem, cpu, _ = timed(upload_shape.problem, text)
        answer = "refused: " + problem.split(": it has ", 1)[-1].split(";")[0] if problem else "within the limits"
        line = f"  {name:28} {len(raw) / 1e6:5.2f} MB  check {cpu:5.2f} s  {answer[:60]}"
        if args.parse:
            line += "  | " + parse_in_child(text, filename, args.limit)
        print(line, flush=True)
    print("real policies (parser CPU s per size):")
    for size in (0.25, 0.5, 1.0, 2.0):
        text = _realistic(int(size * MB), corpus).decode("utf-8", "ignore")
        parsed, cpu, wall = timed(services.version_parse, text, filename="real.md")
        print(f"  {size:4} MB: {cpu:6.2f} s cpu {wall:6.2f} s wall, {len(parsed.clauses)} clauses", flush=True)
    print("n headings with a line of text each (parser CPU s; x per doubling):")
    previous = None
    for n in (4_000, 8_000, 16_000, 32_000):
        text = "".join(f"## {i}. Heading {i}\n\nText {i}.\n\n" for i in range(n))
        _, cpu, _ = timed(services.version_parse, text, filename="headings.md")
        ratio = f"  x{cpu / previous:.2f}" if previous else ""
        print(f"  n={n:6}: {len(text) / 1e3:6.0f} KB {cpu:6.2f} s cpu{ratio}", flush=True)
        previous = cpu
    return 0


if __name__ == "__main__":
    sys.exit(main())
