"""One page of a list for the JSON API: ``page`` and ``per_page`` read from the query
string within bounds, and the envelope every paginated answer shares (``count``,
``page``, ``pages``, ``per_page``, ``next``, ``previous``).

An archive holds thousands of versions: no list endpoint answers with all of them, so
what a request costs is bounded by ``per_page``, not by the size of the collection.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.http import urlencode


class PageError(ValueError):
    """A ``page`` or ``per_page`` that is not a whole number within bounds (a 400)."""


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def stop(self) -> int:
        return self.page * self.per_page

    def pages(self, count: int) -> int:
        return max(1, -(-count // self.per_page))

    def beyond(self, count: int) -> bool:
        """A page past the last one (page 1 of an empty list is not)."""
        return self.page > self.pages(count)


def page_request(query, *, default_per_page: int, max_per_page: int) -> PageRequest:
    """``page`` (from 1) and ``per_page`` (1 to ``max_per_page``) from a QueryDict."""
    try:
        page = int(query.get("page", "1") or "1")
        per_page = int(query.get("per_page", "") or default_per_page)
    except (TypeError, ValueError):
        raise PageError("page and per_page are whole numbers.") from None
    if page < 1 or not 1 <= per_page <= max_per_page:
        raise PageError(f"page starts at 1; per_page is 1 to {max_per_page}.")
    return PageRequest(page=page, per_page=per_page)


def envelope(request, wanted: PageRequest, count: int) -> dict:
    """The fields around a page's items, with absolute links to the pages beside it
    (the other query parameters kept)."""
    pages = wanted.pages(count)

    def link(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        query["per_page"] = str(wanted.per_page)
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")

    return {
        "count": count, "page": wanted.page, "pages": pages, "per_page": wanted.per_page,
        "next": link(wanted.page + 1) if wanted.page < pages else None,
        "previous": link(wanted.page - 1) if 1 < wanted.page <= pages else None,
    }
