"""The five-level hierarchy (city → district → town → community → grid), departments, the centre, staff and roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class UnitKind(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区"
    TOWN = "town", "镇(街道)"
    COMMUNITY = "community", "村(社区)"
    GRID = "grid", "网格"
    CENTRE = "centre", "社会治理中心"
    DEPARTMENT = "department", "职能部门"
    UTILITY = "utility", "公用事业单位"


TERRITORIAL_KINDS = (UnitKind.CITY, UnitKind.DISTRICT, UnitKind.TOWN, UnitKind.COMMUNITY, UnitKind.GRID)


class Unit(models.Model):
    """An organisational unit. Territorial units carry their 12-digit division code (grids extend their community's).

    ``path`` is the chain of codes from the root, ``/150300000000/150302000000/…/``, so a subtree is one prefix match.
    """

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=150, blank=True)
    kind = models.CharField("类型", max_length=12, choices=UnitKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_virtual = models.BooleanField(
        "虚拟单位", default=False, help_text="统计用虚拟单位(如产业园虚拟社区)，不作属地派单目标"
    )
    is_active = models.BooleanField("启用", default=True)
    is_stationed = models.BooleanField("进驻中心", default=False)
    phone = models.CharField("值班电话", max_length=40, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort", "code"]
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_territorial(self) -> bool:
        return self.kind in TERRITORIAL_KINDS

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        return f"{prefix}{self.code}/"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.path = self.compute_path()
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)

    def ancestors(self) -> list[Unit]:
        """Self and every ancestor, nearest first (one query)."""
        codes = [c for c in self.path.strip("/").split("/") if c]
        by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        return [by_code[c] for c in reversed(codes) if c in by_code]


class Boundary(models.Model):
    """A territorial unit's polygon in one version of the map (geography is versioned, not overwritten)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="boundaries")
    version = models.PositiveIntegerField(default=1)
    geojson = models.JSONField("边界 GeoJSON")
    is_current = models.BooleanField(default=True, db_index=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "区域边界"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["unit", "version"], name="boundary_version_unique")]


class Role(models.TextChoices):
    OPERATOR = "operator", "话务员"
    DISPATCHER = "dispatcher", "派单员"
    HANDLER = "handler", "承办人"
    UNIT_HEAD = "unit_head", "单位负责人"
    GRID_WORKER = "grid_worker", "网格员"
    MEDIATOR = "mediator", "调解员"
    LEADER = "leader", "中心领导"
    ANALYST = "analyst", "分析员"
    ADMIN = "admin", "系统管理员"
    INTEGRATION = "integration", "接口集成"


class User(AbstractUser):
    """A staff member. Belongs to one unit; holds roles (stored as Django groups named by role code)."""

    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        permissions = [("view_personal_data", "查看完整个人信息")]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_codes = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))


class ApiKey(models.Model):
    """A key for an integration. Only a SHA-256 hash is stored; the clear key is shown once at creation."""

    name = models.CharField("名称", max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, verbose_name="代表用户", on_delete=models.PROTECT, related_name="api_keys")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # What the key may be used for (codes of shanzhi.orgs.api_scopes.ApiScope); the user's roles still apply.
    scopes = models.JSONField("授权范围", default=list, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField("每分钟请求上限", default=600)

    class Meta:
        verbose_name = "接口密钥"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=models.Q(rate_limit_per_minute__gte=1), name="apikey_rate_limit_positive")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiKeyRateWindow(models.Model):
    """How many calls a key made in one minute (the rate limit's counter where no shared cache is configured)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="rate_windows")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "接口调用计数"
        verbose_name_plural = verbose_name
        db_table = "orgs_api_rate_window"  # a counter, not the keys: the key lookup itself stays cached
        constraints = [models.UniqueConstraint(fields=["api_key", "window_start"], name="apikey_rate_window_unique")]


class TwoFactorDevice(models.Model):
    """A staff member's TOTP authenticator (RFC 6238, 30 s, 6 digits). The shared secret is encrypted at rest with
    the field keys (``shanzhi.core.pii.encrypt``); ``confirmed_at`` is set once a first code proved the enrolment."""

    user = models.OneToOneField(User, verbose_name="用户", on_delete=models.CASCADE, related_name="two_factor")
    secret_enc = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    # The time step of the last code accepted: a code (or an older one) is never accepted twice.
    last_used_step = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "两步验证设备"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.user} TOTP"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time recovery code for a lost authenticator. Only a keyed hash is stored; each works once."""

    device = models.ForeignKey(TwoFactorDevice, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = verbose_name
