"""The portal's Whoosh fields write exactly the postings Whoosh's own fields write."""

from __future__ import annotations

import pytest
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import TEXT

from documents.search.backend import schema_signature, surface_analyzer
from documents.search.whoosh_analysis import FastTEXT, _plan
from tests.conftest import CORPUS, SEEDS

TRICKY = [
    "",
    "   ",
    "The Services (the “Services”) are provided AS IS; see § 4.2(a) and www.example.com/terms.",
    "İstanbul ŞİRKETİ, Straße, ÆSIR, ǅemal, ﬁnance ΣΊΣΥΦΟΣ — e-mail, co-operate, U.S.A., 3.14159, a.b.c",
    "cookies cookie COOKIES Cookies's cookies, cookies. the the the a an of of",
    "日本語のテキスト 中文 한국어 العربية עברית ไทย",
    "x" * 300 + " y" * 70000,  # positions past 65,535, and a very long word
    "_under_score_ __init__ 1st 2nd 10,000 $5.00 50% #hashtag @user",
]


def texts():
    found = list(TRICKY)
    for folder in (SEEDS, CORPUS):
        found += [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.md"))[:40]]
    return found


def fields():
    return {
        "stemmed": (FastTEXT(stored=True, analyzer=StemmingAnalyzer(), phrase=False),
                    TEXT(stored=True, analyzer=StemmingAnalyzer(), phrase=False)),
        "surface": (FastTEXT(analyzer=surface_analyzer(), phrase=True),
                    TEXT(analyzer=surface_analyzer(), phrase=True)),
        "boosted": (FastTEXT(analyzer=StemmingAnalyzer(), phrase=False, field_boost=2.5),
                    TEXT(analyzer=StemmingAnalyzer(), phrase=False, field_boost=2.5)),
    }


@pytest.mark.parametrize("role", ["stemmed", "surface", "boosted"])
def test_fast_fields_write_whooshs_own_postings(role):
    fast, stock = fields()[role]
    assert _plan(fast) is not None  # the fast path is the one tested
    for text in texts():
        # Twice: the second call reuses the words of the first (the surface -> text case).
        for _ in range(2):
            assert sorted(fast.index(text)) == sorted(stock.index(text)), text[:80]


def test_the_shared_words_follow_the_text():
    surface, _ = fields()["surface"]
    stemmed, stock = fields()["stemmed"]
    list(surface.index("Cookies are small files"))
    assert sorted(stemmed.index("Cookies are large files")) == sorted(stock.index("Cookies are large files"))


def test_other_analyzers_and_values_take_whooshs_path():
    from whoosh.analysis import NgramWordAnalyzer, StandardAnalyzer

    assert _plan(FastTEXT(analyzer=NgramWordAnalyzer(2))) is None
    assert _plan(FastTEXT(analyzer=StandardAnalyzer(), phrase=True)) is None  # stop words renumber positions
    unstemmed = FastTEXT(analyzer=StandardAnalyzer(), phrase=False)
    assert _plan(unstemmed) is not None
    text = "The limitation of the liability of the parties, the Parties"
    for fast, stock in ((FastTEXT(analyzer=StemmingAnalyzer(), phrase=True), TEXT(analyzer=StemmingAnalyzer(), phrase=True)),
                        (unstemmed, TEXT(analyzer=StandardAnalyzer(), phrase=False))):
        assert sorted(fast.index(text)) == sorted(stock.index(text))
        assert sorted(fast.index(["pre", "split", "words"])) == sorted(stock.index(["pre", "split", "words"]))


def test_a_fast_field_has_the_signature_of_the_field_it_replaces():
    from whoosh.fields import Schema

    old = Schema(text=TEXT(stored=True, analyzer=StemmingAnalyzer(), phrase=False))
    new = Schema(text=FastTEXT(stored=True, analyzer=StemmingAnalyzer(), phrase=False))
    assert schema_signature(old) == schema_signature(new)


def _postings(index) -> dict:
    """Every term's postings (ids, weights, values) and block length stats, by field."""
    out = {}
    with index.searcher() as searcher:
        reader = searcher.reader()
        for fieldname, btext in reader.all_terms():
            info = reader.term_info(fieldname, btext)
            matcher = reader.postings(fieldname, btext)
            rows = []
            while matcher.is_active():
                rows.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            out[(fieldname, btext)] = (rows, info.min_length(), info.max_length(), info.weight())
        stored = list(reader.all_stored_fields())
        lengths = {name: [reader.doc_field_length(d, name) for d in range(reader.doc_count_all())]
                   for name in reader.indexed_field_names()}
    return {"postings": out, "stored": stored, "lengths": lengths}


def test_the_portal_segment_writer_writes_whooshs_segments():
    """New documents, deletions and merged segments: the same index as Whoosh's writer."""
    from whoosh.fields import ID, Schema
    from whoosh.filedb.filestore import RamStorage

    from whoosh.writing import MERGE_SMALL

    from documents.search.whoosh_analysis import segment_writer

    schema = Schema(id=ID(stored=True, unique=True),
                    text=FastTEXT(stored=True, analyzer=StemmingAnalyzer(), phrase=False),
                    surface=FastTEXT(analyzer=surface_analyzer(), phrase=True),
                    heading=TEXT(analyzer=StemmingAnalyzer(), phrase=True, field_boost=2.0))
    bodies = texts()[:30]
    indexes, handed_over = [], []
    # Whoosh's writer; the portal's; the portal's past its memory limit (handed to
    # Whoosh's pool, which spills sorted runs to disk).
    for make in (lambda ix: ix.writer(), segment_writer, lambda ix: segment_writer(ix, limitmb=0.05)):
        index = RamStorage().create_index(schema)
        for start in range(0, len(bodies), 3):  # many small commits: Whoosh merges small segments
            writer = make(index)
            for n, body in enumerate(bodies[start:start + 3], start):
                if n % 5 == 4:
                    writer.delete_by_term("id", str(n - 3))
                writer.add_document(id=str(n), text=body, surface=body, heading=body[:60])
            handed_over.append(getattr(writer, "_stock_pool", None) is writer.pool)
            writer.commit(mergetype=MERGE_SMALL)  # Whoosh's policy for both (see the next test)
        indexes.append(index)
    assert len(indexes[0]._read_toc().segments) < len(range(0, len(bodies), 3))  # merges happened
    expected = _postings(indexes[0])
    assert _postings(indexes[1]) == expected
    assert _postings(indexes[2]) == expected
    assert any(handed_over[-len(range(0, len(bodies), 3)):])


def test_small_commits_merge_once_there_are_many_segments():
    from whoosh.fields import ID, Schema
    from whoosh.filedb.filestore import RamStorage

    from documents.search.whoosh_analysis import MERGE_AT_SEGMENTS, segment_writer

    index = RamStorage().create_index(Schema(id=ID(stored=True), text=FastTEXT(analyzer=surface_analyzer())))
    counts = []
    for n in range(2 * MERGE_AT_SEGMENTS):
        writer = segment_writer(index)
        writer.add_document(id=str(n), text=f"clause number {n}")
        writer.commit()
        counts.append(len(index._read_toc().segments))
    assert counts[:MERGE_AT_SEGMENTS - 1] == list(range(1, MERGE_AT_SEGMENTS))  # no merge below
    assert max(counts) < MERGE_AT_SEGMENTS and min(counts[MERGE_AT_SEGMENTS - 1:]) < MERGE_AT_SEGMENTS - 1
    with index.searcher() as searcher:
        assert searcher.doc_count() == 2 * MERGE_AT_SEGMENTS
    writer = segment_writer(index)
    writer.commit(optimize=True)  # an explicit optimize still merges everything
    assert len(index._read_toc().segments) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("written_by", ["publish", "rebuild", "repair"])
def test_a_span_is_found_the_same_whichever_way_it_was_written(written_by):
    """Phrases exact on surface words, prefixes, stems, fuzzy words, marks, facets and
    as-of dates, on entries written by a publish (the portal's writer on the live
    index), a rebuild (one writer into a new folder) and a repair of a missing entry."""
    import datetime as dt

    from documents import indexing
    from documents.search import SearchParams
    from documents.search.service import search
    from tests.test_search import publish

    publish("Acme", "Privacy Policy", "privacy", [
        ("Cookies", "We use Cookies to remember your settings."),
        ("Governing law", "This policy is governed by the laws of Ireland."),
    ], dt.date(2023, 1, 1))
    if written_by == "rebuild":
        indexing.rebuild()
    elif written_by == "repair":
        engine = indexing.backend()
        engine.remove(indexing.identifier(indexing._index().index_queryset().order_by("pk").first().pk))
        assert indexing.compare().missing
        indexing.repair()
        assert not indexing.compare().drift

    def found(q, **kw):
        return search(SearchParams(q=q, **kw))

    assert found("cookie").total == 1  # stemmed: "Cookies" -> cooki
    assert found('"governed by the laws"').total == 1
    assert found('"governed by the law"').total == 0  # exact words as written
    assert found("rememb*").total == 1 and found("gov*").total == 1
    assert found("irelnd~").total == 1
    assert found("heading:governing").total == 1
    assert "<mark>Cookies</mark>" in str(found("cookie").hits[0].snippet)
    assert found("cookie", publisher="acme").total == 1 and found("cookie", kind="terms").total == 0
    assert found("cookie", versions="asof", as_of=dt.date(2023, 6, 1)).total == 1
    assert found("cookie", versions="asof", as_of=dt.date(2022, 6, 1)).total == 0
