"""Published content never changes, so what is rendered from it is kept, and browsers
may keep it too.

* ``version_body``: the table of contents and the clauses of a published version,
  rendered once and cached under the version's id and content hash (a second request
  neither loads the clauses nor runs a template over them).
* ``compare_cached``: a comparison of two published versions, under both hashes.
* ``page``: a whole page for readers who are not signed in, under its ETag;
* ``fragment``: part of a page under a fingerprint of what it shows (the home table);
* ``etag``/``conditional``: an ETag for a page built from published content plus the
  few things around it that do change (which version is current, the timeline), and
  ``Cache-Control``; a matching ``If-None-Match`` is a 304 before anything is rendered.
  All of this is for readers who are not signed in: a signed-in reader's page shows
  their watches, so it is rendered for them and marked private.

The cache is Django's default cache (per process unless settings name a shared one).
Bump ``RENDER_REVISION`` when the rendering of clauses changes.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

RENDER_REVISION = "2"  # 2: comparisons pair by the words and name kinds with documents.kinds
# Anonymous readers' browsers and shared caches may reuse a page this long without
# asking; after that a revalidation with the ETag costs a 304, not a render.
PUBLIC_MAX_AGE = 300
# Fragments keyed by a fingerprint are replaced by new keys, never invalidated: an
# expiry lets the old ones go.
CATALOGUE_TIMEOUT = 24 * 3600


def _key(*parts) -> str:
    return ":".join(["page", RENDER_REVISION, *map(str, parts)])


def version_body(version, *, site_url: str) -> tuple[SafeString, SafeString, SafeString]:
    """(table of contents, clauses, glossary) of a published version, as HTML.

    ``site_url`` is printed beside each permalink for paper copies, so it is in the key."""
    key = _key("version-body", version.pk, version.sha256, site_url)
    cached = cache.get(key)
    if cached is None:
        from documents import presenters, selectors

        rows = selectors.version_clauses(version)
        for c in rows:
            c.version = version  # each permalink names the version: spare a query per clause
        context = {
            "clauses": presenters.clauses_for_display(version, rows),
            "glossary": presenters.version_glossary(version, rows),
            "version": version, "site_url": site_url,
        }
        cached = tuple(
            render_to_string(f"documents/_version_{part}.html", context) for part in ("toc", "body", "glossary")
        )
        cache.set(key, cached, timeout=None)
    return tuple(mark_safe(part) for part in cached)  # noqa: S308 - rendered by our templates


def page(request, tag: str, render):
    """``render()``'s response, kept under ``tag`` for readers who are not signed in
    (their pages differ by nothing else): the next one gets the same bytes without a
    render. ``tag`` must name everything the page shows (see ``etag``)."""
    # Only bare URLs: a query string (highlighted words, ?as_of=) is whatever a reader
    # typed, and must not fill the cache with copies of one page.
    if request.META.get("QUERY_STRING") or not _cacheable(request):
        return render()
    key = _key("page", tag)
    cached = cache.get(key)
    if cached is not None:
        content, content_type = cached
        return HttpResponse(content, content_type=content_type)
    response = render()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response.content, response["Content-Type"]), timeout=CATALOGUE_TIMEOUT)
    return response


def fragment(*key_parts, render, template: str) -> SafeString:
    """``template`` rendered with the context ``render()`` returns, kept under
    ``key_parts``, which must name everything the context holds (a fingerprint)."""
    key = _key("fragment", template, hashlib.sha1("\x1f".join(map(str, key_parts)).encode()).hexdigest())
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, render())
        cache.set(key, html, timeout=CATALOGUE_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by our templates


def compare_cached(old, new, compute, *, part=()):
    """``compute(old, new)``, kept under both versions' ids and hashes (and ``part``,
    when one pair of versions keeps several things)."""
    key = _key("compare", old.pk, old.sha256, new.pk, new.sha256)
    if part:  # (may hold what a reader typed: hashed, so any cache backend takes the key)
        key += ":" + hashlib.sha1(repr(part).encode("utf-8")).hexdigest()[:20]
    result = cache.get(key)
    if result is None:
        result = compute(old, new)
        cache.set(key, result, timeout=None)
    return result


def etag(request, *parts) -> str:
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and user.is_staff)
    # A signed-in reader's page shows their own Watch buttons: the tag names the reader,
    # or the anonymous page would be answered (304) after signing in.
    reader = user.pk if user is not None and user.is_authenticated else ""
    raw = "\x1f".join(map(str, (RENDER_REVISION, request.get_host(), request.get_full_path(), staff, reader, *parts)))
    return '"' + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20] + '"'


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _cacheable(request) -> bool:
    # A page with messages waiting shows them once: never answer it with a 304. A
    # signed-in reader's page shows their own watches, which no tag here names.
    return (request.method in ("GET", "HEAD") and not _signed_in(request)
            and len(messages.get_messages(request)) == 0)


def not_modified(request, tag: str):
    """A 304 when the browser already holds this page, else None."""
    if not _cacheable(request):
        return None
    wanted = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if tag in wanted or "*" in wanted:
        response = HttpResponseNotModified()
        _headers(request, response, tag)
        return response
    return None


def _headers(request, response, tag: str) -> None:
    response["ETag"] = tag
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ("Cookie",))


def finish(request, response, tag: str):
    """ETag and Cache-Control on a page of published content for readers who are not
    signed in; a signed-in reader's page is private and never reused."""
    if response.status_code == 200 and _cacheable(request):
        _headers(request, response, tag)
    elif _signed_in(request):
        patch_cache_control(response, private=True, no_cache=True, max_age=0, must_revalidate=True)
        patch_vary_headers(response, ("Cookie",))
    return response
