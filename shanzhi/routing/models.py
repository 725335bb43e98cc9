"""The category tree and the dispatch catalogue (派单目录)."""

from __future__ import annotations

from django.db import models

from shanzhi.orgs.models import Unit


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "紧急"
    URGENT = "urgent", "加急"
    ORDINARY = "ordinary", "一般"
    COMPLEX = "complex", "疑难复杂"


class Category(models.Model):
    """One node of the three-level category tree. ``path`` is the names joined by '/', for display and import."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    name_en = models.CharField("英文名称", max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(default=1, editable=False)
    path = models.CharField("完整路径", max_length=200, editable=False, db_index=True)
    default_urgency = models.CharField("默认紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.ORDINARY)
    keywords = models.CharField("关键词", max_length=300, blank=True, help_text="以空格或逗号分隔")
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = verbose_name
        ordering = ["sort", "code"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique_in_parent")]

    def __str__(self) -> str:
        return self.path or self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.parent_id and self.parent:
            self.level = self.parent.level + 1
            self.path = f"{self.parent.path}/{self.name}"
        else:
            self.level = 1
            self.path = self.name
        super().save(*args, **kwargs)


class TerritorialLevel(models.TextChoices):
    COMMUNITY = "community", "村(社区)"
    TOWN = "town", "镇(街道)"


class DispatchRule(models.Model):
    """A catalogue line: category (and optionally an area) → the lead unit and assisting units.

    A rule applies when all its conditions hold (area contains the place; a keyword occurs in the text; the channel
    is listed; the time falls in the weekdays and time window, in the centre's time zone). Among applicable rules:
    the nearest category wins; then the rule with more conditions (keywords, channel, time); then the smaller area;
    then the higher ``priority``; then the older rule. A rule without a lead unit sends the lead to the territorial
    unit of the place.
    """

    category = models.ForeignKey(Category, verbose_name="分类", on_delete=models.CASCADE, related_name="dispatch_rules")
    area = models.ForeignKey(
        Unit,
        verbose_name="适用区域",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="留空表示全区",
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_rules",
        help_text="留空表示由属地主办",
    )
    territorial_level = models.CharField(
        "属地层级", max_length=10, choices=TerritorialLevel.choices, default=TerritorialLevel.TOWN
    )
    assisting_units = models.ManyToManyField(Unit, verbose_name="协办单位", blank=True, related_name="assist_rules")
    keywords = models.CharField(
        "关键词", max_length=300, blank=True, help_text="诉求内容含其中任一词时适用，以空格或逗号分隔；留空不限"
    )
    channels = models.CharField("来源渠道", max_length=200, blank=True, help_text="以逗号分隔的渠道代码；留空不限")
    weekdays = models.CharField("适用星期", max_length=7, blank=True, help_text="如 12345 表示周一至周五；留空不限")
    start_time = models.TimeField("起始时刻", null=True, blank=True, help_text="与截止时刻一起限定时段，可跨午夜")
    end_time = models.TimeField("截止时刻", null=True, blank=True)
    priority = models.IntegerField("优先级", default=0)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("依据/说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "派单目录"
        verbose_name_plural = verbose_name
        ordering = ["category__code", "-priority"]

    def __str__(self) -> str:
        lead = self.lead_unit.name if self.lead_unit else "属地"
        return f"{self.category} → {lead}"
