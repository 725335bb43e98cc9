"""The grid worker's field work: patrols (巡查) with check-ins, problems reported from the field (网格上报) and the
verification (核查) of their fix; and the record of each GeoJSON import of surveyed grids (a boundary generation).

Grids themselves are ``orgs.Unit`` rows of kind ``grid`` with versioned ``orgs.Boundary`` polygons (ADR 0006); grid
workers are staff with the ``grid_worker`` role whose unit is a grid. Every row a phone sends carries the phone's
idempotency key (``client_key``), unique per worker, so a submission queued offline and sent twice is stored once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shanzhi.orgs.models import Unit


class PatrolState(models.TextChoices):
    ONGOING = "ongoing", "巡查中"
    FINISHED = "finished", "已结束"


class Patrol(models.Model):
    """One walk of a grid by its worker; the route is the sequence of its check-ins."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="网格员", on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(Unit, verbose_name="网格", on_delete=models.PROTECT, related_name="patrols")
    grid_path = models.CharField(max_length=255, editable=False)
    state = models.CharField("状态", max_length=10, choices=PatrolState.choices, default=PatrolState.ONGOING)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    note = models.CharField("巡查记录", max_length=500, blank=True)
    distance_m = models.FloatField("巡查里程(米)", default=0)
    checkin_count = models.PositiveIntegerField("打卡次数", default=0)
    client_key = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "巡查"
        verbose_name_plural = verbose_name
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "client_key"], name="grid_patrol_key_unique"),
            models.CheckConstraint(condition=Q(state__in=PatrolState.values), name="grid_patrol_state_valid"),
        ]
        indexes = [
            models.Index(fields=["grid_path"], name="grid_patrol_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["grid", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.started_at:%Y-%m-%d %H:%M}"


class CheckIn(models.Model):
    """A point of a patrol's route: where the phone was, when, and whether that lies in the worker's grid."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="checkins")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("打卡时间")
    longitude = models.FloatField("经度")
    latitude = models.FloatField("纬度")
    inside_grid = models.BooleanField("在网格内", default=True)
    note = models.CharField("说明", max_length=300, blank=True)
    client_key = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "巡查打卡"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["worker", "client_key"], name="grid_checkin_key_unique")]


class GridReport(models.Model):
    """A problem a grid worker reported from the field: the appeal it became (channel ``grid``) and where from."""

    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.PROTECT, related_name="grid_report")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="grid_reports")
    grid_path = models.CharField(max_length=255, editable=False)
    patrol = models.ForeignKey(Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    boundary_version = models.PositiveIntegerField("网格边界版本", null=True, blank=True)
    at = models.DateTimeField("上报时间")
    client_key = models.CharField(max_length=64)

    class Meta:
        verbose_name = "网格上报"
        verbose_name_plural = verbose_name
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["worker", "client_key"], name="grid_report_key_unique")]
        indexes = [models.Index(fields=["grid_path"], name="grid_report_path_idx", opclasses=["varchar_pattern_ops"])]


class Verification(models.Model):
    """核查: the grid worker's check on the spot that a problem is fixed; a failed one sends the appeal back."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="grid_verifications")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="grid_verifications")
    grid_path = models.CharField(max_length=255, editable=False)
    round = models.PositiveSmallIntegerField("派单轮次")
    passed = models.BooleanField("核查通过")
    note = models.CharField("核查说明", max_length=500, blank=True)
    photo = models.ForeignKey("appeals.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    appeal_state = models.CharField("核查时诉求状态", max_length=12)
    feedback_at = models.DateTimeField("承办单位反馈时间", null=True, blank=True)
    at = models.DateTimeField("核查时间")
    client_key = models.CharField(max_length=64)

    class Meta:
        verbose_name = "核查"
        verbose_name_plural = verbose_name
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["worker", "client_key"], name="grid_verification_key_unique")]
        indexes = [
            models.Index(fields=["grid_path"], name="grid_verif_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["appeal", "round"]),
        ]


class GridImport(models.Model):
    """One GeoJSON import of surveyed grids: a boundary generation (which unit got which version)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField("文件名", max_length=200, blank=True)
    at = models.DateTimeField("导入时间")
    feature_count = models.PositiveIntegerField("网格数")
    created_units = models.PositiveIntegerField("新建网格数", default=0)
    versions = models.JSONField("边界版本", default=dict)  # {grid code: version}

    class Meta:
        verbose_name = "网格边界导入"
        verbose_name_plural = verbose_name
        ordering = ["-at"]
