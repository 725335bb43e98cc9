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


class MemberRole(models.TextChoices):
    """The 1+3+N grid service team (网格综合服务队): 1 grid head, 3 core members, N other forces."""

    HEAD = "head", "网格长"
    FULL_TIME = "full_time", "专职网格员"
    PART_TIME = "part_time", "兼职网格员"
    POLICE = "police", "社区民警"
    LEGAL = "legal", "法律顾问"
    OTHER = "other", "其他服务力量"


class GridMember(models.Model):
    """A member of a grid's service team; ``user`` when they have a staff account (the grid worker does)."""

    grid = models.ForeignKey(Unit, verbose_name="网格", on_delete=models.PROTECT, related_name="grid_members")
    grid_path = models.CharField(max_length=255, editable=False)
    role = models.CharField("职责", max_length=10, choices=MemberRole.choices)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号", max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="grid_memberships"
    )
    from_unit = models.ForeignKey(
        Unit, verbose_name="派出单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField("在岗", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "网格服务队成员"
        verbose_name_plural = verbose_name
        ordering = ["grid", "role", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="grid_member_role_valid"),
            models.UniqueConstraint(
                fields=["grid", "role", "name"], condition=Q(is_active=True), name="grid_member_unique_active"
            ),
        ]
        indexes = [models.Index(fields=["grid_path"], name="grid_member_path_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.grid} {self.get_role_display()} {self.name}"


class StepTracks(models.TextChoices):
    """What in the records shows that a step of the method is done."""

    PATROL = "patrol", "有巡查记录"
    COLLECT = "collect", "巡查中有打卡"
    REPORT = "report", "问题已上报"
    HANDLE = "handle", "承办单位已处置反馈"
    FEEDBACK = "feedback", "网格员已核查"
    MANUAL = "manual", "不自动判断"


class MethodStep(models.Model):
    """One step of the grid workers' working method (五步工作法), in order; the centre may rename, reorder, add or
    retire steps. The default: 巡查走访 → 信息采集 → 问题上报 → 协调处置 → 跟踪反馈."""

    order = models.PositiveSmallIntegerField("顺序", unique=True)
    label = models.CharField("步骤", max_length=30)
    tracks = models.CharField("完成依据", max_length=10, choices=StepTracks.choices, default=StepTracks.MANUAL)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "工作法步骤"
        verbose_name_plural = verbose_name
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.label}"


class ServiceDay(models.Model):
    """网格服务日: a scheduled day when a grid's team serves its residents on the spot, with attendance."""

    grid = models.ForeignKey(Unit, verbose_name="网格", on_delete=models.PROTECT, related_name="service_days")
    grid_path = models.CharField(max_length=255, editable=False)
    title = models.CharField("主题", max_length=100)
    place = models.CharField("地点", max_length=200, blank=True)
    starts_at = models.DateTimeField("开始时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    residents_served = models.PositiveIntegerField("服务群众(人次)", default=0)

    class Meta:
        verbose_name = "网格服务日"
        verbose_name_plural = verbose_name
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["grid_path"], name="grid_sday_path_idx", opclasses=["varchar_pattern_ops"])]


class ServiceDayAttendance(models.Model):
    service_day = models.ForeignKey(ServiceDay, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(GridMember, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField("出席")

    class Meta:
        verbose_name = "服务日出勤"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["service_day", "member"], name="grid_sday_member_unique")]


class Course(models.Model):
    """网格学院: a training course for grid workers."""

    title = models.CharField("课程", max_length=100)
    held_on = models.DateField("日期")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, default=1)
    pass_score = models.PositiveSmallIntegerField("合格分", default=60)

    class Meta:
        verbose_name = "网格学院课程"
        verbose_name_plural = verbose_name
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class CourseRecord(models.Model):
    """A worker's attendance and assessment in a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="records")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField("出席")
    score = models.PositiveSmallIntegerField("考核成绩", null=True, blank=True)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["course", "worker"], name="grid_course_worker_unique"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=100), name="grid_course_score_range"),
        ]

    @property
    def passed(self) -> bool:
        return self.attended and self.score is not None and self.score >= self.course.pass_score
