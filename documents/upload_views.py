"""Placeholder staff upload views (replaced by the upload work)."""
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render


@staff_member_required
def upload(request):
    return render(request, "documents/upload.html", {})
