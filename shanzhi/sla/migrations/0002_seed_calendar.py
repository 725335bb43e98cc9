"""Seed the working calendar from chinesecalendar (every year it knows) and the default working hours."""

import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    from shanzhi.sla.calendar import calendar_seed

    calendar_seed(model=apps.get_model("sla", "WorkingDay"))
    period = apps.get_model("sla", "WorkingPeriod")
    if not period.objects.exists():
        period.objects.bulk_create([
            period(start=dt.time(8, 30), end=dt.time(12, 0)),
            period(start=dt.time(14, 30), end=dt.time(18, 0)),
        ])


def unseed(apps, schema_editor):
    apps.get_model("sla", "WorkingDay").objects.filter(source="seeded").delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
