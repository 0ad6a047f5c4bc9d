"""Thin views: watches, unsubscribe, recent changes, the citation check."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents import paging, selectors as document_selectors
from documents.alerts import citations, selectors, services
from documents.models import DocumentKind
from documents.slugs import slug_error

LOGIN = "login"


def _absolute(request):
    return request.build_absolute_uri


def _next_url(request, fallback: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: redirect() would take any other word for a view name
    # to reverse() (NoReverseMatch, a 500).
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                               require_https=request.is_secure()):
        return url
    return fallback


# --- Watches --------------------------------------------------------------------------


@login_required(login_url=LOGIN)
@require_GET
def watches(request):
    return render(request, "alerts/watches.html", {
        "watches": selectors.watches_for_user(request.user),
        "alerts": selectors.alerts_recent(request.user),
        "kinds": DocumentKind.choices,
    })


@login_required(login_url=LOGIN)
@require_POST
def watch_add(request):
    """Watch a document (``document``=slug), a clause (``clause``=key) or a saved search (``q``)."""
    fallback = reverse("alerts:watches")
    try:
        if request.POST.get("document"):
            document = document_selectors.document_get(request.POST["document"])
            watch, created = services.watch_document(user=request.user, document=document)
        elif request.POST.get("clause"):
            lineage = document_selectors.lineage_get(request.POST["clause"])
            watch, created = services.watch_clause(user=request.user, lineage=lineage)
        elif "q" in request.POST:
            watch, created = services.watch_search(
                user=request.user, query=request.POST.get("q", ""), publisher=request.POST.get("publisher", ""),
                kind=request.POST.get("kind", ""), document=request.POST.get("document_filter", ""))
        else:
            return HttpResponseBadRequest("Say what to watch: a document, a clause or a search.")
    except services.WatchError as exc:
        messages.error(request, str(exc))
        return redirect(_next_url(request, fallback))
    if not request.user.email:
        messages.warning(request, "Your account has no e-mail address, so alerts cannot reach you yet.")
    messages.success(request, f"{'Now watching' if created else 'You already watch'} {watch.target_label}. "
                              "You will get an e-mail when it changes.")
    return redirect(_next_url(request, fallback))


@login_required(login_url=LOGIN)
@require_POST
def watch_remove(request, pk):
    watch = selectors.watch_for_user(request.user, pk)
    label = watch.target_label
    services.watch_delete(watch=watch)
    messages.success(request, f"You no longer watch {label}.")
    return redirect(_next_url(request, reverse("alerts:watches")))


# The signed token is the credential here, not a session: mail clients' one-click
# unsubscribe (RFC 8058) POSTs without any cookie or CSRF token. A GET changes nothing:
# mail scanners and link previews follow links, so the page asks for one click (a POST).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page with one button; POST stops the watch (``action=undo`` starts it
    again), signed in or not."""
    watch = selectors.watch_for_token(token)
    if watch is None:
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "GET":
        return render(request, "alerts/unsubscribe.html", {"watch": watch, "token": token, "confirm": True})
    undo = request.POST.get("action") == "undo"
    services.watch_set_active(watch=watch, active=undo)
    return render(request, "alerts/unsubscribe.html", {"watch": watch, "token": token, "undone": undo})


# --- Recent changes ---------------------------------------------------------------------


API_CHANGES_MAX = 100  # per_page of /api/changes/


def _changes_params(request):
    """(publisher, kind, document, page) or an error message."""
    publisher = request.GET.get("publisher", "").strip()
    kind = request.GET.get("kind", "").strip()
    document = request.GET.get("document", "").strip()
    error = (slug_error(publisher, what="publisher name", max_length=80)
             or slug_error(document, what="document name", max_length=120))
    if error:
        return None, error
    if kind and kind not in DocumentKind.values:
        return None, f"Unknown kind “{kind[:16]}”; choose one of {', '.join(DocumentKind.values)}."
    try:
        page = int(request.GET.get("page", "1") or "1")
    except ValueError:
        return None, "page must be a whole number."
    if page < 1 or page > 10_000:
        return None, "page must be between 1 and 10000."
    return (publisher, kind, document, page), ""


@require_GET
def changes(request):
    params, error = _changes_params(request)
    if error:
        return render(request, "alerts/changes.html", {"error": error, "kinds": DocumentKind.choices,
                                                       "publishers": selectors.publishers_with_versions()},
                      status=400)
    publisher, kind, document, page = params
    items, total = selectors.recent_changes(publisher=publisher, kind=kind, document=document, page=page,
                                            corrections=request.GET.get("corrections") == "1")
    pages = max(1, -(-total // selectors.PAGE_SIZE))
    query = {k: v for k, v in (("publisher", publisher), ("kind", kind), ("document", document)) if v}
    feed_url = reverse("alerts:feed")
    if document:
        feed_url = reverse("alerts:feed_document", args=[document])
    elif publisher:
        feed_url = reverse("alerts:feed_publisher", args=[publisher])
    return render(request, "alerts/changes.html", {
        "items": items, "total": total, "page": page, "pages": pages,
        "publisher": publisher, "kind": kind, "document": document,
        "kinds": DocumentKind.choices, "publishers": selectors.publishers_with_versions(),
        "next_query": urlencode({**query, "page": page + 1}) if page < pages else "",
        "previous_query": urlencode({**query, "page": page - 1}) if page > 1 else "",
        "feed_url": feed_url,
    })


@require_GET
def api_changes(request):
    params, error = _changes_params(request)
    if error:
        return JsonResponse({"error": error}, status=400)
    publisher, kind, document, page = params
    try:
        wanted = paging.page_request(request.GET, default_per_page=selectors.PAGE_SIZE, max_per_page=API_CHANGES_MAX)
    except paging.PageError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    items, total = selectors.recent_changes(publisher=publisher, kind=kind, document=document, page=page,
                                            page_size=wanted.per_page,
                                            corrections=request.GET.get("corrections") == "1")
    absolute = _absolute(request)
    return JsonResponse({**paging.envelope(request, wanted, total), "page_size": wanted.per_page,
                         "results": [item.as_json(absolute) for item in items]})


# --- Citation check ---------------------------------------------------------------------


def _too_long(text: str) -> str:
    limit = settings.PORTAL_CITATIONS_MAX_CHARS
    if len(text) > limit:
        return f"The text is {len(text):,} characters long; the check reads at most {limit:,}. Paste less."
    return ""


@require_http_methods(["GET", "POST"])
def citations_page(request):
    """GET shows the form (``?text=`` also checks, for a link from a clause page);
    POST (with the CSRF token) checks what was pasted. Either way nothing is written."""
    text = request.POST.get("text", "") if request.method == "POST" else request.GET.get("text", "")
    context = {"text": text, "max_chars": settings.PORTAL_CITATIONS_MAX_CHARS}
    if not text.strip():
        return render(request, "alerts/citations.html", context)
    error = _too_long(text)
    if error:
        context.update(error=error, text=text[:settings.PORTAL_CITATIONS_MAX_CHARS])
        return render(request, "alerts/citations.html", context, status=413)
    context["report"] = citations.citations_check(text, request_host=request.get_host())
    return render(request, "alerts/citations.html", context)


# Read-only, session-free and without side effects, so a cross-site POST can neither
# change anything nor read the answer (no CORS): ticket systems may POST raw text or
# JSON ({"text": "..."}) without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def api_citations(request):
    if request.method == "GET":
        text = request.GET.get("text", "")
    else:
        limit = settings.PORTAL_CITATIONS_MAX_CHARS * 4  # bytes, for up to 4-byte characters
        if len(request.body) > limit:
            return JsonResponse({"error": f"The body is larger than {limit:,} bytes."}, status=413)
        content_type = request.content_type or ""
        if content_type == "application/json":
            try:
                data = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                return JsonResponse({"error": "The body is not valid JSON."}, status=400)
            except RecursionError:  # arrays or objects nested deeper than the parser's stack
                return JsonResponse({"error": "The JSON body is nested too deeply; send {\"text\": \"…\"}."},
                                    status=400)
            text = data.get("text", "") if isinstance(data, dict) else ""
            if not isinstance(text, str):
                return JsonResponse({"error": "“text” must be a string."}, status=400)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            text = request.POST.get("text", "")
        else:
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError:
                return JsonResponse({"error": "The body is not UTF-8 text."}, status=400)
    if not text.strip():
        return JsonResponse({"error": "Give the text to check, as text=… or a JSON body {\"text\": …}."}, status=400)
    error = _too_long(text)
    if error:
        return JsonResponse({"error": error}, status=413)
    report = citations.citations_check(text, request_host=request.get_host())
    absolute = _absolute(request)
    return JsonResponse({
        "count": len(report.results), "truncated": report.truncated, "max_links": citations.MAX_LINKS,
        "ignored_hosts": report.ignored_hosts, "counts": report.counts(),
        "results": [r.as_json(absolute) for r in report.results],
    })
