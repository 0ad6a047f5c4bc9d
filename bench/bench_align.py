"""Alignment quality on the hand-made gold set, beside a plain difflib baseline.

Run:  .venv/bin/python bench/bench_align.py [--verbose]

For each gold pair (tests/gold/pairs/*.json: the clause lists as parsed when the
pairs were judged, and one decision per old clause) it aligns old -> new and counts:

- precision: predicted pairs that the gold set also pairs / predicted pairs
  (pairs involving an old clause marked ambiguous are left out);
- recall: gold pairs predicted / gold pairs;
- false continuities: predicted pairs, not in the gold set, whose heading+text share
  under 30 % of their words (a lineage key carried over to an unrelated text),
  as a share of predicted pairs;
- time per pair (median of 3 runs).

Then the publishing case of issue 13: a one-word fix to the synthetic 2,231-clause terms
of bench/corpus_tools.py, aligned with the version before it (median and best of 9;
identical clauses are anchored by hash first, so this should cost little more than
reading the clauses once).

The baseline is difflib.SequenceMatcher over the clauses' normalised texts: equal
runs pair, and inside a "replace" block clauses pair in order.
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from documents.align import align  # noqa: E402
from tests.gold.goldset import FILES, gold_pairs, load  # noqa: E402

_W = re.compile(r"\w+")


def difflib_pairs(old, new) -> set[tuple[int, int]]:
    ka = [" ".join(_W.findall((c.heading + " " + c.text).casefold())) for c in old]
    kb = [" ".join(_W.findall((c.heading + " " + c.text).casefold())) for c in new]
    out = set()
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        if tag in ("equal", "replace"):
            out.update(zip(range(a0, a1), range(b0, b1)))
    return out


def aligner_pairs(old, new) -> set[tuple[int, int]]:
    return {(r.old_index, r.new_index) for r in align(old, new) if r.old_index is not None and r.new_index is not None}


def _words(c) -> str:
    return " ".join(_W.findall((c.heading + " " + c.text).casefold()))


def word_ratio(a, b) -> float:
    wa, wb = _words(a).split(), _words(b).split()
    if not wa or not wb:
        return 0.0
    voc: dict[str, int] = {}
    ca = "".join(chr(0x100 + voc.setdefault(w, len(voc))) for w in wa)
    cb = "".join(chr(0x100 + voc.setdefault(w, len(voc))) for w in wb)
    return fuzz.ratio(ca, cb) / 100


def score(method, files, verbose=False):
    tp = pred = gold_n = false_cont = 0
    times = []
    for path in files:
        old, new, data = load(path)
        gold, ambiguous = gold_pairs(old, new, data["pairs"])
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            got = method(old, new)
            runs.append(time.perf_counter() - t)
        times.append(statistics.median(runs))
        got = {(i, j) for i, j in got if i not in ambiguous}
        good = {(i, j) for i, j in got if gold.get(i) == j}
        bad = got - good
        fc = [(i, j) for i, j in bad if word_ratio(old[i], new[j]) < 0.3]
        tp += len(good)
        pred += len(got)
        gold_n += len(gold)
        false_cont += len(fc)
        if verbose:
            print(f"  {path.stem}: {len(good)}/{len(got)} predicted right, {len(good)}/{len(gold)} gold found")
            for i, j in sorted(bad):
                want = gold.get(i)
                print(f"    WRONG {old[i].anchor} -> {new[j].anchor} (gold: {new[want].anchor if want is not None else 'none'})"
                      f"{' [false continuity]' if (i, j) in fc else ''}")
            for i, j in sorted(set(gold.items()) - good):
                if not any(x == i for x, _ in got):
                    print(f"    MISSED {old[i].anchor} -> {new[j].anchor}")
    return {
        "precision": tp / pred if pred else 1.0,
        "recall": tp / gold_n if gold_n else 1.0,
        "false_continuity": false_cont / pred if pred else 0.0,
        "pairs": pred,
        "gold": gold_n,
        "ms_per_pair": 1000 * statistics.mean(times),
        "ms_max": 1000 * max(times),
    }


def one_word_fix(runs: int = 9) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from corpus_tools import synthetic_text

    from documents.ingest import parse_document

    text = synthetic_text()
    words = text.split(" ")
    words[len(words) // 2] = "amended"
    old, new = parse_document(text).clauses, parse_document(" ".join(words)).clauses
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        rows = align(old, new)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    changed = sum(r.changed for r in rows)
    print(f"one-word fix, {len(old):,} -> {len(new):,} clauses ({changed} changed): "
          f"align {1000 * statistics.median(times):.1f} ms median, {1000 * min(times):.1f} ms best of {runs} "
          f"(CPU {1000 * statistics.median(cpu):.1f} ms median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="list every wrong and missed pair")
    args = parser.parse_args()
    files = FILES
    print(f"gold set: {len(files)} version pairs from tests/gold/pairs/")
    for name, method in (("documents.align", aligner_pairs), ("difflib baseline", difflib_pairs)):
        if args.verbose:
            print(name)
        s = score(method, files, verbose=args.verbose)
        print(
            f"{name:18s} precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
            f"false continuities {s['false_continuity']:.1%}  ({s['pairs']} predicted, {s['gold']} gold pairs)  "
            f"{s['ms_per_pair']:.1f} ms per version pair (max {s['ms_max']:.1f})"
        )
    one_word_fix()


if __name__ == "__main__":
    main()
