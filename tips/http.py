"""How every tipster-facing page is served: no cookie, no referrer, no cache, nothing from elsewhere."""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from tips.attachments import MAX_ATTACHMENTS, MAX_REQUEST_BYTES

# What Django raises while reading a body it will not take: more than DATA_UPLOAD_MAX_MEMORY_SIZE
# of text, too many fields or files, a broken multipart body, a client that stopped sending.
_UNREADABLE_BODY = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError, UnreadablePostError)

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


def _body_unreadable(request: HttpRequest) -> bool:
    """Read the post's fields and files now; True if Django refuses the body.

    Left to the view, the refusal would escape it: Django's bare English "Bad Request" page,
    without this page's headers (no-store, no referrer, CSP) or a word on what to do.
    """
    try:
        request.POST  # noqa: B018 (reading it parses the body, files included)
        request.FILES  # noqa: B018
    except _UNREADABLE_BODY:
        return True
    return False


def tip_page(view):
    """Decorate a tipster-facing view.

    The single-use signed form token (tips/tokens.py) and the refusal of posts sent from other
    sites protect these forms instead of the CSRF cookie, so the view is ``csrf_exempt``; sessions
    and messages are never touched. A body Django will not read gets a page that says why.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.upload_handlers = [TipUploadHandler(request)]
        if request.method == "POST" and sent_from_another_site(request):
            # Nothing of the post is read or kept: the person is asked to use the form here.
            response = render(request, "tips/cross_site.html", {"messages": ()}, status=403)
        elif request.method == "POST" and _body_unreadable(request):
            context = {"messages": (), "max_files": MAX_ATTACHMENTS}
            response = render(request, "tips/unreadable.html", context, status=400)
        else:
            response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["Content-Security-Policy"] = TIP_CSP
        response["X-Robots-Tag"] = "noindex"
        return response

    # Middleware that would read the session (portal.middleware.StaffAccountMiddleware) leaves it alone.
    wrapped.reads_no_session = True
    return csrf_exempt(wrapped)
