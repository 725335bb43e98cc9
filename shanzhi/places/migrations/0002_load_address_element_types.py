"""Load the GA/T 2000.32 address element types (shanzhi/places/data/ga_t_2000_32.csv)."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "ga_t_2000_32.csv"


def load(apps, schema_editor):
    ElementType = apps.get_model("places", "AddressElementType")
    with CSV_PATH.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            ElementType.objects.update_or_create(
                code=row["code"].strip(),
                defaults={
                    "name": row["name"].strip(),
                    "parent_id": (row.get("parent_code") or "").strip() or None,
                    "note": (row.get("note") or "").strip(),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
