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
