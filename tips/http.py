"""How every tipster-facing page is served: no cookie, no referrer, no cache, nothing from elsewhere."""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest
from django.shortcuts import render
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


def sent_from_another_site(request: HttpRequest) -> bool:
    """True for a form another site made the browser send (what a CSRF cookie would catch elsewhere).

    Browsers say where a POST comes from: ``Sec-Fetch-Site`` (all current ones) and ``Origin``. Only
    a post from this site itself is accepted; ``same-site`` (a sibling host) and ``Origin: null``
    (a sandboxed frame, a data: page) are refused too. A client that sends neither header is no
    browser that another site could steer, and the single-use form token still applies to it.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    own = f"{request.scheme}://{request.get_host()}"
    trusted = {own, *(_origin_of(url) for url in settings.CSRF_TRUSTED_ORIGINS)}
    return origin not in trusted


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def tip_page(view):
    """Decorate a tipster-facing view.

    The single-use signed form token (tips/tokens.py) and the refusal of posts sent from other
    sites protect these forms instead of the CSRF cookie, so the view is ``csrf_exempt``; sessions
    and messages are never touched.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.upload_handlers = [TipUploadHandler(request)]
        if request.method == "POST" and sent_from_another_site(request):
            # Nothing of the post is read or kept: the person is asked to use the form here.
            response = render(request, "tips/cross_site.html", {"messages": ()}, status=403)
        else:
            response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["Content-Security-Policy"] = TIP_CSP
        response["X-Robots-Tag"] = "noindex"
        return response

    return csrf_exempt(wrapped)
