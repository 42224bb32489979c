"""Every URL that carries a secret (a token, a key) is written in logs without it."""

import logging

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
