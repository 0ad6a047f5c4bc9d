"""Staff upload flow: upload -> draft preview -> publish or discard.

Staff only: anyone else is sent to the admin login. Publishing and discarding are
POST-only (a GET does nothing but answer 405).
"""

from __future__ import annotations

import errno
import logging

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_POST
from haystack.exceptions import SearchBackendError

from documents import drafts
from documents.forms import UploadForm
from documents.models import VersionDraft
from documents.services import PublishError

logger = logging.getLogger(__name__)

# Storage faults during a publish: the transaction rolled back, so the answer is "try
# again later", not a crash. OSError covers a full disk (ENOSPC), a read-only or
# unwritable index folder (EROFS, EACCES) and Whoosh's own lock timeouts surface as
# SearchBackendError; DatabaseError covers "database is locked" and "database or disk
# is full" (OperationalError).
STORAGE_FAULTS = (SearchBackendError, OSError, DatabaseError)


def storage_fault_message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "full" in str(exc).lower():
        what = "The server's disk is full."
    elif isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = "The search index cannot be written."
    elif isinstance(exc, SearchBackendError):
        what = str(exc)
    else:
        what = "The database is busy or cannot be written."
    return (f"{what} The draft is kept and nothing was published; publish it again in a moment, "
            "or tell the portal's administrators if this goes on.")


def _staff_page(response):
    # Drafts and uploads are staff-only text: never kept by a shared cache or the browser.
    patch_cache_control(response, private=True, no_store=True)
    add_never_cache_headers(response)
    return response


@staff_member_required
def staff_home(request):
    """/staff/: the drafts waiting for a publish, and the way to upload."""
    return _staff_page(render(request, "documents/staff.html", {"drafts": drafts.draft_list()}))


@staff_member_required
def upload(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            draft = drafts.draft_create(
                created_by=request.user,
                uploaded=data["uploaded"],
                document=data["document"],
                new_publisher=data["new_publisher"],
                new_title=data["new_title"],
                new_kind=data["new_kind"],
                effective_date=data["effective_date"],
                change_note=data["change_note"],
                parsed=data["parsed"],
            )
            return redirect("documents:draft", pk=draft.pk)
        status = 400
    else:
        form = UploadForm(initial={"document": request.GET.get("document", "")})
        status = 200
    return _staff_page(render(
        request, "documents/upload.html", {"form": form, "drafts": drafts.draft_list()}, status=status
    ))


def _publish_refusal(user, draft) -> str:
    """Why ``user`` may not publish ``draft``, or "" when they may. The preview shows it
    in place of the Publish button, and a publish POST answers it with a 403."""
    if not user.has_perm("documents.publish_version"):
        return ("You may upload and preview drafts, but publishing needs the “publish versions” "
                "permission (the Publishers group): ask an administrator, or a publisher to publish it.")
    if not drafts.draft_may_publish(user, draft):
        return ("This draft was uploaded by someone else; publishing it needs the permission to "
                "review other people's drafts (the Reviewers group).")
    return ""


def _draft_page(request, draft, *, status=200, publish_error=""):
    """The preview, with only the buttons this user may use: in place of Publish, the
    reason they may not; Discard for the author and reviewers only."""
    refusal = _publish_refusal(request.user, draft)
    return render(request, "documents/draft.html", {
        "preview": drafts.draft_preview(draft), "draft": draft, "publish_error": publish_error,
        "may_publish": not refusal, "publish_refusal": refusal,
        "may_discard": drafts.draft_may_discard(request.user, draft),
    }, status=status)


@staff_member_required
def draft_detail(request, pk):
    return _staff_page(_draft_page(request, drafts.draft_get(pk)))


def _forbidden(request, draft, message):
    return _staff_page(_draft_page(request, draft, status=403, publish_error=message))


def _unavailable(request, draft, exc):
    logger.warning("Publishing draft %s failed on storage: %r", draft.pk, exc)
    message = storage_fault_message(exc)
    try:
        response = _draft_page(request, draft, status=503, publish_error=message)
    except STORAGE_FAULTS:  # the preview needs the same storage: a plain page then
        response = render(request, "503.html", {"message": message}, status=503)
    response["Retry-After"] = "30"
    return _staff_page(response)


@staff_member_required
@require_POST
def draft_publish(request, pk):
    draft = drafts.draft_get(pk)
    refusal = _publish_refusal(request.user, draft)
    if refusal:
        return _forbidden(request, draft, refusal)
    try:
        result = drafts.draft_publish(draft=draft, published_by=request.user)
    except VersionDraft.DoesNotExist:
        messages.error(request, "That draft was published or discarded meanwhile.")
        return redirect("documents:upload")
    except PublishError as exc:
        return _staff_page(_draft_page(request, draft, status=409, publish_error=str(exc)))
    except STORAGE_FAULTS as exc:
        # The publish transaction rolled back: nothing was saved, the draft is still here.
        return _unavailable(request, draft, exc)
    messages.success(request, result.message)
    return redirect(result.version)


@staff_member_required
@require_POST
def draft_discard(request, pk):
    draft = drafts.draft_get(pk)
    if not drafts.draft_may_discard(request.user, draft):
        return _forbidden(request, draft, "This draft was uploaded by someone else; discarding it "
                          "needs the permission to review other people's drafts.")
    drafts.draft_discard(draft=draft, discarded_by=request.user)
    messages.success(request, f"Discarded the draft ({draft.source_filename or 'pasted text'}).")
    return redirect("documents:upload")
