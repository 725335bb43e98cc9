"""Shared kernel models: the personal-data access log, the audit chain (:mod:`shanzhi.core.audit`) and the claimed
slots of periodic jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.core.audit import AuditEntry, Record, audit_record_many

__all__ = ["AuditEntry", "PersonalDataAccess", "ScheduledRun"]


class PersonalDataAccessManager(models.Manager["PersonalDataAccess"]):
    def bulk_create(self, objs, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        """Rows written in bulk (the API's full views) are chained too."""
        created = super().bulk_create(objs, *args, **kwargs)
        audit_record_many(row.audit_record() for row in created)
        return created


class PersonalDataAccess(models.Model):
    """One full view or export of personal data: who, what, why, when. Append-only."""

    class Action(models.TextChoices):
        VIEW = "view", "查看"
        EXPORT = "export", "导出"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEW)
    subject_type = models.CharField("对象类型", max_length=40)
    subject_id = models.CharField("对象编号", max_length=64)
    fields = models.CharField("字段", max_length=200)
    reason = models.CharField("事由", max_length=200)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = PersonalDataAccessManager()

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk:
            raise ValueError("personal-data access records are append-only")
        with transaction.atomic():
            super().save(*args, **kwargs)
            audit_record_many([self.audit_record()])

    def audit_record(self) -> Record:
        """This view or export as an entry of the audit chain (ids, field names and the reason; no values)."""
        return Record(
            action=f"personal_data.{self.action}",
            actor=self.user,
            subject_type=self.subject_type,
            subject_id=self.subject_id,
            detail={"fields": self.fields, "reason": self.reason, "access_id": self.pk},
            ip_address=self.ip_address,
        )


class ScheduledRun(models.Model):
    """One enqueued slot of a periodic job. The unique (job, run_at) makes two schedulers enqueue a slot once."""

    job = models.CharField(max_length=80)
    run_at = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["job", "run_at"], name="scheduled_run_slot_unique")]
        indexes = [models.Index(fields=["run_at"], name="scheduled_run_at_idx")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.run_at:%Y-%m-%d %H:%M}"
