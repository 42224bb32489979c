"""Check-in at the door: a registration's code as a QR code in its e-mail, and the door list on paper."""

import base64
import io
from collections.abc import Callable

import segno
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import resident_label

# The e-mail's HTML shows the image as <img src="cid:registration-code"> (templates owned by e-mail layout).
QR_CONTENT_ID = "registration-code"


def qr_png(code: str) -> bytes:
    """``code`` as a QR code PNG, big enough for a phone's or a USB scanner's camera from a screen."""
    buffer = io.BytesIO()
    # Medium error correction survives a cracked phone screen; the quiet zone is the standard four modules.
    segno.make_qr(code, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def qr_attachment(code: str) -> dict:
    """The outbox attachment (inline, Content-ID ``registration-code``) carrying ``code`` as a QR code.

    The code is a secret: the outbox keeps attachments sealed and erases them once sent."""
    return {
        "filename": f"{QR_CONTENT_ID}.png",
        "content": base64.b64encode(qr_png(code)).decode(),
        "encoding": "base64",
        "mimetype": "image/png",
        "content_id": QR_CONTENT_ID,
    }


def door_list_pdf(*, title: str, when: str, rows: list[tuple[str, str]]) -> bytes:
    """A printable list of everyone expected at the door, for when the network is down: a tick box,
    the person's name and their code, in name order, as many letter pages as it takes."""
    # Imported here: reportlab costs every process that loads this module ~15 MB (the worker never draws a PDF).
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    width, height = letter
    pdf = canvas.Canvas(buffer, pagesize=letter)
    pdf.setTitle(_("Door list: %(title)s") % {"title": title})
    pdf.setAuthor(settings.SITE_NAME)
    margin, line, box = 54, 22, 11
    rows = sorted(rows, key=lambda row: row[0].casefold())

    def page_header(page: int) -> float:
        pdf.setFont("Helvetica-Bold", 15)
        pdf.drawString(margin, height - margin, (_("Door list: %(title)s") % {"title": title})[:90])
        pdf.setFont("Helvetica", 10)
        pdf.drawString(
            margin,
            height - margin - 16,
            _("%(when)s · %(count)d expected · page %(page)d") % {"when": when, "count": len(rows), "page": page},
        )
        pdf.setFont("Helvetica-Bold", 10)
        top = height - margin - 44
        pdf.drawString(margin, top, _("Here"))
        pdf.drawString(margin + 40, top, _("Name"))
        pdf.drawString(width - margin - 110, top, _("Code"))
        pdf.line(margin, top - 6, width - margin, top - 6)
        return top - line

    page = 1
    y = page_header(page)
    if not rows:
        pdf.setFont("Helvetica", 11)
        pdf.drawString(margin, y, _("Nobody is expected yet."))
    for name, code in rows:
        if y < margin:
            pdf.showPage()
            page += 1
            y = page_header(page)
        pdf.rect(margin + 4, y - 2, box, box)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(margin + 40, y, name[:70])
        pdf.setFont("Courier-Bold", 12)
        pdf.drawString(width - margin - 110, y, code)
        y -= line
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class CheckInForm(forms.Form):
    """The door's one box: typed, or filled by a USB or phone scanner that types the code and Enter.
    It has the focus when the page opens and is empty again after each person."""

    code = forms.CharField(
        label=gettext_lazy("Registration code"),
        max_length=40,  # A program's full code (a UUID) when scanned; meetings' codes are 8 characters.
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "class": "check-in-code",
            }
        ),
    )


class CheckInRefused(Exception):
    """A code that checks nobody in. ``outcome`` says why, for the door's screen; ``registration`` is
    the RSVP or application the code belongs to, when it is someone's. Each app's refusal derives
    from this and from the app's own error."""

    def __init__(self, message: str, *, outcome: str, registration=None):
        super().__init__(message)
        self.outcome = outcome
        self.registration = registration


def check_in_result(check_in: Callable[[], object], *, person_of: Callable[[object], object]) -> dict:
    """Run ``check_in`` (the app's check-in service, given one code) and say what the door's screen
    (admin/includes/check_in.html) shows: who, when the code is someone's, and what happened.
    ``person_of`` gives a registration's user."""
    try:
        registration = check_in()
    except CheckInRefused as refused:
        registration, outcome, message = refused.registration, refused.outcome, str(refused)
    else:
        outcome, message = "checked_in", _("Checked in now.")
    return {
        "outcome": outcome,
        "ok": outcome == "checked_in",
        "person": resident_label(person_of(registration)) if registration else "",
        "status": registration.get_status_display() if registration else "",
        "message": message,
    }
