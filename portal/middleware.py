"""Content-Security-Policy header.

The portal's pages use no inline script or style, so the policy can forbid them: an
injected ``<script>`` or ``onerror=`` in a document cannot run even if sanitizing ever
missed it.
"""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


# A body up to this size is read to its end when the response did not read it; a larger
# one is cut off (its sender sees the connection reset), so no worker spends long on it.
DRAIN_MAX_BYTES = 64 * 1024 * 1024


class RequestBodyDrainMiddleware:
    """Read what is left of a request's body before the response goes out.

    A response given before the body was read (a 413 for a 20 MB paste, a 403 for a
    missing CSRF token) is otherwise never seen: gunicorn closes the connection with
    the body unread, and the browser shows "connection reset" instead of the message.
    Django's runserver drains the body itself; this does the same under any server.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if 0 < length <= DRAIN_MAX_BYTES:
            try:
                while request.read(256 * 1024):
                    pass
            except OSError:  # the client went away meanwhile: nothing to answer
                pass
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Django's admin (5.x) loads its scripts from files too, so one policy fits every page.
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response


def client_ip(request) -> str:
    """The client's address, trusting X-Forwarded-For only as far as the configured proxies
    (settings.PORTAL_TRUSTED_PROXIES): the entries to the left of those are the client's own
    claims and may be forged. Used by django-axes, which locks username+address together."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PORTAL_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


_API_MESSAGES = {
    400: "The request could not be understood.",
    403: "Forbidden.",
    404: "There is nothing at this address.",
    405: "The API is read-only: use GET.",
    413: "The request is too large.",
    414: "The address is too long.",
    429: "Too many requests; try again later.",
    503: "The portal cannot answer right now; try again in a moment.",
}


# Read-only endpoints whose input is too large for a query string: they take POST too.
_API_POST_READS = frozenset({"/api/citations/"})


class ApiErrorsMiddleware:
    """Under /api/: only GET and HEAD, and every error as JSON ``{"error": ...}``, as the
    README promises, whatever produced it (require_GET, CSRF, Django's own 4xx pages).
    Everywhere: a storage fault (database locked or full, disk full) is a 503, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path.startswith("/api/")
        allowed = ("GET", "HEAD", "POST") if request.path in _API_POST_READS else ("GET", "HEAD")
        if is_api and request.method not in allowed:
            response = self._json(405)
            response["Allow"] = ", ".join(allowed)
            return response
        response = self.get_response(request)
        if is_api and response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            replacement = self._json(response.status_code)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def _json(self, status):
        from django.http import JsonResponse

        return JsonResponse({"error": _API_MESSAGES.get(status, "The request failed.")}, status=status)

    def process_exception(self, request, exception):
        import errno

        from django.db import OperationalError
        from django.http import JsonResponse
        from django.shortcuts import render

        from haystack.exceptions import SearchBackendError

        storage = isinstance(exception, OperationalError) or (
            isinstance(exception, OSError) and exception.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT))
        # A search index that is locked, missing or damaged, wherever a page reads it.
        search = isinstance(exception, SearchBackendError)
        if not storage and not search:
            return None
        message = "The portal cannot read or save right now (its storage is busy or full). Nothing was changed; try again in a moment."
        if search:
            message = "The search index cannot be used right now; nothing was changed. Try again later."
        if request.path.startswith("/api/"):
            response = JsonResponse({"error": message}, status=503)
        else:
            response = render(request, "503.html", {"message": message}, status=503)
        response["Retry-After"] = "30"
        return response
