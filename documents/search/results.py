"""What a search returns: hits, facets, pagination, and their JSON form.

A result's title is its section path and heading ("§ 4.2(a) — Rent, lease"), or for
a clause without a heading its section path and first words (``clause_title``); the
document and version are shown beside it.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from documents.models import Document, DocumentKind, Publisher
from documents.search.params import FACETS, MAX_PAGE, PAGE_SIZE, SearchParams
from documents.search.query import ParsedQuery

TITLE_CHARS = 60  # of a clause's text, when it has no heading
PAGE_WINDOW = 2  # numbered page links either side of the current page


def clause_title(section: str, heading: str, text: str) -> str:
    """What a result is called: "§ 5 — Cookies", or for a clause without a heading
    its section path and first words, "§ 4.2(a) — You have given us your consent …"."""
    section, heading = (section or "").strip(), " ".join((heading or "").split())
    label = heading
    if not label:
        lead = " ".join((text or "").split())
        if len(lead) > TITLE_CHARS:
            cut = lead[: TITLE_CHARS + 1]
            cut = cut.rsplit(" ", 1)[0] if " " in cut else lead[:TITLE_CHARS]
            lead = cut.rstrip(" ,;:.-–—") + " …"
        label = lead or "(no text)"
    return f"§ {section} — {label}" if section else label


def section_path(numbers: list[str]) -> str:
    """The full number of a clause from its own and its parents' numbers (innermost
    first): ["(a)", "4.2", "4"] -> "4.2(a)". A number that is not a bracketed item is
    already complete ("4.2.1" under "4.2"), so parents are only prepended to items."""
    parts: list[str] = []
    for number in numbers:
        number = (number or "").strip().rstrip(".")
        if not number:  # a clause without a number has no section path
            break
        parts.insert(0, number)
        if not number.startswith("("):
            break
    return "".join(parts)


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
    section: str
    heading: str
    text: str
    snippet: SafeString
    version_label: str
    version_date: dt.date | None
    version_labels: list[str]
    valid_from: dt.date | None
    valid_to: dt.date | None
    lineage: str
    anchor: str
    title: str = ""
    highlight: list[str] = field(default_factory=list)  # forms to mark on the opened page

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def _hl(self) -> str:
        return ("?" + urlencode({"hl": "|".join(self.highlight)})) if self.highlight else ""

    @property
    def permalink(self) -> str:
        """The clause as it reads in the version shown (stable: no highlight words)."""
        return reverse("documents:clause_pinned", args=[self.lineage, self.version_label])

    @property
    def permalink_hl(self) -> str:
        return self.permalink + self._hl()

    @property
    def version_url(self) -> str:
        return reverse("documents:version", args=[self.document_slug, self.version_label])

    @property
    def url(self) -> str:
        """The clause in its document, with the matched words to highlight there."""
        if not self.anchor:
            return self.permalink_hl
        return f"{self.version_url}{self._hl()}#{self.anchor}"

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
            "section": self.section,
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
        """The search with this value chosen; for the active value, without it."""
        if self.params is None:
            return ""
        return self.params.querystring(**{self.name: "" if self.active else self.value, "page": 1})


# Values listed per facet on the page (the most frequent, and the chosen one): over an
# archive a common word is in hundreds of documents, and a list of all of them is
# neither read nor cheap to render. The JSON answer keeps every value.
FACET_SHOWN = 10


@dataclass(frozen=True)
class FacetList:
    name: str
    shown: list[FacetValue]
    hidden: int  # values left out of ``shown``


def facet_lists(facets: dict[str, list[FacetValue]], shown: int = FACET_SHOWN) -> list[FacetList]:
    """Each facet's ``shown`` most frequent values (they come most frequent first) and,
    wherever it ranks, the chosen one; and how many were left out."""
    out = []
    for name, values in facets.items():
        top = values[:shown]
        top += [v for v in values[shown:] if v.active]
        out.append(FacetList(name=name, shown=top, hidden=len(values) - len(top)))
    return out


@dataclass
class PageLink:
    number: int | None  # None: a gap ("…")
    querystring: str = ""
    current: bool = False


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
    past_end: bool = False  # the page asked for is after the last one
    busy: bool = False  # not run: too many costly searches at once

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // PAGE_SIZE)))

    @property
    def page(self) -> int:
        """The page shown: never past the end."""
        return min(self.params.page, self.num_pages)

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_rank(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last_rank(self) -> int:
        return self.first_rank + len(self.hits) - 1

    @property
    def next_querystring(self) -> str:
        return self.params.querystring(page=self.page + 1)

    @property
    def previous_querystring(self) -> str:
        return self.params.querystring(page=self.page - 1)

    @property
    def page_links(self) -> list[PageLink]:
        """1 … 4 5 [6] 7 8 … 12: the first, the last and a window around the current."""
        last, current = self.num_pages, self.page
        if last <= 1:
            return []
        wanted = {1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)}
        links, previous = [], 0
        for number in sorted(wanted):
            if number - previous > 1:
                links.append(PageLink(None))
            links.append(PageLink(number, self.params.querystring(page=number), number == current))
            previous = number
        return links

    @property
    def facet_lists(self) -> list[FacetList]:
        return facet_lists(self.facets)

    @property
    def suggestion_querystring(self) -> str:
        return self.params.querystring(q=self.suggestion, page=1) if self.suggestion else ""

    def export_querystring(self, fmt: str) -> str:
        return self.params.querystring(page=1, format=fmt)

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


def labels_for(labels: list[str], params: SearchParams) -> str:
    """The version a hit links to: in force at the as-of date, else the latest holding the text."""
    if not labels:
        return "latest"
    if params.versions == "asof" and params.as_of:
        day = params.as_of.isoformat()
        before = [label for label in labels if label[:10] <= day]
        if before:
            return before[-1]
    return labels[-1]


def as_date(value):
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


def clause_text(stored: str) -> str:
    """The clause's plain text from the stored ``text`` field ("number heading\\ntext")."""
    return (stored or "").partition("\n")[2]


def hit_from_fields(fields: dict, score: float, snippet, params: SearchParams) -> SearchHit:
    labels = (fields.get("version_labels") or "").split()
    label = labels_for(labels, params)
    ident = str(fields.get("django_id") or fields.get("pk") or "0")
    text = clause_text(fields.get("text") or "")
    heading = fields.get("heading") or ""
    section = fields.get("section") or (fields.get("number") or "").strip().rstrip(".")
    return SearchHit(
        span_id=int(ident) if ident.isdigit() else 0,
        score=float(score or 0),
        document_slug=fields.get("document") or "",
        document_title=fields.get("document_title") or "",
        publisher_slug=fields.get("publisher") or "",
        publisher_name=fields.get("publisher_name") or "",
        kind=fields.get("kind") or "",
        number=fields.get("number") or "",
        section=section,
        heading=heading,
        text=text,
        snippet=mark_safe(snippet.html),  # built from escaped text and <mark> only
        highlight=snippet.words,
        version_label=label,
        version_date=as_date(label),
        version_labels=labels,
        valid_from=as_date(fields.get("valid_from")),
        valid_to=as_date(fields.get("valid_to")),
        lineage=fields.get("lineage") or "",
        anchor=fields.get("anchor") or "",
        title=clause_title(section, heading, text),
    )


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


def facet_values(params: SearchParams, raw: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    labels = _facet_labels(raw)
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        active_value = getattr(params, name)
        values = []
        for value, count in raw.get(name, []):
            if value in (None, ""):
                continue
            values.append(FacetValue(
                value=value, label=labels.get(name, {}).get(value, value), count=count,
                active=value == active_value, name=name, params=params,
            ))
        out[name] = values
    return out
