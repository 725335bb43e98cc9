"""Assignments that end with their round (``ended``), feedback photos tied to an assignment, and the shares left
hanging before this: an assisting unit's assignment still open after its lead fed back, or in a round that a newer
one replaced, ends now with an ``assignment_ended`` event (issue 22, item 2)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


OPEN = ("pending", "signed", "shelved")


def end_hanging_assignments(apps, schema_editor):
    from django.db.models import Exists, F, OuterRef
    from django.utils import timezone

    Assignment = apps.get_model("appeals", "Assignment")
    AppealEvent = apps.get_model("appeals", "AppealEvent")
    lead_done = Assignment.objects.filter(appeal=OuterRef("appeal"), round=OuterRef("round"), role="lead", state="done")
    hanging = (
        Assignment.objects.filter(state__in=OPEN)
        .annotate(lead_done=Exists(lead_done))
        .filter(models.Q(round__lt=F("appeal__round")) | models.Q(lead_done=True, role="assisting"))
        .select_related("unit", "appeal")
    )
    now = timezone.now()
    batch = []
    for assignment in hanging.iterator(chunk_size=2000):
        why = "new_round" if assignment.round < assignment.appeal.round else "lead_fed_back"
        batch.append(
            AppealEvent(
                appeal_id=assignment.appeal_id,
                assignment_id=assignment.pk,
                kind="assignment_ended",
                reason="派单随轮次结束（数据整理）",
                payload={
                    "why": why,
                    "from": assignment.state,
                    "unit": assignment.unit.name,
                    "role": assignment.role,
                    "round": assignment.round,
                },
                is_public=False,
                created_at=now,
            )
        )
        if len(batch) >= 2000:
            AppealEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AppealEvent.objects.bulk_create(batch)
    ended_ids = AppealEvent.objects.filter(kind="assignment_ended", created_at=now).values("assignment_id")
    Assignment.objects.filter(pk__in=ended_ids, state__in=OPEN).update(
        state="ended", done_at=now, paused_at=None, warning="none"
    )
    AssignmentRequest = apps.get_model("appeals", "AssignmentRequest")
    AssignmentRequest.objects.filter(assignment_id__in=ended_ids, state="pending").update(
        state="refused", decided_at=now, decision_note="派单已随轮次结束"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0008_idempotency_without_account"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="assignment",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="appeals.assignment",
                verbose_name="派单",
            ),
        ),
        migrations.AlterField(
            model_name="appealevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "登记"),
                    ("accepted", "受理"),
                    ("structured", "补录"),
                    ("rejected", "不予受理"),
                    ("answered", "直接答复"),
                    ("info_requested", "要求补充"),
                    ("info_supplied", "补充材料"),
                    ("dispatched", "派遣"),
                    ("signed", "签收"),
                    ("contacted", "联系诉求人"),
                    ("feedback", "处置反馈"),
                    ("requested", "提出申请"),
                    ("request_approved", "申请通过"),
                    ("request_refused", "申请驳回"),
                    ("returned", "退回"),
                    ("extended", "延期"),
                    ("shelved", "挂账"),
                    ("unshelved", "解除挂账"),
                    ("review_passed", "审核通过"),
                    ("redo", "重办"),
                    ("replied", "统一答复"),
                    ("followed_up", "回访"),
                    ("closed", "办结"),
                    ("merged", "合并"),
                    ("warned", "预警"),
                    ("supervised", "督办"),
                    ("note", "备注"),
                    ("attached", "上传附件"),
                    ("assignment_ended", "派单随轮次结束"),
                ],
                max_length=18,
                verbose_name="事件",
            ),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "待签收"),
                    ("signed", "已签收"),
                    ("shelved", "已挂账"),
                    ("done", "已办结"),
                    ("returned", "已退回"),
                    ("cancelled", "已撤回"),
                    ("ended", "随轮次结束"),
                ],
                default="pending",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AddIndex(
            model_name="attachment",
            index=models.Index(
                condition=models.Q(("assignment__isnull", False)),
                fields=["assignment"],
                name="attachment_assignment_idx",
            ),
        ),
        migrations.RunPython(end_hanging_assignments, migrations.RunPython.noop, elidable=True),
    ]
