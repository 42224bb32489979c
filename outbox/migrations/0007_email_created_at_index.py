from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexWithoutLock(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL (a large outbox keeps taking writes meanwhile); a plain
    index on SQLite, the embedded run's database."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("outbox", "0006_email_queue"),
    ]

    operations = [
        AddIndexWithoutLock(
            model_name="email",
            index=models.Index(fields=["created_at"], name="outbox_email_created_at"),
        ),
    ]
