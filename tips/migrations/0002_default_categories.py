from django.db import migrations

# The categories the tip line starts with; tip reviewers edit them in the admin afterwards.
CATEGORIES = [
    ("drugs", "Drugs"),
    ("theft", "Theft"),
    ("vandalism", "Vandalism"),
    ("violence", "Violence"),
    ("traffic", "Traffic"),
    ("fraud", "Fraud"),
    ("other", "Other"),
]


def create_categories(apps, schema_editor):
    TipCategory = apps.get_model("tips", "TipCategory")
    for position, (slug, name) in enumerate(CATEGORIES):
        TipCategory.objects.get_or_create(slug=slug, defaults={"name": name, "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("tips", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
