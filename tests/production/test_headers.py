"""Security headers on public pages, with the settings production really loads."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from tests.production.test_deployment import TEST_ONLY_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "X_FRAME_OPTIONS",
]
PUBLIC_PAGES = ["/", "/programs/", "/meetings/", "/tips/", "/accounts/login/", "/accounts/signup/"]
# A <script> without src (other than a JSON data block) or a style attribute would need 'unsafe-inline'.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)


@pytest.fixture(scope="module")
def production_security_settings(tmp_path_factory):
    """The security settings portal/settings.py produces with DEBUG off, read in a fresh process."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_VARIABLES}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="testserver",
        SITE_URL="https://testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PRECINCT_VAR_DIR=str(tmp_path),
        TIP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    script = (
        f"import json, portal.settings as s; print(json.dumps({{k: getattr(s, k) for k in {SECURITY_SETTINGS!r}}}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return json.loads(output)


@pytest.fixture
def production_client(client, production_security_settings):
    with override_settings(**production_security_settings):
        yield client


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_carry_every_security_header(production_client, url):
    response = production_client.get(url, secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    # Some pages (the tip line) tighten the policy further, to 'none'.
    assert re.search(r"default-src '(self|none)'", csp)
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp or "default-src 'none'" in csp
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] in {"same-origin", "no-referrer"}  # the tip line sends none at all
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_have_no_inline_script_or_style_that_the_policy_would_block(production_client, url):
    html = production_client.get(url, secure=True).content.decode()
    assert not INLINE_SCRIPT.findall(html)
    assert not INLINE_STYLE.findall(html)


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production_client):
    response = production_client.get("/meetings/")
    assert response.status_code == 301
    assert response.url == "https://testserver/meetings/"


@pytest.mark.django_db
def test_cookies_are_secure_and_http_only(production_client, resident):
    from tests.conftest import PASSWORD

    page = production_client.get("/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    response = production_client.post("/accounts/login/", {"login": resident.email, "password": PASSWORD}, secure=True)
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


@pytest.mark.django_db
def test_only_the_admin_allows_inline_styles(production_client, officer):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(officer, generate_totp_secret())
    production_client.force_login(officer)
    response = production_client.get("/admin/", secure=True)
    assert response.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"]
