"""Pairing that follows the words (documents.wordflow + documents.align): splits and
merges, moves, removals next to moves, repeated formulas, closings; and the one kind of
change per pair (documents.kinds)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from documents import kinds, wordflow
from documents.align import align


@dataclass(frozen=True)
class C:
    number: str
    heading: str
    text: str
    closing: str = ""


PAY = "You pay every invoice within thirty days of receiving it, in euro, by bank transfer to the named account."
LATE = "Late payments carry interest at eight percent a year from the day after the due date until we are paid."
SUPPORT = "Support answers questions on working days between nine and five, by chat, telephone or email."
AUDIT = "We may audit your use of the service once a year with reasonable notice given in writing to you."
RECORDS = "You keep records of your use of the service for three years after the end of this agreement."
DNT = "Our sites do not respond to Do Not Track signals sent by browsers, because no common standard exists."
COOKIES = "We use cookies and similar technologies to remember your choices and to measure how the site is used."
SECURITY = "We protect personal data with encryption at rest and in transit and restrict access to trained staff."


def _kinds(old, new):
    rows = align(old, new)
    return rows, kinds.row_kinds(rows, old, new)


def test_a_split_links_every_part_to_the_old_clause():
    old = [C("1", "Payment", f"{PAY} {LATE}"), C("2", "Support", SUPPORT)]
    new = [C("1", "Payment", PAY), C("2", "Late payment", LATE), C("3", "Support", SUPPORT)]
    rows, ks = _kinds(old, new)
    by_new = {r.new_index: (r, k) for r, k in zip(rows, ks)}
    assert by_new[0][0].old_index == 0 and by_new[0][1] == "split"
    assert by_new[1][0].old_index is None and by_new[1][0].came_from == 0 and by_new[1][1] == "split"
    assert by_new[2][1] == "renumbered"


def test_a_three_way_split_of_a_removed_clause_lists_its_destinations():
    old = [C("1", "Terms", f"{PAY} {LATE} {AUDIT}")]
    new = [C("1", "Invoices", PAY), C("2", "Interest", LATE), C("3", "Audits", AUDIT)]
    rows, ks = _kinds(old, new)
    # The largest part continues it; the others say where they came from.
    parts = [r for r in rows if r.came_from == 0]
    paired = [r for r in rows if r.old_index == 0]
    assert len(paired) == 1 and len(parts) == 2 and set(ks) == {"split"}


def test_a_merge_links_the_absorbed_clause_to_its_destination():
    old = [C("1", "Audit", AUDIT), C("2", "Records", RECORDS), C("3", "Support", SUPPORT)]
    new = [C("1", "Audit and records", f"{AUDIT} {RECORDS}"), C("2", "Support", SUPPORT)]
    rows, ks = _kinds(old, new)
    removed = [(r, k) for r, k in zip(rows, ks) if r.new_index is None]
    assert len(removed) == 1 and removed[0][0].went_to == (0,) and removed[0][1] == "merged"
    assert next(k for r, k in zip(rows, ks) if r.new_index == 0) == "merged"


def test_a_removed_provision_stays_removed_when_its_neighbour_moves_into_its_place():
    # Do Not Track is deleted; the paragraph after it (Cookies) moves to the end.
    old = [C("1", "Do Not Track", DNT), C("2", "Cookies", COOKIES), C("3", "Security", SECURITY),
           C("4", "Support", SUPPORT)]
    new = [C("1", "Security", SECURITY), C("2", "Support", SUPPORT), C("3", "Cookies", COOKIES)]
    rows, ks = _kinds(old, new)
    dnt = next((r, k) for r, k in zip(rows, ks) if r.old_index == 0)
    assert dnt[0].new_index is None and dnt[0].went_to == () and dnt[1] == "removed"
    assert next(k for r, k in zip(rows, ks) if r.old_index == 1) == "moved"


def test_an_edited_provision_is_paired_not_removed_and_added():
    old = [C("1", "Security", SECURITY), C("2", "Support", SUPPORT)]
    reworded = ("We protect personal data with strong encryption at rest and in transit, test our systems every "
                "quarter and restrict access to staff who were trained.")
    new = [C("1", "Keeping data safe", reworded), C("2", "Support", SUPPORT)]
    rows, ks = _kinds(old, new)
    assert (rows[0].old_index, rows[0].new_index) == (0, 0) and ks[0] == "substantive"


FORMULA = ("You agree and instruct that for {s} we may process content you submit to improve and develop the "
           "quality of the service and related machine learning technologies, and store it outside the region.")
DISCLAIMER = "{s} is provided as is and we are not liable for any damages arising from your use of {s} or its outputs."
SERVICES = ["Alexa for Business", "Amazon Polly", "Amazon Lex", "Amazon Rekognition", "Amazon Textract",
            "Amazon Comprehend", "Amazon Kendra", "Amazon Transcribe"]


def _per_service(names):
    out = []
    for k, s in enumerate(names, 1):
        out += [C(f"{k}.1", s, f"{s} lets you build applications with its own programming interface."),
                C(f"{k}.2", "", FORMULA.format(s=s)), C(f"{k}.3", "", DISCLAIMER.format(s=s))]
    return out


def test_a_formula_every_section_repeats_pairs_no_two_services():
    # One service dropped, another added in its place: their clauses share only the
    # formulas the document repeats for every service, which are no evidence.
    old = _per_service(SERVICES)
    new = _per_service(["Entity Resolution", *SERVICES[1:]])
    rows, ks = _kinds(old, new)
    for r, k in zip(rows, ks):
        if r.old_index is not None and r.old_index < 3:
            assert r.new_index is None and r.went_to == () and k == "removed", (r, k)
        if r.new_index is not None and r.new_index < 3:
            assert r.old_index is None and r.came_from is None and k == "added", (r, k)
    # An edit to one service's formula clause still pairs (its name is rare).
    edited = list(old)
    edited[4] = C("2.2", "", FORMULA.format(s="Amazon Polly").replace("improve and develop", "improve"))
    rows, ks = _kinds(old, edited)
    assert any(r.old_index == 4 and r.new_index == 4 and k == "substantive" for r, k in zip(rows, ks))


def test_the_closing_is_read_with_the_text_once():
    # documents.ingest: a clause's text holds its lead-in and its closing; the closing
    # field repeats the closing's words (as markdown) and must not count twice.
    old = [C("1", "Sharing", "We share data with: We never sell it.", closing="We never sell it."),
           C("2", "Support", SUPPORT)]
    new = [C("1", "Sharing", "We share data with: We never sell it to anyone.", closing="We never sell it to anyone."),
           C("2", "Support", SUPPORT)]
    rows, ks = _kinds(old, new)
    assert rows[0].changed and ks[0] == "substantive"
    assert _kinds(old, list(old))[1] == ["unchanged", "unchanged"]
    from documents.align import _prepare

    assert _prepare(old)[0].words == "we share data with we never sell it".split()


def test_word_flow_counts_where_the_words_went():
    flow = wordflow.word_flow(
        [(0, "alpha beta gamma delta epsilon zeta".split()), (1, "eta theta iota kappa".split())],
        [(0, "eta theta iota kappa".split()), (1, "alpha beta gamma delta".split()), (2, "epsilon zeta".split())],
    )
    # Old 0's six words: four went to new 1, two to new 2 (a split); old 1 moved whole.
    assert flow.count == {(0, 1): 4, (0, 2): 2, (1, 0): 4}
    assert flow.share_old(0, 1) == pytest.approx(4 / 6) and flow.share_new(1, 0) == 1.0
    assert [j for j, _ in flow.destinations(0)] == [1, 2]


# --- documents.kinds -----------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "flags", "kind"), [
    (C("3", "Fees", 'Pay "on time".'), C("3", "Fees", "Pay \u201con time\u201d."), {}, "editorial"),
    (C("3", "Fees", "Pay on time."), C("3", "Fees", "Pay  on time ."), {}, "editorial"),
    (C("3", "Fees", "Pay on time."), C("3", "Fees", "pay on time."), {}, "editorial"),
    (C("3", "Fees", "Pay on time - always."), C("3", "Fees", "Pay on time \u2014 always."), {}, "editorial"),
    (C("3", "Fees", "Pay on time."), C("4", "Fees", "Pay on time."), {}, "renumbered"),
    (C("(a)", "", "Pay on time."), C("a.", "", "Pay on time."), {}, "unchanged"),
    (C("(a)", "", "Pay on time."), C("(A)", "", "Pay on time."), {}, "renumbered"),
    (C("3", "Fees", "Pay on time."), C("4", "Fees", "Pay on time."), {"moved": True}, "moved"),
    (C("3", "Fees", "Pay on time."), C("3", "Fees", 'Pay "on time".'), {"moved": True}, "moved"),
    (C("3", "Fees", "Pay on time."), C("3", "Fees", "Pay late."), {"moved": True}, "substantive"),
    (C("3", "Fees", "Pay on time."), C("3", "Charges", "Pay on time."), {}, "substantive"),
    (C("3", "Fees", "Pay on time."), C("3", "Fees", "Pay late."), {"split": True}, "split"),
    (C("3", "Fees", "Pay on time."), None, {"merged": True}, "merged"),
    (None, C("3", "Fees", "Pay on time."), {}, "added"),
    (C("3", "Fees", "Pay on time."), None, {}, "removed"),
    (C("3", "Fees", "Pay on time."), C("3", "Fees", "Pay on time."), {}, "unchanged"),
])
def test_change_kind(old, new, flags, kind):
    assert kinds.change_kind(old, new, **flags) == kind


def test_change_kind_needs_a_side():
    with pytest.raises(ValueError):
        kinds.change_kind(None, None)
