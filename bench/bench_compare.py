"""Timings for version comparison: parse + align + word-diff.

Run:  .venv/bin/python bench/bench_compare.py [--runs N]

No Django needed. Two workloads, each timed as the median of N runs:

1. the two consecutive versions with the most bytes in ../shared/corpus-wide,
   ../shared/corpus and tests/corpus (as bench_compare_page.py finds them), parsed
   with ``documents.ingest.parse_document`` (skipped, with a note, if ingest is not
   importable yet);
2. two synthetic ~1 MB versions (seeded RNG, ~5,000 numbered clauses each; the
   new one has clauses inserted, deleted, edited and a few sections reordered, and
   is renumbered by position like a real document). They are parsed too when
   ingest exists; the clause lists are also built directly so alignment is
   timed even without a parser.

For scale it also prints the raw cost of difflib (SequenceMatcher on lines, and
unified_diff) and of one rapidfuzz Indel opcodes call on the same two texts.
Target: < 1 s for each parse+align+diff figure on a 2-core machine.
"""

from __future__ import annotations

import argparse
import difflib
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Indel  # noqa: E402

from documents.align import align, summary  # noqa: E402
from documents.diff import render_diff_html, tokenize  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from bench_compare_page import largest_pair  # noqa: E402

try:  # the parser is written concurrently by a colleague
    from documents.ingest import parse_document  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the state of the tree
    parse_document = None



@dataclass(frozen=True)
class Clause:
    number: str
    heading: str
    text: str


# ----------------------------------------------------------------------------
# Synthetic versions
# ----------------------------------------------------------------------------


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    consonants, vowels = "bcdfghklmnprstvwz", "aeiou"
    words = set()
    while len(words) < size:
        n = rng.choice((1, 2, 2, 3, 3, 4))
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(n)))
    return sorted(words)


def synthetic_versions(seed: int = 7, n_clauses: int = 5000, clause_bytes: int = 200):
    """Two versions as (old clauses, new clauses, old markdown, new markdown, truth).

    ``truth`` maps each old clause index to the new index of the same clause
    (absent for deleted ones).

    Words follow a Zipf-like law so that, as in real terms, most words are common
    and each clause has a few rare ones. Sections of 10 clauses "N. Heading" with
    sub-clauses "N.k".
    """
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    cum, total = [], 0.0
    for r in range(len(vocab)):
        total += 1.0 / (r + 1)
        cum.append(total)

    def sentence(nbytes: int) -> str:
        words: list[str] = []
        size = 0
        while size < nbytes:
            for w in rng.choices(vocab, cum_weights=cum, k=16):
                words.append(w)
                size += len(w) + 1
                if size >= nbytes:
                    break
        s = " ".join(words)
        return s[0].upper() + s[1:] + "."

    def heading() -> str:
        return " ".join(rng.choice(vocab).capitalize() for _ in range(rng.randint(1, 3)))

    # Old version: a list of sections, each a heading + a list of clause texts.
    # Every section and clause carries an id so the true pairing is known.
    ids = iter(range(10**9))
    sections = []
    for _ in range(n_clauses // 10):
        sections.append([(next(ids), heading()), [(next(ids), sentence(clause_bytes)) for _ in range(9)]])

    new_sections = [[h, list(texts)] for h, texts in sections]
    for sec in new_sections:
        texts = sec[1]
        for k in range(len(texts)):
            r = rng.random()
            if r < 0.05:  # edit: replace / insert / delete a few words
                cid, text = texts[k]
                words = text.split()
                for _ in range(rng.randint(1, 4)):
                    p = rng.randrange(len(words))
                    op = rng.random()
                    if op < 0.4:
                        words[p] = rng.choice(vocab)
                    elif op < 0.7:
                        words.insert(p, rng.choice(vocab))
                    elif len(words) > 3:
                        del words[p]
                texts[k] = (cid, " ".join(words))
        if rng.random() < 0.2:  # delete a clause
            del texts[rng.randrange(len(texts))]
        if rng.random() < 0.2:  # insert a clause
            texts.insert(rng.randrange(len(texts) + 1), (next(ids), sentence(clause_bytes)))
    # Insert a few whole sections (everything after them is renumbered) and
    # reorder a few (moved).
    for _ in range(5):
        new_sections.insert(
            rng.randrange(len(new_sections)),
            [(next(ids), heading()), [(next(ids), sentence(clause_bytes)) for _ in range(6)]],
        )
    for _ in range(5):
        x = rng.randrange(len(new_sections))
        sec = new_sections.pop(x)
        new_sections.insert(rng.randrange(len(new_sections) + 1), sec)

    def render(secs):
        clauses, md, cids = [], [], []
        for s_no, ((hid, head), texts) in enumerate(secs, 1):
            clauses.append(Clause(f"{s_no}", head, ""))
            cids.append(hid)
            md.append(f"## {s_no}. {head}\n")
            for c_no, (cid, text) in enumerate(texts, 1):
                clauses.append(Clause(f"{s_no}.{c_no}", "", text))
                cids.append(cid)
                md.append(f"{s_no}.{c_no} {text}\n")
        return clauses, "\n".join(md), cids

    old_clauses, old_md, old_ids = render(sections)
    new_clauses, new_md, new_ids = render(new_sections)
    where = {cid: j for j, cid in enumerate(new_ids)}
    truth = {i: where[cid] for i, cid in enumerate(old_ids) if cid in where}
    return old_clauses, new_clauses, old_md, new_md, truth


# ----------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def compare(old_clauses, new_clauses):
    """Align, then word-diff every changed pair (what a comparison page does)."""
    rows = align(old_clauses, new_clauses)
    n_diffs = 0
    for r in rows:
        if r.changed:
            render_diff_html(old_clauses[r.old_index].text, new_clauses[r.new_index].text)
            n_diffs += 1
    return rows, n_diffs


def raw_costs(old_text: str, new_text: str, runs: int) -> None:
    la, lb = old_text.splitlines(), new_text.splitlines()
    t, _ = median_time(lambda: difflib.SequenceMatcher(None, la, lb).get_opcodes(), runs)
    print(f"    difflib SequenceMatcher on lines:  {t * 1000:8.1f} ms")
    t, _ = median_time(lambda: list(difflib.unified_diff(la, lb, lineterm="")), runs)
    print(f"    difflib unified_diff on lines:     {t * 1000:8.1f} ms")
    t, _ = median_time(lambda: Indel.opcodes(la, lb), runs)
    print(f"    rapidfuzz Indel.opcodes on lines:  {t * 1000:8.1f} ms")
    ta, tb = tokenize(old_text), tokenize(new_text)
    if len(ta) * len(tb) <= 2_000_000_000:
        t, _ = median_time(lambda: Indel.opcodes(ta, tb), 1)
        print(f"    rapidfuzz Indel.opcodes on {len(ta)}x{len(tb)} tokens (1 run): {t * 1000:8.1f} ms")
    else:
        print(f"    rapidfuzz Indel.opcodes on all tokens: skipped ({len(ta)}x{len(tb)} tokens, matrix too big)")


def report(label: str, old_text: str, new_text: str, old_clauses, new_clauses, runs: int, parse: bool):
    print(f"\n{label}: {len(old_text.encode()):,} + {len(new_text.encode()):,} bytes")
    if parse and parse_document is not None:
        t_parse, docs = median_time(lambda: (parse_document(old_text), parse_document(new_text)), runs)
        old_clauses, new_clauses = docs[0].clauses, docs[1].clauses
        print(f"    parse (both):                      {t_parse * 1000:8.1f} ms")
    else:
        t_parse = 0.0
    print(f"    clauses: {len(old_clauses):,} -> {len(new_clauses):,}")
    t_align, rows = median_time(lambda: align(old_clauses, new_clauses), runs)
    print(f"    align:                             {t_align * 1000:8.1f} ms")
    t_cmp, (rows, n_diffs) = median_time(lambda: compare(old_clauses, new_clauses), runs)
    print(f"    align + word-diff ({n_diffs} changed pairs): {t_cmp * 1000:8.1f} ms")
    print(f"    => parse + align + word-diff:      {(t_parse + t_cmp) * 1000:8.1f} ms   {summary(rows)}")
    raw_costs(old_text, new_text, runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"median of {args.runs} runs; parse_document available: {parse_document is not None}")

    # The pair with the most bytes in ../shared/corpus-wide, ../shared/corpus and
    # tests/corpus (bench_compare_page.py times the page and API on the same pair).
    old_path, new_path = largest_pair()
    old_text = old_path.read_text(encoding="utf-8")
    new_text = new_path.read_text(encoding="utf-8")
    label = f"largest pair {old_path.parent.relative_to(old_path.parents[2])}: {old_path.name} -> {new_path.name}"
    if parse_document is not None:
        report(label, old_text, new_text, None, None, args.runs, parse=True)
    else:
        print(f"\n{label}: skipped (documents.ingest.parse_document not available)")
        raw_costs(old_text, new_text, args.runs)

    t0 = time.perf_counter()
    old_c, new_c, old_md, new_md, truth = synthetic_versions()
    print(f"\n(generated synthetic versions in {time.perf_counter() - t0:.2f} s)")
    found = {r.old_index: r.new_index for r in align(old_c, new_c) if r.paired}
    right = sum(1 for i, j in found.items() if truth.get(i) == j)
    print(
        f"synthetic pairing vs ground truth: {right}/{len(truth)} true pairs found, "
        f"{len(found) - right} wrong pairs"
    )
    report("synthetic, clause lists built directly", old_md, new_md, old_c, new_c, args.runs, parse=False)
    if parse_document is not None:
        report("synthetic, parsed from markdown", old_md, new_md, None, None, args.runs, parse=True)


if __name__ == "__main__":
    main()
