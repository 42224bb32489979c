"""/dev/emails/ previews every e-mail the portal can send, in each language, with DEBUG only."""

import pytest
from django.urls import reverse

from portal.email_previews import PREVIEWS
from tests.portal.test_dev_mailbox import debug_urls, mailbox  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_list_offers_every_email_in_english_and_spanish(client, mailbox):  # noqa: F811
    page = client.get(reverse("dev:email-list")).content.decode()

    for template in PREVIEWS:
        for language in ("en", "es"):
            assert reverse("dev:preview-detail", args=[language, template]) in page


def test_a_preview_shows_the_text_and_frames_the_html(client, mailbox):  # noqa: F811
    response = client.get(reverse("dev:preview-detail", args=["es", "meetings/emails/rsvp_confirmed"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "K7P2QX" in page  # the demo registration code, in the text part
    assert reverse("dev:preview-html", args=["es", "meetings/emails/rsvp_confirmed"]) in page

    html = client.get(reverse("dev:preview-html", args=["es", "meetings/emails/rsvp_confirmed"]))
    assert html.status_code == 200
    assert html["Content-Security-Policy"].startswith("default-src 'none'")
    assert '<html lang="es"' in html.content.decode()
    assert 'src="data:image/png;base64,' in html.content.decode()  # the attached QR code, shown inline


@pytest.mark.parametrize(
    "args", [["en", "meetings/emails/nothing"], ["xx", "meetings/emails/rsvp_confirmed"], ["en", "../settings"]]
)
def test_an_unknown_template_or_language_is_a_404(client, mailbox, args):  # noqa: F811
    assert client.get(reverse("dev:preview-detail", args=args)).status_code == 404
    assert client.get(reverse("dev:preview-html", args=args)).status_code == 404


def test_the_previews_are_a_404_when_debug_is_off(client, mailbox, settings):  # noqa: F811
    settings.DEBUG = False
    for name in ("dev:preview-detail", "dev:preview-html"):
        assert client.get(reverse(name, args=["en", "meetings/emails/rsvp_confirmed"])).status_code == 404
