# The supervision order moves from ``sla`` (policies, calendar, arithmetic only) to the app of the work it supervises.
# State first takes over the existing table, then renames it: no row is copied, none lost. Content types and the
# permissions that hang on them follow, and queued sweep tasks are pointed at the task's new module.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TASK = "shanzhi.sla.tasks.sweep_deadlines"
NEW_TASK = "shanzhi.supervision.tasks.sweep_deadlines"


def content_type_follow(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="supervisionorder").exists():
        ContentType.objects.filter(app_label=old, model="supervisionorder").update(app_label=new)


def forwards(apps, schema_editor):
    content_type_follow(apps, schema_editor, old="sla", new="supervision")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=OLD_TASK, status="READY").update(task_path=NEW_TASK)


def backwards(apps, schema_editor):
    content_type_follow(apps, schema_editor, old="supervision", new="sla")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=NEW_TASK, status="READY").update(task_path=OLD_TASK)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("appeals", "0008_idempotency_without_account"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("orgs", "0002_boundary_updated_at"),
        ("sla", "0002_seed_calendar"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SupervisionOrder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('level', models.CharField(choices=[('yellow', '黄牌督办'), ('red', '红牌督办'), ('overdue', '超期督办')], max_length=8, verbose_name='督办级别')),
                        ('trigger', models.CharField(choices=[('manual', '人工督办'), ('sign_overdue', '超时未签收'), ('overdue', '超期未办结')], default='manual', max_length=14, verbose_name='督办原因类型')),
                        ('reason', models.TextField(verbose_name='督办事由')),
                        ('issued_at', models.DateTimeField(verbose_name='督办时间')),
                        ('reply_due_at', models.DateTimeField(blank=True, null=True, verbose_name='回复时限')),
                        ('reply', models.TextField(blank=True, verbose_name='督办回复')),
                        ('replied_at', models.DateTimeField(blank=True, null=True, verbose_name='回复时间')),
                        ('state', models.CharField(choices=[('open', '待回复'), ('replied', '已回复'), ('closed', '已办结')], default='open', max_length=8, verbose_name='状态')),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('appeal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supervision_orders', to='appeals.appeal', verbose_name='诉求')),
                        ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supervision_orders', to='appeals.assignment', verbose_name='派单')),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('issued_by', models.ForeignKey(blank=True, help_text='空表示系统自动督办', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='督办人')),
                        ('replied_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.unit', verbose_name='被督办单位')),
                    ],
                    options={
                        'db_table': 'sla_supervisionorder',
                        'verbose_name': '督办单',
                        'verbose_name_plural': '督办单',
                        'ordering': ['-issued_at', '-id'],
                        'indexes': [models.Index(fields=['unit', 'state', 'issued_at'], name='supervision_unit_idx'), models.Index(fields=['state', 'issued_at'], name='supervision_state_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('trigger', 'manual'), _negated=True), fields=('assignment', 'trigger'), name='supervision_auto_once'), models.CheckConstraint(condition=models.Q(('state__in', ['open', 'replied', 'closed'])), name='supervision_state_valid')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="supervisionorder", table=None),
        migrations.RunPython(forwards, backwards),
    ]
