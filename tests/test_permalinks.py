"""Clause permalinks: pinned and latest links, banners, citations, lineage JSON."""

import datetime as dt

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

POLICY_V3 = factories.POLICY_V2.replace("Effective: June 1, 2024", "Effective: March 1, 2025").replace(
    "## 3. Cookies\n\nWe use cookies to keep you signed in.\n\n", ""
).replace("## 4. How We Use", "## 3. How We Use").replace("## 5. Contact", "## 4. Contact")


@pytest.fixture
def history():
    doc = factories.document()
    v1 = factories.publish(doc, factories.POLICY_V1).version
    v2 = factories.publish(doc, factories.POLICY_V2).version
    v3 = factories.publish(doc, POLICY_V3).version
    doc.refresh_from_db()
    return doc, v1, v2, v3


def _clause(version, heading):
    return version.clauses.select_related("lineage").get(heading=heading)


def test_pinned_link_to_superseded_version_shows_its_text_and_an_amended_banner(client, history):
    doc, v1, v2, v3 = history
    old = _clause(v1, "Information We Collect")
    response = client.get(old.get_permalink())
    page = response.content.decode()
    assert response.status_code == 200
    assert "We collect your name and email address when you register." in page
    assert "amended" in page
    assert "<ins>" in page  # the word diff against the newest text
    assert "phone" in page


def test_renumbered_banner(client, history):
    doc, v1, v2, v3 = history
    cookies = _clause(v2, "Cookies")  # removed in v3
    use = _clause(v2, "How We Use Information")  # 4 in v2, 3 in v3
    page = client.get(use.get_permalink()).content.decode()
    assert "renumbered 4 → 3" in page


def test_removed_banner_names_the_date_and_last_version(client, history):
    doc, v1, v2, v3 = history
    cookies = _clause(v2, "Cookies")
    page = client.get(cookies.get_permalink()).content.decode()
    assert "Removed." in page
    assert "1 March 2025" in page
    assert "This is the last version that had it." in page
    # The latest link of a removed clause still answers, with the same banner.
    latest = client.get(cookies.lineage.get_absolute_url()).content.decode()
    assert "Removed." in latest and "We use cookies to keep you signed in." in latest


def test_latest_link_follows_the_lineage(client, history):
    doc, v1, v2, v3 = history
    contact_v1 = _clause(v1, "Contact Us")
    page = client.get(contact_v1.lineage.get_absolute_url()).content.decode()
    contact_v3 = _clause(v3, "Contact Us")
    assert contact_v3.lineage_id == contact_v1.lineage_id
    assert f"/c/{contact_v1.lineage.key}/{v3.label}/" in page
    assert "Removed." not in page and "Since this version" not in page


def test_clause_page_has_copy_buttons_citation_and_link_preview_meta(client, history):
    doc, v1, v2, v3 = history
    clause = _clause(v3, "Contact Us")
    page = client.get(clause.get_permalink()).content.decode()
    assert "Copy link" in page and "Copy citation" in page
    # The title the document gives itself ("# Example Privacy Policy"), not the portal's name for it.
    assert '<meta property="og:title" content="Example Privacy Policy — § 4 Contact Us">' in page
    assert 'content="Write to privacy@example.com' in page
    assert "Example Corp, Example Privacy Policy, § 4 Contact Us (version of 2025-03-01)" in page


def test_permalinks_are_short(history):
    doc, v1, v2, v3 = history
    clause = _clause(v3, "Contact Us")
    assert len(clause.get_permalink()) <= len("/c/12345678/2025-03-01/")


def test_pinned_link_to_version_without_the_clause_is_404(client, history):
    doc, v1, v2, v3 = history
    cookies = _clause(v2, "Cookies")
    assert client.get(f"/c/{cookies.lineage.key}/{v1.label}/").status_code == 404


def test_api_clause_lineage(client, history):
    doc, v1, v2, v3 = history
    key = _clause(v1, "How We Use Information").lineage.key
    data = client.get(f"/api/clauses/{key}/").json()
    assert [(v["version"], v["number"], v["status"]) for v in data["versions"]] == [
        (v1.label, "3", "added"), (v2.label, "4", "renumbered"), (v3.label, "3", "renumbered"),
    ]
    cookies_key = _clause(v2, "Cookies").lineage.key
    assert client.get(f"/api/clauses/{cookies_key}/").json()["removed_in"] == v3.label


def test_moved_banner(client):
    doc = factories.document(title="Moves")
    sections = {
        "Alpha": "Alpha text about accounts and sign in.",
        "Beta": "Beta text about payments and refunds.",
        "Gamma": "Gamma text about governing law and courts.",
        "Delta": "Delta text about notices sent by email.",
    }

    def text(order, date):
        body = "\n\n".join(f"## {n}. {h}\n\n{sections[h]}" for n, h in enumerate(order, 1))
        return f"# Moves\n\nEffective: {date}\n\n{body}\n"

    v1 = factories.publish(doc, text(["Alpha", "Beta", "Gamma", "Delta"], "January 1, 2024")).version
    factories.publish(doc, text(["Gamma", "Alpha", "Beta", "Delta"], "February 1, 2024"))
    gamma = _clause(v1, "Gamma")
    page = client.get(gamma.get_permalink()).content.decode()
    assert '<span class="change moved">moved</span>' in page
    assert "renumbered 3 → 1" in page
    assert "amended" not in page


LONG = ("Every invoice is payable within thirty days of the date on which it is issued, in the currency it names, "
        "by card or by bank transfer to the account printed on it, without deduction or set-off of any kind")


def test_editorial_change_banner_shows_only_the_changed_words(client):
    doc = factories.document(title="Editorial")
    v1 = factories.publish(doc, f"# E\n\n## 1. Payment\n\n{LONG}.\n").version
    factories.publish(doc, f"# E\n\n## 1. Payment\n\n{LONG.replace('issued, in', 'issued; in')}.\n")
    page = client.get(_clause(v1, "Payment").get_permalink()).content.decode()
    assert "editorial change only" in page and ">amended<" not in page
    banner = page.split('class="banner', 1)[1].split("</div>", 2)[0]
    assert "<del>,</del><ins>;</ins>" in banner
    assert "without deduction" not in banner and "…" in banner  # not the whole clause again


def test_substantive_change_banner_says_amended(client):
    doc = factories.document(title="Substantive")
    v1 = factories.publish(doc, f"# S\n\n## 1. Payment\n\n{LONG}.\n").version
    factories.publish(doc, f"# S\n\n## 1. Payment\n\n{LONG.replace('thirty', 'fourteen')}.\n")
    page = client.get(_clause(v1, "Payment").get_permalink()).content.decode()
    assert ">amended<" in page and "editorial change only" not in page
    assert "<del>thirty</del><ins>fourteen</ins>" in page


def test_removed_clause_says_where_its_text_went(client):
    doc = factories.document(title="Merge")
    first = "Refunds are given within fourteen days of a written request sent to our support team by email"
    second = "Refunds are paid back to the card or account that was used for the original payment only"
    v1 = factories.publish(doc, f"# M\n\n## 1. Refund requests\n\n{first}.\n\n## 2. Refund method\n\n{second}.\n\n"
                                 "## 3. Law\n\nThe law of Ireland applies to these terms and to any dispute about them.\n").version
    v2 = factories.publish(doc, f"# M\n\n## 1. Refunds and how they are paid\n\n{first}. {second}.\n\n"
                                 "## 2. Law\n\nThe law of Ireland applies to these terms and to any dispute about them.\n").version
    removed = [c for c in v1.clauses.all() if c.lineage_id not in set(v2.clauses.values_list("lineage_id", flat=True))]
    assert removed, "one of the two refund clauses is merged away"
    page = client.get(removed[0].get_permalink()).content.decode()
    assert "Removed." in page and "Its text went into another clause there" in page
    merged = v2.clauses.get(number="1")
    assert merged.get_permalink() in page


RESTRICTIONS = """# Terms of Use

Effective: January 1, 2025

## 1. The Service

1.1. Access. You need an account.

1.2. Restrictions. You agree not to:

(i) use the service for commercial purposes;

(ii) copy the content of the service for any reason;

We may terminate your use of the service if you break these rules.

## 2. Contact

Write to us.
"""


def test_items_are_cited_by_their_full_path_and_closings_follow_their_list(client):
    doc = factories.document(title="Terms of Use", kind="terms")
    version = factories.publish(doc, RESTRICTIONS).version
    item = version.clauses.select_related("lineage").get(number="(ii)")
    assert item.citation == "1.2(ii)"
    restrictions = version.clauses.get(number="1.2")
    assert restrictions.body == "You agree not to:"
    assert restrictions.closing == "We may terminate your use of the service if you break these rules."
    # The clause page names the item by its path, title, "Copy citation" and all.
    page = client.get(item.get_permalink()).content.decode()
    assert '<h1 class="clause-title"><span class="num">§ 1.2(ii)</span> </h1>' in page
    assert "Example Corp, Terms of Use, § 1.2(ii) copy the content of the service for any … (version of 2025-01-01)" in page
    # The version page: the permalink label and the contents use the full citation, and
    # the closing words come after item (ii), not between the lead-in and item (i).
    page = client.get(version.get_absolute_url()).content.decode()
    assert ">Link to § 1.2(ii)</a>" in page
    body = page[page.index('id="s1-2"'):]
    assert body.index("You agree not to:") < body.index("commercial purposes") < body.index("for any reason")
    assert body.index("for any reason") < body.index("We may terminate your use")
    assert '<div class="clause-closing depth-1" data-closes="s1-2">' in page
    # The API gives the path and the closing too.
    data = client.get(f"/api/documents/{doc.slug}/versions/{version.label}/").json()
    rows = {c["anchor"]: c for c in data["clauses"]}
    assert rows[item.anchor]["citation"] == "1.2(ii)"
    assert rows["s1-2"]["closing"] == "We may terminate your use of the service if you break these rules."
    # Its own page shows the closing after the lead-in, in the same order.
    page = client.get(restrictions.get_permalink()).content.decode()
    shown = page[page.index('<div class="clause-body">'):]
    assert shown.index("You agree not to:") < shown.index('<div class="clause-closing">') < shown.index("We may terminate")
