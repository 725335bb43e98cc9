"""What the centre tells citizens, and by which channel: the codes callers, templates and the outbox share."""

from __future__ import annotations

from django.db import models


class NotificationChannel(models.TextChoices):
    SMS = "sms", "短信"
    PORTAL = "portal", "门户站内信"


class NotificationEvent(models.TextChoices):
    """What the centre tells the citizen. Codes are stable: callers and templates use them."""

    RECEIVED = "received", "已收到"
    ACCEPTED = "accepted", "已受理"
    DISPATCHED = "dispatched", "已派遣"
    NEEDS_INFO = "needs_info", "待补充"
    REPLIED = "replied", "已答复"
    FOLLOW_UP = "follow_up", "回访"
    CLOSED = "closed", "已办结"
    REJECTED = "rejected", "不予受理"
    ANSWERED = "answered", "直接答复"
    MERGED = "merged", "已合并"
