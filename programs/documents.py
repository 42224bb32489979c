"""Files the programs app hands out: a program's calendar and a certificate of completion."""

from io import BytesIO
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import display_name_for
from portal.dates import format_moment
from portal.translated import translated
from programs.models import Application, Program


def program_calendar(program: Program, *, include_online_links: bool = False) -> bytes:
    """An iCalendar file with one event per session (UTC times, so any calendar shows them right).

    Sessions' online links go in only with ``include_online_links``: for a seated applicant.
    """
    # Imported here: icalendar costs every process that loads this module ~9 MB (a fan-out never needs it).
    from icalendar import Calendar, Event

    host = urlsplit(settings.SITE_URL).hostname or "precinct"
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Programs//EN")
    calendar.add("version", "2.0")
    # Officer-written text in the active language (the reader's), or the source text.
    calendar.add("x-wr-calname", str(translated(program, "title")))
    for session in program.sessions.all():
        event = Event()
        event.add("uid", f"program-session-{session.pk}@{host}")
        event.add("summary", str(translated(session, "title") or translated(program, "title")))
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("dtstamp", timezone.now())
        if session.location:
            event.add("location", str(translated(session, "location")))
        online_url = session.online_url if include_online_links else ""
        event.add("url", online_url or settings.SITE_URL + program.get_absolute_url())
        event.add("description", str(translated(program, "summary")))
        calendar.add_component(event)
    return calendar.to_ical()


def certificate_pdf(application: Application) -> bytes:
    """A one-page landscape certificate naming the graduate, the program and the day they completed it."""
    # Imported here: reportlab costs every process that loads this module ~15 MB (the worker never draws a PDF).
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    width, height = landscape(letter)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Certificate of completion"))
    pdf.setAuthor(settings.SITE_NAME)
    pdf.setLineWidth(4)
    pdf.rect(36, 36, width - 72, height - 72)
    pdf.setFont("Helvetica-Bold", 34)
    pdf.drawCentredString(width / 2, height - 140, _("Certificate of completion"))
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 200, _("This certifies that"))
    pdf.setFont("Helvetica-Bold", 28)
    pdf.drawCentredString(width / 2, height - 250, display_name_for(application.applicant))
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 300, _("has completed"))
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawCentredString(width / 2, height - 340, str(translated(application.program, "title")))
    pdf.setFont("Helvetica", 14)
    completed = format_moment(application.completed_at, "DATE_FORMAT")
    pdf.drawCentredString(
        width / 2,
        height - 390,
        _("%(city)s Police Department · %(date)s") % {"city": settings.CITY_NAME, "date": completed},
    )
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(width / 2, 56, _("Certificate no. %(code)s") % {"code": application.code})
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
