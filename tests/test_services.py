"""version_publish: one transaction, dedupe, lineage keys, spans, current version."""

import datetime as dt

import pytest

from documents import indexing, services
from documents.models import Clause, ClauseLineage, ClauseSpan, DocumentVersion
from tests import factories

pytestmark = pytest.mark.django_db


def _by_heading(version):
    return {c.heading: c for c in version.clauses.select_related("lineage")}


def test_publish_creates_version_with_clauses_and_date_from_text():
    doc = factories.document()
    result = factories.publish(doc, factories.POLICY_V1)
    assert result.created
    version = result.version
    assert version.effective_date == dt.date(2024, 1, 1)
    assert version.effective_date_stated
    assert version.label == "2024-01-01"
    headings = [(c.number, c.heading) for c in version.clauses.order_by("position") if c.heading]
    assert ("1", "Introduction") in headings and ("4", "Contact Us") in headings
    doc.refresh_from_db()
    assert doc.current_version == version


def test_identical_text_creates_nothing_and_says_so():
    doc = factories.document()
    first = factories.publish(doc, factories.POLICY_V1).version
    counts = (DocumentVersion.objects.count(), Clause.objects.count(), ClauseLineage.objects.count())
    again = factories.publish(doc, factories.POLICY_V1 + "\n\n   \n")
    assert not again.created
    assert again.version == first
    assert "identical" in again.message and first.label in again.message
    assert (DocumentVersion.objects.count(), Clause.objects.count(), ClauseLineage.objects.count()) == counts


def test_new_version_inherits_lineage_keys():
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    v2 = factories.publish(doc, factories.POLICY_V2).version
    old, new = _by_heading(v1), _by_heading(v2)
    # Unchanged text keeps its key whatever its number: 3 -> 4 and 4 -> 5.
    assert new["How We Use Information"].lineage_id == old["How We Use Information"].lineage_id
    assert new["How We Use Information"].number == "4"
    assert new["Contact Us"].lineage_id == old["Contact Us"].lineage_id
    # An amended clause keeps its key too; a new clause gets a new one.
    assert new["Information We Collect"].lineage_id == old["Information We Collect"].lineage_id
    assert new["Cookies"].lineage_id not in {c.lineage_id for c in old.values()}


def test_spans_record_when_each_text_was_in_force():
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    v2 = factories.publish(doc, factories.POLICY_V2).version
    collect = _by_heading(v1)["Information We Collect"]
    spans = list(ClauseSpan.objects.filter(lineage=collect.lineage).order_by("valid_from"))
    assert [(s.valid_from, s.valid_to, s.version_labels) for s in spans] == [
        (v1.effective_date, v2.effective_date, v1.label),
        (v2.effective_date, None, v2.label),
    ]
    contact = _by_heading(v1)["Contact Us"]
    (span,) = ClauseSpan.objects.filter(lineage=contact.lineage)
    assert (span.valid_from, span.valid_to, span.version_labels) == (v1.effective_date, None, f"{v1.label} {v2.label}")


def test_back_dated_version_joins_the_timeline_without_displacing_current():
    doc = factories.document()
    v2 = factories.publish(doc, factories.POLICY_V2).version
    v1 = factories.publish(doc, factories.POLICY_V1).version
    doc.refresh_from_db()
    assert doc.current_version == v2
    assert list(doc.versions.timeline()) == [v1, v2]


def test_explicit_effective_date_wins_and_labels_stay_unique():
    doc = factories.document()
    a = factories.publish(doc, factories.POLICY_V1, dt.date(2020, 5, 5)).version
    b = factories.publish(doc, factories.POLICY_V2, dt.date(2020, 5, 5)).version
    assert (a.label, b.label) == ("2020-05-05", "2020-05-05-2")


def test_index_failure_rolls_back_the_whole_publish(monkeypatch):
    doc = factories.document()

    def broken(changed, removed):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(indexing, "spans_update", broken)
    with pytest.raises(RuntimeError):
        factories.publish(doc, factories.POLICY_V1)
    assert DocumentVersion.objects.count() == 0
    assert Clause.objects.count() == 0
    assert ClauseLineage.objects.count() == 0
    assert ClauseSpan.objects.count() == 0


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"abc\x00def", "NUL"),
        ("caf\u00e9".encode("latin-1"), "not UTF-8"),
    ],
)
def test_decode_upload_rejects_bad_bytes(raw, message):
    with pytest.raises(services.PublishError, match=message):
        services.decode_upload(raw)


def test_decode_upload_accepts_bom():
    assert services.decode_upload("\ufeff# Title\n".encode("utf-8")) == "# Title\n"


@pytest.mark.parametrize(
    "name, kind",
    [("privacy-policy", "privacy"), ("cookie-policy", "cookies"), ("terms-of-service", "terms"),
     ("api-terms", "api"), ("commercial-terms", "terms"), ("imprint", "other")],
)
def test_kind_guess(name, kind):
    assert services.kind_guess(name) == kind
