"""The one base URL of absolute links (e-mails, feeds, PDFs, the API, citations).

Where there is a request, its own address (scheme, host and port as the reader reached
the portal, which Django has checked against ALLOWED_HOSTS); where there is none (alert
e-mails, background jobs), ``PORTAL_BASE_URL``, which ``make run`` sets from ``PORT``
and a system check verifies at start-up.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


def base_url(request=None) -> str:
    """``https://host[:port]`` without a trailing slash."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.PORTAL_BASE_URL.rstrip("/")


def absolute(path: str, request=None) -> str:
    return f"{base_url(request)}{path}"


def base_url_problems(value: str, *, production: bool) -> list[str]:
    """What is wrong with ``value`` as PORTAL_BASE_URL (pure: the check and its tests)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"PORTAL_BASE_URL={value!r} is not an http(s) address such as https://policies.example.com."]
    problems = []
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        problems.append(f"PORTAL_BASE_URL={value!r} has a path, query or fragment; links add their own paths.")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        problems.append(f"PORTAL_BASE_URL={value!r} has a port that is not a number.")
    if production and (parts.scheme != "https" or parts.hostname in ("127.0.0.1", "localhost")):
        problems.append(f"PORTAL_BASE_URL={value!r} is not a public https address: e-mailed links would not reach readers.")
    return problems


@checks.register(checks.Tags.urls)
def check_base_url(app_configs=None, **kwargs):
    """Run at start-up (runserver, migrate, gunicorn's check): the address e-mails link to."""
    return [checks.Error(problem, hint="Set PORTAL_BASE_URL to the address readers reach the portal at "
                                       "(make run sets it from PORT).", id="portal.E001")
            for problem in base_url_problems(settings.PORTAL_BASE_URL, production=settings.PRODUCTION)]
