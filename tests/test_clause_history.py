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
from documents.models import Clause, ClauseLineage

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parent / "corpus"
SLUG = "cloudflare-terms-of-service"


@pytest.fixture
def cloudflare(tmp_path):
    shutil.copytree(CORPUS / "cloudflare" / "terms-of-service", tmp_path / "cloudflare" / "terms-of-service")
    call_command("import_documents", str(tmp_path), stdout=StringIO(), stderr=StringIO())


def _lineage(label: str, number: str, heading_word: str) -> ClauseLineage:
    (clause,) = [
        c for c in Clause.objects.filter(version__document__slug=SLUG, version__label=label, number=number)
        if heading_word in c.heading
    ]
    return clause.lineage


def _steps(lineage):
    return [(s.version.label, s.kind, s.renumbered, s.moved) for s in selectors.clause_history(lineage)]


def test_history_of_renumbered_moved_and_amended_clause(cloudflare):
    lineage = _lineage("2021-08-30", "19", "Contact")
    assert _steps(lineage) == [
        ("2021-08-30", "added", False, False),
        ("2022-08-05", "unchanged", True, True),
        ("2023-07-07", "substantive", True, False),
        ("2024-12-03", "unchanged", False, False),
        ("2025-10-03", "unchanged", True, False),
    ]
    steps = selectors.clause_history(lineage)
    assert steps[1].old_number == "19" and steps[1].clause.number != "19"
    assert [s.previous.label if s.previous else None for s in steps] == [
        None, "2021-08-30", "2022-08-05", "2023-07-07", "2024-12-03"]


def test_history_of_an_editorial_change_and_of_a_removed_clause(cloudflare):
    assert _steps(_lineage("2021-08-30", "3.4", "Third Party"))[:2] == [
        ("2021-08-30", "added", False, False), ("2022-08-05", "editorial", True, False)]
    assert _steps(_lineage("2021-08-30", "20", "Publicity")) == [
        ("2021-08-30", "added", False, False),
        ("2022-08-05", "unchanged", True, False),
        ("2023-07-07", "removed", False, False),
    ]


def test_history_starts_where_the_clause_first_appears(cloudflare):
    clause = Clause.objects.get(version__document__slug=SLUG, version__label="2022-08-05", number="2.5.5")
    steps = _steps(clause.lineage)
    assert steps[0] == ("2022-08-05", "added", False, False)
    assert [s[0] for s in steps] == ["2022-08-05", "2023-07-07", "2024-12-03", "2025-10-03"]


def test_clause_page_shows_the_history_with_links(client, cloudflare):
    lineage = _lineage("2021-08-30", "19", "Contact")
    old = lineage.clauses.get(version__label="2021-08-30")
    html = client.get(old.get_permalink()).content.decode()
    section = html[html.index('class="clause-history"'):]
    assert "<h2 id=\"history-title\">History of this clause</h2>" in section
    assert section.count("<tr class=\"kind-") == 5
    assert 'aria-current="true"' in section  # the version shown is marked
    for clause in lineage.clauses.all():
        assert f'href="{clause.get_permalink()}"' in section
    assert f"/compare/?a={SLUG}@2022-08-05&amp;b={SLUG}@2023-07-07" in section
    assert "substantive change" in section and "renumbered from 19" in section and ">moved<" in section
