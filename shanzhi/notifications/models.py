"""The notification outbox (发件箱) and the editable message templates.

A citizen notification is written as an :class:`OutboxMessage` in the same transaction as the change it announces
(the transactional-outbox pattern), then delivered after commit by a task; a periodic sweep picks up whatever is
due (retries, messages whose delivery task was lost, workers that died mid-send). Nothing is deleted: a message
ends ``sent`` or ``dead`` (given up after the retries, or refused by the gateway) and stays visible in the admin.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from shanzhi.core import pii
from shanzhi.notifications.kinds import NotificationChannel, NotificationEvent, subject_event_choices
from shanzhi.notifications.templates_text import template_problems

# The outbox also carries the portal's one-time sign-in codes, which have no template (the text holds the code).
OTP_EVENT = "otp"
OUTBOX_EVENTS = [*NotificationEvent.choices, (OTP_EVENT, "登录验证码")]


def outbox_event_choices() -> list[tuple[str, str]]:
    """The appeal events, the sign-in code, and the notices other apps registered (a callable: no migration when
    an app registers one)."""
    return [*OUTBOX_EVENTS, *subject_event_choices()]


def template_event_choices() -> list[tuple[str, str]]:
    return [*NotificationEvent.choices, *subject_event_choices()]


class OutboxState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败(待重试)"
    DEAD = "dead", "已放弃"


# States a sweep may pick up when ``next_attempt_at`` has come (``sending`` only once its lease has run out).
DUE_STATES = (OutboxState.PENDING, OutboxState.FAILED, OutboxState.SENDING)


class OutboxMessage(models.Model):
    """One message to one citizen. ``recipient`` is personal data: show it only through :attr:`recipient_masked`."""

    channel = models.CharField(
        "渠道", max_length=8, choices=NotificationChannel.choices, default=NotificationChannel.SMS
    )
    recipient = models.CharField("接收号码", max_length=20)
    event = models.CharField("事件", max_length=16, choices=outbox_event_choices)
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name="诉求",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    # What a notice not about an appeal is about (``mediation.appointment`` and its id); empty for appeals.
    subject_type = models.CharField("通知对象类型", max_length=40, blank=True, default="")
    subject_id = models.CharField("通知对象编号", max_length=40, blank=True, default="")
    body = models.TextField("内容")
    state = models.CharField("状态", max_length=8, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    # When the next attempt is due; while ``sending`` it is the end of the sender's lease.
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    # The task worker that marked it ``sending`` (empty when a web process did): when that worker is found dead its
    # lease ends at once (shanzhi.core.task_recovery) instead of running its course.
    claimed_by = models.CharField("发送进程", max_length=64, blank=True, default="")
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    provider_message_id = models.CharField("网关消息编号", max_length=100, blank=True)
    dedupe_key = models.CharField("去重键", max_length=160, null=True, blank=True)
    created_at = models.DateTimeField("创建时间", db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知发件箱"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            # A constraint rather than ``unique=True``: exact lookups only, no second ``LIKE`` index.
            models.UniqueConstraint(fields=["dedupe_key"], name="outbox_dedupe_key_unique"),
            models.CheckConstraint(condition=Q(state__in=OutboxState.values), name="outbox_state_valid"),
            models.CheckConstraint(condition=Q(channel__in=NotificationChannel.values), name="outbox_channel_valid"),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_sent_at"
            ),
        ]
        indexes = [
            # The sweep: due messages, oldest first.
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            # The citizen's portal inbox.
            models.Index(fields=["recipient", "channel", "created_at"], name="outbox_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient_masked}"

    @property
    def recipient_masked(self) -> str:
        return pii.mask_phone(self.recipient)


class NotificationTemplate(models.Model):
    """An override of the built-in text for one event on one channel (see :mod:`.templates_text`)."""

    event = models.CharField("事件", max_length=16, choices=template_event_choices)
    channel = models.CharField(
        "渠道", max_length=8, choices=NotificationChannel.choices, default=NotificationChannel.SMS
    )
    body = models.TextField(
        "模板内容",
        help_text="可用占位符：{tracking_no} {title} {due_date} {reply} {unit} {request} {reason} {centre} "
        "{portal_url}",
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "通知模板"
        verbose_name_plural = verbose_name
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="notification_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} / {self.get_channel_display()}"

    def clean(self) -> None:
        problems = template_problems(self.body, event=self.event)
        if problems:
            raise ValidationError({"body": problems})
