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

With ``--gold FILE [--corpus DIR]`` it scores a blind gold file instead (the format of
../shared/review/README.md: decisions by verbatim snippets), parsing the two sources of
each pair with today's importer and applying score_alignment.py's rules to the
aligner's rows (splits and merges count when the rows link each other's clauses) and to
the baseline's, side by side. That is the blind measure without a database import.
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


# --------------------------------------------------------------------------------------
# A blind gold file (../shared/review/README.md format), scored as score_alignment.py
# scores /api/compare/ rows, for the aligner and the difflib baseline side by side.
# --------------------------------------------------------------------------------------

_FOLD = {ord(c): "" for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"}
_FOLD.update({ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032"})
_FOLD.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033"})
_FOLD.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2027"})


def _norm(s) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKC", str(s or "")).translate(_FOLD)
    return " ".join(s.split()).casefold()


def _side(c) -> str:
    return _norm(" ".join(str(getattr(c, k, "") or "") for k in ("number", "heading", "text", "closing")))


def aligner_rows(old, new) -> list[dict]:
    """Rows as /api/compare/ gives them: sides, and the split / merge links by clause."""
    rows = []
    for r in align(old, new):
        row = {"old": r.old_index, "new": r.new_index, "links": set()}
        if r.came_from is not None:
            row["links"].add(("old", r.came_from))
        row["links"].update(("new", j) for j in r.went_to)
        rows.append(row)
    return rows


def difflib_rows(old, new) -> list[dict]:
    pairs = difflib_pairs(old, new)
    rows = [{"old": i, "new": j, "links": set()} for i, j in sorted(pairs)]
    rows += [{"old": i, "new": None, "links": set()} for i in range(len(old)) if i not in {a for a, _ in pairs}]
    rows += [{"old": None, "new": j, "links": set()} for j in range(len(new)) if j not in {b for _, b in pairs}]
    return rows


def score_blind(rows: list[dict], old, new, decisions) -> dict:
    """score_alignment.py's rules: a gold pair is right when the row holding the old
    snippet holds the new one, or when the two rows link each other's clauses."""
    olds = [_side(old[r["old"]]) if r["old"] is not None else "" for r in rows]
    news = [_side(new[r["new"]]) if r["new"] is not None else "" for r in rows]
    out = dict.fromkeys(("correct", "wrong", "missed", "spurious", "right_unpaired", "not_found", "gold_pairs"), 0)

    def locate(snippet, texts):
        n = _norm(snippet)
        return sorted((i for i, t in enumerate(texts) if t and n in t), key=lambda i: (len(texts[i]), i))

    def linked(a, b):
        ra, rb = rows[a], rows[b]
        return (("old", ra["old"]) in rb["links"] and ra["old"] is not None) or (
            ("new", rb["new"]) in ra["links"] and rb["new"] is not None)

    for d in decisions:
        o, n = d.get("old"), d.get("new")
        if o is not None and n is not None:
            io, inn = locate(o, olds), locate(n, news)
            if not io or not inn:
                out["not_found"] += 1
                continue
            out["gold_pairs"] += 1
            row = rows[io[0]]
            if row["new"] is not None and _norm(n) in news[io[0]]:
                out["correct"] += 1
            elif io[0] != inn[0] and linked(io[0], inn[0]):
                out["correct"] += 1
            elif row["new"] is None:
                out["missed"] += 1
            else:
                out["wrong"] += 1
        else:
            side, texts = ("new", olds) if o is not None else ("old", news)
            found = locate(o if o is not None else n, texts)
            if not found:
                out["not_found"] += 1
            elif rows[found[0]][side] is None:
                out["right_unpaired"] += 1
            else:
                out["spurious"] += 1
    return out


def blind(gold_path: str, corpus: str) -> None:
    import json

    from documents.ingest import parse_document

    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    n_dec = sum(len(p["decisions"]) for p in gold)
    print(f"blind gold: {len(gold)} pairs, {n_dec} decisions from {gold_path}")
    parsed = []
    for pair in gold:
        base = Path(corpus) / pair["service"] / pair["document_type"]
        texts = [(base / f"{pair[k]}.md").read_text(encoding="utf-8") for k in ("old_date", "new_date")]
        parsed.append((pair, parse_document(texts[0]).clauses, parse_document(texts[1]).clauses))
    for name, method in (("documents.align", aligner_rows), ("difflib baseline", difflib_rows)):
        tot: dict[str, int] = {}
        for pair, old, new in parsed:
            for k, v in score_blind(method(old, new), old, new, pair["decisions"]).items():
                tot[k] = tot.get(k, 0) + v
        made = tot["correct"] + tot["wrong"] + tot["spurious"]
        print(f"{name:18s} precision {tot['correct'] / made if made else 0:.3f}  "
              f"recall {tot['correct'] / tot['gold_pairs'] if tot['gold_pairs'] else 0:.3f}  "
              f"({tot['correct']} correct, {tot['wrong']} wrong, {tot['missed']} missed, {tot['spurious']} spurious, "
              f"{tot['right_unpaired']} removed/added right, {tot['not_found']} not found)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="list every wrong and missed pair")
    parser.add_argument("--gold", help="a blind gold file (../shared/review/README.md format) to score instead")
    parser.add_argument("--corpus", default=str(ROOT.parent.parent / "shared" / "corpus-wide"),
                        help="where the blind gold's sources are (<service>/<document type>/<date>.md)")
    args = parser.parse_args()
    if args.gold:
        blind(args.gold, args.corpus)
        one_word_fix()
        return
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
