"""What a new reader meets on a phone and on paper (issue 24): every page at 390 px
without sideways scrolling, long words and addresses wrapping, tables that say they
scroll, touch targets of at least 24 px, printing without navigation, and j/k landing
below the sticky header."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from documents.alerts import services as alert_services
from documents.models import Document
from tests import factories
from tests.browser.test_layout_and_accessibility import new_page  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PASSWORD = "a-long-test-password-1"

LONG = """# Terms with long things

Effective: March 1, 2024

## 1. Addresses

Read https://example.com/a/very/long/path/that/does/not/break/anywhere/at/all/because/it/has/no/spaces/index.html?with=query&and=more&parameters=that-go-on-and-on before signing up.

## 2. Words

Rechtsschutzversicherungsgesellschaftenvertragsbedingungenverordnungsentwurfsfassung is one word.

## 3. Code

    GET /api/v1/accounts/{account_id}/transactions?from=2024-01-01T00:00:00Z&to=2024-12-31T23:59:59Z&limit=1000&cursor=abcdef
"""

PHONE = (390, 844)


@pytest.fixture
def site(tmp_path, django_user_model):
    folder = tmp_path / "corpus" / "cloudflare" / "terms-of-service"
    folder.mkdir(parents=True)
    for name in ("2024-12-03.md", "2025-10-03.md"):
        shutil.copy(CORPUS / "cloudflare" / "terms-of-service" / name, folder / name)
    call_command("import_documents", str(tmp_path / "corpus"), stdout=StringIO(), stderr=StringIO())
    cloudflare = Document.objects.get(slug="cloudflare-terms-of-service")
    old = cloudflare.versions.exclude(pk=cloudflare.current_version_id).get()
    long_doc = factories.document(publisher="Example Corp", title="Long things", kind="terms")
    long_version = factories.publish(long_doc, LONG).version
    reader = django_user_model.objects.create_user("reader", password=PASSWORD)
    alert_services.watch_clause(user=reader, lineage=long_version.clauses.order_by("position").last().lineage)
    staff = django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
    return {
        "cloudflare": cloudflare, "old": old, "long": long_doc, "reader": reader, "staff": staff,
        "reader pages": {
            "home": "/",
            "document": cloudflare.get_absolute_url(),
            "long document": long_doc.get_absolute_url(),
            "clause": long_version.clauses.order_by("position").last().get_permalink(),
            "compare": f"/compare/?a={cloudflare.slug}@{old.label}&b={cloudflare.slug}@{cloudflare.current_version.label}",
            "compare chooser": "/compare/",
            "search": "/search/?q=customer+data",
            "changes": "/changes/",
            "not found": "/no-such-page/",
        },
    }


def _login(page, user):
    page.goto("/admin/login/?next=/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/")


WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5) {
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 0.5) { clipped = true; break; }
      }
      if (!clipped) out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(r.right));
    }
  }
  return out.slice(0, 8);
}"""


def test_every_page_fits_a_phone(new_page, site):
    page = new_page(*PHONE)
    pages = dict(site["reader pages"])
    failures = {}
    for name, url in pages.items():
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE[0]:
            failures[name] = (width, page.evaluate(WIDEST))
    _login(page, site["reader"])
    page.goto("/watches/")
    if (width := page.evaluate("document.documentElement.scrollWidth")) > PHONE[0]:
        failures["watches"] = (width, page.evaluate(WIDEST))
    page = new_page(*PHONE)
    _login(page, site["staff"])
    for name, url in (("staff", "/staff/"), ("upload", "/staff/upload/")):
        page.goto(url)
        if (width := page.evaluate("document.documentElement.scrollWidth")) > PHONE[0]:
            failures[name] = (width, page.evaluate(WIDEST))
    assert failures == {}
    assert page.js_errors == []


TARGETS = """() => {
  const small = [];
  const seen = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0; };
  const sel = 'button, select, input:not([type=hidden]), textarea, summary, header.site nav a, .pagination a, .doc-actions a';
  for (const el of document.querySelectorAll(sel)) {
    if (!seen(el) || el.closest('.visually-hidden')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 23.5 || r.height < 23.5) small.push(el.tagName.toLowerCase() + (el.type ? '[' + el.type + ']' : '') + ' ' + (el.id || el.className) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  }
  return small;
}"""


def test_touch_targets_are_at_least_24_px_and_wide_tables_say_they_scroll(new_page, site):
    page = new_page(*PHONE)
    failures = {}
    for name in ("home", "document", "compare", "compare chooser", "search"):
        page.goto(site["reader pages"][name])
        if name == "document":
            page.locator(".timeline summary").click()  # the timeline's radio buttons (13 px before)
            assert page.locator(".timeline input[type=radio]").first.is_visible()
        small = page.evaluate(TARGETS)
        if small:
            failures[name] = small
    assert failures == {}
    # The home table scrolls inside a named, focusable box, under a visible hint.
    page.goto("/")
    box = page.locator(".table-scroll").first
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # it does scroll at 390 px
    assert box.get_attribute("role") == "region" and box.get_attribute("tabindex") == "0"
    hint = page.locator("#documents-scroll-hint")
    assert hint.is_visible() and hint.inner_text() == "Scroll the table sideways to see every column."
    assert box.get_attribute("aria-describedby") == "documents-scroll-hint"
    # On a laptop the table fits, and the hint is gone.
    page = new_page(1366, 800)
    page.goto("/")
    assert not page.locator("#documents-scroll-hint").is_visible()


def test_long_words_and_addresses_wrap_on_a_phone(new_page, site):
    page = new_page(*PHONE)
    page.goto(site["reader pages"]["long document"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    for text in ("https://example.com/a/very/long/path", "Rechtsschutzversicherungs", "GET /api/v1/accounts"):
        box = page.get_by_text(text).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], (text, box)


def test_printing_leaves_out_every_navigation_and_form_element(new_page, site):
    page = new_page()
    for name in ("document", "long document", "clause", "compare"):
        page.goto(site["reader pages"][name])
        page.emulate_media(media="print")
        visible = page.evaluate("""() => Array.from(document.querySelectorAll(
            'nav, form, button, input, select, textarea, header.site, footer.site, .skip-link'))
          .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
            && getComputedStyle(el).visibility !== 'hidden'; })
          .map(el => el.tagName.toLowerCase() + '.' + el.className)""")
        assert visible == [], (name, visible)
        page.emulate_media(media="screen")


def test_next_change_lands_below_the_sticky_header(new_page, site):
    page = new_page(1366, 900)
    page.goto(site["reader pages"]["compare"])
    page.wait_for_selector(".summary-bar")
    for _ in range(3):
        page.keyboard.press("j")
        row = page.locator(".row.current-change")
        page.wait_for_timeout(100)
        top = row.bounding_box()["y"]
        covered = page.evaluate("""() => Math.max(...Array.from(document.querySelectorAll('header.site, .compare-head'))
            .filter(el => ['sticky', 'fixed'].includes(getComputedStyle(el).position))
            .map(el => el.getBoundingClientRect().bottom))""")
        # The row starts just below what is stuck to the top, so its heading is in view.
        assert covered <= top <= covered + 40, (top, covered)
        heading = row.locator(".cell.new").first.bounding_box()
        assert heading["y"] >= covered
    assert page.js_errors == []


def test_comparing_two_documents_speaks_of_differences(new_page, site):
    page = new_page()
    cloudflare, long_doc = site["cloudflare"], site["long"]
    page.goto(f"/compare/?a={cloudflare.slug}@{cloudflare.current_version.label}&b={long_doc.slug}@current")
    # The page's own words (the documents' texts aside): the summary, the list, the columns.
    own = " ".join(page.locator(sel).first.inner_text() for sel in (".summary-bar", ".change-list h2", ".compare-columns"))
    assert "difference" in own and "before" not in own.lower() and "after" not in own.lower()
    assert "change" not in own.lower()
    assert page.get_by_role("button", name="↓ Next difference").is_visible()
    assert page.locator(".compare-columns").inner_text().split() == ["A", "B"]
    # On a phone the one column labels each side A and B too.
    page = new_page(*PHONE)
    page.goto(f"/compare/?a={cloudflare.slug}@{cloudflare.current_version.label}&b={long_doc.slug}@current")
    labels = page.evaluate("""() => Array.from(document.querySelectorAll('.compare-grid .row .cell'))
        .map(c => getComputedStyle(c, '::before').content).filter(c => c && c !== 'none')""")
    assert labels and set(labels) <= {'"A"', '"B"'}, labels


def test_the_compare_picker_can_be_typed_into(new_page, site):
    page = new_page()
    cloudflare, old = site["cloudflare"], site["old"]
    page.goto("/compare/")
    page.get_by_label("From").fill(f"{cloudflare.slug}@{old.label}")
    page.get_by_label("To").fill(f"{cloudflare.slug}@{cloudflare.current_version.label}")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_selector(".summary-bar")
    assert "changed" in page.locator(".summary-bar").inner_text()
    # The list a reader types into names publisher, document and date.
    labels = page.goto("/compare/") and page.locator("#compare-versions option").evaluate_all(
        "options => options.map(o => o.label)")
    assert f"Cloudflare — {cloudflare.title} · 3 Dec 2024" in labels
    assert f"Cloudflare — {cloudflare.title} · 12 Sep 2025 (current)" in labels


def test_a_pdf_not_ready_says_so_then_downloads_itself(new_page, site, settings, monkeypatch):
    import threading

    from documents import pdf

    gate = threading.Event()
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: (gate.wait(60), real(html))[1])
    settings.PORTAL_PDF_WAIT = 0
    long_doc = Document.objects.get(pk=site["long"].pk)
    page = new_page(*PHONE)
    page.goto(long_doc.get_absolute_url())
    page.get_by_role("link", name="Download PDF").click()
    page.wait_for_url("**/pdf/")
    assert page.locator("h1").inner_text() == "Preparing your PDF…"
    assert "looks again every 3 seconds" in page.locator(".pdf-progress").inner_text()
    assert page.get_by_role("link", name="Check now").is_visible()
    with page.expect_download(timeout=30_000) as download:
        gate.set()
    assert download.value.suggested_filename == f"{long_doc.slug}-{long_doc.current_version.label}.pdf"
    assert page.js_errors == []


def test_axe_on_the_new_pages(new_page, site, settings, monkeypatch):
    import threading

    from documents import pdf
    from tests.browser.test_layout_and_accessibility import _axe_source, _serious_violations

    source = _axe_source()
    gate = threading.Event()
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: gate.wait(60) and b"")
    settings.PORTAL_PDF_WAIT = 0
    failures = {}
    for width, height in (PHONE, (1366, 800)):
        page = new_page(width, height)
        for name in ("compare chooser", "long document", "home"):
            page.goto(site["reader pages"][name])
            if found := _serious_violations(page, source):
                failures[f"{name} at {width}"] = found
        page.goto(f"{site['long'].get_absolute_url()}v/current/pdf/")
        if found := _serious_violations(page, source):
            failures[f"pdf preparing at {width}"] = found
    page = new_page()
    _login(page, site["staff"])
    page.goto("/staff/")
    if found := _serious_violations(page, source):
        failures["staff"] = found
    page = new_page()
    _login(page, site["reader"])
    page.goto("/watches/")
    if found := _serious_violations(page, source):
        failures["watches"] = found
    gate.set()
    assert failures == {}
