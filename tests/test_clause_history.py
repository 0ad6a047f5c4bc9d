"""A clause's history on its page, on five real versions of Cloudflare's terms
(Open Terms Archive, ODC-By): added, unchanged, editorial, substantive, renumbered,
moved and removed, each step linking to the pinned clause and to the comparison."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from documents import selectors
from documents.models import Clause, ClauseLineage, Document

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parent / "corpus"
SLUG = "cloudflare-terms-of-service"


@pytest.fixture
def cloudflare(tmp_path):
    """The five versions' labels, oldest first (their dates are the ones the texts state)."""
    shutil.copytree(CORPUS / "cloudflare" / "terms-of-service", tmp_path / "cloudflare" / "terms-of-service")
    call_command("import_documents", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    labels = [v.label for v in selectors.version_timeline(Document.objects.get(slug=SLUG))]
    assert len(labels) == 5
    return labels


def _lineage(label: str, number: str, heading_word: str) -> ClauseLineage:
    (clause,) = [
        c for c in Clause.objects.filter(version__document__slug=SLUG, version__label=label, number=number)
        if heading_word in c.heading
    ]
    return clause.lineage


def _steps(lineage, labels):
    """(version index, kind, renumbered, moved) for each step."""
    return [(labels.index(s.version.label), s.kind, s.renumbered, s.moved) for s in selectors.clause_history(lineage)]


def test_history_of_renumbered_moved_and_amended_clause(cloudflare):
    labels = cloudflare
    lineage = _lineage(labels[0], "19", "Contact")
    # One kind per step (documents.kinds): a move outranks the renumbering it caused.
    assert _steps(lineage, labels) == [
        (0, "added", False, False),
        (1, "moved", True, True),
        (2, "substantive", True, False),
        (3, "unchanged", False, False),
        (4, "renumbered", True, False),
    ]
    steps = selectors.clause_history(lineage)
    assert steps[1].old_number == "19" and steps[1].clause.number != "19"
    assert [s.previous.label if s.previous else None for s in steps] == [None, *labels[:4]]


def test_history_of_an_editorial_change_and_of_a_removed_clause(cloudflare):
    labels = cloudflare
    assert _steps(_lineage(labels[0], "3.4", "Third Party"), labels)[:2] == [
        (0, "added", False, False), (1, "editorial", True, False)]
    assert _steps(_lineage(labels[0], "20", "Publicity"), labels) == [
        (0, "added", False, False),
        (1, "renumbered", True, False),
        (2, "removed", False, False),
    ]


def test_history_starts_where_the_clause_first_appears(cloudflare):
    labels = cloudflare
    clause = Clause.objects.get(version__document__slug=SLUG, version__label=labels[1], number="2.5.5")
    assert _steps(clause.lineage, labels) == [
        (1, "added", False, False), (2, "substantive", False, False),
        (3, "unchanged", False, False), (4, "unchanged", False, False)]


def test_clause_page_shows_the_history_with_links(client, cloudflare):
    labels = cloudflare
    lineage = _lineage(labels[0], "19", "Contact")
    old = lineage.clauses.get(version__label=labels[0])
    html = client.get(old.get_permalink()).content.decode()
    section = html[html.index('class="clause-history"'):]
    assert "<h2 id=\"history-title\">History of this clause</h2>" in section
    assert section.count("<tr class=\"kind-") == 5
    assert 'aria-current="true"' in section  # the version shown is marked
    for clause in lineage.clauses.all():
        assert f'href="{clause.get_permalink()}"' in section
    assert f"/compare/?a={SLUG}@{labels[1]}&amp;b={SLUG}@{labels[2]}" in section
    assert "substantive change" in section and "renumbered from 19" in section and 'data-kind="moved">moved<' in section
