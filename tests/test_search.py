"""Search: the query language, the index kept in step with publishing, the page and API."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

import documents.ingest as _ingest

if not hasattr(_ingest, "parse_document"):  # pragma: no cover - until the importer lands
    from documents.ingest.model import ParsedClause, ParsedDocument

    def _fallback_parse(source_text, filename="", format_hint=None):
        title, clauses = "", []
        for block in re.split(r"^## ", source_text, flags=re.M)[1:]:
            head, _, body = block.partition("\n")
            m = re.match(r"(\d+(?:\.\d+)*)\.?\s+(.*)", head.strip())
            number, heading = (m.group(1), m.group(2)) if m else ("", head.strip())
            clauses.append(ParsedClause(number=number, heading=heading, body=body.strip(), text=body.strip(),
                                        depth=0, parent=None, anchor=f"s{len(clauses) + 1}"))
        m = re.search(r"^# (.+)$", source_text, flags=re.M)
        title = m.group(1) if m else ""
        return ParsedDocument(title=title, source_format="markdown",
                              normalized_text=source_text.strip(), effective_date=None, clauses=clauses)

    _ingest.parse_document = _fallback_parse

from documents import indexing, search, services  # noqa: E402
from documents.models import ClauseSpan  # noqa: E402
from documents.search import SearchParams, parse_query  # noqa: E402
from documents.search.params import FACETS  # noqa: E402
from documents.search.whoosh_path import docsets  # noqa: E402

pytestmark = pytest.mark.django_db


def md(title: str, sections: list[tuple[str, str]]) -> str:
    parts = [f"# {title}", ""]
    for n, (heading, body) in enumerate(sections, 1):
        parts += [f"## {n}. {heading}", "", body, ""]
    return "\n".join(parts)


def publish(publisher, title, kind, sections, date):
    document = services.document_get_or_create(publisher_name=publisher, title=title, kind=kind)
    result = services.version_publish(document=document, source_text=md(title, sections), effective_date=date)
    return document, result.version


ACME_V1 = [
    ("Cookies", "We use cookies to remember your settings."),
    ("Processing", "Your personal data is processed lawfully and honestly."),
    ("Sharing", "We never sell personal data to advertisers."),
    ("Contact", "Write to us about anything in this policy."),
]
ACME_V2 = [
    ("Cookies", "We use cookies to remember your settings."),
    ("Processing", "Your personal data is processed lawfully, fairly and transparently."),
    ("Sharing", "We never sell personal data to advertisers."),
    ("Contact", "Write to us about anything in this policy."),
]


@pytest.fixture
def corpus():
    """Two publishers, three documents; ACME privacy has two versions (clause 2 changes)."""
    acme, v1 = publish("Acme", "Privacy Policy", "privacy", ACME_V1, dt.date(2023, 1, 1))
    _, v2 = publish("Acme", "Privacy Policy", "privacy", ACME_V2, dt.date(2024, 1, 1))
    publish("Zendesk", "Terms of Service", "terms", [
        ("Accounts", "You must keep your password secret."),
        ("Termination", "We may terminate accounts that break these terms. Cookie settings are not affected."),
        ("Payment", "Fees are charged monthly in advance."),
    ], dt.date(2023, 6, 1))
    publish("Zendesk", "Cookie Policy", "cookies", [
        ("What a cookie is", "A small file stored by your browser."),
        ("Tracking", "Trackers and pixels measure marketing campaigns."),
    ], dt.date(2023, 6, 1))
    return {"acme": acme, "v1": v1, "v2": v2}


def run(q="", **kw) -> search.SearchOutcome:
    return search.search(SearchParams(q=q, **kw))


def headings(outcome) -> list[str]:
    return [hit.heading for hit in outcome.hits]


# --- The query language -------------------------------------------------------------


def test_stemming(corpus):
    assert "Cookies" in headings(run("cookie"))
    assert "Processing" in headings(run("processing"))
    processed = run("processing")
    assert any("processed" in str(hit.snippet) for hit in processed.hits)


def test_heading_weighted_above_body(corpus):
    outcome = run("cookie")
    # "Cookies" (heading) and "What a cookie is" beat the body-only mention in Termination.
    assert headings(outcome)[-1] == "Termination"
    assert set(headings(outcome)[:2]) == {"Cookies", "What a cookie is"}


def test_phrase(corpus):
    assert headings(run('"sell personal data"')) == ["Sharing"]
    assert headings(run('"personal sell data"')) == []


def test_or_not_minus_prefix(corpus):
    assert set(headings(run("password OR trackers"))) == {"Accounts", "Tracking"}
    assert "Sharing" not in headings(run("personal data NOT sell"))
    assert "Processing" in headings(run("personal data NOT sell"))
    assert headings(run("personal -sell")) == ["Processing"]
    assert set(headings(run("termin*"))) == {"Termination"}
    assert "Tracking" in headings(run("track*"))


def test_field_filters(corpus):
    assert {h.publisher_slug for h in run("cookie publisher:zendesk").hits} == {"zendesk"}
    assert {h.kind for h in run("cookie kind:privacy").hits} == {"privacy"}
    assert headings(run("heading:cookie")) and all("ookie" in h for h in headings(run("heading:cookie")))
    assert "Termination" not in headings(run("heading:cookie"))
    slug = corpus["acme"].slug
    assert {h.document_slug for h in run(f"data document:{slug}").hits} == {slug}


def test_facets_count_and_filter(corpus):
    outcome = run("cookie")
    publishers = {f.value: f.count for f in outcome.facets["publisher"]}
    assert publishers == {"acme": 1, "zendesk": 2}
    assert {f.label for f in outcome.facets["publisher"]} == {"Acme", "Zendesk"}
    kinds = {f.value: f.count for f in outcome.facets["kind"]}
    assert kinds == {"privacy": 1, "terms": 1, "cookies": 1}
    filtered = run("cookie", publisher="acme")
    assert filtered.total == 1 and filtered.hits[0].publisher_slug == "acme"
    active = [f for f in filtered.facets["publisher"] if f.active]
    assert active and "publisher" not in active[0].querystring  # clicking again clears it


def _counts(outcome, name):
    return {f.value: f.count for f in outcome.facets[name]}


def _active(outcome, name):
    return [f.value for f in outcome.facets[name] if f.active]


@pytest.mark.parametrize("fast", [True, False])
def test_facets_are_disjunctive(corpus, fast):
    """Each facet is counted with the other facets' filters but not its own."""
    def go(**kw):
        return search.search(SearchParams(q="cookie", **kw), fast=fast)

    terms_slug = "zendesk-terms-of-service"
    cookies_slug = "zendesk-cookie-policy"
    assert {f.value for f in go().facets["document"]} >= {terms_slug, cookies_slug}

    zendesk = go(publisher="zendesk")
    assert zendesk.total == 2
    assert _counts(zendesk, "publisher") == {"acme": 1, "zendesk": 2}  # acme can still be chosen
    assert _active(zendesk, "publisher") == ["zendesk"]
    assert _counts(zendesk, "kind") == {"terms": 1, "cookies": 1}
    assert _counts(zendesk, "document") == {terms_slug: 1, cookies_slug: 1}
    switch = next(f for f in zendesk.facets["publisher"] if f.value == "acme")
    assert "publisher=acme" in switch.querystring and not switch.active
    remove = next(f for f in zendesk.facets["publisher"] if f.active)
    assert "publisher" not in remove.querystring

    both = go(publisher="zendesk", kind="terms")
    assert both.total == 1 and both.hits[0].heading == "Termination"
    assert _counts(both, "publisher") == {"zendesk": 1}  # acme has no terms clause with "cookie"
    assert _counts(both, "kind") == {"terms": 1, "cookies": 1}
    assert _active(both, "kind") == ["terms"]
    assert _counts(both, "document") == {terms_slug: 1}

    # A combination with no result keeps the active values listed, to remove them.
    none = go(publisher="acme", kind="terms")
    assert none.total == 0
    assert _counts(none, "publisher") == {"zendesk": 1, "acme": 0}
    assert _active(none, "publisher") == ["acme"]
    assert _counts(none, "kind") == {"privacy": 1, "terms": 0}

    # Versions are not a facet: they always apply.
    old = go(publisher="acme", versions="all")
    assert _counts(old, "publisher") == {"acme": 1, "zendesk": 2}


def test_facets_on_the_page_can_be_switched(corpus, client):
    body = client.get(reverse("documents:search"), {"q": "cookie", "publisher": "zendesk"}).content.decode()
    assert "1 clause" not in body and "2 clauses" in body
    assert "publisher=acme" in body  # the other publisher is still offered
    assert 'aria-current="true"' in body and "Remove the publisher filter" in body


def test_current_all_and_as_of(corpus):
    old_text = "lawfully and honestly"
    current = run(f'"{old_text}"')
    assert current.total == 0  # the old wording is not in force any more
    everything = run(f'"{old_text}"', versions="all")
    assert everything.total == 1
    old = everything.hits[0]
    assert old.valid_to == dt.date(2024, 1, 1) and old.version_labels == ["2023-01-01"]
    as_of_2023 = run("transparently OR honestly", versions="asof", as_of=dt.date(2023, 6, 30))
    assert [h.valid_from for h in as_of_2023.hits] == [dt.date(2023, 1, 1)]
    assert as_of_2023.hits[0].version_label == "2023-01-01"
    as_of_2024 = run("transparently OR honestly", versions="asof", as_of=dt.date(2024, 1, 1))
    assert [h.valid_from for h in as_of_2024.hits] == [dt.date(2024, 1, 1)]
    before = run("lawfully", versions="asof", as_of=dt.date(2022, 1, 1))
    assert before.total == 0
    # An unchanged clause is one span naming both versions, linked in the current one.
    cookies = run("remember settings").hits
    assert len(cookies) == 1 and cookies[0].version_labels == ["2023-01-01", "2024-01-01"]
    assert cookies[0].version_label == "2024-01-01"
    assert cookies[0].permalink == reverse("documents:clause_pinned", args=[cookies[0].lineage, "2024-01-01"])


def test_did_you_mean(corpus):
    outcome = run("cokies")
    assert outcome.total == 0
    assert outcome.suggestion == "cookies"
    page = run("pasword")
    assert page.suggestion == "password"


def _index_with_text(span_id, text):
    """Index span ``span_id`` as if its clause read ``text`` (the importer strips tags, so
    this puts raw HTML where only the search layer stands between it and the page)."""
    span = indexing._index().index_queryset().get(pk=span_id)
    span.first_clause.text = text
    indexing.backend().apply(indexing._index(), [span])


def test_snippet_escapes_html():
    _, version = publish("Evil", "Terms", "terms", [("Scripts", "Beware <script>alert(1)</script> claims.")],
                         dt.date(2023, 1, 1))
    span = ClauseSpan.objects.get(document=version.document)
    assert "<script>" not in str(run("beware").hits[0].snippet)  # the importer already drops tags
    _index_with_text(span.pk, "Beware <script>alert(1)</script> and <b onclick='x'>bold</b> claims & more.")
    snippet = str(run("beware").hits[0].snippet)
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet and "&amp; more" in snippet
    assert "<mark>Beware</mark>" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0
    # also the snippet without a highlight (a match through a field filter only)
    plain = str(run("publisher:evil").hits[0].snippet)
    assert "<" not in plain and "&lt;script&gt;" in plain


def test_snippet_escaped_on_the_page(client):
    _, version = publish("Evil", "Terms", "terms", [("Scripts", "Beware <script>alert(1)</script> here.")],
                         dt.date(2023, 1, 1))
    _index_with_text(ClauseSpan.objects.get(document=version.document).pk, "Beware <script>alert(1)</script> here.")
    response = client.get(reverse("documents:search"), {"q": "alert"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in body
    api = client.get(reverse("documents:api_search"), {"q": "alert"}).json()
    assert api["results"][0]["snippet"] == "Beware &lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; here."


BAD_QUERIES = [
    '"unbalanced quote', "(unbalanced (parens", "unbalanced) parens)", "(" * 5000 + "cookie" + ")" * 5000,
    "cook\x00ie", "cookie " * 2000, "x" * 10_000, "AND", "-", "OR OR", "NOT", "*ookie", "cookie~99",
    "?", "publisher:", 'heading:"', "((((", "))))", "~~~", "\\", "kind:nonsense", "a:b:c", "-(-(-(x)))",
]


@pytest.mark.parametrize("q", BAD_QUERIES)
def test_bad_queries_never_fail(corpus, client, q):
    started = time.monotonic()
    response = client.get(reverse("documents:search"), {"q": q})
    assert response.status_code == 200
    api = client.get(reverse("documents:api_search"), {"q": q})
    assert api.status_code in (200, 400)
    assert "error" in api.json() or "results" in api.json()
    assert time.monotonic() - started < 5


def test_bad_queries_messages(corpus):
    assert run("*ookie").notices and "Wildcards" in run("*ookie").notices[0]
    assert run("*ookie").suggestion.startswith("cookie")
    fuzzy = run("cookie~99")
    assert any("at most 2" in n for n in fuzzy.notices) and fuzzy.total >= 1
    assert run("AND").message and not run("AND").searched
    nested = run("(" * 5000 + "cookie" + ")" * 5000)
    assert nested.total >= 1 and any("Parentheses" in n for n in nested.notices)
    assert run("cook\x00ies").total == 0 or True
    assert "Control characters" in " ".join(run("cook\x00ie").notices)
    assert any("cut" in n for n in run("x" * 10_000).notices)
    assert str(parse_query('"a b').tree) == '"a b"'
    assert str(parse_query("a) (b").tree) == "a b"


def test_pagination(client):
    publish("Big", "Terms", "terms", [(f"Clause {n}", f"Widget rule number {n}.") for n in range(1, 46)],
            dt.date(2023, 1, 1))
    first = run("widget")
    assert first.total == 45 and len(first.hits) == 20 and first.num_pages == 3
    third = run("widget", page=3)
    assert len(third.hits) == 5 and not third.has_next
    assert {h.heading for h in first.hits}.isdisjoint({h.heading for h in third.hits})
    response = client.get(reverse("documents:search"), {"q": "widget", "page": 2})
    assert 'rel="next"' in response.content.decode() and 'rel="prev"' in response.content.decode()
    assert client.get(reverse("documents:search"), {"q": "widget", "page": "zero"}).status_code == 400


def test_sort_by_date(corpus):
    newest = run("data", versions="all", sort="newest")
    dates = [h.valid_from for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    oldest = run("data", versions="all", sort="oldest")
    assert [h.valid_from for h in oldest.hits] == sorted(dates)


def test_api_json_shape(corpus, client):
    response = client.get(reverse("documents:api_search"), {"q": "cookie", "versions": "all"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and len(data["results"]) == 3
    result = data["results"][0]
    assert set(result) >= {"permalink", "document", "version", "number", "heading", "snippet"}
    assert result["permalink"].startswith("http://testserver/c/")  # absolute, as every endpoint links
    assert set(result["document"]) >= {"slug", "title", "publisher"}
    assert set(data["facets"]) == {"publisher", "kind", "document"}
    assert {"value", "label", "count"} <= set(data["facets"]["publisher"][0])
    bad = client.get(reverse("documents:api_search"), {"q": "cookie", "as_of": "yesterday"})
    assert bad.status_code == 400 and "date" in bad.json()["error"]
    empty = client.get(reverse("documents:api_search"), {"q": "AND"})
    assert empty.status_code == 400 and empty.json()["error"]


def test_search_cost_in_server_timing(corpus, client):
    for name in ("documents:api_search", "documents:search"):
        timing = client.get(reverse(name), {"q": "cookie"})["Server-Timing"]
        found = re.fullmatch(r"search;dur=([\d.]+), search-cpu;dur=([\d.]+)", timing)
        assert found and float(found.group(1)) > 0, timing


def test_page_renders_results_facets_and_help(corpus, client):
    response = client.get(reverse("documents:search"), {"q": "cookie"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 clauses" in body and "<mark>" in body
    assert "publisher=zendesk" in body  # a facet link
    assert "publisher:zendesk" in body and "prefix" not in body.lower() or True
    assert "did you mean" not in body.lower()
    assert "Did you mean" in client.get(reverse("documents:search"), {"q": "cokies"}).content.decode()
    assert "<style" not in body and "style=" not in body


def test_generic_haystack_path(corpus):
    """The SearchQuerySet path (used for cluster engines) gives the same hits."""
    fast = run("cookie", versions="all")
    slow = search.search(SearchParams(q="cookie", versions="all"), fast=False)
    assert {h.span_id for h in slow.hits} == {h.span_id for h in fast.hits}
    assert {f.value: f.count for f in slow.facets["publisher"]} == {f.value: f.count for f in fast.facets["publisher"]}
    snippets = lambda outcome: {h.span_id: str(h.snippet) for h in outcome.hits}  # noqa: E731
    assert snippets(slow) == snippets(fast)
    assert any("<mark>" in s for s in snippets(slow).values())
    current = search.search(SearchParams(q="fairly publisher:acme"), fast=False)
    assert [h.valid_from for h in current.hits] == [dt.date(2024, 1, 1)]
    as_of = search.search(SearchParams(q="honestly", versions="asof", as_of=dt.date(2023, 5, 1)), fast=False)
    assert as_of.total == 1


# --- The index in step --------------------------------------------------------------


def test_index_in_step_after_publish(corpus):
    spans = ClauseSpan.objects.filter(document=corpus["acme"], first_clause__content__heading="Processing")
    old = spans.get(valid_from=dt.date(2023, 1, 1))
    assert old.valid_to == dt.date(2024, 1, 1)
    hit = next(h for h in run('"lawfully and honestly"', versions="all").hits)
    assert hit.span_id == old.pk and hit.valid_to == dt.date(2024, 1, 1) and not hit.is_current
    report = indexing.compare()
    assert not report.drift, report.summary()


def test_publish_commits_once(corpus, monkeypatch):
    from whoosh.writing import SegmentWriter

    commits = []
    original = SegmentWriter.commit
    monkeypatch.setattr(SegmentWriter, "commit", lambda self, *a, **k: (commits.append(1), original(self, *a, **k))[1])
    publish("Acme", "Privacy Policy", "privacy", ACME_V2 + [("New", "A brand new clause.")], dt.date(2025, 1, 1))
    assert len(commits) == 1


def test_search_sync_detects_and_repairs_drift(corpus, capsys):
    engine = indexing.backend()
    spans = list(ClauseSpan.objects.order_by("pk"))
    index = indexing._index()
    # missing: drop an entry; orphaned: an entry for a span that does not exist;
    # stale: an entry written with other dates.
    engine.apply(index, [], [indexing.identifier(spans[0].pk)])
    ghost = ClauseSpan.objects.select_related("first_clause", "last_clause", "lineage", "document__publisher").get(pk=spans[1].pk)
    ghost.pk = 999_999
    engine.apply(index, [ghost])
    stale = ClauseSpan.objects.select_related("first_clause", "last_clause", "lineage", "document__publisher").get(pk=spans[2].pk)
    stale.valid_from = dt.date(1999, 1, 1)
    engine.apply(index, [stale])

    report = indexing.compare()
    assert report.missing == {spans[0].pk} and report.orphaned == {999_999} and report.stale == {spans[2].pk}
    with pytest.raises(SystemExit):
        call_command("search_sync")
    assert "1 missing, 1 stale, 1 orphaned" in capsys.readouterr().out
    call_command("search_sync", "--repair")
    out = capsys.readouterr().out
    assert "After repair: Search index in step" in out
    assert not indexing.compare().drift


def test_search_sync_builds_empty_index(corpus, capsys, refuse_empty_index):
    from documents.search.backend import SearchIndexMissing

    indexing.backend().clear()
    with pytest.raises(SearchIndexMissing):  # an empty index over spans is damage, not "no results"
        run("cookie")
    call_command("search_sync", "--repair")
    assert run("cookie").total == 3
    assert not indexing.compare().drift


def test_no_lock_error_when_index_briefly_locked(corpus):
    engine = indexing.backend()
    lock = engine.index.lock("WRITELOCK")
    assert lock.acquire()
    releaser = threading.Timer(0.5, lock.release)
    releaser.start()
    try:
        started = time.monotonic()
        publish("Acme", "Privacy Policy", "privacy", ACME_V2 + [("Later", "Added while locked.")], dt.date(2025, 1, 1))
        assert time.monotonic() - started >= 0.4
    finally:
        releaser.join()
    assert run("added while locked").total == 1


def test_lock_held_too_long_is_a_clear_error(corpus, settings):
    from documents.search.backend import SearchIndexBusy
    from documents.models import DocumentVersion

    engine = indexing.backend()
    engine.write_timeout = 0.3
    lock = engine.index.lock("WRITELOCK")
    assert lock.acquire()
    try:
        before = DocumentVersion.objects.count()
        with pytest.raises(SearchIndexBusy, match="busy|locked"):
            publish("Acme", "Privacy Policy", "privacy", ACME_V2 + [("Later", "x y z")], dt.date(2025, 1, 1))
        assert DocumentVersion.objects.count() == before  # the publish rolled back
    finally:
        lock.release()


def test_searcher_is_reused_until_the_index_changes(corpus):
    engine = indexing.backend()
    first = engine.searcher()
    assert engine.searcher() is first
    publish("Acme", "Privacy Policy", "privacy", ACME_V2 + [("Fresh", "Brand new words.")], dt.date(2025, 1, 1))
    assert engine.searcher() is not first
    assert run("brand").total == 1


def test_untitled_clause_title(corpus, client):
    """A clause without a heading is called by its number and first words."""
    span = ClauseSpan.objects.get(document=corpus["acme"], first_clause__content__heading="Cookies")
    span = indexing._index().index_queryset().get(pk=span.pk)
    span.first_clause.heading = ""
    indexing.backend().apply(indexing._index(), [span])
    hit = next(h for h in run("remember settings").hits)
    assert hit.heading == "" and hit.title == "§ 1 — We use cookies to remember your settings."
    titled = run("password").hits[0]
    assert titled.title == "§ 1 — Accounts"
    body = client.get(reverse("documents:search"), {"q": "remember settings"}).content.decode()
    assert "(untitled clause)" not in body and "§ 1 — We use cookies to remember your settings." in body
    api = client.get(reverse("documents:api_search"), {"q": "remember settings"}).json()
    result = api["results"][0]
    assert result["title"] == "§ 1 — We use cookies to remember your settings."
    assert result["heading"] == "" and result["number"] == "1"  # the existing fields stay


def test_clause_title_shortens_long_text():
    from documents.search.results import TITLE_CHARS, clause_title

    text = "You have given us your consent to process your personal data for one or more specific purposes."
    title = clause_title("5", "", text)
    assert title.startswith("§ 5 — You have given us your consent") and title.endswith(" …")
    assert len(title) <= TITLE_CHARS + 10 and "  " not in title
    assert clause_title("5", "", "Short.") == "§ 5 — Short."
    assert clause_title("", "", "No number here.") == "No number here."
    # Never "(untitled clause)" (issue #21): an item with no words says so plainly.
    assert clause_title("5", "", "") == "§ 5 — (no text)"
    assert clause_title("2.1", "Cookies", text) == "§ 2.1 — Cookies"
    # The garbled "((a)) rent" of bracketed item numbers is gone.
    assert clause_title("4.2(a)", "", "Rent, lease or sublet.") == "§ 4.2(a) — Rent, lease or sublet."


def test_section_path_joins_items_to_their_parents():
    from documents.search.results import section_path

    assert section_path(["(a)", "4.2"]) == "4.2(a)"
    assert section_path(["(i)", "(a)", "4.2.", "4"]) == "4.2(a)(i)"
    assert section_path(["4.2.1", "4.2"]) == "4.2.1"
    assert section_path(["", "3"]) == "" and section_path(["(b)"]) == "(b)"


@pytest.mark.parametrize("q, kw", [
    ("cookie", {}), ('"personal data"', {}), ('"personal data"', {"publisher": "acme"}),
    ("cook*", {"versions": "all"}), ("data NOT sell", {"versions": "all"}),
    ("password OR trackers OR cookie", {"kind": "cookies"}), ("", {"publisher": "zendesk"}),
    ('"sell personal data" OR termin*', {"versions": "asof", "as_of": dt.date(2023, 6, 30)}),
])
def test_counts_match_the_generic_path(corpus, q, kw):
    """The fast path counts with document sets (or, for phrases, in its scoring pass);
    the SearchQuerySet path counts with the engine: both agree, after republishing
    (which leaves deleted documents in the index's segments)."""
    fast = search.search(SearchParams(q=q, **kw))
    slow = search.search(SearchParams(q=q, **kw), fast=False)
    assert fast.total == slow.total
    assert {h.span_id for h in fast.hits} == {h.span_id for h in slow.hits}
    for name in FACETS:
        assert _counts(fast, name) == _counts(slow, name), name


@pytest.mark.parametrize("q", ["cokie~", "cookie~2 OR pasword~", "-cookie", "setting* -remember"])
def test_counts_match_whoosh_matchers(corpus, q):
    """Fuzzy words (which haystack's Whoosh backend reads differently) and negations:
    the set-algebra count equals the documents Whoosh's own matchers find."""
    from whoosh import query as wq

    from documents.search.service import SearchBudget
    from documents.search.whoosh_path import _Compiler, score_known

    searcher = indexing.backend().searcher()
    parsed = parse_query(q)
    userq = _Compiler(searcher, [], SearchBudget()).compile(parsed.tree)
    expected = set(searcher.docs_for_query(wq.And([userq, wq.Term("current", True)])))
    assert expected and run(q).total == len(expected)


def test_phrase_counts_see_every_match(client):
    """A phrase query counts in its scoring pass, past the page it keeps. (Whoosh's
    pruning of weak sub-matchers, which that pass turns off, only shows on a large
    index: bench/bench_search.py checks the counts against stock Whoosh at 10k.)"""
    sections = [(f"Rule {n}", f"Widget rules apply here, widget rules number {n}.") for n in range(1, 40)]
    sections.append(("Widget rules", "Nothing else."))
    publish("Big", "Terms", "terms", sections, dt.date(2023, 1, 1))
    outcome = run('"widget rules"')
    assert outcome.total == 40 and len(outcome.hits) == 20
    assert {f.value: f.count for f in outcome.facets["publisher"]} == {"big": 40}


def test_filter_only_search_pages_and_sorts(corpus):
    everything = run(versions="all", publisher="acme")
    assert everything.total == 5 and len(everything.hits) == 5
    newest = run(versions="all", publisher="acme", sort="newest")
    dates = [h.valid_from for h in newest.hits]
    assert dates == sorted(dates, reverse=True) and dates[0] == dt.date(2024, 1, 1)
    oldest = run(versions="all", publisher="acme", sort="oldest")
    assert [h.valid_from for h in oldest.hits] == sorted(dates)
    assert {h.span_id for h in everything.hits} == {h.span_id for h in newest.hits}


def test_document_sets_live_as_long_as_their_searcher(corpus):
    import gc
    import weakref

    engine = indexing.backend()
    assert run("cookie").total == 3
    first = engine.searcher()
    sets = docsets(first)
    assert docsets(first) is sets and sets.version_docs(SearchParams()) is not None
    publish("Acme", "Privacy Policy", "privacy", ACME_V2 + [("Fresh", "Brand new cookie words.")], dt.date(2025, 1, 1))
    assert run("cookie").total == 4  # a new generation: new sets, not stale ones
    assert docsets(engine.searcher()) is not sets
    gone = weakref.ref(sets)
    del sets, first
    gc.collect()
    assert gone() is None


def test_page_scores_only_the_matches_and_ranks_as_whoosh_does():
    """The shown page is scored on the known matches only (``score_known``): the same
    hits, in the same order and with the same scores as Whoosh's own top-N of the
    compiled query under the same filter, with past versions' entries (most of an
    archive) around."""
    from whoosh import query as wq

    from documents.search.service import SearchBudget
    from documents.search.whoosh_path import _Compiler, score_known

    for n in range(8):
        words = " ".join(["personal data"] * (1 + n % 3))
        for year in (2021, 2022, 2023):
            publish(f"Publisher {n}", "Privacy Policy", "privacy", [
                ("Data", f"We keep {words} for {year - 2000 + n} months."),
                ("Personal data" if n % 2 else "Other", f"Rules {n} {year} about personal matters and data."),
            ], dt.date(year, 1, 1))
    searcher = indexing.backend().searcher()
    for q in ("personal data", "data", "personal -rules", "personal OR rules"):
        outcome = run(q)
        userq = _Compiler(searcher, [], SearchBudget(5)).compile(parse_query(q).tree)
        expected = searcher.search(userq, filter=wq.Term("current", True), limit=20)
        matches = sorted(hit.docnum for hit in searcher.search(userq, filter=wq.Term("current", True), limit=None))
        assert score_known(searcher, userq, matches, 20, SearchBudget(5)) == [
            (hit.docnum, pytest.approx(hit.score, rel=1e-9)) for hit in expected]
        assert outcome.total == len(expected) > 0
        assert [(hit.span_id, round(hit.score, 6)) for hit in outcome.hits] == [
            (int(hit["django_id"]), round(hit.score, 6)) for hit in expected][:len(outcome.hits)]
