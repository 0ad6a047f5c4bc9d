"""Version dates on real samples (tests/samples, Open Terms Archive data, ODC-By 1.0).

* A revision history's latest entry, not after the day the text was recorded, is the
  date the text took effect, over an earlier statement.
* Two versions stating the same date are labelled by both dates and reached by either.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from documents import importing
from documents.fidelity import history_date, measure_source
from documents.ingest import parse_document
from documents.ingest.dates import revision_history_date

SAMPLES = Path(__file__).resolve().parent / "samples"
BANDCAMP = SAMPLES / "Bandcamp" / "Terms of Service" / "2025-09-01.md"
ACADEMIA = SAMPLES / "Academia.edu" / "Privacy Policy"


def test_revision_history_latest_entry_is_the_effective_date():
    text = BANDCAMP.read_text(encoding="utf-8")
    assert "Effective Date: November 11, 2024" in text
    parsed = parse_document(text, filename=BANDCAMP.name, recorded_date=dt.date(2025, 9, 1))
    assert parsed.effective_date == dt.date(2024, 11, 15)  # "November 15, 2024: Updated average …"
    # An entry after the day the text was recorded is not yet in force: the latest before it.
    assert revision_history_date(text, not_after=dt.date(2024, 11, 12)) == dt.date(2024, 11, 11)
    # The report's own reader agrees.
    assert measure_source(text, BANDCAMP.name).stated == dt.date(2024, 11, 15)


def test_original_date_and_revisions_take_the_latest_revision():
    text = ("# Terms of Use\n\nThese Terms of Use shall take effect on June 1, 2008.\n\n## 1. Use\n\nBe nice.\n\n"
            "## Revisions\n\nJune 22, 2026: Section 1 rewritten.\n\nMarch 3, 2020: Contact details updated.\n")
    assert parse_document(text, recorded_date=dt.date(2026, 7, 1)).effective_date == dt.date(2026, 6, 22)
    assert parse_document(text, recorded_date=dt.date(2021, 1, 1)).effective_date == dt.date(2020, 3, 3)
    # One dated sentence is no history: the statement stands.
    single = text.replace("March 3, 2020: Contact details updated.\n", "")
    assert parse_document(single, recorded_date=dt.date(2026, 7, 1)).effective_date == dt.date(2008, 6, 1)
    assert history_date(single.split("\n")) is None


@pytest.mark.django_db
def test_versions_sharing_a_stated_date_are_labelled_and_reached_by_both_dates(client):
    items = [item for item in importing.collect([SAMPLES]) if item.path.parent == ACADEMIA]
    outcomes = [importing.import_item(item) for item in items]
    assert [o.status for o in outcomes] == ["created", "created"]
    from documents.models import Document

    document = Document.objects.get()
    first, second = document.versions.timeline()
    assert first.effective_date == second.effective_date == dt.date(2020, 10, 28)
    assert (first.recorded_date, second.recorded_date) == (dt.date(2021, 11, 9), dt.date(2024, 12, 27))
    assert second.label == "2020-10-28-2"
    # Its address is the day it was recorded, which also reaches it; the stored label still does.
    assert second.get_absolute_url() == f"/d/{document.slug}/v/2024-12-27/"
    assert first.get_absolute_url() == f"/d/{document.slug}/v/2020-10-28/"
    page = client.get(f"/d/{document.slug}/v/2024-12-27/")
    assert page.status_code == 200 and page.context["version"].pk == second.pk
    assert client.get(f"/d/{document.slug}/v/2020-10-28-2/").context["version"].pk == second.pk
    assert client.get(f"/d/{document.slug}/v/2021-11-09/").context["version"].pk == first.pk
    assert client.get(f"/d/{document.slug}/v/2022-01-01/").status_code == 404
    # The timeline names each by both dates, never "28 Oct 2020" twice.
    html = page.content.decode()
    assert "28 Oct 2020 · recorded 9 Nov 2021" in html
    assert "28 Oct 2020 · recorded 27 Dec 2024" in html
    assert html.count(">28 Oct 2020</a>") == 0
