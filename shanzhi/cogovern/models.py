"""多元共治: the three lists (资源清单、需求清单、项目清单), social forces, volunteers and their activities, and the
standardised centres' checklist.

Every row belongs to a community (an ``orgs.Unit`` of kind COMMUNITY); its staff (and the town above, the centre)
see it, no one else (:mod:`shanzhi.cogovern.selectors`). Residents are not users: a demand keeps the verified phone
of the portal session that posted it, shown masked to staff; votes keep only a keyed hash of the voter's phone.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class SocialForceKind(models.TextChoices):
    SOCIAL_ORG = "social_org", "社会组织"
    ENTERPRISE = "enterprise", "企业"
    DEPUTY = "deputy", "人大代表"
    PARTY_REP = "party_rep", "党代表"
    COMMITTEE = "committee", "政协委员"
    FIVE_ELDERS = "five_elders", "五老"
    LAWYER = "lawyer", "律师"
    MEDIATOR = "mediator", "调解员"


ORGANISATION_KINDS = (SocialForceKind.SOCIAL_ORG, SocialForceKind.ENTERPRISE)


class SocialForce(models.Model):
    """A social force that takes part (社会力量): an organisation or enterprise that offers resources, or a person
    (两代表一委员、五老、律师、调解员) with what they do and where. ``contact_*`` are personal data (masked)."""

    community = models.ForeignKey("orgs.Unit", verbose_name="所在社区", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=16, choices=SocialForceKind.choices)
    name = models.CharField("名称/姓名", max_length=100)
    services = models.CharField("参与内容", max_length=300, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    is_active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "社会力量"
        verbose_name_plural = verbose_name
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_organisation(self) -> bool:
        return self.kind in ORGANISATION_KINDS


class ResourceKind(models.TextChoices):
    VENUE = "venue", "场地"
    SERVICE = "service", "服务"
    VOLUNTEER_TEAM = "volunteer_team", "志愿队伍"
    GOODS = "goods", "物资"
    FUNDS = "funds", "资金"


class Resource(models.Model):
    """One entry of the resource list (资源清单): what a community has to offer, with capacity and availability."""

    community = models.ForeignKey("orgs.Unit", verbose_name="所属社区", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=ResourceKind.choices)
    name = models.CharField("名称", max_length=100)
    description = models.CharField("说明", max_length=500, blank=True)
    provider = models.ForeignKey(
        SocialForce, verbose_name="提供方", null=True, blank=True, on_delete=models.PROTECT, related_name="resources"
    )
    capacity = models.PositiveIntegerField("可服务容量(项目数)", default=1)
    is_available = models.BooleanField("可用", default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "资源"
        verbose_name_plural = "资源清单"
        ordering = ["community", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class DemandState(models.TextChoices):
    SUBMITTED = "submitted", "待匹配"
    MATCHED = "matched", "已匹配"
    IN_PROJECT = "in_project", "实施中"
    DONE = "done", "已完成"
    DECLINED = "declined", "未采纳"


class DemandSource(models.TextChoices):
    PORTAL = "portal", "居民线上提交"
    GRID = "grid", "网格员收集"
    COMMUNITY = "community", "社区收集"


class Demand(models.Model):
    """One entry of the demand list (需求清单): what residents of a community need."""

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("需求", max_length=100)
    content = models.TextField("详细说明", max_length=2000)
    source = models.CharField("来源", max_length=12, choices=DemandSource.choices, default=DemandSource.PORTAL)
    resident_phone = models.CharField("居民手机号", max_length=20, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=DemandState.choices, default=DemandState.SUBMITTED, db_index=True
    )
    resource = models.ForeignKey(
        Resource, verbose_name="匹配资源", null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    match_note = models.CharField("匹配说明", max_length=300, blank=True)
    decline_reason = models.CharField("未采纳原因", max_length=300, blank=True)
    votes = models.PositiveIntegerField("支持数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "需求"
        verbose_name_plural = "需求清单"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "state"], name="cogovern_demand_comm_state"),
            models.Index(fields=["resident_phone", "created_at"], name="cogovern_demand_phone"),
        ]

    def __str__(self) -> str:
        return self.title


class DemandVote(models.Model):
    """A resident's support for a demand: one per demand and verified phone (only its keyed hash is kept)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="vote_rows")
    voter_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "需求支持"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["demand", "voter_hash"], name="cogovern_vote_once")]


class DemandComment(models.Model):
    """A resident's comment on a demand (the author shown masked)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="comments")
    author_phone = models.CharField(max_length=20)
    text = models.CharField("评论", max_length=500)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "需求评论"
        verbose_name_plural = verbose_name
        ordering = ["created_at", "pk"]


class ProjectState(models.TextChoices):
    PLANNED = "planned", "已立项"
    RUNNING = "running", "实施中"
    FINISHED = "finished", "已完成"
    CANCELLED = "cancelled", "已撤销"


class Project(models.Model):
    """One entry of the project list (项目清单): a demand met with a resource, with owner, budget, milestones and
    beneficiaries, its progress public in the portal."""

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    demand = models.ForeignKey(Demand, verbose_name="需求", on_delete=models.PROTECT, related_name="projects")
    resource = models.ForeignKey(Resource, verbose_name="资源", on_delete=models.PROTECT, related_name="projects")
    title = models.CharField("项目名称", max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="负责人", on_delete=models.PROTECT, related_name="+"
    )
    budget = models.DecimalField("预算(元)", max_digits=12, decimal_places=2, default=Decimal("0"))
    beneficiaries = models.PositiveIntegerField("受益人数", default=0)
    state = models.CharField(
        "状态", max_length=12, choices=ProjectState.choices, default=ProjectState.PLANNED, db_index=True
    )
    result = models.CharField("完成情况", max_length=500, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目清单"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand"], condition=~Q(state="cancelled"), name="cogovern_one_live_project"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=100)
    due_on = models.DateField("计划日期", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = verbose_name
        ordering = ["pk"]


class TeamKind(models.TextChoices):
    GENERAL = "general", "志愿服务队"
    SAFETY = "safety", "平安志愿者队"


class VolunteerTeam(models.Model):
    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("队伍名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=TeamKind.choices, default=TeamKind.GENERAL)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "志愿队伍"
        verbose_name_plural = verbose_name
        ordering = ["community", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="cogovern_team_name")]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    """A registered volunteer. Name and phone are personal data: masked unless the viewer may see them (logged).
    The phone is how a volunteer signed in to the portal is recognised when scanning an activity's QR code."""

    team = models.ForeignKey(VolunteerTeam, verbose_name="队伍", on_delete=models.PROTECT, related_name="volunteers")
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号", max_length=20)
    skills = models.CharField("特长", max_length=200, blank=True)
    is_active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = verbose_name
        ordering = ["team", "pk"]
        constraints = [models.UniqueConstraint(fields=["team", "phone"], name="cogovern_volunteer_phone")]

    def __str__(self) -> str:
        return f"志愿者#{self.pk}"


class ActivityKind(models.TextChoices):
    SERVICE = "service", "志愿服务"
    PATROL = "patrol", "平安巡逻"


class Activity(models.Model):
    """A volunteer activity (or a safety patrol). Volunteers sign up and check in by scanning its QR code (a
    signed token naming the activity); a check-in credits ``hours`` of service."""

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        VolunteerTeam, verbose_name="组织队伍", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=12, choices=ActivityKind.choices, default=ActivityKind.SERVICE)
    title = models.CharField("活动名称", max_length=100)
    place = models.CharField("地点", max_length=200, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    hours = models.DecimalField("服务时长(小时)", max_digits=5, decimal_places=1)
    capacity = models.PositiveIntegerField("招募人数", default=20)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "志愿活动"
        verbose_name_plural = verbose_name
        ordering = ["-starts_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="cogovern_act_time")]

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "活动报名"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="cogovern_signup_once")]


class CheckIn(models.Model):
    """A volunteer's presence at an activity: one per activity and volunteer, however often the code is scanned."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="checkins")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="checkins")
    hours = models.DecimalField("计入时长(小时)", max_digits=5, decimal_places=1)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "签到"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="cogovern_checkin_once")]


class CentreLevel(models.TextChoices):
    DISTRICT = "district", "区级中心"
    TOWN = "town", "镇(街道)中心"
    COMMUNITY = "community", "村(社区)中心"


class ChecklistItem(models.Model):
    """One configurable item of the standardisation checklist (六有 / 4+X) for a level of centre."""

    level = models.CharField("中心层级", max_length=12, choices=CentreLevel.choices)
    code = models.CharField("编号", max_length=20)
    title = models.CharField("标准", max_length=200)
    group = models.CharField("分组", max_length=20, default="六有")
    weight = models.PositiveSmallIntegerField("分值", default=10)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "标准化清单项"
        verbose_name_plural = verbose_name
        ordering = ["level", "code"]
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="cogovern_checklist_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CentreCheck(models.Model):
    """A centre's (a town's or a community's unit) standing on one checklist item, with evidence and review."""

    unit = models.ForeignKey("orgs.Unit", verbose_name="中心所在单位", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="checks")
    is_met = models.BooleanField("已达标", default=False)
    evidence = models.CharField("佐证说明", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "标准化达标记录"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["unit", "item"], name="cogovern_centre_check_once")]


class CentreEvidence(models.Model):
    """A file that proves a centre meets a checklist item (a photo of the venue, the rules on the wall, a ledger)."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(upload_to="cogovern/evidence/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "标准化佐证材料"
        verbose_name_plural = verbose_name
        ordering = ["uploaded_at", "pk"]


class PublicityForce(models.TextChoices):
    """The four professional forces of legal publicity (新媒体+普法宣传)."""

    ADMINISTRATIVE = "administrative", "行政机关"
    JUDICIAL = "judicial", "司法机关"
    MEDIATION = "mediation", "人民调解"
    LEGAL_AID = "legal_aid", "法律援助"


class PublicityKind(models.TextChoices):
    ARTICLE = "article", "普法文章"
    VIDEO = "video", "普法短视频"


class PublicityItem(models.Model):
    """A legal-publicity article or short video, published in the portal by topic, with read and play counts."""

    kind = models.CharField("形式", max_length=10, choices=PublicityKind.choices)
    force = models.CharField("发布力量", max_length=16, choices=PublicityForce.choices)
    topic = models.CharField("主题", max_length=30)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文/简介", max_length=20000)
    video_url = models.URLField("视频地址", blank=True)
    publisher = models.CharField("发布单位", max_length=100, blank=True)
    is_published = models.BooleanField("已发布", default=False)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    reads = models.PositiveIntegerField("阅读数", default=0)
    plays = models.PositiveIntegerField("播放数", default=0)

    class Meta:
        verbose_name = "普法宣传"
        verbose_name_plural = verbose_name
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class PublicityDaily(models.Model):
    """Reads and plays of one item on one local day (the monthly report sums the days of its month)."""

    item = models.ForeignKey(PublicityItem, on_delete=models.CASCADE, related_name="daily")
    day = models.DateField()
    reads = models.PositiveIntegerField(default=0)
    plays = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "普法宣传日统计"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="cogovern_publicity_day")]
