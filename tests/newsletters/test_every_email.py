"""Every e-mail template in the project, rendered through the outbox, meets the portal's rules.

Plain text and HTML parts, the recipient's language, a working preferences link, and a sentence
saying why it was sent. New templates in any app are picked up automatically.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from outbox.models import Email
from outbox.services import email_render

pytestmark = pytest.mark.django_db


def project_email_templates() -> list[str]:
    roots = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    roots += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR) and ".venv" not in Path(config.path).parts
    ]
    names = set()
    for root in roots:
        for subject in root.glob("**/*_subject.txt"):
            if "email" in subject.parent.name:
                names.add(str(subject.relative_to(root))[: -len("_subject.txt")])
    return sorted(names)


TEMPLATES = project_email_templates()


def test_the_templates_are_found():
    assert "newsletters/emails/newsletter" in TEMPLATES
    assert "account/email/password_reset_key" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("kind", [Email.Kind.TRANSACTIONAL, Email.Kind.BULK])
def test_every_email_has_both_parts_the_language_a_preferences_link_and_a_reason(client, template, kind):
    email = Email(to="Resident@Example.com", template=template, context={}, language="es", kind=kind)

    message = email_render(email)

    assert message.subject.strip(), f"{template}: empty subject"
    assert "\n" not in message.subject
    assert message.body.strip(), f"{template}: empty text part"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="es"' in html, f"{template}: HTML part not marked with the recipient's language"

    for part in (message.body, html):
        match = re.search(r"https?://[^/\s]+(/newsletters/preferences/[^\s\"<>]+)", part)
        assert match, f"{template}: no preferences link"
    assert client.get(match.group(1)).status_code == 200, f"{template}: the preferences link does not work"

    footer = message.body.split("\n-- \n", 1)
    assert len(footer) == 2, f"{template}: the text part does not extend emails/base.txt"
    reason = footer[1].split("Manage your e-mail preferences", 1)[0].strip()
    assert reason, f"{template}: the text part does not say why it was sent (the reason block)"

    if kind == Email.Kind.BULK:
        assert "/newsletters/unsubscribe/" in message.body
        assert "/newsletters/unsubscribe/" in html
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
