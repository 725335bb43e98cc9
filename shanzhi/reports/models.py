"""The reports app's own tables: daily facts derived from the appeal event log, and weekly report snapshots.

``reports`` never writes to another app's tables (DESIGN §3). The facts are a cache: they can always be rebuilt
from the appeals, assignments, events and follow-ups (``shanzhi reports_rebuild_facts``), and a periodic task keeps
the recent days current. Dimension columns are plain integers/strings (not foreign keys) so that a unit or a
category removed later never blocks or cascades into the history.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyAppealFact(models.Model):
    """Volume: appeals registered on ``date`` (centre's local date), per channel, type, category, town, lead unit."""

    date = models.DateField(_("日期"))
    channel = models.CharField(_("来源渠道"), max_length=12)
    appeal_type = models.CharField(_("诉求类型"), max_length=14)
    category_l1 = models.BigIntegerField(_("一级分类"), null=True)
    town = models.BigIntegerField(_("镇街"), null=True)
    lead_unit = models.BigIntegerField(_("主办单位"), null=True)
    received = models.PositiveIntegerField(_("受理量"), default=0)  # merged duplicates excluded
    merged = models.PositiveIntegerField(_("合并重复件"), default=0)
    answered = models.PositiveIntegerField(_("直接答复"), default=0)
    rejected = models.PositiveIntegerField(_("不予受理"), default=0)
    closed = models.PositiveIntegerField(_("已办结"), default=0)  # of those received that day, closed by now

    class Meta:
        verbose_name = _("每日诉求量")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["date"], name="reports_appealfact_date")]


class DailyUnitFact(models.Model):
    """The counters behind the KPIs, per handling unit, town, level-1 category and channel, on ``date``.

    Each counter is attributed to the day named in docs/kpi.md (sign deadline, contact deadline, handling deadline,
    feedback, dispatch or follow-up day).
    """

    date = models.DateField(_("日期"))
    unit = models.BigIntegerField(_("承办单位"))
    town = models.BigIntegerField(_("镇街"), null=True)
    category_l1 = models.BigIntegerField(_("一级分类"), null=True)
    channel = models.CharField(_("来源渠道"), max_length=12)

    assigned = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    sign_due = models.PositiveIntegerField(default=0)
    sign_on_time = models.PositiveIntegerField(default=0)
    contact_due = models.PositiveIntegerField(default=0)
    contact_on_time = models.PositiveIntegerField(default=0)
    close_due = models.PositiveIntegerField(default=0)
    close_on_time = models.PositiveIntegerField(default=0)
    close_overdue_open = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    done_lead = models.PositiveIntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    redone = models.PositiveIntegerField(default=0)
    followed_up = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    fairly_satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    resolved_known = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("每日单位考评事实")
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["date", "unit"], name="reports_unitfact_date_unit"),
            models.Index(fields=["unit", "date"], name="reports_unitfact_unit_date"),
        ]


class FactWatermark(models.Model):
    """How far the incremental refresh has read the event log (one row, ``name="facts"``).

    Event ids are reserved when a transaction inserts and become visible when it commits, in any order: an id
    below ``event_id`` may still appear. So each refresh reads again from ``settled_event_id``, the largest id a
    refresh saw at least the lag window ago (``SHANZHI["REPORT_FACTS_LAG_SECONDS"]``, 900): a transaction that
    commits within the window is never skipped. ``pending_event_id`` is the candidate seen at ``pending_since``.
    """

    name = models.CharField(max_length=40, primary_key=True)
    event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)
    settled_event_id = models.BigIntegerField(default=0)
    pending_event_id = models.BigIntegerField(default=0)
    pending_since = models.DateTimeField(null=True)


class WeeklyReport(models.Model):
    """A snapshot of the weekly supervision report (周报督办), made every Monday and on demand."""

    week_start = models.DateField(_("周起始日"))
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.BigIntegerField(_("生成人"), null=True)
    data = models.JSONField(_("报表数据"))

    class Meta:
        verbose_name = _("周报督办")
        verbose_name_plural = verbose_name
        ordering = ["-week_start", "-generated_at"]
        indexes = [models.Index(fields=["week_start"], name="reports_weekly_week")]
