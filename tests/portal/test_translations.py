"""Residents who choose Spanish get the site and their e-mails in Spanish, and every string is translated."""

import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from accounts.selectors import language_for, profile_for
from outbox.services import email_queue
from tests.conftest import PASSWORD

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
SPANISH_PO = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
# Everything makemessages must not scan: virtualenv, build output, benchmarks, the tests themselves.
SOURCE_DIRS_IGNORED = {".venv", "staticfiles", "var", "bench", "tests", "locale", ".git", "node_modules"}

ENTRY = re.compile(
    r"(?P<comments>(?:^#(?!~).*\n)*)"
    r"(?:^msgctxt (?P<context>(?:\".*\"\n)+))?"
    r"^msgid (?P<msgid>(?:\".*\"\n)+)"
    r"(?:^msgid_plural (?P<plural>(?:\".*\"\n)+))?"
    r"(?P<msgstrs>(?:^msgstr(?:\[\d\])? (?:\".*\"\n)+)+)",
    re.MULTILINE,
)
FUZZY = re.compile(r"^#,.*\bfuzzy\b", re.MULTILINE)
MSGSTR = re.compile(r"^msgstr(?:\[(?P<index>\d)\])? (?P<text>(?:\".*\"\n)+)", re.MULTILINE)


ESCAPE = re.compile(r"\\(.)")
ESCAPED = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(lines: str) -> str:
    return "".join(ESCAPE.sub(lambda m: ESCAPED[m[1]], line[1:-1]) for line in lines.splitlines())


def catalogue_entries(path: Path) -> list[dict]:
    """The entries of a .po file (header and obsolete ones left out), each with its flags and msgstrs."""
    text = path.read_text(encoding="utf-8") + "\n"
    entries = []
    for match in ENTRY.finditer(text):
        msgid = _unquote(match["msgid"])
        if not msgid:
            continue  # the header
        entries.append(
            {
                "context": _unquote(match["context"]) if match["context"] else None,
                "msgid": msgid,
                "plural": _unquote(match["plural"]) if match["plural"] else None,
                "fuzzy": bool(FUZZY.search(match["comments"])),
                "msgstrs": [_unquote(m["text"]) for m in MSGSTR.finditer(match["msgstrs"])],
            }
        )
    return entries


def untranslated(entries: list[dict]) -> list[str]:
    return [entry["msgid"] for entry in entries if entry["fuzzy"] or not all(entry["msgstrs"])]


@pytest.mark.django_db
def test_the_home_page_is_in_spanish_for_a_visitor_who_asks_for_it(client):
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '<html lang="es">' in content
    assert f"Juntos por la seguridad de {settings.CITY_NAME}" in content
    for spanish in ["Programas", "Reuniones", "Enviar una denuncia", "Iniciar sesión", "Registrarse"]:
        assert f">{spanish}</" in content
    assert "Enviar una denuncia anónima" in content
    assert "Keeping" not in content
    assert "Log in" not in content


@pytest.mark.django_db
def test_the_home_page_stays_in_english_by_default(client):
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="en">' in content
    assert f"Keeping {settings.CITY_NAME} safe, together" in content
    assert ">Log in</" in content
    assert "Iniciar sesión" not in content


@pytest.mark.django_db
def test_a_resident_who_reads_spanish_gets_the_outbox_email_in_spanish(resident, django_capture_on_commit_callbacks):
    profile = profile_for(resident)
    profile.preferred_language = "es"
    profile.save()

    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to=resident.email,
            template="account/email/email_confirmation_signup",
            context={"activate_url": "https://example.org/accounts/confirm-email/abc/"},
            language=language_for(resident),
            idempotency_key=f"test:translations:{resident.pk}",
        )

    [message] = mail.outbox
    assert "Confirme su dirección de correo electrónico para" in message.subject
    assert f"¡Le damos la bienvenida a {settings.SITE_NAME}!" in message.body
    assert "https://example.org/accounts/confirm-email/abc/" in message.body
    assert "Hasta que lo haga, no podrá iniciar sesión." in message.body
    # The shared footer is translated too.
    assert "Administre sus preferencias de correo electrónico:" in message.body
    assert "Welcome" not in message.body
    assert "Manage your e-mail preferences" not in message.body


@pytest.mark.django_db
def test_signing_up_in_spanish_sends_the_confirmation_in_spanish(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"email": "lucia@example.org", "password1": PASSWORD, "password2": PASSWORD},
            HTTP_ACCEPT_LANGUAGE="es",
        )

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["lucia@example.org"]
    assert "Confirme su dirección de correo electrónico" in message.subject
    assert "¡Le damos la bienvenida a" in message.body


def test_every_entry_in_the_spanish_catalogue_is_translated():
    entries = catalogue_entries(SPANISH_PO)

    assert len(entries) > 1000
    assert untranslated(entries) == []
    for entry in entries:
        expected = 2 if entry["plural"] else 1
        assert len(entry["msgstrs"]) == expected, entry["msgid"]


def test_the_committed_mo_file_matches_the_po_file():
    # CI does not compile messages: the .mo in git is what the site serves, so it must be current.
    with (SPANISH_PO.with_suffix(".mo")).open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    for entry in catalogue_entries(SPANISH_PO):
        context, msgid, plural = entry["context"], entry["msgid"], entry["plural"]
        if plural and context is not None:
            got = [catalogue.npgettext(context, msgid, plural, n) for n in (1, 2)]
        elif plural:
            got = [catalogue.ngettext(msgid, plural, n) for n in (1, 2)]
        elif context is not None:
            got = [catalogue.pgettext(context, msgid)]
        else:
            got = [catalogue.gettext(msgid)]
        assert got == entry["msgstrs"], msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext) to extract the strings")
def test_every_translatable_string_in_the_code_is_in_the_spanish_catalogue(tmp_path, monkeypatch, settings):
    # Extract from a copy of the sources so the committed catalogue is left untouched.
    root = Path(settings.BASE_DIR)
    for path in root.iterdir():
        if path.name in SOURCE_DIRS_IGNORED or path.name.startswith("."):
            continue
        if path.is_dir():
            shutil.copytree(path, tmp_path / path.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.suffix in {".py", ".html", ".txt"}:
            shutil.copy2(path, tmp_path / path.name)
    copied_po = tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"
    copied_po.parent.mkdir(parents=True)
    shutil.copy2(SPANISH_PO, copied_po)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", locale=["es"], verbosity=0)

    missing = untranslated(catalogue_entries(copied_po))
    assert missing == [], "Translate these strings in locale/es/LC_MESSAGES/django.po, then compilemessages"
