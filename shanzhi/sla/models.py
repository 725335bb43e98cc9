"""Time limits: the working calendar, working hours and SLA policies (no appeal: DESIGN §5 keeps ``sla`` pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.routing.models import Category, Urgency
from shanzhi.sla.rules import Limit, PolicyLimits, TimeUnit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class CalendarSource(models.TextChoices):
    SEEDED = "seeded", _("自动导入")
    EDITED = "edited", _("人工调整")


class WorkingDay(models.Model):
    """A date that differs from, or names, the weekday rule: a holiday, an adjusted working day (调休), a closure.

    Dates without a row follow the weekday rule (Monday-Friday work). Rows ``seeded`` from the ``chinesecalendar``
    package are refreshed by ``shanzhi seed_calendar``; rows the centre ``edited`` are never overwritten by it.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明/节假日名称"), max_length=60, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=CalendarSource.choices, default=CalendarSource.EDITED)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = verbose_name
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "工作日" if self.is_workday else "休息日"
        return f"{self.date} {kind} {self.note}".strip()


class WorkingPeriod(models.Model):
    """One working period of a working day (作息时段). Default 08:30-12:00 and 14:30-18:00.

    When the table is empty the built-in default periods apply (``shanzhi.sla.rules.DEFAULT_PERIODS``).
    """

    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("作息时间")
        verbose_name_plural = verbose_name
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="working_period_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


TIME_UNIT_CHOICES = [
    (TimeUnit.NATURAL_HOURS.value, _("自然小时")),
    (TimeUnit.WORKING_HOURS.value, _("工作小时")),
    (TimeUnit.WORKING_DAYS.value, _("工作日")),
]


def _amount(verbose: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=6, decimal_places=2)


def _unit(verbose: StrOrPromise) -> models.CharField:
    return models.CharField(verbose, max_length=14, choices=TIME_UNIT_CHOICES)


class SlaPolicy(models.Model):
    """Time limits for a category (and its sub-categories without their own policy) and an urgency.

    ``category`` empty: the centre-wide policy for that urgency. The most specific policy wins: the category's own,
    then its nearest ancestor's, then the centre-wide one, then the built-in defaults.
    """

    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text=_("留空表示全区通用"),
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    sign_amount = _amount(_("签收时限"))
    sign_unit = _unit(_("签收时限单位"))
    contact_amount = _amount(_("联系时限"))
    contact_unit = _unit(_("联系时限单位"))
    handle_amount = _amount(_("办结时限"))
    handle_unit = _unit(_("办结时限单位"))
    reply_amount = _amount(_("答复时限"))
    reply_unit = _unit(_("答复时限单位"))
    follow_up_amount = _amount(_("回访时限"))
    follow_up_unit = _unit(_("回访时限单位"))
    note = models.CharField(_("依据/说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("时限标准")
        verbose_name_plural = verbose_name
        ordering = ["category_id", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "urgency"],
                condition=Q(category__isnull=False),
                name="sla_policy_category_urgency_unique",
            ),
            models.UniqueConstraint(
                fields=["urgency"], condition=Q(category__isnull=True), name="sla_policy_default_urgency_unique"
            ),
            models.CheckConstraint(
                condition=Q(
                    sign_amount__gt=0,
                    contact_amount__gt=0,
                    handle_amount__gt=0,
                    reply_amount__gt=0,
                    follow_up_amount__gt=0,
                ),
                name="sla_policy_amounts_positive",
            ),
        ]

    def __str__(self) -> str:
        scope = str(self.category) if self.category_id else "全区通用"
        return f"{scope} · {self.get_urgency_display()}"

    def limits(self) -> PolicyLimits:
        def limit(name: str) -> Limit:
            return Limit(getattr(self, f"{name}_amount"), TimeUnit(getattr(self, f"{name}_unit")))

        return PolicyLimits(limit("sign"), limit("contact"), limit("handle"), limit("reply"), limit("follow_up"))

    def set_limits(self, limits: PolicyLimits) -> None:
        for name in ("sign", "contact", "handle", "reply", "follow_up"):
            value: Limit = getattr(limits, name)
            setattr(self, f"{name}_amount", value.amount)
            setattr(self, f"{name}_unit", value.unit.value)
