"""Clause alignment (documents.align): handmade cases, synthetic scale, real corpus.

The corpus tests run on ``documents.ingest.parse_document`` output and are
skipped while that function does not exist yet.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from documents.align import AlignedRow, align, normalize_number, summary

CORPUS = Path(__file__).resolve().parent / "corpus"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class C:
    number: str
    heading: str
    text: str


def R(old, new, status, similarity=1.0, changed=False, moved=False, renumbered=False):
    return AlignedRow(old, new, status, similarity, changed, moved, renumbered)


INTRO = C("1", "Introduction", "These terms govern your use of the Example service and website.")
ACCOUNT = C("2", "Your account", "You must keep your password secret and tell us about any misuse.")
FEES = C("3", "Fees", "You pay the fees shown on the pricing page, monthly in advance, by card.")
TERMINATION = C("4", "Termination", "Either of us may end this agreement with thirty days written notice.")
LAW = C("5", "Governing law", "The laws of Ireland govern these terms and any dispute about them.")
OLD = [INTRO, ACCOUNT, FEES, TERMINATION, LAW]


def renumber(clauses):
    return [C(str(k), c.heading, c.text) for k, c in enumerate(clauses, 1)]


# ---------------------------------------------------------------------------
# Handmade cases
# ---------------------------------------------------------------------------


def test_identical_versions_are_unchanged():
    assert align(OLD, OLD) == [R(k, k, "unchanged") for k in range(5)]
    assert summary(align(OLD, OLD)) == {
        "changed": 0, "added": 0, "removed": 0, "moved": 0, "renumbered": 0, "unchanged": 5, "total": 5,
    }


def test_insertion_shifts_numbers_renumbered_not_added_removed():
    privacy = C("", "Privacy", "We process personal data as our privacy notice describes.")
    new = renumber([INTRO, privacy, ACCOUNT, FEES, TERMINATION, LAW])
    assert align(OLD, new) == [
        R(0, 0, "unchanged"),
        R(None, 1, "added", 0.0),
        R(1, 2, "renumbered", renumbered=True),
        R(2, 3, "renumbered", renumbered=True),
        R(3, 4, "renumbered", renumbered=True),
        R(4, 5, "renumbered", renumbered=True),
    ]


def test_swapped_sections_are_moved():
    new = renumber([INTRO, ACCOUNT, TERMINATION, FEES, LAW])
    rows = align(OLD, new)
    assert rows == [
        R(0, 0, "unchanged"),
        R(1, 1, "unchanged"),
        R(3, 2, "renumbered", renumbered=True),
        R(2, 3, "moved", moved=True, renumbered=True),
        R(4, 4, "unchanged"),
    ]
    assert summary(rows)["moved"] == 1


def test_moved_keeping_numbers_is_moved_only():
    # Same printed numbers, different order (e.g. unnumbered bullets reordered).
    a = [C("", "", c.text) for c in OLD]
    b = [a[0], a[4], a[1], a[2], a[3]]
    assert align(a, b) == [
        R(0, 0, "unchanged"),
        R(4, 1, "moved", moved=True),
        R(1, 2, "unchanged"),
        R(2, 3, "unchanged"),
        R(3, 4, "unchanged"),
    ]


def test_edited_clause_is_changed_with_similarity():
    fees2 = C("3", "Fees", "You pay the fees shown on the pricing page, yearly in advance, by card or transfer.")
    rows = align(OLD, [INTRO, ACCOUNT, fees2, TERMINATION, LAW])
    assert [(r.old_index, r.new_index, r.status, r.changed) for r in rows] == [
        (0, 0, "unchanged", False),
        (1, 1, "unchanged", False),
        (2, 2, "changed", True),
        (3, 3, "unchanged", False),
        (4, 4, "unchanged", False),
    ]
    assert 0.7 < rows[2].similarity < 1.0


def test_edited_and_renumbered_is_changed_with_both_flags():
    fees2 = C("4", "Fees", "You pay the fees shown on the pricing page, yearly in advance, by card.")
    new = [INTRO, ACCOUNT, C("3", "Refunds", "Refunds are given within fourteen days of a purchase."), fees2,
           C("5", TERMINATION.heading, TERMINATION.text), C("6", LAW.heading, LAW.text)]
    rows = align(OLD, new)
    assert rows[3] == R(2, 3, "changed", rows[3].similarity, changed=True, renumbered=True)
    assert rows[2] == R(None, 2, "added", 0.0)
    assert summary(rows) == {
        "changed": 1, "added": 1, "removed": 0, "moved": 0, "renumbered": 3, "unchanged": 2, "total": 6,
    }


def test_deleted_clause_is_removed_and_placed_after_its_old_predecessor():
    new = renumber([INTRO, ACCOUNT, TERMINATION, LAW])
    assert align(OLD, new) == [
        R(0, 0, "unchanged"),
        R(1, 1, "unchanged"),
        R(2, None, "removed", 0.0),
        R(3, 2, "renumbered", renumbered=True),
        R(4, 3, "renumbered", renumbered=True),
    ]


def test_removed_first_clause_goes_first():
    assert align(OLD, OLD[1:])[0] == R(0, None, "removed", 0.0)


def test_identical_text_keeps_pairing_when_renumbered_and_moved():
    # FEES keeps its text but moves to the end and gets number 9; a new clause
    # with the same heading and similar words must not steal it.
    decoy = C("3", "Fees", "You pay the fees shown on the pricing page, monthly in arrears, by card.")
    moved_fees = C("9", "Fees", FEES.text)
    new = [INTRO, ACCOUNT, decoy, TERMINATION, LAW, moved_fees]
    rows = align(OLD, new)
    by_old = {r.old_index: r for r in rows if r.old_index is not None}
    assert by_old[2] == R(2, 5, "moved", moved=True, renumbered=True)
    assert R(None, 2, "added", 0.0) in rows


def test_identical_text_pairs_even_under_a_new_heading_and_number():
    new = [INTRO, ACCOUNT, C("3.4", "Payment", FEES.text), TERMINATION, LAW]
    row = align(OLD, new)[2]
    assert (row.old_index, row.new_index, row.status, row.changed, row.renumbered) == (2, 2, "changed", True, True)


def test_duplicate_identical_texts_pair_in_order():
    dup = "This section survives termination."
    a = [C("1", "", dup), C("2", "", "Alpha text about cookies."), C("3", "", dup)]
    b = [C("1", "", dup), C("2", "", "Alpha text about cookies."), C("3", "", dup)]
    assert [(r.old_index, r.new_index) for r in align(a, b)] == [(0, 0), (1, 1), (2, 2)]
    # One copy deleted: the remaining one pairs with the copy at the same place.
    b2 = [C("1", "", "Alpha text about cookies."), C("2", "", dup)]
    rows = align(a, b2)
    assert R(2, 1, "renumbered", renumbered=True) in rows
    assert R(0, None, "removed", 0.0) in rows


def test_whitespace_case_punctuation_and_typography():
    a = [C("1", "", "We may  change these Terms\u00a0at any time.")]
    # non-breaking space, doubled space, curly quotes: not a change at all
    assert align(a, [C("1.", "", "We may change these Terms at any time.")]) == [R(0, 0, "unchanged")]
    assert align([C("", "", "the “Service”")], [C("", "", 'the "Service"')]) == [R(0, 0, "unchanged")]
    # Case/punctuation-only differences still pair exactly (key), but are a change.
    row = align(a, [C("1", "", "we may change these terms, at any time")])[0]
    assert (row.old_index, row.new_index, row.status, row.changed) == (0, 0, "changed", True)
    assert row.similarity > 0.9


def test_number_only_is_not_a_match():
    # Same number, unrelated text: removed + added, not "changed".
    rows = align([C("7", "Warranty", "We give no warranty of any kind, express or implied.")],
                 [C("7", "Cookies", "Our websites store small files on your device to remember you.")])
    assert sorted(r.status for r in rows) == ["added", "removed"]


def test_heading_is_a_strong_signal():
    a = [C("4", "Indemnification", "You will defend us against claims arising from your content and use.")]
    b = [
        C("4", "Sanctions", "You will not use the services in countries under embargo or sanctions."),
        C("5", "Indemnification", "You will defend and hold us harmless against third party claims arising from your use."),
    ]
    rows = align(a, b)
    assert [(r.old_index, r.new_index, r.status) for r in rows] == [(None, 0, "added"), (0, 1, "changed")]


def test_renumbered_detection_normalises_markers():
    assert normalize_number("(h)") == "h"
    assert normalize_number("10.") == "10"
    assert normalize_number("**12.5**") == "12.5"
    assert normalize_number("(A)") == "A"
    a = [C("(h)", "", "process or collect personal or business credit card data")]
    b = [C("(g)", "", "process or collect personal or business credit card data")]
    assert align(a, b) == [R(0, 0, "renumbered", renumbered=True)]
    assert align(a, [C("h.", "", a[0].text)]) == [R(0, 0, "unchanged")]


def test_empty_inputs():
    assert align([], []) == []
    assert align(OLD[:1], []) == [R(0, None, "removed", 0.0)]
    assert align([], OLD[:1]) == [R(None, 0, "added", 0.0)]


def test_duck_typing_and_none_attributes():
    class Row:  # like a Django model instance with a nullable heading
        def __init__(self, number, heading, text):
            self.number, self.heading, self.text = number, heading, text

    rows = align([Row("1", None, "Some text here.")], [Row(None, None, "Some text here.")])
    assert rows == [R(0, 0, "renumbered", renumbered=True)]


def test_rows_are_frozen():
    row = align(OLD, OLD)[0]
    with pytest.raises(Exception):
        row.status = "added"  # type: ignore[misc]


def test_copied_list_pairs_with_the_copy_in_place():
    items = [C("", "", f"item {w} about the {w} rules of conduct") for w in ("alpha", "beta", "gamma", "delta")]
    head = C("1", "Conduct", "You agree not to post content that:")
    tail = C("2", "Privacy", "We process personal data as our privacy notice describes.")
    extra = C("3", "Colorado", "If you live in Colorado, content must not be any of the following:")
    new = [head, *items, tail, extra, *items]
    rows = align([head, *items, tail], new)
    assert [(r.old_index, r.new_index, r.status) for r in rows] == (
        [(0, 0, "unchanged"), (1, 1, "unchanged"), (2, 2, "unchanged"), (3, 3, "unchanged"),
         (4, 4, "unchanged"), (5, 5, "unchanged"), (None, 6, "added")]
        + [(None, j, "added") for j in range(7, 11)]
    )


def test_shortened_clause_still_pairs():
    long = C("", "", "is obscene, pornographic, violent or otherwise may offend human dignity, including "
                     "for example content that shows graphic violence, animal cruelty or self harm")
    short = C("", "", "is obscene, pornographic, violent or otherwise may offend human dignity;")
    rows = align([INTRO, long, LAW], [INTRO, short, LAW])
    assert rows[1].old_index == 1 and rows[1].new_index == 1 and rows[1].status == "changed"


def test_cross_document_pairs_by_subject_without_move_noise():
    a = [
        C("1", "", "You may not exceed any rate limitations on calling the API."),
        C("2", "", "You must keep your API token secret and must not share it."),
        C("3", "", "These restrictions are governed by the laws of California."),
    ]
    b = [
        C("7", "Governing Law", "The laws of California govern this agreement and disputes about it."),
        C("8", "Rate Limits", "You will not attempt to exceed or circumvent limits on API calls."),
        C("9", "Trademarks", "You may not use our logos without written permission."),
    ]
    rows = align(a, b, cross_document=True)
    pairs = {(r.old_index, r.new_index) for r in rows if r.paired}
    assert (0, 1) in pairs and (2, 0) in pairs
    assert (None, 2) in {(r.old_index, r.new_index) for r in rows}
    assert not any(r.moved or r.renumbered for r in rows)
    assert all(r.status in ("changed", "unchanged", "added", "removed") for r in rows)
    assert all(0 < r.similarity < 1 for r in rows if r.paired)


# ---------------------------------------------------------------------------
# Synthetic scale
# ---------------------------------------------------------------------------


def _synthetic(seed=1, n=5000):
    rng = random.Random(seed)
    syll = [c + v for c in "bcdfghklmnprstvwz" for v in "aeiou"]
    vocab = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(8000)})
    cum, tot = [], 0.0
    for r in range(len(vocab)):
        tot += 1 / (r + 1)
        cum.append(tot)
    texts = [" ".join(rng.choices(vocab, cum_weights=cum, k=32)) for _ in range(n)]
    items = list(enumerate(texts))  # (true id, text)
    new = []
    for cid, text in items:
        r = rng.random()
        if r < 0.02:
            continue  # deleted
        if r < 0.07:  # edited
            w = text.split()
            for _ in range(3):
                w[rng.randrange(len(w))] = rng.choice(vocab)
            text = " ".join(w)
        new.append((cid, text))
        if rng.random() < 0.02:
            new.append((-1, " ".join(rng.choices(vocab, cum_weights=cum, k=32))))
    for _ in range(20):  # reorder blocks
        x = rng.randrange(len(new) - 5)
        block = new[x : x + 5]
        del new[x : x + 5]
        y = rng.randrange(len(new))
        new[y:y] = block
    old_c = [C(str(k + 1), "", t) for k, t in enumerate(texts)]
    new_c = [C(str(k + 1), "", t) for k, (_, t) in enumerate(new)]
    truth = {cid: j for j, (cid, _) in enumerate(new) if cid >= 0}
    return old_c, new_c, truth


def test_synthetic_5000_clauses_accuracy_and_speed():
    old_c, new_c, truth = _synthetic()
    align(old_c[:50], new_c[:50])  # warm up
    t0 = time.process_time()  # CPU time: other processes on the machine do not inflate it
    rows = align(old_c, new_c)
    elapsed = time.process_time() - t0
    found = {r.old_index: r.new_index for r in rows if r.paired}
    assert found == truth
    assert sum(r.moved for r in rows) >= 50
    assert all(r.status in ("renumbered", "moved", "unchanged", "changed") for r in rows if r.paired)
    assert elapsed < 1.5, elapsed  # bench/bench_compare.py measures properly


def test_a_one_word_fix_prepares_only_the_changed_clause(monkeypatch):
    """Publishing a fix to a 2,000-clause document aligns it with the version before:
    verbatim runs are anchored by hash, so only what differs is read word by word."""
    import documents.align as align_module

    rnd = random.Random(5)
    old = [C(f"{k // 9}.{k % 9}", "", f"Clause {k}: " + " ".join(rnd.choice("abcdefgh") * 3 for _ in range(30)))
           for k in range(2000)]
    new = list(old)
    new[1234] = C(old[1234].number, "", old[1234].text.replace("Clause", "Section"))
    prepared = []
    real = align_module._strip_leading_number
    monkeypatch.setattr(align_module, "_strip_leading_number", lambda t, n: prepared.append(t) or real(t, n))
    rows = align(old, new)
    assert len(prepared) == 2  # the changed clause, on each side
    assert [r.status for r in rows].count("unchanged") == 1999
    assert rows[1234] == R(1234, 1234, "changed", rows[1234].similarity, changed=True)
    # A verbatim clause that moved is still found and marked moved.
    moved = old[:10] + old[11:1500] + [old[10]] + old[1500:]
    rows = align(old, moved)
    assert any(r.old_index == 10 and r.new_index == 1499 and r.moved for r in rows)
    assert sum(r.status == "unchanged" for r in rows) == 1999


# ---------------------------------------------------------------------------
# Real corpus (needs the ingest parser)
# ---------------------------------------------------------------------------

ingest = pytest.importorskip("documents.ingest")
parse_document = getattr(ingest, "parse_document", None)
needs_parser = pytest.mark.skipif(parse_document is None, reason="documents.ingest.parse_document not available yet")


@lru_cache(maxsize=None)
def parsed(path: str):
    raw = (CORPUS / path).read_text(encoding="utf-8")
    return parse_document(raw, filename=Path(path).name).clauses


def _versions():
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    docs: dict[str, list[str]] = {}
    for e in manifest:
        docs.setdefault(f"{e['service']}/{e['document_type']}", []).append(e["path"])
    return {k: sorted(v) for k, v in docs.items()}


CONSECUTIVE = [(a, b) for paths in _versions().values() for a, b in zip(paths, paths[1:])]


def _words(s):
    """Lower-case words joined by single spaces: "Third-Party" ~ "third party"."""
    return " ".join(re.findall(r"\w+", s.lower()))


def _find(clauses, number=None, heading=None, text_start=None):
    """Indices of clauses matching a printed number and/or heading words."""
    out = []
    for i, c in enumerate(clauses):
        if number is not None and normalize_number(c.number) != number:
            continue
        if heading is not None and _words(heading) not in _words(c.heading or ""):
            continue
        if text_start is not None and not " ".join((c.text or "").split()).lower().startswith(text_start.lower()):
            continue
        out.append(i)
    return out


def _pair(doc, old_date, new_date):
    old = parsed(f"{doc}/{old_date}.md")
    new = parsed(f"{doc}/{new_date}.md")
    rows = align(old, new)
    return old, new, rows


def _row_for_old(rows, i):
    return next(r for r in rows if r.old_index == i)


def _assert_section_renumbered(doc, old_date, new_date, heading, old_no, new_no):
    old, new, rows = _pair(doc, old_date, new_date)
    olds = _find(old, number=old_no, heading=heading)
    news = _find(new, number=new_no, heading=heading)
    assert olds, f"{heading!r} {old_no} not found in {doc}/{old_date}: parser output?"
    assert news, f"{heading!r} {new_no} not found in {doc}/{new_date}: parser output?"
    row = _row_for_old(rows, olds[0])
    assert row.new_index == news[0], (row, news)
    assert row.renumbered
    assert row.status in ("renumbered", "moved", "changed")
    return row


@needs_parser
@pytest.mark.parametrize(
    "heading,old_no,new_no",
    [("Publicity", "20", "19"), ("Contact Information", "19", "20"), ("Third Party Products", "3.4", "3")],
)
def test_cloudflare_2022_publicity_and_contact_swap(heading, old_no, new_no):
    _assert_section_renumbered(
        "cloudflare/terms-of-service", "2021-08-30", "2022-08-05", heading, old_no, new_no
    )


@needs_parser
def test_cloudflare_2025_regional_terms_inserted():
    doc = "cloudflare/terms-of-service"
    _assert_section_renumbered(doc, "2024-12-03", "2025-10-03", "Consent to Electronic", "18", "19")
    _assert_section_renumbered(doc, "2024-12-03", "2025-10-03", "Contact Information", "19", "20")
    old, new, rows = _pair(doc, "2024-12-03", "2025-10-03")
    regional = _find(new, number="18", heading="Regional Terms")
    assert regional
    assert next(r for r in rows if r.new_index == regional[0]).status == "added"


@needs_parser
def test_bumble_2025_sections_4_to_13_become_5_to_14():
    old, new, rows = _pair("bumble/terms-of-service", "2024-01-02", "2025-04-10")
    by_old = {r.old_index: r for r in rows if r.old_index is not None}
    checked = 0
    for n in range(4, 14):
        olds = [i for i in _find(old, number=str(n)) if old[i].heading]
        news = [j for j in _find(new, number=str(n + 1)) if new[j].heading]
        if not olds or not news:
            continue
        row = by_old[olds[0]]
        assert row.new_index == news[0], (n, old[olds[0]].heading, row)
        assert row.renumbered
        checked += 1
    assert checked >= 8
    colorado = [j for j in _find(new, number="4") if "colorado" in (new[j].heading or "").lower()]
    assert colorado and next(r for r in rows if r.new_index == colorado[0]).status == "added"


@needs_parser
def test_wise_2026_complaints_31_to_32():
    _assert_section_renumbered("wise/terms-of-service", "2026-05-01", "2026-08-07", "Complaints", "31", "32")
    old, new, rows = _pair("wise/terms-of-service", "2026-05-01", "2026-08-07")
    olds = _find(old, number="31.1")
    news = _find(new, number="32.1")
    assert olds and news
    assert _row_for_old(rows, olds[0]).new_index == news[0]


@needs_parser
def test_netflix_2024_6_2_to_6_6_become_6_1_to_6_5():
    old, new, rows = _pair("netflix/terms-of-service", "2021-03-03", "2024-09-01")
    for k in range(2, 7):
        olds = _find(old, number=f"6.{k}")
        news = _find(new, number=f"6.{k - 1}")
        assert olds and news, k
        row = _row_for_old(rows, olds[0])
        assert row.new_index == news[0], (k, row)
        assert row.renumbered


@needs_parser
def test_grammarly_commercial_12_6_to_12_16_shift_down():
    old, new, rows = _pair("grammarly/commercial-terms", "2023-10-28", "2024-07-18")
    checked = 0
    for k in range(6, 17):
        olds = _find(old, number=f"12.{k}")
        news = _find(new, number=f"12.{k - 1}")
        assert olds and news, k
        row = _row_for_old(rows, olds[0])
        assert row.new_index == news[0], (k, old[olds[0]].heading, row)
        assert row.renumbered
        checked += 1
    assert checked == 11


@needs_parser
def test_wordpress_feedback_inserted_shifts_later_sections():
    old, new, rows = _pair("wordpress-com/terms-of-service", "2019-11-05", "2023-03-09")
    feedback = _find(new, number="6", heading="Feedback")
    assert feedback
    assert next(r for r in rows if r.new_index == feedback[0]).status == "added"
    row = _assert_section_renumbered(
        "wordpress-com/terms-of-service", "2019-11-05", "2023-03-09", "General Representation", "6", "7"
    )
    assert row.old_index is not None


@needs_parser
def test_icloud_export_control_c_to_d():
    _assert_section_renumbered("icloud/terms-of-service", "2016-05-05", "2019-10-11", "Export Control", "C", "D")


@needs_parser
@pytest.mark.parametrize("old_path,new_path", CONSECUTIVE, ids=[f"{a}->{b[-13:-3]}" for a, b in CONSECUTIVE])
def test_unchanged_text_is_never_changed_added_or_removed(old_path, new_path):
    old, new = parsed(old_path), parsed(new_path)
    rows = align(old, new)
    # Every clause is in exactly one row.
    assert sorted(r.old_index for r in rows if r.old_index is not None) == list(range(len(old)))
    assert sorted(r.new_index for r in rows if r.new_index is not None) == list(range(len(new)))
    # Clauses whose heading and text are unchanged must pair with an identical
    # counterpart; with duplicates (pages captured twice, repeated summaries),
    # min(old copies, new copies) of them must.
    def key(c):
        return (c.heading or "", c.text or "")

    new_count = Counter(key(c) for c in new)
    old_count = Counter(key(c) for c in old)
    kept: Counter = Counter()
    for r in rows:
        if r.old_index is None or r.new_index is None:
            continue
        k = key(old[r.old_index])
        if k == key(new[r.new_index]):
            assert r.status in ("unchanged", "renumbered", "moved"), (r, k[0], k[1][:60])
            kept[k] += 1
    for k, n_old in old_count.items():
        if k[1].strip() and k in new_count:
            assert kept[k] == min(n_old, new_count[k]), (k[0], k[1][:80], n_old, new_count[k])


# ---------------------------------------------------------------------------
# Cross-document mode (seeds)
# ---------------------------------------------------------------------------


def _seed(prefix):
    return next(SEEDS.glob(f"{prefix}_*")).read_text(encoding="utf-8")


@needs_parser
def test_cross_document_zendesk_vs_clickdesk_rate_limits():
    # The Zendesk page has no numbers or headings: ingest makes each paragraph a clause.
    paragraphs = parse_document(_seed("000"), filename="zendesk.txt").clauses
    clickdesk = parse_document(_seed("001"), filename="clickdesk.txt").clauses
    assert len(paragraphs) >= 10
    rows = align(paragraphs, clickdesk, cross_document=True)
    assert not any(r.moved or r.renumbered for r in rows)
    rate_z = [i for i, c in enumerate(paragraphs) if "rate limitations" in c.text]
    rate_c = [j for j, c in enumerate(clickdesk) if "rate limits" in c.heading.lower()]
    assert rate_z and rate_c
    row = next(r for r in rows if r.old_index == rate_z[0])
    assert row.new_index == rate_c[0]
    assert 0.3 <= row.similarity < 1 and row.status == "changed"
    # Other subjects find their counterparts too.
    reverse = next(i for i, c in enumerate(paragraphs) if "reverse engineer" in c.text)
    reverse_c = next(j for j, c in enumerate(clickdesk) if c.heading == "Reverse engineering")
    assert next(r for r in rows if r.old_index == reverse).new_index == reverse_c


def test_letter_numbers_do_not_eat_the_first_letter_of_the_text():
    a = [C("3", "", "Characteristics of protected classifications;")]
    b = [C("C", "", "Characteristics of protected classifications;")]
    assert align(a, b) == [R(0, 0, "renumbered", renumbered=True)]
    # A parser that leaves the number in the text: still the same clause.
    assert align([C("10", "", "10. Fees apply.")], [C("9", "", "9. Fees apply.")]) == [
        R(0, 0, "renumbered", renumbered=True)
    ]
