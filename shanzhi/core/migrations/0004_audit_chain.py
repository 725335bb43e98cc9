"""The audit chain (ADR 0024): append-only rows chained by a keyed hash; on PostgreSQL a trigger refuses UPDATE and
DELETE of them as well (TRUNCATE, which the test runner's flush and a restore's DROP use, is left to privileges)."""

from django.db import migrations, models

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


def _postgres_only(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_scheduledrun_from_sla"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(unique=True, verbose_name="序号")),
                ("at", models.DateTimeField(db_index=True, verbose_name="时间")),
                ("actor_id", models.BigIntegerField(blank=True, null=True, verbose_name="操作人编号")),
                ("actor", models.CharField(blank=True, max_length=150, verbose_name="操作人")),
                ("action", models.CharField(db_index=True, max_length=60, verbose_name="操作")),
                ("subject_type", models.CharField(blank=True, max_length=60, verbose_name="对象类型")),
                ("subject_id", models.CharField(blank=True, max_length=64, verbose_name="对象编号")),
                ("detail", models.JSONField(blank=True, default=dict, verbose_name="详情")),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="来源地址")),
                ("prev_hash", models.CharField(max_length=64, unique=True)),
                ("hash", models.CharField(max_length=64, unique=True)),
            ],
            options={
                "verbose_name": "审计日志",
                "verbose_name_plural": "审计日志",
                "ordering": ["-seq"],
                "indexes": [models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx")],
            },
        ),
        migrations.RunPython(_postgres_only(APPEND_ONLY), _postgres_only(DROP_APPEND_ONLY), elidable=False),
    ]
