"""How every tipster-facing page is served: no cookie, no referrer, no cache, nothing from elsewhere."""

import functools

from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.views.decorators.csrf import csrf_exempt

from tips.attachments import MAX_REQUEST_BYTES

# No script at all, styles and images from this host only, forms post here only.
TIP_CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class TipUploadHandler(MemoryFileUploadHandler):
    """Keep uploads in memory: Django would write a big one to a temporary file, metadata and all.

    Requests over MAX_REQUEST_BYTES are not read into memory either (their files are dropped);
    the view refuses them with a message.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= MAX_REQUEST_BYTES


def request_too_large(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES
    except ValueError:
        return True


def tip_page(view):
    """Decorate a tipster-facing view.

    The single-use signed form token (tips/tokens.py) protects these forms instead of the CSRF
    cookie, so the view is ``csrf_exempt``; sessions and messages are never touched.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.upload_handlers = [TipUploadHandler(request)]
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["Content-Security-Policy"] = TIP_CSP
        response["X-Robots-Tag"] = "noindex"
        return response

    return csrf_exempt(wrapped)
