from django.core.management.base import BaseCommand

from portal.link_urls_source import LINK_URLS_PATH, link_urls_text


class Command(BaseCommand):
    help = "Write portal/link_urls.py: the site's named URLs without their views, for the worker's reverse()."

    def handle(self, *args, **options):
        text = link_urls_text()
        if not LINK_URLS_PATH.exists() or LINK_URLS_PATH.read_text() != text:
            LINK_URLS_PATH.write_text(text)
            self.stdout.write(f"built {LINK_URLS_PATH}")
