"""The same search through haystack's ``SearchQuerySet``: any haystack engine (Xapian,
Elasticsearch, Solr, OpenSearch), with the portal's query language and results.

The query tree is compiled to haystack ``SQ`` objects over the fields of
``ClauseSpanIndex`` (the contract): plain words on ``content`` (the stemmed document
field) and ``heading``; phrases as ``Exact`` on ``surface`` (the unstemmed copy of
the text), prefixes as ``surface__startswith``, fuzzy words as ``surface__fuzzy``.
Snippets are made here from the stored text, so they are escaped and marked the same
way as on the Whoosh path.
"""

from __future__ import annotations

from documents.search.params import FACETS, PAGE_SIZE, SearchParams
from documents.search.folding import fold
from documents.search.query import And, Not, Or, ParsedQuery, Term
from documents.search.results import SearchOutcome, clause_text, facet_values, hit_from_fields
from documents.search.snippets import Marks, Snippet, snippet, stem, tokens

STORED = ("text", "heading", "number", "section", "publisher", "publisher_name", "kind", "document",
          "document_title", "lineage", "anchor", "valid_from", "valid_to")


def to_sq(node):
    from haystack.inputs import Exact
    from haystack.query import SQ

    if node is None:
        return None
    if isinstance(node, (And, Or)):
        parts = [p for p in (to_sq(c) for c in node.children) if p is not None]
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined & part) if isinstance(node, And) else (combined | part)
        return combined
    if isinstance(node, Not):
        inner = to_sq(node.child)
        return None if inner is None else ~inner
    term = node
    if term.field in ("publisher", "kind", "document"):
        return SQ(**{f"{term.field}_exact": Exact(term.text)})
    # The text fields are indexed accent-folded (by the Whoosh analyzers, or by the
    # Xapian engine before its own analysis): the query's words are folded alike.
    term = Term(text=fold(term.text), field=term.field, kind=term.kind, distance=term.distance)
    if term.kind == "phrase":
        exact = SQ(surface=Exact(term.text.lower()))
        return exact & SQ(heading=Exact(term.text)) if term.field == "heading" else exact
    if term.kind == "prefix":
        name = "heading" if term.field == "heading" else "surface"
        return SQ(**{f"{name}__startswith": term.text.lower()})
    if term.kind == "fuzzy":
        name = "heading" if term.field == "heading" else "surface"
        return SQ(**{f"{name}__fuzzy": term.text.lower()})
    if term.field == "heading":
        return SQ(heading=term.text)
    return SQ(content=term.text) | SQ(heading=term.text)


def marks_for(query: ParsedQuery) -> Marks:
    stems, phrases, prefixes = set(), [], []
    for term in query.terms(kinds=("word", "fuzzy")):
        stems.add(stem(term.text))
    for term in query.terms(kinds=("phrase",)):
        phrases.append(tuple(t[2] for t in tokens(term.text)))
    for term in query.terms(kinds=("prefix",)):
        prefixes.append(term.text.lower())
    return Marks(stems=frozenset(stems), phrases=tuple(phrases), prefixes=tuple(prefixes))


def run(query: ParsedQuery, params: SearchParams, outcome: SearchOutcome, budget, *,
        page_size: int = PAGE_SIZE, snippets: bool = True) -> None:
    from haystack.inputs import Exact
    from haystack.query import SearchQuerySet

    from documents.models import ClauseSpan

    outcome.engine = "haystack"
    sqs = SearchQuerySet().models(ClauseSpan)
    sq = to_sq(query.tree)
    if sq is not None:
        sqs = sqs.filter(sq)
    if params.versions == "current":
        sqs = sqs.filter(current=True)
    elif params.versions == "asof" and params.as_of:
        sqs = sqs.filter(valid_from__lte=params.as_of, valid_until__gt=params.as_of)
    base = sqs  # before the facet filters: for the disjunctive facet counts
    for name in FACETS:
        value = getattr(params, name)
        if value:
            sqs = sqs.filter(**{f"{name}_exact": Exact(value)})
    for name in FACETS:
        sqs = sqs.facet(name, limit=100)
    if params.sort == "newest":
        sqs = sqs.order_by("-valid_from")
    elif params.sort == "oldest":
        sqs = sqs.order_by("valid_from")
    offset = (params.page - 1) * page_size
    page = []
    for start in range(offset, offset + page_size, 200):  # engines answer in slices
        chunk = list(sqs[start: min(start + 200, offset + page_size)])
        page.extend(chunk)
        if len(chunk) < 200:
            break
        budget.check()
    outcome.total = sqs.count()
    budget.check()
    outcome.facets = facet_values(params, _facets(base, sqs, params))
    if outcome.total and offset >= outcome.total:
        outcome.past_end = True
        outcome.message = f"There is no page {params.page}; the results end at page {outcome.num_pages}."
        return
    marks = marks_for(query) if snippets else Marks()
    for result in page:
        fields = {key: getattr(result, key, None) for key in STORED}
        fields["django_id"] = result.pk
        made = snippet(clause_text(fields["text"] or ""), marks) if snippets else Snippet("")
        outcome.hits.append(hit_from_fields(fields, result.score, made, params))
    if outcome.total == 0 and query.terms():
        words = " ".join(t.text for t in query.terms())
        if len(words) <= 60:
            suggestion = sqs.spelling_suggestion(words) or ""
            if suggestion and suggestion.strip().lower() != words.lower():
                outcome.suggestion = suggestion.strip()


def _facets(base, sqs, params: SearchParams) -> dict[str, list[tuple[str, int]]]:
    """Disjunctive facet counts, as on the Whoosh path: a facet with an active value is
    counted by one more query, with the other facets' filters but not its own."""
    from haystack.inputs import Exact

    def counts(queryset, name):
        fields = (queryset.facet_counts() or {}).get("fields", {})
        return [(v, c) for v, c in fields.get(f"{name}_exact", fields.get(name, [])) if v and c]

    raw = {}
    for name in FACETS:
        active = getattr(params, name)
        if not active:
            raw[name] = counts(sqs, name)
            continue
        others = base
        for other in FACETS:
            if other != name and getattr(params, other):
                others = others.filter(**{f"{other}_exact": Exact(getattr(params, other))})
        values = counts(others.facet(name, limit=100), name)
        if not any(v == active for v, _ in values):
            values.append((active, 0))
        raw[name] = sorted(values, key=lambda kv: (-kv[1], kv[0]))
    return raw
