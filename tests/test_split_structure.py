"""Structure the splitter reads from how pages mark it (documents/ingest/split.py, blocks.py)."""

from __future__ import annotations

from pathlib import Path

from documents.ingest import parse_document


def _outline(doc):
    return [(c.anchor, c.number, c.heading, c.depth) for c in doc.clauses]


def test_list_items_that_print_their_own_bold_number_take_that_number():
    # A page whose sections are each a one-item list restarting at "1.", the real number
    # in bold inside: the bold number is the clause's; the last list holds items of
    # section 2 and, in the same list, the title of section 3.
    text = """# Terms

1. **1\\. Eligibility**

You must be 18.

**Age checks**

We may check your age.

1. **2\\. Disputes**

Disputes go to arbitration.

1. **2.1** You agree to arbitrate.
2. **2.2** The arbitrator decides.
3. **3\\. Governing Law**

Delaware law applies.
"""
    doc = parse_document(text, filename="t.md")
    assert _outline(doc) == [
        ("s1", "1", "Eligibility", 0),
        ("age-checks", "", "Age checks", 1),
        ("s2", "2", "Disputes", 0),
        ("s2-1", "2.1", "", 1),
        ("s2-2", "2.2", "", 1),
        ("s3", "3", "Governing Law", 0),
    ]
    assert doc.clauses[3].text == "You agree to arbitrate."
    assert doc.clauses[5].text == "Delaware law applies."


def test_a_plain_ordered_list_keeps_its_own_numbers():
    # Only a number the item prints in bold replaces the list's: "1. 2.5 GB" is a list item.
    text = "# Plans\n\n## Storage\n\nYou get:\n\n1. 2.5 GB of space\n2. More space for teams\n"
    doc = parse_document(text, filename="p.md")
    assert [(c.anchor, c.number) for c in doc.clauses] == [("storage", ""), ("storage-1", "1"), ("storage-2", "2")]


def test_headings_inside_a_list_item_are_headings():
    # An accordion captured as a list: each label a bullet, its section indented to the
    # bullet's content column, with "###" headings and a setext heading inside.
    text = """# Privacy policy

Intro text of the policy.

*   What?

    **1\\. What data do we collect?**
    ---------------------------------

    We collect your name.

    ### Payment details

    We collect your card number.

    1.  To take payment.
        **Why we do it**
        The contract.

    ### Your login

    We keep your password hashed.

*   Why?

    **2\\. Why do we use it?**
    --------------------------

    To run the service.
"""
    doc = parse_document(text, filename="p.md")
    assert _outline(doc) == [
        ("preamble", "", "", 0),
        ("s1", "1", "What data do we collect?", 0),
        ("payment-details", "", "Payment details", 1),
        ("payment-details-1", "1", "", 2),
        ("your-login", "", "Your login", 1),
        ("s2", "2", "Why do we use it?", 0),
    ]
    # The accordion's labels stay text where they stand (the next one ends the section).
    assert doc.clauses[4].text == "We keep your password hashed. Why?"


def test_an_indented_hash_line_outside_any_list_is_not_a_heading():
    text = "# Terms\n\n## Use\n\nText of the section.\n\n    ### not a heading\n\nMore text.\n"
    doc = parse_document(text, filename="t.md")
    assert [c.heading for c in doc.clauses] == ["Use"]


def test_a_bold_heading_with_initials_is_a_heading():
    # "U.S." is not a sentence break: the bold line is the next section's heading.
    text = """# Privacy

**European privacy disclosures**

If you are in the EEA, these rights apply to you.

**U.S. State privacy disclosures**

If you are a U.S. resident, these rights apply to you.

**Changes. We may change this.**

A bold sentence is text.
"""
    doc = parse_document(text, filename="p.md")
    assert _outline(doc) == [
        ("european-privacy-disclosures", "", "European privacy disclosures", 0),
        ("u-s-state-privacy-disclosures", "", "U.S. State privacy disclosures", 0),
    ]
    assert doc.clauses[1].body.endswith("**Changes. We may change this.**\n\nA bold sentence is text.")


# ---------------------------------------------------------------------------
# Real samples (Open Terms Archive, ODC-By 1.0: see tests/gold/README.md and
# tests/corpus/README.md for the source repositories and commits)
# ---------------------------------------------------------------------------

GOLD_SOURCES = Path(__file__).resolve().parent / "gold" / "sources"
CORPUS = Path(__file__).resolve().parent / "corpus"


def _real(path: Path):
    return parse_document(path.read_text(encoding="utf-8"), filename=path.name)


def _largest_share(doc) -> float:
    sizes = [len(c.heading) + len(c.text) for c in doc.clauses]
    return max(sizes) / sum(sizes)


def test_the_mirror_sections_numbered_inside_one_item_lists_are_siblings():
    doc = _real(GOLD_SOURCES / "The Mirror" / "Terms of Service" / "2025-03-03.md")
    numbered = [c for c in doc.clauses if c.number and "." not in c.number]
    assert [c.number for c in numbered] == [str(k) for k in range(1, 19)]
    assert len({c.depth for c in numbered}) == 1
    by_number = {c.number: c for c in doc.clauses if c.number}
    assert by_number["5"].heading == "Prohibited Conduct and Content"
    assert doc.clauses[by_number["14.3"].parent].number == "14"
    assert _largest_share(doc) < 0.30


def test_atlassian_us_disclosures_are_their_own_clause_with_a_row_per_category():
    doc = _real(GOLD_SOURCES / "Atlassian" / "Privacy Policy" / "2026-04-21.md")
    us = next(k for k, c in enumerate(doc.clauses) if c.heading == "U.S. State privacy disclosures")
    rows = [c for c in doc.clauses if c.parent == us and c.body.startswith("|")]
    assert len(rows) == 9
    assert rows[0].heading.startswith("Identifiers, such as name")
    assert rows[0].body.startswith("| Category of Information | Purpose(s) for Collecting & Disclosing |")
    assert _largest_share(doc) < 0.30


def test_bumble_2026_purpose_table_is_cited_row_by_row():
    doc = _real(CORPUS / "bumble" / "privacy-policy" / "2026-08-10.md")
    rows = [c for c in doc.clauses if c.anchor.startswith("preamble-to-")]
    assert len(rows) >= 20
    assert all(c.text.startswith("Why we use your information What information we use") for c in rows)
    assert _largest_share(doc) < 0.30
