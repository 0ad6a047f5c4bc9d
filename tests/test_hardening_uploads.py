"""Issue #25, item 8: hostile upload shapes are refused at the upload boundary, at once
and the same way every run, with a message; the upload page lists drafts without
loading their stored parses."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import drafts, upload_shape
from documents.models import VersionDraft
from documents.services import PublishError
from tests import factories

WORDS = "the service may share your personal data with partners "


def test_measure_reads_markdown_and_html_shapes_exactly():
    text = ("# Title\n\n## 1. Scope\n\n| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n\n"
            "- one\n  - two\n    - three\n  - two again\n- one again\n\n> quoted\n> > twice\n\n"
            "<h2>Html</h2><div><ul><li>x<ul><li>y</li></ul></li></ul></div>"
            "<table><tr><td>1</td><td>2</td></tr><tr><th>3</th></tr></table>\n")
    shape = upload_shape.measure(text)
    assert shape == upload_shape.Shape(lines=18, longest_line=125, table_rows=5, table_columns=3,
                                       headings=3, nesting=3)


HOSTILE = {
    "line": ("line.txt", "# Terms\n\n" + WORDS * (600_000 // len(WORDS) + 1), "a line of"),
    "rows": ("rows.md", "# Terms\n\n" + "".join(f"| {i} | x |\n" for i in range(2_001)), "tables with 2,001 rows"),
    "columns": ("cols.html", "<h1>Terms</h1><table><tr>" + "<td>x</td>" * 101 + "</tr></table>",
                "a table row of 101 cells"),
    "nested": ("nested.md", "# Terms\n\n" + "".join("  " * i + f"- item {i}\n" for i in range(101)),
               "nested 101 levels deep"),
    "html-nested": ("nested.html", "<h1>T</h1>" + "<ul><li>x" * 101 + "</li></ul>" * 101, "nested 101 levels deep"),
    "headings": ("headings.md", "".join(f"## {i}. Heading\n\nText.\n\n" for i in range(2_001)), "2,001 headings"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_shapes_are_refused_at_once_with_the_same_message(name):
    filename, text, phrase = HOSTILE[name]
    messages = set()
    for _ in range(2):
        started = time.perf_counter()
        with pytest.raises(PublishError) as caught:
            drafts.parse_bounded(text, filename=filename, timeout=30)
        assert time.perf_counter() - started < 2
        messages.add(str(caught.value))
    (message,) = messages
    assert "too complex to import" in message and phrase in message


def test_a_real_document_just_inside_the_limits_is_read():
    text = factories.POLICY_V1 + "\n" + "".join(f"| {i} | x |\n" for i in range(1_000))
    parsed = drafts.parse_bounded(text, filename="policy.md", timeout=0)
    assert parsed.clauses


@pytest.fixture
def staff_client(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", "editor@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_upload_page_lists_drafts_without_their_parses(staff_client):
    for n in range(3):
        response = staff_client.post(reverse("documents:upload"), {
            "new_publisher": "Example Corp", "new_title": f"Policy {n}", "new_kind": "privacy",
            "text": factories.POLICY_V1.replace("Example", f"Example {n}")})
        assert response.status_code == 302
    assert VersionDraft.objects.exclude(parsed=None).count() == 3
    with CaptureQueriesContext(connection) as queries:
        page = staff_client.get(reverse("documents:upload"))
    assert page.status_code == 200 and page.content.decode().count("new: Example Corp · Policy") == 3
    draft_reads = [q["sql"] for q in queries.captured_queries if 'FROM "documents_versiondraft"' in q["sql"]]
    assert draft_reads
    for sql in draft_reads:
        for column in ("parsed", "alignments", "source_text"):
            assert f'"documents_versiondraft"."{column}"' not in sql, column
