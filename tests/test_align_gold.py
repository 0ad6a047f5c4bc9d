"""The aligner on the hand-made gold set (tests/gold/): real, hard version pairs.

The gold files hold the clause lists as they were parsed when the pairs were judged,
so these tests measure the aligner, not the importer. A second test re-parses the
copied sources with today's importer and re-resolves the gold pairs by number and
heading, so importer changes that break alignment show up too.
"""

from __future__ import annotations

import re

import pytest

from documents.align import align
from tests.gold.goldset import FILES, GOLD, gold_pairs
from tests.gold.goldset import load as _load

_W = re.compile(r"\w+")


def _score(old, new, decisions):
    gold, ambiguous = gold_pairs(old, new, decisions)
    got = {(r.old_index, r.new_index) for r in align(old, new) if r.paired and r.old_index not in ambiguous}
    good = {(i, j) for i, j in got if gold.get(i) == j}
    return len(good), len(got), len(gold), got - good


def test_gold_set_is_big_enough_and_well_formed():
    assert len(FILES) >= 12
    for path in FILES:
        old, new, data = _load(path)
        anchors_new = {c.anchor for c in new}
        assert [d["old"] for d in data["pairs"]] == [c.anchor for c in old]
        targets = [d["new"] for d in data["pairs"] if d["new"] not in (None, "?")]
        assert len(targets) == len(set(targets)) and set(targets) <= anchors_new, path.stem
        assert all(d["why"] for d in data["pairs"])
        assert (GOLD / "sources" / data["old_path"]).exists() and (GOLD / "sources" / data["new_path"]).exists()


def test_precision_and_recall_on_the_gold_set():
    tp = pred = gold = 0
    for path in FILES:
        old, new, data = _load(path)
        g, p, n, _ = _score(old, new, data["pairs"])
        tp, pred, gold = tp + g, pred + p, gold + n
    assert tp / pred >= 0.97, (tp, pred)
    assert tp / gold >= 0.95, (tp, gold)


def _share(a, b) -> float:
    wa = _W.findall((a.heading + " " + a.text).casefold())
    wb = _W.findall((b.heading + " " + b.text).casefold())
    if not wa or not wb:
        return 1.0  # a bare title: judged by the heading tests
    sa, sb = set(wa), set(wb)
    return len(sa & sb) / min(len(sa), len(sb))


def test_no_key_continues_across_texts_that_share_little():
    wrong = []
    pairs = 0
    for path in FILES:
        old, new, data = _load(path)
        _, p, _, bad = _score(old, new, data["pairs"])
        pairs += p
        wrong += [(path.stem, old[i].anchor, new[j].anchor) for i, j in bad if _share(old[i], new[j]) < 0.3]
    assert len(wrong) <= 0.01 * pairs, wrong


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_gold_pair_mostly_right(path):
    old, new, data = _load(path)
    good, got, gold, bad = _score(old, new, data["pairs"])
    assert good >= 0.85 * gold and len(bad) <= max(2, 0.1 * got), [(old[i].anchor, new[j].anchor) for i, j in bad]


def test_gold_pairs_still_found_after_a_fresh_parse():
    """Re-parse the sources with today's importer; resolve gold pairs by number + heading."""
    from documents.ingest import parse_document

    found = total = 0
    for path in FILES:
        _, _, data = _load(path)
        old = parse_document((GOLD / "sources" / data["old_path"]).read_text(), filename=data["old_path"]).clauses
        new = parse_document((GOLD / "sources" / data["new_path"]).read_text(), filename=data["new_path"]).clauses

        def index(clauses):
            out = {}
            for i, c in enumerate(clauses):
                out.setdefault((c.number, " ".join(c.heading.split())), []).append(i)
            return {k: v[0] for k, v in out.items() if len(v) == 1 and (k[0] or k[1])}

        ia, ib = index(old), index(new)
        pairs = {(r.old_index, r.new_index) for r in align(old, new) if r.paired}
        for d in data["pairs"]:
            if d["new"] in (None, "?"):
                continue
            i = ia.get((d["old_number"], " ".join(d["old_heading"].split())))
            j = ib.get((d["new_number"], " ".join(d["new_heading"].split())))
            if i is None or j is None:
                continue  # the importer now splits this clause differently
            total += 1
            found += (i, j) in pairs
    assert total >= 200 and found >= 0.9 * total, (found, total)
