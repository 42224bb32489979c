"""Every URL that carries a secret (a token, a key) is written in logs without it."""

import logging
import sys

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.secret_paths import MASK, MaskSecretPaths, mask_secret_paths

# Names a URL pattern gives to a part that grants access to whoever holds the link.
SECRET_PARAMETERS = {"token", "key", "uidb36", "signature", "secret"}
SAMPLE = "s3cr3tPartQ7"


def patterns_with_secrets(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns_with_secrets(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            parameters = set(entry.pattern.regex.groupindex)
            if parameters & SECRET_PARAMETERS:
                yield f"{namespace}{entry.name}", parameters


def test_every_url_with_a_secret_part_is_masked():
    found = dict(patterns_with_secrets())
    # The project's own and allauth's: if one of these disappears, the walk above is broken.
    assert {
        "programs:consent",
        "newsletters:confirm",
        "newsletters:preferences-token",
        "newsletters:unsubscribe",
        "account_confirm_email",
        "account_reset_password_from_key",
    } <= set(found)
    for name, parameters in found.items():
        path = reverse(name, kwargs=dict.fromkeys(parameters, SAMPLE))
        masked = mask_secret_paths(f'"GET {path} HTTP/1.1" 200 "https://safety.example{path}"')
        assert SAMPLE not in masked, f"{name} ({path}) is logged with its secret"
        assert MASK in masked


def test_pages_without_a_secret_are_logged_as_they_are():
    for path in ("/accounts/password/reset/key/done/", "/newsletters/preferences/", "/programs/mine/", "/tips/"):
        assert mask_secret_paths(f"GET {path} HTTP/1.1") == f"GET {path} HTTP/1.1"


def test_djangos_own_warnings_name_the_page_not_the_token():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/programs/consent/abc:def:ghi/",), None
    )
    assert MaskSecretPaths().filter(record)
    assert record.getMessage() == "Not Found: /programs/consent/[secret]/"


def test_an_error_report_from_a_page_with_a_token_names_the_page_not_the_token(rf, settings):
    from django.core import mail
    from django.utils.log import AdminEmailHandler

    settings.ADMINS = [("Administrators", "admins@precinct.example")]
    request = rf.get("/programs/consent/Z3VhcmRpYW4:1tXyZ:tokenpart/", {"next": "/newsletters/unsubscribe/c2Vj/"})
    try:
        raise RuntimeError("consent broke")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (request.path,), sys.exc_info()
        )
    record.request = request
    assert MaskSecretPaths().filter(record)
    AdminEmailHandler().emit(record)
    [report] = mail.outbox
    text = "\n".join([report.message().as_string()] + [str(part[0]) for part in report.alternatives])
    assert "consent broke" in text and "/programs/consent/[secret]/" in text
    for secret in ("Z3VhcmRpYW4", "tokenpart", "c2Vj"):
        assert secret not in text
    assert request.path == "/programs/consent/Z3VhcmRpYW4:1tXyZ:tokenpart/"  # the view's own request is untouched
