"""The default 六有 / 4+X checklist for town and community centres (editable afterwards)."""

from django.db import migrations


def seed(apps, schema_editor):
    from shanzhi.cogovern.checklist import seed_checklist

    seed_checklist(apps.get_model("cogovern", "ChecklistItem"))


class Migration(migrations.Migration):
    dependencies = [("cogovern", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
