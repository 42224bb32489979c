"""Screenshots of three e-mails for docs/emails.md, in English and Spanish, as a mail client shows them.

Renders each e-mail through the outbox with its preview's demo data (portal/email_previews.py), with
the Spanish catalogue plus the translations still pending a merge, and photographs the HTML part in
Chromium at 600 px (and the RSVP confirmation at 320 px, a phone).

    .venv/bin/python bench/email_screenshots.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
OUTPUT = ROOT / "docs" / "screenshots" / "emails"
CHROMIUM = "/usr/bin/chromium"
EMAILS = {
    "rsvp-confirmed": "meetings/emails/rsvp_confirmed",
    "guardian-consent": "programs/emails/consent_request",
    "safety-alert": "alerts/emails/alert",
}


def spanish_catalogue(directory: Path) -> Path:
    """A locale folder whose Spanish .mo holds django.po and every pending/*.po (pending ones win)."""
    messages = ROOT / "locale" / "es" / "LC_MESSAGES"
    target = directory / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    merged = target / "django.po"
    pending = sorted((messages / "pending").glob("*.po"))
    subprocess.run(["msgcat", "--use-first", "-o", merged, *pending, messages / "django.po"], check=True)
    subprocess.run(["msgfmt", "-o", target / "django.mo", merged], check=True)
    return directory


def main() -> None:
    import django

    django.setup()
    import segno
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from portal.email_previews import DEMO_CODE, render_preview

    settings.LOCALE_PATHS = [spanish_catalogue(Path(tempfile.mkdtemp(prefix="precinct-locale-")))]
    qr = segno.make(DEMO_CODE, error="m").png_data_uri(scale=4)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shots = [(name, language, 600) for name in EMAILS for language in ("en", "es")]
    shots.append(("rsvp-confirmed", "es", 320))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        for name, language, width in shots:
            [(html, _)] = render_preview(EMAILS[name], language).alternatives
            page.set_viewport_size({"width": width, "height": 800})
            page.set_content(html.replace('src="cid:registration-code"', f'src="{qr}"'))
            suffix = "-phone" if width < 600 else ""
            path = OUTPUT / f"{name}-{language}{suffix}.png"
            page.screenshot(path=path, full_page=True)
            print(path.relative_to(ROOT))
        browser.close()


if __name__ == "__main__":
    main()
