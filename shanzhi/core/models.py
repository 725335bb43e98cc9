"""Shared kernel models: the personal-data access log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk:
            raise ValueError("personal-data access records are append-only")
        super().save(*args, **kwargs)
