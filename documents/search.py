"""The portal's search: its query language, and the selector the page and the API call.

Query language (documented to users on the search page)::

    cookie consent         every word must match (stemmed: "cookies" finds "cookie")
    "personal data"        an exact phrase
    cookie OR tracker      either word; AND is implied, and may be written
    NOT marketing, -ads    leave out clauses with the word
    (a OR b) c             grouping
    process*               words starting with "process"
    cokie~ / cokie~2       fuzzy: one (or two) letters off
    publisher:zendesk kind:privacy document:<slug> heading:word    field filters

User input never reaches Whoosh's (or any engine's) query parser. ``parse_query`` is a
small hand-written parser that turns any string into a tree of :class:`Term`,
:class:`And`, :class:`Or` and :class:`Not`, with *notices* for what it had to ignore
or change: the input is capped (``MAX_QUERY_CHARS``, ``MAX_TERMS``, ``MAX_DEPTH``),
NUL and control characters are dropped, unbalanced quotes and parentheses are closed
or ignored, lone operators are dropped, wildcards only work at the end of a word
(``*ookie`` is searched as ``ookie`` with a notice), and fuzzy distance is at most 2.
Parsing never raises and the recursion depth is bounded.

The tree is then compiled two ways:

* with the portal's Whoosh engine, straight to ``whoosh.query`` objects, run on the
  backend's cached per-thread searcher with a time limit (the *fast path*: no query
  string round-trip, no second "narrowing" search, no fresh readers per query);
* with any other haystack engine (Elasticsearch, Solr, OpenSearch), to haystack
  ``SQ`` objects on a ``SearchQuerySet``; snippets are then made here from the
  stored text, so they are escaped the same way.

Both read only fields of ``ClauseSpanIndex`` (the contract), and results are drawn
from stored fields: a page of results needs no database query except two small ones
for the facet labels.

Facets are *disjunctive*: each facet is counted with the other facets' active filters
but not its own, so after choosing a publisher the other publishers stay listed with
the results each would give; the chosen value stays listed, marked, and removable.
On the Whoosh path the total and the facet counts come from document-number sets
(``_DocSets``: postings read a block at a time, filter and facet-value sets kept per
index generation), and only the shown page is scored and highlighted.

A result's title is its number and heading, or for a clause without a heading its
number and first words (``clause_title``).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import unicodedata
import weakref
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from documents.models import Document, DocumentKind, Publisher

MAX_QUERY_CHARS = 500
MAX_RAW_CHARS = 20_000  # read at most this much of the raw parameter
MAX_TERMS = 24
MAX_DEPTH = 8
MAX_FUZZY = 2
MIN_PREFIX = 2
PAGE_SIZE = getattr(settings, "HAYSTACK_SEARCH_RESULTS_PER_PAGE", 20)
MAX_PAGE = 250
TIME_LIMIT = 5.0  # seconds, for the collecting phase of one search
SNIPPET_CHARS = 240

FIELDS = ("publisher", "kind", "document", "heading")
FACETS = ("publisher", "kind", "document")
VERSION_MODES = ("current", "all", "asof")
SORTS = ("relevance", "newest", "oldest")
OPERATORS = {"AND", "OR", "NOT"}


class SearchInputError(ValueError):
    """A search parameter other than the query text is invalid (bad date, page...)."""


# --------------------------------------------------------------------------------------
# Query tree
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    field: str | None = None  # None: the clause text (and heading)
    kind: str = "word"  # word | phrase | prefix | fuzzy
    distance: int = 0

    def __str__(self) -> str:
        prefix = f"{self.field}:" if self.field else ""
        if self.kind == "phrase":
            return f'{prefix}"{self.text}"'
        if self.kind == "prefix":
            return f"{prefix}{self.text}*"
        if self.kind == "fuzzy":
            return f"{prefix}{self.text}~{self.distance}"
        return f"{prefix}{self.text}"


@dataclass(frozen=True)
class Not:
    child: object

    def __str__(self) -> str:
        return f"-{_group(self.child)}"


@dataclass(frozen=True)
class And:
    children: tuple

    def __str__(self) -> str:
        return " ".join(_group(c) for c in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple

    def __str__(self) -> str:
        return " OR ".join(_group(c) if isinstance(c, Or) else str(c) for c in self.children)


def _group(node) -> str:
    return f"({node})" if isinstance(node, (And, Or)) else str(node)


@dataclass
class ParsedQuery:
    raw: str
    tree: object | None
    notices: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.tree is None

    def __str__(self) -> str:
        return "" if self.tree is None else str(self.tree)

    def terms(self, kinds=("word",)) -> list[Term]:
        found: list[Term] = []

        def walk(node, negated=False):
            if isinstance(node, Term):
                if not negated and node.kind in kinds and node.field in (None, "heading"):
                    found.append(node)
            elif isinstance(node, Not):
                walk(node.child, not negated)
            elif isinstance(node, (And, Or)):
                for child in node.children:
                    walk(child, negated)

        if self.tree is not None:
            walk(self.tree)
        return found


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPECIAL = set('()"')
_PAREN_RUN = re.compile(r"\({%d,}|\){%d,}" % (MAX_DEPTH + 1, MAX_DEPTH + 1))


def _clean_input(raw: str, notices: list[str]) -> str:
    text = raw if isinstance(raw, str) else str(raw)
    text = text[:MAX_RAW_CHARS]
    # Thousands of nested parentheses say nothing more than a few: keep MAX_DEPTH.
    squeezed = _PAREN_RUN.sub(lambda m: m.group(0)[0] * MAX_DEPTH, text)
    if squeezed != text:
        text = squeezed
        notices.append(f"Parentheses nested deeper than {MAX_DEPTH} levels were ignored.")
    text = unicodedata.normalize("NFKC", text[: MAX_QUERY_CHARS * 4])
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
        notices.append("Control characters in the query were ignored.")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
    return text


def _tokenize(text: str, notices: list[str]) -> list[tuple]:
    """Tokens: ("(",), (")",), ("op", "AND"), ("neg",), ("phrase", field, text), ("word", text)."""
    tokens: list[tuple] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append((c,))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end == -1:
                notices.append("A quotation mark was not closed; the phrase runs to the end of the query.")
                end = n
            tokens.append(("phrase", None, text[i + 1 : end]))
            i = end + 1
        elif c == "-" and (i + 1 < n and not text[i + 1].isspace()) and (i == 0 or text[i - 1] in " ("):
            tokens.append(("neg",))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                j += 1
            word = text[i:j]
            # field:"a phrase"
            if word.endswith(":") and j < n and text[j] == '"' and word[:-1].lower() in FIELDS:
                end = text.find('"', j + 1)
                if end == -1:
                    notices.append("A quotation mark was not closed; the phrase runs to the end of the query.")
                    end = n
                tokens.append(("phrase", word[:-1].lower(), text[j + 1 : end]))
                i = end + 1
                continue
            if word in OPERATORS:
                tokens.append(("op", word))
            elif word in {"&&", "||", "!"}:
                tokens.append(("op", {"&&": "AND", "||": "OR", "!": "NOT"}[word]))
            elif word.strip("-"):
                tokens.append(("word", word))
            i = j
    return _balance(tokens, notices)


def _balance(tokens: list[tuple], notices: list[str]) -> list[tuple]:
    """Drop unmatched ")" and too-deep parentheses; close unclosed "(" at the end."""
    out: list[tuple] = []
    depth = 0
    dropped_deep = dropped_close = False
    skipped_opens = 0  # "(" dropped for depth, whose ")" must be dropped too
    for tok in tokens:
        if tok[0] == "(":
            if depth >= MAX_DEPTH:
                skipped_opens += 1
                dropped_deep = True
                continue
            depth += 1
            out.append(tok)
        elif tok[0] == ")":
            if skipped_opens:
                skipped_opens -= 1
                continue
            if depth == 0:
                dropped_close = True
                continue
            depth -= 1
            out.append(tok)
        else:
            out.append(tok)
    if dropped_deep:
        notices.append(f"Parentheses nested deeper than {MAX_DEPTH} levels were ignored.")
    if dropped_close:
        notices.append("A closing parenthesis without an opening one was ignored.")
    if depth:
        notices.append("An opening parenthesis was not closed; it was closed at the end.")
        out.extend([(")",)] * depth)
    return out


class _Parser:
    def __init__(self, tokens, notices):
        self.tokens = tokens
        self.pos = 0
        self.notices = notices
        self.term_count = 0
        self.capped = False
        self.dropped_ops = False

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        self.pos += 1
        return tok

    def parse(self):
        node = self.parse_or()
        while self.peek() is not None:  # stray ")" cannot happen after balancing; be safe
            self.take()
            more = self.parse_or()
            node = _and([node, more])
        return node

    def parse_or(self):
        parts = [self.parse_and()]
        while self.peek() == ("op", "OR"):
            self.take()
            parts.append(self.parse_and())
        kept = [p for p in parts if p is not None]
        if len(parts) > 1 and len(kept) != len(parts):
            self.dropped_ops = True
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def parse_and(self):
        parts = []
        while True:
            tok = self.peek()
            if tok is None or tok[0] == ")" or tok == ("op", "OR"):
                break
            if tok == ("op", "AND"):
                self.take()
                if not parts:
                    self.dropped_ops = True
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def parse_unary(self):
        tok = self.peek()
        if tok is not None and (tok == ("op", "NOT") or tok[0] == "neg"):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt[0] == ")" or nxt[0] == "op" and nxt[1] in {"OR", "AND"}:
                self.dropped_ops = True
                return None
            child = self.parse_unary()
            if child is None:
                return None
            return child.child if isinstance(child, Not) else Not(child)
        return self.parse_primary()

    def parse_primary(self):
        tok = self.take()
        if tok is None:
            return None
        if tok[0] == "(":
            node = self.parse_or()
            if self.peek() is not None and self.peek()[0] == ")":
                self.take()
            return node
        if tok[0] == ")":
            return None
        if tok[0] == "op":
            self.dropped_ops = True
            return None
        if tok[0] == "phrase":
            text = " ".join(tok[2].replace('"', " ").split())
            if not text:
                return None
            return self._term(Term(text=text, field=tok[1], kind="phrase" if len(text.split()) > 1 else "word"))
        return self._word(tok[1])

    def _term(self, term):
        if self.term_count >= MAX_TERMS:
            if not self.capped:
                self.notices.append(f"Only the first {MAX_TERMS} terms of the query were used.")
                self.capped = True
            return None
        self.term_count += 1
        return term

    def _word(self, word: str):
        field_name = None
        if ":" in word:
            head, _, rest = word.partition(":")
            if head.lower() in FIELDS and rest:
                field_name, word = head.lower(), rest
            elif head.lower() in FIELDS:
                self.notices.append(f"“{head}:” needs a value, as in {head}:example.")
                return None
        if field_name in ("publisher", "document"):
            value = slugify(word.replace("*", "").replace("?", ""))
            return self._term(Term(text=value, field=field_name)) if value else None
        if field_name == "kind":
            value = word.lower().strip("*?")
            if value not in DocumentKind.values:
                self.notices.append(
                    f"Unknown kind “{value}”; kinds are {', '.join(DocumentKind.values)}."
                )
            return self._term(Term(text=value, field="kind")) if value else None

        kind, distance = "word", 0
        fuzzy = re.fullmatch(r"(.+?)~(\d*)", word)
        if fuzzy:
            word, digits = fuzzy.group(1), fuzzy.group(2)
            distance = int(digits[:3]) if digits else 1
            if distance > MAX_FUZZY:
                self.notices.append(f"Fuzzy matching allows at most {MAX_FUZZY} letters off; “~{digits}” was read as ~{MAX_FUZZY}.")
                distance = MAX_FUZZY
            kind = "fuzzy" if distance > 0 else "word"
        word = word.replace("~", "")
        if word.endswith("*") and not any(ch in word[:-1] for ch in "*?"):
            stem = word.rstrip("*")
            if len(stem) >= MIN_PREFIX:
                kind, word = "prefix", stem
            else:
                self.notices.append(f"A prefix search needs at least {MIN_PREFIX} letters before the *.")
                word = stem
        elif "*" in word or "?" in word:
            cleaned = word.replace("*", "").replace("?", "")
            self.notices.append(
                f"Wildcards only work at the end of a word (as in cook*); “{word}” was searched as “{cleaned}”."
            )
            word = cleaned
        word = word.strip()
        if not word or not any(ch.isalnum() for ch in word):
            return None
        return self._term(Term(text=word, field=field_name, kind=kind, distance=distance))


def _and(parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def parse_query(raw: str | None) -> ParsedQuery:
    """Any string -> a bounded query tree and notices. Never raises."""
    notices: list[str] = []
    text = _clean_input(raw or "", notices)
    parser = _Parser(_tokenize(text, notices), notices)
    tree = parser.parse()
    if parser.dropped_ops:
        notices.append("Operators (AND, OR, NOT, -) need a word on each side; the stray ones were ignored.")
    return ParsedQuery(raw=text, tree=tree, notices=list(dict.fromkeys(notices)))


# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    versions: str = "current"  # current | all | asof
    as_of: dt.date | None = None
    publisher: str = ""
    kind: str = ""
    document: str = ""
    sort: str = "relevance"
    page: int = 1

    def querystring(self, **changes) -> str:
        values = {
            "q": self.q, "versions": self.versions,
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "publisher": self.publisher, "kind": self.kind, "document": self.document,
            "sort": self.sort, "page": self.page,
        }
        values.update(changes)
        defaults = {"versions": "current", "sort": "relevance", "page": 1}
        return urlencode({k: v for k, v in values.items() if v not in ("", None) and defaults.get(k) != v})

    @property
    def filtered(self) -> bool:
        return bool(self.publisher or self.kind or self.document)


def params_from_request(data) -> SearchParams:
    """GET parameters -> SearchParams; SearchInputError with a message when one is invalid."""

    def one(name, limit=200):
        value = data.get(name, "") or ""
        return _CONTROL.sub("", str(value))[:limit].strip()

    q = str(data.get("q", "") or "")[:MAX_RAW_CHARS]
    versions = one("versions") or "current"
    as_of_raw = one("as_of", 40)
    as_of = None
    if as_of_raw:
        try:
            as_of = dt.date.fromisoformat(as_of_raw)
        except ValueError:
            raise SearchInputError(f"“{as_of_raw}” is not a date; use YYYY-MM-DD, as in 2023-06-30.") from None
        versions = "asof"
    if versions not in VERSION_MODES:
        raise SearchInputError(f"versions must be one of {', '.join(VERSION_MODES)}.")
    if versions == "asof" and as_of is None:
        raise SearchInputError("Give a date for “as of”, as in 2023-06-30.")
    sort = one("sort") or "relevance"
    if sort not in SORTS:
        raise SearchInputError(f"sort must be one of {', '.join(SORTS)}.")
    page_raw = one("page", 12) or "1"
    try:
        page = int(page_raw)
    except ValueError:
        raise SearchInputError("page must be a whole number.") from None
    if page < 1 or page > MAX_PAGE:
        raise SearchInputError(f"page must be between 1 and {MAX_PAGE}.")
    return SearchParams(
        q=q, versions=versions, as_of=as_of if versions == "asof" else None,
        publisher=slugify(one("publisher")), kind=one("kind").lower(), document=slugify(one("document")),
        sort=sort, page=page,
    )


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    span_id: int
    score: float
    document_slug: str
    document_title: str
    publisher_slug: str
    publisher_name: str
    kind: str
    number: str
    heading: str
    snippet: SafeString
    version_label: str
    version_date: dt.date | None
    version_labels: list[str]
    valid_from: dt.date | None
    valid_to: dt.date | None
    lineage: str
    anchor: str
    title: str = ""  # the heading, or for a clause without one its first words

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def permalink(self) -> str:
        return reverse("documents:clause_pinned", args=[self.lineage, self.version_label])

    @property
    def version_url(self) -> str:
        return reverse("documents:version", args=[self.document_slug, self.version_label])

    @property
    def url(self) -> str:
        return f"{self.version_url}#{self.anchor}" if self.anchor else self.permalink

    def as_json(self) -> dict:
        return {
            "permalink": self.permalink,
            "url": self.url,
            "document": {"slug": self.document_slug, "title": self.document_title, "kind": self.kind,
                         "publisher": {"slug": self.publisher_slug, "name": self.publisher_name}},
            "version": {"label": self.version_label,
                        "date": self.version_date.isoformat() if self.version_date else None},
            "versions": self.version_labels,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "current": self.is_current,
            "title": self.title,
            "number": self.number,
            "heading": self.heading,
            "snippet": str(self.snippet),
            "score": round(self.score, 4),
        }


@dataclass
class FacetValue:
    value: str
    label: str
    count: int  # results with this value (and the other facets' active filters)
    active: bool
    name: str = ""  # the facet
    params: SearchParams | None = field(default=None, repr=False)

    @property
    def querystring(self) -> str:
        """The search with this value chosen; for the active value, without it.
        (Built on use: the API never needs it, the page only for what it shows.)"""
        if self.params is None:
            return ""
        return self.params.querystring(**{self.name: "" if self.active else self.value, "page": 1})


@dataclass
class SearchOutcome:
    params: SearchParams
    query: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str = ""
    notices: list[str] = field(default_factory=list)
    message: str = ""
    searched: bool = False
    engine: str = ""

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // PAGE_SIZE)))

    @property
    def has_next(self) -> bool:
        return self.params.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.params.page > 1

    @property
    def first_rank(self) -> int:
        return (self.params.page - 1) * PAGE_SIZE + 1

    @property
    def next_querystring(self) -> str:
        return self.params.querystring(page=self.params.page + 1)

    @property
    def previous_querystring(self) -> str:
        return self.params.querystring(page=self.params.page - 1)

    @property
    def suggestion_querystring(self) -> str:
        return self.params.querystring(q=self.suggestion, page=1) if self.suggestion else ""

    def as_json(self) -> dict:
        return {
            "query": str(self.query),
            "count": self.total,
            "page": self.params.page,
            "num_pages": self.num_pages,
            "page_size": PAGE_SIZE,
            "versions": self.params.versions,
            "as_of": self.params.as_of.isoformat() if self.params.as_of else None,
            "sort": self.params.sort,
            "results": [hit.as_json() for hit in self.hits],
            "facets": {
                name: [{"value": f.value, "label": f.label, "count": f.count, "active": f.active} for f in values]
                for name, values in self.facets.items()
            },
            "suggestion": self.suggestion or None,
            "notices": self.notices,
            "message": self.message or None,
        }


def _labels_for(labels: list[str], params: SearchParams) -> str:
    """The version a hit links to: in force at the as-of date, else the latest holding the text."""
    if not labels:
        return "latest"
    if params.versions == "asof" and params.as_of:
        day = params.as_of.isoformat()
        before = [label for label in labels if label[:10] <= day]
        if before:
            return before[-1]
    return labels[-1]


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


TITLE_CHARS = 60  # of a clause's text, when it has no heading


def clause_title(number: str, heading: str, text: str) -> str:
    """What a result is called: "5 Cookies", or for a clause without a heading its
    number and first words, "(5) You have given us your consent …"."""
    number, heading = (number or "").strip(), " ".join((heading or "").split())
    if heading:
        return f"{number} {heading}" if number else heading
    lead = " ".join((text or "").split())
    if len(lead) > TITLE_CHARS:
        cut = lead[: TITLE_CHARS + 1].rsplit(" ", 1)[0] if " " in lead[: TITLE_CHARS + 1] else lead[:TITLE_CHARS]
        lead = cut.rstrip(" ,;:.-–—") + " …"
    if not lead:
        return f"({number}) (untitled clause)" if number else "(untitled clause)"
    return f"({number}) {lead}" if number else lead


def _hit_from_fields(fields: dict, score: float, snippet: str, params: SearchParams) -> SearchHit:
    labels = (fields.get("version_labels") or "").split()
    label = _labels_for(labels, params)
    valid_to = _as_date(fields.get("valid_to"))
    ident = str(fields.get("django_id") or fields.get("pk") or "0")
    return SearchHit(
        span_id=int(ident) if ident.isdigit() else 0,
        score=float(score or 0),
        document_slug=fields.get("document") or "",
        document_title=fields.get("document_title") or "",
        publisher_slug=fields.get("publisher") or "",
        publisher_name=fields.get("publisher_name") or "",
        kind=fields.get("kind") or "",
        number=fields.get("number") or "",
        heading=fields.get("heading") or "",
        snippet=mark_safe(snippet),  # built from escaped text and <mark> only
        version_label=label,
        version_date=_as_date(label),
        version_labels=labels,
        valid_from=_as_date(fields.get("valid_from")),
        valid_to=valid_to,
        lineage=fields.get("lineage") or "",
        anchor=fields.get("anchor") or "",
        title=clause_title(fields.get("number") or "", fields.get("heading") or "", fields.get("body") or ""),
    )


def _plain_snippet(text: str) -> str:
    """The start of the clause, escaped: for hits matched by filters or headings only."""
    text = " ".join((text or "").split())
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(text)


_LABELS: dict[tuple[str, str], tuple[float, str]] = {}
LABEL_TTL = 60.0  # seconds a publisher name or document title is remembered


def _facet_labels(facets: dict[str, list[tuple[str, int]]]) -> dict[str, dict[str, str]]:
    """Display names for facet values, from a small per-process cache of the database."""
    labels: dict[str, dict[str, str]] = {"kind": dict(DocumentKind.choices), "publisher": {}, "document": {}}
    now = time.monotonic()
    sources = {
        "publisher": lambda slugs: Publisher.objects.filter(slug__in=slugs).values_list("slug", "name"),
        "document": lambda slugs: (
            (slug, f"{publisher} — {title}")
            for slug, publisher, title in Document.objects.filter(slug__in=slugs).values_list(
                "slug", "publisher__name", "title")
        ),
    }
    for name, fetch in sources.items():
        wanted = [v for v, _ in facets.get(name, [])]
        missing = []
        for value in wanted:
            cached = _LABELS.get((name, value))
            if cached and cached[0] > now:
                labels[name][value] = cached[1]
            else:
                missing.append(value)
        if missing:
            if len(_LABELS) > 50_000:
                _LABELS.clear()
            for value, label in fetch(missing):
                labels[name][value] = label
                _LABELS[(name, value)] = (now + LABEL_TTL, label)
    return labels


def _facet_values(params: SearchParams, raw: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    labels = _facet_labels(raw)
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        active_value = getattr(params, name)
        values = []
        for value, count in raw.get(name, []):
            if value in (None, ""):
                continue
            active = value == active_value
            values.append(FacetValue(
                value=value, label=labels.get(name, {}).get(value, value), count=count, active=active,
                name=name, params=params,
            ))
        out[name] = values
    return out


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def search(params: SearchParams, *, fast: bool | None = None) -> SearchOutcome:
    """Run a search. Never raises for anything the user typed in ``q``."""
    query = parse_query(params.q)
    outcome = SearchOutcome(params=params, query=query, notices=list(query.notices))
    if query.empty and not params.filtered:
        if params.q.strip():
            outcome.message = (
                "There was nothing to search for in that query. Type some words; see the examples below."
            )
        return outcome
    if params.kind and params.kind not in DocumentKind.values:
        outcome.notices.append(f"Unknown kind “{params.kind}”.")
    from documents import indexing

    backend = indexing.backend()
    use_fast = hasattr(backend, "searcher") if fast is None else fast
    if use_fast:
        _search_whoosh(backend, query, params, outcome)
    else:
        _search_haystack(query, params, outcome)
    from documents.selectors import search_hits_versions  # issue 13: labels from the timeline

    search_hits_versions(outcome.hits, params)
    outcome.searched = True
    if outcome.total == 0 and not outcome.message:
        outcome.message = "No clause matches this search."
    return outcome


# --- Whoosh fast path -----------------------------------------------------------------


def _whoosh_query(node, schema, notices):
    from whoosh import query as wq

    if node is None:
        return None
    if isinstance(node, And):
        positives = [_whoosh_query(c, schema, notices) for c in node.children if not isinstance(c, Not)]
        negatives = [_whoosh_query(c.child, schema, notices) for c in node.children if isinstance(c, Not)]
        positives = [p for p in positives if p is not None]
        negatives = [n for n in negatives if n is not None]
        if not positives and not negatives:
            return None
        base = wq.Every() if not positives else (positives[0] if len(positives) == 1 else wq.And(positives))
        if negatives:
            mask = negatives[0] if len(negatives) == 1 else wq.Or(negatives)
            return wq.AndNot(base, mask)
        return base
    if isinstance(node, Or):
        parts = [_whoosh_query(c, schema, notices) for c in node.children]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.Or(parts)
    if isinstance(node, Not):
        inner = _whoosh_query(node.child, schema, notices)
        return None if inner is None else wq.AndNot(wq.Every(), inner)
    return _whoosh_term(node, schema)


def _analyze(schema, fieldname: str, text: str) -> list[str]:
    return [t.text for t in schema[fieldname].analyzer(text, mode="query")]


def _whoosh_term(term: Term, schema):
    from whoosh import query as wq

    if term.field in ("publisher", "kind", "document"):
        return wq.Term(term.field, term.text)
    fields = ["heading"] if term.field == "heading" else ["text", "heading"]
    boost_phrase = term.field is None
    if term.kind == "prefix":
        prefix = term.text.lower()
        stems = {prefix, *(_analyze(schema, "text", prefix) or [])}
        prefixes = [wq.Prefix(f, s) for f in fields for s in sorted(stems) if len(s) >= MIN_PREFIX]
        return wq.Or(prefixes) if prefixes else None
    tokens = _analyze(schema, "text", term.text)
    if not tokens:
        return None
    if term.kind == "fuzzy" and len(tokens) == 1:
        return wq.Or([wq.FuzzyTerm(f, tokens[0], maxdist=term.distance, prefixlength=1) for f in fields])
    if len(tokens) == 1:
        return wq.Or([wq.Term(f, tokens[0]) for f in fields])
    phrases = [wq.Phrase(f, tokens) for f in (["text", "heading"] if boost_phrase else fields)]
    return phrases[0] if len(phrases) == 1 else wq.Or(phrases)


def _deadline_collector_class():
    from whoosh import collectors

    class DeadlineCollector(collectors.WrappingCollector):
        """Stops collecting after ``seconds`` (checked every 512 matches).

        Whoosh's TimeLimitCollector starts a timer thread per search (and by default
        a SIGALRM, which fails outside the main thread); a clock check is cheaper.
        With ``allow`` (a set of top-level document numbers), only those are collected;
        with ``record`` (a set), every match's top-level number is added to it.
        """

        def __init__(self, child, seconds, allow=None, record=None):
            super().__init__(child)
            self.seconds = seconds
            self.allow = allow
            self.record = record

        def prepare(self, top_searcher, q, context):
            self.deadline = time.monotonic() + self.seconds
            self.child.prepare(top_searcher, q, context)

        def collect_matches(self):
            child, deadline, n = self.child, self.deadline, 0
            allow, record, offset = self.allow, self.record, self.offset
            for sub_docnum in child.matches():
                n += 1
                if not n & 511 and time.monotonic() > deadline:
                    raise collectors.TimeLimit
                if record is not None:
                    record.add(offset + sub_docnum)
                if allow is None or offset + sub_docnum in allow:
                    child.collect(sub_docnum)

    return DeadlineCollector


def _DeadlineCollector(child, seconds, allow=None, record=None):  # noqa: N802 - a factory standing in for the class
    global _DEADLINE_CLASS
    if _DEADLINE_CLASS is None:
        _DEADLINE_CLASS = _deadline_collector_class()
    return _DEADLINE_CLASS(child, seconds, allow, record)


_DEADLINE_CLASS = None


class _DocSets:
    """Document-number sets for one searcher (one index generation), for counting.

    The total and the facet counts need *which* documents match, not how well: they
    are computed here with Python set algebra over postings read block by block
    (C-speed unions and intersections), instead of scoring every match and reading a
    column value per match and facet (Whoosh's ``groupedby``, ~85% of a query's time).

    The sets of the filters (``current``, an as-of date, each facet value) depend only
    on the index, so they are kept for the searcher's lifetime: a refreshed searcher
    (a new index generation) gets a new ``_DocSets``. The sets of the words a user typed
    are not kept.
    """

    MAX_ASOF = 32  # as-of dates remembered per generation

    def __init__(self, searcher):
        reader = searcher.reader()
        # Weak: _DOCSETS is keyed weakly by the searcher, which this must not keep alive.
        self._searcher = weakref.ref(searcher)
        self.reader = reader
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        # Postings are read raw (deleted documents included); the deleted ones are
        # taken out once, at the end of ``docs``.
        self.deleted = (
            frozenset(range(reader.doc_count_all())) - frozenset(reader.all_doc_ids())
            if reader.has_deletions() else frozenset()
        )
        self._live = None
        self._filters: dict = {}
        self._facets: dict[str, dict[str, frozenset]] = {}

    @property
    def live(self) -> frozenset:
        if self._live is None:
            self._live = frozenset(self.reader.all_doc_ids())
        return self._live

    def postings(self, fieldname: str, text) -> set:
        from whoosh.codec.whoosh3 import W3LeafMatcher
        from whoosh.matching.wrappers import FilterMatcher
        from whoosh.reading import TermNotFound

        out: set = set()
        for reader, offset in self.leaves:
            try:
                matcher = reader.postings(fieldname, text)
            except TermNotFound:  # not in this segment
                continue
            if isinstance(matcher, FilterMatcher):  # deletions: handled by the caller
                matcher = matcher.child
            if isinstance(matcher, W3LeafMatcher):
                # A block of ids at a time rather than one is_active/id/next per id.
                ids: list = []
                while matcher.is_active():
                    matcher._read_ids()
                    ids.extend(matcher._ids)
                    matcher._next_block()
            else:
                ids = list(matcher.all_ids())
            out.update(ids if not offset else (offset + d for d in ids))
        return out

    def countable(self, q) -> bool:
        """True when ``docs(q)`` needs no positions (no phrase): pure set algebra."""
        from whoosh import query as wq

        if isinstance(q, (wq.Term, wq.Every, wq.Prefix, wq.FuzzyTerm)):
            return True
        if isinstance(q, (wq.And, wq.Or)):
            return all(self.countable(c) for c in q.subqueries)
        if isinstance(q, wq.AndNot):
            return self.countable(q.a) and self.countable(q.b)
        return False

    def docs(self, q) -> set:
        """The live documents matching the Whoosh query ``q`` (unscored)."""
        found = self._docs(q)
        return found - self.deleted if self.deleted else found

    def _docs(self, q) -> set:
        from whoosh import query as wq

        if isinstance(q, wq.Term):
            return self.postings(q.fieldname, q.text)
        if isinstance(q, wq.Every):
            return set(self.live)
        if isinstance(q, wq.AndNot):
            return self._docs(q.a) - self._docs(q.b)
        if isinstance(q, wq.And):
            parts = sorted((self._docs(c) for c in q.subqueries), key=len)
            found = parts[0]
            for part in parts[1:]:
                if not found:
                    break
                found &= part
            return found
        if isinstance(q, wq.Or):
            found: set = set()
            for child in q.subqueries:
                found |= self._docs(child)
            return found
        if isinstance(q, (wq.Prefix, wq.FuzzyTerm)):
            found = set()
            for word in set(q._btexts(self.reader)):
                found |= self.postings(q.fieldname, word)
            return found
        # Phrases, date ranges: Whoosh's own matcher (deletions already excluded).
        return set(self._searcher().docs_for_query(q))

    def version_docs(self, params: SearchParams) -> frozenset | None:
        """The documents of the version mode (None: all versions)."""
        if params.versions == "current":
            key = "current"
        elif params.versions == "asof" and params.as_of:
            key = params.as_of
        else:
            return None
        if key not in self._filters:
            if len(self._filters) > self.MAX_ASOF:
                self._filters = {k: v for k, v in self._filters.items() if k == "current"}
            self._filters[key] = frozenset(self.docs(_version_filter(params)))
        return self._filters[key]

    def facet_values(self, name: str) -> dict[str, frozenset]:
        """Every value of facet ``name`` -> the (live) documents holding it."""
        if name not in self._facets:
            fieldname = f"{name}_exact"
            from_bytes = self.reader.schema[fieldname].from_bytes
            values: dict[str, frozenset] = {}
            if fieldname in self.reader.indexed_field_names():
                for btext in self.reader.lexicon(fieldname):
                    docs = self.postings(fieldname, btext)
                    if self.deleted:
                        docs -= self.deleted
                    if docs:
                        values[from_bytes(btext)] = frozenset(docs)
            self._facets[name] = values
        return self._facets[name]


_DOCSETS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _docsets(searcher) -> _DocSets:
    """The ``_DocSets`` of this searcher (the backend's searchers are per thread)."""
    sets = _DOCSETS.get(searcher)
    if sets is None:
        sets = _DOCSETS[searcher] = _DocSets(searcher)
    return sets


def _version_filter(params: SearchParams):
    from whoosh import query as wq

    if params.versions == "current":
        return wq.Term("current", True)
    if params.versions == "asof" and params.as_of:
        day = dt.datetime(params.as_of.year, params.as_of.month, params.as_of.day)
        return wq.And([wq.DateRange("valid_from", None, day),
                       wq.DateRange("valid_until", day, None, startexcl=True)])
    return None


def _facet_counts(sets: _DocSets, matched: set, params: SearchParams, chosen: dict) -> dict:
    """Disjunctive facet counts over ``matched`` (the query's matches in the chosen versions).

    Each facet is counted with every *other* active filter (``chosen``: facet name ->
    the documents of its active value) applied but not its own, so after choosing a
    publisher the other publishers, with the number of results each would give, stay
    listed and can be switched to; the chosen value stays listed (and removable).
    """
    raw: dict[str, list[tuple[str, int]]] = {}
    for name in FACETS:
        base = matched
        for other, docs in sorted(chosen.items(), key=lambda kv: len(kv[1])):
            if other != name:
                base = base & docs
        counts = []
        if base:
            for value, docs in sets.facet_values(name).items():
                n = len(base & docs) if len(docs) < len(base) else len(docs & base)
                if n:
                    counts.append((value, n))
        active = getattr(params, name)
        if active and not any(v == active for v, _ in counts):
            counts.append((active, 0))
        raw[name] = sorted(counts, key=lambda kv: (-kv[1], kv[0]))
    return raw


def _intersect(sets) -> set | frozenset | None:
    """The intersection of ``sets`` (None: no set given), smallest first."""
    found = None
    for docs in sorted(sets, key=len):
        found = docs if found is None else found & docs
    return found


def _search_whoosh(backend, query: ParsedQuery, params: SearchParams, outcome: SearchOutcome) -> None:
    """The total and the facets from document sets; scores and highlights for one page.

    A query of words, prefixes, fuzzy words and operators is counted with set algebra
    over postings (``_DocSets``); the scoring pass then only has to find the top
    ``page * PAGE_SIZE`` hits, and Whoosh skips postings blocks that cannot reach them.
    A query with a phrase needs positions: one pass of Whoosh's matcher then both
    records every match (for the counts) and scores the ones in the filtered results.
    """
    from whoosh import collectors, query as wq, sorting

    outcome.engine = "whoosh"
    searcher = backend.searcher()
    schema = searcher.schema
    userq = _whoosh_query(query.tree, schema, outcome.notices)
    if userq is None:
        if not params.filtered:
            outcome.message = "Only very common words were given (such as “the”); add a more specific word."
            return
        userq = wq.Every()

    sets = _docsets(searcher)
    versions = sets.version_docs(params)
    chosen = {name: sets.facet_values(name).get(getattr(params, name), frozenset())
              for name in FACETS if getattr(params, name)}
    start = (params.page - 1) * PAGE_SIZE
    sortedby = None
    if params.sort != "relevance":
        sortedby = sorting.FieldFacet("valid_from", reverse=params.sort == "newest")

    def scored_pass(allow, record=None):
        if sortedby is not None:
            collector = collectors.SortingCollector(sortedby, limit=start + PAGE_SIZE)
        elif record is None:  # Whoosh may skip (and prune) what cannot reach the page
            collector = collectors.TopCollector(limit=start + PAGE_SIZE)
        else:  # every match must be seen: no block skipping, no matcher pruning
            collector = collectors.TopCollector(limit=start + PAGE_SIZE, usequality=False, replace=0)
        timed = _DeadlineCollector(collector, TIME_LIMIT, allow=allow, record=record)
        try:
            searcher.search_with_collector(userq, timed)
        except collectors.TimeLimit:
            outcome.notices.append("The search took too long and was stopped; the results may be incomplete.")
        return collector.results()

    page = None
    if sets.countable(userq):
        matched = sets.docs(userq)
    else:
        matched = set()
        filters = _intersect([d for d in (versions, *chosen.values()) if d is not None])
        page = scored_pass(filters, matched)
    if versions is not None:
        matched &= versions
    outcome.facets = _facet_values(params, _facet_counts(sets, matched, params, chosen))
    results = _intersect([matched, *chosen.values()])
    outcome.total = len(results)

    if not outcome.total:
        outcome.suggestion = _suggest_whoosh(searcher, query)
        return
    if start >= outcome.total:
        outcome.message = f"There is no page {params.page}; the results end at page {outcome.num_pages}."
        return
    if isinstance(userq, wq.Every):
        # Filters only: every result scores the same, so the page is the results in
        # index order (or by date), without a pass over every document of the index.
        docnums = sorted(results)
        if sortedby is not None:
            column = searcher.reader().column_reader("valid_from")
            docnums.sort(key=column.__getitem__, reverse=params.sort == "newest")
        shown = [(searcher.stored_fields(d), 1.0) for d in docnums[start:start + PAGE_SIZE]]
    else:
        if page is None:
            page = scored_pass(results)
        shown = [(hit.fields(), hit.score) for hit in page[start:start + PAGE_SIZE]]
    words = _highlight_words(searcher, userq)
    analyzer = schema["text"].analyzer
    for fields, score in shown:
        snippet = _snippet(fields.get("body") or "", words, analyzer)
        outcome.hits.append(_hit_from_fields(fields, score, snippet, params))


def _highlight_words(searcher, userq) -> frozenset:
    """The indexed words of the clause text the query looks for (prefixes and fuzzy
    words expanded), once per search rather than once per hit."""
    field = searcher.schema["text"]
    terms = userq.existing_terms(searcher.reader(), phrases=True, expand=True, fieldname="text")
    return frozenset(field.from_bytes(text) for _, text in terms)


def _snippet(body: str, words, analyzer) -> str:
    """The clause text (escaped) with ``words`` in ``<mark>``: the whole text when it is
    short, else up to two passages around matches; the plain start when nothing matched."""
    from whoosh.highlight import ContextFragmenter, WholeFragmenter, highlight

    from documents.search_backend import MarkFormatter

    snippet = ""
    if words and body:
        fragmenter = (WholeFragmenter() if len(body) <= SNIPPET_CHARS
                      else ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60))
        snippet = highlight(body, words, analyzer, fragmenter, MarkFormatter(), top=2)
    return snippet or _plain_snippet(body)


def _suggest_whoosh(searcher, query: ParsedQuery) -> str:
    """A corrected query when some of its words are not in the index, else "".

    The index holds stems only (no separate spelling field, which would halve indexing
    speed), so the corrector proposes a stem ("cooki") and the word shown is the first
    word of a clause holding that stem whose stem it is ("cookies").
    """
    words = query.terms(kinds=("word", "fuzzy", "prefix"))
    if not words:
        return ""
    reader = searcher.reader()
    schema = searcher.schema
    replacements: dict[Term, Term] = {}
    corrector = searcher.corrector("text")
    for term in words[:8]:
        tokens = _analyze(schema, "text", term.text)
        if len(tokens) != 1 or term.kind == "prefix" or reader.doc_frequency("text", tokens[0]):
            continue
        for stem in corrector.suggest(tokens[0], limit=3, maxdist=2):
            surface = _surface_word(searcher, stem)
            if surface and surface != term.text.lower():
                replacements[term] = Term(text=surface, field=term.field)
                break
    if not replacements:
        return ""
    return str(_replace(query.tree, replacements))


def _surface_word(searcher, stem: str) -> str:
    """A word as written in the clauses whose stem is ``stem``."""
    from whoosh import query as wq

    analyzer = searcher.schema["text"].analyzer
    for hit in searcher.search(wq.Term("text", stem), limit=3, scored=False):
        text = f"{hit.get('heading', '')} {hit.get('body', '')}"
        for token in analyzer(text, chars=True, keeporiginal=True, removestops=False):
            if token.text == stem and token.original.isalpha():
                return token.original.lower()
    return ""


def _replace(node, replacements):
    if isinstance(node, Term):
        return replacements.get(node, node)
    if isinstance(node, Not):
        return Not(_replace(node.child, replacements))
    if isinstance(node, And):
        return And(tuple(_replace(c, replacements) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_replace(c, replacements) for c in node.children))
    return node


# --- Any haystack engine ----------------------------------------------------------------


def _sq(node):
    from haystack.inputs import Exact
    from haystack.query import SQ

    if node is None:
        return None
    if isinstance(node, (And, Or)):
        parts = [_sq(c) for c in node.children]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined & part) if isinstance(node, And) else (combined | part)
        return combined
    if isinstance(node, Not):
        inner = _sq(node.child)
        return None if inner is None else ~inner
    term = node
    if term.field in ("publisher", "kind", "document"):
        return SQ(**{f"{term.field}_exact": Exact(term.text)})
    name = "heading" if term.field == "heading" else "content"
    if term.kind == "phrase":
        return SQ(**{name: Exact(term.text)})
    if term.kind == "prefix":
        return SQ(**{f"{name}__startswith": term.text.lower()})
    if term.kind == "fuzzy":
        return SQ(**{f"{name}__fuzzy": term.text.lower()})
    if name == "content":
        return SQ(content=term.text) | SQ(heading=term.text)
    return SQ(heading=term.text)


def _search_haystack(query: ParsedQuery, params: SearchParams, outcome: SearchOutcome) -> None:
    """The same search through haystack's SearchQuerySet, for cluster engines."""
    from haystack.inputs import Exact
    from haystack.query import SearchQuerySet
    from whoosh.analysis import StemmingAnalyzer

    from documents.models import ClauseSpan

    outcome.engine = "haystack"
    sqs = SearchQuerySet().models(ClauseSpan)
    sq = _sq(query.tree)
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
    offset = (params.page - 1) * PAGE_SIZE
    page = list(sqs[offset: offset + PAGE_SIZE])
    outcome.total = sqs.count()
    outcome.facets = _facet_values(params, _haystack_facets(base, sqs, params))
    analyzer = StemmingAnalyzer()
    terms = {tok.text for t in query.terms(kinds=("word", "phrase", "fuzzy")) for tok in analyzer(t.text)}
    for result in page:
        fields = {key: getattr(result, key, None) for key in (
            "body", "heading", "number", "publisher", "publisher_name", "kind", "document", "document_title",
            "lineage", "anchor", "version_labels", "valid_from", "valid_to")}
        fields["django_id"] = result.pk
        snippet = _snippet(fields.get("body") or "", terms, analyzer)
        outcome.hits.append(_hit_from_fields(fields, result.score, snippet, params))
    if outcome.total == 0:
        suggestion = sqs.spelling_suggestion(" ".join(t.text for t in query.terms())) if query.terms() else ""
        if suggestion and suggestion.strip().lower() != " ".join(t.text for t in query.terms()).lower():
            outcome.suggestion = suggestion.strip()


def _haystack_facets(base, sqs, params: SearchParams) -> dict[str, list[tuple[str, int]]]:
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
