# ScheduledRun went to ``core`` and SupervisionOrder to ``supervision``; their tables were taken over and renamed
# there. Here only the state forgets them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_scheduledrun_from_sla"),
        ("sla", "0002_seed_calendar"),
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ScheduledRun"),
                migrations.DeleteModel(name="SupervisionOrder"),
            ],
            database_operations=[],
        ),
    ]
