"""Content-Security-Policy header.

The portal's pages use no inline script or style, so the policy can forbid them: an
injected ``<script>`` or ``onerror=`` in a document cannot run even if sanitizing ever
missed it.
"""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


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
