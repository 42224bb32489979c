"""Development tools, served only when DEBUG (portal/dev_urls.py): the e-mails the portal sent.

Each view also refuses when DEBUG is off, so the pages stay a 404 even if the URLs were routed."""

import segno
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from portal import dev_mailbox, email_previews

# The HTML part of a message is someone else's markup: no script, no form, no request anywhere but
# inline styles and inline images; sandboxed even when opened outside the message page's frame.
EMAIL_HTML_CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "form-action 'none'",
        "frame-ancestors 'self'",
        "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation",
    ]
)


def _require_debug() -> None:
    if not settings.DEBUG:
        raise Http404


def _message_or_404(message_id: str) -> dev_mailbox.MailboxMessage:
    message = dev_mailbox.read_message(message_id)
    if message is None:
        raise Http404
    return message


@require_safe
def email_list(request):
    _require_debug()
    uses_mailbox = settings.EMAIL_BACKEND == "portal.dev_mailbox.DevMailboxBackend"
    return render(
        request,
        "dev/email_list.html",
        {
            "dev_section": "emails",
            "messages_sent": dev_mailbox.list_messages(),
            "uses_mailbox": uses_mailbox,
            "keep": settings.DEV_MAILBOX_KEEP,
            "previews": sorted(email_previews.PREVIEWS),
            "languages": settings.LANGUAGES,
        },
    )


@require_safe
def email_detail(request, message_id: str):
    _require_debug()
    return render(request, "dev/email_detail.html", {"dev_section": "emails", "email": _message_or_404(message_id)})


def _framed_html(html: str) -> HttpResponse:
    # Links open in the whole window (the portal's pages refuse to be framed), on a click only.
    head = html.lower().find("<head>")
    base = '<base target="_top">'
    html = html[: head + 6] + base + html[head + 6 :] if head >= 0 else base + html
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = EMAIL_HTML_CSP
    return response


@require_safe
@xframe_options_sameorigin
def email_html(request, message_id: str):
    _require_debug()
    message = _message_or_404(message_id)
    if message.html is None:
        raise Http404
    return _framed_html(message.html)


def _preview_or_404(language: str, template: str):
    if template not in email_previews.PREVIEWS or language not in dict(settings.LANGUAGES):
        raise Http404
    return email_previews.render_preview(template, language)


@require_safe
def preview_detail(request, language: str, template: str):
    """One e-mail rendered with demo data in ``language``: its text and HTML parts side by side."""
    _require_debug()
    message = _preview_or_404(language, template)
    return render(
        request,
        "dev/email_preview.html",
        {
            "dev_section": "emails",
            "template": template,
            "language": language,
            "languages": settings.LANGUAGES,
            "subject": message.subject,
            "text": message.body,
            "attachments": [attachment[0] for attachment in message.attachments],
        },
    )


@require_safe
@xframe_options_sameorigin
def preview_html(request, language: str, template: str):
    _require_debug()
    [(html, _mimetype)] = _preview_or_404(language, template).alternatives
    # The attached QR code (Content-ID registration-code) shown as the page's own image.
    qr = segno.make(email_previews.DEMO_CODE, error="m").png_data_uri(scale=4)
    return _framed_html(html.replace('src="cid:registration-code"', f'src="{qr}"'))
