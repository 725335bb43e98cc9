"""The city 12345 exchange (两线联动) and webhooks: orders taken in from the city, and the outbox of what goes out.

Every message that leaves (a status update or the result for the city, an event for a webhook subscriber) is first a
:class:`Delivery` row written in the same transaction as the change it reports (the transactional outbox); a task
sends it after the commit, and a periodic sweep retries with back-off until it is delivered or given up (``dead``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from shanzhi.appeals.models import Appeal, EventKind


class OrderVia(models.TextChoices):
    PUSH = "push", "市平台推送"
    PULL = "pull", "定时拉取"


class CityOrder(models.Model):
    """An order (工单) the city platform transferred to the centre; one appeal per upstream order id."""

    order_id = models.CharField("市平台工单号", max_length=64, unique=True)
    appeal = models.OneToOneField(Appeal, on_delete=models.PROTECT, related_name="city_order", verbose_name="诉求")
    via = models.CharField("来源方式", max_length=4, choices=OrderVia.choices, default=OrderVia.PUSH)
    city_deadline = models.DateTimeField("市平台办理时限", null=True, blank=True)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "市12345工单"
        verbose_name_plural = verbose_name
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.order_id


class WebhookSubscription(models.Model):
    """A subscriber: a URL, the events it wants (empty: all), and the secret its deliveries are signed with."""

    name = models.CharField("名称", max_length=100)
    url = models.URLField("接收地址", max_length=500)
    secret = models.CharField("签名密钥", max_length=128)
    events = models.JSONField("订阅事件", default=list, blank=True, help_text="诉求事件代码列表；留空表示全部")
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "事件订阅"
        verbose_name_plural = verbose_name
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str) -> bool:
        return not self.events or kind in self.events


class Target(models.TextChoices):
    CITY = "city", "市12345平台"
    WEBHOOK = "webhook", "事件订阅"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已送达"
    DEAD = "dead", "发送失败"


DUE_STATES = (DeliveryState.PENDING, DeliveryState.SENDING)


class Delivery(models.Model):
    """One message to one target: its send state, attempts, next attempt and last error (never personal data)."""

    uid = models.UUIDField("消息编号", default=uuid.uuid4, unique=True, editable=False)
    target = models.CharField("发送对象", max_length=8, choices=Target.choices)
    subscription = models.ForeignKey(
        WebhookSubscription, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    order = models.ForeignKey(CityOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+", db_index=False)
    # What it reports, unique per target: the same event is never queued twice for one target.
    source_key = models.CharField(max_length=80)
    event_kind = models.CharField("事件", max_length=20)
    payload = models.JSONField(default=dict)
    state = models.CharField("状态", max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间")
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "subscription", "source_key"], name="delivery_source_unique"),
            models.UniqueConstraint(
                fields=["target", "source_key"],
                condition=Q(subscription__isnull=True),
                name="delivery_source_unique_city",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["appeal", "id"], name="delivery_appeal_idx"),
        ]

    def __str__(self) -> str:
        return str(self.uid)

    @property
    def event_label(self) -> str:
        return str(EventKind(self.event_kind).label) if self.event_kind in EventKind.values else self.event_kind


class PollCursor(models.Model):
    """Where the poller of the city's order list stopped (the city's cursor, opaque to us)."""

    name = models.CharField(max_length=40, primary_key=True)
    cursor = models.CharField(max_length=200, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
