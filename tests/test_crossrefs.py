"""Cross-reference linking (pure): number lookups, title-over-number, mismatches shown."""

from dataclasses import dataclass

from documents.crossrefs import ClauseIndex, Target, link_references


@dataclass(frozen=True)
class Ref:
    start: int
    end: int
    number: str
    title: str | None = None


INDEX = ClauseIndex([
    Target("4", "Use of APIs and ClickDesk Data", "s4"),
    Target("6.3", "Delete at User Request", "s6-3"),
    Target("6.4", "Deletion at Termination", "s6-4"),
    Target("9", "Government Access", "s9"),
])


def _ref(text, fragment, number, title=None):
    start = text.index(fragment)
    return Ref(start, start + len(fragment), number, title)


def test_number_reference_links_to_its_clause():
    text = "subject to Section 9 below."
    out = link_references(text, [_ref(text, "Section 9", "9")], INDEX)
    assert out == 'subject to [Section 9](#s9 "9 Government Access") below.'


def test_title_wins_over_a_wrong_number_and_the_mismatch_is_shown():
    text = "Sections 6.4 (“Delete at User Request”) survive."
    out = link_references(text, [_ref(text, "6.4 (“Delete at User Request”)", "6.4", "Delete at User Request")], INDEX)
    assert out == (
        'Sections [6.4 (“Delete at User Request”)](#s6-3 "cited as 6.4; the clause with this title is '
        '6.3 Delete at User Request") *(→ 6.3)* survive.'
    )


def test_title_close_enough_to_the_heading_agrees_with_its_number():
    text = "Section 4 (“Use of the APIs and ClickDesk Data”)"
    out = link_references(text, [_ref(text, text, "4", "Use of the APIs and ClickDesk Data")], INDEX)
    assert out == '[Section 4 (“Use of the APIs and ClickDesk Data”)](#s4 "4 Use of APIs and ClickDesk Data")'


def test_unknown_numbers_stay_plain_text_and_base_url_is_used():
    text = "see Section 12 and Section 9"
    refs = [_ref(text, "Section 12", "12"), _ref(text, "Section 9", "9")]
    out = link_references(text, refs, INDEX, base_url="/d/x/v/2020-01-01/")
    assert out == 'see Section 12 and [Section 9](/d/x/v/2020-01-01/#s9 "9 Government Access")'


def test_reference_inside_an_existing_link_is_left_alone():
    text = "read [Section 9 of the terms](https://example.com/terms)"
    assert link_references(text, [_ref(text, "Section 9", "9")], INDEX) == text
