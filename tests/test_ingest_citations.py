"""Full citation paths (documents.ingest.citations): as the document writes its numbers,
unique within a version, an untitled item named by its path and first words."""

from __future__ import annotations

from documents.ingest import parse_document


def cites(text: str) -> list[tuple[str, str]]:
    return [(c.number, c.citation) for c in parse_document(text).clauses]


def test_items_carry_their_sections_number():
    got = cites("# T\n\n## 1. Use\n\n1.7 Downloads. You may download:\n\n(g) on a phone;\n\n(h) on a tablet.\n")
    assert got == [("1", "1"), ("1.7", "1.7"), ("(g)", "1.7(g)"), ("(h)", "1.7(h)")]


def test_lettered_parts_cite_their_sections_with_the_letter():
    got = cites("# Terms\n\n## A. General\n\n1. Scope. These terms apply.\n\n## D. Access\n\n8. Access Reciprocity. You may.\n")
    assert got == [("A", "A"), ("1", "A.1"), ("D", "D"), ("8", "D.8")]


def test_schedules_and_parts_come_first():
    schedule = cites("# Agreement\n\n## 1. Terms\n\nText one.\n\n## Schedule 2 - Data Processing\n\n"
                     "### 3. Security\n\n3.1 Measures. We protect data.\n\n3.2 Audits. You may audit.\n")
    assert [c for _, c in schedule] == ["1", "Schedule 2", "Schedule 2, 3", "Schedule 2, 3.1", "Schedule 2, 3.2"]
    part = cites("# Regulation\n\n## Part II Rights\n\n### Article 7 Consent\n\n(1) Consent must be given by the person.\n\n"
                 "(3) It must be given freely by the person.\n")
    assert [c for _, c in part] == ["Part II", "Part II, Article 7", "Part II, Article 7(1)", "Part II, Article 7(3)"]


def test_an_appended_document_restarting_its_numbers_is_qualified_by_its_title():
    got = cites("# Terms of Service\n\n## 1. Use\n\nUse it well.\n\n## 2. Fees\n\nPay us.\n\n"
                "# Additional Terms for Developers\n\n## 1. API\n\nUse the API.\n\n## 2. Keys\n\nKeep keys safe.\n")
    assert [c for _, c in got] == ["1", "2", "Additional Terms for Developers", "Additional Terms for Developers, 1",
                                   "Additional Terms for Developers, 2"]


def test_untitled_paragraphs_are_named_by_path_and_first_words_and_all_are_unique():
    doc = parse_document("# T\n\n## 1. Rules\n\nYou agree not to:\n\n(a) spam other users;\n\n"
                         "Some words between the items of this list.\n\n(b) cheat at games.\n")
    assert [c.citation for c in doc.clauses] == [
        "1", "1(a)", "1 “Some words between the items of …”", "1(b)"]
    assert all("untitled" not in c.citation for c in doc.clauses)
    twice = parse_document("# T\n\n## 1. A\n\nSame.\n\n## 1. A\n\nOther.\n")
    assert len({c.citation for c in twice.clauses}) == len(twice.clauses)
