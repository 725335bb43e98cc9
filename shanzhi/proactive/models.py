"""Proactive governance (主动治理): merge proposals for near-duplicate appeals, and hotspots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shanzhi.appeals.models import Appeal
from shanzhi.orgs.models import Unit
from shanzhi.routing.models import Category


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    ACCEPTED = "accepted", "已合并"
    DISMISSED = "dismissed", "已忽略"


class DuplicateProposal(models.Model):
    """The machine's suggestion that ``appeal`` repeats the earlier ``master``; a dispatcher accepts or dismisses."""

    appeal = models.ForeignKey(
        Appeal, verbose_name="疑似重复件", on_delete=models.CASCADE, related_name="duplicate_proposals"
    )
    master = models.ForeignKey(Appeal, verbose_name="主诉求", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField("相似度评分")
    reasons = models.CharField("依据", max_length=300)
    state = models.CharField("状态", max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    created_at = models.DateTimeField("提出时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "重复件建议"
        verbose_name_plural = verbose_name
        ordering = ["-score", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "master"], name="duplicate_proposal_pair_unique"),
            models.CheckConstraint(condition=~Q(appeal=models.F("master")), name="duplicate_proposal_not_self"),
        ]
        indexes = [models.Index(fields=["state", "-created_at"], name="duplicate_proposal_queue_idx")]

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.master_id} ({self.score:.2f})"


class HotspotState(models.TextChoices):
    OPEN = "open", "待处置"
    ACKNOWLEDGED = "acknowledged", "已关注"
    CLOSED = "closed", "已关闭"


class HotspotWindow(models.TextChoices):
    DAY = "24h", "24小时"
    WEEK = "7d", "7天"


LIVE_HOTSPOT_STATES = (HotspotState.OPEN, HotspotState.ACKNOWLEDGED)


class Hotspot(models.Model):
    """Many similar appeals in one community or grid within a window: an alert to the territorial unit."""

    community = models.ForeignKey(Unit, verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        Unit, verbose_name="区域", on_delete=models.PROTECT, related_name="hotspots", help_text="社区或网格"
    )
    alert_unit = models.ForeignKey(
        Unit,
        verbose_name="属地预警单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotspot_alerts",
    )
    category = models.ForeignKey(
        Category, verbose_name="二级分类", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField("聚类依据", max_length=40, help_text="cat:<二级分类> 或 text(文本相似)")
    window = models.CharField("时间窗", max_length=4, choices=HotspotWindow.choices)
    summary = models.CharField("摘要", max_length=200, blank=True)
    appeal_count = models.PositiveIntegerField("诉求数", default=0)
    caller_count = models.PositiveIntegerField("来电人数", default=0)
    first_at = models.DateTimeField("首件时间")
    last_at = models.DateTimeField("末件时间")
    appeals = models.ManyToManyField(Appeal, verbose_name="诉求", related_name="hotspots")
    state = models.CharField("状态", max_length=12, choices=HotspotState.choices, default=HotspotState.OPEN)
    alert_sent = models.BooleanField("已预警", default=False)
    alerted_at = models.DateTimeField("预警时间", null=True, blank=True)
    created_at = models.DateTimeField("发现时间")
    updated_at = models.DateTimeField("更新时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("处理说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "热点"
        verbose_name_plural = verbose_name
        ordering = ["-last_at"]
        constraints = [
            # Idempotency: one live hotspot per community, window and category (text clusters match by members).
            models.UniqueConstraint(
                fields=["community", "window", "key"],
                condition=Q(state__in=["open", "acknowledged"]) & ~Q(key="text"),
                name="hotspot_one_live_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-last_at"], name="hotspot_board_idx"),
            models.Index(fields=["community", "window", "key", "state"], name="hotspot_match_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.summary} ({self.appeal_count})"


class HotspotEventKind(models.TextChoices):
    RAISED = "raised", "发现热点"
    EXTENDED = "extended", "新增诉求"
    ALERTED = "alerted", "预警属地"
    ACKNOWLEDGED = "acknowledged", "已关注"
    CLOSED = "closed", "已关闭"


class HotspotEvent(models.Model):
    """An immutable line of a hotspot's history: every change of its state or members, who made it, when."""

    hotspot = models.ForeignKey(Hotspot, verbose_name="热点", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=14, choices=HotspotEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by = models.CharField("系统主体", max_length=40, blank=True, help_text="无操作人时：system:proactive 等")
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "热点事件"
        verbose_name_plural = verbose_name
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["hotspot", "created_at"], name="hotspot_event_idx")]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk:
            raise ValueError("hotspot events are immutable")
        super().save(*args, **kwargs)
