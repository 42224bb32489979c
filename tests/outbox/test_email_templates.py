"""Issue 15's acceptance: every e-mail template, in English and Spanish, renders a sound HTML part.

The list of templates comes from the template folders (tests/newsletters/test_every_email.py), so a
new e-mail cannot be missed; each is rendered through the outbox with its preview's demo data.
"""

import re
from html.parser import HTMLParser

import html5lib
import pytest
from django.conf import settings
from django.utils.html import escape

from portal.calendar_links import GOOGLE, OUTLOOK
from portal.email_previews import PREVIEWS, render_preview
from tests.newsletters.test_every_email import project_email_templates

pytestmark = pytest.mark.django_db

TEMPLATES = project_email_templates()
# Links that leave the portal on purpose: web calendars, and the map of a meeting's address.
OUTSIDE = (GOOGLE, OUTLOOK, "https://www.openstreetmap.org/search?")
# A URL in the text part; it ends before whitespace or the ">" of "<address>", not on trailing punctuation.
TEXT_URL = re.compile(r"https?://[^\s<>]+")


class _Links(HTMLParser):
    """The hrefs of the HTML part and its visible text (outside <head>, <style> and the hidden preheader)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes.get("href") or "")
        if tag in ("head", "style") or "preheader" in (attributes.get("class") or ""):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("head", "style") or (tag == "div" and self._hidden):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _text_links(text: str) -> set[str]:
    return {url.rstrip(".,;:!?)»”’\"'") for url in TEXT_URL.findall(text)}


def test_every_template_has_a_preview_and_a_designed_html_part():
    assert set(TEMPLATES) == set(PREVIEWS), "add the missing e-mails to portal/email_previews.py"
    from django.template.loader import get_template

    for template in TEMPLATES:
        get_template(f"{template}.html")  # raises TemplateDoesNotExist: write one with the components


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_the_html_part_is_sound(template, language):
    message = render_preview(template, language)
    [(html, _)] = message.alternatives

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    parser.parse(html)  # strict: the first parse error raises

    for part in (message.subject, message.body, html):
        for syntax in ("{{", "}}", "{%", "%}", "{#", "#}"):
            assert syntax not in part, f"{template} ({language}): template syntax {syntax!r} leaked"

    links = _Links()
    links.feed(html)
    for href in links.links:
        assert href.startswith((settings.SITE_URL + "/", *OUTSIDE)), f"{template}: {href!r} is not the site's"
    assert set(links.links) == _text_links(message.body), f"{template} ({language}): text and HTML links differ"

    visible = "".join(links.text)
    long_runs = re.findall(r"[^\s\u200b]{61,}", visible)
    assert not long_runs, f"{template} ({language}): unbreakable text in the HTML part: {long_runs}"
    assert f'<html lang="{language}" dir="ltr"' in html
    assert f"<title>{escape(message.subject)}</title>" in html


def test_the_registration_emails_show_the_attached_qr_code_when_there_is_one():
    message = render_preview("meetings/emails/rsvp_confirmed", "en")
    [(html, _)] = message.alternatives
    assert 'src="cid:registration-code"' in html
    assert 'alt="QR code for your registration code K7P2QX"' in html
    assert "QR code" in message.body  # the text part says it is attached


def test_the_registration_emails_have_no_qr_image_without_the_attachment():
    PREVIEWS_WITHOUT_QR = {**PREVIEWS["meetings/emails/rsvp_confirmed"](), "check_in_qr": False}
    from outbox.models import Email
    from outbox.services import email_render

    email = Email(to="a@example.com", template="meetings/emails/rsvp_confirmed", context=PREVIEWS_WITHOUT_QR)
    [(html, _)] = email_render(email).alternatives
    assert "cid:registration-code" not in html
    assert "QR code" not in email_render(email).body


def test_long_links_are_buttons_not_text():
    message = render_preview("programs/emails/consent_request", "en")
    [(html, _)] = message.alternatives
    consent_url = PREVIEWS["programs/emails/consent_request"]()["consent_url"]
    assert consent_url in message.body  # the text part keeps the full link
    assert f'href="{consent_url}"' in html and f">{consent_url}<" not in html
    assert html.count('class="button"') == 1  # one primary action


def test_what_someone_wrote_as_a_subject_is_not_replaced_by_the_e_mail_s_subject():
    """The outbox gives the HTML part the e-mail's subject (its <title>) under its own name."""
    message = render_preview("watch/emails/concern_reply", "en")
    html = message.alternatives[0][0]
    assert message.subject == "Reply to your concern: Street light out on Maple Avenue"
    assert f"<title>{message.subject}</title>" in html
    assert ">Street light out on Maple Avenue</td>" in html
