"""Dates, times and numbers come in one style per language, through the portal's named formats."""

import ast
import importlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import formats, translation
from pypdf import PdfReader

from accounts.selectors import profile_for
from meetings.services import rsvp_create
from newsletters import services as newsletter_services
from newsletters.models import Newsletter
from portal.dates import NAMED_FORMATS, format_moment, format_range
from programs.documents import certificate_pdf
from programs.models import Application, Program
from programs.services import application_submit
from tests.conftest import make_user
from tests.meetings.conftest import local, make_meeting
from tests.programs.conftest import make_program, years_ago

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# Machine-readable: the ISO 8601 value of a <time datetime="…"> attribute.
MACHINE_FORMATS = {"c"}
# Directives whose output depends on the language (names, AM/PM, locale orders): never in a literal.
LANGUAGE_DIRECTIVES = re.compile(r"%[aAbBpcxXZIh]")


def _python_sources():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "node_modules", "var"} or "migrations" in parts:
            continue
        yield path


def test_every_language_defines_every_named_format():
    for code, _name in settings.LANGUAGES:
        module = importlib.import_module(f"portal.formats.{code}.formats")
        missing = [name for name in NAMED_FORMATS if not getattr(module, name, None)]
        assert not missing, f"portal/formats/{code}/formats.py lacks {missing}"


def test_templates_format_dates_only_with_named_formats():
    # |date:"…", |time:"…" and {% now "…" %}
    filter_argument = re.compile(r"(?:\|\s*(?:date|time)\s*:|\{%\s*now)\s*(['\"])(.*?)\1")
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*"):
            if path.suffix not in {".html", ".txt", ".xml", ".ics"}:
                continue
            for match in filter_argument.finditer(path.read_text()):
                if match.group(2) not in NAMED_FORMATS and match.group(2) not in MACHINE_FORMATS:
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not offenders, "dates formatted with a literal pattern:\n" + "\n".join(offenders)


def test_python_formats_dates_only_with_named_formats():
    """``date_format``/``time_format`` take a named format; a literal strftime pattern may only make a
    language-neutral ISO stamp (file names, export columns, keys), never words a person reads."""
    offenders = []
    for path in _python_sources():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                second = node.args[1] if len(node.args) > 1 else None
                literal = second.value if isinstance(second, ast.Constant) and isinstance(second.value, str) else None
                if name in {"date_format", "time_format"} and literal is not None and literal not in NAMED_FORMATS:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}({literal!r})")
                first = node.args[0] if node.args else None
                if name == "strftime" and isinstance(first, ast.Constant) and LANGUAGE_DIRECTIVES.search(first.value):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} strftime({node.args[0].value!r})")
            if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
                spec = "".join(part.value for part in node.format_spec.values if isinstance(part, ast.Constant))
                if LANGUAGE_DIRECTIVES.search(spec):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} f-string {spec!r}")
    assert not offenders, "dates formatted outside the named formats:\n" + "\n".join(offenders)


def test_no_format_ends_a_sentence_twice():
    """ "…until Dec. 7, 2026, 7:49 p.m.." : a date never ends with a full stop of its own."""
    moment = local(2026, 12, 7, 19, 49)
    for code, _name in settings.LANGUAGES:
        for name in NAMED_FORMATS:
            assert not format_moment(moment, name, language=code).endswith("."), (code, name)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Saturday, December 5, 2026, 6:00 PM CST"),
        ("es", "sábado, 5 de diciembre de 2026, 18:00 CST"),
    ],
)
def test_one_long_style_per_language_with_the_zone_named(language, expected):
    assert format_moment(local(2026, 12, 5, 18, 0), "LONG_DATETIME_FORMAT", language=language) == expected


def test_a_range_names_the_zone_once_and_spanish_puts_the_day_first():
    start = local(2026, 12, 5, 18, 0)
    assert format_range(start, start + timedelta(minutes=90), language="en") == (
        "Saturday, December 5, 2026, 6:00 PM – 7:30 PM CST"
    )
    assert format_range(start, start + timedelta(minutes=90), language="es") == (
        "sábado, 5 de diciembre de 2026, 18:00 – 19:30 CST"
    )


def test_numbers_follow_the_language_module():
    with translation.override("es"):
        assert formats.number_format(1234.5, decimal_pos=1, force_grouping=True) == "1,234.5"


@pytest.mark.django_db
def test_meeting_pages_show_each_language_its_own_order(client, neighbourhood):
    meeting = make_meeting(starts_at=local(2026, 12, 5, 18, 0), neighbourhood=neighbourhood)
    english = client.get(meeting.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Saturday, December 5, 2026, 6:00 PM" in english and "8:00 PM CST" in english
    spanish = client.get(meeting.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "sábado, 5 de diciembre de 2026, 18:00" in spanish and "20:00 CST" in spanish
    assert "diciembre 5" not in spanish
    listing = client.get("/meetings/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "sábado, 5 de diciembre de 2026, 18:00 CST" in listing


@pytest.mark.django_db
def test_rsvp_email_in_spanish_has_spanish_order(django_capture_on_commit_callbacks, neighbourhood):
    meeting = make_meeting(starts_at=local(2026, 12, 5, 18, 0), neighbourhood=neighbourhood)
    person = make_user("lucia@example.com")
    profile = profile_for(person)
    profile.preferred_language = "es"
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(meeting=meeting, user=person)
    body = mail.outbox[-1].body
    assert "sábado, 5 de diciembre de 2026" in body and "18:00 – 20:00 CST" in body
    assert "PM" not in body


@pytest.mark.django_db
def test_certificate_date_is_in_the_applicants_language(resident):
    program = make_program()
    application = Application.objects.create(
        program=program, applicant=resident, status=Application.Status.COMPLETED, completed_at=local(2026, 12, 5, 18)
    )
    with translation.override("es"):
        pdf = PdfReader(io.BytesIO(certificate_pdf(application)))
    assert "5 de diciembre de 2026" in pdf.pages[0].extract_text()


@pytest.mark.django_db
def test_the_consent_link_expiry_ends_its_sentence_once(resident, django_capture_on_commit_callbacks):
    """The e-mail that read "This link works until Dec. 7, 2026, 7:49 p.m..": one full stop, the zone named."""
    program = make_program(kind=Program.Kind.YOUTH, title="Police Explorers", slug="explorers", min_age=12, max_age=17)
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(
            program=program,
            applicant=resident,
            date_of_birth=years_ago(14),
            guardian_name="Pat Doe",
            guardian_email="pat.guardian@example.com",
        )
    (to_guardian,) = [message for message in mail.outbox if message.to == ["pat.guardian@example.com"]]
    sentence = re.search(r"This link works until (.+)", to_guardian.body).group(1)
    assert not sentence.endswith(".."), sentence
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M C[SD]T\.", sentence), sentence


ENGLISH_DATE_WORDS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|AM|PM|a\.m\.|p\.m\.)(?![\w.])"
)


@pytest.mark.django_db
def test_spanish_public_pages_carry_no_english_date(client, neighbourhood, officer, django_capture_on_commit_callbacks):
    meeting = make_meeting(starts_at=local(2026, 12, 5, 18, 0), neighbourhood=neighbourhood, title="Reunión vecinal")
    program = make_program(title="Academia ciudadana", summary="Diez tardes.")
    newsletter = Newsletter.objects.create(subject="Noticias", body="Hola.", created_by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_services.newsletter_schedule(newsletter_id=newsletter.pk, send_at=None, actor=officer)
    urls = [
        "/meetings/",
        meeting.get_absolute_url(),
        "/meetings/calendar/2026/12/",
        "/programs/",
        program.get_absolute_url(),
        "/newsletters/archive/",
        newsletter.get_absolute_url(),
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="es">' in html
        found = ENGLISH_DATE_WORDS.search(re.sub(r"<[^>]+>", " ", html))
        assert found is None, f"{url} shows {found.group(0)!r}"
