"""Standard addresses (标准地址) built from GA/T 2000.32 address elements, buildings, households and doorplates.

The address code follows the spirit of GB/T 39609: the 12-digit division code of the community, then the
street/compound (3 digits), the building (4), the entrance (单元, 2) and the room (4) — see
:mod:`shanzhi.places.address_codes`.
"""

from __future__ import annotations

from django.db import models

from shanzhi.core import pii
from shanzhi.orgs.models import Unit


class AddressElementType(models.Model):
    """A GA/T 2000.32 address element type (省, 街道办事处, 小区, 建筑物, 单元（门）, 室（号）…)."""

    code = models.CharField("代码", max_length=4, primary_key=True)
    name = models.CharField("名称", max_length=40)
    parent = models.ForeignKey(
        "self", verbose_name="所属类", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "地址要素类型"
        verbose_name_plural = verbose_name
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AddressLevel(models.TextChoices):
    """How deep an address goes; each maps to a GA/T 2000.32 element type."""

    COMPOUND = "compound", "街路巷/小区"
    BUILDING = "building", "建筑物"
    ENTRANCE = "entrance", "单元（门）"
    ROOM = "room", "室（号）"


LEVEL_ELEMENT = {
    AddressLevel.COMPOUND: "42",
    AddressLevel.BUILDING: "50",
    AddressLevel.ENTRANCE: "61",
    AddressLevel.ROOM: "62",
}


class StandardAddress(models.Model):
    """One standard address: a compound, a building, an entrance of a building, or a room."""

    code = models.CharField("标准地址编码", max_length=32, unique=True)
    text = models.CharField("标准地址", max_length=200)
    level = models.CharField("层级", max_length=10, choices=AddressLevel.choices)
    element_type = models.ForeignKey(
        AddressElementType, verbose_name="地址要素类型", on_delete=models.PROTECT, related_name="addresses"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级地址", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    community = models.ForeignKey(
        Unit, verbose_name="所属社区(村)", on_delete=models.PROTECT, related_name="standard_addresses"
    )
    grid = models.ForeignKey(
        Unit, verbose_name="所属网格", null=True, blank=True, on_delete=models.PROTECT, related_name="grid_addresses"
    )
    street = models.CharField("街路巷/小区", max_length=60)
    street_type = models.ForeignKey(
        AddressElementType, verbose_name="街路巷类型", on_delete=models.PROTECT, related_name="+"
    )
    house_number = models.CharField("门牌号", max_length=20, blank=True)
    building_no = models.PositiveIntegerField("楼号", null=True, blank=True)
    entrance_no = models.PositiveSmallIntegerField("单元号", null=True, blank=True)
    room_no = models.PositiveIntegerField("室号", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    latitude = models.FloatField("纬度", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "标准地址"
        verbose_name_plural = verbose_name
        ordering = ["code"]
        indexes = [models.Index(fields=["community", "level"])]

    def __str__(self) -> str:
        return self.text

    @property
    def territorial_unit(self) -> Unit:
        """The most specific unit the address lies in (its grid, else its community)."""
        return self.grid or self.community


class Building(models.Model):
    """A building (建筑物) at a building-level standard address."""

    class Use(models.TextChoices):
        RESIDENTIAL = "residential", "住宅"
        COMMERCIAL = "commercial", "商业"
        MIXED = "mixed", "商住混合"
        PUBLIC = "public", "公共建筑"

    address = models.OneToOneField(
        StandardAddress, verbose_name="标准地址", on_delete=models.PROTECT, related_name="building"
    )
    name = models.CharField("名称", max_length=60)
    use = models.CharField("用途", max_length=12, choices=Use.choices, default=Use.RESIDENTIAL)
    floors = models.PositiveSmallIntegerField("层数", default=1)
    entrances = models.PositiveSmallIntegerField("单元数", default=1)
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)

    class Meta:
        verbose_name = "建筑"
        verbose_name_plural = verbose_name
        ordering = ["address__code"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household (户) living at a room-level standard address. Head's name and phone are personal data."""

    address = models.OneToOneField(
        StandardAddress, verbose_name="标准地址", on_delete=models.PROTECT, related_name="household"
    )
    building = models.ForeignKey(Building, verbose_name="建筑", on_delete=models.PROTECT, related_name="households")
    entrance_no = models.PositiveSmallIntegerField("单元号")
    room_no = models.PositiveIntegerField("室号")
    head_name = models.CharField("户主姓名", max_length=50, blank=True)
    head_phone = models.CharField("户主电话", max_length=20, blank=True)
    members = models.PositiveSmallIntegerField("人口数", default=1)
    is_rented = models.BooleanField("出租房屋", default=False)
    needs_attention = models.BooleanField("需关注(独居老人/困难家庭等)", default=False)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "住户"
        verbose_name_plural = verbose_name
        ordering = ["building", "entrance_no", "room_no"]

    def __str__(self) -> str:
        return f"{self.building.name}{self.entrance_no}单元{self.room_no}室"

    @property
    def head_name_masked(self) -> str:
        return pii.mask_name(self.head_name)

    @property
    def head_phone_masked(self) -> str:
        return pii.mask_phone(self.head_phone)


class Doorplate(models.Model):
    """A smart doorplate (智慧门牌): a printed plate whose QR code opens ``/m/d/<code>``.

    ``code`` is printed under the QR and is the URL key; ``qr_token`` is part of the QR's URL and changes when a plate
    is reissued, so a scan of an old (replaced or copied) plate can be recognised.
    """

    code = models.CharField("门牌码", max_length=16, unique=True)
    address = models.ForeignKey(
        StandardAddress, verbose_name="标准地址", on_delete=models.PROTECT, related_name="doorplates"
    )
    qr_token = models.CharField("二维码令牌", max_length=32)
    is_active = models.BooleanField("启用", default=True)
    issued_at = models.DateTimeField("制发时间")
    scans = models.PositiveIntegerField("扫码次数", default=0, editable=False)

    class Meta:
        verbose_name = "智慧门牌"
        verbose_name_plural = verbose_name
        ordering = ["address__code"]

    def __str__(self) -> str:
        return f"{self.code} {self.address.text}"
