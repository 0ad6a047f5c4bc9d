"""Word-level diff and its HTML rendering (documents.diff). No Django needed."""

from __future__ import annotations

import random

import pytest

from documents.diff import render_diff_html, render_inline_diff_html, tokenize, word_diff


def _old(ops):
    return "".join(t for op, t in ops if op != "insert")


def _new(ops):
    return "".join(t for op, t in ops if op != "delete")


def test_tokenize_words_whitespace_punctuation():
    assert tokenize("Fees, (if any)  apply.") == ["Fees", ",", " ", "(", "if", " ", "any", ")", "  ", "apply", "."]
    assert "".join(tokenize("a\u00a0b\n\nc")) == "a\u00a0b\n\nc"


def test_replace_one_word():
    assert word_diff("The cat sat.", "The dog sat.") == [
        ("equal", "The "),
        ("delete", "cat"),
        ("insert", "dog"),
        ("equal", " sat."),
    ]


def test_insert_and_delete_only():
    assert word_diff("pay the fees", "pay all the fees") == [
        ("equal", "pay "),
        ("insert", "all "),
        ("equal", "the fees"),
    ]
    assert word_diff("pay all the fees", "pay the fees") == [
        ("equal", "pay "),
        ("delete", "all "),
        ("equal", "the fees"),
    ]


def test_punctuation_change_marks_only_the_mark():
    assert word_diff("within 30 days, or", "within 30 days; or") == [
        ("equal", "within 30 days"),
        ("delete", ","),
        ("insert", ";"),
        ("equal", " or"),
    ]


def test_adjacent_changes_merge_into_one_phrase():
    # The single space between two replaced words is folded into the change,
    # and all deleted text precedes all inserted text.
    assert word_diff("we may suspend access now", "we will terminate access now") == [
        ("equal", "we "),
        ("delete", "may suspend"),
        ("insert", "will terminate"),
        ("equal", " access now"),
    ]
    ops = word_diff("a b c", "x y z")
    assert ops == [("delete", "a b c"), ("insert", "x y z")]


def test_empty_and_identical():
    assert word_diff("", "") == []
    assert word_diff("same text", "same text") == [("equal", "same text")]
    assert word_diff("", "new") == [("insert", "new")]
    assert word_diff("old", "") == [("delete", "old")]
    assert word_diff(None, "x") == [("insert", "x")]  # type: ignore[arg-type]


def test_no_two_adjacent_ops_share_a_tag():
    rng = random.Random(3)
    words = "the fees terms service you we may shall not , . ; ( )".split()
    for _ in range(200):
        a = " ".join(rng.choice(words) for _ in range(rng.randint(0, 25)))
        b = " ".join(rng.choice(words) for _ in range(rng.randint(0, 25)))
        ops = word_diff(a, b)
        assert _old(ops) == a and _new(ops) == b
        for (op1, _), (op2, _) in zip(ops, ops[1:]):
            assert op1 != op2
            assert (op1, op2) != ("insert", "delete")  # deletes come first
        assert all(t for _, t in ops)


def test_very_long_texts_fall_back_to_sentences_and_stay_exact():
    rng = random.Random(5)
    sentences = [f"Sentence {k} says {rng.random():.6f} about the service." for k in range(3000)]
    a = " ".join(sentences)
    edited = list(sentences)
    edited[1500] = "Sentence 1500 now says something else entirely."
    del edited[10]
    b = " ".join(edited)
    ops = word_diff(a, b)
    assert _old(ops) == a and _new(ops) == b
    changed = [t for op, t in ops if op != "equal"]
    assert sum(map(len, changed)) < 300


def test_render_diff_html_exact():
    assert render_diff_html("You must pay within 30 days.", "You must pay within 14 days.") == (
        "You must pay within <del>30</del> days.",
        "You must pay within <ins>14</ins> days.",
    )


def test_render_inline_diff_html_exact():
    assert render_inline_diff_html("We may suspend your account.", "We may close your account.") == (
        "We may <del>suspend</del><ins>close</ins> your account."
    )


def test_xss_every_token_is_escaped():
    old = 'Click <a href="x">here</a> & see <script>alert("pwned")</script>'
    new = "Click <a href='y'>here</a> & see <script>alert(1)</script><img src=x onerror=alert(2)>"
    old_html, new_html = render_diff_html(old, new)
    assert old_html == (
        "Click &lt;a href=<del>&quot;x&quot;</del>&gt;here&lt;/a&gt; &amp; see "
        "&lt;script&gt;alert(<del>&quot;pwned&quot;</del>)&lt;/script&gt;"
    )
    assert new_html == (
        "Click &lt;a href=<ins>&#x27;y&#x27;</ins>&gt;here&lt;/a&gt; &amp; see "
        "&lt;script&gt;alert(<ins>1</ins>)&lt;/script&gt;"
        "<ins>&lt;img src=x onerror=alert(2)&gt;</ins>"
    )
    inline = render_inline_diff_html(old, new)
    assert inline == (
        "Click &lt;a href=<del>&quot;x&quot;</del><ins>&#x27;y&#x27;</ins>&gt;here&lt;/a&gt; &amp; see "
        "&lt;script&gt;alert(<del>&quot;pwned&quot;</del><ins>1</ins>)&lt;/script&gt;"
        "<ins>&lt;img src=x onerror=alert(2)&gt;</ins>"
    )
    # Only our own tags survive as markup.
    for out in (old_html, new_html, inline):
        stripped = out.replace("<del>", "").replace("</del>", "").replace("<ins>", "").replace("</ins>", "")
        assert "<" not in stripped and ">" not in stripped and '"' not in stripped and "'" not in stripped


def test_unchanged_text_is_still_escaped():
    assert render_diff_html("a < b & c", "a < b & c") == ("a &lt; b &amp; c", "a &lt; b &amp; c")
    assert render_inline_diff_html("", "") == ""


@pytest.mark.parametrize(
    "old,new",
    [
        ("Fees are due monthly.", "Fees are due yearly, in advance."),
        ("1. Intro\n\n2. Scope", "1. Intro\n\n2. Scope and purpose"),
        ("“Quoted” — text", '"Quoted" - text'),
    ],
)
def test_html_roundtrip_to_text(old, new):
    import html
    import re

    old_html, new_html = render_diff_html(old, new)
    assert html.unescape(re.sub(r"</?del>", "", old_html)) == old
    assert html.unescape(re.sub(r"</?ins>", "", new_html)) == new


def test_change_kind_separates_editorial_from_substantive():
    from documents.diff import change_kind

    assert change_kind("Fees apply.", "Fees apply.") == "unchanged"
    assert change_kind("Fees, if any, apply.", "Fees if any apply.") == "editorial"
    assert change_kind("the “Service” - online", "the \"service\" — online") == "editorial"
    assert change_kind("non-exclusive", "non\u2011exclusive") == "editorial"
    assert change_kind("laws of California", "laws of Delaware") == "substantive"
    assert change_kind("you may", "you may not") == "substantive"


# --- Moved sentences and bullets, separate edits ---------------------------------------

BULLETS_OLD = ("We share data with:\n- advertisers who buy ads on Facebook or Instagram today;\n"
               "- service providers that host our systems for us;\n- law enforcement when the law requires it of us.\n")
BULLETS_NEW = ("We share data with:\n- service providers that host our systems for us;\n"
               "- law enforcement when the law requires it of us.\n- advertisers who buy ads on Facebook today;\n")


def test_a_reordered_bullet_is_moved_and_its_edit_marked_inside_it():
    from documents.diff import moved_segments, render_diff_html_with_moves

    assert moved_segments(BULLETS_OLD, BULLETS_NEW) == [(1, 3)]
    old_html, new_html = render_diff_html_with_moves(BULLETS_OLD, BULLETS_NEW)
    assert ('<span class="moved-away" data-move="1" title="moved">- advertisers who buy ads on Facebook or '
            'Instagram today;</span>') in old_html
    assert ('<span class="moved" data-move="1" title="moved">- advertisers who buy ads on Facebook '
            '<del>or Instagram </del>today;</span>') in new_html
    # The bullets that kept their order are not marked at all.
    assert "- service providers that host our systems for us;\n- law enforcement" in new_html
    assert "<ins>- service" not in new_html and "<del>- service" not in old_html


def test_no_move_in_place_and_the_plain_diff_otherwise():
    from documents.diff import moved_segments, render_diff_html, render_diff_html_with_moves

    # An edit in place is an edit, not a move.
    old = "First sentence of the clause here. Second sentence says thirty days. Third one stays."
    new = "First sentence of the clause here. Second sentence says fourteen days. Third one stays."
    assert moved_segments(old, new) == []
    assert render_diff_html_with_moves(old, new) == render_diff_html(old, new)
    # Two sentences swapped: the one that left its place is the moved one.
    swapped = "Third one stays put here. First sentence of the clause here. Second sentence says thirty days."
    base = "First sentence of the clause here. Second sentence says thirty days. Third one stays put here."
    assert moved_segments(base, swapped) == [(2, 0)]
    # Markup in moved text is escaped like any other.
    o, n = render_diff_html_with_moves("<b>Bold claim of four words.</b> Next words go here.",
                                       "Next words go here. <b>Bold claim of four words.</b>")
    assert "<b>" not in o + n and "&lt;b&gt;" in n


def test_edit_hunks_lists_each_separate_edit_with_context():
    from documents.diff import edit_hunks

    old = "one two three four five six seven eight nine ten eleven twelve thirteen"
    new = "one two THREE four five six seven eight nine ten eleven 12 thirteen"
    assert edit_hunks(old, new) == ["one two <del>three</del><ins>THREE</ins> four five six seven …",
                                    "… eight nine ten eleven <del>twelve</del><ins>12</ins> thirteen"]
    assert edit_hunks("a <b>", "a <i>") == ["a &lt;<del>b</del><ins>i</ins>&gt;"]
    assert edit_hunks("same", "same") == []
    # A sentence that changed place is one edit, with its own edit marked inside it.
    old = "We collect your name and address. We use cookies on every page you visit. We delete old accounts."
    new = "We use cookies on every page you visit. We delete old accounts. We collect your full name and address."
    assert edit_hunks(old, new) == ['moved: <span class="moved">We collect your <ins>full </ins>name and address.</span>']
