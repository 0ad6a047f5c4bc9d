"""Defined terms: found in real corpus clauses, linked from their uses, listed per version."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from documents.ingest import parse_document
from documents.ingest.definitions import Definition, find_definitions, link_terms, terms_pattern
from documents.models import Document

CORPUS = Path(__file__).resolve().parent / "corpus"


def _clauses(path: str) -> list[tuple[str, str]]:
    parsed = parse_document((CORPUS / path).read_text(encoding="utf-8"), filename=path)
    return [(c.anchor, c.text) for c in parsed.clauses]


def _clause(path: str, anchor: str) -> tuple[str, str]:
    (clause,) = [c for c in _clauses(path) if c[0] == anchor]
    return clause


def test_means_definitions_in_a_definitions_section():
    found = find_definitions([_clause("grammarly/commercial-terms/2023-01-19.md", "s12-16")])
    assert [d.term for d in found] == [
        "Acceptable Use Policy", "Affiliate", "BAA", "Confidential Information", "Control", "Customer Data",
        "Documentation", "Effective Date", "End User", "HIPAA", "HIPAA Data", "Intellectual Property Rights",
        "Legal Process", "Liability", "Order", "Services", "Third-Party Platform",
    ]
    assert found[:3] == [
        Definition(term="Acceptable Use Policy", anchor="s12-16", position=0, kind="means",
                   text='"Acceptable Use Policy" means the acceptable use policy set forth at the following link: '
                        "https://www.grammarly.com/acceptable-use-policy."),
        Definition(term="Affiliate", anchor="s12-16", position=0, kind="means",
                   text='"Affiliate" means any entity that directly or indirectly Controls, is Controlled by, or is '
                        "under common Control with a party."),
        Definition(term="BAA", anchor="s12-16", position=0, kind="means",
                   text="“BAA” means an addendum to this agreement covering the handling of HIPAA Data."),
    ]


def test_terms_named_in_parentheses():
    found = find_definitions([_clause("cloudflare/terms-of-service/2025-10-03.md", "s1")])
    assert [(d.term, d.kind) for d in found] == [("APIs", "parenthesis"), ("Services", "parenthesis")]
    # The hover text is the words the name closes, cut from the front when long.
    assert found[1].text.endswith("made available in connection with such cloud-based solutions (collectively, the “Services”)")
    assert found[1].text.startswith("… ") and len(found[1].text) <= 302


def test_bold_inside_the_quotes_and_lower_case_quotes_ignored():
    clauses = [
        ("s1", "“**Personal Data**” means any information relating to you. We (“we”, “us”) and “cookies” are not terms."),
        ("s2", "Our websites and apps (the “Services”). The “Services” shall mean something else."),
    ]
    found = find_definitions(clauses)
    assert [(d.term, d.anchor, d.kind) for d in found] == [("Personal Data", "s1", "means"), ("Services", "s2", "parenthesis")]
    assert found[0].text == "“Personal Data” means any information relating to you."


def test_corpus_definitions_are_capitalised_terms_only():
    for path in sorted(CORPUS.glob("*/*/*.md"))[::9]:
        for d in find_definitions(_clauses(str(path.relative_to(CORPUS)))):
            assert d.term[0].isupper() or d.term[0].isdigit(), (path, d.term)


def test_scope_of_a_definition():
    means = Definition(term="Affiliate", anchor="s9", position=9, text="", kind="means")
    named = Definition(term="Services", anchor="s1", position=1, text="", kind="parenthesis")
    assert means.applies_to(2) and means.applies_to(12) and not means.applies_to(9)  # a definitions section holds throughout
    assert named.applies_to(2) and not named.applies_to(0) and not named.applies_to(1)  # a name in passing holds from there on


def test_link_terms_exact_html():
    links = {"Personal Data": ("#s1", 'Means "any" <data>'), "Data": ("#s2", "Plain data")}
    html = (
        "<h2>Personal Data</h2><p>We sell no Personal Data, nor Data; "
        '<a href="/x">Personal Data</a> and <code>Data</code> stay; DataSets and Data-driven too. Datas.</p>'
    )
    assert link_terms(html, links) == (
        "<h2>Personal Data</h2><p>We sell no "
        '<a class="term" href="#s1" title="Means &quot;any&quot; &lt;data&gt;">Personal Data</a>, nor '
        '<a class="term" href="#s2" title="Plain data">Data</a>; '
        '<a href="/x">Personal Data</a> and <code>Data</code> stay; DataSets and Data-driven too. '
        '<a class="term" href="#s2" title="Plain data">Datas</a>.</p>'
    )
    # One pattern for the whole version; a clause links only the terms it is given.
    pattern = terms_pattern(["Personal Data", "Data"])
    assert link_terms("<p>Data and Personal Data</p>", {"Data": ("#s2", "d")}, pattern) == (
        '<p><a class="term" href="#s2" title="d">Data</a> and Personal Data</p>'
    )


@pytest.mark.django_db
def test_version_page_links_uses_to_definitions_and_lists_a_glossary(client, tmp_path):
    folder = tmp_path / "grammarly" / "commercial-terms"
    folder.mkdir(parents=True)
    shutil.copy(CORPUS / "grammarly" / "commercial-terms" / "2023-01-19.md", folder)
    call_command("import_documents", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    document = Document.objects.get(slug="grammarly-commercial-terms")
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    affiliate = '<a class="term" href="#s12-16" title="&quot;Affiliate&quot; means any entity that directly or indirectly Controls, is Controlled by, or is under common Control with a party." rel="noopener noreferrer nofollow">Affiliate'
    assert affiliate in html  # a use before the definitions section links to it
    views = {v.clause.anchor: str(v.html) for v in response.context["clauses"]}
    assert 'class="term"' not in views["s12-16"]  # the definitions themselves are left alone
    glossary = response.context["glossary"]
    assert [g.term for g in glossary][:4] == ["Acceptable Use Policy", "Affiliate", "BAA", "Confidential Information"]
    assert glossary[1].anchor == "s12-16" and glossary[1].clause_label == "§ 12.16"
    assert 'Defined terms (' in html
    # On a clause's own page the links point into the version page.
    clause = next(c for c in document.current_version.clauses.exclude(anchor="s12-16").order_by("position")
                  if " Affiliate" in c.text)  # texts are stored compressed: matched here
    page = client.get(clause.get_permalink()).content.decode()
    assert f'href="{document.current_version.get_absolute_url()}#s12-16"' in page
