# The supervision cycle: late replies recorded, urges (催办) kept as records, the centre's return and close notes;
# a replied order has its reply time and a closed one its closing time.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0008_idempotency_without_account'),
        ('orgs', '0002_boundary_updated_at'),
        ('supervision', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SupervisionUrge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(verbose_name='催办时间')),
                ('note', models.TextField(verbose_name='催办意见')),
                ('level_from', models.CharField(choices=[('yellow', '黄牌督办'), ('red', '红牌督办'), ('overdue', '超期督办')], max_length=8, verbose_name='原级别')),
                ('level_to', models.CharField(choices=[('yellow', '黄牌督办'), ('red', '红牌督办'), ('overdue', '超期督办')], max_length=8, verbose_name='新级别')),
                ('reply_due_from', models.DateTimeField(blank=True, null=True, verbose_name='原回复时限')),
                ('reply_due_to', models.DateTimeField(blank=True, null=True, verbose_name='新回复时限')),
            ],
            options={
                'verbose_name': '催办记录',
                'verbose_name_plural': '催办记录',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='close_note',
            field=models.TextField(blank=True, verbose_name='办结意见'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='last_urged_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='最近催办时间'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='replied_late',
            field=models.BooleanField(default=False, help_text='回复晚于回复时限', verbose_name='逾期回复'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='returned_note',
            field=models.TextField(blank=True, help_text='中心认为回复不满意、退回重新回复时的意见', verbose_name='退回意见'),
        ),
        migrations.AddField(
            model_name='supervisionorder',
            name='urge_count',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='催办次数'),
        ),
        migrations.AddConstraint(
            model_name='supervisionorder',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'replied'), _negated=True), ('replied_at__isnull', False), _connector='OR'), name='supervision_replied_has_time'),
        ),
        migrations.AddConstraint(
            model_name='supervisionorder',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'closed'), _negated=True), ('closed_at__isnull', False), _connector='OR'), name='supervision_closed_has_time'),
        ),
        migrations.AddField(
            model_name='supervisionurge',
            name='by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='催办人'),
        ),
        migrations.AddField(
            model_name='supervisionurge',
            name='order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='urges', to='supervision.supervisionorder', verbose_name='督办单'),
        ),
        migrations.AddIndex(
            model_name='supervisionurge',
            index=models.Index(fields=['order', 'at'], name='supervision_urge_order_idx'),
        ),
    ]
