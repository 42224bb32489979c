from django.conf import settings

# Everything the portal serves comes from its own host; nothing is inlined.
PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's admin still sets a few inline styles; its scripts are all files.
ADMIN_CSP = PUBLIC_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy, which Django 5.2 does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            is_admin = request.path.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = ADMIN_CSP if is_admin else PUBLIC_CSP
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if settings.DEBUG is False:
            response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
