"""A search's parameters: what the page and the API accept, checked once.

``q`` (the query language, see ``documents.search.query``), ``versions`` (current |
all | asof), ``as_of`` (YYYY-MM-DD; implies versions=asof), ``publisher``, ``kind``,
``document`` (facet filters), ``sort`` (relevance | newest | oldest) and ``page``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.utils.text import slugify

from documents.search.query import _CONTROL, MAX_RAW_CHARS

PAGE_SIZE = getattr(settings, "HAYSTACK_SEARCH_RESULTS_PER_PAGE", 20)
MAX_PAGE = 250
FACETS = ("publisher", "kind", "document")
VERSION_MODES = ("current", "all", "asof")
SORTS = ("relevance", "newest", "oldest")


class SearchInputError(ValueError):
    """A search parameter other than the query text is invalid (bad date, page...)."""


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
