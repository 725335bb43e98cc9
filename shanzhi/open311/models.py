"""Open311 GeoReport v2: the extra questions of a service (a category) and the requests that came in through it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shanzhi.appeals.models import Appeal
from shanzhi.routing.models import Category


class AttributeDatatype(models.TextChoices):
    STRING = "string", "短文本"
    NUMBER = "number", "数字"
    DATETIME = "datetime", "日期时间"
    TEXT = "text", "长文本"
    SINGLEVALUELIST = "singlevaluelist", "单选"
    MULTIVALUELIST = "multivaluelist", "多选"


LIST_DATATYPES = (AttributeDatatype.SINGLEVALUELIST, AttributeDatatype.MULTIVALUELIST)


class ServiceAttribute(models.Model):
    """An extra question of a category (an attribute of its Open311 service definition)."""

    category = models.ForeignKey(Category, verbose_name="分类", on_delete=models.CASCADE, related_name="open311_attrs")
    code = models.CharField("编码", max_length=40, help_text="字母、数字、下划线")
    description = models.CharField("问题", max_length=200)
    datatype = models.CharField("类型", max_length=16, choices=AttributeDatatype.choices)
    datatype_description = models.CharField("填写说明", max_length=200, blank=True)
    required = models.BooleanField("必填", default=False)
    variable = models.BooleanField("需要填写", default=True, help_text="否：仅作说明文字，不需填写")
    order = models.PositiveSmallIntegerField("顺序", default=1)
    values = models.JSONField("可选值", default=list, blank=True, help_text='[{"key": "1", "name": "…"}]')
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务附加问题"
        verbose_name_plural = verbose_name
        ordering = ["category_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_unique")]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"


class MediaState(models.TextChoices):
    """Where the picture behind ``media_url`` is: fetched into the appeal's attachments, or why not."""

    NONE = "none", "无"
    PENDING = "pending", "待获取"
    FETCHED = "fetched", "已获取"
    REFUSED = "refused", "已拒绝"
    FAILED = "failed", "获取失败"


class ServiceRequest(models.Model):
    """What an Open311 client sent with an appeal: its token, the answers to the attributes, the media URL."""

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="open311")
    token = models.CharField(max_length=40, unique=True)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name="接入方"
    )
    service_code = models.CharField(max_length=20)
    attributes = models.JSONField(default=dict, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    media_state = models.CharField(
        "图片获取", max_length=8, choices=MediaState.choices, default=MediaState.NONE, db_default=MediaState.NONE
    )
    media_error = models.CharField("图片获取失败原因", max_length=40, blank=True, db_default="")
    media_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    media_next_at = models.DateTimeField(null=True, blank=True)
    media_attachment = models.ForeignKey(
        "appeals.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address_id = models.CharField(max_length=64, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    account_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "Open311 请求"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.token
