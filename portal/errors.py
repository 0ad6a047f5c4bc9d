"""Error pages that say what went wrong, as JSON for the API and HTML elsewhere."""

from django.http import JsonResponse
from django.shortcuts import render


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _message(exception, default: str) -> str:
    # Http404("...") messages are written for users by the selectors; Django's own
    # resolver exceptions carry a dict, which is no message for a person.
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        return exception.args[0]
    return default


def not_found(request, exception=None):
    message = _message(exception, "There is no page at this address.")
    if _wants_json(request):
        return JsonResponse({"error": message}, status=404)
    return render(request, "404.html", {"message": message}, status=404)


def bad_request(request, exception=None):
    # Django's own 400 messages are for developers ("add 'evil.example' to ALLOWED_HOSTS",
    # "settings.DATA_UPLOAD_MAX_MEMORY_SIZE"): a person gets a generic one.
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig

    status, message = 400, "The request could not be understood."
    if isinstance(exception, RequestDataTooBig):
        limit = settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024)
        status, message = 413, f"The request is too large: uploads and pasted text are limited to {limit} MB."
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(request, "400.html", {"message": message}, status=status)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"error": "Something went wrong on our side."}, status=500)
    return render(request, "500.html", status=500)
