from django.db import migrations, models


def seal_existing(apps, schema_editor):
    """Seal the context of rows still to be sent; erase it from the rest (their links are spent)."""
    from outbox import sealing

    Email = apps.get_model("outbox", "Email")
    waiting = Email.objects.filter(status__in=["queued", "sending"]).only("pk", "context", "attachments")
    for email in waiting.iterator(chunk_size=500):
        if email.context or email.attachments:
            sealed = sealing.seal({"context": email.context or {}, "attachments": email.attachments or []})
            Email.objects.filter(pk=email.pk).update(sealed=sealed)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0003_email_sending_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="email",
            name="sealed",
            field=models.TextField(blank=True, editable=False, verbose_name="sealed context"),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="email", name="attachments"),
        migrations.RemoveField(model_name="email", name="context"),
    ]
