from django.db import migrations


def seal_stored_secrets(apps, schema_editor):
    """Seal the TOTP keys and recovery seeds allauth stored in the clear (accounts/mfa_secrets.py)."""
    from accounts.mfa_secrets import mfa_secret_is_sealed, mfa_secret_seal

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]).iterator():
        data = dict(authenticator.data)
        for field in ("secret", "seed"):
            if isinstance(data.get(field), str) and not mfa_secret_is_sealed(data[field]):
                data[field] = mfa_secret_seal(data[field])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [
                code if mfa_secret_is_sealed(code) else mfa_secret_seal(code) for code in data["migrated_codes"]
            ]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_enrolment"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_stored_secrets, migrations.RunPython.noop)]
