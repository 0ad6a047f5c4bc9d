"""Placeholder search views (replaced by the search work)."""
from django.http import JsonResponse
from django.shortcuts import render


def search(request):
    return render(request, "search/search.html", {"query": request.GET.get("q", "")})


def api_search(request):
    return JsonResponse({"count": 0, "results": [], "facets": {}})
