"""Reading order: the clause tree, read as a page shows it, is the source in order.

For every version of the three corpora (tests/corpus; when present, the shared
corpus-wide and the latest text of each document of the Open Terms Archive sample),
the legal words of the parsed document read as the page shows it - each clause's
number, heading and lead-in, its sub-clauses, then its closing - come in the order of
the source, less the furniture the fidelity report names. The source side is the
report's own reader (documents.fidelity), independent of the importer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from documents.fidelity import measure_source, reading_order
from documents.ingest import parse_document
from documents.ingest.model import reading_sequence

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SHARED = Path("/work/shared")


def rendered(doc) -> list[tuple[str, str]]:
    """(label, text) pairs in the order the page shows them."""
    parts = []
    for what, i in reading_sequence([c.parent for c in doc.clauses]):
        c = doc.clauses[i]
        if what == "open":
            parts.append((f"{c.number} {c.heading}", c.body))
        elif c.closing:
            parts.append(("", c.closing))
    return parts


def out_of_order(path: Path) -> tuple[int, list[str]]:
    raw = path.read_bytes().decode("utf-8-sig", errors="replace")
    doc = parse_document(raw, filename=path.name)
    source = measure_source(raw, path.name)
    _placed, out, examples = reading_order(source.ordered_lines, rendered(doc))
    return out, examples


def test_reading_sequence_puts_closings_after_sub_clauses():
    # 0 ─ 1 ─ 2, 3 ; 4
    assert reading_sequence([None, 0, 1, 1, None]) == [
        ("open", 0), ("open", 1), ("open", 2), ("close", 2), ("open", 3), ("close", 3), ("close", 1),
        ("close", 0), ("open", 4), ("close", 4),
    ]


def test_reading_order_measure_finds_a_closing_shown_before_its_list():
    source = ["you agree not to", "i use the service for commercial purposes or public performances",
              "ii archive reproduce distribute modify display perform or publish content",
              "we may terminate or restrict your use of our service if you violate these terms"]
    good = [("", "You agree not to:\n(i) use the service for commercial purposes or public performances;\n"
            "(ii) archive, reproduce, distribute, modify, display, perform or publish content;\n"
            "We may terminate or restrict your use of our service if you violate these Terms.")]
    bad = [("", "You agree not to: We may terminate or restrict your use of our service if you violate these Terms.\n"
           "(i) use the service for commercial purposes or public performances;\n"
           "(ii) archive, reproduce, distribute, modify, display, perform or publish content;")]
    assert reading_order(source, good) == (3, 0, [])
    placed, out, examples = reading_order(source, bad)
    assert (placed, out) == (3, 1)


def test_netflix_closing_after_its_list():
    doc = parse_document((CORPUS / "netflix/terms-of-service/2026-04-19.md").read_text(encoding="utf-8"))
    text = "\n".join(f"{label}\n{body}" for label, body in rendered(doc))
    assert text.index("(ix)") < text.index("We may terminate or restrict your use")
    usage = next(c for c in doc.clauses if c.number == "1.8")
    assert usage.closing.startswith("We may terminate or restrict your use")
    assert "We may terminate" not in usage.body


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".md", ".txt", ".html") and p.name != "README.md")


def _ota_latest(tmp: Path) -> Path | None:
    bundle = SHARED / "ota" / "contrib-sample.bundle"
    if not bundle.exists():
        return None
    repo, out = tmp / "ota", tmp / "ota-latest"
    subprocess.run(["git", "clone", "-q", str(bundle), str(repo)], check=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "ota_latest.py"), str(repo), str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, list[Path]]:
    found = {"tests/corpus": _files(CORPUS)}
    if (SHARED / "corpus-wide").is_dir():
        found["corpus-wide"] = _files(SHARED / "corpus-wide")
    ota = _ota_latest(tmp_path_factory.mktemp("ota"))
    if ota is not None:
        found["ota-latest"] = _files(ota)
    return found


def test_every_version_of_the_corpora_reads_in_source_order(corpora):
    failures = []
    for name, files in corpora.items():
        for path in files:
            out, examples = out_of_order(path)
            if out:
                failures.append(f"{name}: {path.name} in {path.parent}: {out} out of order, e.g. {examples[:1]}")
    assert not failures, f"{len(failures)} versions out of order:\n" + "\n".join(failures[:40])


def test_page_clause_text_reads_headings_bodies_and_closings_not_the_tools():
    from documents.fidelity import page_clause_text

    html = ('<section class="clause"><h2 class="clause-heading"><span class="num">1</span> Scope</h2>'
            '<div class="clause-tools"><a href="#s1">#s1</a> <a class="permalink">Link to § 1</a></div>'
            '<div class="clause-body"><p>See <a href="https://x.com/a">our notice</a> now.</p></div></section>'
            '<div class="clause-closing depth-1"><p>After the list.</p></div>')
    assert page_clause_text(html) == [
        ("1 Scope\n\n", "\nSee [our notice](https://x.com/a) now.\n\n\n"), ("", "\nAfter the list.\n\n\n")]
    # A link alone on its line is furniture by the report's reader, on the page as in the source.
    source = ["see our notice now and read it", "after the list comes this closing sentence"]
    page = [("", "See our notice now and read it.\n[Read our other privacy notice here](https://x.com/b)\n"
             "After the list comes this closing sentence.")]
    assert reading_order(source, page) == (2, 0, [])
