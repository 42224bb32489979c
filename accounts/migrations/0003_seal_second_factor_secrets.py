from django.db import migrations


def seal_stored_secrets(apps, schema_editor):
    """Seal the TOTP keys and recovery seeds allauth stored in the clear (accounts/mfa_secrets.py)."""
    from accounts.mfa_secrets import mfa_secrets_reseal

    Authenticator = apps.get_model("mfa", "Authenticator")
    mfa_secrets_reseal(Authenticator.objects.filter(type__in=["totp", "recovery_codes"]).iterator())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_enrolment"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_stored_secrets, migrations.RunPython.noop)]
