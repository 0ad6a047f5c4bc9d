"""The port in the ``Host`` header, checked as ``ALLOWED_HOSTS`` checks the name.

Django matches ``ALLOWED_HOSTS`` against the host name only and keeps the port in
``request.get_host()``, which keys the page cache, the ETags and the absolute links
printed in cached version bodies. So ``Host: portal.example:1``, ``:2``, … each missed
the cache (a 0.01 s page re-rendered in about a second) and filled it with copies. This
middleware refuses a port the site does not serve, so the hosts that key a cache are
the few the operator named.

``PORTAL_ALLOWED_PORTS`` (env ``DJANGO_ALLOWED_PORTS``, comma-separated): the ports a
``Host`` header may name; a header without a port always passes. ``*`` allows any
(development and tests, where servers bind random ports). In production it defaults to
the port of ``PORTAL_BASE_URL`` (its scheme's default when it names none) and 80, 443.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.http.request import split_domain_port


def host_port(request) -> str:
    """The port the ``Host`` header names, or "" (``get_host`` has validated the name)."""
    host = request.META.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None
    host = host or request.META.get("HTTP_HOST", "")
    _, port = split_domain_port(host.lower())
    return port


class HostPortMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = getattr(settings, "PORTAL_ALLOWED_PORTS", ["*"])
        if "*" not in allowed:
            port = host_port(request)
            if port and port not in allowed:
                return HttpResponseBadRequest(
                    f"This site is not served on port {port[:6]}: leave the port out of the address.",
                    content_type="text/plain; charset=utf-8")
        return self.get_response(request)
