"""The knowledge base (知识库, 政策解读): articles with validity dates and an inverted index for Chinese search."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from shanzhi.orgs.models import Unit
from shanzhi.routing.models import Category


class Article(models.Model):
    """One policy explanation or standard answer. ``summary`` is the short answer read out or sent to a caller."""

    code = models.CharField("编号", max_length=32, unique=True)
    title = models.CharField("标题", max_length=150)
    summary = models.TextField("答复口径", max_length=1000, help_text="简明答复，可直接用于答复诉求人")
    body = models.TextField("正文")
    category = models.ForeignKey(
        Category, verbose_name="诉求分类", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    owner = models.ForeignKey(
        Unit, verbose_name="主管部门", null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    keywords = models.CharField("关键词", max_length=300, blank=True, help_text="以空格或逗号分隔")
    source = models.CharField("政策依据", max_length=300, blank=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="当天仍有效；留空表示长期有效")
    is_published = models.BooleanField("已发布", default=False)
    is_demo = models.BooleanField("演示数据", default=False)
    times_used = models.PositiveIntegerField("被引用次数", default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "知识库文章"
        verbose_name_plural = verbose_name
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["is_published", "valid_from", "valid_to"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="article_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def is_visible_on(self, day: dt.date) -> bool:
        """Shown to citizens and offered to operators: published and within its validity dates."""
        return self.is_published and self.is_valid_on(day)

    @property
    def reference(self) -> str:
        """What an answered appeal records: the article's code and title."""
        return f"{self.code} {self.title}"[:200]


def visible_on(day: dt.date) -> Q:
    """The Q for articles published and valid on ``day`` (the database side of :meth:`Article.is_visible_on`)."""
    return (
        Q(is_published=True)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )


class ArticleToken(models.Model):
    """The inverted index: one row per (token, article) with the token's weight in that article."""

    token = models.CharField(max_length=32)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tokens")
    weight = models.FloatField()

    class Meta:
        verbose_name = "检索词"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["token", "article"], name="knowledge_token_idx")]
        constraints = [models.UniqueConstraint(fields=["article", "token"], name="article_token_unique")]
