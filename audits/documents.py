"""The audit report as a PDF, to hand out at the council meeting (the same content as the public page)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _

from audits.models import Rating
from audits.selectors import COUNT_THRESHOLD
from portal.dates import format_moment
from portal.translated import translated


def _change(change: str) -> str:
    return {"better": _("better"), "same": _("same"), "worse": _("worse")}[change]


def _count(value) -> str:
    return str(value) if value is not None else _("fewer than %(count)s") % {"count": COUNT_THRESHOLD}


def walk_report_pdf(report: dict) -> bytes:
    """A letter-size PDF of ``report`` (``selectors.walk_report``): counts, findings by theme, actions."""
    # Imported here: reportlab costs every process that loads this module ~15 MB (the worker never draws a PDF).
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    walk = report["walk"]
    meeting = walk.meeting
    styles = getSampleStyleSheet()
    title = _("Safety audit report: %(area)s") % {"area": walk.area}
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=letter, title=title, author=settings.SITE_NAME, leftMargin=inch, rightMargin=inch
    )

    def paragraph(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), styles[style])

    story = [
        paragraph(title, "Title"),
        paragraph(
            _("%(meeting)s · %(date)s · %(neighbourhood)s")
            % {
                "meeting": translated(meeting, "title"),
                "date": format_moment(meeting.starts_at, "LONG_DATE_FORMAT"),
                "neighbourhood": meeting.neighbourhood.name if meeting.neighbourhood else _("City-wide"),
            }
        ),
        paragraph(
            _("Participants: %(participants)s · Findings: %(findings)s")
            % {"participants": _count(report["participants"]), "findings": _count(report["findings_count"])}
        ),
        Spacer(1, 12),
    ]
    for theme_item, results in report["themes"]:
        story.append(paragraph(translated(theme_item, "theme"), "Heading2"))
        rows = []
        for result in results:
            line = str(translated(result.item, "text"))
            if result.verdict:
                line += f" — {Rating(result.verdict).label}"
            else:
                line += f" — {_('not rated')}"
            if result.change:
                line += f" ({_('since the last walk:')} {_change(result.change)})"
            rows.append(ListItem(paragraph(line)))
            rows.extend(ListItem(paragraph(f"“{note}”"), leftIndent=24) for note in result.notes)
        story.append(ListFlowable(rows, bulletType="bullet"))
    if report["general_notes"]:
        story.append(paragraph(_("Other notes"), "Heading2"))
        story.append(
            ListFlowable(
                [ListItem(paragraph(finding.notes)) for finding in report["general_notes"]], bulletType="bullet"
            )
        )
    story.append(paragraph(_("What we will do"), "Heading2"))
    if report["actions"]:
        story.append(
            ListFlowable(
                [
                    ListItem(paragraph(f"{action.title} — {action.get_status_display()}"))
                    for action in report["actions"]
                ],
                bulletType="bullet",
            )
        )
    else:
        story.append(paragraph(_("No actions have been decided yet.")))
    document.build(story)
    return buffer.getvalue()
