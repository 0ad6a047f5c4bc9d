"""Large tables become one clause per row (documents/ingest/tables.py); small ones stay."""

from __future__ import annotations

from documents.ingest import parse_document
from documents.ingest.model import ParsedClause
from documents.ingest.tables import MIN_CHARS, split_tables

PURPOSE = "We use this information to operate, secure and improve the service for every member."


def _cookie_rows(names):
    return [f"| {n} | {PURPOSE} {PURPOSE} {PURPOSE} | 1 year |" for n in names]


def _doc(rows, *, header="| Name | Purpose | Expiry |", before="Cookies we set:", after="You can refuse them."):
    table = "\n".join([header, "| --- | --- | --- |", *rows])
    return f"# Cookie Policy\n\n## Cookies\n\n{before}\n\n{table}\n\n{after}\n\n## Contact\n\nWrite to us.\n"


def _shape(doc):
    return [(c.anchor, c.heading, c.depth, doc.clauses[c.parent].anchor if c.parent is not None else None)
            for c in doc.clauses]


NAMES = ["_ga", "_gid", "session", "csrftoken", "lang", "consent", "ab_test", "referrer"]


def test_a_large_table_becomes_one_clause_per_row_under_its_clause():
    doc = parse_document(_doc(_cookie_rows(NAMES)), filename="c.md")
    assert _shape(doc) == [
        ("cookies", "Cookies", 0, None),
        ("cookies-ga", "_ga", 1, "cookies"),
        ("cookies-gid", "_gid", 1, "cookies"),
        ("cookies-session", "session", 1, "cookies"),
        ("cookies-csrftoken", "csrftoken", 1, "cookies"),
        ("cookies-lang", "lang", 1, "cookies"),
        ("cookies-consent", "consent", 1, "cookies"),
        ("cookies-ab-test", "ab_test", 1, "cookies"),
        ("cookies-referrer", "referrer", 1, "cookies"),
        ("cookies-text", "", 1, "cookies"),
        ("contact", "Contact", 0, None),
    ]
    by = {c.anchor: c for c in doc.clauses}
    assert by["cookies"].body == "Cookies we set:"
    # A row read alone still says which column is which: it carries the header row.
    assert by["cookies-gid"].body == "| Name | Purpose | Expiry |\n| --- | --- | --- |\n" + _cookie_rows(["_gid"])[0]
    assert by["cookies-gid"].text == f"Name Purpose Expiry gid {PURPOSE} {PURPOSE} {PURPOSE} 1 year"
    assert by["cookies-text"].body == "You can refuse them."


def test_a_small_table_stays_in_its_clause():
    rows = ["| Basic | 5 EUR | monthly |", "| Pro | 12 EUR | monthly |", "| Team | 40 EUR | yearly |"]
    doc = parse_document(_doc(rows, header="| Plan | Fee | Billed |"), filename="f.md")
    assert [c.anchor for c in doc.clauses] == ["cookies", "contact"]
    assert doc.clauses[0].body == "Cookies we set:\n\n| Plan | Fee | Billed |\n| --- | --- | --- |\n" + "\n".join(rows) + \
        "\n\nYou can refuse them."


def test_the_threshold_is_the_table_text_not_the_row_count():
    one_row = _cookie_rows(["_ga"])
    assert len(one_row[0]) * 8 > MIN_CHARS
    doc = parse_document(_doc([one_row[0].replace(PURPOSE, PURPOSE * 10)]), filename="c.md")
    assert [c.anchor for c in doc.clauses] == ["cookies", "contact"]  # one row: nothing to split


def test_an_inserted_or_reordered_row_leaves_the_other_rows_alone():
    old = parse_document(_doc(_cookie_rows(NAMES)), filename="c.md")
    changed = ["_ga", "new_one", "_gid", "session", "csrftoken", "referrer", "lang", "consent", "ab_test"]
    new = parse_document(_doc(_cookie_rows(changed)), filename="c.md")
    old_rows = {c.anchor: (c.heading, c.body) for c in old.clauses if c.depth == 1}
    new_rows = {c.anchor: (c.heading, c.body) for c in new.clauses if c.depth == 1}
    assert set(new_rows) - set(old_rows) == {"cookies-new-one"}
    assert all(new_rows[a] == old_rows[a] for a in old_rows)


def test_an_empty_header_row_takes_the_first_row_as_header():
    rows = ["| **Purpose** | **Basis** |", *[f"| Purpose {k} | {PURPOSE} {PURPOSE} |" for k in range(1, 10)]]
    text = "## Purposes\n\n|     |     |\n| --- | --- |\n" + "\n".join(rows) + "\n"
    doc = parse_document("# Privacy\n\nIntro text here.\n\n" + text, filename="p.md")
    headings = [c.heading for c in doc.clauses if c.depth == 1]
    assert headings == [f"Purpose {k}" for k in range(1, 10)]
    assert doc.clauses[-1].body.startswith("| **Purpose** | **Basis** |\n| --- | --- |\n| Purpose 9 |")


def test_row_names_long_first_cells_and_duplicate_names():
    long_cell = "To provide and maintain the products provided to you under the conditions set forth in our terms"
    rows = [f"| {long_cell} | {PURPOSE} {PURPOSE} |", f"| _ga | {PURPOSE} |", f"| _ga | {PURPOSE} {PURPOSE} |",
            f"| ##### Service Providers<br><br>To offer some functions. | {PURPOSE} |", f"| | {PURPOSE} |"]
    body = "| Why | What |\n| --- | --- |\n" + "\n".join(rows).replace(PURPOSE, PURPOSE * 3)
    clauses = [ParsedClause(number="4", heading="Use", body=body, text="", depth=0, parent=None, anchor="s4")]
    out = split_tables(clauses, {"s4"})
    assert [(c.anchor, c.heading, c.number, c.depth, c.parent) for c in out] == [
        ("s4", "Use", "4", 0, None),
        ("s4-to-provide-and-maintain-the-products", "To provide and maintain the products provided to you under …", "", 1, 0),
        ("s4-ga", "_ga", "", 1, 0),
        ("s4-ga-2", "_ga", "", 1, 0),
        ("s4-service-providers", "Service Providers", "", 1, 0),
        # An empty first cell: the row is named by its first cell with text.
        ("s4-we-use-this-information-to-operate", "We use this information to operate, secure and improve the …", "", 1, 0),
    ]
    assert out[0].body == "" and out[0].text == ""
    assert all(len(c.anchor) <= 120 for c in out)


def test_children_of_a_split_clause_keep_their_parent():
    body = "Intro.\n\n| A | B |\n| --- | --- |\n" + "\n".join(f"| r{k} | {PURPOSE * 2} |" for k in range(12))
    clauses = [
        ParsedClause(number="1", heading="One", body=body, text="", depth=0, parent=None, anchor="s1"),
        ParsedClause(number="1.1", heading="Sub", body="x", text="x", depth=1, parent=0, anchor="s1-1"),
        ParsedClause(number="2", heading="Two", body="y", text="y", depth=0, parent=None, anchor="s2"),
        ParsedClause(number="2.1", heading="Sub", body="z", text="z", depth=1, parent=2, anchor="s2-1"),
    ]
    out = split_tables(clauses, {"s1", "s1-1", "s2", "s2-1"})
    assert len(out) == 16
    parents = {c.anchor: (out[c.parent].anchor if c.parent is not None else None) for c in out}
    assert parents["s1-1"] == "s1" and parents["s2-1"] == "s2" and parents["s1-r11"] == "s1"
    assert [c.anchor for c in out][:3] == ["s1", "s1-r0", "s1-r1"]
    assert len({c.anchor for c in out}) == len(out)


def test_a_table_laid_out_for_phones_names_rows_by_value_not_by_column_label():
    # Each cell repeats its column's label ("Name<br><br>cookieConsent").
    rows = [f"| Name<br><br>{n} | Purpose<br><br>{PURPOSE} {PURPOSE} |" for n in ("cookieConsent", "rc::a", "recentRoutes")]
    body = "| Name | Purpose |\n| --- | --- |\n" + "\n".join(rows).replace(PURPOSE, PURPOSE * 3)
    clauses = [ParsedClause(number="", heading="Cookies", body=body, text="", depth=0, parent=None, anchor="cookies")]
    out = split_tables(clauses, {"cookies"})
    assert [(c.anchor, c.heading) for c in out] == [
        ("cookies", "Cookies"), ("cookies-cookieconsent", "cookieConsent"), ("cookies-rc-a", "rc::a"),
        ("cookies-recentroutes", "recentRoutes"),
    ]


def test_rows_inserted_reordered_or_amended_keep_the_other_rows_paired():
    from documents.align import align

    old = parse_document(_doc(_cookie_rows(NAMES)), filename="c.md").clauses
    changed = ["_ga", "new_one", "_gid", "session", "csrftoken", "referrer", "lang", "consent", "ab_test"]
    rows = _cookie_rows(changed)
    rows[3] = rows[3].replace("1 year", "2 years")  # "session" amended
    new = parse_document(_doc(rows), filename="c.md").clauses
    rows = [(old[r.old_index].anchor if r.old_index is not None else None,
             new[r.new_index].anchor if r.new_index is not None else None, r.status) for r in align(old, new)]
    assert rows == [
        ("cookies", "cookies", "unchanged"),
        ("cookies-ga", "cookies-ga", "unchanged"),
        (None, "cookies-new-one", "added"),
        ("cookies-gid", "cookies-gid", "unchanged"),
        ("cookies-session", "cookies-session", "changed"),
        ("cookies-csrftoken", "cookies-csrftoken", "unchanged"),
        ("cookies-referrer", "cookies-referrer", "moved"),
        ("cookies-lang", "cookies-lang", "unchanged"),
        ("cookies-consent", "cookies-consent", "unchanged"),
        ("cookies-ab-test", "cookies-ab-test", "unchanged"),
        ("cookies-text", "cookies-text", "unchanged"),
        ("contact", "contact", "unchanged"),
    ]
