"""Staff upload flow: upload -> draft preview -> publish or discard.

Staff only: anyone else is sent to the admin login. Publishing and discarding are
POST-only (a GET does nothing but answer 405).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from haystack.exceptions import SearchBackendError

from documents import drafts
from documents.forms import UploadForm
from documents.models import VersionDraft
from documents.services import PublishError


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
    return render(
        request, "documents/upload.html", {"form": form, "drafts": drafts.draft_list()}, status=status
    )


@staff_member_required
def draft_detail(request, pk):
    preview = drafts.draft_preview(drafts.draft_get(pk))
    return render(request, "documents/draft.html", {"preview": preview, "draft": preview.draft})


@staff_member_required
@require_POST
def draft_publish(request, pk):
    draft = drafts.draft_get(pk)
    try:
        result = drafts.draft_publish(draft=draft, published_by=request.user)
    except VersionDraft.DoesNotExist:
        messages.error(request, "That draft was published or discarded meanwhile.")
        return redirect("documents:upload")
    except PublishError as exc:
        preview = drafts.draft_preview(draft)
        return render(
            request, "documents/draft.html",
            {"preview": preview, "draft": draft, "publish_error": str(exc)}, status=409,
        )
    except SearchBackendError as exc:
        # The publish transaction rolled back: nothing was saved, the draft is still here.
        preview = drafts.draft_preview(draft)
        message = f"{exc} The draft is kept; publish it again in a moment."
        return render(
            request, "documents/draft.html",
            {"preview": preview, "draft": draft, "publish_error": message}, status=503,
        )
    messages.success(request, result.message)
    return redirect(result.version)


@staff_member_required
@require_POST
def draft_discard(request, pk):
    draft = drafts.draft_get(pk)
    drafts.draft_discard(draft=draft)
    messages.success(request, f"Discarded the draft ({draft.source_filename or 'pasted text'}).")
    return redirect("documents:upload")
