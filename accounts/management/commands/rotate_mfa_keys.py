from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.mfa_secrets import mfa_secrets_reseal


class Command(BaseCommand):
    help = (
        "Seal every authenticator app's key and recovery-code seed again under the newest of MFA_KEYS "
        "(or SECRET_KEY). Rotate: put the new key first, keep the old one second, run this, then drop the old one."
    )

    def handle(self, *args, **options):
        rows = Authenticator.objects.filter(
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        ).select_for_update()
        try:
            with transaction.atomic():
                changed = mfa_secrets_reseal(rows.iterator())
        except ValueError as error:
            raise CommandError(f"{error} Put the key it was sealed with back in MFA_KEYS and run this again.") from None
        self.stdout.write(f"{changed} second factors sealed under the newest key.")
