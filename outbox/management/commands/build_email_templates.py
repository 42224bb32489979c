from django.core.management.base import BaseCommand

from outbox.email_build import build


class Command(BaseCommand):
    help = "Inline email.css into the HTML e-mail templates (templates/emails/source/ → templates/)."

    def handle(self, *args, **options):
        for path, content in build().items():
            if not path.exists() or path.read_text() != content:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content)
                self.stdout.write(f"built {path}")
