# The claimed slots of periodic jobs move from ``sla`` to the kernel, whose scheduler (core.periodic) claims them.
# State takes over the existing table, then the table is renamed: no row is copied, none lost.

from django.db import migrations, models


def content_type_follow(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="scheduledrun").exists():
        ContentType.objects.filter(app_label=old, model="scheduledrun").update(app_label=new)


def forwards(apps, schema_editor):
    content_type_follow(apps, schema_editor, old="sla", new="core")


def backwards(apps, schema_editor):
    content_type_follow(apps, schema_editor, old="core", new="sla")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_initial"),
        ("sla", "0002_seed_calendar"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScheduledRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('job', models.CharField(max_length=80)),
                        ('run_at', models.DateTimeField()),
                        ('enqueued_at', models.DateTimeField()),
                        ('task_result_id', models.CharField(blank=True, max_length=64)),
                    ],
                    options={
                        'db_table': 'sla_scheduledrun',
                        'verbose_name': '定时任务记录',
                        'verbose_name_plural': '定时任务记录',
                        'indexes': [models.Index(fields=['run_at'], name='scheduled_run_at_idx')],
                        'constraints': [models.UniqueConstraint(fields=('job', 'run_at'), name='scheduled_run_slot_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="scheduledrun", table=None),
        migrations.RunPython(forwards, backwards),
    ]
