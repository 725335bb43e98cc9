"""值班表: a mediator's schedule, one entry per day that differs from what their kind says (a rotating mediator on an
extra day, a resident on leave, an on-call mediator called in). The rule that reads it:
:func:`shanzhi.mediation.rules.mediator_on_duty`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DutyStatus(models.TextChoices):
    DUTY = "duty", _("在岗")
    LEAVE = "leave", _("休假")
    ON_CALL = "on_call", _("待命")


class DutyEntry(models.Model):
    mediator = models.ForeignKey("mediation.Mediator", verbose_name=_("调解员"), on_delete=models.CASCADE,
                                 related_name="duty_entries")  # fmt: skip
    day = models.DateField(_("日期"))
    status = models.CharField(_("值班状态"), max_length=8, choices=DutyStatus.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编排人"), on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    updated_at = models.DateTimeField(_("编排时间"))

    class Meta:
        verbose_name = _("调解员值班")
        verbose_name_plural = verbose_name
        ordering = ["day", "mediator_id"]
        constraints = [
            models.UniqueConstraint(fields=["mediator", "day"], name="mediation_duty_once_a_day"),
            models.CheckConstraint(condition=models.Q(status__in=DutyStatus.values), name="mediation_duty_status"),
        ]
