from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tips import services


class Command(BaseCommand):
    help = (
        "Re-encrypt every tip, message, note and file under the first key of TIP_ENCRYPTION_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then remove the old keys."
    )

    def handle(self, *args, **options):
        try:
            counts = services.tips_reencrypt()
        except InvalidToken:
            raise CommandError(
                "A tip could not be decrypted with any key in TIP_ENCRYPTION_KEYS: keep the old keys listed "
                "(after the new one) until this command has finished."
            ) from None
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count} re-encrypted")
        self.stdout.write(
            self.style.SUCCESS(
                f"Everything is encrypted with the newest key. {len(settings.TIP_ENCRYPTION_KEYS) - 1} older "
                "key(s) can now be removed from TIP_ENCRYPTION_KEYS."
            )
        )
