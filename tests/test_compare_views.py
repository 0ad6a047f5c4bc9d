"""The compare page and its JSON."""

import re

import pytest

from documents import comparison
from tests import factories

pytestmark = pytest.mark.django_db


def test_compare_page_shows_summary_and_rows(client, two_versions):
    doc, v1, v2 = two_versions
    response = client.get("/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"})
    page = response.content.decode()
    assert response.status_code == 200
    # The preamble ("Effective: …") and section 2 changed; section 3 is new.
    assert "2 changed" in page and "2 substantive" in page and "0 editorial" in page and "1 added" in page and "0 removed" in page and "2 renumbered" in page
    assert "<ins>" in page and "phone" in page
    assert 'id="next-change"' in page and 'id="only-changes"' in page


def test_compare_api(client, two_versions):
    doc, v1, v2 = two_versions
    data = client.get("/api/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}).json()
    assert data["summary"]["added"] == 1 and data["summary"]["changed"] == 2 and data["summary"]["removed"] == 0
    by_heading = {(r["new"] or r["old"])["heading"]: r for r in data["rows"]}
    assert by_heading["Cookies"]["status"] == "added"
    assert by_heading["Contact Us"]["renumbered"] is True
    assert by_heading["Information We Collect"]["status"] == "changed"


def test_compare_escapes_document_html(client):
    doc = factories.document(title="Hostile")
    v1 = factories.publish(doc, "# H\n\n## 1. A\n\nPlain text here.\n").version
    v2 = factories.publish(doc, "# H\n\n## 1. A\n\nPlain `<script>alert(1)</script>` text & <b onmouseover=alert(2)>here</b>.\n").version
    page = client.get("/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}).content.decode()
    assert "<script>alert(1)" not in page
    assert "onmouseover" not in page.replace("onmouseover=alert(2)&gt;", "")
    assert "<b " not in page


def test_compare_without_arguments_offers_a_chooser_you_can_type_into(client, two_versions):
    doc, v1, v2 = two_versions
    page = client.get("/compare/").content.decode()
    assert "Compare two versions" in page and "<select" not in page
    # Two labelled text boxes sharing one list that names publisher, document and date.
    assert page.count('list="compare-versions"') == 2
    assert '<label for="compare-a">From</label>' in page and '<label for="compare-b">To</label>' in page
    options = re.findall(r'<option value="([^"]+)" label="([^"]+)">', page)
    assert options == [(f"{doc.slug}@{v1.label}", "Example Corp — Privacy Policy · 1 Jan 2024"),
                       (f"{doc.slug}@{v2.label}", "Example Corp — Privacy Policy · 1 Jun 2024 (current)")]
    # What a choice puts in the box is what the comparison reads.
    assert client.get("/compare/", {"a": options[0][0], "b": options[1][0]}).status_code == 200
    # A half-filled form comes back with what was typed.
    page = client.get("/compare/", {"a": options[0][0]}).content.decode()
    assert f'value="{options[0][0]}"' in page


@pytest.mark.parametrize("params", [{"a": "nope@2020-01-01", "b": "nope"}, {"a": "@", "b": "x"}])
def test_compare_unknown_versions_404(client, two_versions, params):
    assert client.get("/compare/", params).status_code == 404
    assert client.get("/api/compare/", params).status_code == 404


def test_compare_api_needs_two_versions(client):
    response = client.get("/api/compare/", {"a": "x"})
    assert response.status_code == 400 and "error" in response.json()


def test_a_renamed_heading_is_marked_word_by_word(client):
    doc = factories.document(title="Renames")
    v1 = factories.publish(doc, "# R\n\n## 1. Who you are contracting with\n\nThe same body text stays here.\n").version
    v2 = factories.publish(doc, "# R\n\n## 1. Who your contract is with\n\nThe same body text stays here.\n").version
    data = client.get("/api/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}).json()
    (row,) = [r for r in data["rows"] if r["new"] and r["new"]["number"] == "1"]
    assert row["status"] == "changed"
    page = client.get("/compare/", {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}).content.decode()
    assert "<ins>your contract is</ins>" in page or "<ins>contract is</ins>" in page


def _pair(title, old_text, new_text):
    doc = factories.document(title=title)
    v1 = factories.publish(doc, old_text).version
    v2 = factories.publish(doc, new_text).version
    return doc, v1, v2, {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}


KINDS_OLD = """# K

## 1. Fees

You pay every invoice within thirty days, by card or bank transfer.

## 2. Law

These terms are governed by the laws of California, without regard to conflicts of law.

## 3. Notices

We send notices by email to the address on your account, and they count as received.

## 4. Support

Support answers questions on working days between nine and five, by chat or by email.
"""
KINDS_NEW = """# K

## 1. Fees

You pay every invoice within thirty days; by card or bank transfer.

## 2. Support

Support answers questions on working days between nine and five, by chat or by email.

## 3. Law

These terms are governed by the laws of Delaware, without regard to conflicts of law.

## 4. Notices

We send notices by email to the address on your account, and they count as received.
"""


def test_change_list_kinds_moves_and_counts(client):
    doc, v1, v2, params = _pair("Kinds", KINDS_OLD, KINDS_NEW)
    data = client.get("/api/compare/", params).json()
    kinds = {(r["new"] or r["old"])["heading"]: r["kind"] for r in data["rows"]}
    assert kinds["Fees"] == "editorial" and kinds["Law"] == "substantive"
    assert data["counts"]["editorial"] == 1 and data["counts"]["substantive"] == 1
    page = client.get("/compare/", params).content.decode()
    assert 'class="change-list"' in page and 'id="hide-editorial"' in page
    # The change list has every change in order, each a jump link to its row.
    import re

    items = re.findall(r'<li class="kind-(\w+)" data-kind="\w+">\s*<a href="#(row-\d+)" class="jump">', page)
    assert sorted(k for k, _ in items) == ["editorial", "moved", "renumbered", "substantive"]
    for _, row_id in items:
        assert f'id="{row_id}"' in page
    # A moved clause links to where it came from in the old version.
    assert f'{v1.get_absolute_url()}#s4' in page and "Moved from" in page
    assert "1 editorial" in page and "1 substantive" in page


def test_long_unchanged_runs_are_collapsed_and_load_on_demand(client, tmp_path):
    body = "\n".join(f"## {n}. Section {n}\n\nThe unchanged text of section number {n} stays as it was here.\n" for n in range(1, 31))
    changed = body.replace("section number 15 stays", "section number 15 now stays")
    doc, v1, v2, params = _pair("Long", "# L\n\n" + body, "# L\n\n" + changed)
    page = client.get("/compare/", params).content.decode()
    assert page.count('class="collapsed-run"') == 2
    assert "section number 3 stays" not in page  # not sent
    import re

    start, stop = re.search(r'class="collapsed-run" data-start="(\d+)" data-stop="(\d+)"', page).groups()
    rows = client.get("/compare/rows/", {**params, "start": start, "stop": stop})
    assert rows.status_code == 200 and "section number 3 stays" in rows.content.decode()
    full = client.get("/compare/", {**params, "full": "1"}).content.decode()
    assert "section number 3 stays" in full and 'class="collapsed-run"' not in full
    # The redline PDF has every clause, the collapsed ones too.
    from tests.test_pdf import PDFTOTEXT, _body, _text

    if PDFTOTEXT:
        text = _text(_body(client.get("/compare/pdf/", params)), tmp_path)
        assert all(f"section number {n} stays" in text for n in range(1, 31) if n != 15)
    assert client.get("/compare/rows/", {**params, "start": "x", "stop": "2"}).status_code == 400
    assert client.get("/compare/rows/", {**params, "start": "5", "stop": "2"}).status_code == 400


def test_compare_api_is_paginated_and_sends_each_text_once(client):
    body = "\n".join(f"## {n}. Section {n}\n\nThe text of section number {n} as it reads.\n" for n in range(1, 13))
    doc, v1, v2, params = _pair("Pages", "# P\n\n" + body, "# P\n\n" + body.replace("number 5 as", "number five as"))
    first = client.get("/api/compare/", {**params, "per_page": 5}).json()
    assert first["total_rows"] >= 12 and first["pages"] == -(-first["total_rows"] // 5)
    assert len(first["rows"]) == 5 and first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert second["rows"][0]["row"] == 6
    for row in first["rows"] + second["rows"]:
        assert "text" not in (row["old"] or {}) and "text" not in (row["new"] or {})
        if row["changed"]:
            assert "old_html" in row and "text" not in row
        else:
            assert "text" in row
    assert client.get("/api/compare/", {**params, "page": 99}).status_code == 404
    assert client.get("/api/compare/", {**params, "per_page": "x"}).status_code == 400


def test_cross_document_says_only_in_a_or_b_and_no_diff_below_the_floor(client):
    a = factories.document(publisher="Alpha", title="API Terms", slug="alpha-api")
    b = factories.document(publisher="Beta", title="API Terms", slug="beta-api")
    va = factories.publish(a, "# A\n\n## 1. Rate limits\n\nAlpha limits each key to one thousand requests per hour and may throttle.\n\n"
                              "## 2. Fishing\n\nOur office cat likes fishing on sunny afternoons by the lake.\n").version
    vb = factories.publish(b, "# B\n\n## 1. Rate limits\n\nBeta limits each token to five hundred requests per minute and may block.\n\n"
                              "## 2. Export\n\nYou comply with export control law when you ship software abroad.\n").version
    params = {"a": f"{a.slug}@{va.label}", "b": f"{b.slug}@{vb.label}"}
    data = client.get("/api/compare/", params).json()
    labels = [r["label"] for r in data["rows"]]
    assert "only in A" in labels and "only in B" in labels and "removed" not in labels and "added" not in labels
    page = client.get("/compare/", params).content.decode()
    assert "only in A" in page and "only in B" in page
    for r in data["rows"]:
        if r["old"] and r["new"] and r["similarity"] < 0.6:
            assert "old_html" not in r and "old_text" in r


SPLIT_OLD = """# S

## 1. Payment

You pay every invoice within thirty days of receiving it, in euro, by bank transfer to the account named on the invoice. Late payments carry interest at eight percent a year from the day after the due date until the day we are paid.

## 2. Support

Support answers questions on working days between nine and five, by chat or by email.

## 3. Audit

We may audit your use of the service once a year with reasonable notice given in writing to your administrator.

## 4. Records

You keep records of your use of the service for three years after the end of this agreement and show them to us on request.
"""
SPLIT_NEW = """# S

## 1. Payment

You pay every invoice within thirty days of receiving it, in euro, by bank transfer to the account named on the invoice.

## 2. Late payment

Late payments carry interest at eight percent a year from the day after the due date until the day we are paid.

## 3. Support

Support answers questions on working days between nine and five, by chat or by email.

## 4. Audit and records

We may audit your use of the service once a year with reasonable notice given in writing to your administrator. You keep records of your use of the service for three years after the end of this agreement and show them to us on request.
"""


def test_splits_and_merges_on_the_page_and_in_the_change_list(client):
    doc, v1, v2, params = _pair("Splits", SPLIT_OLD, SPLIT_NEW)
    result = comparison.compare_versions(v1, v2)
    by_title = {(r.new or r.old).heading + ("" if r.new else " (old)"): r for r in result.rows}
    payment, late = by_title["Payment"], by_title["Late payment"]
    # One clause became two: the kept half is paired, the other half is new and says
    # where it came from.
    # Both are "split" (documents.kinds).
    assert payment.kind == "split" and [c.heading for c in payment.split_into] == ["Late payment"]
    assert late.kind == "split" and late.came_from.heading == "Payment" and late.came_from_row == payment.row_id
    # Two clauses became one: the one not paired says where its words went; both are "merged".
    records = by_title.get("Records (old)") or by_title["Audit (old)"]
    assert records.kind == "merged" and [c.heading for c in records.went_to] == ["Audit and records"]
    assert by_title["Audit and records"].kind == "merged"
    assert records.went_to_rows == [by_title["Audit and records"].row_id]
    assert by_title["Support"].split_into == [] and by_title["Support"].came_from is None
    page = client.get("/compare/", params).content.decode()
    assert f'Split: part of its text went to <a href="#{late.row_id}">§ 2</a>' in page
    assert f'Split from old <a href="#{payment.row_id}">§ 1</a>' in page
    assert f'Merged: its text went to <a href="#{records.went_to_rows[0]}">§ 4</a>' in page
    # The change list says so too.
    assert f'split: part into <a href="#{late.row_id}">' in page and "merged into" in page and "split from" in page
    data = client.get("/api/compare/", params).json()
    rows = {(r["new"] or r["old"])["heading"]: r for r in data["rows"]}
    assert rows[records.old.heading]["went_to"] == [by_title["Audit and records"].new.anchor]
    assert rows["Payment"]["split_into"] == [late.new.anchor] and rows["Late payment"]["came_from"] == payment.old.anchor
    # ... and by lineage key, what a script follows (and the gold scorer reads).
    assert rows[records.old.heading]["merged_into"] == [by_title["Audit and records"].new.lineage.key]
    assert rows["Late payment"]["split_from"] == payment.old.lineage.key
    assert rows["Payment"]["kind"] == rows["Late payment"]["kind"] == "split"


def test_split_banner_on_the_old_clause_permalink(client):
    doc, v1, v2, params = _pair("Split banner", SPLIT_OLD, SPLIT_NEW)
    payment = v1.clauses.get(heading="Payment")
    page = client.get(payment.get_permalink()).content.decode()
    late = v2.clauses.get(heading="Late payment")
    assert "Split: part of its text went to" in page and late.get_permalink() in page
    merged = comparison.compare_versions(v1, v2)
    records = next(r.old for r in merged.rows if r.kind == "merged" and r.new is None)
    page = client.get(records.get_permalink()).content.decode()
    assert "Removed." in page and 'data-kind="merged"' in page
    assert v2.clauses.get(heading="Audit and records").get_permalink() in page


def test_a_very_long_comparison_defers_rows_past_the_page_budget(client):
    body = "\n".join(f"## {n}. Section {n}\n\nThe text of section {n} " + "reads on and on " * 40 + f"to its end {n}.\n"
                     for n in range(1, 121))
    changed = "\n".join(line.replace("to its end", "up to its end") if line.startswith("The text of section") and int(line.split()[4]) % 2 else line
                        for line in body.split("\n"))
    doc, v1, v2, params = _pair("Very long", "# V\n\n" + body, "# V\n\n" + changed)
    result = comparison.compare_versions(v1, v2)
    items = result.html_rows(budget=20_000)
    deferred = [r for r in items if r.collapsed and r.deferred]
    assert deferred and all(r.count <= comparison.DEFERRED_CHUNK for r in deferred)
    sent = [r for r in items if not r.collapsed]
    assert sum(r.weight for r in sent) <= 20_000 + max(r.weight for r in sent)
    # Together, the rows sent and the deferred chunks are every row, in order.
    covered = []
    for r in items:
        covered += list(range(r.start, r.stop)) if r.collapsed else [r.index]
    assert covered == list(range(len(result.rows)))
    # Several ranges in one request (what printing asks for), one <template> each.
    ranges = ",".join(f"{r.start}-{r.stop}" for r in deferred[:2])
    answer = client.get("/compare/rows/", {**params, "ranges": ranges}).content.decode()
    assert answer.count("<template>") == 2 and f'id="row-{deferred[0].start + 1}"' in answer
    assert client.get("/compare/rows/", {**params, "ranges": "0-3000,3000-6000"}).status_code == 400
    assert client.get("/compare/rows/", {**params, "ranges": "4-x"}).status_code == 400


def test_a_renumbering_cascade_is_one_entry_of_the_change_list(client):
    body = "\n".join(f"## {n}. Topic {n}\n\nThe settled wording about topic number {n} stays the same.\n" for n in range(2, 14))
    shifted = "\n".join(f"## {n + 1}. Topic {n}\n\nThe settled wording about topic number {n} stays the same.\n" for n in range(2, 14))
    old = "# C\n\n## 1. Scope\n\nThese terms cover the service.\n\n" + body
    new = "# C\n\n## 1. Scope\n\nThese terms cover the service.\n\n## 2. Fees\n\nA new fee applies to every account from next year onwards.\n\n" + shifted
    doc, v1, v2, params = _pair("Cascade", old, new)
    result = comparison.compare_versions(v1, v2)
    assert result.counts["renumbered"] == 12 and result.counts["added"] == 1
    entries = result.change_list()
    assert [e.kind for e in entries] == ["added", "renumbered"] and entries[1].count == 12
    page = client.get("/compare/", params).content.decode()
    assert "12 clauses, § 3 to § 14" in page and "13 changes" in page


def test_a_comparison_is_kept_in_the_process_until_the_cache_is_cleared(monkeypatch):
    from django.core.cache import cache

    doc, v1, v2, params = _pair("Kept", KINDS_OLD, KINDS_NEW)
    calls = []
    real = comparison.compare_versions
    monkeypatch.setattr(comparison, "compare_versions", lambda o, n: calls.append(1) or real(o, n))
    first = comparison.compare_versions_cached(v1, v2)
    assert comparison.compare_versions_cached(v1, v2) is first  # no unpickling in this process
    assert len(calls) == 1
    cache.clear()
    assert comparison.compare_versions_cached(v1, v2) is not first and len(calls) == 2


# --- One model of change: every surface gives the same kind ----------------------------

MODEL_OLD = """# Model terms

## 1. Scope

This agreement governs the use of the Example service by business customers in every country.

## 2. Governing law

The laws of Ireland govern this agreement and the courts of Dublin have exclusive jurisdiction over disputes.

## 3. Payment

You pay every invoice within thirty days of receiving it, in euro, by bank transfer to the account named on the invoice. Late payments carry interest at eight percent a year from the day after the due date until the day we are paid.

## 4. Termination

Either party may end "the agreement" with thirty days' written notice sent to the other party's registered office.

## 5. Liability

Our liability under this agreement is limited to the fees you paid in the twelve months before the claim arose.

## 6. Notices

Notices are given in writing to the addresses named in the order form, by email or by registered post.

## 7. Contact

Questions about these terms go to the legal team at the address printed on your latest invoice.
"""
# Payment split in two; Termination's quotes made curly (editorial); Liability's period
# changed (substantive); Governing law moved to the end (moved); Contact renumbered 7 -> 8.
MODEL_NEW = """# Model terms

## 1. Scope

This agreement governs the use of the Example service by business customers in every country.

## 2. Payment

You pay every invoice within thirty days of receiving it, in euro, by bank transfer to the account named on the invoice.

## 3. Late payment

Late payments carry interest at eight percent a year from the day after the due date until the day we are paid.

## 4. Termination

Either party may end \u201cthe agreement\u201d with thirty days\u2019 written notice sent to the other party\u2019s registered office.

## 5. Liability

Our liability under this agreement is limited to the fees you paid in the six months before the claim arose.

## 6. Notices

Notices are given in writing to the addresses named in the order form, by email or by registered post.

## 7. Governing law

The laws of Ireland govern this agreement and the courts of Dublin have exclusive jurisdiction over disputes.

## 8. Contact

Questions about these terms go to the legal team at the address printed on your latest invoice.
"""
#: heading -> the one kind every surface must give.
MODEL_KINDS = {"Termination": "editorial", "Contact": "renumbered", "Governing law": "moved",
               "Payment": "split", "Late payment": "split", "Liability": "substantive", "Scope": "unchanged",
               "Notices": "unchanged"}


def _row_kinds_on_page(html: str) -> dict[str, str]:
    """heading -> data-kind of each row of a compare grid (the new side's heading, else the old)."""
    import re

    out = {}
    for row in re.findall(r'<div class="row [^"]*" role="row" id="row-\d+" data-kind="(\w+)">(.*?)\n</div>\n', html, re.S):
        kind, body = row
        heads = re.findall(r'<div class="cell-head">(.*?)</div>', body, re.S)
        # The title without its markup (a renumbered title carries <del>/<ins>) and tags.
        titles = [re.sub(r"<span class=\"tags\">.*", "", h, flags=re.S) for h in heads]
        titles = [re.sub(r"<del>.*?</del>|<[^>]+>", "", t).strip() for t in titles]
        titles = [t for t in titles if t and t not in ("removed", "added")]
        heading = titles[-1].split(" ", 1)[1] if titles else ""
        out[heading] = kind
    return out


def test_one_model_of_change_on_every_surface(client, django_user_model):
    import datetime as dt
    import re

    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from documents.alerts import changes, citations
    from documents.alerts import selectors as alert_selectors
    from documents.drafts import VersionDraft

    doc = factories.document(title="Model terms")
    v1 = factories.publish(doc, MODEL_OLD, dt.date(2024, 1, 1)).version
    staff = django_user_model.objects.create_user("ed", "ed@example.com", "pw", is_staff=True)
    staff.groups.add(Group.objects.get(name="Publishers"))
    client.force_login(staff)
    surfaces: dict[str, dict[str, str]] = {}

    # The staff preview of the upload (before publishing).
    response = client.post(reverse("documents:upload"), {
        "document": doc.slug, "change_note": "",
        "file": SimpleUploadedFile("v2.md", MODEL_NEW.encode(), content_type="application/octet-stream")})
    assert response.status_code == 302, response.content.decode()[-3000:]
    draft = VersionDraft.objects.get()
    surfaces["staff preview"] = _row_kinds_on_page(client.get(reverse("documents:draft", args=[draft.pk])).content.decode())
    assert client.post(reverse("documents:draft_publish", args=[draft.pk])).status_code == 302
    doc.refresh_from_db()
    v2 = doc.current_version
    assert v2.pk != v1.pk
    params = {"a": f"{doc.slug}@{v1.label}", "b": f"{doc.slug}@{v2.label}"}

    surfaces["compare page"] = _row_kinds_on_page(client.get("/compare/", params).content.decode())
    data = client.get("/api/compare/", params).json()
    surfaces["/api/compare/"] = {(r["new"] or r["old"])["heading"]: r["kind"] for r in data["rows"]}

    old = {c.heading: c for c in v1.clauses.select_related("lineage", "version")}
    new = {c.heading: c for c in v2.clauses.select_related("lineage", "version")}
    api, history, banner, mail, feed, cite = {}, {}, {}, {}, {}, {}
    by_key = {ch.key: ch for ch in changes.clause_changes(v1, v2)}
    for heading in MODEL_KINDS:
        clause = new[heading]
        # /api/clauses/<key>/: the kind of its newest version.
        api[heading] = client.get(f"/api/clauses/{clause.lineage.key}/").json()["versions"][-1]["kind"]
        # The clause page's history: the row of the version shown.
        page = client.get(clause.get_permalink()).content.decode()
        current_row = page[page.index('aria-current="true"'):]
        history[heading] = re.search(r'data-kind="(\w+)"', current_row).group(1)
        # The permalink banner of the old clause (the clause it came from, for a part).
        pinned = old.get(heading) or old["Payment"]
        page = client.get(pinned.get_permalink()).content.decode()
        banner[heading] = re.search(r'class="banner[^"]*" role="status" data-kind="(\w+)"', page).group(1) if "banner" in page else "unchanged"
        # The e-mail of a watcher (unchanged clauses are in no e-mail).
        ch = by_key.get(clause.lineage.key)
        mail[heading] = ch.kind if ch else "unchanged"
        # The clause's feed: the kind is a category of its newest entry.
        events = alert_selectors.lineage_events(clause.lineage)
        feed[heading] = events[0].kind if events and events[0].version.pk == v2.pk else "unchanged"
        # The citation check of a link to the old clause.
        report = citations.citations_check(f"See http://testserver{pinned.get_permalink()}", request_host="testserver")
        cite[heading] = report.results[0].kind or "unchanged"
    surfaces.update({"/api/clauses/": api, "clause history": history, "permalink banner": banner,
                     "e-mail": mail, "clause feed": feed, "citation check": cite})
    for name, found in surfaces.items():
        got = {h: found.get(h) for h in MODEL_KINDS}
        if name in ("permalink banner", "citation check"):
            # The old Payment clause is both "Payment" and "Late payment"'s source: split either way.
            got["Late payment"] = got["Late payment"] or "split"
        assert got == MODEL_KINDS, (name, found)
    feed_xml = client.get(f"/c/{new['Termination'].lineage.key}/feed/").content.decode()
    assert 'term="editorial"' in feed_xml


def test_a_long_section_lists_each_edit_and_shows_moved_bullets(client):
    old = ("# E\n\n## 1. Sharing\n\nWe share personal data with the partners listed below. We keep it for thirty days. "
           "We never sell it to brokers of any kind. We answer requests within one month of receipt.\n\n"
           "## 2. Security\n\nWe protect data with encryption at rest and in transit.\n")
    new = ("# E\n\n## 1. Sharing\n\nWe share personal data with the partners listed here. We keep it for fourteen days. "
           "We never sell it to brokers of any kind. We answer requests within two months of receipt.\n\n"
           "## 2. Security\n\nWe protect data with encryption at rest and in transit.\n")
    doc, v1, v2, params = _pair("Edits", old, new)
    page = client.get("/compare/", params).content.decode()
    start = page.index('class="change-list"')
    listed = page[start:page.index("</nav>", start)]
    assert '<ol class="edits" aria-label="3 edits in this clause">' in listed
    assert "<del>thirty</del><ins>fourteen</ins>" in listed and "<del>one month</del><ins>two months</ins>" in listed
    assert "<del>below</del><ins>here</ins>" in listed
    # A clause edited once lists no sub-edits.
    doc, v1, v2, params = _pair("One edit", old, old.replace("thirty", "fourteen"))
    page = client.get("/compare/", params).content.decode()
    assert 'class="edits"' not in page


def test_a_moved_sentence_is_shown_moved_on_the_compare_page(client):
    old = ("# M\n\n## 1. Data\n\nWe collect your name and address. We use cookies on every page you visit. "
           "We delete inactive accounts after two years.\n")
    new = ("# M\n\n## 1. Data\n\nWe use cookies on every page you visit. We delete inactive accounts after two years. "
           "We collect your full name and address.\n")
    doc, v1, v2, params = _pair("Moves", old, new)
    page = client.get("/compare/", params).content.decode()
    assert '<span class="moved-away" data-move="1" title="moved">We collect your name and address.</span>' in page
    assert ('<span class="moved" data-move="1" title="moved">We collect your <ins>full </ins>name and address.</span>'
            in page)
