"""The governance data hub (社会治理要素数据库): buildings, dwellings, households, persons, enterprises, key persons and
party organisations, each placed in a grid (ADR 0017).

Every element carries ``area_path``: the materialised path of the most specific territorial unit it lies in (its
grid, else its community). Scope is one prefix match on it (``orgs.permissions.subtree_q(user, "area_path")``).

Personal data at rest (ADR 0017): ID numbers and phone numbers are stored encrypted (``*_cipher``, Fernet through
``core.pii``), with a keyed hash for exact lookups and de-duplication (``*_hash``) and the masked form for display
(``*_masked``). Names stay clear (they are searched) and are masked when shown. Nothing here ever returns a clear ID
number: :func:`Person.id_number_clear` is called only by the logged reveal in :mod:`shanzhi.datahub.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shanzhi.core import pii
from shanzhi.orgs.models import Unit
from shanzhi.places.models import StandardAddress


class Placed(models.Model):
    """Where an element lies: grid (if known), community, the area's path, and a point on the map."""

    # Scope reads go through area_path (indexed per model, below); the unit keys need no index of their own.
    grid = models.ForeignKey(
        Unit, verbose_name="所属网格", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    community = models.ForeignKey(
        Unit,
        verbose_name="所属社区(村)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    area_path = models.CharField("区域路径", max_length=255, editable=False)
    longitude = models.FloatField("经度", null=True, blank=True)
    latitude = models.FloatField("纬度", null=True, blank=True)
    fingerprint = models.CharField(max_length=32, editable=False, default="")
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", "住宅"
    COMMERCIAL = "commercial", "商业"
    MIXED = "mixed", "商住混合"
    PUBLIC = "public", "公共建筑"
    INDUSTRIAL = "industrial", "工业"
    OTHER = "other", "其他"


class HubBuilding(Placed):
    """A building (建筑物/楼栋), keyed by its code (the standard address code where the building has one)."""

    code = models.CharField("楼栋编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    address_text = models.CharField("地址", max_length=200, blank=True)
    address = models.ForeignKey(
        StandardAddress, verbose_name="标准地址", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    use = models.CharField("用途", max_length=12, choices=BuildingUse.choices, default=BuildingUse.RESIDENTIAL)
    floors = models.PositiveSmallIntegerField("层数", default=1)
    entrances = models.PositiveSmallIntegerField("单元数", default=1)
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = verbose_name
        ordering = ["code"]
        indexes = [
            models.Index(fields=["longitude", "latitude"], name="dh_building_lonlat"),
            models.Index(fields=["area_path"], name="dh_building_area"),
        ]

    def __str__(self) -> str:
        return self.name


class HouseUse(models.TextChoices):
    OWNER = "owner", "自住"
    RENTED = "rented", "出租"
    VACANT = "vacant", "空置"
    BUSINESS = "business", "经营"


class House(Placed):
    """A dwelling (房屋/室): building code + entrance + room."""

    code = models.CharField("房屋编码", max_length=48, unique=True)
    building = models.ForeignKey(HubBuilding, verbose_name="楼栋", on_delete=models.PROTECT, related_name="houses")
    entrance_no = models.PositiveSmallIntegerField("单元号", default=1)
    room_no = models.CharField("室号", max_length=10)
    use = models.CharField("使用情况", max_length=10, choices=HouseUse.choices, default=HouseUse.OWNER)

    class Meta:
        verbose_name = "房屋"
        verbose_name_plural = verbose_name
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.building.name}{self.entrance_no}单元{self.room_no}室"


class Household(Placed):
    """A household (户), keyed by its number (户号)."""

    number = models.CharField("户号", max_length=32, unique=True)
    house = models.ForeignKey(
        House, verbose_name="房屋", null=True, blank=True, on_delete=models.SET_NULL, related_name="households"
    )

    class Meta:
        verbose_name = "家庭户"
        verbose_name_plural = verbose_name
        ordering = ["number"]
        indexes = [models.Index(fields=["area_path"], name="dh_household_area")]

    def __str__(self) -> str:
        return self.number


class Residence(models.TextChoices):
    REGISTERED = "registered", "户籍人口"
    RESIDENT = "resident", "常住人口"
    FLOATING = "floating", "流动人口"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    OTHER = "other", "其他"


class Person(Placed):
    """A person (人口). Keyed by the keyed hash of the ID number; the number itself only encrypted and masked."""

    id_hash = models.CharField("身份证号索引", max_length=32, unique=True, editable=False)
    id_cipher = models.TextField("身份证号(密文)", editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女")], editable=False)
    birth_year = models.PositiveSmallIntegerField("出生年份", editable=False)
    phone_cipher = models.TextField("电话(密文)", blank=True, editable=False)
    phone_hash = models.CharField("电话索引", max_length=32, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField("电话", max_length=20, blank=True, editable=False)
    residence = models.CharField("人口类型", max_length=12, choices=Residence.choices, default=Residence.REGISTERED)
    household = models.ForeignKey(
        Household, verbose_name="家庭户", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    relation = models.CharField("与户主关系", max_length=8, choices=Relation.choices, blank=True)
    house = models.ForeignKey(
        House, verbose_name="房屋", null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    building = models.ForeignKey(
        HubBuilding, verbose_name="楼栋", null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )

    class Meta:
        verbose_name = "人口"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        indexes = [models.Index(fields=["area_path", "id"], name="dh_person_scope")]

    def __str__(self) -> str:
        return self.name_masked

    @property
    def name_masked(self) -> str:
        return pii.mask_name(self.name)

    def id_number_clear(self) -> str:
        """The clear ID number. Only the logged reveal (``services.person_reveal``) may call this."""
        return pii.decrypt(self.id_cipher)

    def phone_clear(self) -> str:
        return pii.decrypt(self.phone_cipher)


class Enterprise(Placed):
    """An enterprise or non-public economic organisation (非公经济组织), keyed by its unified social credit code."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=120, db_index=True)
    legal_rep = models.CharField("法定代表人", max_length=50, blank=True)
    phone_cipher = models.TextField("联系电话(密文)", blank=True, editable=False)
    phone_hash = models.CharField("联系电话索引", max_length=32, blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    industry = models.CharField("行业", max_length=60, blank=True)
    employees = models.PositiveIntegerField("从业人数", default=0)
    address_text = models.CharField("地址", max_length=200, blank=True)
    building = models.ForeignKey(
        HubBuilding, verbose_name="楼栋", null=True, blank=True, on_delete=models.SET_NULL, related_name="enterprises"
    )

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = verbose_name
        ordering = ["credit_code"]
        indexes = [
            models.Index(fields=["longitude", "latitude"], name="dh_enterprise_lonlat"),
            models.Index(fields=["area_path"], name="dh_enterprise_area"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def legal_rep_masked(self) -> str:
        return pii.mask_name(self.legal_rep)


class KeyCategory(models.TextChoices):
    """The 13 categories of key persons (重点人员)."""

    RELEASED = "released", "刑满释放人员"
    CORRECTION = "correction", "社区矫正对象"
    MENTAL = "mental", "严重精神障碍患者"
    DRUG = "drug", "吸毒人员"
    HIV_RISK = "hiv_risk", "艾滋病危险行为人员"
    YOUTH = "youth", "重点青少年"
    PETITION = "petition", "信访重点人员"
    CULT = "cult", "涉邪教人员"
    ELDERLY_ALONE = "elderly_alone", "独居老人"
    LEFT_BEHIND = "left_behind", "留守儿童"
    DISABLED = "disabled", "残疾人"
    SUBSISTENCE = "subsistence", "低保对象"
    DESTITUTE = "destitute", "特困供养人员"


class KeyPerson(Placed):
    """A person registered in one key-person category.

    Restricted: only holders of ``datahub.view_keyperson`` (Django's own view permission) see these rows."""

    class Level(models.IntegerChoices):
        WATCH = 1, "一般关注"
        CLOSE = 2, "重点关注"
        HIGH = 3, "高度关注"

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="key_records")
    category = models.CharField("类别", max_length=16, choices=KeyCategory.choices)
    level = models.PositiveSmallIntegerField("关注等级", choices=Level.choices, default=Level.WATCH)
    since = models.DateField("列管日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "重点人员"
        verbose_name_plural = verbose_name
        ordering = ["id"]
        indexes = [models.Index(fields=["area_path"], name="dh_keyperson_area")]
        constraints = [models.UniqueConstraint(fields=["person", "category"], name="dh_keyperson_unique")]

    def __str__(self) -> str:
        return f"{self.person.name_masked} · {self.get_category_display()}"


class PartyOrganisation(Placed):
    """A party organisation (党组织): 党委, 党总支, 党支部."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"
        JOINT_BRANCH = "joint_branch", "联合党支部"

    code = models.CharField("组织编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.BRANCH)
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    secretary = models.CharField("书记", max_length=50, blank=True)
    members_count = models.PositiveIntegerField("党员数", default=0)
    address_text = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = verbose_name
        ordering = ["code"]
        indexes = [models.Index(fields=["area_path"], name="dh_party_area")]

    def __str__(self) -> str:
        return self.name

    @property
    def secretary_masked(self) -> str:
        return pii.mask_name(self.secretary)


class PartyMember(models.Model):
    """A party member (党员): a person in one organisation."""

    person = models.OneToOneField(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="party_member")
    organisation = models.ForeignKey(
        PartyOrganisation, verbose_name="党组织", on_delete=models.PROTECT, related_name="members"
    )
    joined_on = models.DateField("入党日期", null=True, blank=True)
    fingerprint = models.CharField(max_length=32, editable=False, default="")

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = verbose_name


class ImportKind(models.TextChoices):
    BUILDINGS = "buildings", "楼栋"
    PERSONS = "persons", "人口"
    ENTERPRISES = "enterprises", "企业"
    KEY_PERSONS = "key_persons", "重点人员"
    PARTY_ORGS = "party_orgs", "党组织"
    PARTY_MEMBERS = "party_members", "党员"


class ImportBatch(models.Model):
    """One import attempt (history: who, when, what, counts). A failed attempt stores only this row and its errors."""

    class Status(models.TextChoices):
        FAILED = "failed", "校验未通过"
        DRY_RUN = "dry_run", "试导入通过"
        DONE = "done", "已导入"

    kind = models.CharField("数据类型", max_length=16, choices=ImportKind.choices)
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField("文件摘要", max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("结果", max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField("行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误清单", default=list, blank=True)
    seconds = models.FloatField("耗时(秒)", default=0)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = verbose_name
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class MapCell(models.Model):
    """Pre-counted points of a map layer in square cells of a few fixed sizes, per area (ADR 0017): the map's
    zoomed-out views read a few thousand of these instead of scanning every building of the district. Rebuilt after
    each import of the layer (``selectors.map_cells_rebuild``)."""

    layer = models.CharField(max_length=16)
    level = models.PositiveSmallIntegerField()  # index into selectors.CELL_SIZES
    cx = models.IntegerField()
    cy = models.IntegerField()
    area_path = models.CharField(max_length=255)
    n = models.PositiveIntegerField()
    lon_sum = models.FloatField()
    lat_sum = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["layer", "level", "cx", "cy"], name="dh_mapcell_lookup")]


# --- dimensions (维度): what each department supplies about the elements ----------------------------------------


class DimensionElement(models.TextChoices):
    """The kind of element a dimension describes."""

    PERSON = "person", "人口"
    HOUSEHOLD = "household", "户"
    BUILDING = "building", "楼栋"
    ENTERPRISE = "enterprise", "企业"


class DimensionType(models.TextChoices):
    BOOLEAN = "boolean", "是/否"
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "数值"
    TEXT = "text", "文本"
    CHOICE = "choice", "选项"
    DATE = "date", "日期"


class Sensitivity(models.TextChoices):
    """Who may read a dimension's values: everyone who uses the hub in that scope, or only with a permission."""

    INTERNAL = "internal", "内部"
    RESTRICTED = "restricted", "敏感"


class Dimension(models.Model):
    """One entry of the registry (维度目录): a fact a department supplies about one kind of element (e.g. 民政局 ·
    人口 · 低保对象 · 是/否). Values must match its type (``rules.dimension_value_parse``); a value older than
    ``valid_days`` is shown as stale and left out of counts."""

    code = models.SlugField("维度编码", max_length=40, unique=True)
    name = models.CharField("维度名称", max_length=60)
    department = models.ForeignKey(Unit, verbose_name="提供部门", on_delete=models.PROTECT, related_name="+")
    element_kind = models.CharField("要素类型", max_length=12, choices=DimensionElement.choices)
    value_type = models.CharField("取值类型", max_length=10, choices=DimensionType.choices)
    measure_unit = models.CharField("计量单位", max_length=20, blank=True)
    choices = models.JSONField("可选值", default=list, blank=True, help_text="[{key, name}]，仅「选项」类型")
    sensitivity = models.CharField("敏感级别", max_length=10, choices=Sensitivity.choices, default=Sensitivity.INTERNAL)
    valid_days = models.PositiveIntegerField("有效期(天)", null=True, blank=True, help_text="空表示长期有效")
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "数据维度"
        verbose_name_plural = verbose_name
        ordering = ["element_kind", "department_id", "code"]
        permissions = [("view_restricted_dimension", "可查看敏感维度")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DimensionValue(models.Model):
    """The current value of one dimension for one element. ``area_path`` is the element's, copied, so that counting
    a dimension in a reader's scope is one index range; ``value_key`` is the normalised value (``1``/``0``, the
    choice key, the ISO date, the canonical number, the folded text) that filters and counts read."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="values")
    element_id = models.BigIntegerField()
    area_path = models.CharField(max_length=255)
    value_key = models.CharField(max_length=100)
    value_number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    value_text = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "element_id"], name="dh_dimension_value_once"),
        ]
        indexes = [
            models.Index(fields=["dimension", "value_key", "area_path"], name="dh_dimvalue_count"),
            models.Index(fields=["dimension", "area_path"], name="dh_dimvalue_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}:{self.element_id}={self.value_key}"
