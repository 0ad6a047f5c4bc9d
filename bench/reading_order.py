"""Reading order of the parsed clause tree against its sources, without a database.

    python bench/reading_order.py tests/corpus /work/shared/corpus-wide /tmp/ota-latest

For every file: parse it, read the clauses as the version page shows them (number,
heading and lead-in, then the sub-clauses, then the closing: reading_sequence) and place
each sentence in the source with the fidelity report's own reader
(documents.fidelity.reading_order). Prints the versions with sentences out of order,
then per folder: versions, versions out of order, sentences placed and out of order.
``manage.py fidelity_report`` measures the same on the rendered pages; this is the quick
check (tests/test_reading_order.py asserts 0 on the same corpora).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents.fidelity import measure_source, reading_order  # noqa: E402
from documents.ingest import parse_document  # noqa: E402
from documents.ingest.model import reading_sequence  # noqa: E402


def rendered(doc) -> list[tuple[str, str]]:
    parts = []
    for what, i in reading_sequence([c.parent for c in doc.clauses]):
        c = doc.clauses[i]
        if what == "open":
            parts.append((f"{c.number} {c.heading}", c.body))
        elif c.closing:
            parts.append(("", c.closing))
    return parts


def _recorded(path: Path) -> dt.date | None:
    try:
        return dt.date.fromisoformat(path.name[:10])
    except ValueError:
        return None


def main(roots: list[str]) -> None:
    for root in roots:
        files = sorted(p for p in Path(root).rglob("*") if p.suffix in (".md", ".txt", ".html") and p.name != "README.md")
        bad = placed_total = out_total = 0
        for path in files:
            raw = path.read_bytes().decode("utf-8-sig", errors="replace")
            doc = parse_document(raw, filename=path.name, recorded_date=_recorded(path))
            placed, out, examples = reading_order(measure_source(raw, path.name).ordered_lines, rendered(doc))
            placed_total += placed
            out_total += out
            if out:
                bad += 1
                print(f"  {out} out of order: {path} e.g. {examples[:1]}")
        print(f"{root}: {len(files)} versions, {bad} out of order; {placed_total} sentences placed, {out_total} out of order")


if __name__ == "__main__":
    main(sys.argv[1:] or ["tests/corpus"])
