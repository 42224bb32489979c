from django.db import migrations


def create(apps, schema_editor):
    from audits.checklists import create_default_template

    create_default_template(apps.get_model("audits", "ChecklistTemplate"), apps.get_model("audits", "ChecklistItem"))


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
