"""Parse time of hostile documents: long blank runs, markup runs and deep nesting.

Each case is parsed the way an upload is (``drafts.text_parse``, with its time budget);
the figure is the wall time to a result or to the refusal. Issue 16's bar: under 2 s
each, parsed or refused. ``--inline`` parses in this process without the budget, to
see the raw ingest cost.

    .venv/bin/python bench/bench_parse.py [--inline] [--only NAME]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def nested_list(size: int, depth: int = 40) -> str:
    """A markdown list nested ``depth`` deep, over and over, to ``size`` characters."""
    lines, total, n = [], 0, 0
    while total < size:
        line = "  " * (n % depth) + f"- item {n} of the nested list\n"
        lines.append(line)
        total += len(line)
        n += 1
    return "".join(lines)


def cases() -> dict[str, str]:
    head = "# Terms\n\n## 1. Scope\n\nThese terms apply.\n\n"
    return {
        "40,000-space line": head + " " * 40_000 + "\n\nMore text.\n",
        "40,000 spaces then **": head + " " * 40_000 + "**\n",
        "40,000 spaces then ©": head + "Text." + " " * 40_000 + "x\n",
        "40,000 tabs then (a)": head + "\t" * 40_000 + "x (a)\n",
        "20,000 '[' on a line": head + "[" * 20_000 + "\n",
        "20,000 '**' on a line": head + "**" * 20_000 + "x\n",
        "10,000 '1.1' then x": head + "1." * 10_000 + "x\n",
        "section 1 , , , and": head + "See Section 1" + " " * 20_000 + "x\n",
        "4 MB nested list": nested_list(4 * 1024 * 1024),
        "4 MB of one line": head + ("word " * (4 * 1024 * 1024 // 5)) + "\n",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inline", action="store_true", help="no subprocess, no time budget")
    parser.add_argument("--only", default="")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from documents import drafts, services
    from documents.services import PublishError

    print(f"time budget: {settings.PORTAL_PARSE_TIMEOUT} s; cpus: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}")
    for name, text in cases().items():
        if args.only and args.only not in name:
            continue
        uploaded = drafts.UploadedText(text=text, filename="bench.md", source_format="markdown", sha256="")
        start = time.perf_counter()
        try:
            if args.inline:
                parsed = services.version_parse(text, filename="bench.md", source_format="markdown")
            else:
                parsed = drafts.text_parse(uploaded)
            outcome = f"{len(parsed.clauses)} clauses"
        except PublishError as exc:
            outcome = f"refused: {str(exc)[:60]}"
        elapsed = time.perf_counter() - start
        print(f"{name:28} {len(text) / 1024:8.0f} KB {elapsed:7.2f} s  {outcome}", flush=True)


if __name__ == "__main__":
    main()
