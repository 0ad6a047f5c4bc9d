"""The citation check: link finding (pure) and the status of every pinned clause link,
on the development corpus."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from documents import comparison, diff
from documents.linkfind import FoundLink, find_links
from documents.models import Clause, Document
from tests import factories
from tests.corpus_db import corpus_imported

# Two documents of the corpus that between them have every kind of change.
SUBSET = {"grammarly-commercial-terms", "wix-privacy-policy"}
STATUSES = ("unchanged", "editorial", "amended", "renumbered", "moved", "removed")


# --- Link finding (pure) ---------------------------------------------------------------


def test_find_links_exact():
    text = (
        "Cited https://portal.example.com/c/ab34cdef/2024-01-01/, see also (/c/zz99xx88/) and\n"
        "[6.4](http://127.0.0.1:8000/d/acme-terms/v/2024-06-01/#s6-4). Again: "
        "https://portal.example.com/c/ab34cdef/2024-01-01/ — not https://other.example/x/c/abcd1234/ "
        "nor /c/AB/, but /c/k2k2k2k2/2024-01-01-2 and /d/acme-terms/v/current/#s1.2."
    )
    links, truncated = find_links(text)
    assert truncated is False
    assert links == [
        FoundLink("https://portal.example.com/c/ab34cdef/2024-01-01/", "portal.example.com", key="ab34cdef",
                  label="2024-01-01"),
        FoundLink("/c/zz99xx88/", "", key="zz99xx88"),
        FoundLink("http://127.0.0.1:8000/d/acme-terms/v/2024-06-01/#s6-4", "127.0.0.1:8000", label="2024-06-01",
                  slug="acme-terms", anchor="s6-4"),
        FoundLink("/c/k2k2k2k2/2024-01-01-2", "", key="k2k2k2k2", label="2024-01-01-2"),
        FoundLink("/d/acme-terms/v/current/#s1.2", "", label="current", slug="acme-terms", anchor="s1.2"),
    ]
    assert [link.pinned for link in links] == [True, False, True, True, False]


def test_find_links_is_bounded():
    text = " ".join(f"/c/key{n:05d}/2024-01-01/" for n in range(50))
    links, truncated = find_links(text, limit=10)
    assert len(links) == 10 and truncated is True


# --- Statuses on the corpus ------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    with corpus_imported(tmp_path_factory, django_db_blocker, SUBSET) as items:
        yield items


def _expected_examples(per_status=3):
    """Pinned clauses of older versions and what the check should say about each, as
    (clause, status, flags), worked out here from the stored rows and the aligner (not
    through the checker). Keyed by every flag, since in this corpus a moved clause is
    always amended or renumbered as well (a pure move is tested on a small policy)."""
    found: dict[str, list[tuple[Clause, str, list[str]]]] = {s: [] for s in STATUSES}
    for document in Document.objects.filter(slug__in=SUBSET):
        current = document.current_version
        now = {c.lineage_id: c for c in current.clauses.all()}
        for version in document.versions.exclude(pk=current.pk):
            moved = {row.new.lineage_id for row in comparison.compare_versions(version, current).rows
                     if row.moved and row.new is not None}
            for clause in version.clauses.select_related("lineage", "version"):
                latest = now.get(clause.lineage_id)
                flags = []
                if latest is None:
                    flags = ["removed"]
                else:
                    if latest.text_sha != clause.text_sha:
                        kind = diff.change_kind(f"{clause.heading}\n{clause.text}", f"{latest.heading}\n{latest.text}")
                        flags.append("amended" if kind == diff.SUBSTANTIVE else "editorial")
                    if latest.number != clause.number:
                        flags.append("renumbered")
                    if clause.lineage_id in moved:
                        flags.append("moved")
                status = next((s for s in ("removed", "amended", "editorial", "renumbered", "moved") if s in flags),
                              "unchanged")
                for flag in flags or ["unchanged"]:
                    if len(found[flag]) < per_status:
                        found[flag].append((clause, status, flags or ["unchanged"]))
    return found


def test_every_status_on_the_corpus(corpus, db, client):
    examples = _expected_examples()
    assert all(examples[s] for s in STATUSES), {s: len(v) for s, v in examples.items()}
    seen, pairs = set(), []
    for flag in STATUSES:
        for clause, status, flags in examples[flag]:
            if clause.pk not in seen:
                seen.add(clause.pk)
                pairs.append((clause, status, flags))
    text = "Ticket #4711: customer cites\n" + "\n".join(
        f"- http://testserver{clause.get_permalink()} ({clause.heading[:30]})" for clause, _, _ in pairs)

    response = client.post(reverse("alerts:api_citations"), {"text": text})
    assert response.status_code == 200
    data = response.json()
    assert [r["status"] for r in data["results"]] == [status for _, status, _ in pairs]
    assert [r["changes"] for r in data["results"]] == [flags for _, _, flags in pairs]
    for (clause, status, _), result in zip(pairs, data["results"]):
        assert result["cited"]["key"] == clause.lineage.key and result["cited"]["version"] == clause.version.label
        if status == "removed":
            assert result["current"] is None and result["removed_in"]
        else:
            current = clause.version.document.current_version
            assert result["current_url"] == f"http://testserver/c/{clause.lineage.key}/{current.label}/"
        if status in ("amended", "editorial"):
            assert "<del>" in result["diff_html"] or "<ins>" in result["diff_html"]
        if status == "unchanged":
            assert result["diff_html"] is None
    assert data["counts"]["removed"] == len(examples["removed"])

    # The page says the same, with the word diff.
    page = client.post(reverse("alerts:citations"), {"text": text}).content.decode()
    for status in set(status for _, status, _ in pairs):
        assert f'data-status="{status}"' in page
    assert '<span class="tag moved">moved</span>' in page
    assert "<del>" in page or "<ins>" in page


def test_version_page_anchor_links_are_checked_too(corpus, db, client):
    clause, status, _ = _expected_examples(1)["amended"][0]
    link = f"http://testserver{clause.version.get_absolute_url()}#{clause.anchor}"
    result = client.get(reverse("alerts:api_citations"), {"text": link}).json()["results"][0]
    assert result["status"] == "amended" and result["cited"]["key"] == clause.lineage.key


def test_the_clause_page_offers_check_a_ticket(corpus, db, client):
    clause, *_ = next(e for e in _expected_examples()["editorial"] if e[1] == "editorial")
    page = client.get(clause.get_permalink()).content.decode()
    assert "check a ticket" in page
    link = page.split('class="check-ticket" href="')[1].split('"')[0].replace("&amp;", "&")
    checked = client.get(link).content.decode()
    assert 'data-status="editorial"' in checked


def test_check_a_ticket_is_on_every_kind_of_clause_page(corpus, db, client):
    """Pinned in the current version, pinned in an old one, the latest link of a live
    clause and of a removed one: each page links to the check of its own pinned link."""
    examples = _expected_examples(1)
    removed = examples["removed"][0][0]
    amended = examples["amended"][0][0]
    current = amended.version.document.current_version.clauses.select_related("lineage", "version").first()
    pages = {
        current.get_permalink(): current, amended.get_permalink(): amended, removed.get_permalink(): removed,
        f"/c/{amended.lineage.key}/": amended.lineage, f"/c/{removed.lineage.key}/": removed.lineage,
    }
    for url, pinned in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        links = re.findall(r'<a class="check-ticket" href="([^"]+)">check a ticket</a>', response.content.decode())
        assert len(links) == 1, url
        query = parse_qs(urlsplit(html.unescape(links[0])).query)
        if isinstance(pinned, Clause):
            assert query["text"] == [f"http://testserver{pinned.get_permalink()}"], url
        else:  # the latest link shows, and checks, the newest version that has the clause
            key, label = query["text"][0].removeprefix("http://testserver/c/").strip("/").split("/")
            assert key == pinned.key, url
            live = pinned.clauses.filter(version=pinned.document.current_version_id).exists()
            assert (label == pinned.document.current_version.label) is live, url
        assert client.get(links[0].replace("&amp;", "&")).status_code == 200


# --- Edges, bounds and safety ----------------------------------------------------------


@pytest.fixture
def small(db):
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    factories.publish(doc, factories.POLICY_V2)
    return doc, v1


def test_unpinned_unknown_and_foreign_links(small, client):
    doc, v1 = small
    clause = v1.clauses.select_related("lineage").get(heading="Contact Us")
    text = (f"/c/{clause.lineage.key}/ and /c/nosuchkey/2024-01-01/ and /c/{clause.lineage.key}/1999-01-01/ "
            f"and https://elsewhere.example/c/{clause.lineage.key}/{v1.label}/")
    data = client.post(reverse("alerts:api_citations"), {"text": text}).json()
    assert [r["status"] for r in data["results"]] == ["unpinned", "not_found", "not_found"]
    assert data["results"][0]["current_url"].endswith(f"/c/{clause.lineage.key}/{doc.versions.last().label}/")
    assert data["ignored_hosts"] == ["elsewhere.example"]


def test_renumbered_on_the_small_policy(small, client):
    doc, v1 = small
    clause = v1.clauses.select_related("lineage").get(heading="Contact Us")  # 4 -> 5
    result = client.post(reverse("alerts:api_citations"), {"text": clause.get_permalink()}).json()["results"][0]
    assert result["status"] == "renumbered" and result["changes"] == ["renumbered"]


MOVES_V1 = """# Moving Terms

Effective: January 1, 2024

## Accounts

You need an account to use the service.

## Payment

You pay every month in advance.

## Termination

Either side may end the agreement at any time.
"""

# Accounts moves to the end, word for word, without any numbers to change.
MOVES_V2 = MOVES_V1.replace("January 1, 2024", "March 1, 2024").replace(
    "## Accounts\n\nYou need an account to use the service.\n\n", "") + (
    "\n## Accounts\n\nYou need an account to use the service.\n")


def test_a_clause_that_only_moved(db, client):
    doc = factories.document(publisher="Mover", title="Moving Terms", kind="terms")
    v1 = factories.publish(doc, MOVES_V1).version
    factories.publish(doc, MOVES_V2)
    clause = v1.clauses.get(heading="Accounts")
    result = client.post(reverse("alerts:api_citations"), {"text": clause.get_permalink()}).json()["results"][0]
    assert (result["status"], result["changes"]) == ("moved", ["moved"])


def test_input_is_bounded(small, client, settings):
    settings.PORTAL_CITATIONS_MAX_CHARS = 1000
    response = client.post(reverse("alerts:api_citations"), {"text": "x" * 1001})
    assert response.status_code == 413 and "at most 1,000" in response.json()["error"]
    assert client.post(reverse("alerts:citations"), {"text": "x" * 1001}).status_code == 413
    assert client.post(reverse("alerts:api_citations"), {"text": "  "}).status_code == 400
    bad = client.post(reverse("alerts:api_citations"), b"{not json", content_type="application/json")
    assert bad.status_code == 400


def test_json_body_and_raw_text_are_accepted(small, client):
    doc, v1 = small
    link = v1.clauses.first().get_permalink()
    as_json = client.post(reverse("alerts:api_citations"), {"text": link}, content_type="application/json")
    raw = client.generic("POST", reverse("alerts:api_citations"), link.encode(), content_type="text/plain")
    assert as_json.json()["count"] == raw.json()["count"] == 1


def test_the_form_needs_its_csrf_token_and_writes_nothing(small):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("alerts:citations"), {"text": "/c/abcdabcd/"}).status_code == 403
    # The JSON endpoint is read-only and session-free: no token needed.
    assert strict.post(reverse("alerts:api_citations"), {"text": "/c/abcdabcd/"}).status_code == 200
