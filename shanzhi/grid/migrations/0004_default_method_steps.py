from django.db import migrations

DEFAULT = [
    (1, "巡查走访", "patrol"),
    (2, "信息采集", "collect"),
    (3, "问题上报", "report"),
    (4, "协调处置", "handle"),
    (5, "跟踪反馈", "feedback"),
]


def seed(apps, schema_editor):
    MethodStep = apps.get_model("grid", "MethodStep")
    if not MethodStep.objects.exists():
        MethodStep.objects.bulk_create(
            [MethodStep(order=order, label=label, tracks=tracks) for order, label, tracks in DEFAULT]
        )


class Migration(migrations.Migration):
    dependencies = [("grid", "0003_method_steps")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
