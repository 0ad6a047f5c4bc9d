"""Lineage keys whatever order versions are published in (back-dating).

Three versions of one policy are published in each of the 6 possible orders. Whatever
the order: identical clauses of neighbouring versions (on the timeline) share one key,
a clause's history reads in date order through every version that has it, the clause
page of an unchanged clause never says "removed", and no published clause row is ever
rewritten (its lineage stays what it was created with).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from documents import permalinks, selectors
from documents.models import Clause, ClauseLineageLink
from tests import factories

pytestmark = pytest.mark.django_db

INTRO = "This policy explains how Example Corp handles personal information of its customers."
FEES = {
    2020: "You pay every invoice within thirty days of the date it is sent to you by email.",
    2021: "You pay every invoice within fourteen days of the date it is sent to you by email.",
    2022: "You pay every invoice within fourteen days of the date it is sent to you by email.",
}
# Drifts a little each year: each step is the same provision, the ends differ more.
LAW = {
    2020: "These terms are governed by the laws of California and disputes go to the courts of San Francisco county.",
    2021: "These terms are governed by the laws of Delaware and disputes go to the courts of Wilmington in that state.",
    2022: "These terms are governed by the laws of Delaware and every dispute is settled by binding arbitration in Wilmington.",
}
ONLY_2021 = "During the 2021 promotion, new accounts get three months of the premium plan for free."


def _text(year: int) -> str:
    parts = [f"# Terms\n\n## 1. Introduction\n\n{INTRO}\n", f"## 2. Fees\n\n{FEES[year]}\n"]
    if year == 2021:
        parts.append(f"## 3. Promotion\n\n{ONLY_2021}\n")
    parts.append(f"## {4 if year == 2021 else 3}. Governing law\n\n{LAW[year]}\n")
    return "\n".join(parts)


YEARS = (2020, 2021, 2022)


@pytest.mark.parametrize("order", list(itertools.permutations(YEARS)), ids=lambda o: "-".join(map(str, o)))
def test_every_publication_order_keeps_identical_clauses_on_one_key(order):
    doc = factories.document(slug=f"terms-{'-'.join(map(str, order))}")
    snapshots: dict[int, tuple] = {}
    versions = {}
    for year in order:
        versions[year] = factories.publish(doc, _text(year), date=dt.date(year, 6, 1)).version
        # Rows already published are never rewritten.
        for pk, lineage_id in snapshots.items():
            assert Clause.objects.get(pk=pk).lineage_id == lineage_id
        snapshots.update(dict(Clause.objects.filter(version__document=doc).values_list("pk", "lineage_id")))

    doc.refresh_from_db()
    assert doc.current_version == versions[2022]
    by_year = {y: {c.heading: c for c in selectors.version_clauses(versions[y])} for y in YEARS}

    # Identical clauses of neighbouring versions share a key (the very same key).
    for older, newer in ((2020, 2021), (2021, 2022)):
        for heading, clause in by_year[older].items():
            twin = by_year[newer].get(heading)
            if twin is not None and twin.text_sha == clause.text_sha:
                assert twin.lineage_id == clause.lineage_id, (order, heading, older, newer)

    # Each provision's history reads in date order through all versions holding it,
    # from whichever of its keys a link was made with.
    for heading in ("Introduction", "Fees", "Governing law"):
        for year in YEARS:
            history = selectors.lineage_history(by_year[year][heading].lineage)
            assert [c.version.effective_date.year for c in history] == list(YEARS), (order, heading, year)
    promo = selectors.lineage_history(by_year[2021]["Promotion"].lineage)
    assert [c.version.effective_date.year for c in promo] == [2021]

    # The 2021 fees clause is in the current version verbatim: not "removed".
    fate = permalinks.clause_fate(by_year[2021]["Fees"].lineage, by_year[2021]["Fees"])
    assert not fate.removed and fate.latest.pk == by_year[2022]["Fees"].pk and fate.changes == []
    # The 2020 law clause: amended, and its latest is the 2022 one.
    fate = permalinks.clause_fate(by_year[2020]["Governing law"].lineage, by_year[2020]["Governing law"])
    assert fate.latest.pk == by_year[2022]["Governing law"].pk and "amended" in fate.changes


def test_links_are_recorded_only_when_a_back_dated_version_bridges_two_keys():
    doc = factories.document(slug="terms-bridge")
    for year in (2020, 2022):
        factories.publish(doc, _text(year), date=dt.date(year, 6, 1))
    assert not ClauseLineageLink.objects.filter(document=doc).exists()
    factories.publish(doc, _text(2021), date=dt.date(2021, 6, 1))
    for link in ClauseLineageLink.objects.filter(document=doc):
        assert link.lineage_id != link.same_as_id
    # A link row is append-only like the clauses.
    link = ClauseLineageLink.objects.filter(document=doc).first()
    if link is not None:
        with pytest.raises(Exception):
            link.save()
