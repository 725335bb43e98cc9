"""Supervision orders (督办单): the centre presses a unit about one assignment of an appeal.

Moved from ``sla`` (which keeps only policies, the calendar and deadline arithmetic): supervision belongs to the work
it supervises. The table was ``sla_supervisionorder``; migration ``supervision.0001`` renamed it in place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.orgs.models import Unit


class SupervisionLevel(models.TextChoices):
    YELLOW = "yellow", _("黄牌督办")
    RED = "red", _("红牌督办")
    OVERDUE = "overdue", _("超期督办")


class SupervisionTrigger(models.TextChoices):
    MANUAL = "manual", _("人工督办")
    SIGN_OVERDUE = "sign_overdue", _("超时未签收")
    OVERDUE = "overdue", _("超期未办结")


class SupervisionState(models.TextChoices):
    OPEN = "open", _("待回复")
    REPLIED = "replied", _("已回复")
    CLOSED = "closed", _("已办结")


class SupervisionOrder(models.Model):
    """督办单: the centre presses a unit about one assignment. Automatic ones have no ``issued_by``."""

    assignment = models.ForeignKey(
        "appeals.Assignment", verbose_name=_("派单"), on_delete=models.CASCADE, related_name="supervision_orders"
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="supervision_orders"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("被督办单位"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("督办级别"), max_length=8, choices=SupervisionLevel.choices)
    trigger = models.CharField(
        _("督办原因类型"), max_length=14, choices=SupervisionTrigger.choices, default=SupervisionTrigger.MANUAL
    )
    reason = models.TextField(_("督办事由"))
    issued_at = models.DateTimeField(_("督办时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空表示系统自动督办"),
    )
    reply_due_at = models.DateTimeField(_("回复时限"), null=True, blank=True)
    reply = models.TextField(_("督办回复"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=8, choices=SupervisionState.choices, default=SupervisionState.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_late = models.BooleanField(_("逾期回复"), default=False, help_text=_("回复晚于回复时限"))
    urge_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    last_urged_at = models.DateTimeField(_("最近催办时间"), null=True, blank=True)
    returned_note = models.TextField(_("退回意见"), blank=True, help_text=_("中心认为回复不满意、退回重新回复时的意见"))
    close_note = models.TextField(_("办结意见"), blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = verbose_name
        ordering = ["-issued_at", "-id"]
        constraints = [
            # An automatic order is raised once per assignment and trigger; the sweep relies on it.
            models.UniqueConstraint(
                fields=["assignment", "trigger"], condition=~Q(trigger="manual"), name="supervision_auto_once"
            ),
            models.CheckConstraint(condition=Q(state__in=SupervisionState.values), name="supervision_state_valid"),
            # A replied order has its reply time; a closed one its closing time (the weekly report counts on them).
            models.CheckConstraint(
                condition=~Q(state="replied") | Q(replied_at__isnull=False), name="supervision_replied_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False), name="supervision_closed_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state", "issued_at"], name="supervision_unit_idx"),
            models.Index(fields=["state", "issued_at"], name="supervision_state_idx"),
        ]

    def __str__(self) -> str:
        return f"督办单 {self.pk} · {self.get_level_display()}"

    @property
    def is_open(self) -> bool:
        return self.state == SupervisionState.OPEN


class SupervisionUrge(models.Model):
    """催办: one press of the centre on an open order, with what it changed (level, reply deadline)."""

    order = models.ForeignKey(
        SupervisionOrder, verbose_name=_("督办单"), on_delete=models.CASCADE, related_name="urges"
    )
    at = models.DateTimeField(_("催办时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("催办人"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("催办意见"))
    level_from = models.CharField(_("原级别"), max_length=8, choices=SupervisionLevel.choices)
    level_to = models.CharField(_("新级别"), max_length=8, choices=SupervisionLevel.choices)
    reply_due_from = models.DateTimeField(_("原回复时限"), null=True, blank=True)
    reply_due_to = models.DateTimeField(_("新回复时限"), null=True, blank=True)

    class Meta:
        verbose_name = _("催办记录")
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="supervision_urge_order_idx")]

    def __str__(self) -> str:
        return f"催办 {self.order_id} · {self.at:%Y-%m-%d %H:%M}"
